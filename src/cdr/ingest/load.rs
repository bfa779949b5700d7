//! The loading pipeline: one reader thread cuts each input into blocks at record boundaries
//! (decompressing gzip on the way), worker threads parse blocks into batches, and the calling
//! thread merges batches into the store in input order. Queues are bounded, so memory in
//! flight stays at a few blocks per worker whatever the input size.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crossbeam_channel::bounded;

use crate::cdr::formats::detect::{Delimiter, Layout, detect};
use crate::cdr::formats::parse::{Block, parse_block};
use crate::cdr::record::reject::MAX_RECORD_BYTES;
use crate::cdr::record::time::{TimeReader, Zone};
use crate::cdr::sources::decompress::Packing;
use crate::cdr::sources::error::LoadError;
use crate::cdr::sources::spec::{Input, InputKind, SourceSpec, Window, discover};
use crate::cdr::store::batch::Batch;

use crate::cdr::sources::error::Skipped;
use crate::cdr::store::table::{HoldUnit, SourceInfo, Store};

/// Bytes per block handed to a worker.
pub const BLOCK_BYTES: usize = 1 << 20;

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
    pub db: crate::cdr::sources::spec::DbAccess,
    /// Readable names for gateways (raw name -> alias), for display and filters.
    pub aliases: std::collections::HashMap<String, String>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            zone: Zone::Local,
            hold_unit: HoldUnitChoice::Auto,
            window: Window::default(),
            threads: 0,
            db: crate::cdr::sources::spec::DbAccess::default(),
            aliases: std::collections::HashMap::new(),
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
    /// Bytes out of decompressors (gzip, bzip2, xz, zstd): what a compressed input amounts to.
    pub bytes_decoded: AtomicU64,
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

/// Counts bytes as they are read: from disk (`decoded` false), or out of a decompressor.
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
    decoded: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let counter = if self.decoded { &self.progress.bytes_decoded } else { &self.progress.bytes_read };
        counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The newest published snapshot of a store that one thread fills while others read it.
/// Readers take a snapshot ([`read`]) and never wait on the writer: the writer appends to
/// its own store and publishes a cheap clone of it (see [`super::append_vec`]).
pub type SharedStore = Arc<ArcSwap<Store>>;

/// A shared store holding `store`.
pub fn shared(store: Store) -> SharedStore {
    Arc::new(ArcSwap::from_pointee(store))
}

/// The newest snapshot: rows, pools and bookkeeping consistent with each other, however
/// long it is held.
pub fn read(shared: &SharedStore) -> Arc<Store> {
    shared.load_full()
}

/// How often a loader publishes while rows arrive.
pub const PUBLISH_EVERY: Duration = Duration::from_millis(200);

/// Publishes the writer's store for readers.
pub fn publish(shared: &SharedStore, store: &Store) {
    shared.store(Arc::new(store.clone()));
}

/// Loads every source into a store.
pub fn load(specs: &[SourceSpec], opts: &LoadOptions, progress: Arc<Progress>) -> Result<Loaded, LoadError> {
    let mut store = Store::default();
    let read = load_with(specs, opts, progress, &mut store, &mut |_| {})?;
    Ok(Loaded { store, skipped: read.skipped })
}

/// Loads every source into a shared store, publishing snapshots as rows arrive. Returns the
/// directory entries passed over.
pub fn load_into(
    specs: &[SourceSpec],
    opts: &LoadOptions,
    progress: Arc<Progress>,
    shared: &SharedStore,
) -> Result<Vec<Skipped>, LoadError> {
    let mut store = Store::default();
    let read = load_with(specs, opts, progress, &mut store, &mut |st| publish(shared, st));
    publish(shared, &store);
    read.map(|r| r.skipped)
}

/// What a finished load leaves for following its sources.
#[derive(Debug, Default)]
pub struct InputsRead {
    /// Directory entries passed over, with why.
    pub skipped: Vec<Skipped>,
    /// Each input as read, by source index, with where its reading stopped.
    pub ends: Vec<InputEnd>,
}

/// One input and where the load stopped reading it.
#[derive(Debug, Clone)]
pub struct InputEnd {
    pub input: Input,
    /// Bytes consumed up to the last complete record (plain text inputs).
    pub offset: Option<u64>,
    /// The next line number.
    pub next_line: u64,
    pub layout: Option<Arc<Layout>>,
}

