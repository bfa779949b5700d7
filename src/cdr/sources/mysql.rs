//! Reading CDRs straight from the softswitch's MySQL/MariaDB database.
//!
//! VOS3000 keeps one `e_cdr_YYYYMMDD` table per day (plus `e_cdr`) in the `vos3000` database
//! (`vos3000db` on old installs). For a time window this reads only the daily tables that can
//! hold it, plus the day before (calls that ended just after midnight land there), selecting by
//! the `starttime` index and streaming rows to the same parsers the files use. The layout (63 or
//! 41 columns) comes from the table's own columns.
//!
//! Read-only by construction: every statement goes through [`read_only`], which lets through
//! nothing but SELECT and SHOW. Passwords never come from the URL.

use mysql::prelude::Queryable;
use mysql::{Conn, Row, Value};

use crate::cdr::address::db_url::{CONNECT_TIMEOUT, DbUrl, READ_TIMEOUT};
use crate::cdr::formats::detect::{Delimiter, Layout};
use crate::cdr::record::fields::columns_from_header;
use crate::cdr::record::time::{TimeReader, civil_from_days};

/// The one door to the server: only SELECT and SHOW, one statement at a time.
pub fn read_only(sql: &str) -> Result<&str, String> {
    let t = sql.trim_start();
    let head = t.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    // A `;` inside a quoted identifier or string is part of a name, not a second statement.
    let mut quote: Option<char> = None;
    let mut second_statement = false;
    for c in t.chars() {
        match (quote, c) {
            (None, '`' | '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ';') => second_statement = true,
            _ => {}
        }
    }
    if !(head == "SELECT" || head == "SHOW") || second_statement || quote.is_some() {
        return Err(format!("refusing to send a statement that is not a single SELECT or SHOW: {sql}"));
    }
    Ok(sql)
}

fn query(conn: &mut Conn, sql: &str) -> Result<Vec<Row>, mysql::Error> {
    let sql = read_only(sql).map_err(|e| mysql::Error::IoError(std::io::Error::other(e)))?;
    conn.query(sql)
}

/// One daily (or the plain `e_cdr`) table to read.
#[derive(Debug, Clone)]
pub struct DbTable {
    pub url: DbUrl,
    pub password: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
    /// Start of the window, epoch ms (inclusive) and end (exclusive).
    pub since_ms: i64,
    pub until_ms: i64,
}

impl DbTable {
    /// `mysql://user@host:port/db.table`; through a socket the `?socket=` comes last.
    pub fn name(&self) -> String {
        let url = self.url.display();
        match url.split_once('?') {
            Some((base, query)) => format!("{base}.{}?{query}", self.table),
            None => format!("{url}.{}", self.table),
        }
    }

    pub fn layout(&self) -> Layout {
        Layout {
            delimiter: Delimiter::Tab,
            columns: Some(columns_from_header(self.columns.iter().map(String::as_str))),
            mysql_escapes: false,
            database: true,
            positional: false,
            min_fields: 0,
        }
    }
}

/// Turns a driver error into a message that says what to do.
/// A read or handshake that ran out of time (the driver wraps it differently by stage).
fn is_timeout(e: &mysql::Error) -> bool {
    match e {
        mysql::Error::IoError(io) => {
            matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
        }
        other => {
            let t = other.to_string();
            t.contains("(os error 11)") || t.contains("(os error 110)") || t.contains("timed out")
        }
    }
}

pub fn describe(e: &mysql::Error, url: &DbUrl) -> String {
    use std::io::ErrorKind;
    let target = url.display();
    if is_timeout(e) && !matches!(e, mysql::Error::IoError(_)) {
        return format!(
            "cannot connect to {target}: no answer within {} s to a request (a server that accepts connections but does not answer, or a firewall)",
            READ_TIMEOUT.as_secs()
        );
    }
    match e {
        mysql::Error::IoError(io) => match io.kind() {
            ErrorKind::ConnectionRefused => format!(
                "cannot connect to {target}: connection refused. Is MariaDB/MySQL running and listening on {}:{}?",
                url.host, url.port
            ),
            ErrorKind::TimedOut | ErrorKind::WouldBlock => format!(
                "cannot connect to {target}: no answer within {} s to connect or {} s to a request (a firewall, a wrong host, or a server that accepts connections but does not answer)",
                CONNECT_TIMEOUT.as_secs(),
                READ_TIMEOUT.as_secs()
            ),
            _ => format!("{target}: {io}"),
        },
        mysql::Error::DriverError(d) => {
            let text = d.to_string();
            if text.contains("refused") {
                format!(
                    "cannot connect to {target}: connection refused. Is MariaDB/MySQL running and listening on {}:{}?",
                    url.host, url.port
                )
            } else {
                format!("{target}: {text}")
            }
        }
        mysql::Error::MySqlError(me) => match me.code {
            1045 => format!(
                "access denied for user '{}' at {}: wrong user or password. Give the password with --password-file FILE or the MYSQL_PWD variable",
                url.user, url.host
            ),
            1049 => format!(
                "database '{}' does not exist on {}:{}. Older VOS3000 installs call it vos3000db (mysql://{}@{}:{}/vos3000db)",
                url.database, url.host, url.port, url.user, url.host, url.port
            ),
            1044 | 1142 => format!(
                "user '{}' may not read database '{}': grant it SELECT (see the README on a read-only user)",
                url.user, url.database
            ),
            _ => format!("{target}: {me}"),
        },
        other => format!("{target}: {other}"),
    }
}

/// Connects, checks the database, and lists the tables that cover the window.
/// Returns the tables and notes on days of the window that have no table.
pub fn discover(
    url: &DbUrl,
    password: Option<&str>,
    since_ms: i64,
    until_ms: i64,
    times: &TimeReader,
) -> Result<(Vec<DbTable>, Vec<String>), String> {
    let mut conn = Conn::new(url.opts(password)).map_err(|e| describe(&e, url))?;
    let names: Vec<String> = query(&mut conn, "SHOW TABLES LIKE 'e\\_cdr%'")
        .map_err(|e| describe(&e, url))?
        .into_iter()
        .filter_map(|r| r.unwrap().into_iter().next().and_then(value_string))
        .collect();
    // Local days of the window, and the day before.
    let day_of = |ms: i64| {
        let secs = ms.div_euclid(1000);
        let local = secs + i64::from(times.offset_for_local(secs));
        local.div_euclid(86_400)
    };
    let first_day = day_of(since_ms) - 1;
    let last_day = day_of(until_ms.saturating_sub(1)).max(first_day);
    // The daily tables that exist for the days of the window (and the day before), however
    // long the window: the tables are listed, not the days counted.
    let day_of_table = |name: &str| -> Option<i64> {
        let d = name.strip_prefix("e_cdr_")?;
        if d.len() != 8 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let num = |r: std::ops::Range<usize>| d[r].parse::<i64>().ok();
        let (y, m, dd) = (num(0..4)?, num(4..6)?, num(6..8)?);
        ((1..=12).contains(&m) && (1..=31).contains(&dd))
            .then(|| crate::cdr::record::time::days_from_civil(y, m, dd))
    };
    let mut daily: Vec<(i64, String)> =
        names.iter().filter_map(|n| day_of_table(n).map(|d| (d, n.clone()))).collect();
    daily.sort();
    let mut tables: Vec<String> =
        daily.iter().filter(|(d, _)| (first_day..=last_day).contains(d)).map(|(_, n)| n.clone()).collect();
    let mut notes = Vec::new();
    // Days of the window itself (not the courtesy day before) with no table. Days still to
    // come are not missing: the window of "today" reaches into tomorrow for calls stamped
    // ahead by a clock, and the switch makes tomorrow's table only at midnight.
    let present: std::collections::HashSet<i64> = daily.iter().map(|(d, _)| *d).collect();
    let today = day_of(crate::cdr::record::time::now_ms());
    let missing: Vec<i64> =
        (first_day + 1..=last_day.min(today)).filter(|d| !present.contains(d)).take(10_000).collect();
    for day in missing.iter().take(31) {
        let (y, m, d) = civil_from_days(*day);
        notes.push(format!(
            "no table e_cdr_{y:04}{m:02}{d:02} in {}: no CDRs stored for that day",
            url.display()
        ));
    }
    if missing.len() > 31 {
        notes.push(format!(
            "… and {} more days of the window with no table in {}",
            missing.len() - 31,
            url.display()
        ));
    }
    let plain_has_rows = names.iter().any(|n| n == "e_cdr") && {
        let sql =
            format!("SELECT COUNT(*) FROM `e_cdr` WHERE starttime >= {since_ms} AND starttime < {until_ms}");
        query(&mut conn, &sql)
            .map_err(|e| describe(&e, url))?
            .into_iter()
            .filter_map(|r| r.unwrap().into_iter().next().and_then(value_string))
            .any(|n| n != "0")
    };
    // `e_cdr` is read too when daily tables cover the window, or when it alone holds rows.
    if names.iter().any(|n| n == "e_cdr") && (!tables.is_empty() || plain_has_rows) {
        tables.push("e_cdr".to_string());
    }
    if tables.is_empty() {
        return Err(match (daily.first().map(|x| &x.1), daily.last().map(|x| &x.1)) {
            (Some(a), Some(b)) => format!(
                "no e_cdr table in {} covers the window (it has {a} .. {b}); choose --since/--until within that range",
                url.display()
            ),
            _ => format!("{} has no e_cdr tables: is this the VOS3000 CDR database?", url.display()),
        });
    }
    let mut out = Vec::new();
    for table in tables {
        let sql = format!(
            "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = '{table}' ORDER BY ORDINAL_POSITION",
            url.database
        );
        let typed: Vec<(String, String)> = query(&mut conn, &sql)
            .map_err(|e| describe(&e, url))?
            .into_iter()
            .filter_map(|r| {
                let mut v = r.unwrap().into_iter();
                Some((value_string(v.next()?)?, v.next().and_then(value_string).unwrap_or_default()))
            })
            .collect();
        // VOS3000 keeps times as epoch ms in integer columns; a table made otherwise would be
        // selected by the wrong values and read as nothing.
        for (name, ty) in &typed {
            let is_time = name.eq_ignore_ascii_case("starttime") || name.eq_ignore_ascii_case("stoptime");
            if is_time && !ty.to_ascii_lowercase().contains("int") {
                return Err(format!(
                    "{}.{table}: column {name} is {ty}, not the epoch-millisecond integer VOS3000 writes; this table is not in a layout cdrscope reads (dump it with mysql -B and read the file instead)",
                    url.display()
                ));
            }
        }
        let columns = kept_columns(typed.into_iter().map(|(n, _)| n).collect());
        out.push(DbTable {
            url: url.clone(),
            password: password.map(str::to_string),
            table,
            columns,
            since_ms,
            until_ms,
        });
    }
    Ok((out, notes))
}

/// A record as (column, value) pairs, in the table's column order.
pub type FullRecord = Vec<(String, String)>;

/// The columns the store keeps, of a table's: the fields it reads, the extra columns it reads
/// by name, and those whose sentinel it counts (`callertype`, `calleetype`: -1 "not
/// measured"). Only these are selected (a VOS3000 table has about 70 columns, fees and
/// agent data among them); the detail panel fetches the whole record of one call on demand
/// ([`fetch_record`]).
pub fn kept_columns(all: Vec<String>) -> Vec<String> {
    use crate::cdr::record::fields::{Field, canonical_extra, extra};
    const NAMED: [&str; 4] = [extra::REASON_HEADER, extra::ACCOUNT, extra::ACCOUNT_NAME, extra::SOFTSWITCH];
    all.into_iter()
        .filter(|c| {
            Field::from_column_name(c).is_some()
                || NAMED.contains(&canonical_extra(c).as_str())
                || crate::cdr::formats::parse::sentinel_column(c).is_some()
        })
        .collect()
}

/// Every column of one call, by its `flowno` (the primary key), as (name, value): what the
/// detail panel shows of a call read from the database.
pub fn fetch_record(
    url: &DbUrl,
    password: Option<&str>,
    table: &str,
    flowno: u64,
) -> Result<FullRecord, String> {
    let mut conn = Conn::new(url.opts(password)).map_err(|e| describe(&e, url))?;
    let sql =
        format!("SELECT * FROM `{}`.`{}` WHERE flowno = {flowno}", url.database, table.replace('`', ""));
    let rows = query(&mut conn, &sql).map_err(|e| describe(&e, url))?;
    let Some(row) = rows.into_iter().next() else {
        return Err(format!("flowno {flowno} is no longer in {table}"));
    };
    let names: Vec<String> = row.columns_ref().iter().map(|c| c.name_str().into_owned()).collect();
    Ok(names.into_iter().zip(row.unwrap().into_iter().map(|v| value_string(v).unwrap_or_default())).collect())
}

fn value_string(v: Value) -> Option<String> {
    match v {
        Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Value::NULL => None,
        other => Some(other.as_sql(true)),
    }
}

/// Appends a row's fields to `out` (NULL as empty), leaving the row to be dropped on this
/// thread.
pub fn push_row(out: &mut crate::cdr::record::rows::FieldRows, row: &Row) {
    for i in 0..row.len() {
        match row.as_ref(i) {
            None | Some(Value::NULL) => out.push_field(b""),
            Some(Value::Bytes(b)) => out.push_field(b),
            Some(other) => out.push_field(other.as_sql(true).as_bytes()),
        }
    }
    out.end_row();
}

/// A field of a row as a number, if it is one.
pub fn row_number(row: &Row, i: Option<usize>) -> Option<i64> {
    match row.as_ref(i?)? {
        Value::Bytes(b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        Value::Int(n) => Some(*n),
        Value::UInt(n) => i64::try_from(*n).ok(),
        _ => None,
    }
}

/// Streams a table's rows in the window, `chunk` rows at a time: by the `starttime` index,
/// the newest hour first, then the rows that record no start time (some deployments write 0)
/// by stop time.
pub fn stream(
    t: &DbTable,
    chunk: usize,
    mut emit: impl FnMut(crate::cdr::record::rows::FieldRows) -> bool,
) -> Result<u64, String> {
    let mut conn = Conn::new(t.url.opts(t.password.as_deref())).map_err(|e| describe(&e, &t.url))?;
    let cols: Vec<String> = t.columns.iter().map(|c| format!("`{}`", c.replace('`', ""))).collect();
    let from = format!("SELECT {} FROM `{}`.`{}`", cols.join(", "), t.url.database, t.table);
    let has = |c: &str| t.columns.iter().any(|x| x.eq_ignore_ascii_case(c));
    // The newest hour first: it is what the operator looks at, on screen while the rest of
    // the day loads (the views sort by time, not by the order rows arrive in).
    let newest =
        t.until_ms.min(crate::cdr::record::time::now_ms().saturating_add(60_000)).saturating_sub(3_600_000);
    let mut queries = if newest > t.since_ms && newest < t.until_ms {
        vec![
            format!("{from} WHERE starttime >= {newest} AND starttime < {}", t.until_ms),
            format!("{from} WHERE starttime >= {} AND starttime < {newest}", t.since_ms),
        ]
    } else {
        vec![format!("{from} WHERE starttime >= {} AND starttime < {}", t.since_ms, t.until_ms)]
    };
    if has("stoptime") {
        queries.push(format!(
            "{from} WHERE (starttime = 0 OR starttime IS NULL) AND stoptime >= {} AND stoptime < {}",
            t.since_ms, t.until_ms
        ));
        // Rows with no time at all belong to no window: read them too, so they are counted
        // (and reported as rejected: "no start or stop time") instead of never seen.
        queries.push(format!(
            "{from} WHERE (starttime = 0 OR starttime IS NULL) AND (stoptime = 0 OR stoptime IS NULL)"
        ));
    }
    let mut total = 0u64;
    for sql in queries {
        let sql = read_only(&sql)?;
        let stopped = |e: &mysql::Error, rows: u64| match e {
            e if is_timeout(e) => {
                format!(
                    "the server stopped answering after {rows} rows of {} (no data for {} s); the rows before were loaded",
                    t.table,
                    READ_TIMEOUT.as_secs()
                )
            }
            other => format!("{} after {rows} rows of {}", describe(other, &t.url), t.table),
        };
        let result = conn.query_iter(sql).map_err(|e| stopped(&e, total))?;
        let mut buf = crate::cdr::record::rows::FieldRows::with_capacity(chunk);
        for row in result {
            let row = row.map_err(|e| stopped(&e, total))?;
            push_row(&mut buf, &row);
            total += 1;
            if buf.len() >= chunk
                && !emit(std::mem::replace(
                    &mut buf,
                    crate::cdr::record::rows::FieldRows::with_capacity(chunk),
                ))
            {
                return Ok(total);
            }
        }
        if !buf.is_empty() && !emit(buf) {
            return Ok(total);
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = DbUrl::parse("mysql://vosro@10.0.0.5:3307/vos3000db").expect("url");
        assert_eq!(
            (u.user.as_str(), u.host.as_str(), u.port, u.database.as_str()),
            ("vosro", "10.0.0.5", 3307, "vos3000db")
        );
        let u = DbUrl::parse("mysql://ro@localhost").expect("url");
        assert_eq!((u.port, u.database.as_str()), (3306, "vos3000"));
        let e = DbUrl::parse("mysql://ro:secret@localhost/vos3000").expect_err("password");
        assert!(e.contains("--password-file") && !e.contains("secret"), "{e}");
        assert!(DbUrl::parse("mysql://ro@h/vos;drop").is_err());
        assert!(DbUrl::parse("mysql://ro@h:port/x").is_err());
        let none = crate::cdr::address::mycnf::ClientConfig::default();
        let u = DbUrl::parse_with("mysql://ro@[::1]:3307/vos3000", &none).expect("ipv6");
        assert_eq!((u.host.as_str(), u.port), ("::1", 3307));
        assert_eq!(u.display(), "mysql://ro@[::1]:3307/vos3000");
        let u = DbUrl::parse_with("mysql://ro@localhost/vos3000?socket=/tmp/my.sock", &none).expect("socket");
        assert_eq!(u.socket, Some(std::path::PathBuf::from("/tmp/my.sock")));
        assert_eq!(u.display(), "mysql://ro@localhost/vos3000?socket=/tmp/my.sock");
        assert!(DbUrl::parse_with("mysql://ro@h/x?ssl=1", &none).is_err());
        // No user in the URL: ~/.my.cnf's.
        let cnf = crate::cdr::address::mycnf::ClientConfig {
            user: Some("fromcnf".into()),
            socket: Some("/run/x.sock".into()),
            ..Default::default()
        };
        let u = DbUrl::parse_with("mysql://localhost/vos3000", &cnf).expect("cnf user");
        assert_eq!(
            (u.user.as_str(), u.socket.as_deref()),
            ("fromcnf", Some(std::path::Path::new("/run/x.sock")))
        );
    }

    #[test]
    fn only_select_and_show_pass() {
        assert!(read_only("SELECT 1").is_ok());
        assert!(read_only("  show tables").is_ok());
        assert!(read_only("SELECT `odd;name` FROM `e_cdr`").is_ok(), "a ; in a quoted name");
        for bad in [
            "DELETE FROM e_cdr",
            "SELECT `a;b` FROM t; DROP TABLE t",
            "SELECT 'open",
            "DROP TABLE x",
            "SELECT 1; DROP TABLE x",
            "UPDATE e_cdr SET fee=0",
            "SET GLOBAL x=1",
            "INSERT INTO t VALUES (1)",
        ] {
            assert!(read_only(bad).is_err(), "{bad}");
        }
    }
}
