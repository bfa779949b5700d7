//! Work that must not block the screen: filtering, sorting and summarising the store, live
//! counts while a filter is typed, per-item timelines, and exports. One worker thread takes
//! requests from a channel and always serves the newest of each kind (older ones are dropped,
//! as the operator has already typed past them).

use std::sync::Arc;
use std::time::{Duration, Instant};

pub mod answer;
pub mod orders;
pub mod sort;

use crate::cdr::{Store, TimeWriter, Zone};
use crate::query::{Context, Selection, evaluate, parse};
use crate::report::Summary;
use crate::report::summary::finish;
use crate::stats::timeline::Buckets;

/// Columns the calls table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    Time,
    Duration,
    Pdd,
    Reason,
    CallerGateway,
    CalleeGateway,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Time,
        SortKey::Duration,
        SortKey::Pdd,
        SortKey::Reason,
        SortKey::CallerGateway,
        SortKey::CalleeGateway,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Time => "time",
            SortKey::Duration => "duration",
            SortKey::Pdd => "PDD",
            SortKey::Reason => "end reason",
            SortKey::CallerGateway => "caller gateway",
            SortKey::CalleeGateway => "callee gateway",
        }
    }

    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// What the timeline chart compares against the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Focus {
    CalleeGateway(String),
    CallerGateway(String),
    Code(String),
}

#[derive(Debug)]
pub enum Request {
    Query {
        generation: u64,
        text: String,
        sort: Sort,
        /// Also the "Gateways now" board (while following).
        board: bool,
    },
    Count {
        generation: u64,
        text: String,
    },
    /// Rows always come with the snapshot they index (rows shift when old ones are dropped).
    Timeline {
        generation: u64,
        store: Arc<Store>,
        rows: Arc<Selection>,
        focus: Focus,
    },
    Export {
        path: std::path::PathBuf,
        store: Arc<Store>,
        rows: Arc<Selection>,
    },
    /// The findings over a query's rows, after the query's own answer; `filter` is the
    /// query's text (a refresh while following keeps the filter, not the generation).
    Findings {
        filter: String,
        store: Arc<Store>,
        rows: Arc<Selection>,
    },
    /// The whole record of a call read from a database (the store keeps only some columns).
    Record {
        url: crate::cdr::address::db_url::DbUrl,
        table: String,
        flowno: u64,
    },
}

#[derive(Debug)]
pub struct QueryResult {
    /// The snapshot the rows index.
    pub store: Arc<Store>,
    pub rows: Arc<Selection>,
    pub summary: Arc<Summary>,
    /// "Gateways now", when asked for.
    pub board: Option<Arc<Vec<crate::stats::board::BoardRow>>>,
    pub elapsed: Duration,
}

/// One timeline bucket of the selected gateway or code, with the rest of the calls beside it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimelinePoint {
    pub start_ms: i64,
    /// Calls of the selected item.
    pub calls: u64,
    /// Those not answered.
    pub failed: u64,
    /// Sum and count of their measured PDDs.
    pub pdd_ms: u64,
    pub pdd_n: u64,
    /// Every other call.
    pub rest: u64,
}

impl TimelinePoint {
    /// The answered share of the bucket's calls, when it has any.
    pub fn asr(&self) -> Option<f64> {
        (self.calls > 0).then(|| (self.calls - self.failed) as f64 / self.calls as f64)
    }

    pub fn pdd_avg_s(&self) -> Option<f64> {
        (self.pdd_n > 0).then(|| self.pdd_ms as f64 / self.pdd_n as f64 / 1000.0)
    }
}

/// The timeline buckets, oldest first.
pub type TimelineData = Vec<TimelinePoint>;

#[derive(Debug)]
pub enum Response {
    /// Every column of one call, fetched from its table, or why it could not be.
    Record {
        flowno: u64,
        fields: Result<crate::cdr::sources::mysql::FullRecord, String>,
    },
    Query {
        generation: u64,
        result: Result<QueryResult, String>,
    },
    Count {
        generation: u64,
        result: Result<usize, String>,
    },
    Timeline {
        generation: u64,
        focus: Focus,
        data: TimelineData,
    },
    Exported(Result<String, String>),
    Findings {
        filter: String,
        findings: Vec<crate::findings::Finding>,
    },
    /// The worker panicked: the console cannot go on without it.
    Failed(String),
}