/// Loads every source into `store`, calling `publish` at most every [`PUBLISH_EVERY`]
/// while rows arrive (and not at the end: the caller has the final store).
pub fn load_with(
    specs: &[SourceSpec],
    opts: &LoadOptions,
    progress: Arc<Progress>,
    store: &mut Store,
    publish: &mut dyn FnMut(&Store),
) -> Result<InputsRead, LoadError> {
    if specs.is_empty() {
        return Err(LoadError::NoSources);
    }
    let times = TimeReader::new(opts.zone.clone());
    let (inputs, skipped) = discover(specs, opts.window, &opts.db, &times)?;
    progress.files_total.store(inputs.len() as u64, Ordering::Relaxed);
    progress.bytes_total.store(inputs.iter().filter_map(|i| i.size).sum(), Ordering::Relaxed);
    // Bounded whatever the caller asks: a thread per core, at most 256.
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    }
    .clamp(1, 256);
    // The newest text file is the one VOS3000 may still be writing.
    let newest = inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.modified.is_some())
        .max_by_key(|(_, i)| i.modified)
        .map(|(n, _)| n);

    let notes: Mutex<Vec<ReaderNote>> = Mutex::new(vec![ReaderNote::default(); inputs.len()]);
    store.sources = inputs
        .iter()
        .map(|i| {
            let mut info = SourceInfo::new(i.name.clone());
            if let InputKind::Db(t) = &i.kind {
                info.db = Some((t.url.clone(), t.table.clone()));
            }
            info
        })
        .collect();
    store.wall_clock = inputs.iter().any(|i| matches!(i.kind, InputKind::Db(_)));
    store.aliases = opts.aliases.clone();
    let mut published = Instant::now();
    let (job_tx, job_rx) = bounded::<Job>(threads * 2);
    let (batch_tx, batch_rx) = bounded::<Batch>(threads * 2);

    // Duplicates can only be across sources: no index for a single one.
    let mut dedup = (inputs.len() > 1).then(crate::cdr::store::dedup::DedupIndex::default);
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
                merge(store, b, notes, opts.hold_unit, &progress, &mut dedup);
            }
            if published.elapsed() >= PUBLISH_EVERY {
                publish(store);
                published = Instant::now();
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
    for (info, note) in store.sources.iter_mut().zip(&notes) {
        note.apply(info);
    }
    progress.done.store(true, Ordering::Relaxed);
    let ends = inputs
        .into_iter()
        .zip(notes)
        .map(|(input, note)| InputEnd {
            input,
            offset: note.offset,
            next_line: note.next_line,
            layout: note.layout,
        })
        .collect();
    Ok(InputsRead { skipped, ends })
}

/// What the reader thread learns about a source.
#[derive(Debug, Clone)]
struct ReaderNote {
    form: Result<String, String>,
    packing: &'static str,
    read_error: Option<String>,
    layout: Option<Arc<Layout>>,
    /// A better name found while reading (a workbook's sheet: `book.xlsx!Sheet1`).
    rename: Option<String>,
    /// Plain text: bytes up to the end of the last complete record sent.
    offset: Option<u64>,
    next_line: u64,
}

impl Default for ReaderNote {
    fn default() -> Self {
        ReaderNote {
            form: Err("not read".into()),
            packing: "",
            read_error: None,
            layout: None,
            rename: None,
            offset: None,
            next_line: 1,
        }
    }
}

impl ReaderNote {
    fn apply(&self, info: &mut SourceInfo) {
        info.form = self.form.clone();
        info.packing = self.packing;
        info.read_error = self.read_error.clone();
        if let Some(n) = &self.rename {
            info.name = n.clone();
        }
    }
}

