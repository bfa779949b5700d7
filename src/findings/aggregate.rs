//! The aggregates every detector shares, built in one pass over the selection: per gateway
//! (by pool id, on each side) and per time bucket — calls, answers, talk time, short answers,
//! slow post-dial delays and capacity failures. Detectors read windows and baselines from it
//! instead of scanning all rows again.

use crate::cdr::{Reason, Store, TimeWriter};
use crate::stats::thresholds::Thresholds;
use crate::stats::timeline::Buckets;

/// Most buckets the analysis grid has; longer spans use coarser buckets.
const MAX_BUCKETS: i64 = 400;
const SIZES_MIN: [i64; 8] = [5, 15, 30, 60, 180, 360, 720, 1440];

/// Counts over one gateway and one bucket (or any sum of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    pub calls: u64,
    pub answered: u64,
    /// Answered calls shorter than [`Thresholds::short_call_secs`].
    pub short: u64,
    pub hold_ms: u64,
    /// Calls with a measured post-dial delay, and those slower than the gateway's usual 90th
    /// percentile.
    pub pdd_n: u64,
    pub pdd_slow: u64,
    /// Failures with a line-limit or concurrency code.
    pub capacity: u64,
}

impl Cell {
    pub fn add(&mut self, o: &Cell) {
        self.calls += o.calls;
        self.answered += o.answered;
        self.short += o.short;
        self.hold_ms += o.hold_ms;
        self.pdd_n += o.pdd_n;
        self.pdd_slow += o.pdd_slow;
        self.capacity += o.capacity;
    }

    pub fn minus(&self, o: &Cell) -> Cell {
        Cell {
            calls: self.calls.saturating_sub(o.calls),
            answered: self.answered.saturating_sub(o.answered),
            short: self.short.saturating_sub(o.short),
            hold_ms: self.hold_ms.saturating_sub(o.hold_ms),
            pdd_n: self.pdd_n.saturating_sub(o.pdd_n),
            pdd_slow: self.pdd_slow.saturating_sub(o.pdd_slow),
            capacity: self.capacity.saturating_sub(o.capacity),
        }
    }

    pub fn asr(&self) -> f64 {
        super::stat::ratio(self.answered, self.calls)
    }
}

/// One side (callee or caller gateway): the gateways seen, densely numbered, and their cells.
#[derive(Debug, Default)]
pub struct Side {
    /// Pool id of each dense gateway.
    pub ids: Vec<u32>,
    /// Dense index per pool id (`u32::MAX`: not in the selection).
    dense: Vec<u32>,
    /// `dense * buckets + k`.
    pub cells: Vec<Cell>,
    pub totals: Vec<Cell>,
    /// The post-dial delay (ms) above which a call counts as slow for this gateway.
    pub pdd_slow_ms: Vec<u32>,
}

impl Side {
    pub fn dense_of(&self, pool_id: u32) -> Option<usize> {
        self.dense.get(pool_id as usize).copied().filter(|d| *d != u32::MAX).map(|d| d as usize)
    }

    pub fn row(&self, d: usize, buckets: usize) -> &[Cell] {
        &self.cells[d * buckets..(d + 1) * buckets]
    }
}

pub struct Aggregates {
    pub grid: Buckets,
    pub callee: Side,
    pub caller: Side,
    /// Every call per bucket.
    pub all: Vec<Cell>,
    /// Per reason pool id: a line-limit / concurrency code.
    pub capacity_codes: Vec<bool>,
}

/// The analysis grid: buckets of at least `bucket_minutes`, aligned to the local clock,
/// coarser when the span would need more than [`MAX_BUCKETS`].
fn grid(store: &Store, rows: &[u32], tw: &TimeWriter, t: &Thresholds) -> Option<Buckets> {
    let base = Buckets::over(store, rows, tw)?;
    let span = base.size.saturating_mul(base.count as i64);
    let min = t.bucket_minutes.max(1) as i64;
    let size_min = SIZES_MIN
        .iter()
        .copied()
        .filter(|s| *s >= min)
        .find(|s| span / (s * 60_000) < MAX_BUCKETS)
        .unwrap_or(SIZES_MIN[SIZES_MIN.len() - 1]);
    let size = size_min * 60_000;
    let min_start = base.first;
    let offset_ms = i64::from(tw.offset_at(min_start)) * 1000;
    let first = (min_start + offset_ms).div_euclid(size) * size - offset_ms;
    let end = base.first + span;
    let count = usize::try_from((end - first).div_euclid(size) + 1).ok()?;
    Some(Buckets { first, size, count })
}

/// End reasons that mean a line limit or concurrency cap was hit.
pub fn is_capacity_code(r: &Reason) -> bool {
    match r {
        // OverAuthorizedCapacity, OverCapacity, RateLimited (calls per second).
        Reason::Code(c) => matches!(c, -24 | -25 | -76),
        Reason::Name(n) => {
            let k: String = n.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
            matches!(k.as_str(), "allgatewaybusy" | "overcapacity" | "overauthorizedcapacity")
        }
        Reason::Empty => false,
    }
}

/// 32 log-spaced PDD bins from 100 ms to about 100 s.
fn pdd_bin(ms: u32) -> usize {
    let x = (f64::from(ms.max(100)) / 100.0).log2() * 3.2;
    (x as usize).min(31)
}

