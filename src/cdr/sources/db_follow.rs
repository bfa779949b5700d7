//! Following the database: today's `e_cdr_YYYYMMDD` is polled through its `stoptime` index
//! (a row is written when its call ends) with an overlap of a few seconds, and repeats of
//! the overlap are dropped by `flowno`. Neither `flowno` (it follows call start, not write
//! order) nor `id` (no index) can serve as the watermark. After local midnight the new day's
//! table is followed as soon as it exists, and the old one a few minutes more for calls
//! written late. A dropped connection is retried with back-off from the checkpoint; bad
//! credentials or a missing database fail the source for good.
//!
//! Old layout (no `stoptime` column): `starttime` is polled with a look-back of the longest
//! call allowed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mysql::Conn;
use mysql::prelude::Queryable;

use crate::cdr::formats::detect::Layout;
use crate::cdr::formats::parse::{Block, parse_block};
use crate::cdr::record::rows::FieldRows;
use crate::cdr::record::time::{TimeReader, civil_from_days};
use crate::cdr::sources::follow::{Checkpoint, Follow, Polled};

use crate::cdr::address::db_url::DbUrl;
use crate::cdr::sources::mysql::{DbTable, describe, push_row, read_only, row_number};
use crate::cdr::store::source_state::LiveState;

/// A row's stop time as far as it moves the watermark: never past the clock. A call dated
/// ahead (a writer's clock, a bad row) is taken, and the calls after it are still asked for;
/// the overlap covers a switch whose clock is a little ahead.
pub fn watermark_of_stop(stop: i64) -> i64 {
    stop.min(crate::cdr::record::time::now_ms())
}

/// Rows written this long before the newest `stoptime` seen are asked for again (clocks of
/// the switch's writers and the database differ a little; a transaction may commit late).
pub const OVERLAP_MS: i64 = 5_000;
/// How often the database is asked.
pub const POLL_EVERY: Duration = Duration::from_millis(1000);
/// The old day's table is still polled this long after the new one appears.
pub const LATE_GRACE: Duration = Duration::from_secs(300);
/// Old layout: how far back `starttime` is asked for (the longest call allowed).
pub const OLD_LAYOUT_LOOKBACK_MS: i64 = 4 * 3_600_000;
/// Most rows taken in one poll; the rest come on the next.
const POLL_ROWS: usize = 50_000;

/// The daily table of the local day of `now_ms` (`e_cdr_YYYYMMDD`).
pub fn todays_table(times: &TimeReader, now_ms: i64) -> String {
    let secs = now_ms.div_euclid(1000);
    let local = secs + i64::from(times.offset_for_local(secs));
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    format!("e_cdr_{y:04}{m:02}{d:02}")
}

/// One table being followed.
struct Followed {
    table: DbTable,
    source: usize,
    layout: Arc<Layout>,
    /// Newest `stoptime` (or `starttime`, old layout) seen, epoch ms.
    watermark: i64,
    /// Rows read from this table so far (the "line" of the next one).
    rows: u64,
    /// Set when a newer table took over: polled until then for late calls.
    retire_at: Option<Instant>,
    has_stop: bool,
}

/// What [`DbFollow`] starts from: the tables the first reading read, as sources.
pub struct DbStart {
    pub table: DbTable,
    pub source: usize,
    /// Newest `stoptime` among the rows read (epoch ms), and their `flowno`s written in the
    /// last [`OVERLAP_MS`] before it, so the first poll repeats nothing.
    pub watermark: i64,
    pub recent: Vec<(u64, i64)>,
}

pub struct DbFollow {
    url: DbUrl,
    password: Option<String>,
    tables: Vec<Followed>,
    /// `flowno` -> `stoptime` of rows read near the watermark.
    recent: HashMap<u64, i64>,
    conn: Option<Conn>,
    next_poll: Instant,
    backoff: Duration,
    failing: bool,
    /// The store index the next new day's table gets (set by the ingest thread).
    next_source: Option<usize>,
    times: TimeReader,
}

