//! The ingest thread: the one owner of the store. It loads every source, then (when asked)
//! follows them, appending what arrives and publishing an immutable snapshot for readers
//! (the console, `follow`) at most every [`crate::cdr::store::shared::PUBLISH_EVERY`]. Readers never wait
//! on it and it never waits on them; no file is read or written under any lock.
//!
//! It tells its readers what happened through events; a panic inside it fails the
//! sources it was reading (reported as an event), never the reader.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::cdr::ingest::load::{InputEnd, LoadOptions, load_with};
use crate::cdr::ingest::progress::Progress;
use crate::cdr::record::time::TimeReader;
use crate::cdr::sources::follow::{Follow, Polled};
use crate::cdr::store::shared::{SharedStore, publish, shared};

use crate::cdr::sources::spec::SourceSpec;
use crate::cdr::store::source_state::LiveState;

use crate::cdr::sources::error::Skipped;
use crate::cdr::store::table::Store;

/// What the ingest thread tells its readers.
#[derive(Debug, Clone)]
pub enum Event {
    /// The first reading of every source ended (followed sources go on).
    Loaded(Result<Vec<Skipped>, String>),
    /// A snapshot with more rows was published.
    Appended {
        rows: usize,
    },
    /// Something about a source worth a line in the status ("rotated", "reconnecting").
    Note {
        source: usize,
        text: String,
    },
    SourceFailed {
        source: usize,
        error: String,
    },
    /// The ingest thread itself failed (a bug); the rows published so far stay.
    Failed(String),
}

/// The retention window of a follow when `--keep` is not given.
pub const DEFAULT_KEEP: Duration = Duration::from_secs(24 * 3600);

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub load: LoadOptions,
    /// Go on reading sources after their first reading.
    pub follow: bool,
    /// How often followed sources are polled (a database table no more than every
    /// [`crate::cdr::sources::db_follow::POLL_EVERY`]). A new call waits up to one tick on top of its
    /// source's own delay, and a call must be on screen within a second of being written.
    pub tick: Duration,
    /// For `udp://` sources.
    pub feed: crate::cdr::sources::feed::FeedOptions,
    /// While following, calls that started longer ago than this are dropped (oldest first).
    pub keep: Option<Duration>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            load: LoadOptions::default(),
            follow: false,
            tick: Duration::from_millis(100),
            feed: crate::cdr::sources::feed::FeedOptions::default(),
            keep: None,
        }
    }
}

