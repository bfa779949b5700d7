//! Windows where a share (`hits` of `of`) rises on one gateway well above its own: the test the
//! PDD, false-answer and capacity detectors share. Buckets are flagged with a loose test
//! (candidates), merged into windows, and each window must pass the strict one against the
//! gateway's other buckets, and against the same hours yesterday when the data reaches back.

use super::Input;
use super::aggregate::{Cell, Side};
use super::stat::{binom_z, ratio, runs, two_prop_z};

/// A window that passed: buckets `k0..=k1`, its cell and its baseline's, the z against the
/// baseline, and yesterday's cell with its first bucket when there was one to compare.
pub struct Rise {
    pub k0: usize,
    pub k1: usize,
    pub w: Cell,
    pub b: Cell,
    pub z: f64,
    pub yesterday: Option<(Cell, usize)>,
}

/// `share` reads `(hits, of)` from a cell; `floor` bounds the gateway's own rate from below;
/// `bucket` is the detector's own condition for a candidate bucket (`hits`, `of`, own rate),
/// `window` its own condition for a window (`hits`, `of`).
pub fn rises(
    inp: &Input<'_>,
    side: &Side,
    d: usize,
    share: impl Fn(&Cell) -> (u64, u64),
    floor: f64,
    bucket: impl Fn(u64, u64, f64) -> bool,
    window: impl Fn(u64, u64) -> bool,
) -> Vec<Rise> {
    let t = inp.t;
    let a = inp.agg;
    let (hits, of) = share(&side.totals[d]);
    let p = ratio(hits, of).max(floor);
    let flags: Vec<bool> = side
        .row(d, a.grid.count)
        .iter()
        .map(|c| {
            let (h, o) = share(c);
            bucket(h, o, p) && binom_z(h, o, p) >= 2.0
        })
        .collect();
    let mut out = Vec::new();
    for (k0, k1) in runs(&flags, 1) {
        let w = a.window(side, d, k0, k1);
        let b = a.baseline(side, d, k0, k1);
        let ((hw, ow), (hb, ob)) = (share(&w), share(&b));
        let z = two_prop_z(hw, ow, hb, ob);
        if !window(hw, ow) || z < t.min_z {
            continue;
        }
        let yesterday = a.yesterday(side, d, k0, k1).filter(|(y, _)| share(y).1 >= t.outage_bucket_min_calls);
        if let Some((y, _)) = yesterday {
            let (hy, oy) = share(&y);
            if two_prop_z(hw, ow, hy, oy) < t.yesterday_min_z {
                continue;
            }
        }
        out.push(Rise { k0, k1, w, b, z, yesterday });
    }
    out
}