impl DbFollow {
    /// Follows the tables of one database: today's, and any made ahead for later days.
    pub fn new(starts: Vec<DbStart>, times: TimeReader) -> Option<DbFollow> {
        let first = starts.first()?;
        let (url, password) = (first.table.url.clone(), first.table.password.clone());
        let mut recent = HashMap::new();
        let mut tables = Vec::new();
        for start in starts {
            recent.extend(start.recent);
            let has_stop = start.table.columns.iter().any(|c| c.eq_ignore_ascii_case("stoptime"));
            tables.push(Followed {
                source: start.source,
                layout: Arc::new(start.table.layout()),
                watermark: start.watermark,
                rows: 0,
                retire_at: None,
                has_stop,
                table: start.table,
            });
        }
        Some(DbFollow {
            url,
            password,
            recent,
            tables,
            conn: None,
            next_poll: Instant::now(),
            backoff: Duration::from_secs(1),
            failing: false,
            next_source: None,
            times,
        })
    }

    /// The ingest thread tells the follower which store index a new table would get.
    pub fn offer_source(&mut self, index: usize) {
        self.next_source = Some(index);
    }

    fn connect(&mut self) -> Result<&mut Conn, mysql::Error> {
        if self.conn.is_none() {
            self.conn = Some(Conn::new(self.url.opts(self.password.as_deref()))?);
        }
        self.conn.as_mut().ok_or_else(|| mysql::Error::IoError(std::io::Error::other("no connection")))
    }

    /// Today's table name in the zone of the switch (the test clock counts).
    fn todays_table(&self) -> String {
        todays_table(&self.times, crate::cdr::record::time::now_ms())
    }

    /// After midnight: the earlier days' tables are read a few minutes more for late calls,
    /// then left; the new day's table is followed from its start once it exists.
    fn check_new_day(&mut self, out: &mut Polled) -> Result<(), mysql::Error> {
        let name = self.todays_table();
        if !self.tables.iter().any(|t| t.table.table.starts_with("e_cdr_")) {
            return Ok(());
        }
        for t in &mut self.tables {
            if t.table.table.starts_with("e_cdr_") && t.table.table < name && t.retire_at.is_none() {
                t.retire_at = Some(Instant::now() + LATE_GRACE);
                out.notes.push(format!(
                    "midnight: {} is read {} minutes more for late calls",
                    t.table.table,
                    LATE_GRACE.as_secs() / 60
                ));
            }
        }
        if self.tables.iter().any(|t| t.table.table == name) {
            return Ok(());
        }
        let Some(source) = self.next_source else { return Ok(()) };
        let db = self.url.database.clone();
        let conn = self.connect()?;
        let sql = format!(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = '{name}' ORDER BY ORDINAL_POSITION",
            db.replace('\'', "")
        );
        let columns: Vec<String> = conn.query(read_only(&sql).map_err(io)?)?;
        if columns.is_empty() {
            // Not created yet: VOS3000 makes it with the day's first call.
            return Ok(());
        }
        let table = DbTable {
            url: self.url.clone(),
            password: self.password.clone(),
            table: name.clone(),
            columns: crate::cdr::sources::mysql::kept_columns(columns),
            since_ms: 0,
            until_ms: i64::MAX,
        };
        let has_stop = table.columns.iter().any(|c| c.eq_ignore_ascii_case("stoptime"));
        out.new_sources.push((source, table.name(), Some((table.url.clone(), table.table.clone()))));
        out.notes.push(format!("midnight: following {name}"));
        self.next_source = None;
        self.tables.push(Followed {
            source,
            layout: Arc::new(table.layout()),
            // The new table is read whole.
            watermark: 0,
            rows: 0,
            retire_at: None,
            has_stop,
            table,
        });
        Ok(())
    }