fn bin_floor_ms(bin: usize) -> u32 {
    (100.0 * 2f64.powf(bin as f64 / 3.2)) as u32
}

impl Aggregates {
    pub fn build(store: &Store, rows: &[u32], tw: &TimeWriter, t: &Thresholds) -> Option<Aggregates> {
        let grid = grid(store, rows, tw, t)?;
        let c = &store.cols;
        let n_gw = store.pools.gateways.len();
        let capacity_codes = store.pools.reasons.mask(is_capacity_code);
        let short_ms = u64::from(t.short_call_secs).saturating_mul(1000);

        // Pass 1: which gateways appear, and each one's PDD distribution.
        let mut sides = [Side::default(), Side::default()];
        for s in sides.iter_mut() {
            s.dense = vec![u32::MAX; n_gw];
        }
        let mut hists: [Vec<[u32; 32]>; 2] = [Vec::new(), Vec::new()];
        for &r in rows {
            let i = r as usize;
            for (k, gw) in [c.callee_gw[i], c.caller_gw[i]].into_iter().enumerate() {
                let s = &mut sides[k];
                let Some(slot) = s.dense.get_mut(gw as usize) else { continue };
                if *slot == u32::MAX {
                    *slot = s.ids.len() as u32;
                    s.ids.push(gw);
                    hists[k].push([0; 32]);
                }
                if let Some(p) = store.pdd_ms(i) {
                    hists[k][*slot as usize][pdd_bin(p)] += 1;
                }
            }
        }
        for (k, s) in sides.iter_mut().enumerate() {
            s.pdd_slow_ms = hists[k]
                .iter()
                .map(|h| {
                    let n: u32 = h.iter().sum();
                    let mut acc = 0u32;
                    for (b, v) in h.iter().enumerate() {
                        acc += v;
                        if f64::from(acc) >= f64::from(n) * 0.9 {
                            return bin_floor_ms(b + 1);
                        }
                    }
                    u32::MAX
                })
                .collect();
            s.cells = vec![Cell::default(); s.ids.len() * grid.count];
            s.totals = vec![Cell::default(); s.ids.len()];
        }

        // Pass 2: the cells.
        let mut all = vec![Cell::default(); grid.count];
        for &r in rows {
            let i = r as usize;
            let Some(k) = grid.index(c.start_ms[i]) else { continue };
            let hold = u64::from(c.hold_ms[i]);
            let pdd = store.pdd_ms(i);
            let cap = capacity_codes.get(c.reason[i] as usize).copied().unwrap_or(false);
            let mut one = Cell {
                calls: 1,
                answered: u64::from(hold > 0),
                short: u64::from(hold > 0 && hold < short_ms),
                hold_ms: hold,
                pdd_n: u64::from(pdd.is_some()),
                pdd_slow: 0,
                capacity: u64::from(cap),
            };
            all[k].add(&one);
            for (side, gw) in [c.callee_gw[i], c.caller_gw[i]].into_iter().enumerate() {
                let s = &mut sides[side];
                let Some(d) = s.dense_of(gw) else { continue };
                one.pdd_slow = u64::from(pdd.is_some_and(|p| p > s.pdd_slow_ms[d]));
                s.cells[d * grid.count + k].add(&one);
                s.totals[d].add(&one);
            }
        }
        let [callee, caller] = sides;
        Some(Aggregates { grid, callee, caller, all, capacity_codes })
    }

    pub fn side(&self, callee: bool) -> &Side {
        if callee { &self.callee } else { &self.caller }
    }

    /// Sum of a gateway's cells over buckets `k0..=k1`.
    pub fn window(&self, side: &Side, d: usize, k0: usize, k1: usize) -> Cell {
        let mut out = Cell::default();
        for cell in side.row(d, self.grid.count).get(k0..=k1).unwrap_or(&[]) {
            out.add(cell);
        }
        out
    }

    /// Buckets per day, when the bucket size divides a day.
    pub fn buckets_per_day(&self) -> Option<usize> {
        (86_400_000 % self.grid.size == 0).then(|| (86_400_000 / self.grid.size) as usize)
    }

    /// The baseline of a window: the gateway's other buckets, and the same hours of the day
    /// before when the data reaches back that far (reported separately by the detectors that
    /// use it).
    pub fn baseline(&self, side: &Side, d: usize, k0: usize, k1: usize) -> Cell {
        side.totals[d].minus(&self.window(side, d, k0, k1))
    }

    pub fn start(&self, k: usize) -> i64 {
        self.grid.start(k)
    }
}

/// Side names for entities and filters.
pub fn side_names(callee: bool) -> (&'static str, &'static str, &'static str) {
    if callee {
        ("callee_gateway", "outgw", "routing gateway")
    } else {
        ("caller_gateway", "ingw", "mapping gateway")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdd_bins_are_ordered() {
        assert_eq!(pdd_bin(50), 0);
        assert!(pdd_bin(1000) < pdd_bin(3000));
        assert_eq!(pdd_bin(u32::MAX), 31);
        assert!(bin_floor_ms(pdd_bin(2500) + 1) > 2500);
    }
}
