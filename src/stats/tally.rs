//! What a summary counts, kept as sums that rows are added to: a followed source's new calls
//! are added to the tally of the calls before them instead of everything being counted again
//! (the console's refresh while following). Finishing a tally into a [`super::summary::Summary`]
//! reads no row.

use std::collections::{BTreeMap, HashMap};

use crate::cdr::Store;
use crate::cdr::record::fields::extra;

#[derive(Default, Clone, Debug)]
pub(crate) struct GwAcc {
    pub calls: u64,
    pub answered: u64,
    pub hold_ms: u64,
    pub pdd_ms: u64,
    pub pdd_n: u64,
}

/// PDD values counted per millisecond: exact percentiles in bounded memory (256 KiB, plus a
/// list for the rare values over 65 s) instead of a copy of every value.
#[derive(Clone, Debug)]
pub(crate) struct PddHistogram {
    counts: Vec<u32>,
    over: Vec<u32>,
    n: u64,
    sum: u64,
}

impl Default for PddHistogram {
    fn default() -> Self {
        PddHistogram { counts: vec![0; 1 << 16], over: Vec::new(), n: 0, sum: 0 }
    }
}

impl PddHistogram {
    pub fn add(&mut self, ms: u32) {
        match self.counts.get_mut(ms as usize) {
            Some(c) => *c = c.saturating_add(1),
            None => self.over.push(ms),
        }
        self.n += 1;
        self.sum += u64::from(ms);
    }

    fn merge(&mut self, o: &PddHistogram) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a = a.saturating_add(*b);
        }
        self.over.extend_from_slice(&o.over);
        self.n += o.n;
        self.sum += o.sum;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    /// Nearest-rank percentile.
    pub fn percentile(&self, p: f64) -> Option<u32> {
        if self.n == 0 {
            return None;
        }
        let rank = ((self.n as f64 * p).ceil() as u64).clamp(1, self.n);
        let mut seen = 0u64;
        for (ms, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return Some(ms as u32);
            }
        }
        let mut over = self.over.clone();
        over.sort_unstable();
        over.get((rank - seen - 1) as usize).copied()
    }
}

/// Counts per (gateway, end reason): a dense table when it is small enough (the usual case:
/// tens of gateways, tens of reasons), a map otherwise. The table grows with the pools.
#[derive(Clone, Debug)]
pub(crate) enum PairCounts {
    Dense { gateways: usize, reasons: usize, counts: Vec<u64> },
    Sparse(HashMap<(u32, u16), u64>),
}

impl Default for PairCounts {
    fn default() -> Self {
        PairCounts::Dense { gateways: 0, reasons: 0, counts: Vec::new() }
    }
}

impl PairCounts {
    const DENSE_LIMIT: usize = 1 << 22;

    /// Makes room for ids below `gateways` and `reasons`.
    fn fit(&mut self, gateways: usize, reasons: usize) {
        let (g, r) = match self {
            PairCounts::Dense { gateways, reasons, .. } => (*gateways, *reasons),
            PairCounts::Sparse(_) => return,
        };
        if gateways <= g && reasons <= r {
            return;
        }
        let (ng, nr) = (gateways.max(g), reasons.max(r));
        let pairs = self.pairs();
        *self = match ng.checked_mul(nr) {
            Some(n) if n <= Self::DENSE_LIMIT => {
                PairCounts::Dense { gateways: ng, reasons: nr, counts: vec![0; n] }
            }
            _ => PairCounts::Sparse(HashMap::new()),
        };
        for ((gw, reason), n) in pairs {
            self.add_n(gw, reason, n);
        }
    }

    fn add_n(&mut self, gw: u32, reason: u16, n: u64) {
        match self {
            PairCounts::Dense { reasons, counts, .. } => {
                if let Some(c) = counts.get_mut(gw as usize * *reasons + reason as usize) {
                    *c += n;
                }
            }
            PairCounts::Sparse(m) => *m.entry((gw, reason)).or_default() += n,
        }
    }

    fn merge(&mut self, o: &PairCounts) {
        if let PairCounts::Dense { gateways, reasons, .. } = o {
            self.fit(*gateways, *reasons);
        }
        for ((gw, reason), n) in o.pairs() {
            self.add_n(gw, reason, n);
        }
    }