/// A running ingest thread.
pub struct Ingest {
    pub store: SharedStore,
    pub events: Receiver<Event>,
    cancel: Arc<AtomicBool>,
    progress: Arc<Progress>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ingest {
    /// Stops reading and waits for the thread (it notices within one tick).
    pub fn stop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.progress.cancel.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Ingest {
    fn drop(&mut self) {
        // Not joined: a source blocked in a read (stdin) must not hold up the exit.
        self.cancel.store(true, Ordering::Relaxed);
        self.progress.cancel.store(true, Ordering::Relaxed);
    }
}

/// Starts loading (and following) `specs` on a thread of its own.
pub fn spawn(specs: Vec<SourceSpec>, opts: IngestOptions, progress: Arc<Progress>) -> Ingest {
    let store = shared(Store::default());
    let (tx, events) = unbounded();
    let cancel = Arc::new(AtomicBool::new(false));
    let (s, c, p) = (store.clone(), cancel.clone(), progress.clone());
    let thread = std::thread::Builder::new()
        .name("ingest".into())
        .spawn(move || {
            let fail = tx.clone();
            let run = std::panic::AssertUnwindSafe(move || run(&specs, &opts, &p, &s, &c, &tx));
            if let Err(e) = std::panic::catch_unwind(run) {
                let _ = fail.send(Event::Failed(format!("the loader failed: {}", panic_message(&*e))));
            }
        })
        .ok();
    Ingest { store, events, cancel, progress, thread }
}

/// `CDRSCOPE_TEST_PANIC=loader|ingest` makes this thread panic, for the tests of what a
/// panic leaves behind (debug builds only).
fn test_panic(which: &str) -> bool {
    cfg!(debug_assertions) && std::env::var("CDRSCOPE_TEST_PANIC").as_deref() == Ok(which)
}

/// The text of a panic payload.
pub fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn run(
    specs: &[SourceSpec],
    opts: &IngestOptions,
    progress: &Arc<Progress>,
    shared: &SharedStore,
    cancel: &AtomicBool,
    tx: &Sender<Event>,
) {
    if test_panic("loader") {
        panic!("panic requested by CDRSCOPE_TEST_PANIC=loader");
    }
    // Feeds are bound first: what the switch sends while the rest loads waits for us.
    let mut feeds = Vec::new();
    for spec in specs {
        if let SourceSpec::Udp(url) = spec {
            let bound = crate::cdr::sources::feed::parse_url(url).and_then(|addr| {
                crate::cdr::sources::feed::Feed::bind(addr, &opts.feed, opts.load.zone.clone())
            });
            feeds.push((url.clone(), bound));
        }
    }
    let files: Vec<SourceSpec> = specs.iter().filter(|s| !matches!(s, SourceSpec::Udp(_))).cloned().collect();
    let mut store = Store::default();
    let read = if files.is_empty() {
        progress.done.store(true, Ordering::Relaxed);
        Ok(crate::cdr::ingest::load::InputsRead::default())
    } else {
        load_with(&files, &opts.load, progress.clone(), &mut store, &mut |st| publish(shared, st))
    };
    let read = match read {
        Ok(r) => r,
        Err(e) => {
            publish(shared, &store);
            let _ = tx.send(Event::Loaded(Err(format!("{e:#}"))));
            return;
        }
    };
    let mut followers =
        if opts.follow { followers(specs, &read.ends, &store, &opts.load) } else { Vec::new() };
    for (url, bound) in feeds {
        let src = store.sources.len();
        let mut info = crate::cdr::store::table::SourceInfo::new(url);
        info.form = Ok("VOS3000 real-time CDR feed (UDP)".into());
        store.sources.push(info);
        match bound {
            Ok(feed) => followers.push(Box::new(feed.follow(src))),
            Err(e) => followers
                .push(Box::new(crate::cdr::sources::feed::FailedFeed { source: src, error: Some(e) })),
        }
    }
    publish(shared, &store);
    let _ = tx.send(Event::Loaded(Ok(read.skipped.clone())));
    if followers.is_empty() || cancel.load(Ordering::Relaxed) {
        return;
    }
    for f in &followers {
        if let Some(info) = store.sources.get_mut(f.source()) {
            info.live = Some(LiveState::Following);
        }
    }
    publish(shared, &store);
    if test_panic("ingest") {
        panic!("panic requested by CDRSCOPE_TEST_PANIC=ingest");
    }
    let times = TimeReader::new(opts.load.zone.clone());
    store.keep_ms = opts.keep.map(|k| i64::try_from(k.as_millis()).unwrap_or(i64::MAX));
    let mut retention = opts.keep.map(Retention::new);
    // With more than one source the same call may come twice (the feed and the database).
    let mut dedup = (store.sources.len() > 1).then(|| crate::cdr::store::dedup::LiveDedup::new(&mut store));
    let mut last_trim = Instant::now();
    let mut last_publish = Instant::now();
    let mut unpublished = 0usize;
    while !cancel.load(Ordering::Relaxed) {
        let mut events = Vec::new();
        let mut changed = false;
        for f in &mut followers {
            f.wants_source(store.sources.len());
            let src = f.source();
            // A panic in one source fails that source; the others go on.
            let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f.poll(&times)))
                .unwrap_or_else(|e| Polled {
                    state: Some(LiveState::Failed(format!("the reader failed: {}", panic_message(&*e)))),
                    ..Polled::default()
                });
            changed |= polled.state.is_some()
                || polled.form.is_some()
                || polled.feed.is_some()
                || !polled.notes.is_empty()
                || !polled.new_sources.is_empty();
            let before = store.len();
            unpublished += apply(&mut store, src, polled, opts.load.hold_unit, progress, &mut events);
            if let Some(d) = dedup.as_mut()
                && store.len() > before
            {
                d.take_in(&mut store, before);
            }
        }
        followers.retain(|f| {
            !matches!(store.sources.get(f.source()).and_then(|s| s.live.as_ref()), Some(LiveState::Failed(_)))
        });
        // Notes go out before the rows they explain are published; a change of state is
        // published before it is announced, so whoever reads the event finds it in the
        // snapshot.
        if let Some(r) = retention.as_mut() {
            r.note(Instant::now(), store.dropped + store.len() as u64);
        }
        if last_trim.elapsed() >= TRIM_EVERY {
            last_trim = Instant::now();
            if let Some(r) = retention.as_mut()
                && r.trim(&mut store, Instant::now()) > 0
            {
                changed = true;
                unpublished += 1;
            }
            // Polls free parsed batches, and columns move to bigger buffers as they grow.
            crate::memory::give_back();
        }
        let (notes, mut events): (Vec<Event>, Vec<Event>) =
            events.into_iter().partition(|e| matches!(e, Event::Note { .. }));
        for e in notes {
            let _ = tx.send(e);
        }
        if changed || (unpublished > 0 && last_publish.elapsed() >= crate::cdr::store::shared::PUBLISH_EVERY)
        {
            publish(shared, &store);
            if unpublished > 0 {
                events.push(Event::Appended { rows: store.len() });
            }
            unpublished = 0;
            last_publish = Instant::now();
        }
        for e in events {
            let _ = tx.send(e);
        }
        std::thread::sleep(opts.tick);
    }
}

