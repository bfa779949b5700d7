//! Post-dial delay degradation: a routing gateway whose calls wait much longer than usual
//! before ringing, whether or not its answer rate moves. Tested on the share of calls slower
//! than the gateway's own usual 90th percentile, so each gateway is judged by its own normal.

use super::rise;
use super::stat::{median, percentile, ratio};
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window};
use crate::text::thousands;
/// The `pdd_degradation` detector, as the registry in `findings/mod.rs` holds it.
pub struct PddDegradation;

impl super::Detector for PddDegradation {
    fn kind(&self) -> &'static str {
        "pdd_degradation"
    }

    fn detect(&self, inp: &Input<'_>) -> Vec<Finding> {
        detect(inp)
    }
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let t = inp.t;
    let a = inp.agg;
    let n = a.grid.count;
    let side = &a.callee;
    let c = &inp.store.cols;
    for (d, gw, name) in side.named(inp.store) {
        let total = side.totals[d];
        if total.pdd_n < t.outage_gateway_min_calls {
            continue;
        }
        let rises = rise::rises(
            inp,
            side,
            d,
            |c| (c.pdd_slow, c.pdd_n),
            0.01,
            |h, o, p| o >= 5 && ratio(h, o) >= 2.0 * p,
            |h, o| o >= t.outage_bucket_min_calls && ratio(h, o) >= t.pdd_slow_share,
        );
        for rise::Rise { k0, k1, w, b, z, yesterday } in rises {
            let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));
            let mine = |i: usize| if c.callee_gw[i] == gw { inp.store.pdd_ms(i) } else { None };
            let mut inside: Vec<u32> = a.rows_in(k0, k1).filter_map(mine).collect();
            // The baseline's median and 95th from a sample of at most about 50,000 rows.
            let others = inp.rows.len().saturating_sub(w.calls as usize);
            let step = (others / 50_000).max(1);
            let mut outside: Vec<u32> = a
                .rows_in(0, k0.saturating_sub(1))
                .take(if k0 == 0 { 0 } else { usize::MAX })
                .chain(a.rows_in(k1 + 1, n.saturating_sub(1)))
                .step_by(step)
                .filter_map(mine)
                .collect();
            let (Some(med_w), Some(med_b)) = (median(&mut inside), median(&mut outside)) else { continue };
            let p95_w = percentile(&mut inside, 0.95).unwrap_or(med_w);
            let p95_b = percentile(&mut outside, 0.95).unwrap_or(med_b);
            // A real degradation moves the median, not only the tail.
            if f64::from(med_w) < f64::from(med_b) * t.pdd_factor {
                continue;
            }
            let label = inp.store.gateway_label(name);
            let text = format!(
                "routing gateway {label}: post-dial delay median {:.1} s (95th {:.1} s) over {} calls {}, against {:.1} s ({:.1} s) otherwise; answer rate {:.0}% vs {:.0}%",
                f64::from(med_w) / 1000.0,
                f64::from(p95_w) / 1000.0,
                thousands(w.calls),
                super::window_text(&win),
                f64::from(med_b) / 1000.0,
                f64::from(p95_b) / 1000.0,
                w.asr() * 100.0,
                b.asr() * 100.0
            );
            out.push(Finding {
                kind: "pdd_degradation",
                severity: Severity::Warning,
                entity: Entity { field: "callee_gateway", value: name.to_string() },
                filter: format!("outgw:{} {}", super::gateway_value(name), super::window_terms(&win)),
                window: win,
                evidence: Evidence {
                    calls: w.calls,
                    metric: "pdd_median_ms",
                    value: f64::from(med_w),
                    baseline: Some(f64::from(med_b)),
                    baseline_calls: b.calls,
                    baseline_window: yesterday
                        .map(|(_, y0)| Window::new(inp.tw, a.start(y0), a.start(y0 + (k1 - k0) + 1))),
                    z: Some(z),
                    codes: Vec::new(),
                    reason_headers: Vec::new(),
                    extra: vec![
                        ("pdd_p95_ms".into(), f64::from(p95_w)),
                        ("baseline_pdd_p95_ms".into(), f64::from(p95_b)),
                    ],
                },
                // Callers who waited and gave up count as failures; the delay is the cost.
                impact: Impact { failed_calls: w.calls - w.answered, talk_minutes: 0.0 },
                text,
                advice: vec![
                    "parameter:SS_SIP_TIMEOUT_INVITE".into(),
                    "parameter:SS_SIP_TIMEOUT_SESSION_PROGRESS".into(),
                ],
            });
        }
    }
    out
}
