//! Reading from a real MariaDB: `scripts/test.sh` starts one on loopback and exports its URLs.
//! The schema comes from the real DDL files in tests/fixtures/; rows are generated
//! (both layouts, the real sample row among them) and read back through cdrscope with a
//! read-only user. Without a server these tests skip, except under CI.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use cdrscope::cdr::sources::spec::DbAccess;
use cdrscope::cdr::{LoadError, LoadOptions, Loaded, Progress, SourceSpec, load};
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};

use common::utc;
use predicates::prelude::*;

struct Server {
    host: String,
    port: u16,
    admin_pw: String,
    ro_user: String,
    ro_pw: String,
}

fn server() -> Option<&'static Server> {
    static S: OnceLock<Option<Server>> = OnceLock::new();
    S.get_or_init(|| {
        let Ok(admin) = std::env::var("CDRSCOPE_TEST_MYSQL_ADMIN") else {
            if std::env::var_os("CI").is_some() {
                panic!("CI must run the MySQL tests: scripts/test.sh starts MariaDB and sets CDRSCOPE_TEST_MYSQL_ADMIN");
            }
            eprintln!("skipping the MySQL tests: no test server (run scripts/test.sh to start one)");
            return None;
        };
        let hostport = admin.rsplit('@').next().unwrap_or_default().to_string();
        let (host, port) = hostport.split_once(':').expect("host:port");
        let ro = std::env::var("CDRSCOPE_TEST_MYSQL_RO").expect("CDRSCOPE_TEST_MYSQL_RO");
        let ro_user = ro.trim_start_matches("mysql://").split('@').next().unwrap_or_default().to_string();
        let s = Server {
            host: host.to_string(),
            port: port.parse().expect("port"),
            admin_pw: std::env::var("CDRSCOPE_TEST_MYSQL_ADMIN_PASSWORD").expect("admin password"),
            ro_user,
            ro_pw: std::env::var("CDRSCOPE_TEST_MYSQL_RO_PASSWORD").expect("ro password"),
        };
        fixture(&s);
        Some(s)
    })
    .as_ref()
}

/// The follow test restarts the server: it runs alone, the other tests together.
static SERVER_USE: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn shared() -> std::sync::RwLockReadGuard<'static, ()> {
    SERVER_USE.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    SERVER_USE.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn admin(s: &Server) -> Conn {
    let opts: Opts = OptsBuilder::new()
        .ip_or_hostname(Some(s.host.clone()))
        .tcp_port(s.port)
        .user(Some("cdrscope_admin"))
        .pass(Some(s.admin_pw.clone()))
        .prefer_socket(false)
        .into();
    Conn::new(opts).expect("admin connection")
}