    fn poll_tables(&mut self, out: &mut Polled) -> Result<(), mysql::Error> {
        self.check_new_day(out)?;
        let db = self.url.database.clone();
        let now = Instant::now();
        self.tables.retain(|t| t.retire_at.is_none_or(|r| r > now));
        for k in 0..self.tables.len() {
            let (sql, flow_col) = {
                let t = &self.tables[k];
                let cols: Vec<String> =
                    t.table.columns.iter().map(|c| format!("`{}`", c.replace('`', ""))).collect();
                let (col, from) = if t.has_stop {
                    ("stoptime", t.watermark.saturating_sub(OVERLAP_MS))
                } else {
                    ("starttime", t.watermark.saturating_sub(OLD_LAYOUT_LOOKBACK_MS))
                };
                let flow_col = t.table.columns.iter().position(|c| c.eq_ignore_ascii_case("flowno"));
                (
                    format!(
                        "SELECT {} FROM `{}`.`{}` WHERE {col} >= {from} ORDER BY {col} LIMIT {POLL_ROWS}",
                        cols.join(", "),
                        db.replace('`', ""),
                        t.table.table.replace('`', "")
                    ),
                    flow_col,
                )
            };
            let stop_col = self.tables[k].table.columns.iter().position(|c| {
                c.eq_ignore_ascii_case(if self.tables[k].has_stop { "stoptime" } else { "starttime" })
            });
            let conn = self.connect()?;
            let rows: Vec<mysql::Row> = conn.query(read_only(&sql).map_err(io)?)?;
            let mut fresh = FieldRows::default();
            let mut newest_stop = i64::MIN;
            for row in rows {
                let stop = row_number(&row, stop_col).unwrap_or(0);
                let flowno = row_number(&row, flow_col).and_then(|f| u64::try_from(f).ok());
                newest_stop = newest_stop.max(stop);
                if let Some(f) = flowno {
                    if self.recent.contains_key(&f) {
                        continue;
                    }
                    self.recent.insert(f, stop);
                }
                push_row(&mut fresh, &row);
            }
            let t = &mut self.tables[k];
            t.watermark = t.watermark.max(watermark_of_stop(newest_stop));
            // Keep the flownos the next overlap of any followed table can repeat (the
            // look-back for the old layout): the set is shared, the watermarks are not.
            let keep_from = self
                .tables
                .iter()
                .map(|t| {
                    t.watermark.saturating_sub(if t.has_stop {
                        2 * OVERLAP_MS
                    } else {
                        2 * OLD_LAYOUT_LOOKBACK_MS
                    })
                })
                .min()
                .unwrap_or(i64::MIN);
            self.recent.retain(|_, s| *s >= keep_from);
            let t = &mut self.tables[k];
            if fresh.is_empty() {
                continue;
            }
            let n = fresh.len() as u64;
            let block = Block {
                source: t.source,
                seq: 0,
                first_line: t.rows + 1,
                data: Vec::new(),
                rows: fresh,
                skip_header: false,
                ends_source: false,
                tail_is_pending: false,
                too_long: None,
                lines: n,
            };
            t.rows += n;
            out.batches.push(parse_block(&block, &t.layout, &self.times));
        }
        Ok(())
    }
}

fn io(e: String) -> mysql::Error {
    mysql::Error::IoError(std::io::Error::other(e))
}

/// Errors no retry mends: wrong credentials, no such database, no right to read.
fn permanent(e: &mysql::Error) -> bool {
    matches!(e, mysql::Error::MySqlError(me) if matches!(me.code, 1044 | 1045 | 1049 | 1142))
}

impl Follow for DbFollow {
    fn source(&self) -> usize {
        self.tables.last().map_or(0, |t| t.source)
    }

    fn poll(&mut self, _times: &TimeReader) -> Polled {
        let mut out = Polled::default();
        if Instant::now() < self.next_poll {
            return out;
        }
        match self.poll_tables(&mut out) {
            Ok(()) => {
                if self.failing {
                    self.failing = false;
                    out.notes.push(format!(
                        "{}: reconnected, reading on from where it stopped",
                        self.url.display()
                    ));
                    out.state = Some(LiveState::Following);
                }
                self.backoff = Duration::from_secs(1);
                self.next_poll = Instant::now() + POLL_EVERY;
            }
            Err(e) if permanent(&e) => {
                out.state = Some(LiveState::Failed(describe(&e, &self.url)));
            }
            Err(e) => {
                // Lost: try again later from the same checkpoint; nothing is lost or doubled.
                self.conn = None;
                let why = describe(&e, &self.url);
                if !self.failing {
                    out.notes.push(format!("{why}; reconnecting"));
                }
                self.failing = true;
                out.state =
                    Some(LiveState::Retrying(format!("{why}; next try in {} s", self.backoff.as_secs())));
                self.next_poll = Instant::now() + self.backoff;
                self.backoff = (self.backoff * 2).min(Duration::from_secs(30));
            }
        }
        out
    }

    fn checkpoint(&self) -> Checkpoint {
        let t = self.tables.last();
        Checkpoint::Db {
            table: t.map(|t| t.table.table.clone()).unwrap_or_default(),
            stoptime_ms: t.map_or(0, |t| t.watermark),
            recent: self.recent.len(),
        }
    }

    fn wants_source(&mut self, index: usize) {
        self.offer_source(index);
    }
}
