//! The calls view's answer kept between requests, so that while following only the rows that
//! arrived are filtered, sorted into place and counted: the refresh costs what arrived, not
//! the whole store. Anything that changes old rows (the retention window dropping some, a
//! source's holdTime unit decided anew, old rows marked as repeats) starts over.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::cdr::Store;
use crate::cdr::store::table::HoldUnit;
use crate::query::{Context, Query, Selection, evaluate, evaluate_range};
use crate::stats::tally::Tally;
use crate::tui::worker::Sort;
use crate::tui::worker::sort::{ordered, sort_rows};

/// The last answer: the query and order it was for, the snapshot it counted, its rows (in
/// order) and its tally.
pub struct Kept {
    text: String,
    sort: Sort,
    store: Arc<Store>,
    holds: Vec<Option<HoldUnit>>,
    pub rows: Arc<Selection>,
    pub tally: Tally,
    /// The rows of the answer before, whose buffer the next merge writes into once nobody
    /// reads them: a fresh buffer of millions of rows each refresh costs page faults.
    spare: Option<Arc<Selection>>,
}

/// The rows of `q` over `store` in `sort` order, with their tally: from `kept` when only rows
/// were appended since, else from scratch.
pub fn answer(
    q: &Query,
    text: &str,
    sort: Sort,
    ctx: &Context<'_>,
    snapshot: &Arc<Store>,
    kept: Option<Kept>,
    orders: &mut crate::tui::worker::orders::Orders,
) -> Kept {
    let store = ctx.store;
    let holds: Vec<Option<HoldUnit>> = store.sources.iter().map(|s| s.hold_unit).collect();
    let (rows, tally, spare) = match kept.filter(|k| k.continues(text, sort, store, &holds)) {
        Some(k) => {
            let mut new = evaluate_range(q, ctx, k.store.len()..store.len());
            sort_rows(store, &mut new, sort);
            let mut tally = k.tally;
            tally.add(store, &new);
            let mut rows = k.spare.and_then(|s| Arc::try_unwrap(s).ok()).unwrap_or_default();
            merge(&k.rows, &new, ordered(store, sort), &mut rows);
            (rows, tally, Some(k.rows))
        }
        // From scratch: in a kept order where there is one, with the kept statistics of all
        // calls for the empty filter.
        // Counted in row order (the columns read front to back), then put in order.
        None => {
            let all = q.is_empty();
            let (rows, tally) = match orders.last(snapshot, text) {
                // The same calls in another order.
                Some(kept) => kept,
                None => {
                    let rows = evaluate(q, ctx);
                    let tally = if all { orders.all_tally(snapshot, &rows) } else { Tally::of(store, &rows) };
                    orders.keep_last(snapshot, text, &rows, &tally);
                    (rows, tally)
                }
            };
            (orders.order(snapshot, rows, all, sort), tally, None)
        }
    };
    Kept { text: text.to_string(), sort, store: snapshot.clone(), holds, rows: Arc::new(rows), tally, spare }
}

impl Kept {
    /// Whether `store` only has rows appended to the one this answer counted.
    fn continues(&self, text: &str, sort: Sort, store: &Store, holds: &[Option<HoldUnit>]) -> bool {
        let old = &self.store;
        if self.text != text || self.sort != sort || store.dropped != old.dropped || store.len() < old.len() {
            return false;
        }
        // A unit decided anew changes old rows' talk times.
        if holds.get(..self.holds.len()) != Some(&self.holds[..]) {
            return false;
        }
        // Repeats are marked as rows arrive; more marks than the new rows carry means old
        // rows were marked (a source's first reading ended).
        let new_dups = (old.len()..store.len()).filter(|&i| store.is_duplicate(i)).count();
        store.duplicate_rows() == old.duplicate_rows() + new_dups
    }
}