fn merge(
    store: &mut Store,
    batch: Batch,
    notes: &Mutex<Vec<ReaderNote>>,
    choice: HoldUnitChoice,
    progress: &Progress,
    dedup: &mut Option<crate::cdr::store::dedup::DedupIndex>,
) {
    let src = batch.source;
    let ends = batch.ends_source;
    // Before the columns would double, size them from the rows per byte seen so far.
    let (len, cap) = (store.cols.len(), store.cols.start_ms.capacity());
    if len + batch.cols.len() > cap {
        let read = store.bytes_parsed + batch.tally.bytes;
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
        store.set_hold_unit(src, unit, why);
        let dups = match dedup.as_mut() {
            Some(index) => crate::cdr::store::dedup::mark_source(store, src, index),
            None => Vec::new(),
        };
        if let Some(info) = store.sources.get_mut(src) {
            info.ended = true;
            info.duplicate_of = dups;
        }
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

/// Where the reader thread sends one source's blocks.
struct Feed<'a> {
    n: usize,
    tx: &'a crossbeam_channel::Sender<Job>,
    seq: &'a mut u64,
    notes: &'a Mutex<Vec<ReaderNote>>,
    progress: &'a Arc<Progress>,
}

impl Feed<'_> {
    fn set(&self, f: &dyn Fn(&mut ReaderNote)) {
        if let Ok(mut all) = self.notes.lock()
            && let Some(note) = all.get_mut(self.n)
        {
            f(note);
        }
    }

    fn cancelled(&self) -> bool {
        self.progress.cancel.load(Ordering::Relaxed)
    }

    /// Sends split rows (database, spreadsheet, JSON records) numbered from `first`.
    fn rows(
        &mut self,
        rows: crate::cdr::record::rows::FieldRows,
        first: u64,
        layout: &Arc<Layout>,
        ends: bool,
    ) -> bool {
        let job = Job {
            block: Block {
                source: self.n,
                seq: *self.seq,
                first_line: first,
                data: Vec::new(),
                rows,
                skip_header: false,
                ends_source: ends,
                tail_is_pending: false,
                too_long: None,
                lines: 0,
            },
            layout: layout.clone(),
        };
        *self.seq += 1;
        self.tx.send(job).is_ok()
    }

    /// Closes the source so the merger finishes it.
    fn close(&mut self) {
        let layout = Arc::new(Layout::positional_pipe());
        self.rows(Default::default(), 0, &layout, true);
    }
}

fn read_input(
    n: usize,
    input: &Input,
    newest: bool,
    tx: &crossbeam_channel::Sender<Job>,
    seq: &mut u64,
    notes: &Mutex<Vec<ReaderNote>>,
    progress: &Arc<Progress>,
) {
    let mut feed = Feed { n, tx, seq, notes, progress };
    let pending_rule = newest && matches!(input.kind, InputKind::File(_));
    match &input.kind {
        InputKind::Db(table) => read_table(table, &mut feed),
        InputKind::Broken(why) => feed.set(&|i| i.form = Err(why.clone())),
        InputKind::Xlsx(path) => read_xlsx(path, &input.name, &mut feed),
        InputKind::ZipMember { path, index } => {
            let opened = std::fs::File::open(path)
                .map_err(|e| e.to_string())
                .and_then(|f| zip::ZipArchive::new(f).map_err(|e| format!("damaged zip archive: {e}")));
            match opened {
                Ok(mut archive) => match archive.by_index(*index) {
                    Ok(member) => read_stream(member, false, &mut feed),
                    Err(e) => feed.set(&|i| i.form = Err(format!("cannot read this member: {e}"))),
                },
                Err(e) => feed.set(&|i| i.form = Err(format!("cannot open: {e}"))),
            }
        }
        InputKind::File(p) => match std::fs::File::open(p) {
            Ok(f) => read_stream(f, pending_rule, &mut feed),
            Err(e) => feed.set(&|i| i.form = Err(format!("cannot open: {e}"))),
        },
        // Rows from a pipe are shown within a second of arriving, not per block.
        InputKind::Stdin => read_stream(Trickle::stdin(), false, &mut feed),
        InputKind::Memory(data) => read_stream(&data[..], false, &mut feed),
    }
}