/// What requests are answered from.
#[derive(Clone)]
pub struct Ctx {
    pub store: crate::cdr::SharedStore,
    pub zone: Zone,
    pub now_ms: i64,
    /// For fetching a whole record from the database the calls came from.
    pub db_password: Option<String>,
}

/// What the worker keeps between requests: the last answer (continued while following) and
/// the sorted orders and statistics of the snapshot (see [`crate::tui::worker::orders`]).
#[derive(Default)]
pub struct State {
    kept: Option<crate::tui::worker::answer::Kept>,
    orders: crate::tui::worker::orders::Orders,
}

/// Answers one request from scratch.
pub fn process(req: Request, ctx: &Ctx) -> Response {
    process_kept(req, ctx, &mut State::default())
}

/// Answers one request with what was kept from the ones before, and keeps what it made.
pub fn process_kept(req: Request, ctx: &Ctx, state: &mut State) -> Response {
    let kept = &mut state.kept;
    // The newest snapshot, held for the whole request: consistent, and the ingest thread
    // never waits for it.
    let snapshot = crate::cdr::store::shared::read(&ctx.store);
    let store: &Store = &snapshot;
    let qctx = Context { store, zone: ctx.zone.clone(), now_ms: ctx.now_ms };
    match req {
        Request::Query { generation, text, sort, board } => {
            let t = Instant::now();
            let result = parse(&text).map_err(|e| e.to_string()).map(|q| {
                let k = crate::tui::worker::answer::answer(
                    &q,
                    &text,
                    sort,
                    &qctx,
                    &snapshot,
                    kept.take(),
                    &mut state.orders,
                );
                let rows = k.rows.clone();
                // The summary is order-independent; its timeline sorts by time itself.
                // Findings follow in their own answer (Request::Findings).
                let summary = finish(store, &k.tally, &rows, &TimeWriter::new(ctx.zone.clone()), false);
                *kept = Some(k);
                // While following, "now" is the clock; else the newest call.
                let board = board.then(|| {
                    let live = store.sources.iter().any(|s| s.live.is_some());
                    let now = if live {
                        crate::cdr::record::time::now_ms()
                    } else {
                        store.time_span().map_or(ctx.now_ms, |(_, newest)| newest)
                    };
                    let tally = kept.as_ref().map(|k| &k.tally);
                    Arc::new(tally.map(|t| crate::stats::board::board_of(store, t, now)).unwrap_or_default())
                });
                QueryResult {
                    store: snapshot.clone(),
                    rows,
                    summary: Arc::new(summary),
                    board,
                    elapsed: t.elapsed(),
                }
            });
            if let Ok(r) = &result {
                bench_log("refresh", r.elapsed);
            }
            Response::Query { generation, result }
        }
        Request::Findings { filter, store, rows } => Response::Findings {
            filter,
            findings: crate::findings::run(&store, &rows, &TimeWriter::new(ctx.zone.clone())),
        },
        Request::Count { generation, text } => Response::Count {
            generation,
            result: parse(&text).map_err(|e| e.to_string()).map(|q| evaluate(&q, &qctx).len()),
        },
        Request::Timeline { generation, store, rows, focus } => {
            Response::Timeline { generation, data: timeline(&store, &ctx.zone, &rows, &focus), focus }
        }
        Request::Record { url, table, flowno } => Response::Record {
            flowno,
            fields: crate::cdr::sources::mysql::fetch_record(
                &url,
                ctx.db_password.as_deref(),
                &table,
                flowno,
            ),
        },
        Request::Export { path, store, rows } => {
            let r = std::fs::File::create(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))
                .and_then(|f| {
                    let mut w = std::io::BufWriter::new(f);
                    let format = crate::cdr::export::Format::from_path(&path);
                    crate::cdr::export::write(&store, &ctx.zone, &rows, format, &mut w, false)
                        .map_err(|e| e.to_string())
                        .and_then(|()| std::io::Write::flush(&mut w).map_err(|e| e.to_string()))
                });
            Response::Exported(r.map(|()| format!("wrote {} calls to {}", rows.len(), path.display())))
        }
    }
}

/// For the benchmarks (`scripts/bench-live.sh`): with `CDRSCOPE_BENCH_LOG=FILE`, each answered
/// query's time is appended to FILE ("refresh 3.2" in ms). Nothing is written otherwise.
fn bench_log(what: &str, took: Duration) {
    static LOG: std::sync::OnceLock<Option<std::sync::Mutex<std::fs::File>>> = std::sync::OnceLock::new();
    let log = LOG.get_or_init(|| {
        let path = std::env::var_os("CDRSCOPE_BENCH_LOG")?;
        std::fs::OpenOptions::new().create(true).append(true).open(path).ok().map(std::sync::Mutex::new)
    });
    if let Some(f) = log
        && let Ok(mut f) = f.lock()
    {
        let _ =
            std::io::Write::write_fmt(&mut *f, format_args!("{what} {:.1}\n", took.as_secs_f64() * 1000.0));
    }
}