    pub fn pairs(&self) -> Vec<((u32, u16), u64)> {
        match self {
            PairCounts::Dense { reasons, counts, .. } => counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (((i / reasons) as u32, (i % reasons) as u16), *n))
                .collect(),
            PairCounts::Sparse(m) => m.iter().map(|(k, v)| (*k, *v)).collect(),
        }
    }
}

/// Everything a summary counts over its rows.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub(crate) total: u64,
    pub(crate) answered: u64,
    pub(crate) hold_sum: u64,
    pub(crate) zero: u64,
    pub(crate) pdds: PddHistogram,
    pub(crate) by_reason: Vec<u64>,
    pub(crate) billing: Vec<u64>,
    pub(crate) caller_acc: Vec<GwAcc>,
    pub(crate) callee_acc: Vec<GwAcc>,
    pub(crate) caller_fail: PairCounts,
    pub(crate) callee_fail: PairCounts,
    /// Earliest and latest start of any row, and of the plausible ones (the timeline's span).
    pub(crate) span: Option<(i64, i64)>,
    pub(crate) plausible_span: Option<(i64, i64)>,
    /// Calls and answered calls per UTC minute of start (plausible starts): every timeline
    /// bucket is whole minutes.
    pub(crate) minutes: BTreeMap<i64, (u64, u64)>,
    /// Calls per pooled `sipreasonheader` value.
    pub(crate) reason_headers: HashMap<u32, u64>,
    /// Account id -> (name id, calls, answered, talk ms).
    pub(crate) accounts: HashMap<u32, (u32, u64, u64, u64)>,
    /// The last hour (and a minute) per start minute and (side, gateway): what "Gateways now"
    /// reads. The hour ends at the newest call or the clock, whichever is earlier (a call
    /// dated ahead moves nothing); older minutes are let go.
    pub(crate) recent: BTreeMap<i64, HashMap<(u8, u32), MinuteAcc>>,
}

/// One gateway's calls in one minute.
#[derive(Clone, Debug, Default)]
pub(crate) struct MinuteAcc {
    pub calls: u64,
    pub answered: u64,
    pub hold_ms: u64,
    pub pdd_sum: u64,
    pub pdd_n: u64,
    pub failures: HashMap<u16, u64>,
}

/// Minutes kept in [`Tally::recent`].
pub const RECENT_MINUTES: i64 = 61;

/// From this many rows a tally is counted on every core.
const PARALLEL_FROM: usize = 200_000;

