//! The aggregates every detector shares, built in one pass over the selection: per gateway
//! (by pool id, on each side) and per time bucket — calls, answers, talk time, short answers,
//! slow post-dial delays and capacity failures. Detectors read windows and baselines from it
//! instead of scanning all rows again.

use crate::cdr::{Reason, Store, TimeWriter};
use crate::stats::thresholds::Thresholds;
use crate::stats::timeline::Buckets;

/// Most buckets the analysis grid has; longer spans use coarser buckets.
const MAX_BUCKETS: i64 = 400;
const SIZES_MIN: [i64; 11] = [5, 15, 30, 60, 180, 360, 720, 1440, 7 * 1440, 30 * 1440, 365 * 1440];
/// Memory for one copy of a side's cells: the busiest gateways that fit are analysed (all of
/// them unless a selection has many hundreds active at once), so hostile input with a
/// hundred thousand gateway names cannot make the findings take gigabytes.
const CELLS_BUDGET_BYTES: usize = 16 << 20;
/// A gateway with fewer calls than this cannot pass any detector's minimum.
const MIN_GATEWAY_CALLS: u64 = 10;

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
    /// Failures with 486 Busy Here or 503 Service Unavailable (a burst at the busiest time
    /// is a capacity sign).
    pub busy: u64,
    /// Calls that reached the called user: answered, or ended busy, unanswered or declined
    /// by them (NER's numerator, see [`crate::kb::outcome`]).
    pub effective: u64,
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
        self.busy += o.busy;
        self.effective += o.effective;
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
            busy: self.busy.saturating_sub(o.busy),
            effective: self.effective.saturating_sub(o.effective),
        }
    }

    pub fn asr(&self) -> f64 {
        super::stat::ratio(self.answered, self.calls)
    }

    pub fn ner(&self) -> f64 {
        super::stat::ratio(self.effective, self.calls)
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

    /// The gateways with a name (calls with no gateway are not an entity): dense index, pool
    /// id and name.
    pub fn named<'s>(&'s self, store: &'s Store) -> impl Iterator<Item = (usize, u32, &'s str)> + 's {
        self.ids
            .iter()
            .enumerate()
            .map(|(d, &gw)| (d, gw, store.pools.gateways.resolve(gw)))
            .filter(|(_, _, name)| !name.is_empty())
    }

    pub fn row(&self, d: usize, buckets: usize) -> &[Cell] {
        &self.cells[d * buckets..(d + 1) * buckets]
    }
}

pub struct Aggregates<'a> {
    /// The selection the aggregates are over.
    pub rows: &'a [u32],
    /// The bucket of each selected row (aligned with `rows`; [`NO_BUCKET`] outside the grid),
    /// so a detector finds a window's rows without dividing times again.
    pub bucket: Vec<u16>,
    pub grid: Buckets,
    pub callee: Side,
    pub caller: Side,
    /// Every call per bucket.
    pub all: Vec<Cell>,
    /// Per reason pool id: a line-limit / concurrency code.
    pub capacity_codes: Vec<bool>,
}

/// A row outside the analysis grid (an implausible time).
pub const NO_BUCKET: u16 = u16::MAX;