/// Reads one byte stream: unpacks it (by its magic bytes), tells its form from its first
/// block, and cuts it into blocks at record boundaries.
fn read_stream(raw: impl Read, pending_rule: bool, feed: &mut Feed<'_>) {
    let mut buffered = BufReader::with_capacity(
        256 << 10,
        Counting { inner: raw, progress: feed.progress.clone(), decoded: false },
    );
    let packing = loop {
        match buffered.fill_buf() {
            Ok(head) => break Packing::detect(head),
            // A quiet pipe: wait on for its first bytes.
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut && !feed.cancelled() => continue,
            Err(e) => {
                feed.set(&|i| i.form = Err(format!("cannot read: {e}")));
                return;
            }
        }
    };
    feed.set(&|i| i.packing = packing.label());
    let mut reader: Box<dyn Read + '_> = match packing.decoder(buffered) {
        Ok(r) if packing == Packing::Plain => r,
        Ok(r) => Box::new(Counting { inner: r, progress: feed.progress.clone(), decoded: true }),
        Err(e) => {
            feed.set(&|i| i.form = Err(e.to_string()));
            return;
        }
    };
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + (64 << 10));
    let mut eof = false;
    // The form is told from whole lines: a trickling pipe is read until it has one.
    while !eof && buf.len() < BLOCK_BYTES && !buf.contains(&b'\n') {
        if feed.cancelled() {
            return;
        }
        eof = fill(&mut reader, &mut buf, BLOCK_BYTES).unwrap_or_else(|e| {
            feed.set(&|i| i.read_error = Some(read_error(packing, &e)));
            true
        });
    }
    if crate::cdr::sources::decompress::is_tar(&buf) {
        feed.set(&|i| {
            i.form =
                Err("a tar archive: unpack it first (tar xf FILE) and point cdrscope at the files".into())
        });
        return;
    }
    if buf.starts_with(&[0xff, 0xfe]) || buf.starts_with(&[0xfe, 0xff]) || looks_like_utf16(&buf) {
        feed.set(&|i| {
            i.form =
                Err("UTF-16 text: convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8"
                    .into())
        });
        return;
    }
    // A UTF-8 byte order mark is not part of the first field.
    let mut consumed = 0u64;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
        consumed = 3;
    }
    if crate::cdr::formats::records::looks_like_json(&buf) {
        let head = std::mem::take(&mut buf);
        read_json(std::io::Cursor::new(head).chain(reader), packing, feed);
        return;
    }
    // Old Mac line endings: lines end with CR alone. Read them as lines.
    if !buf.contains(&b'\n') && buf.contains(&b'\r') {
        for b in buf.iter_mut() {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        reader = Box::new(CrToLf { inner: reader });
    }
    let layout = match detect(&buf) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            // An empty plain file (the hour's file just created) is followed from its start.
            let empty = buf.is_empty() && eof && packing == Packing::Plain;
            feed.set(&|i| {
                i.form = Err(e.0.clone());
                if empty {
                    i.offset = Some(consumed);
                }
            });
            return;
        }
    };
    let desc = match packing.label() {
        "" => layout.to_string(),
        p => format!("{layout} ({p})"),
    };
    feed.set(&|i| {
        i.form = Ok(desc.clone());
        i.layout = Some(layout.clone());
    });
    // `mysql -B` does not quote: a stray `"` in a value is just a character.
    let quoted = layout.delimiter != Delimiter::Pipe && !layout.mysql_escapes;
    let pending_rule = pending_rule && layout.delimiter == Delimiter::Pipe && packing == Packing::Plain;
    let mut first_line = 1u64;
    let mut first_block = true;
    loop {
        let cut = if eof { buf.len() } else { record_boundary(&buf, quoted).unwrap_or(0) };
        if cut == 0 && !eof {
            if buf.len() >= MAX_RECORD_BYTES {
                // One record bigger than any real CDR: skip to its end and count it once.
                let (skipped, rest, at_eof) = skip_line(&mut reader, std::mem::take(&mut buf));
                if !send_too_long(feed, &mut first_line, skipped, &mut first_block, &layout) {
                    return;
                }
                buf = rest;
                eof = at_eof;
                continue;
            }
            if feed.cancelled() {
                return;
            }
            let target = buf.len() + BLOCK_BYTES;
            eof = fill(&mut reader, &mut buf, target).unwrap_or_else(|e| {
                feed.set(&|i| i.read_error = Some(read_error(packing, &e)));
                true
            });
            continue;
        }
        let rest = buf.split_off(cut);
        let data = std::mem::replace(&mut buf, rest);
        consumed += data.len() as u64;
        // A followed file goes on after the last complete line (a pending one is read again).
        let tail = if eof && pending_rule && !data.ends_with(b"\n") {
            data.len() - memchr::memrchr(b'\n', &data).map_or(0, |i| i + 1)
        } else {
            0
        };
        let plain = packing == Packing::Plain;
        if !send(feed, &mut first_line, data, &mut first_block, &layout, eof, pending_rule) {
            return;
        }
        if eof {
            let (offset, next) = (consumed - tail as u64, first_line);
            feed.set(&|i| {
                i.offset = plain.then_some(offset);
                i.next_line = next;
            });
            return;
        }
        if feed.cancelled() {
            let _ = send(feed, &mut first_line, Vec::new(), &mut first_block, &layout, true, false);
            return;
        }
        let target = buf.len() + BLOCK_BYTES;
        eof = fill(&mut reader, &mut buf, target).unwrap_or_else(|e| {
            feed.set(&|i| i.read_error = Some(read_error(packing, &e)));
            true
        });
    }
}

