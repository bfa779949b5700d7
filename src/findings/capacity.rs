//! Capacity: calls refused for a line limit or concurrency cap (-24 OverAuthorizedCapacity,
//! -25 OverCapacity, -76 RateLimited, AllGatewayBusy) on a gateway, in bursts well above its
//! usual rate, with the peak of concurrent calls computed from start and stop times. Calls
//! refused before a routing gateway was chosen count for the mapping gateway.

use super::aggregate::side_names;
use super::stat::{binom_z, ratio, runs, two_prop_z};
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window, codes_text, failure_codes};
use crate::text::thousands;

/// Most calls in progress at once among these (start, stop) spans.
fn peak_concurrent(mut spans: Vec<(i64, i64)>) -> u64 {
    let mut events: Vec<(i64, i8)> = Vec::with_capacity(spans.len() * 2);
    for (a, b) in spans.drain(..) {
        events.push((a, 1));
        events.push((b.max(a), -1));
    }
    // Ends before starts at the same instant: a call that ends as another starts does not overlap.
    events.sort_unstable();
    let (mut cur, mut peak) = (0i64, 0i64);
    for (_, d) in events {
        cur += i64::from(d);
        peak = peak.max(cur);
    }
    peak.max(0) as u64
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let t = inp.t;
    let a = inp.agg;
    let n = a.grid.count;
    let c = &inp.store.cols;
    for callee in [true, false] {
        let side = a.side(callee);
        let (field, key, what) = side_names(callee);
        for (d, &gw) in side.ids.iter().enumerate() {
            let name = inp.store.pools.gateways.resolve(gw);
            let total = side.totals[d];
            if name.is_empty() || total.capacity < t.capacity_min_calls {
                continue;
            }
            let p = ratio(total.capacity, total.calls).max(0.001);
            let flags: Vec<bool> = side
                .row(d, n)
                .iter()
                .map(|c| c.capacity >= 2 && binom_z(c.capacity, c.calls, p) >= 2.0)
                .collect();
            for (k0, k1) in runs(&flags, 1) {
                let w = a.window(side, d, k0, k1);
                let b = a.baseline(side, d, k0, k1);
                let z = two_prop_z(w.capacity, w.calls, b.capacity, b.calls);
                if w.capacity < t.capacity_min_calls || z < t.min_z {
                    continue;
                }
                let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));
                let on_side = |i: usize| if callee { c.callee_gw[i] == gw } else { c.caller_gw[i] == gw };
                let spans: Vec<(i64, i64)> = a
                    .rows_in(k0, k1)
                    .filter(|&i| on_side(i) && (win.from_ms..win.to_ms).contains(&c.start_ms[i]))
                    .map(|i| (c.start_ms[i], c.stop_ms(i).unwrap_or(c.start_ms[i])))
                    .collect();
                let peak = peak_concurrent(spans);
                let cap = a.capacity_codes.clone();
                let (codes, causes, advice) = failure_codes(inp, (k0, k1), |i| {
                    on_side(i)
                        && (win.from_ms..win.to_ms).contains(&c.start_ms[i])
                        && cap.get(c.reason[i] as usize).copied().unwrap_or(false)
                });
                let label = inp.store.gateway_label(name);
                let text = format!(
                    "{what} {label} refused {} of {} calls for capacity {} ({:.1}% against {:.1}% otherwise), with up to {peak} calls at once: {}; raise its line limit or spread the load",
                    thousands(w.capacity),
                    thousands(w.calls),
                    super::window_text(&win),
                    ratio(w.capacity, w.calls) * 100.0,
                    ratio(b.capacity, b.calls) * 100.0,
                    codes_text(&codes)
                );
                let mut advice = advice;
                advice.push("parameter:SS_MAX_CONCURRENT_CALLS".into());
                out.push(Finding {
                    kind: "capacity",
                    severity: Severity::Warning,
                    entity: Entity { field, value: name.to_string() },
                    filter: format!("{key}:{} {}", super::gateway_value(name), super::window_terms(&win)),
                    window: win,
                    evidence: Evidence {
                        calls: w.calls,
                        metric: "capacity_share",
                        value: ratio(w.capacity, w.calls),
                        baseline: Some(ratio(b.capacity, b.calls)),
                        baseline_calls: b.calls,
                        baseline_window: None,
                        z: Some(z),
                        codes,
                        reason_headers: causes,
                        extra: vec![("peak_concurrent_calls".into(), peak as f64)],
                    },
                    impact: Impact { failed_calls: w.capacity, talk_minutes: 0.0 },
                    text,
                    advice,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_counts_overlaps() {
        assert_eq!(peak_concurrent(vec![(0, 10), (5, 15), (10, 20), (12, 13)]), 3);
        assert_eq!(peak_concurrent(vec![(0, 10), (10, 20)]), 1);
        assert_eq!(peak_concurrent(Vec::new()), 0);
    }
}