fn widen(span: &mut Option<(i64, i64)>, t: i64) {
    *span = Some(span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
}

impl Tally {
    /// Adds rows (of `store`; ids of its pools).
    pub fn add(&mut self, store: &Store, rows: &[u32]) {
        let c = &store.cols;
        let n_gw = store.pools.gateways.len();
        let n_reasons = store.pools.reasons.len();
        for v in [&mut self.caller_acc, &mut self.callee_acc] {
            if v.len() < n_gw {
                v.resize(n_gw, GwAcc::default());
            }
        }
        if self.by_reason.len() < n_reasons {
            self.by_reason.resize(n_reasons, 0);
        }
        if self.billing.len() < 256 {
            self.billing.resize(256, 0);
        }
        self.caller_fail.fit(n_gw, n_reasons);
        self.callee_fail.fit(n_gw, n_reasons);
        let plausible = store.plausible_range();
        let rh = store.extra_index(extra::REASON_HEADER).and_then(|k| c.extras.get(k));
        let acc_col = store.extra_index(extra::ACCOUNT);
        let name_col = store.extra_index(extra::ACCOUNT_NAME);
        // The minute being summed: (minute, calls, answered).
        let mut run: Option<(i64, u64, u64)> = None;
        for &r in rows {
            let i = r as usize;
            let hold = store.hold_ms(i);
            let ans = hold > 0;
            let pdd = store.pdd_ms(i);
            self.total += 1;
            if ans {
                self.answered += 1;
                self.hold_sum += u64::from(hold);
            } else {
                self.zero += 1;
            }
            if let Some(p) = pdd {
                self.pdds.add(p);
            }
            self.by_reason[c.reason[i] as usize] += 1;
            self.billing[(c.billing_mode[i] as u8) as usize] += 1;
            for (acc, fail, gw) in [
                (&mut self.caller_acc, &mut self.caller_fail, c.caller_gw[i]),
                (&mut self.callee_acc, &mut self.callee_fail, c.callee_gw[i]),
            ] {
                let a = &mut acc[gw as usize];
                a.calls += 1;
                if ans {
                    a.answered += 1;
                    a.hold_ms += u64::from(hold);
                } else {
                    fail.add_n(gw, c.reason[i], 1);
                }
                if let Some(p) = pdd {
                    a.pdd_ms += u64::from(p);
                    a.pdd_n += 1;
                }
            }
            let t = c.start_ms[i];
            widen(&mut self.span, t);
            if plausible.contains(&t) {
                widen(&mut self.plausible_span, t);
                // Rows mostly come in time order: a minute's calls are summed before its
                // entry in the map is looked up, once a run instead of once a row.
                let minute = t.div_euclid(60_000);
                match &mut run {
                    Some((m, calls, answered)) if *m == minute => {
                        *calls += 1;
                        *answered += u64::from(ans);
                    }
                    _ => {
                        if let Some((m, calls, answered)) = run.take() {
                            let e = self.minutes.entry(m).or_default();
                            e.0 += calls;
                            e.1 += answered;
                        }
                        run = Some((minute, 1, u64::from(ans)));
                    }
                }
            }
            if let Some(col) = rh {
                let id = col.get(i);
                if id != 0 {
                    *self.reason_headers.entry(id).or_default() += 1;
                }
            }
            if acc_col.is_some() {
                let e = self.accounts.entry(store.extra_id(acc_col, i)).or_insert((
                    store.extra_id(name_col, i),
                    0,
                    0,
                    0,
                ));
                e.1 += 1;
                if ans {
                    e.2 += 1;
                    e.3 += u64::from(hold);
                }
            }
        }
        if let Some((m, calls, answered)) = run {
            let e = self.minutes.entry(m).or_default();
            e.0 += calls;
            e.1 += answered;
        }
        self.add_recent(store, rows);
    }

    /// The tally of `rows` (a tally of nothing else), counted on every core when there are many:
    /// each thread a share of the rows, then the shares merged. The same sums as [`Tally::add`].
    pub fn of(store: &Store, rows: &[u32]) -> Tally {
        Self::of_in_parts(store, rows, PARALLEL_FROM)
    }

    fn of_in_parts(store: &Store, rows: &[u32], parallel_from: usize) -> Tally {
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8);
        if rows.len() < parallel_from || threads < 2 {
            let mut t = Tally::default();
            t.add(store, rows);
            return t;
        }
        let chunk = rows.len().div_ceil(threads);
        let parts: Vec<Tally> = std::thread::scope(|s| {
            let handles: Vec<_> = rows
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        let mut t = Tally::default();
                        t.add(store, part);
                        t
                    })
                })
                .collect();
            // A panic in a share is the worker's panic: raised again here, where it is caught.
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        let mut parts = parts.into_iter();
        let mut t = parts.next().unwrap_or_default();
        for p in parts {
            t.merge(p);
        }
        // Each share kept the hour before its own newest call; the whole keeps the last hour
        // before the newest of all.
        if let Some(horizon) = t.horizon_minute() {
            t.recent = t.recent.split_off(&(horizon - RECENT_MINUTES));
        }
        t
    }

    /// Adds another tally of other rows of the same store.
    fn merge(&mut self, o: Tally) {
        self.total += o.total;
        self.answered += o.answered;
        self.hold_sum += o.hold_sum;
        self.zero += o.zero;
        self.pdds.merge(&o.pdds);
        let add_vec = |a: &mut Vec<u64>, b: &[u64]| {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        };
        add_vec(&mut self.by_reason, &o.by_reason);
        add_vec(&mut self.billing, &o.billing);
        for (mine, theirs) in [(&mut self.caller_acc, &o.caller_acc), (&mut self.callee_acc, &o.callee_acc)] {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), GwAcc::default());
            }
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.calls += b.calls;
                a.answered += b.answered;
                a.hold_ms += b.hold_ms;
                a.pdd_ms += b.pdd_ms;
                a.pdd_n += b.pdd_n;
            }
        }
        self.caller_fail.merge(&o.caller_fail);
        self.callee_fail.merge(&o.callee_fail);
        for (span, theirs) in [(&mut self.span, o.span), (&mut self.plausible_span, o.plausible_span)] {
            if let Some((a, b)) = theirs {
                widen(span, a);
                widen(span, b);
            }
        }
        for (m, (calls, answered)) in o.minutes {
            let e = self.minutes.entry(m).or_default();
            e.0 += calls;
            e.1 += answered;
        }
        for (id, n) in o.reason_headers {
            *self.reason_headers.entry(id).or_default() += n;
        }
        for (id, (name, calls, answered, talk)) in o.accounts {
            let e = self.accounts.entry(id).or_insert((name, 0, 0, 0));
            e.1 += calls;
            e.2 += answered;
            e.3 += talk;
        }
        for (m, gws) in o.recent {
            let minute = self.recent.entry(m).or_default();
            for (k, b) in gws {
                let a = minute.entry(k).or_default();
                a.calls += b.calls;
                a.answered += b.answered;
                a.hold_ms += b.hold_ms;
                a.pdd_sum += b.pdd_sum;
                a.pdd_n += b.pdd_n;
                for (code, n) in b.failures {
                    *a.failures.entry(code).or_default() += n;
                }
            }
        }
    }

    /// The minute "Gateways now" counts back from: the newest call or the clock, whichever is
    /// earlier.
    pub fn horizon_minute(&self) -> Option<i64> {
        let newest = self.plausible_span?.1;
        Some(newest.min(crate::cdr::record::time::now_ms()).div_euclid(60_000))
    }

    fn add_recent(&mut self, store: &Store, rows: &[u32]) {
        let Some(horizon) = self.horizon_minute() else { return };
        let first = horizon - RECENT_MINUTES;
        let c = &store.cols;
        for &r in rows {
            let i = r as usize;
            let m = c.start_ms[i].div_euclid(60_000);
            if m < first || m > horizon + 1 {
                continue;
            }
            let hold = store.hold_ms(i);
            let pdd = store.pdd_ms(i);
            let minute = self.recent.entry(m).or_default();
            for (side, gw) in [(0u8, c.callee_gw[i]), (1u8, c.caller_gw[i])] {
                let a = minute.entry((side, gw)).or_default();
                a.calls += 1;
                if hold > 0 {
                    a.answered += 1;
                    a.hold_ms += u64::from(hold);
                } else {
                    *a.failures.entry(c.reason[i]).or_default() += 1;
                }
                if let Some(p) = pdd {
                    a.pdd_sum += u64::from(p);
                    a.pdd_n += 1;
                }
            }
        }
        // Minutes that left the hour.
        self.recent = self.recent.split_off(&first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_in_parts_is_counted_whole() {
        let data = crate::cdr::sources::demo::demo_bytes();
        let zone = crate::cdr::Zone::parse("UTC").expect("utc");
        let opts = crate::cdr::LoadOptions { zone: zone.clone(), ..Default::default() };
        let spec = crate::cdr::SourceSpec::Memory { name: "demo".into(), data: std::sync::Arc::new(data) };
        let store = crate::cdr::load(&[spec], &opts, Default::default()).expect("load").store;
        let tw = crate::cdr::TimeWriter::new(zone);
        for rows in
            [(0..store.len() as u32).collect::<Vec<u32>>(), (0..store.len() as u32).step_by(3).collect()]
        {
            let mut whole = Tally::default();
            whole.add(&store, &rows);
            let parts = Tally::of_in_parts(&store, &rows, 1);
            let json = |t: &Tally| {
                serde_json::to_value(crate::report::summary::finish(&store, t, &rows, &tw, false))
                    .expect("json")
            };
            assert_eq!(json(&parts), json(&whole));
            let newest = store.time_span().map_or(0, |(_, b)| b);
            assert_eq!(
                super::super::board::board_of(&store, &parts, newest),
                super::super::board::board_of(&store, &whole, newest)
            );
            assert_eq!(parts.recent.keys().collect::<Vec<_>>(), whole.recent.keys().collect::<Vec<_>>());
        }
    }

    #[test]
    fn pdd_percentiles_are_exact_past_the_histogram() {
        let mut h = PddHistogram::default();
        for v in [100, 200, 300, 70_000, 90_000] {
            h.add(v);
        }
        // Nearest rank: ceil(5 * 0.95) = 5th value; ceil(5 * 0.6) = 3rd; ceil(5 * 0.8) = 4th.
        assert_eq!(h.percentile(0.95), Some(90_000));
        assert_eq!(h.percentile(0.6), Some(300));
        assert_eq!(h.percentile(0.8), Some(70_000));
        assert_eq!(h.mean(), Some(32_120.0));
        assert_eq!(PddHistogram::default().percentile(0.95), None);
    }
}
