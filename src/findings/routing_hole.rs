//! Routing hole: a destination prefix whose calls start failing with no-route or
//! number-not-found codes from some time on, where they went through before. The prefix is
//! the longest one most of those failures share, on the callee number as sent to the routing
//! gateway (after its rewrite) when there is one.

use std::collections::HashMap;

use super::stat::{ratio, runs, two_prop_z};
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window, codes_text, failure_codes};
use crate::cdr::Reason;
use crate::text::thousands;

/// End reasons that say "no way to this number": VOS3000 NoAvailableRouter and CalleeOffLine,
/// SIP 404/484/604, Q.850 1 (unallocated number), 2 and 3 (no route).
pub fn is_no_route(r: &Reason) -> bool {
    matches!(r.code(), Some(-69 | -21 | 404 | 484 | 604 | 1 | 2 | 3))
}

const MIN_PREFIX: usize = 2;
const MAX_PREFIX: usize = 8;

/// The longest prefixes most no-route failures share: from each two-digit root with enough
/// failures, go one digit deeper while one child holds at least two thirds of them (the rest
/// is the background of no-route failures every destination has).
fn candidates(counts: &HashMap<String, u64>, min: u64) -> Vec<String> {
    let mut roots: Vec<&String> =
        counts.iter().filter(|(p, n)| p.len() == MIN_PREFIX && **n >= min).map(|(p, _)| p).collect();
    roots.sort();
    let mut out = Vec::new();
    for root in roots {
        let mut cur = root.clone();
        loop {
            let here = counts.get(&cur).copied().unwrap_or(0);
            let best = (b'0'..=b'9')
                .map(|d| {
                    let mut p = cur.clone();
                    p.push(d as char);
                    let n = counts.get(&p).copied().unwrap_or(0);
                    (n, p)
                })
                .max();
            match best {
                Some((n, p)) if n as f64 >= here as f64 * 2.0 / 3.0 && n >= min => cur = p,
                _ => break,
            }
        }
        out.push(cur);
    }
    out
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let st = inp.store;
    let c = &st.cols;
    let t = inp.t;
    let a = inp.agg;
    let no_route = st.pools.reasons.mask(is_no_route);
    let failing =
        |i: usize| c.hold_ms[i] == 0 && no_route.get(c.reason[i] as usize).copied().unwrap_or(false);

    let mut buf = String::new();
    let mut counts: HashMap<String, u64> = HashMap::new();
    for &r in inp.rows {
        let i = r as usize;
        if !failing(i) {
            continue;
        }
        buf.clear();
        st.dest_number(i, &mut buf);
        let digits = buf.trim_start_matches('+');
        let len = digits.bytes().take_while(u8::is_ascii_digit).count();
        for l in MIN_PREFIX..=len.min(MAX_PREFIX) {
            *counts.entry(digits[..l].to_string()).or_default() += 1;
        }
    }
    let prefixes = candidates(&counts, t.routing_hole_min_calls);
    if prefixes.is_empty() {
        return Vec::new();
    }
    // Calls and no-route failures per prefix and bucket.
    let n = a.grid.count;
    let mut cells = vec![(0u64, 0u64); prefixes.len() * n];
    for &r in inp.rows {
        let i = r as usize;
        let Some(k) = a.grid.index(c.start_ms[i]) else { continue };
        buf.clear();
        st.dest_number(i, &mut buf);
        let digits = buf.trim_start_matches('+');
        for (p, prefix) in prefixes.iter().enumerate() {
            if digits.starts_with(prefix.as_str()) {
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
            let (codes, causes, advice) = failure_codes(inp, |i| {
                in_win(i) && {
                    b2.clear();
                    st.dest_number(i, &mut b2);
                    b2.trim_start_matches('+').starts_with(prefix.as_str())
                }
            });
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
        let mut counts = HashMap::new();
        for (p, n) in
            [("44", 100), ("442", 95), ("4420", 90), ("44207", 30), ("44208", 30), ("86", 25), ("861", 12)]
        {
            counts.insert(p.to_string(), n);
        }
        assert_eq!(candidates(&counts, 20), vec!["4420".to_string(), "86".to_string()]);
    }
}