fn fixture_text(path: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The real DDL with comments stripped and the table renamed.
fn ddl(file: &str, from: &str, to: &str) -> String {
    let body: String = fixture_text(file)
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    body.replace(&format!("CREATE TABLE `{from}`"), &format!("CREATE TABLE `{to}`"))
        .trim()
        .trim_end_matches(';')
        .to_string()
}

const DAY19: i64 = 1_795_046_400_000; // 2026-11-19 00:00 UTC
const DAY: i64 = 86_400_000;

/// One generated call: (flowno, start ms, hold s, end reason, callee gateway).
#[derive(Clone, Debug)]
struct Call {
    flowno: u64,
    start: i64,
    stop: i64,
    hold_s: i64,
    reason: i32,
    callee_gw: String,
}

fn calls_for(table_day: i64, n: u64, base_flowno: u64) -> Vec<Call> {
    (0..n)
        .map(|i| {
            let start = table_day + (i as i64 * 86_000_000 / n as i64);
            let answered = i % 3 != 0;
            let hold_s = if answered { 20 + (i as i64 % 200) } else { 0 };
            Call {
                flowno: base_flowno + i,
                start,
                stop: start + hold_s * 1000 + 4000,
                hold_s,
                reason: if answered { -8 } else { [486, 503, -69][i as usize % 3] },
                callee_gw: if i % 4 == 0 { "对接线路".into() } else { format!("GW-{}", i % 5) },
            }
        })
        .collect()
}

/// What the tables hold, for the expectations.
fn all_calls() -> Vec<(&'static str, Call)> {
    let mut v = Vec::new();
    for c in calls_for(DAY19, 300, 19_000) {
        v.push(("e_cdr_20261119", c));
    }
    // Late calls: started just after midnight of the 20th, stored in the 19th's table.
    for (k, mut c) in calls_for(DAY19 + DAY, 20, 19_500).into_iter().enumerate() {
        c.start = DAY19 + DAY + k as i64 * 15_000;
        c.stop = c.start + c.hold_s * 1000 + 4000;
        v.push(("e_cdr_20261119", c));
    }
    for c in calls_for(DAY19 + DAY, 1000, 20_000) {
        v.push(("e_cdr_20261120", c));
    }
    // Unanswered calls recorded with starttime 0 (some deployments).
    for (k, mut c) in calls_for(DAY19 + DAY, 50, 21_000).into_iter().enumerate() {
        c.hold_s = 0;
        c.reason = 503;
        c.start = 0;
        c.stop = DAY19 + DAY + 3_600_000 + k as i64 * 1000;
        v.push(("e_cdr_20261120", c));
    }
    v
}

fn fixture(s: &Server) {
    let mut c = admin(s);
    for db in ["vos3000", "vos3000db"] {
        c.query_drop(format!("DROP DATABASE IF EXISTS {db}")).expect("drop");
        c.query_drop(format!("CREATE DATABASE {db} CHARACTER SET utf8mb4")).expect("create db");
    }
    c.query_drop("USE vos3000").expect("use");
    for t in ["e_cdr_20261119", "e_cdr_20261120", "e_cdr_20261121", "e_cdr"] {
        c.query_drop(ddl("e_cdr_ddl_mysql8_dump_excerpt.sql", "e_cdr", t)).expect("current DDL");
    }
    let insert = "INSERT INTO {t} (id, callere164, calleraccesse164, calleee164, calleeaccesse164, callerip, callergatewayid, calleegatewayid, calleeip, \
                  billingmode, calllevel, starttime, stoptime, callerpdd, calleepdd, holdtime, flowno, enddirection, endreason, sipreasonheader, softswitchname) \
                  VALUES (?, ?, ?, ?, ?, '203.0.113.5', 'CUST-1', ?, '100.64.0.9', 1, 5, ?, ?, 2100, 1900, ?, ?, 1, ?, 'Q.850;cause=16', 'VOS|node 1')";
    for (table, call) in all_calls() {
        let sql = insert.replace("{t}", table);
        let caller = format!("1380000{:05}", call.flowno % 100_000);
        let callee = format!("0086139{:06}", call.flowno);
        c.exec_drop(
            &sql,
            (
                call.flowno as i64,
                &caller,
                &caller,
                &callee,
                &callee,
                &call.callee_gw,
                call.start,
                call.stop,
                call.hold_s,
                call.flowno,
                call.reason,
            ),
        )
        .expect("insert");
    }
    // The 12 real production rows, as the vendor's server stores them (their own day).
    c.query_drop(ddl("e_cdr_ddl_mysql8_dump_excerpt.sql", "e_cdr", "e_cdr_20230716")).expect("current DDL");
    let (header, rows) = common::real::real_table();
    let sql = format!(
        "INSERT INTO e_cdr_20230716 ({}) VALUES ({})",
        header.join(", "),
        vec!["?"; header.len()].join(", ")
    );
    for row in &rows {
        let params: Vec<mysql::Value> = row
            .iter()
            .map(|v| if v == "NULL" { mysql::Value::NULL } else { mysql::Value::from(v.as_str()) })
            .collect();
        c.exec_drop(&sql, params).expect("real row");
    }
    c.query_drop("USE vos3000db").expect("use");
    c.query_drop(ddl(
        "e_cdr_20210429_vos3000_2140.schema_by_mariadb.sql",
        "e_cdr_20210429",
        "e_cdr_20210429",
    ))
    .expect("old DDL");
    // A table not in VOS3000's layout (DATETIME times), and one with an odd column name.
    c.query_drop("CREATE TABLE e_cdr_20200101 (flowno BIGINT PRIMARY KEY, starttime DATETIME, stoptime DATETIME, callere164 VARCHAR(64), endreason INT)")
        .expect("datetime table");
    c.query_drop("INSERT INTO e_cdr_20200101 VALUES (1, '2020-01-01 10:00:00', '2020-01-01 10:00:05', '8613800000000', -8)")
        .expect("datetime row");
    c.query_drop("CREATE TABLE e_cdr_20200201 (flowno BIGINT PRIMARY KEY, starttime BIGINT, stoptime BIGINT, callere164 VARCHAR(64), endreason INT, holdtime INT, `odd;col` VARCHAR(8), KEY (starttime))")
        .expect("odd table");
    c.query_drop(
        "INSERT INTO e_cdr_20200201 VALUES (1, 1580551200000, 1580551205000, '8613800000000', -8, 5, 'x;y')",
    )
    .expect("odd row");
    c.query_drop("INSERT INTO e_cdr_20200201 VALUES (2, NULL, NULL, '8613800000001', -8, 0, 'no time')")
        .expect("row with no time");
    // The real row, as the vendor's server wrote it.
    let tsv = fixture_text("e_cdr_20210429_vos3000_2140.tsv");
    let mut lines = tsv.lines();
    let cols: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let vals: Vec<&str> = lines.next().expect("row").split('\t').collect();
    let sql = format!(
        "INSERT INTO e_cdr_20210429 ({}) VALUES ({})",
        cols.join(", "),
        vec!["?"; cols.len()].join(", ")
    );
    let params: Vec<mysql::Value> = vals.iter().map(|v| mysql::Value::from(*v)).collect();
    c.exec_drop(&sql, params).expect("real row");
    for i in 0..50i64 {
        let start = 1_619_654_400_000 + i * 600_000; // 2021-04-29 00:00 UTC on
        c.exec_drop(
            "INSERT INTO e_cdr_20210429 (id, callere164, calleee164, calleegatewayh323id, starttime, stoptime, pdd, holdtime, flowno, enddirection, endreason, billingmode) \
             VALUES (?, '880102', ?, 'GW-OLD', ?, ?, ?, ?, ?, 1, -8, 0)",
            (1000 + i, format!("1008{i}"), start, start + 65_000, (1200i64 << 16) | 0xFFFF, 60i64, 5000 + i),
        )
        .expect("old rows");
    }
}

fn ro_url(s: &Server, db: &str) -> String {
    format!("mysql://{}@{}:{}/{db}", s.ro_user, s.host, s.port)
}

fn load_db(url: &str, password: &str, since: i64, until: i64) -> Result<Loaded, LoadError> {
    let opts = LoadOptions {
        zone: utc(),
        db: DbAccess { password: Some(password.to_string()), since: Some(since), until: Some(until) },
        ..LoadOptions::default()
    };
    load(&[SourceSpec::Mysql(url.to_string())], &opts, Arc::new(Progress::default()))
}

fn expected(since: i64, until: i64) -> BTreeSet<u64> {
    all_calls()
        .into_iter()
        .filter(|(_, c)| {
            let t = if c.start == 0 { c.stop } else { c.start };
            t >= since && t < until
        })
        .map(|(_, c)| c.flowno)
        .collect()
}

fn flownos(l: &Loaded) -> BTreeSet<u64> {
    (0..l.store.len()).filter_map(|i| l.store.cols.flowno_of(i)).collect()
}

#[test]
fn odd_tables_are_refused_or_read_with_a_message() {
    let _db = shared();
    let Some(s) = server() else { return };
    let day = 1_577_836_800_000; // 2020-01-01 00:00 UTC
    let e = load_db(&ro_url(s, "vos3000db"), &s.ro_pw, day, day + DAY).expect_err("datetime").to_string();
    assert!(e.contains("starttime is datetime") && e.contains("not in a layout cdrscope reads"), "{e}");
    // A `;` in a quoted column name is a name, not a second statement.
    let l = load_db(&ro_url(s, "vos3000db"), &s.ro_pw, day + 31 * DAY, day + 32 * DAY).expect("odd column");
    assert_eq!(l.store.calls(), 1);
    // The row with no time at all is counted, as a rejected row with its location.
    assert_eq!(l.store.rejected_lines(), 1);
    assert!(l.store.rejects[0].1.reason.to_string().contains("no start or stop time"));
    // Only the columns the store keeps are selected; the whole record comes on demand.
    assert!(l.store.record(0).extras.iter().all(|(k, _)| k != "odd;col"));
    let url = cdrscope::cdr::address::db_url::DbUrl::parse(&ro_url(s, "vos3000db")).expect("url");
    let full = cdrscope::cdr::sources::mysql::fetch_record(&url, Some(&s.ro_pw), "e_cdr_20200201", 1)
        .expect("fetch");
    assert!(full.contains(&("odd;col".to_string(), "x;y".to_string())), "{full:?}");
    let gone = cdrscope::cdr::sources::mysql::fetch_record(&url, Some(&s.ro_pw), "e_cdr_20200201", 99)
        .expect_err("no row");
    assert!(gone.contains("flowno 99 is no longer in e_cdr_20200201"), "{gone}");
    // A window of more than ten years still finds its tables at both ends.
    let l =
        load_db(&ro_url(s, "vos3000db"), &s.ro_pw, day + 31 * DAY, day + 4000 * DAY).expect("long window");
    let names: Vec<&str> = l.store.sources.iter().map(|x| x.name.rsplit('.').next().unwrap_or("")).collect();
    assert!(names.contains(&"e_cdr_20200201") && names.contains(&"e_cdr_20210429"), "{names:?}");
}

/// Through the server's Unix socket, as operators reach the switch's MySQL.
#[test]
fn through_a_unix_socket() {
    let _db = shared();
    let Some(s) = server() else { return };
    let sock =
        std::env::var("CDRSCOPE_TEST_MYSQL_SOCKET").expect("scripts/with-mariadb.sh exports the socket");
    let url = format!("mysql://{}@localhost/vos3000?socket={sock}", s.ro_user);
    let day = 1_689_465_600_000; // 2023-07-16 00:00 UTC
    let l = load_db(&url, &s.ro_pw, day - DAY, day + DAY).expect("load through the socket");
    common::real::assert_real_rows(&l.store, "socket");
    let name = &l.store.sources.iter().find(|x| x.name.contains("e_cdr_20230716")).expect("table").name;
    assert_eq!(name, &format!("mysql://{}@localhost/vos3000.e_cdr_20230716?socket={sock}", s.ro_user));
}

/// Credentials from ~/.my.cnf's [client] section, user included, as the mysql client reads them.
#[test]
fn credentials_from_my_cnf() {
    let _db = shared();
    let Some(s) = server() else { return };
    let sock = std::env::var("CDRSCOPE_TEST_MYSQL_SOCKET").expect("socket");
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join(".my.cnf"),
        format!(
            "[mysqld]\nuser=nobody\n[client]\nuser = {}\npassword = \"{}\"\nsocket = {sock}\n",
            s.ro_user, s.ro_pw
        ),
    )
    .expect("my.cnf");
    assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env("HOME", home.path())
        .env_remove("MYSQL_PWD")
        .env_remove("USER")
        .args([
            "check",
            "mysql://localhost/vos3000",
            "--tz",
            "UTC",
            "--since",
            "2023-07-15",
            "--until",
            "2023-07-17",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("12 rows, 0 duplicates dropped, 0 rejected lines"));
    // A wrong password in the file is refused like any other.
    std::fs::write(
        home.path().join(".my.cnf"),
        format!("[client]\nuser={}\npassword=wrong\nsocket={sock}\n", s.ro_user),
    )
    .expect("my.cnf");
    assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env("HOME", home.path())
        .env_remove("MYSQL_PWD")
        .args(["check", "mysql://localhost/vos3000", "--since", "2023-07-16", "--until", "2023-07-17"])
        .assert()
        .code(2);
}

/// The real rows with their -1 sentinels, through mysql:// (they were once 5 of 49 calls).
#[test]
fn real_rows_through_the_database() {
    let _db = shared();
    let Some(s) = server() else { return };
    let day = 1_689_465_600_000; // 2023-07-16 00:00 UTC
    let l = load_db(&ro_url(s, "vos3000"), &s.ro_pw, day - DAY, day + DAY).expect("load");
    common::real::assert_real_rows(&l.store, "mysql://");
    common::real::assert_real_extras(&l.store, "mysql://");
    let src = l.store.sources.iter().find(|x| x.name.ends_with("e_cdr_20230716")).expect("the day's table");
    assert!(src.name.starts_with("mysql://"), "{}", src.name);
}

#[test]
fn one_day_with_late_calls_and_missing_start_times() {
    let _db = shared();
    let Some(s) = server() else { return };
    let (since, until) = (DAY19 + DAY, DAY19 + 2 * DAY);
    let l = load_db(&ro_url(s, "vos3000"), &s.ro_pw, since, until).expect("load");
    let want = expected(since, until);
    assert_eq!(want.len(), 1000 + 20 + 50);
    assert_eq!(flownos(&l), want);
    assert_eq!(l.store.rejected_lines(), 0);
    // Tables read: the day before (for late calls), the day, and e_cdr.
    let names: Vec<&str> = l.store.sources.iter().map(|x| x.name.rsplit('.').next().unwrap_or("")).collect();
    assert_eq!(names, ["e_cdr_20261119", "e_cdr_20261120", "e_cdr"]);
    let form = l.store.sources[1].form.as_ref().expect("form");
    assert!(form.contains("database table") && form.contains("current layout"), "{form}");
    // Field by field against what was inserted.
    let calls: Vec<Call> = all_calls().into_iter().map(|(_, c)| c).collect();
    for i in 0..l.store.len() {
        let r = l.store.record(i);
        let c = calls.iter().find(|c| Some(c.flowno) == r.flowno).expect("inserted");
        assert_eq!(r.start_ms, if c.start == 0 { c.stop } else { c.start });
        assert_eq!(r.stop_ms, Some(c.stop));
        assert_eq!(r.hold_ms as i64, c.hold_s * 1000, "holdTime is seconds in the database");
        assert_eq!(r.reason.to_string(), c.reason.to_string());
        assert_eq!(r.callee_gateway, c.callee_gw);
        assert_eq!(r.callee, format!("0086139{:06}", c.flowno));
        assert_eq!(r.caller_pdd_ms, Some(2100));
        let extra = |k: &str| r.extras.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(extra("sipreasonheader").as_deref(), Some("Q.850;cause=16"));
        assert_eq!(extra("softswitchname").as_deref(), Some("VOS|node 1"));
    }
}

#[test]
fn a_window_spanning_two_days() {
    let _db = shared();
    let Some(s) = server() else { return };
    let (since, until) = (DAY19 + DAY / 2, DAY19 + DAY + DAY / 2);
    let l = load_db(&ro_url(s, "vos3000"), &s.ro_pw, since, until).expect("load");
    let want = expected(since, until);
    assert!(want.iter().any(|f| *f < 19_500) && want.iter().any(|f| *f >= 20_000));
    assert_eq!(flownos(&l), want);
}

#[test]
fn an_empty_day_and_a_missing_table() {
    let _db = shared();
    let Some(s) = server() else { return };
    let (since, until) = (DAY19 + 2 * DAY, DAY19 + 4 * DAY);
    let l = load_db(&ro_url(s, "vos3000"), &s.ro_pw, since, until).expect("load");
    assert_eq!(l.store.len(), 0);
    assert!(l.skipped.iter().any(|k| k.why.contains("no table e_cdr_20261122")), "{:?}", l.skipped);
    assert!(!l.skipped.iter().any(|k| k.why.contains("e_cdr_20261121")), "the empty day has a table");
}

#[test]
fn no_table_for_the_window_is_a_clear_error() {
    let _db = shared();
    let Some(s) = server() else { return };
    let err = load_db(&ro_url(s, "vos3000"), &s.ro_pw, 1_893_456_000_000, 1_893_542_400_000)
        .expect_err("no table")
        .to_string();
    assert!(err.contains("no e_cdr table") && err.contains("e_cdr_20230716 .. e_cdr_20261121"), "{err}");
}

#[test]
fn the_old_layout_and_the_real_row() {
    let _db = shared();
    let Some(s) = server() else { return };
    let l = load_db(&ro_url(s, "vos3000db"), &s.ro_pw, 1_619_654_400_000, 1_619_740_800_000).expect("load");
    assert_eq!(l.store.len(), 51);
    let form = l.store.sources.iter().find(|x| x.rows > 0).and_then(|x| x.form.as_ref().ok()).expect("form");
    assert!(form.contains("old layout"), "{form}");
    let i = (0..l.store.len()).find(|&i| l.store.cols.flowno.get(i) == 101).expect("real row");
    let r = l.store.record(i);
    assert_eq!(
        (r.caller.as_str(), r.callee.as_str(), r.callee_gateway.as_str()),
        ("880101", "10081", "对接线路")
    );
    assert_eq!(r.start_ms, 1_619_696_157_000);
    assert_eq!(r.caller_pdd_ms, Some(9038));
    // Columns the store does not keep are in the whole record, fetched on demand.
    let url = cdrscope::cdr::address::db_url::DbUrl::parse(&ro_url(s, "vos3000db")).expect("url");
    let full = cdrscope::cdr::sources::mysql::fetch_record(&url, Some(&s.ro_pw), "e_cdr_20210429", 101)
        .expect("fetch");
    let extra = |k: &str| full.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(extra("softswitchdn").as_deref(), Some("MBX3000|65|SHAY1WUAAABIcBjV"));
    assert_eq!(extra("agentname").as_deref(), Some("结算账户"));
    let j = (0..l.store.len()).find(|&i| l.store.cols.flowno.get(i) == 5000).expect("generated");
    assert_eq!(l.store.record(j).hold_ms, 60_000);
    assert_eq!(l.store.record(j).caller_pdd_ms, Some(1200));
}

#[test]
fn wrong_password_missing_database_and_server_down() {
    let _db = shared();
    let Some(s) = server() else { return };
    let day = (DAY19 + DAY, DAY19 + 2 * DAY);
    let err = load_db(&ro_url(s, "vos3000"), "wrong", day.0, day.1).expect_err("denied").to_string();
    assert!(err.contains("access denied") && err.contains("--password-file"), "{err}");
    let admin_url = format!("mysql://cdrscope_admin@{}:{}/nosuchdb", s.host, s.port);
    let err = load_db(&admin_url, &s.admin_pw, day.0, day.1).expect_err("no db").to_string();
    assert!(err.contains("does not exist") && err.contains("vos3000db"), "{err}");
    // A port nobody listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let err = load_db(&format!("mysql://x@127.0.0.1:{free}/vos3000"), "x", day.0, day.1)
        .expect_err("down")
        .to_string();
    assert!(err.contains("connection refused"), "{err}");
}

#[test]
fn the_command_line_reads_the_database() {
    let _db = shared();
    let Some(s) = server() else { return };
    let url = ro_url(s, "vos3000");
    let out = assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env("MYSQL_PWD", &s.ro_pw)
        .args(["summary", &url, "--tz", "UTC", "--since", "2026-11-20", "--until", "2026-11-21", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["rows"], 1070);
    assert_eq!(v["hold_unit"], "s");
    let dir = tempfile::tempdir().expect("tempdir");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, format!("{}\n", s.ro_pw)).expect("pw file");
    assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env_remove("MYSQL_PWD")
        .args([
            "check",
            &url,
            "--tz",
            "UTC",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-21",
            "--password-file",
            &pw.display().to_string(),
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("database table, e_cdr current layout"))
        .stdout(predicates::str::contains("1,070 rows, 0 duplicates dropped, 0 rejected lines"));
    // Without a window: today's table, and tomorrow's (not made yet) is not named missing.
    let noon_21 = DAY19 + 2 * DAY + 12 * 3_600_000;
    assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env("MYSQL_PWD", &s.ro_pw)
        .env("CDRSCOPE_TEST_NOW", noon_21.to_string())
        .args(["check", &url, "--tz", "UTC"])
        .assert()
        .stdout(predicates::str::contains("e_cdr_20261121"))
        .stdout(predicates::str::contains("e_cdr_20261122").not());
    // Without a window a database is read for today, which this one does not have.
    assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env("MYSQL_PWD", &s.ro_pw)
        .args(["check", &url, "--tz", "UTC"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no e_cdr table"));
    assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .args(["summary", &format!("mysql://{}:secret@{}:{}/vos3000", s.ro_user, s.host, s.port)])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--password-file").and(predicates::str::contains("secret").not()));
}

#[test]
fn check_reconciles_the_database_against_a_file_of_the_same_calls() {
    let _db = shared();
    let Some(s) = server() else { return };
    let url = ro_url(s, "vos3000");
    let window = ["--tz", "UTC", "--since", "2026-11-20", "--until", "2026-11-21"];
    let dir = tempfile::tempdir().expect("tempdir");
    let dump = dir.path().join("dump.csv");
    assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env("MYSQL_PWD", &s.ro_pw)
        .args(["export", &url, "--format", "csv", "-o", &dump.display().to_string()])
        .args(window)
        .assert()
        .success();
    // The file lost three calls (lines 101-103), and holds one the database never had.
    let text = std::fs::read_to_string(&dump).expect("dump");
    let mut lines: Vec<&str> = text.lines().collect();
    let lost: Vec<String> = lines.drain(100..103).map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let flowno_at = header.iter().position(|h| *h == "flowno").expect("flowno column");
    let mut fields: Vec<&str> = lines[200].split(',').collect();
    fields[flowno_at] = "99999";
    let extra = fields.join(",");
    lines.push(&extra);
    std::fs::write(&dump, lines.join("\n") + "\n").expect("write");
    let out = assert_cmd::Command::cargo_bin("cdrscope")
        .expect("binary")
        .env("MYSQL_PWD", &s.ro_pw)
        .args(["check", &url, &dump.display().to_string()])
        .args(window)
        .output()
        .expect("check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let block = stdout.split("\nreconciliation\n").nth(1).unwrap_or_else(|| panic!("{stdout}"));
    // The 19th's table holds late calls of the 20th: the database is both tables.
    assert!(block.contains("3 of 1,067 calls of the database (2 tables) missing from"), "{block}");
    assert!(
        block.contains("1 of 1,065 calls of")
            && block.contains("missing from the database (2 tables), ended"),
        "{block}"
    );
    for line in &lost {
        let flowno = line.split(',').nth(flowno_at).unwrap_or_default();
        assert!(block.contains(&format!("flowno {flowno}")), "{flowno} named in {block}");
    }
    assert!(block.contains("flowno 99999"), "{block}");
    assert!(!block.contains("twice"), "{block}");
}

#[test]
fn the_console_asks_for_the_password() {
    let _db = shared();
    let Some(s) = server() else { return };
    let Some(tm) = common::tmux::Tmux::new("dbprompt") else { return };
    let url = ro_url(s, "vos3000");
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "env -u MYSQL_PWD TZ=UTC CDRSCOPE_KB=/nonexistent {bin} {url} --since 2026-11-20 --until 2026-11-21; echo EXITED $?; sleep 30"
    );
    // Tall: the explanation panel shows the whole record, fetched on demand, at its end (after
    // the end reason's entry and the Reason header's, which name settings and their menus).
    tm.run(&["new-session", "-d", "-s", "t", "-x", "150", "-y", "130", &cmd]);
    // Asked once the server refused the connection without one, and the prompt says so.
    let first = tm.wait_for("Database password", 20);
    assert!(first.contains("access denied"), "{first}");
    tm.run(&["send-keys", "-t", "t", "-l", "wrong"]);
    let screen = tm.wait_for("*****", 10);
    assert!(!screen.contains("wrong"), "the password is not shown");
    tm.run(&["send-keys", "-t", "t", "Enter"]);
    tm.wait_for("access denied", 20);
    tm.run(&["send-keys", "-t", "t", "-l", &s.ro_pw]);
    tm.run(&["send-keys", "-t", "t", "Enter"]);
    tm.wait_for("1,070/1,070 calls", 20);
    // The store keeps two dozen columns; the rest of the explained call comes from its table.
    tm.wait_for("The rest of the record (e_cdr_20261120)", 20);
    let screen = tm.wait_gone("fetching from the database", 20);
    // A database row is located by its flowno, as the conventions say.
    // (The panel wraps it: its end is looked for.)
    assert!(screen.contains("vos3000.e_cdr_20261120#20"), "{screen}");
    let id_line = screen.lines().any(|l| l.contains("│                  id 20999 "));
    assert!(id_line, "the id column, which the store does not keep, is shown:\n{screen}");
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
}

/// `cdrscope follow` on a database while rows are written: new calls, a long call written
/// late with an older flowno, the server restarted mid-follow, and midnight with a new
/// daily table (on the running test clock). Every new call is printed once; the calls there
/// before the start are not.
#[test]
fn following_the_database_through_a_restart_and_midnight() {
    let _db = exclusive();
    let Some(s) = server() else { return };
    let mut c = admin(s);
    c.query_drop("DROP DATABASE IF EXISTS cdrscope_follow").expect("drop");
    c.query_drop("CREATE DATABASE cdrscope_follow CHARACTER SET utf8mb4").expect("create");
    c.query_drop("USE cdrscope_follow").expect("use");
    let day = DAY19 + 3 * DAY; // 2026-11-22 UTC
    let midnight = day + DAY;
    let base = midnight - 15_000;
    c.query_drop(ddl("e_cdr_ddl_mysql8_dump_excerpt.sql", "e_cdr", "e_cdr_20261122")).expect("DDL");
    let insert = |c: &mut Conn, table: &str, flowno: u64, start: i64, stop: i64| {
        c.exec_drop(
            format!(
                "INSERT INTO {table} (id, callere164, calleee164, callergatewayid, calleegatewayid, starttime, stoptime, holdtime, flowno, enddirection, endreason, softswitchname) \
                 VALUES (?, '8613800000001', ?, 'CUST-1', 'GW-1', ?, ?, ?, ?, 1, -8, 'VOS')"
            ),
            (flowno as i64, format!("0086139{flowno:06}"), start, stop, (stop - start) / 1000, flowno),
        )
        .expect("insert");
    };
    for f in 100..103u64 {
        insert(&mut c, "e_cdr_20261122", f, base - 60_000 + f as i64, base - 30_000 + f as i64);
    }
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("cdrscope"))
        .env("MYSQL_PWD", &s.ro_pw)
        .env("CDRSCOPE_TEST_NOW", format!("{base}+"))
        .args([
            "follow",
            &ro_url(s, "cdrscope_follow"),
            "--tz",
            "UTC",
            "--json",
            "--exit-after",
            "6",
            "--duration",
            "90s",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("follow");
    let started = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_secs(3));
    // A new call, and a long one written late: older flowno, start two hours ago.
    insert(&mut c, "e_cdr_20261122", 103, base - 10_000, base);
    insert(&mut c, "e_cdr_20261122", 50, base - 7_200_000, base + 1_000);
    // A call dated a day ahead (a writer's clock): it is taken, and hides none after it.
    insert(&mut c, "e_cdr_20261122", 300, base + DAY, base + DAY);
    std::thread::sleep(std::time::Duration::from_secs(2));
    // The server restarts mid-follow: cdrscope reconnects and goes on from its checkpoint.
    let restarted = match std::env::var("CDRSCOPE_TEST_MYSQL_RESTART") {
        Ok(script) => {
            let ok = std::process::Command::new(script).status().expect("restart").success();
            assert!(ok, "the test server restarted");
            c = admin(s);
            c.query_drop("USE cdrscope_follow").expect("use");
            true
        }
        Err(_) => {
            // Without the script: the follower's connection is killed instead.
            let ids: Vec<u64> = c
                .query(format!("SELECT id FROM information_schema.PROCESSLIST WHERE user = '{}'", s.ro_user))
                .expect("processlist");
            for id in ids {
                let _ = c.query_drop(format!("KILL {id}"));
            }
            false
        }
    };
    insert(&mut c, "e_cdr_20261122", 104, base - 5_000, base + 2_000);
    // Midnight: the new day's table appears with its first call; a late call is still
    // stored in the old one.
    c.query_drop(ddl("e_cdr_ddl_mysql8_dump_excerpt.sql", "e_cdr", "e_cdr_20261123")).expect("DDL");
    insert(&mut c, "e_cdr_20261123", 200, midnight + 5_000, midnight + 9_000);
    insert(&mut c, "e_cdr_20261122", 105, midnight - 3_000, midnight + 1_000);
    let out = child.wait_with_output().expect("follow output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    let printed: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json line")["flowno"]
                .as_u64()
                .expect("flowno")
        })
        .collect();
    let mut sorted = printed.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![50, 103, 104, 105, 200, 300], "each new call once: {printed:?}\n{stderr}");
    assert!(started.elapsed() >= std::time::Duration::from_secs(10), "the clock crossed midnight first");
    assert!(stderr.contains("midnight: following e_cdr_20261123"), "{stderr}");
    if restarted {
        assert!(stderr.contains("reconnect"), "the restart was noticed: {stderr}");
    }
}
