//! False answer supervision: a routing gateway whose answered calls suddenly last only a few
//! seconds (its answer rate often rises at the same time). The vendor signals answer without
//! a real connection — callers are billed for calls that never connected.

use super::rise;
use super::stat::ratio;
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window};
use crate::text::thousands;
/// The `false_answer` detector, as the registry in `findings/mod.rs` holds it.
pub struct FalseAnswer;

impl super::Detector for FalseAnswer {
    fn kind(&self) -> &'static str {
        "false_answer"
    }

    fn detect(&self, inp: &Input<'_>) -> Vec<Finding> {
        detect(inp)
    }
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let t = inp.t;
    let a = inp.agg;
    let side = &a.callee;
    for (d, gw, name) in side.named(inp.store) {
        let total = side.totals[d];
        if total.answered < t.outage_bucket_min_calls {
            continue;
        }
        let rises = rise::rises(
            inp,
            side,
            d,
            |c| (c.short, c.answered),
            0.01,
            |h, o, p| o >= 5 && ratio(h, o) >= (3.0 * p).max(0.3),
            |h, o| o >= t.outage_bucket_min_calls && ratio(h, o) >= t.false_answer_short_share,
        );
        for rise::Rise { k0, k1, w, b, z, yesterday } in rises {
            let share = ratio(w.short, w.answered);
            let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));
            let acd_w = ratio(w.hold_ms, w.answered) / 1000.0;
            let acd_b = ratio(b.hold_ms, b.answered) / 1000.0;
            let label = inp.store.gateway_label(name);
            // How the short answered calls ended (advice: their codes).
            let c = &inp.store.cols;
            let short_ms = u64::from(t.short_call_secs) * 1000;
            let mut ends: std::collections::BTreeMap<u16, u64> = std::collections::BTreeMap::new();
            for i in a.rows_in(k0, k1) {
                let hold = u64::from(inp.store.hold_ms(i));
                if c.callee_gw[i] == gw
                    && hold > 0
                    && hold < short_ms
                    && (win.from_ms..win.to_ms).contains(&c.start_ms[i])
                {
                    *ends.entry(c.reason[i]).or_default() += 1;
                }
            }
            let mut ends: Vec<(u16, u64)> = ends.into_iter().collect();
            ends.sort_by_key(|e| std::cmp::Reverse(e.1));
            let codes: Vec<super::CodeCalls> = ends
                .iter()
                .take(3)
                .map(|(r, n)| super::CodeCalls {
                    code: super::reason_label(inp.store.pools.reasons.get(*r)),
                    calls: *n,
                })
                .collect();
            let advice: Vec<String> = ends
                .iter()
                .take(3)
                .filter_map(|(r, _)| super::advice_id(inp.store.pools.reasons.get(*r)))
                .collect();
            let text = format!(
                "routing gateway {label} {}: {:.0}% of {} answered calls lasted under {} s (usually {:.0}%), ACD {:.0} s against {:.0} s, answer rate {:.0}% against {:.0}%: answers that may not be real connections",
                super::window_text(&win),
                share * 100.0,
                thousands(w.answered),
                t.short_call_secs,
                ratio(b.short, b.answered) * 100.0,
                acd_w,
                acd_b,
                w.asr() * 100.0,
                b.asr() * 100.0
            );
            out.push(Finding {
                kind: "false_answer",
                severity: Severity::Critical,
                entity: Entity { field: "callee_gateway", value: name.to_string() },
                filter: format!("outgw:{} {}", super::gateway_value(name), super::window_terms(&win)),
                window: win,
                evidence: Evidence {
                    calls: w.calls,
                    metric: "short_answer_share",
                    value: share,
                    baseline: Some(ratio(b.short, b.answered)),
                    baseline_calls: b.calls,
                    baseline_window: yesterday
                        .map(|(_, y0)| Window::new(inp.tw, a.start(y0), a.start(y0 + (k1 - k0) + 1))),
                    z: Some(z),
                    codes,
                    reason_headers: Vec::new(),
                    extra: vec![
                        ("asr".into(), w.asr()),
                        ("baseline_asr".into(), b.asr()),
                        ("acd_seconds".into(), acd_w),
                        ("baseline_acd_seconds".into(), acd_b),
                    ],
                },
                // The short answers are calls that did not really connect; their billed time
                // is what is at stake.
                impact: Impact { failed_calls: w.short, talk_minutes: w.hold_ms as f64 / 60_000.0 },
                text,
                advice,
            });
        }
    }
    out
}
