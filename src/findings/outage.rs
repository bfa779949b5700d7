//! Gateway outage: a routing (callee) or mapping (caller) gateway whose answer rate collapses
//! for a while against its own rate the rest of the time, with network-side failures behind
//! it: its NER falls too. Answers that fall because the called users are busy, away or
//! declining (NER holds) are no route fault and are not reported as one.

use super::aggregate::{gateway_on, side_names};
use super::stat::{binom_z, ratio, runs, two_prop_z};
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window, codes_text, failure_codes};
use crate::text::thousands;
/// NER in the window must be under this fraction of its baseline: the failures are the
/// network's (a route that fails takes NER down nearly as far as ASR; busy users leave it).
const NER_FRACTION: f64 = 0.8;

/// The `gateway_outage` detector, as the registry in `findings/mod.rs` holds it.
pub struct Outage;

impl super::Detector for Outage {
    fn kind(&self) -> &'static str {
        "gateway_outage"
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
    for callee in [true, false] {
        let side = a.side(callee);
        let (field, key, what) = side_names(callee);
        for (d, gw, name) in side.named(inp.store) {
            let total = side.totals[d];
            if total.calls < t.outage_gateway_min_calls {
                continue;
            }
            let p = total.asr();
            // Candidate buckets: a loose test; the merged window faces the strict one.
            let flags: Vec<bool> = side
                .row(d, n)
                .iter()
                .map(|c| {
                    c.calls >= 5 && c.asr() < p * t.outage_fraction && -binom_z(c.answered, c.calls, p) >= 2.0
                })
                .collect();
            for (k0, k1) in runs(&flags, 1) {
                let w = a.window(side, d, k0, k1);
                let b = a.baseline(side, d, k0, k1);
                let z = -two_prop_z(w.answered, w.calls, b.answered, b.calls);
                if w.calls < t.outage_bucket_min_calls
                    || w.asr() >= b.asr() * t.outage_fraction
                    || z < t.outage_min_z
                {
                    continue;
                }
                // The route's own failures, not the called users': NER must fall with ASR.
                let ner_z = -two_prop_z(w.effective, w.calls, b.effective, b.calls);
                if w.ner() >= b.ner() * NER_FRACTION || ner_z < t.outage_min_z {
                    continue;
                }
                // Against the same hours yesterday too, when there were enough calls then: a
                // gateway that is always poor at this hour is not down.
                let yesterday =
                    a.yesterday(side, d, k0, k1).filter(|(y, _)| y.calls >= t.outage_bucket_min_calls);
                if let Some((y, _)) = yesterday
                    && (w.asr() >= y.asr() * t.outage_fraction
                        || -two_prop_z(w.answered, w.calls, y.answered, y.calls) < t.yesterday_min_z)
                {
                    continue;
                }
                let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));
                let c = &inp.store.cols;
                let on_side = |i: usize| gateway_on(c, callee, i) == gw;
                let (codes, causes, advice) = failure_codes(inp, (k0, k1), |i| {
                    on_side(i) && (win.from_ms..win.to_ms).contains(&c.start_ms[i])
                });
                let failed = w.calls - w.answered;
                let expected_answers = (b.asr() * w.calls as f64).round() as u64;
                let label = inp.store.gateway_label(name);
                let mut text = format!(
                    "{what} {label} answered {:.0}% of {} calls {}, against {:.0}% the rest of the time",
                    ratio(w.answered, w.calls) * 100.0,
                    thousands(w.calls),
                    super::window_text(&win),
                    b.asr() * 100.0
                );
                text.push_str(&format!(" (NER {:.0}% against {:.0}%)", w.ner() * 100.0, b.ner() * 100.0));
                if !codes.is_empty() {
                    text.push_str(&format!("; most failures: {}", codes_text(&codes)));
                }
                if !causes.is_empty() {
                    text.push_str(&format!("; Reason headers: {}", codes_text(&causes)));
                }
                out.push(Finding {
                    kind: "gateway_outage",
                    severity: Severity::Critical,
                    entity: Entity { field, value: name.to_string() },
                    filter: format!("{key}:{} {}", super::gateway_value(name), super::window_terms(&win)),
                    window: win,
                    evidence: Evidence {
                        calls: w.calls,
                        metric: "asr",
                        value: w.asr(),
                        baseline: Some(b.asr()),
                        baseline_calls: b.calls,
                        baseline_window: None,
                        z: Some(z),
                        codes,
                        reason_headers: causes,
                        extra: vec![
                            ("calls_lost".into(), expected_answers.saturating_sub(w.answered) as f64),
                            ("ner".into(), w.ner()),
                            ("baseline_ner".into(), b.ner()),
                        ],
                    },
                    impact: Impact { failed_calls: failed, talk_minutes: 0.0 },
                    text,
                    advice,
                });
            }
        }
    }
    out
}