/// The selected item against the rest, on the same bucket grid as the summary's timeline.
fn timeline(st: &Store, zone: &Zone, rows: &[u32], focus: &Focus) -> TimelineData {
    let c = &st.cols;
    let Some(grid) = Buckets::over(st, rows, &TimeWriter::new(zone.clone())) else {
        return Vec::new();
    };
    let mut out: TimelineData =
        (0..grid.count).map(|k| TimelinePoint { start_ms: grid.start(k), ..Default::default() }).collect();
    let matches = |i: usize| match focus {
        Focus::CalleeGateway(g) => st.callee_gateway(i) == g,
        Focus::CallerGateway(g) => st.caller_gateway(i) == g,
        Focus::Code(code) => st.reason(i).to_string() == *code,
    };
    for &r in rows {
        let i = r as usize;
        if let Some(b) = grid.index(c.start_ms[i]).and_then(|k| out.get_mut(k)) {
            if matches(i) {
                b.calls += 1;
                if st.hold_ms(i) == 0 {
                    b.failed += 1;
                }
                if let Some(p) = st.pdd_ms(i) {
                    b.pdd_ms = b.pdd_ms.saturating_add(u64::from(p));
                    b.pdd_n += 1;
                }
            } else {
                b.rest += 1;
            }
        }
    }
    out
}

/// Runs requests on a thread, newest of each kind first, until the request channel closes.
pub fn spawn(
    ctx: Ctx,
    rx: std::sync::mpsc::Receiver<Request>,
    tx: tokio::sync::mpsc::UnboundedSender<Response>,
) {
    std::thread::spawn(move || {
        let tx_panic = tx.clone();
        let run = std::panic::AssertUnwindSafe(move || serve(&ctx, &rx, &tx));
        if let Err(e) = std::panic::catch_unwind(run) {
            let _ = tx_panic.send(Response::Failed(crate::tui::guard::panic_message(&*e)));
        }
    });
}

/// How often freed memory is handed back while refreshes come (see [`crate::memory`]).
const GIVE_BACK_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

fn serve(
    ctx: &Ctx,
    rx: &std::sync::mpsc::Receiver<Request>,
    tx: &tokio::sync::mpsc::UnboundedSender<Response>,
) {
    let mut state = State::default();
    let mut gave_back = std::time::Instant::now();
    while let Ok(first) = rx.recv() {
        if crate::tui::guard::test_panic() == Some(crate::tui::guard::TestPanic::Worker) {
            panic!("panic requested by CDRSCOPE_TEST_PANIC=worker");
        }
        // Keep only the newest request of each kind; exports are never dropped.
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut latest: Vec<Request> = Vec::new();
        for r in batch.into_iter().rev() {
            let same = |a: &Request| std::mem::discriminant(a) == std::mem::discriminant(&r);
            if matches!(r, Request::Export { .. }) || !latest.iter().any(same) {
                latest.push(r);
            }
        }
        latest.reverse();
        for r in latest {
            // A record from the database (a slow or reconnecting server) and findings over
            // millions of calls take a while: each on a thread of its own, so a refresh while
            // following never waits for them (the console asks for one set of findings at a
            // time). A panic there is the worker's, as if it happened here.
            if matches!(r, Request::Record { .. } | Request::Findings { .. }) {
                let (tx, ctx) = (tx.clone(), ctx.clone());
                std::thread::spawn(move || {
                    let run = std::panic::AssertUnwindSafe(|| process(r, &ctx));
                    let resp = std::panic::catch_unwind(run)
                        .unwrap_or_else(|e| Response::Failed(crate::tui::guard::panic_message(&*e)));
                    let _ = tx.send(resp);
                    crate::memory::give_back();
                });
                continue;
            }
            if tx.send(process_kept(r, ctx, &mut state)).is_err() {
                return;
            }
        }
        // Each refresh while following frees the last list of rows (megabytes).
        if gave_back.elapsed() >= GIVE_BACK_EVERY {
            crate::memory::give_back();
            gave_back = std::time::Instant::now();
        }
    }
}