/// Two lists in one order, merged into `out` (emptied first).
fn merge(old: &[u32], new: &[u32], cmp: impl Fn(&u32, &u32) -> Ordering, out: &mut Selection) {
    out.clear();
    out.reserve(old.len() + new.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        if cmp(&new[j], &old[i]) == Ordering::Less {
            out.push(new[j]);
            j += 1;
        } else {
            out.push(old[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&old[i..]);
    out.extend_from_slice(&new[j..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::formats::parse::{Block, parse_block};
    use crate::cdr::record::time::TimeReader;
    use crate::cdr::{LoadOptions, Progress, SourceSpec, TimeWriter, Zone, load};
    use crate::report::summary::finish;
    use crate::tui::worker::SortKey;

    /// The demo cut in two: the first part loaded, the second appended as a follower would.
    fn grown() -> (Arc<Store>, Arc<Store>) {
        let data = crate::cdr::sources::demo::demo_bytes();
        let mid = data.len() / 2;
        let cut = mid + data[mid..].iter().position(|b| *b == b'\n').map_or(0, |p| p + 1);
        let zone = Zone::parse("UTC").expect("utc");
        let opts = LoadOptions { zone: zone.clone(), ..LoadOptions::default() };
        let spec = SourceSpec::Memory { name: "demo".into(), data: Arc::new(data[..cut].to_vec()) };
        let first = load(&[spec], &opts, Arc::new(Progress::default())).expect("load").store;
        let layout = crate::cdr::formats::detect::detect(&data[..cut]).expect("layout");
        let rest = data[cut..].to_vec();
        let block = Block {
            source: 0,
            seq: 0,
            first_line: 1 + data[..cut].iter().filter(|b| **b == b'\n').count() as u64,
            lines: rest.iter().filter(|b| **b == b'\n').count() as u64,
            data: rest,
            rows: Default::default(),
            skip_header: false,
            ends_source: false,
            tail_is_pending: false,
            too_long: None,
        };
        let before = Arc::new(first.clone());
        let mut after = first;
        after.append(parse_block(&block, &layout, &TimeReader::new(zone)));
        assert!(after.len() > before.len() + 1000, "rows were appended");
        (before, Arc::new(after))
    }

    #[test]
    fn appended_rows_give_the_answer_counting_everything_again_gives() {
        let (before, after) = grown();
        let zone = Zone::parse("UTC").expect("utc");
        let tw = TimeWriter::new(zone.clone());
        for (text, key, descending) in [
            ("", SortKey::Time, true),
            ("code:486,503 outgw:CT-Route-2", SortKey::Reason, false),
            ("answered:yes", SortKey::Duration, true),
            ("-ingw:CUST-Alpha", SortKey::CalleeGateway, false),
        ] {
            let q = crate::query::parse(text).expect("query");
            let sort = Sort { key, descending };
            let (cb, ca) = (
                Context { store: &before, zone: zone.clone(), now_ms: 1_800_000_000_000 },
                Context { store: &after, zone: zone.clone(), now_ms: 1_800_000_000_000 },
            );
            let mut orders = Default::default();
            let old = answer(&q, text, sort, &cb, &before, None, &mut orders);
            let grown = answer(&q, text, sort, &ca, &after, Some(old), &mut orders);
            let fresh = answer(&q, text, sort, &ca, &after, None, &mut Default::default());
            assert_eq!(grown.rows, fresh.rows, "{text}: the same rows in the same order");
            let json =
                |k: &Kept| serde_json::to_value(finish(&after, &k.tally, &k.rows, &tw, false)).expect("json");
            assert_eq!(json(&grown), json(&fresh), "{text}: the same summary");
            let newest = after.time_span().map_or(0, |(_, b)| b);
            let board = |k: &Kept| crate::stats::board::board_of(&after, &k.tally, newest);
            assert_eq!(board(&grown), board(&fresh), "{text}: the same Gateways now");
            assert_eq!(board(&fresh), crate::stats::board::board(&after, &fresh.rows, newest));
        }
    }

    #[test]
    fn sorting_by_keys_agrees_with_the_comparison() {
        let (_, after) = grown();
        for key in SortKey::ALL {
            for descending in [false, true] {
                let sort = Sort { key, descending };
                let mut fast: Vec<u32> = (0..after.len() as u32).rev().collect();
                sort_rows(&after, &mut fast, sort);
                let mut slow: Vec<u32> = (0..after.len() as u32).collect();
                slow.sort_by(ordered(&after, sort));
                assert_eq!(fast, slow, "{key:?} descending {descending}");
            }
        }
    }

    #[test]
    fn kept_orders_and_statistics_give_the_fresh_answer() {
        let (_, after) = grown();
        let zone = Zone::parse("UTC").expect("utc");
        let tw = TimeWriter::new(zone.clone());
        let ctx = Context { store: &after, zone, now_ms: 1_800_000_000_000 };
        let mut orders = Default::default();
        // In the order an operator would press them: orders and the all-calls tally reused.
        for (text, key, descending) in [
            ("", SortKey::Time, true),
            ("", SortKey::Duration, true),
            ("", SortKey::Duration, false),
            ("outgw:CT-Route-2", SortKey::Duration, false),
            ("-code:-8", SortKey::Duration, true),
            ("code:486", SortKey::CalleeGateway, false),
            ("", SortKey::Reason, true),
            ("-code:-7", SortKey::Reason, false),
        ] {
            let q = crate::query::parse(text).expect("query");
            let sort = Sort { key, descending };
            let kept = answer(&q, text, sort, &ctx, &after, None, &mut orders);
            let fresh = answer(&q, text, sort, &ctx, &after, None, &mut Default::default());
            let mut slow = crate::query::evaluate(&q, &ctx);
            slow.sort_by(ordered(&after, sort));
            assert_eq!(*kept.rows, slow, "{text} {key:?}: the order");
            assert_eq!(kept.rows, fresh.rows);
            let json =
                |k: &Kept| serde_json::to_value(finish(&after, &k.tally, &k.rows, &tw, false)).expect("json");
            assert_eq!(json(&kept), json(&fresh), "{text}: the same summary");
        }
    }

    #[test]
    fn a_changed_query_or_dropped_rows_start_over() {
        let (before, after) = grown();
        let zone = Zone::parse("UTC").expect("utc");
        let sort = Sort { key: SortKey::Time, descending: true };
        let ctx = Context { store: &before, zone: zone.clone(), now_ms: 0 };
        let q = crate::query::parse("").expect("query");
        let old = answer(&q, "", sort, &ctx, &before, None, &mut Default::default());
        let holds: Vec<_> = after.sources.iter().map(|s| s.hold_unit).collect();
        assert!(old.continues("", sort, &after, &holds));
        assert!(!old.continues("code:486", sort, &after, &holds));
        assert!(!old.continues("", Sort { key: SortKey::Pdd, descending: true }, &after, &holds));
        let mut dropped = (*after).clone();
        dropped.drop_front(10);
        assert!(!old.continues("", sort, &dropped, &holds));
        let other_unit: Vec<_> = holds.iter().map(|_| Some(HoldUnit::Ms)).collect();
        assert!(!old.continues("", sort, &after, &other_unit) || holds == other_unit);
    }
}