/// How often the retention window is applied.
const TRIM_EVERY: Duration = Duration::from_secs(10);

/// The retention window of a follow: rows received longer ago than `keep` are dropped from
/// the front of the store, in chunks (each drop copies what is kept once, so it waits until
/// 65,536 rows or an eighth of the store are due). By arrival, not by call time: a replayed
/// old file or a switch with a wrong clock must not lose calls the moment they arrive.
pub struct Retention {
    keep: Duration,
    /// (when, rows received by then counted from the first), one per 10 s at most.
    arrivals: std::collections::VecDeque<(Instant, u64)>,
    /// Rows received before this are due to go.
    due: u64,
}

impl Retention {
    pub fn new(keep: Duration) -> Retention {
        Retention { keep, arrivals: Default::default(), due: 0 }
    }

    /// Records how many rows have been received by `at`.
    pub fn note(&mut self, at: Instant, received: u64) {
        match self.arrivals.back_mut() {
            Some((t, n)) if at.duration_since(*t) < Duration::from_secs(10) => *n = received,
            _ => self.arrivals.push_back((at, received)),
        }
    }

    /// Drops what is due by `now`; returns how many rows went.
    pub fn trim(&mut self, store: &mut Store, now: Instant) -> usize {
        while let Some(&(t, n)) = self.arrivals.front() {
            if now.duration_since(t) < self.keep {
                break;
            }
            self.due = self.due.max(n);
            self.arrivals.pop_front();
        }
        let k =
            usize::try_from(self.due.saturating_sub(store.dropped)).unwrap_or(usize::MAX).min(store.len());
        if k == 0 || (k < 65_536 && k.saturating_mul(8) < store.len()) {
            return 0;
        }
        store.drop_front(k);
        k
    }
}

/// Appends one poll's rows to the store; returns how many.
fn apply(
    store: &mut Store,
    src: usize,
    polled: Polled,
    choice: crate::cdr::ingest::load::HoldUnitChoice,
    progress: &Progress,
    events: &mut Vec<Event>,
) -> usize {
    let mut rows = 0;
    for (index, name, db) in polled.new_sources {
        if index == store.sources.len() {
            let mut info = crate::cdr::store::table::SourceInfo::new(name);
            info.live = Some(LiveState::Following);
            info.db = db;
            store.sources.push(info);
        }
    }
    if let Some(form) = polled.form
        && let Some(info) = store.sources.get_mut(src)
    {
        info.form = Ok(form);
    }
    for b in polled.batches {
        rows += b.cols.len();
        progress.rows.fetch_add(b.cols.len() as u64, Ordering::Relaxed);
        progress.rejected.fetch_add(b.tally.rejected, Ordering::Relaxed);
        store.append(b);
    }
    // A source that never ends (the feed) has its holdTime unit decided as its calls come,
    // from the votes so far; rows keep their raw values, so a changed decision rewrites
    // nothing. (Files that grow keep the unit decided when their first reading ended.)
    if rows > 0
        && let Some(info) = store.sources.get(src)
        && !info.ended
    {
        let (unit, why) = crate::cdr::ingest::load::decide_hold_unit(
            choice,
            info.tally.hold_votes_ms,
            info.tally.hold_votes_s,
            false,
        );
        if info.hold_unit != Some(unit) {
            store.set_hold_unit(src, unit, why);
        }
    }
    for text in polled.notes {
        if let Some(info) = store.sources.get_mut(src) {
            info.follow_notes.push(text.clone());
            // The newest few are kept: a file rotated hourly for weeks is not a list.
            if info.follow_notes.len() > 20 {
                info.follow_notes.remove(0);
            }
        }
        events.push(Event::Note { source: src, text });
    }
    if let Some(counts) = polled.feed
        && let Some(info) = store.sources.get_mut(src)
    {
        info.feed = Some(counts);
    }
    if let Some(state) = polled.state {
        if let LiveState::Failed(error) = &state {
            events.push(Event::SourceFailed { source: src, error: error.clone() });
        }
        if let Some(info) = store.sources.get_mut(src) {
            info.live = Some(state);
        }
    }
    rows
}

