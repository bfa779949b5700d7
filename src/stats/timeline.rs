//! Calls over time, in buckets sized to the span.

use serde::Serialize;

use crate::cdr::{Store, TimeWriter};

/// Bucket sizes tried, smallest first; the first that gives at most [`MAX_BUCKETS`] wins.
const SIZES_MS: [i64; 11] = [
    60_000,
    5 * 60_000,
    15 * 60_000,
    30 * 60_000,
    3_600_000,
    3 * 3_600_000,
    6 * 3_600_000,
    12 * 3_600_000,
    86_400_000,
    7 * 86_400_000,
    30 * 86_400_000,
];
pub const MAX_BUCKETS: i64 = 48;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    /// Local start time, `YYYY-MM-DD HH:MM:SS`.
    pub start: String,
    #[serde(skip)]
    pub start_ms: i64,
    pub calls: u64,
    pub answered: u64,
}

pub fn bucket_size(span_ms: i64) -> i64 {
    SIZES_MS.iter().copied().find(|s| span_ms / s < MAX_BUCKETS).unwrap_or(SIZES_MS[SIZES_MS.len() - 1])
}

/// A short label for a bucket size: `15m`, `1h`, `1d`.
pub fn size_label(ms: i64) -> String {
    match ms {
        m if m % 86_400_000 == 0 => format!("{}d", m / 86_400_000),
        m if m % 3_600_000 == 0 => format!("{}h", m / 3_600_000),
        m => format!("{}m", m / 60_000),
    }
}

/// The bucket grid over a set of calls: sized to their span, aligned to the local clock (an
/// hour bucket starts on the hour). The summary's timeline, the findings and the console's
/// per-item timelines all use it, so their buckets line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    /// Start of the first bucket, epoch ms.
    pub first: i64,
    pub size: i64,
    pub count: usize,
}

impl Buckets {
    /// The grid for these rows; `None` when there are none.
    /// Calls with an implausible start (see [`crate::cdr::record::time::plausible_range`]) are left
    /// out: one row dated year 1 must not stretch the grid over two thousand years.
    pub fn over(store: &Store, rows: &[u32], tw: &TimeWriter) -> Option<Buckets> {
        let plausible = store.plausible_range();
        let starts = &store.cols.start_ms;
        let mut min_max: Option<(i64, i64)> = None;
        for &r in rows {
            let t = starts[r as usize];
            if plausible.contains(&t) {
                min_max = Some(min_max.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
            }
        }
        let (min, max) = min_max?;
        Some(Buckets::spanning(min, max, tw))
    }

    /// The grid over starts from `min` to `max` (epoch ms), aligned to local time.
    pub fn spanning(min: i64, max: i64, tw: &TimeWriter) -> Buckets {
        let size = bucket_size(max - min);
        let offset_ms = i64::from(tw.offset_at(min)) * 1000;
        let first = (min + offset_ms).div_euclid(size) * size - offset_ms;
        Buckets { first, size, count: ((max - first) / size + 1) as usize }
    }

    /// The bucket a start time falls in; `None` outside the grid.
    pub fn index(&self, ms: i64) -> Option<usize> {
        let k = ms.checked_sub(self.first)?.checked_div(self.size)?;
        if ms < self.first {
            return None;
        }
        usize::try_from(k).ok().filter(|k| *k < self.count)
    }

    /// Start of bucket `k`, epoch ms.
    pub fn start(&self, k: usize) -> i64 {
        self.first + k as i64 * self.size
    }
}

/// Calls and answered calls per bucket of the grid, from the counts per UTC minute of start
/// (a summary's tally): every bucket of a grid is whole minutes (sizes are minutes; zone offsets are whole minutes).
pub fn timeline_of_minutes(
    minutes: &std::collections::BTreeMap<i64, (u64, u64)>,
    tw: &TimeWriter,
    grid: Option<Buckets>,
) -> Vec<Bucket> {
    let Some(grid) = grid else { return Vec::new() };
    let mut buckets: Vec<Bucket> = (0..grid.count)
        .map(|k| {
            let start_ms = grid.start(k);
            Bucket { start: tw.format(start_ms), start_ms, calls: 0, answered: 0 }
        })
        .collect();
    for (&m, &(calls, answered)) in minutes {
        if let Some(b) = grid.index(m.saturating_mul(60_000)).and_then(|k| buckets.get_mut(k)) {
            b.calls += calls;
            b.answered += answered;
        }
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_fit_the_span() {
        assert_eq!(bucket_size(30 * 60_000), 60_000);
        assert_eq!(bucket_size(86_400_000 - 1), 30 * 60_000);
        assert_eq!(bucket_size(86_400_000 + 20_000), 3_600_000);
        assert_eq!(bucket_size(7 * 86_400_000), 6 * 3_600_000);
        assert_eq!(size_label(3_600_000), "1h");
        assert_eq!(size_label(15 * 60_000), "15m");
    }
}