/// The PDD (ms) above which a call is slower than 90% of a gateway's calls.
fn slow_cut(h: &[u32; 32]) -> u32 {
    let n: u64 = h.iter().map(|v| u64::from(*v)).sum();
    let mut acc = 0u64;
    for (b, v) in h.iter().enumerate() {
        acc += u64::from(*v);
        if acc * 10 >= n * 9 && n > 0 {
            return bin_floor_ms(b + 1);
        }
    }
    u32::MAX
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

/// One thread's share of pass 2: its cells.
struct Partial {
    sides: [Vec<Cell>; 2],
    all: Vec<Cell>,
}

impl<'a> Aggregates<'a> {
    pub fn build(store: &Store, rows: &'a [u32], tw: &TimeWriter, t: &Thresholds) -> Option<Aggregates<'a>> {
        let grid = grid(store, rows, tw, t)?;
        // Bucket numbers are u16: the grid never has that many (at most ~400, or a year each).
        if grid.count >= usize::from(NO_BUCKET) {
            return None;
        }
        let c = &store.cols;
        let n_gw = store.pools.gateways.len();
        let capacity_codes = store.pools.reasons.mask(is_capacity_code);
        let busy_codes = store.pools.reasons.mask(|r| matches!(r.code(), Some(486 | 503)));
        let user_side_codes = store.pools.reasons.mask(|r| r.outcome().in_ner());
        let short_ms = u64::from(t.short_call_secs).saturating_mul(1000);

        // Pass 1: which gateways appear (every row, cheap), and each one's PDD distribution
        // (a sample of at most about 250,000 rows: it only sets the cut for "slow").
        let step = (rows.len() / 250_000).max(1);
        let mut present = [vec![0u64; n_gw], vec![0u64; n_gw]];
        let mut hists = [vec![[0u32; 32]; n_gw], vec![[0u32; 32]; n_gw]];
        for (n, &r) in rows.iter().enumerate() {
            let i = r as usize;
            let sample = n % step == 0;
            let pdd = if sample { store.pdd_ms(i) } else { None };
            for (k, gw) in [c.callee_gw[i], c.caller_gw[i]].into_iter().enumerate() {
                if let Some(p) = present[k].get_mut(gw as usize) {
                    *p += 1;
                    if let Some(ms) = pdd {
                        hists[k][gw as usize][pdd_bin(ms)] += 1;
                    }
                }
            }
        }
        let mut sides = [Side::default(), Side::default()];
        let room = (CELLS_BUDGET_BYTES / std::mem::size_of::<Cell>() / grid.count.max(1)).max(1);
        for (k, s) in sides.iter_mut().enumerate() {
            s.dense = vec![u32::MAX; n_gw];
            let mut busy: Vec<(u64, u32)> = present[k]
                .iter()
                .enumerate()
                .filter(|(_, n)| **n >= MIN_GATEWAY_CALLS)
                .map(|(gw, n)| (*n, gw as u32))
                .collect();
            if busy.len() > room {
                busy.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                busy.truncate(room);
            }
            busy.sort_unstable_by_key(|(_, gw)| *gw);
            for (_, gw) in busy {
                s.dense[gw as usize] = s.ids.len() as u32;
                s.ids.push(gw);
            }
            s.pdd_slow_ms = s.ids.iter().map(|&gw| slow_cut(&hists[k][gw as usize])).collect();
        }

        // Pass 2, on every core over contiguous slices of the rows: the cells.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let chunk = rows.len().div_ceil(threads).max(1);
        let sides_ref = &sides;
        let capacity_ref = &capacity_codes;
        let busy_ref = &busy_codes;
        let user_side_ref = &user_side_codes;
        let mut bucket = vec![NO_BUCKET; rows.len()];
        let partials: Vec<Partial> = std::thread::scope(|scope| {
            let handles: Vec<_> = rows
                .chunks(chunk)
                .zip(bucket.chunks_mut(chunk))
                .map(|(slice, buckets)| {
                    scope.spawn(move || {
                        let mut part = Partial {
                            sides: [
                                vec![Cell::default(); sides_ref[0].ids.len() * grid.count],
                                vec![Cell::default(); sides_ref[1].ids.len() * grid.count],
                            ],
                            all: vec![Cell::default(); grid.count],
                        };
                        for (&r, b) in slice.iter().zip(buckets.iter_mut()) {
                            let i = r as usize;
                            let Some(k) = grid.index(c.start_ms[i]) else { continue };
                            *b = k as u16;
                            let hold = u64::from(store.hold_ms(i));
                            let pdd = store.pdd_ms(i);
                            let cap = capacity_ref.get(c.reason[i] as usize).copied().unwrap_or(false);
                            let mut one = Cell {
                                calls: 1,
                                answered: u64::from(hold > 0),
                                short: u64::from(hold > 0 && hold < short_ms),
                                hold_ms: hold,
                                pdd_n: u64::from(pdd.is_some()),
                                pdd_slow: 0,
                                capacity: u64::from(cap),
                                busy: u64::from(
                                    hold == 0 && busy_ref.get(c.reason[i] as usize).copied().unwrap_or(false),
                                ),
                                effective: u64::from(
                                    hold > 0
                                        || user_side_ref.get(c.reason[i] as usize).copied().unwrap_or(false),
                                ),
                            };
                            part.all[k].add(&one);
                            for (side, gw) in [c.callee_gw[i], c.caller_gw[i]].into_iter().enumerate() {
                                let s = &sides_ref[side];
                                let Some(d) = s.dense_of(gw) else { continue };
                                one.pdd_slow = u64::from(pdd.is_some_and(|p| p > s.pdd_slow_ms[d]));
                                part.sides[side][d * grid.count + k].add(&one);
                            }
                        }
                        part
                    })
                })
                .collect();
            // A panicked thread loses its share, never the console.
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        let mut all = vec![Cell::default(); grid.count];
        for (k, s) in sides.iter_mut().enumerate() {
            s.cells = vec![Cell::default(); s.ids.len() * grid.count];
            for p in &partials {
                for (cell, add) in s.cells.iter_mut().zip(&p.sides[k]) {
                    cell.add(add);
                }
            }
            s.totals = (0..s.ids.len())
                .map(|d| {
                    let mut t = Cell::default();
                    for cell in s.row(d, grid.count) {
                        t.add(cell);
                    }
                    t
                })
                .collect();
        }
        for p in partials {
            for (cell, add) in all.iter_mut().zip(&p.all) {
                cell.add(add);
            }
        }
        let [callee, caller] = sides;
        Some(Aggregates { rows, bucket, grid, callee, caller, all, capacity_codes })
    }

    /// The selected rows starting in buckets `k0..=k1`, in row order.
    pub fn rows_in(&self, k0: usize, k1: usize) -> impl Iterator<Item = usize> + '_ {
        let (lo, hi) = (k0.min(usize::from(NO_BUCKET)) as u16, k1.min(usize::from(NO_BUCKET) - 1) as u16);
        self.rows
            .iter()
            .zip(&self.bucket)
            .filter(move |(_, b)| (lo..=hi).contains(*b))
            .map(|(&r, _)| r as usize)
    }

    /// Every selected row inside the grid, with its bucket.
    pub fn rows_with_bucket(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.rows
            .iter()
            .zip(&self.bucket)
            .filter(|(_, b)| **b != NO_BUCKET)
            .map(|(&r, &b)| (r as usize, usize::from(b)))
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

    /// The same buckets one day earlier, when the data reaches back that far and the gateway
    /// had calls then: `(cell, first bucket)`.
    pub fn yesterday(&self, side: &Side, d: usize, k0: usize, k1: usize) -> Option<(Cell, usize)> {
        let day = self.buckets_per_day()?;
        let y0 = k0.checked_sub(day)?;
        let y1 = k1.checked_sub(day)?;
        let c = self.window(side, d, y0, y1);
        (c.calls > 0).then_some((c, y0))
    }

    pub fn start(&self, k: usize) -> i64 {
        self.grid.start(k)
    }
}

/// The gateway of row `i` on the callee (routing) or caller (mapping) side.
pub fn gateway_on(c: &crate::cdr::store::columns::Columns, callee: bool, i: usize) -> u32 {
    if callee { c.callee_gw[i] } else { c.caller_gw[i] }
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
