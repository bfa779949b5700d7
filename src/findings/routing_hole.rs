//! Routing hole: a destination prefix whose calls start failing with no-route or
//! number-not-found codes from some time on, where they went through before. The prefix is
//! the longest one most of those failures share, on the callee number as sent to the routing
//! gateway (after its rewrite) when there is one.

use super::stat::{ratio, runs, two_prop_z};
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window, codes_text, failure_codes};
use crate::cdr::Reason;
use crate::text::thousands;

/// End reasons that say "no way to this number": VOS3000 NoAvailableRouter and CalleeOffLine,
/// SIP 404/484/604, Q.850 1 (unallocated number), 2 and 3 (no route).
pub fn is_no_route(r: &Reason) -> bool {
    matches!(r.code(), Some(-69 | -21 | 404 | 484 | 604 | 1 | 2 | 3))
}

const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// `(digit count, value)` of an all-digit string of at most 18 digits.
fn digits_value(s: &str) -> Option<(u32, u64)> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((s.len() as u32, s.bytes().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'))))
}

/// The destination number's digits as `(count, value)`: straight from the packed callee
/// number when the call has no rewrite, else parsed (a leading `+` dropped). `None` for
/// numbers that are not all digits or longer than 18.
fn dest_digits(st: &crate::cdr::Store, i: usize, buf: &mut String) -> Option<(u32, u64)> {
    if st.dest_is_callee(i)
        && let Some(v) = st.cols.callee[i].inline()
    {
        return Some(v);
    }
    buf.clear();
    st.dest_number(i, buf);
    digits_value(buf.trim_start_matches('+'))
}

const MIN_PREFIX: usize = 2;
const MAX_PREFIX: usize = 8;

/// A digit prefix: `(digit count, value)`; `"0044"` is `(4, 44)`.
type Prefix = (u32, u64);

fn prefix_text((len, v): Prefix) -> String {
    format!("{v:0width$}", width = len as usize)
}

/// The longest prefixes most no-route failures share: from each two-digit root with enough
/// failures, go one digit deeper while one child holds at least half of them (the rest is the
/// background of no-route and not-found failures every destination has). `fails` are the
/// failing destinations as `(digit count, value)`.
fn candidates(fails: &[Prefix], min: u64) -> Vec<Prefix> {
    // The prefix of `len` digits of a number, when it has that many.
    let head = |&(n, v): &Prefix, len: u32| (n >= len).then(|| v / POW10[(n - len) as usize]);
    let mut roots = [0u64; 100];
    for f in fails {
        if let Some(r) = head(f, MIN_PREFIX as u32) {
            roots[r as usize] += 1;
        }
    }
    let mut out = Vec::new();
    for (root, &count) in roots.iter().enumerate().filter(|(_, c)| **c >= min) {
        let mut cur: Prefix = (MIN_PREFIX as u32, root as u64);
        let mut here = count;
        while (cur.0 as usize) < MAX_PREFIX {
            let mut children = [0u64; 10];
            for f in fails {
                if let Some(h) = head(f, cur.0 + 1)
                    && h / 10 == cur.1
                {
                    children[(h % 10) as usize] += 1;
                }
            }
            let (d, n) = children
                .iter()
                .enumerate()
                .max_by_key(|(d, n)| (**n, std::cmp::Reverse(*d)))
                .unwrap_or((0, &0));
            if *n * 2 >= here && *n >= min {
                cur = (cur.0 + 1, cur.1 * 10 + d as u64);
                here = *n;
            } else {
                break;
            }
        }
        out.push(cur);
    }
    out
}
/// The `routing_hole` detector, as the registry in `findings/mod.rs` holds it.
pub struct RoutingHole;

impl super::Detector for RoutingHole {
    fn kind(&self) -> &'static str {
        "routing_hole"
    }

    fn detect(&self, inp: &Input<'_>) -> Vec<Finding> {
        detect(inp)
    }
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let st = inp.store;
    let c = &st.cols;
    let t = inp.t;
    let a = inp.agg;
    let no_route = st.pools.reasons.mask(is_no_route);
    let failing =
        |i: usize| st.hold_ms(i) == 0 && no_route.get(c.reason[i] as usize).copied().unwrap_or(false);

    let mut buf = String::new();
    let fails: Vec<Prefix> = inp
        .rows
        .iter()
        .map(|&r| r as usize)
        .filter(|&i| failing(i))
        .filter_map(|i| dest_digits(st, i, &mut buf))
        .collect();
    let wanted = candidates(&fails, t.routing_hole_min_calls);
    if wanted.is_empty() {
        return Vec::new();
    }
    let prefixes: Vec<String> = wanted.iter().map(|p| prefix_text(*p)).collect();
    // Calls and no-route failures per prefix and bucket. A number of `len` digits starts with
    // a prefix when it lies in the prefix's range for that length: two comparisons, no
    // division, for most numbers not even decoded.
    let n = a.grid.count;
    let ranges: Vec<Vec<(u64, u64)>> = (0..=18u32)
        .map(|len| {
            wanted
                .iter()
                .map(|&(plen, pv)| match len.checked_sub(plen) {
                    Some(shift) => (
                        pv.saturating_mul(POW10[shift as usize]),
                        (pv + 1).saturating_mul(POW10[shift as usize]),
                    ),
                    None => (u64::MAX, 0),
                })
                .collect()
        })
        .collect();
    let mut cells = vec![(0u64, 0u64); prefixes.len() * n];
    // In row order: the columns are read front to back, which the cache rewards.
    for (i, k) in a.rows_with_bucket() {
        let Some((len, v)) = dest_digits(st, i, &mut buf) else { continue };
        let Some(rs) = ranges.get(len as usize) else { continue };
        for (p, &(lo, hi)) in rs.iter().enumerate() {
            if lo <= v && v < hi {
                let cell = &mut cells[p * n + k];
                cell.0 += 1;
                cell.1 += u64::from(failing(i));
            }
        }
    }
    let mut out = Vec::new();
    for (p, prefix) in prefixes.iter().enumerate() {
        let row = &cells[p * n..(p + 1) * n];
        let total = row.iter().fold((0, 0), |acc, c| (acc.0 + c.0, acc.1 + c.1));
        let flags: Vec<bool> =
            row.iter().map(|(calls, fail)| *calls >= 1 && ratio(*fail, *calls) >= 0.5).collect();
        for (k0, k1) in runs(&flags, 3) {
            let w = row[k0..=k1].iter().fold((0, 0), |acc, c| (acc.0 + c.0, acc.1 + c.1));
            let b = (total.0 - w.0, total.1 - w.1);
            let z = two_prop_z(w.1, w.0, b.1, b.0);
            if w.1 < t.routing_hole_min_calls || ratio(w.1, w.0) < 0.5 || b.0 == 0 || z < t.min_z {
                continue;
            }
            let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));
            let in_win = |i: usize| (win.from_ms..win.to_ms).contains(&c.start_ms[i]);
            let mut b2 = String::new();
            let (codes, causes, advice) =
                failure_codes(inp, (k0, k1), |i| in_win(i) && st.dest_starts_with(i, prefix, &mut b2));
            let until_end = k1 + 1 >= row.iter().rposition(|c| c.0 > 0).map_or(0, |l| l + 1);
            let text = format!(
                "calls to {prefix}… fail with no route {}: {} of {} ({:.0}%), against {:.0}% before; {}{}",
                if until_end { format!("since {}", win.from) } else { super::window_text(&win) },
                thousands(w.1),
                thousands(w.0),
                ratio(w.1, w.0) * 100.0,
                ratio(b.1, b.0) * 100.0,
                codes_text(&codes),
                if until_end { "; still failing at the end of the data" } else { "" }
            );
            out.push(Finding {
                kind: "routing_hole",
                severity: Severity::Critical,
                entity: Entity { field: "callee_prefix", value: prefix.clone() },
                filter: format!("dest:{prefix} {}", super::window_terms(&win)),
                window: win,
                evidence: Evidence {
                    calls: w.0,
                    metric: "no_route_share",
                    value: ratio(w.1, w.0),
                    baseline: Some(ratio(b.1, b.0)),
                    baseline_calls: b.0,
                    baseline_window: None,
                    z: Some(z),
                    codes,
                    reason_headers: causes,
                    extra: Vec::new(),
                },
                impact: Impact { failed_calls: w.1, talk_minutes: 0.0 },
                text,
                advice,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_prefix_is_found() {
        let mut fails = Vec::new();
        // 100 failures under 44: 55 to 4420 (20 each to 44207 and 44208), 5 more to 442.
        for (number, n) in [
            ("4420712345", 20),
            ("4420812345", 20),
            ("4420112345", 15),
            ("4429912345", 5),
            ("4471234567", 40),
            ("8613800000", 13),
            ("8610000000", 12),
        ] {
            fails.extend(std::iter::repeat_n(digits_value(number).expect("digits"), n));
        }
        let got: Vec<String> = candidates(&fails, 20).into_iter().map(prefix_text).collect();
        assert_eq!(got, vec!["4420".to_string(), "861".to_string()]);
        assert_eq!(prefix_text((4, 44)), "0044");
    }
}