/// UTF-16 without a byte order mark: every other byte NUL in the first few hundred bytes.
fn looks_like_utf16(head: &[u8]) -> bool {
    let h = &head[..head.len().min(512)];
    h.len() >= 16 && h.iter().filter(|b| **b == 0).count() * 3 >= h.len()
}

/// Turns CR line endings into LF as the bytes stream by.
struct CrToLf<'a> {
    inner: Box<dyn Read + 'a>,
}

impl Read for CrToLf<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

/// Reads past the end of an over-long line. Returns how many bytes it had, what follows its
/// newline, and whether the input ended.
fn skip_line(reader: &mut dyn Read, buf: Vec<u8>) -> (u64, Vec<u8>, bool) {
    let mut skipped = buf.len() as u64;
    let mut chunk = vec![0u8; BLOCK_BYTES];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) | Err(_) => return (skipped, Vec::new(), true),
            Ok(n) => n,
        };
        match memchr::memchr(b'\n', &chunk[..n]) {
            Some(i) => {
                skipped += i as u64;
                return (skipped, chunk[i + 1..n].to_vec(), false);
            }
            None => skipped += n as u64,
        }
    }
}

/// Counts one rejected line for an over-long record.
fn send_too_long(
    feed: &mut Feed<'_>,
    first_line: &mut u64,
    bytes: u64,
    first_block: &mut bool,
    layout: &Arc<Layout>,
) -> bool {
    let block = Block {
        source: feed.n,
        seq: *feed.seq,
        first_line: *first_line,
        data: Vec::new(),
        rows: Default::default(),
        skip_header: false,
        ends_source: false,
        tail_is_pending: false,
        too_long: Some(bytes),
        lines: 1,
    };
    *feed.seq += 1;
    *first_line += 1;
    *first_block = false;
    feed.tx.send(Job { block, layout: layout.clone() }).is_ok()
}

/// A read error, saying which decoder failed (a corrupt or truncated archive).
fn read_error(packing: Packing, e: &std::io::Error) -> String {
    match packing.label() {
        "" => e.to_string(),
        p => format!("{p} data is corrupt or cut short: {e}"),
    }
}

/// The web API's JSON records.
fn read_json(reader: impl Read, packing: Packing, feed: &mut Feed<'_>) {
    let desc = match packing.label() {
        "" => "web API JSON (GetCdr records)".to_string(),
        p => format!("web API JSON (GetCdr records) ({p})"),
    };
    feed.set(&|i| i.form = Ok(desc.clone()));
    let result = {
        let mut emit = |layout: Layout, rows: crate::cdr::record::rows::FieldRows, first: u64| {
            !feed.cancelled() && feed.rows(rows, first, &Arc::new(layout), false)
        };
        crate::cdr::formats::records::read_json(reader, &mut emit)
    };
    if let Err(e) = result {
        feed.set(&|i| {
            if i.form.is_ok() && e.contains("another shape") {
                i.form = Err(e.clone());
            } else {
                i.read_error = Some(e.clone());
            }
        });
    }
    feed.close();
}

/// The first sheet of a workbook.
fn read_xlsx(path: &std::path::Path, name: &str, feed: &mut Feed<'_>) {
    feed.set(&|i| i.form = Ok("spreadsheet (xlsx), first sheet, header row".into()));
    let result = {
        let mut emit = |layout: Layout, rows: crate::cdr::record::rows::FieldRows, first: u64| {
            !feed.cancelled() && feed.rows(rows, first, &Arc::new(layout), false)
        };
        crate::cdr::formats::records::read_xlsx(path, &mut emit)
    };
    match result {
        Ok(sheet) => feed.set(&|i| i.rename = Some(format!("{name}!{sheet}"))),
        Err(e) => feed.set(&|i| i.form = Err(e.clone())),
    }
    feed.close();
}

