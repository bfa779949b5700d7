//! The same call read from two sources (a file and its `.gz` copy, a dump and the database,
//! two overlapping dumps) counts once. Duplicates are looked for only across sources, never
//! within one (a source may legitimately repeat a value), keyed as the conventions say: by
//! (`softswitchname`, `flowno`) where both calls have them (`flowno` alone is unique only per
//! softswitch), else by caller, callee, start second and holdTime.
//!
//! When a source ends, its rows are looked up in an index of the rows of the sources that
//! ended before it, then added to it: linear in the rows, however many sources overlap. The
//! index holds a 64-bit hash and a row number per call (about 20 bytes a row, only while a
//! load has more than one source); a hash hit is confirmed against the stored call.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use super::fields::extra;
use super::number::PackedNumber;
use super::store::Store;

/// Caller, callee, start second, talk time.
pub type Fallback = (PackedNumber, PackedNumber, i64, u32);

/// The key of a call where the two rows compared do not both have a `flowno`.
pub fn fallback_key(store: &Store, i: usize) -> Fallback {
    let c = &store.cols;
    (c.caller[i], c.callee[i], c.start_ms[i].div_euclid(1000), store.hold_ms(i))
}

/// Calls of the sources read so far, by key hash.
#[derive(Debug, Default)]
pub struct DedupIndex {
    hasher: std::collections::hash_map::RandomState,
    primary: HashMap<u64, u32>,
    fallback: HashMap<u64, u32>,
}

impl DedupIndex {
    pub fn heap_bytes(&self) -> usize {
        (self.primary.capacity() + self.fallback.capacity()) * 13
    }
}

struct Keys<'a> {
    store: &'a Store,
    softswitch: Option<usize>,
}

impl Keys<'_> {
    fn primary(&self, i: usize) -> Option<(u32, u64)> {
        let ss = self.store.extra_id(self.softswitch, i);
        let fl = self.store.cols.flowno.get(i).copied().unwrap_or(0);
        (ss != 0 && fl != 0).then_some((ss, fl))
    }

    fn fallback(&self, i: usize) -> Fallback {
        fallback_key(self.store, i)
    }
}

fn hash_of<T: Hash>(h: &std::collections::hash_map::RandomState, v: &T) -> u64 {
    h.hash_one(v)
}

/// Marks the rows of source `src` that repeat calls of sources read before it, adds the rest
/// to the index, and returns how many were repeats, per earlier source.
pub fn mark_source(store: &mut Store, src: usize, index: &mut DedupIndex) -> Vec<(usize, u64)> {
    let ranges = store.source_rows(src);
    let keys = Keys { store, softswitch: store.extra_index(extra::SOFTSWITCH) };
    let mut marked = Vec::new();
    let mut per_source: HashMap<usize, u64> = HashMap::new();
    let mut fresh: Vec<(Option<u64>, u64, u32)> = Vec::new();
    for i in ranges.into_iter().flatten() {
        let primary = keys.primary(i);
        let fb = keys.fallback(i);
        let ph = primary.map(|p| hash_of(&index.hasher, &p));
        let fh = hash_of(&index.hasher, &fb);
        let by_primary = ph
            .and_then(|h| index.primary.get(&h))
            .map(|&o| o as usize)
            .filter(|&o| keys.primary(o) == primary);
        let original = by_primary.or_else(|| {
            let o = index.fallback.get(&fh).map(|&o| o as usize).filter(|&o| keys.fallback(o) == fb)?;
            // Both have the stronger key and it differs: two calls, not one.
            let differs = primary.is_some() && keys.primary(o).is_some_and(|op| Some(op) != primary);
            (!differs).then_some(o)
        });
        match original {
            Some(o) => {
                marked.push(i);
                if let Some(s) = store.source_index_of(o) {
                    *per_source.entry(s).or_default() += 1;
                }
            }
            None => fresh.push((ph, fh, u32::try_from(i).unwrap_or(u32::MAX))),
        }
    }
    // Added after the look-ups: never within one source.
    for (ph, fh, row) in fresh {
        if let Some(h) = ph {
            index.primary.entry(h).or_insert(row);
        }
        index.fallback.entry(fh).or_insert(row);
    }
    for i in marked {
        store.mark_duplicate(i);
    }
    let mut out: Vec<(usize, u64)> = per_source.into_iter().collect();
    out.sort_unstable();
    out
}

/// Duplicates across sources while following: the same call from the feed and the database
/// (or a file and the database) counts once. Rows are keyed as they arrive, as the
/// conventions say: by (`softswitchname`, `flowno`) where both rows have a `flowno`, else by
/// caller, callee, start second and talk time (the text form has no `flowno`); the first
/// source to bring a call keeps it. Keys leave with the rows the retention window drops.
#[derive(Default)]
pub struct LiveDedup {
    first: HashMap<(u32, u64), usize>,
    /// Fallback key hash -> (source, whether that row had a `flowno`).
    fallback: HashMap<u64, (usize, bool)>,
    hasher: std::collections::hash_map::RandomState,
    /// (keys, row counted from the first received), oldest first.
    order: std::collections::VecDeque<Arrived>,
}

/// A call's keys (`softswitchname` and `flowno` when it has one; the fallback hash) and its
/// row counted from the first received.
type Arrived = (Option<(u32, u64)>, u64, u64);

impl LiveDedup {
    /// Indexes the rows already in the store.
    pub fn new(store: &mut Store) -> LiveDedup {
        let mut d = LiveDedup::default();
        d.take_in(store, 0);
        d
    }

    /// Looks at rows `from..` of the store (just appended): marks the repeats of calls
    /// another source brought, and returns how many were marked.
    pub fn take_in(&mut self, store: &mut Store, from: usize) -> u64 {
        let ss = store.extra_index(extra::SOFTSWITCH);
        let mut marked = Vec::new();
        for i in from..store.len() {
            if store.is_duplicate(i) {
                continue;
            }
            let Some(src) = store.source_index_of(i) else { continue };
            let fl = store.cols.flowno.get(i).copied().unwrap_or(0);
            let primary = (fl != 0).then(|| (store.extra_id(ss, i), fl));
            let fb = hash_of(&self.hasher, &fallback_key(store, i));
            let by_primary = primary.and_then(|p| self.first.get(&p).copied());
            let original = match by_primary {
                Some(o) => Some(o),
                // The stronger key decides when both rows have it: two flownos, two calls.
                None => self
                    .fallback
                    .get(&fb)
                    .filter(|(_, had_flowno)| !(*had_flowno && primary.is_some()))
                    .map(|(o, _)| *o),
            };
            match original {
                Some(o) if o != src => marked.push((i, src, o)),
                Some(_) => {}
                None => {
                    if let Some(p) = primary {
                        self.first.insert(p, src);
                    }
                    self.fallback.entry(fb).or_insert((src, primary.is_some()));
                    self.order.push_back((primary, fb, store.dropped + i as u64));
                }
            }
        }
        for &(i, src, of) in &marked {
            store.mark_duplicate(i);
            if let Some(info) = store.sources.get_mut(src) {
                match info.duplicate_of.iter_mut().find(|(o, _)| *o == of) {
                    Some((_, n)) => *n += 1,
                    None => info.duplicate_of.push((of, 1)),
                }
            }
        }
        // Keys of rows the retention window dropped go too.
        while let Some(&(primary, fb, abs)) = self.order.front() {
            if abs >= store.dropped {
                break;
            }
            if let Some(p) = primary {
                self.first.remove(&p);
            }
            self.fallback.remove(&fb);
            self.order.pop_front();
        }
        marked.len() as u64
    }
}
