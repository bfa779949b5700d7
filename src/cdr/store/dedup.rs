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

use hashbrown::HashTable;
use std::hash::{BuildHasher, Hash};

use crate::cdr::record::fields::extra;
use crate::cdr::store::number::PackedNumber;
use crate::cdr::store::table::Store;

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
        let fl = self.store.cols.flowno.get(i);
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
/// source to bring a call keeps it.
///
/// The index holds only row numbers (4 bytes a row in each of two tables): a key is hashed
/// from the store's values and a hit is confirmed against them, so it costs a small part of
/// what the rows themselves do. When the retention window drops rows (which renumbers the
/// rest) it is built again from what is kept, so its keys leave with their rows.
#[derive(Default)]
pub struct LiveDedup {
    hasher: std::collections::hash_map::RandomState,
    /// The first row of each (`softswitchname` id, `flowno`).
    primary: HashTable<u32>,
    /// The first row of each fallback key.
    fallback: HashTable<u32>,
    /// `store.dropped` when the rows were numbered as the tables hold them.
    dropped: u64,
}

fn primary_of(store: &Store, ss: Option<usize>, i: usize) -> Option<(u32, u64)> {
    store.cols.flowno_of(i).map(|fl| (store.extra_id(ss, i), fl))
}

impl LiveDedup {
    /// Indexes the rows already in the store.
    pub fn new(store: &mut Store) -> LiveDedup {
        let mut d = LiveDedup { dropped: store.dropped, ..LiveDedup::default() };
        d.take_in(store, 0);
        d
    }

    /// Bytes of heap the index holds.
    pub fn heap_bytes(&self) -> usize {
        // A slot is a row number and a control byte.
        (self.primary.capacity() + self.fallback.capacity()) * 5
    }

    /// Looks at rows `from..` of the store (just appended): marks the repeats of calls
    /// another source brought, and returns how many were marked.
    pub fn take_in(&mut self, store: &mut Store, from: usize) -> u64 {
        let ss = store.extra_index(extra::SOFTSWITCH);
        if store.dropped != self.dropped {
            self.primary = HashTable::new();
            self.fallback = HashTable::new();
            self.dropped = store.dropped;
            self.index(store, ss, 0..from, None);
        }
        let mut marked = Vec::new();
        self.index(store, ss, from..store.len(), Some(&mut marked));
        for &(i, src, of) in &marked {
            store.mark_duplicate(i);
            if let Some(info) = store.sources.get_mut(src) {
                match info.duplicate_of.iter_mut().find(|(o, _)| *o == of) {
                    Some((_, n)) => *n += 1,
                    None => info.duplicate_of.push((of, 1)),
                }
            }
        }
        marked.len() as u64
    }

    /// Adds the calls of `rows` that are new; with `marked`, collects the rows that repeat a
    /// call another source brought first: (row, its source, the first source).
    fn index(
        &mut self,
        store: &Store,
        ss: Option<usize>,
        rows: std::ops::Range<usize>,
        mut marked: Option<&mut Vec<(usize, usize, usize)>>,
    ) {
        let h = &self.hasher;
        let primary_hash = |r: &u32| primary_of(store, ss, *r as usize).map_or(0, |p| h.hash_one(p));
        let fallback_hash = |r: &u32| h.hash_one(fallback_key(store, *r as usize));
        for i in rows {
            if store.is_duplicate(i) {
                continue;
            }
            let (Some(src), Ok(row)) = (store.source_index_of(i), u32::try_from(i)) else { continue };
            let primary = primary_of(store, ss, i);
            let fb = fallback_key(store, i);
            let (ph, fh) = (primary.map(|p| h.hash_one(p)), h.hash_one(fb));
            let by_primary = primary.zip(ph).and_then(|(p, ph)| {
                self.primary.find(ph, |&r| primary_of(store, ss, r as usize) == Some(p)).copied()
            });
            let by_fallback = self.fallback.find(fh, |&r| fallback_key(store, r as usize) == fb).copied();
            // The stronger key decides when both rows have it: two flownos, two calls.
            let original = by_primary.or_else(|| {
                by_fallback.filter(|&r| !(primary.is_some() && store.cols.flowno_of(r as usize).is_some()))
            });
            match original.and_then(|o| store.source_index_of(o as usize)) {
                Some(o) if o != src => {
                    if let Some(m) = marked.as_deref_mut() {
                        m.push((i, src, o));
                    }
                }
                Some(_) => {}
                None => {
                    if let Some(ph) = ph {
                        self.primary.insert_unique(ph, row, primary_hash);
                    }
                    if by_fallback.is_none() {
                        self.fallback.insert_unique(fh, row, fallback_hash);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::formats::detect::Layout;
    use crate::cdr::formats::parse::{Block, parse_block};
    use crate::cdr::record::time::{TimeReader, Zone};
    use crate::cdr::store::table::SourceInfo;

    /// Calls `range` (each its own caller) as a batch of source `src`.
    fn calls(src: usize, range: std::ops::Range<u32>) -> crate::cdr::store::batch::Batch {
        let text: String = range
            .map(|n| format!("86138{n:06}|8613800138000|2026-11-20 10:00:00|2026-11-20 10:00:30|30000|-9|1|IN|OUT|10.0.0.1|10.0.0.2|86138{n:06}|008613800138000|86138{n:06}|8613800138000|0|1\n"))
            .collect();
        let block = Block {
            source: src,
            seq: 0,
            first_line: 1,
            lines: text.lines().count() as u64,
            data: text.into_bytes(),
            rows: Default::default(),
            skip_header: false,
            ends_source: false,
            tail_is_pending: false,
            too_long: None,
        };
        parse_block(&block, &Layout::positional_pipe(), &TimeReader::new(Zone::parse("UTC").expect("utc")))
    }

    #[test]
    fn a_call_another_source_brought_counts_once_and_its_key_leaves_with_its_row() {
        let mut st = Store::default();
        st.sources = vec![SourceInfo::new("file".into()), SourceInfo::new("feed".into())];
        st.append(calls(0, 0..2000));
        let mut d = LiveDedup::new(&mut st);
        assert!(d.heap_bytes() < 2000 * 24, "{} bytes for 2000 calls", d.heap_bytes());
        // The feed brings calls 1990..2010: ten were in the file.
        let before = st.len();
        st.append(calls(1, 1990..2010));
        assert_eq!(d.take_in(&mut st, before), 10);
        assert_eq!(st.duplicate_rows(), 10);
        assert_eq!(st.sources[1].duplicate_of, vec![(0, 10)]);
        // The same source repeating itself is not a duplicate across sources.
        let before = st.len();
        st.append(calls(1, 2005..2006));
        assert_eq!(d.take_in(&mut st, before), 0);
        // The file's first 1000 calls are dropped: their keys go with them (the index is
        // built again), the rest still count.
        st.drop_front(1000);
        let before = st.len();
        st.append(calls(1, 0..1));
        st.append(calls(1, 1500..1501));
        assert_eq!(d.take_in(&mut st, before), 1, "only call 1500 is still held");
        assert!(!st.is_duplicate(before) && st.is_duplicate(before + 1));
    }
}
