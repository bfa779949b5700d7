//! The same call read from two sources (a file and its `.gz` copy, a dump and the database,
//! two overlapping dumps) counts once. Duplicates are looked for only across sources, never
//! within one (a source may legitimately repeat a value), keyed as the conventions say: by
//! (`softswitchname`, `flowno`) where both calls have them (`flowno` alone is unique only per
//! softswitch), else by caller, callee, start second and holdTime.
//!
//! The check runs when a source ends, against the rows of earlier sources whose calls start
//! in the same time range, so sources that cannot overlap (hourly files of different hours)
//! cost nothing but a range comparison. The later copy is marked and left out of every query.

use std::collections::HashMap;

use super::fields::extra;
use super::number::PackedNumber;
use super::store::Store;

/// Caller, callee, start second, talk time.
type Fallback = (PackedNumber, PackedNumber, i64, u32);

/// Marks the rows of source `src` that repeat calls of earlier sources; returns how many,
/// per earlier source.
pub fn mark_source(store: &mut Store, src: usize) -> Vec<(usize, u64)> {
    let Some(range) = store.source_rows(src) else { return Vec::new() };
    let Some((lo, hi)) = start_range(store, range.clone()) else { return Vec::new() };
    let earlier: Vec<std::ops::Range<usize>> = (0..store.sources.len())
        .filter(|&o| o != src && store.sources[o].ended)
        .filter_map(|o| store.source_rows(o))
        .filter(|r| r.start < range.start)
        .collect();
    if earlier.is_empty() {
        return Vec::new();
    }
    let ss_col = store.extra_index(extra::SOFTSWITCH);
    let softswitch = |st: &Store, i: usize| -> u32 {
        ss_col.and_then(|k| st.cols.extras.get(k)).and_then(|e| e.values.get(i)).copied().unwrap_or(0)
    };
    let flowno = |st: &Store, i: usize| st.cols.flowno.get(i).copied().unwrap_or(0);
    let fallback = |st: &Store, i: usize| -> Fallback {
        (st.cols.caller[i], st.cols.callee[i], st.cols.start_ms[i].div_euclid(1000), st.cols.hold_ms[i])
    };

    // The earlier calls that could be repeated: those starting within this source's range.
    let mut by_primary: HashMap<(u32, u64), usize> = HashMap::new();
    let mut by_fallback: HashMap<Fallback, usize> = HashMap::new();
    for r in &earlier {
        for i in r.clone() {
            let t = store.cols.start_ms[i];
            if t < lo || t > hi || store.is_duplicate(i) {
                continue;
            }
            let (ss, fl) = (softswitch(store, i), flowno(store, i));
            if ss != 0 && fl != 0 {
                by_primary.entry((ss, fl)).or_insert(i);
            }
            by_fallback.entry(fallback(store, i)).or_insert(i);
        }
    }
    if by_fallback.is_empty() {
        return Vec::new();
    }
    let mut per_source: HashMap<usize, u64> = HashMap::new();
    let mut marked = Vec::new();
    for i in range {
        let (ss, fl) = (softswitch(store, i), flowno(store, i));
        let has_primary = ss != 0 && fl != 0;
        let original = if has_primary { by_primary.get(&(ss, fl)).copied() } else { None };
        let original = original.or_else(|| {
            let o = *by_fallback.get(&fallback(store, i))?;
            // Both have the stronger key and it differs: two calls, not one.
            let differs = has_primary && {
                let (oss, ofl) = (softswitch(store, o), flowno(store, o));
                oss != 0 && ofl != 0 && (oss, ofl) != (ss, fl)
            };
            (!differs).then_some(o)
        });
        if let Some(o) = original {
            marked.push(i);
            if let Some(s) = store.source_index_of(o) {
                *per_source.entry(s).or_default() += 1;
            }
        }
    }
    for i in marked {
        store.mark_duplicate(i);
    }
    let mut out: Vec<(usize, u64)> = per_source.into_iter().collect();
    out.sort_unstable();
    out
}

fn start_range(store: &Store, rows: std::ops::Range<usize>) -> Option<(i64, i64)> {
    let starts = store.cols.start_ms.get(rows)?;
    Some((*starts.iter().min()?, *starts.iter().max()?))
}