/// Rows per job for database sources.
const DB_CHUNK_ROWS: usize = 8192;

/// Streams one database table to the workers.
fn read_table(table: &crate::cdr::sources::mysql::DbTable, feed: &mut Feed<'_>) {
    let layout = Arc::new(table.layout());
    feed.set(&|note| {
        note.form = Ok(layout.to_string());
        note.layout = Some(layout.clone());
    });
    let mut next_row = 1u64;
    let result = crate::cdr::sources::mysql::stream(table, DB_CHUNK_ROWS, |rows| {
        let count = rows.len() as u64;
        let ok = !feed.cancelled() && feed.rows(rows, next_row, &layout, false);
        next_row += count;
        ok
    });
    if let Err(e) = result {
        feed.set(&|note| note.read_error = Some(e.clone()));
    }
    feed.close();
}

fn send(
    feed: &mut Feed<'_>,
    first_line: &mut u64,
    data: Vec<u8>,
    first_block: &mut bool,
    layout: &Arc<Layout>,
    ends_source: bool,
    tail_is_pending: bool,
) -> bool {
    let lines = memchr::memchr_iter(b'\n', &data).count() as u64;
    let block = Block {
        source: feed.n,
        seq: *feed.seq,
        first_line: *first_line,
        data,
        rows: Default::default(),
        skip_header: *first_block && layout.has_header(),
        ends_source,
        tail_is_pending,
        too_long: None,
        lines,
    };
    *feed.seq += 1;
    *first_line += lines;
    *first_block = false;
    feed.tx.send(Job { block, layout: layout.clone() }).is_ok()
}

/// Reads until `buf` holds `target` bytes or the input ends; returns true at end of input.
/// Reads into the vector's spare room without zeroing it first (a 1 MiB memset per small
/// file made 65,000 files take minutes).
/// A reader that runs dry for a moment ([`Trickle`]) ends the fill early with what it has.
fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    let want = target.saturating_sub(buf.len()) as u64;
    if want == 0 {
        return Ok(false);
    }
    match r.take(want).read_to_end(buf) {
        Ok(n) => Ok((n as u64) < want),
        // `read_to_end` keeps what it read before the pause.
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Ok(false),
        Err(e) => Err(e),
    }
}

/// How long a trickling input may be quiet before what it sent is passed on.
const TRICKLE_WAIT: Duration = Duration::from_millis(300);

/// Standard input read on a thread of its own, so the loader can pass on what arrived when
/// the pipe goes quiet instead of waiting for a full block: a pause reads as `TimedOut`.
struct Trickle {
    rx: crossbeam_channel::Receiver<std::io::Result<Vec<u8>>>,
    pending: std::io::Cursor<Vec<u8>>,
}

impl Trickle {
    fn stdin() -> Trickle {
        let (tx, rx) = bounded(16);
        // Detached: a read blocked on a terminal must not hold up the exit.
        let _ = std::thread::Builder::new().name("stdin".into()).spawn(move || {
            let mut input = std::io::stdin().lock();
            loop {
                let mut chunk = vec![0u8; 256 << 10];
                match input.read(&mut chunk) {
                    Ok(0) => {
                        let _ = tx.send(Ok(Vec::new()));
                        return;
                    }
                    Ok(n) => {
                        chunk.truncate(n);
                        if tx.send(Ok(chunk)).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        Trickle { rx, pending: std::io::Cursor::new(Vec::new()) }
    }
}

impl Read for Trickle {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.position() < self.pending.get_ref().len() as u64 {
            return self.pending.read(out);
        }
        match self.rx.recv_timeout(TRICKLE_WAIT) {
            Ok(Ok(chunk)) if chunk.is_empty() => Ok(0),
            Ok(Ok(chunk)) => {
                self.pending = std::io::Cursor::new(chunk);
                self.pending.read(out)
            }
            Ok(Err(e)) => Err(e),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "no input for a moment"))
            }
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => Ok(0),
        }
    }
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
