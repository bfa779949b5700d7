//! What the worker keeps for one snapshot so that keys over millions of calls answer within a
//! frame: each sort key's order of all calls (built the first time that key is asked for), and
//! the statistics of all calls. Clearing the filter then costs a copy, reversing a sort a
//! reversed copy, and a filter in a kept order one pass over it. A new snapshot (rows arrived
//! or dropped) starts over; following continues answers its own way (see `answer`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::cdr::Store;
use crate::query::Selection;
use crate::stats::tally::Tally;
use crate::tui::worker::{Sort, SortKey};

#[derive(Default)]
pub struct Orders {
    /// The snapshot these belong to.
    store: Option<Arc<Store>>,
    /// Every call (repeats left out) in ascending order of the key, ties by row.
    ascending: HashMap<SortKey, Arc<Selection>>,
    /// The statistics of every call.
    all: Option<Tally>,
    /// The last filter's calls (row order) and statistics: a new sort of the same calls needs
    /// neither evaluated nor counted again.
    last: Option<(String, Arc<Selection>, Tally)>,
}

/// A selection at least this share of all calls is put in order from the kept order (one pass
/// over it) instead of sorted: below it, sorting the few is cheaper.
const WALK_SHARE: usize = 16;

impl Orders {
    /// Forgets what belonged to another snapshot.
    fn for_store(&mut self, store: &Arc<Store>) {
        if !self.store.as_ref().is_some_and(|s| Arc::ptr_eq(s, store)) {
            *self = Orders { store: Some(store.clone()), ..Orders::default() };
        }
    }

    /// `rows` (ascending row numbers, a query's answer) in `sort` order. `all` says they are
    /// every call (the empty filter).
    pub fn order(&mut self, store: &Arc<Store>, mut rows: Selection, all: bool, sort: Sort) -> Selection {
        self.for_store(store);
        let n = store.len().max(1);
        let kept = self.ascending.get(&sort.key).cloned();
        let order = match kept {
            Some(o) => o,
            // Worth building: every call, or a large share of them.
            None if all || rows.len() >= n / 4 => {
                let mut every = if all { rows.clone() } else { every_call(store) };
                crate::tui::worker::sort::sort_rows(
                    store,
                    &mut every,
                    Sort { key: sort.key, descending: false },
                );
                let o = Arc::new(every);
                self.ascending.insert(sort.key, o.clone());
                o
            }
            None => {
                crate::tui::worker::sort::sort_rows(store, &mut rows, sort);
                return rows;
            }
        };
        if all {
            return directed(&order, sort.descending, |_| true);
        }
        if rows.len() < n / WALK_SHARE {
            crate::tui::worker::sort::sort_rows(store, &mut rows, sort);
            return rows;
        }
        let mut member = vec![false; store.len()];
        for &r in &rows {
            if let Some(m) = member.get_mut(r as usize) {
                *m = true;
            }
        }
        directed(&order, sort.descending, |r| member.get(r as usize).copied().unwrap_or(false))
    }

    /// The calls of filter `text` and their statistics, when they were the last asked for.
    pub fn last(&mut self, store: &Arc<Store>, text: &str) -> Option<(Selection, Tally)> {
        self.for_store(store);
        let (t, rows, tally) = self.last.as_ref()?;
        (t == text).then(|| (rows.to_vec(), tally.clone()))
    }

    /// Keeps the calls of filter `text` and their statistics (see [`Orders::last`]).
    pub fn keep_last(&mut self, store: &Arc<Store>, text: &str, rows: &Selection, tally: &Tally) {
        self.for_store(store);
        self.last = Some((text.to_string(), Arc::new(rows.clone()), tally.clone()));
    }

    /// The statistics of every call, counted once per snapshot.
    pub fn all_tally(&mut self, store: &Arc<Store>, rows: &[u32]) -> Tally {
        self.for_store(store);
        self.all.get_or_insert_with(|| Tally::of(store, rows)).clone()
    }
}

/// Every call of the store (repeats left out), ascending.
fn every_call(store: &Store) -> Selection {
    let dups = store.duplicate_rows() > 0;
    (0..store.len()).filter(|&i| !dups || !store.is_duplicate(i)).map(|i| i as u32).collect()
}

/// The kept ascending order, reversed for descending (which is the exact reverse: ties are
/// by row), keeping the rows `keep` takes.
fn directed(order: &[u32], descending: bool, keep: impl Fn(u32) -> bool) -> Selection {
    if descending {
        order.iter().rev().copied().filter(|&r| keep(r)).collect()
    } else {
        order.iter().copied().filter(|&r| keep(r)).collect()
    }
}
