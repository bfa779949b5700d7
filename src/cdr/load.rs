//! The loading pipeline: one reader thread cuts each input into blocks at record boundaries
//! (decompressing gzip on the way), worker threads parse blocks into batches, and the calling
//! thread merges batches into the store in input order. Queues are bounded, so memory in
//! flight stays at a few blocks per worker whatever the input size.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crossbeam_channel::bounded;

use super::batch::{Batch, Block, parse_block};
use super::error::LoadError;
use super::form::{Delimiter, Layout, detect};
use super::source::{Input, InputKind, Skipped, SourceSpec, Window, discover};
use super::store::{HoldUnit, SourceInfo, Store};
use super::time::{TimeReader, Zone};

/// Bytes per block handed to a worker.
pub const BLOCK_BYTES: usize = 1 << 20;
/// A single record longer than this is cut (and then rejected) rather than buffered on.
const MAX_RECORD_BYTES: usize = 16 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HoldUnitChoice {
    #[default]
    Auto,
    Ms,
    S,
}

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub zone: Zone,
    pub hold_unit: HoldUnitChoice,
    /// Skips hourly/daily files wholly outside the window (rows are not filtered here).
    pub window: Window,
    /// Parser threads; 0 = one per core.
    pub threads: usize,
    /// Password and window for database sources.
    pub db: super::source::DbAccess,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            zone: Zone::Local,
            hold_unit: HoldUnitChoice::Auto,
            window: Window::default(),
            threads: 0,
            db: super::source::DbAccess::default(),
        }
    }
}

/// Live counters for progress displays; readable from any thread while loading.
#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    /// Bytes read from disk (compressed bytes for gzip).
    pub bytes_read: AtomicU64,
    /// Total size of the inputs whose size is known.
    pub bytes_total: AtomicU64,
    pub rows: AtomicU64,
    pub rejected: AtomicU64,
    pub cancel: AtomicBool,
    pub done: AtomicBool,
}

/// The result of a load.
#[derive(Debug)]
pub struct Loaded {
    pub store: Store,
    /// Directory entries passed over, with why.
    pub skipped: Vec<Skipped>,
}

struct Job {
    block: Block,
    layout: Arc<Layout>,
}

/// Counts bytes as they are read, for progress on compressed inputs.
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A store that is filled while others read it (the console shows rows as they arrive).
pub type SharedStore = Arc<RwLock<Store>>;

/// Locks for reading; a panic elsewhere does not make the rows unreadable.
pub fn read(shared: &SharedStore) -> RwLockReadGuard<'_, Store> {
    shared.read().unwrap_or_else(PoisonError::into_inner)
}

fn write(shared: &SharedStore) -> RwLockWriteGuard<'_, Store> {
    shared.write().unwrap_or_else(PoisonError::into_inner)
}

/// Loads every source into a store.
pub fn load(specs: &[SourceSpec], opts: &LoadOptions, progress: Arc<Progress>) -> Result<Loaded, LoadError> {
    let shared: SharedStore = Arc::new(RwLock::new(Store::default()));
    let skipped = load_into(specs, opts, progress, &shared)?;
    let store = std::mem::take(&mut *write(&shared));
    Ok(Loaded { store, skipped })
}