/// A follower for each input that can grow: plain text files (the newest one VOS3000 is
/// writing, and any other plain file of the load), and per database the newest daily table
/// when the window reaches now. Compressed files, archives, spreadsheets and the demo do
/// not grow.
fn followers(
    specs: &[SourceSpec],
    ends: &[InputEnd],
    store: &Store,
    opts: &LoadOptions,
) -> Vec<Box<dyn Follow>> {
    let mut out: Vec<Box<dyn Follow>> = Vec::new();
    for (n, end) in ends.iter().enumerate() {
        if let (Some(path), Some(offset)) = (end.input.source.growing_file(), end.offset) {
            out.push(Box::new(crate::cdr::sources::follow::FileFollow::new(
                n,
                path,
                offset,
                end.next_line,
                end.layout.clone(),
            )));
        }
    }
    // A directory: the files that appear in it later (the next hourly file).
    for spec in specs {
        if let SourceSpec::Path(dir) = spec
            && dir.is_dir()
        {
            let known = ends.iter().filter_map(|e| e.input.source.file().map(std::path::Path::to_path_buf));
            out.push(Box::new(crate::cdr::sources::follow::DirFollow::new(dir, known)));
        }
    }
    let now = crate::cdr::record::time::now_ms();
    if opts.db.until.is_some_and(|u| u < now) {
        return out;
    }
    // Per database: today's table and those made ahead for later days; when there is none,
    // the newest one (the plain `e_cdr` when it has no daily tables).
    let today = crate::cdr::sources::db_follow::todays_table(&TimeReader::new(opts.zone.clone()), now);
    let mut by_db: std::collections::BTreeMap<String, Vec<(usize, &crate::cdr::sources::mysql::DbTable)>> =
        Default::default();
    for (n, end) in ends.iter().enumerate() {
        if let Some(t) = end.input.source.table() {
            by_db.entry(t.url.display()).or_default().push((n, t));
        }
    }
    for (_, tables) in by_db {
        let mut chosen: Vec<(usize, &crate::cdr::sources::mysql::DbTable)> = tables
            .iter()
            .filter(|(_, t)| t.table.starts_with("e_cdr_") && t.table >= today)
            .copied()
            .collect();
        if chosen.is_empty() {
            let newest = tables.iter().max_by_key(|(_, t)| (t.table.starts_with("e_cdr_"), t.table.clone()));
            chosen.extend(newest.copied());
        }
        let starts = chosen
            .into_iter()
            .map(|(n, table)| {
                let (watermark, recent) = watermark_of(store, n);
                crate::cdr::sources::db_follow::DbStart { table: table.clone(), source: n, watermark, recent }
            })
            .collect();
        if let Some(f) = crate::cdr::sources::db_follow::DbFollow::new(
            starts,
            crate::cdr::record::time::TimeReader::new(opts.zone.clone()),
        ) {
            out.push(Box::new(f));
        }
    }
    out
}

