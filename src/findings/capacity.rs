//! Capacity: a gateway refusing calls for lack of lines, in bursts well above its usual rate.
//! Two signs: line-limit and concurrency codes (-24 OverAuthorizedCapacity, -25 OverCapacity,
//! -76 RateLimited, AllGatewayBusy), on either side (calls refused before a routing gateway
//! was chosen count for the mapping gateway); and a routing gateway answering 486/503 in a
//! burst while it carries its heaviest load (talk time per bucket within 10% of its most: a
//! gateway that is down carries less, so an outage does not pass as a capacity problem). The
//! peak of concurrent calls in the window is computed from start and stop times.

use super::aggregate::{Cell, Side, gateway_on, side_names};
use super::rise;
use super::stat::ratio;
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window, codes_text, failure_codes};
use crate::text::thousands;

/// Most calls in progress at once among these (start, stop) spans.
fn peak_concurrent(spans: impl Iterator<Item = (i64, i64)>) -> u64 {
    let mut events: Vec<(i64, i8)> = Vec::new();
    for (a, b) in spans {
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

/// Which count a window is judged on.
#[derive(Clone, Copy, PartialEq)]
enum Sign {
    LineLimit,
    Busy,
}

impl Sign {
    fn of(self, c: &Cell) -> u64 {
        match self {
            Sign::LineLimit => c.capacity,
            Sign::Busy => c.busy,
        }
    }
}

/// Windows where the sign's share rises well above the gateway's own (see [`rise::rises`]).
fn windows(inp: &Input<'_>, side: &Side, d: usize, sign: Sign) -> Vec<rise::Rise> {
    let t = inp.t;
    if sign.of(&side.totals[d]) < t.capacity_min_calls {
        return Vec::new();
    }
    rise::rises(
        inp,
        side,
        d,
        |c| (sign.of(c), c.calls),
        0.001,
        |h, _, _| h >= 2,
        |h, _| h >= t.capacity_min_calls,
    )
}
/// The `capacity` detector, as the registry in `findings/mod.rs` holds it.
pub struct Capacity;

impl super::Detector for Capacity {
    fn kind(&self) -> &'static str {
        "capacity"
    }

    fn detect(&self, inp: &Input<'_>) -> Vec<Finding> {
        detect(inp)
    }
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let a = inp.agg;
    let c = &inp.store.cols;
    for callee in [true, false] {
        let side = a.side(callee);
        let (field, key, what) = side_names(callee);
        for (d, gw, name) in side.named(inp.store) {
            let on_side = |i: usize| gateway_on(c, callee, i) == gw;
            let spans_in = |k0: usize, k1: usize| {
                a.rows_in(k0, k1)
                    .filter(|&i| on_side(i))
                    .map(|i| (c.start_ms[i], c.stop_ms(i).unwrap_or(c.start_ms[i])))
            };
            let mut found: Vec<(usize, usize, Cell, Cell, f64, Sign, u64)> = Vec::new();
            for rise::Rise { k0, k1, w, b, z, .. } in windows(inp, side, d, Sign::LineLimit) {
                found.push((k0, k1, w, b, z, Sign::LineLimit, peak_concurrent(spans_in(k0, k1))));
            }
            if callee {
                // Load per bucket as talk time carried (average calls at once times the
                // bucket's length): "at its busiest" is within 10% of its heaviest bucket.
                let row = side.row(d, a.grid.count);
                let heaviest = row.iter().map(|c| c.hold_ms).max().unwrap_or(0);
                for rise::Rise { k0, k1, w, b, z, .. } in windows(inp, side, d, Sign::Busy) {
                    if found.iter().any(|f| f.0 <= k1 && k0 <= f.1) {
                        continue;
                    }
                    let load = row.get(k0..=k1).unwrap_or(&[]).iter().map(|c| c.hold_ms).max().unwrap_or(0);
                    if heaviest > 0 && load.saturating_mul(10) >= heaviest.saturating_mul(9) {
                        found.push((k0, k1, w, b, z, Sign::Busy, peak_concurrent(spans_in(k0, k1))));
                    }
                }
            }
            for (k0, k1, w, b, z, sign, peak) in found {
                let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));
                let cap = &a.capacity_codes;
                let (codes, causes, mut advice) = failure_codes(inp, (k0, k1), |i| {
                    on_side(i)
                        && (win.from_ms..win.to_ms).contains(&c.start_ms[i])
                        && match sign {
                            Sign::LineLimit => cap.get(c.reason[i] as usize).copied().unwrap_or(false),
                            Sign::Busy => matches!(inp.store.reason(i).code(), Some(486 | 503)),
                        }
                });
                let label = inp.store.gateway_label(name);
                let how = match sign {
                    Sign::LineLimit => "for capacity",
                    Sign::Busy => "with 486/503",
                };
                let text = format!(
                    "{what} {label} refused {} of {} calls {how} {} ({:.1}% against {:.1}% otherwise), with up to {peak} calls at once{}: {}; raise its line limit or spread the load",
                    thousands(sign.of(&w)),
                    thousands(w.calls),
                    super::window_text(&win),
                    ratio(sign.of(&w), w.calls) * 100.0,
                    ratio(sign.of(&b), b.calls) * 100.0,
                    if sign == Sign::Busy { ", its busiest" } else { "" },
                    codes_text(&codes)
                );
                advice.push("parameter:SS_MAX_CONCURRENT_CALLS".into());
                out.push(Finding {
                    kind: "capacity",
                    severity: Severity::Warning,
                    entity: Entity { field, value: name.to_string() },
                    filter: format!("{key}:{} {}", super::gateway_value(name), super::window_terms(&win)),
                    window: win,
                    evidence: Evidence {
                        calls: w.calls,
                        metric: match sign {
                            Sign::LineLimit => "capacity_share",
                            Sign::Busy => "busy_share",
                        },
                        value: ratio(sign.of(&w), w.calls),
                        baseline: Some(ratio(sign.of(&b), b.calls)),
                        baseline_calls: b.calls,
                        baseline_window: None,
                        z: Some(z),
                        codes,
                        reason_headers: causes,
                        extra: vec![("peak_concurrent_calls".into(), peak as f64)],
                    },
                    impact: Impact { failed_calls: sign.of(&w), talk_minutes: 0.0 },
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
        assert_eq!(peak_concurrent([(0, 10), (5, 15), (10, 20), (12, 13)].into_iter()), 3);
        assert_eq!(peak_concurrent([(0, 10), (10, 20)].into_iter()), 1);
        assert_eq!(peak_concurrent(std::iter::empty()), 0);
    }
}