/// Loads every source into a shared store, merging batch by batch under a short write lock,
/// so readers see rows as they arrive. Returns the directory entries passed over.
pub fn load_into(
    specs: &[SourceSpec],
    opts: &LoadOptions,
    progress: Arc<Progress>,
    shared: &SharedStore,
) -> Result<Vec<Skipped>, LoadError> {
    if specs.is_empty() {
        return Err(LoadError::NoSources);
    }
    let times = TimeReader::new(opts.zone.clone());
    let (inputs, skipped) = discover(specs, opts.window, &opts.db, &times)?;
    progress.files_total.store(inputs.len() as u64, Ordering::Relaxed);
    progress.bytes_total.store(inputs.iter().filter_map(|i| i.size).sum(), Ordering::Relaxed);
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    // The newest text file is the one VOS3000 may still be writing.
    let newest = inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.modified.is_some())
        .max_by_key(|(_, i)| i.modified)
        .map(|(n, _)| n);

    let notes: Mutex<Vec<ReaderNote>> = Mutex::new(vec![ReaderNote::default(); inputs.len()]);
    {
        let mut store = write(shared);
        store.sources = inputs.iter().map(|i| SourceInfo::new(i.name.clone())).collect();
        store.wall_clock = inputs.iter().any(|i| matches!(i.kind, InputKind::Db(_)));
    }
    let (job_tx, job_rx) = bounded::<Job>(threads * 2);
    let (batch_tx, batch_rx) = bounded::<Batch>(threads * 2);

    let mut worker_error = None;
    std::thread::scope(|scope| {
        let notes = &notes;
        let progress_r = progress.clone();
        let inputs = &inputs;
        scope.spawn(move || {
            let mut seq = 0u64;
            for (n, input) in inputs.iter().enumerate() {
                if progress_r.cancel.load(Ordering::Relaxed) {
                    break;
                }
                read_input(n, input, Some(n) == newest, &job_tx, &mut seq, notes, &progress_r);
                progress_r.files_done.fetch_add(1, Ordering::Relaxed);
            }
        });
        for _ in 0..threads {
            let rx = job_rx.clone();
            let tx = batch_tx.clone();
            let zone = opts.zone.clone();
            scope.spawn(move || {
                let times = TimeReader::new(zone);
                for job in rx.iter() {
                    if tx.send(parse_block(&job.block, &job.layout, &times)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(job_rx);
        drop(batch_tx);

        // Merge in sequence order.
        let mut waiting: BTreeMap<u64, Batch> = BTreeMap::new();
        let mut next = 0u64;
        for batch in batch_rx.iter() {
            waiting.insert(batch.seq, batch);
            while let Some(b) = waiting.remove(&next) {
                next += 1;
                merge(&mut write(shared), b, notes, opts.hold_unit, &progress);
            }
        }
        if !waiting.is_empty() {
            worker_error =
                Some(LoadError::Worker(format!("{} parsed blocks were never merged", waiting.len())));
        }
    });
    if let Some(e) = worker_error {
        return Err(e);
    }
    // Every source gets the reader's findings, also those that produced no rows.
    let notes = notes.into_inner().map_err(|e| LoadError::Worker(e.to_string()))?;
    let mut store = write(shared);
    for (info, note) in store.sources.iter_mut().zip(&notes) {
        note.apply(info);
    }
    progress.done.store(true, Ordering::Relaxed);
    Ok(skipped)
}

/// What the reader thread learns about a source.
#[derive(Debug, Clone)]
struct ReaderNote {
    form: Result<String, String>,
    gzip: bool,
    read_error: Option<String>,
    layout: Option<Arc<Layout>>,
}

impl Default for ReaderNote {
    fn default() -> Self {
        ReaderNote { form: Err("not read".into()), gzip: false, read_error: None, layout: None }
    }
}

impl ReaderNote {
    fn apply(&self, info: &mut SourceInfo) {
        info.form = self.form.clone();
        info.gzip = self.gzip;
        info.read_error = self.read_error.clone();
    }
}

fn merge(
    store: &mut Store,
    batch: Batch,
    notes: &Mutex<Vec<ReaderNote>>,
    choice: HoldUnitChoice,
    progress: &Progress,
) {
    let src = batch.source as usize;
    let ends = batch.ends_source;
    // Before the columns would double, size them from the rows per byte seen so far.
    let (len, cap) = (store.cols.len(), store.cols.start_ms.capacity());
    if len + batch.cols.len() > cap {
        let read: u64 = store.sources.iter().map(|s| s.tally.bytes).sum::<u64>() + batch.tally.bytes;
        let total = progress.bytes_total.load(Ordering::Relaxed);
        let rows_so_far = (len + batch.cols.len()) as f64;
        let remaining = total.saturating_sub(read) as f64 * rows_so_far / read.max(1) as f64;
        let want = (remaining * 1.02) as usize + batch.cols.len() + 1024;
        store.reserve(want.max(batch.cols.len()));
    }
    progress.rows.fetch_add(batch.cols.len() as u64, Ordering::Relaxed);
    progress.rejected.fetch_add(batch.tally.rejected, Ordering::Relaxed);
    store.append(batch);
    if ends {
        let note = notes.lock().ok().and_then(|n| n.get(src).cloned()).unwrap_or_default();
        let Some(info) = store.sources.get_mut(src) else { return };
        note.apply(info);
        let text_file = note.layout.is_some_and(|l| l.delimiter == Delimiter::Pipe);
        let (unit, why) =
            decide_hold_unit(choice, info.tally.hold_votes_ms, info.tally.hold_votes_s, text_file);
        info.hold_unit = Some(unit);
        info.hold_unit_why = why;
        store.apply_hold_unit(src, unit);
    }
}

/// Picks the holdTime unit of one source: forced, or from how holdTime compares with the
/// stop - start span of answered calls, or else the documented default of the form.
pub fn decide_hold_unit(
    choice: HoldUnitChoice,
    ms_votes: u64,
    s_votes: u64,
    text_file: bool,
) -> (HoldUnit, String) {
    match choice {
        HoldUnitChoice::Ms => (HoldUnit::Ms, "set by --hold-unit".into()),
        HoldUnitChoice::S => (HoldUnit::S, "set by --hold-unit".into()),
        HoldUnitChoice::Auto if ms_votes + s_votes == 0 => {
            if text_file {
                (HoldUnit::Ms, "default for text files (no answered call with a span to compare)".into())
            } else {
                (HoldUnit::S, "default for database dumps (no answered call with a span to compare)".into())
            }
        }
        HoldUnitChoice::Auto => {
            let total = ms_votes + s_votes;
            let (unit, n) =
                if ms_votes > s_votes { (HoldUnit::Ms, ms_votes) } else { (HoldUnit::S, s_votes) };
            (unit, format!("detected: {n} of {total} answered calls fit {unit} against stop - start"))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn read_input(
    n: usize,
    input: &Input,
    newest: bool,
    tx: &crossbeam_channel::Sender<Job>,
    seq: &mut u64,
    notes: &Mutex<Vec<ReaderNote>>,
    progress: &Arc<Progress>,
) {
    let set = |f: &dyn Fn(&mut ReaderNote)| {
        if let Ok(mut all) = notes.lock() {
            if let Some(note) = all.get_mut(n) {
                f(note);
            }
        }
    };
    if let InputKind::Db(table) = &input.kind {
        read_table(n, table, tx, seq, notes, progress);
        return;
    }
    let raw: Box<dyn Read + Send> = match &input.kind {
        InputKind::File(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                set(&|i| i.form = Err(format!("cannot open: {e}")));
                return;
            }
        },
        InputKind::Stdin => Box::new(std::io::stdin()),
        InputKind::Memory(data) => Box::new(std::io::Cursor::new(data.clone().to_vec())),
        InputKind::Db(_) => return,
    };
    let mut buffered =
        BufReader::with_capacity(256 << 10, Counting { inner: raw, progress: progress.clone() });
    let gzip = matches!(buffered.fill_buf(), Ok(head) if head.starts_with(&[0x1f, 0x8b]));
    let mut reader: Box<dyn Read + Send> =
        if gzip { Box::new(flate2::bufread::MultiGzDecoder::new(buffered)) } else { Box::new(buffered) };
    set(&|i| i.gzip = gzip);

    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + (64 << 10));
    let mut eof = fill(&mut reader, &mut buf, BLOCK_BYTES).unwrap_or_else(|e| {
        set(&|i| i.read_error = Some(e.to_string()));
        true
    });
    let layout = match detect(&buf[..buf.len().min(64 << 10)]) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            set(&|i| i.form = Err(e.0.clone()));
            return;
        }
    };
    let desc = format!("{layout}{}", if gzip { " (gzip)" } else { "" });
    set(&|i| {
        i.form = Ok(desc.clone());
        i.layout = Some(layout.clone());
    });
    let quoted = layout.delimiter != Delimiter::Pipe;
    let mut first_line = 1u64;
    let mut first_block = true;
    loop {
        let cut = if eof { buf.len() } else { record_boundary(&buf, quoted).unwrap_or(0) };
        if cut == 0 && !eof {
            if buf.len() >= MAX_RECORD_BYTES {
                // One record bigger than any real CDR: hand it on whole; it will be rejected.
                let data = std::mem::take(&mut buf);
                if !send(tx, seq, n, &mut first_line, data, &mut first_block, &layout, false, false) {
                    return;
                }
            }
            let target = buf.len() + BLOCK_BYTES;
            eof = fill(&mut reader, &mut buf, target).unwrap_or_else(|e| {
                set(&|i| i.read_error = Some(e.to_string()));
                true
            });
            continue;
        }
        let rest = buf.split_off(cut);
        let data = std::mem::replace(&mut buf, rest);
        let pending_rule =
            newest && layout.delimiter == Delimiter::Pipe && matches!(input.kind, InputKind::File(_));
        if !send(tx, seq, n, &mut first_line, data, &mut first_block, &layout, eof, pending_rule) {
            return;
        }
        if eof {
            return;
        }
        if progress.cancel.load(Ordering::Relaxed) {
            // Close the source so the merger finishes it.
            let _ = send(tx, seq, n, &mut first_line, Vec::new(), &mut first_block, &layout, true, false);
            return;
        }
        let target = buf.len() + BLOCK_BYTES;
        eof = fill(&mut reader, &mut buf, target).unwrap_or_else(|e| {
            set(&|i| i.read_error = Some(e.to_string()));
            true
        });
    }
}

/// Rows per job for database sources.
const DB_CHUNK_ROWS: usize = 8192;

/// Streams one database table to the workers.
fn read_table(
    n: usize,
    table: &super::mysql::DbTable,
    tx: &crossbeam_channel::Sender<Job>,
    seq: &mut u64,
    notes: &Mutex<Vec<ReaderNote>>,
    progress: &Arc<Progress>,
) {
    let layout = Arc::new(table.layout());
    if let Ok(mut all) = notes.lock() {
        if let Some(note) = all.get_mut(n) {
            note.form = Ok(layout.to_string());
            note.layout = Some(layout.clone());
        }
    }
    let source = u16::try_from(n).unwrap_or(u16::MAX);
    let mut next_row = 1u64;
    let mut block = |rows: Vec<super::mysql::RawRow>, ends: bool, seq: &mut u64| {
        let count = rows.len() as u64;
        let job = Job {
            block: Block {
                source,
                seq: *seq,
                first_line: next_row,
                data: Vec::new(),
                rows,
                skip_header: false,
                ends_source: ends,
                tail_is_pending: false,
            },
            layout: layout.clone(),
        };
        *seq += 1;
        next_row += count;
        tx.send(job).is_ok()
    };
    let result = super::mysql::stream(table, DB_CHUNK_ROWS, |rows| {
        !progress.cancel.load(Ordering::Relaxed) && block(rows, false, seq)
    });
    if let Err(e) = result {
        if let Ok(mut all) = notes.lock() {
            if let Some(note) = all.get_mut(n) {
                note.read_error = Some(e);
            }
        }
    }
    // Close the source so the merger finishes it.
    block(Vec::new(), true, seq);
}

#[allow(clippy::too_many_arguments)]
fn send(
    tx: &crossbeam_channel::Sender<Job>,
    seq: &mut u64,
    source: usize,
    first_line: &mut u64,
    data: Vec<u8>,
    first_block: &mut bool,
    layout: &Arc<Layout>,
    ends_source: bool,
    tail_is_pending: bool,
) -> bool {
    let lines = memchr::memchr_iter(b'\n', &data).count() as u64;
    let block = Block {
        source: u16::try_from(source).unwrap_or(u16::MAX),
        seq: *seq,
        first_line: *first_line,
        data,
        rows: Vec::new(),
        skip_header: *first_block && layout.has_header(),
        ends_source,
        tail_is_pending,
    };
    *seq += 1;
    *first_line += lines;
    *first_block = false;
    tx.send(Job { block, layout: layout.clone() }).is_ok()
}

/// Reads until `buf` holds `target` bytes or the input ends; returns true at end of input.
fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    while buf.len() < target {
        let old = buf.len();
        buf.resize(target, 0);
        match r.read(&mut buf[old..]) {
            Ok(0) => {
                buf.truncate(old);
                return Ok(true);
            }
            Ok(k) => buf.truncate(old + k),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(old),
            Err(e) => {
                buf.truncate(old);
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// Index just past the last complete record in `buf`: the last newline, or for quoted forms
/// the last newline outside quotes. `None` when there is none.
pub fn record_boundary(buf: &[u8], quoted: bool) -> Option<usize> {
    if !quoted {
        return memchr::memrchr(b'\n', buf).map(|i| i + 1);
    }
    let mut in_quote = false;
    let mut last = None;
    for i in memchr::memchr2_iter(b'"', b'\n', buf) {
        if buf[i] == b'"' {
            in_quote = !in_quote;
        } else if !in_quote {
            last = Some(i + 1);
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_respect_quotes() {
        assert_eq!(record_boundary(b"a\nb\nc", false), Some(4));
        assert_eq!(record_boundary(b"a,\"x\ny\"\nb,\"open\n", true), Some(8));
        assert_eq!(record_boundary(b"no newline", true), None);
    }

    #[test]
    fn hold_unit_decision() {
        assert_eq!(decide_hold_unit(HoldUnitChoice::Auto, 90, 10, false).0, HoldUnit::Ms);
        assert_eq!(decide_hold_unit(HoldUnitChoice::Auto, 1, 10, true).0, HoldUnit::S);
        assert_eq!(decide_hold_unit(HoldUnitChoice::Auto, 0, 0, true).0, HoldUnit::Ms);
        assert_eq!(decide_hold_unit(HoldUnitChoice::Auto, 0, 0, false).0, HoldUnit::S);
        assert_eq!(decide_hold_unit(HoldUnitChoice::S, 100, 0, true).0, HoldUnit::S);
    }
}