/// The newest `stoptime` of a source's rows and the `flowno`s of rows within the overlap
/// before it: where following the table starts.
fn watermark_of(store: &Store, src: usize) -> (i64, Vec<(u64, i64)>) {
    let ranges = store.source_rows(src);
    let stop = |i: usize| store.cols.stop_ms(i).unwrap_or(store.cols.start_ms[i]);
    let newest = ranges
        .iter()
        .flat_map(|r| r.clone())
        .map(stop)
        .max()
        .map_or(0, crate::cdr::sources::db_follow::watermark_of_stop);
    let from = newest.saturating_sub(2 * crate::cdr::sources::db_follow::OVERLAP_MS);
    let recent = ranges
        .iter()
        .flat_map(|r| r.clone())
        .filter(|&i| stop(i) >= from)
        .filter_map(|i| store.cols.flowno_of(i).map(|f| (f, stop(i))))
        .collect();
    (newest, recent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32, start: &str) -> String {
        format!(
            "86138{n:06}|8613800138000|{start}|{start}|0|503|1|IN|OUT|10.0.0.1|10.0.0.2|86138{n:06}|008613800138000|86138{n:06}|8613800138000|0|1|2300|1800\n"
        )
    }

    fn store_of(text: String) -> Store {
        let specs = [SourceSpec::Memory { name: "m".into(), data: Arc::new(text.into_bytes()) }];
        crate::cdr::ingest::load::load(&specs, &LoadOptions::default(), Arc::new(Progress::default()))
            .map(|l| l.store)
            .unwrap_or_default()
    }

    #[test]
    fn the_retention_window_drops_what_arrived_before_it_and_keeps_rows_whole() {
        let mut text = String::new();
        for n in 0..110 {
            text.push_str(&line(n, "2026-11-20 10:00:00"));
        }
        let mut st = store_of(text);
        assert_eq!(st.len(), 110);
        let kept: Vec<_> = (100..110).map(|i| st.record(i)).collect();
        let t0 = Instant::now();
        let mut r = Retention::new(Duration::from_secs(3600));
        // 100 rows had arrived at t0, 110 a minute later.
        r.note(t0, 100);
        r.note(t0 + Duration::from_secs(60), 110);
        // Within the window: nothing goes.
        assert_eq!(r.trim(&mut st, t0 + Duration::from_secs(1800)), 0);
        // An hour after the first 100 arrived: they go, the rest stay whole, lines and all.
        assert_eq!(r.trim(&mut st, t0 + Duration::from_secs(3630)), 100);
        assert_eq!(st.len(), 10);
        assert_eq!(st.dropped, 100);
        assert_eq!(st.sources[0].rows, 10);
        for (i, want) in kept.iter().enumerate() {
            assert_eq!(&st.record(i), want, "row {i}");
        }
        assert_eq!(st.record(0).line, 101);
        // A few rows due among many kept wait for a bigger chunk.
        let mut small = store_of((0..100).map(|n| line(n, "2026-11-20 10:00:00")).collect());
        let mut r = Retention::new(Duration::from_secs(60));
        r.note(t0, 5);
        r.note(t0 + Duration::from_secs(30), 100);
        assert_eq!(r.trim(&mut small, t0 + Duration::from_secs(61)), 0, "5 of 100 is under an eighth");
        assert_eq!(r.trim(&mut small, t0 + Duration::from_secs(95)), 100);
    }

    #[test]
    fn strings_of_dropped_rows_leave_the_pools_and_kept_rows_read_the_same() {
        // Callers with a letter are pooled strings, one per call.
        let text: String =
            (0..3000).map(|n| line(n, "2026-11-20 10:00:00").replacen("86138", "A", 1)).collect();
        let mut st = store_of(text);
        let before = st.pools.numbers.len();
        assert!(before > 3000, "{before} pooled numbers");
        let kept: Vec<_> = (2500..3000).map(|i| st.record(i)).collect();
        let snapshot = st.clone();
        st.drop_front(2500);
        assert!(st.pools.numbers.len() < 1100, "{} of {before} strings left", st.pools.numbers.len());
        for (i, want) in kept.iter().enumerate() {
            assert_eq!(&st.record(i), want, "row {i}");
        }
        assert_eq!(snapshot.record(2999), kept[499], "a snapshot taken before reads as it did");
        // A few strings unused are left alone (a rebuild costs a pass over every row).
        let n = st.pools.numbers.len();
        st.drop_front(10);
        assert_eq!(st.pools.numbers.len(), n);
    }
}
