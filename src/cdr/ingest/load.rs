//! The loading pipeline: one reader thread cuts each input into blocks at record boundaries
//! (decompressing gzip on the way), worker threads parse blocks into batches, and the calling
//! thread merges batches into the store in input order. Queues are bounded, so memory in
//! flight stays at a few blocks per worker whatever the input size.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crossbeam_channel::bounded;

use crate::cdr::formats::detect::{Delimiter, Layout};
use crate::cdr::formats::parse::parse_block;
use crate::cdr::record::time::{TimeReader, Zone};
use crate::cdr::sources::error::LoadError;
use crate::cdr::sources::spec::{Input, SourceSpec, Window, discover};
use crate::cdr::store::batch::Batch;

use crate::cdr::ingest::progress::Progress;
use crate::cdr::ingest::read::{Job, ReaderNote, read_input};
use crate::cdr::sources::error::Skipped;
use crate::cdr::store::shared::{PUBLISH_EVERY, SharedStore, publish};
use crate::cdr::store::table::{HoldUnit, SourceInfo, Store};

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

/// The result of a load.
#[derive(Debug)]
pub struct Loaded {
    pub store: Store,
    /// Directory entries passed over, with why.
    pub skipped: Vec<Skipped>,
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
            if let Some(t) = i.source.table() {
                info.db = Some((t.url.clone(), t.table.clone()));
            }
            info
        })
        .collect();
    store.wall_clock = inputs.iter().any(|i| i.source.table().is_some());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::ingest::read::record_boundary;

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
