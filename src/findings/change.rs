//! What changed: the last hour of the data against the hour before and the same hour the day
//! before (when the data reaches back that far). Per gateway, a move in answer rate, volume or
//! slow post-dial delays is reported only when it passes the test against every comparison
//! available, so the normal daily rise and fall of traffic is not a finding.

use std::collections::HashMap;

use super::aggregate::{Cell, gateway_on, side_names};
use super::stat::{count_z, ratio, two_prop_z};
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window};
use crate::text::thousands;

struct Move {
    metric: &'static str,
    text: String,
    value: f64,
    baseline: f64,
    z: f64,
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let t = inp.t;
    let a = inp.agg;
    if 3_600_000 % a.grid.size != 0 {
        return Vec::new();
    }
    let per_hour = (3_600_000 / a.grid.size) as usize;
    let Some(mut last) = a.all.iter().rposition(|c| c.calls > 0) else { return Vec::new() };
    // A last bucket with a trickle of calls (failed calls dated by their stop time spill past
    // the end of a file) is not an hour of traffic: the hour ends before it.
    while last >= 4 {
        let before: u64 = a.all[last - 4..last].iter().map(|c| c.calls).sum();
        if a.all[last].calls * 16 >= before {
            break;
        }
        last -= 1;
    }
    let end = last + 1;
    if end < 2 * per_hour {
        return Vec::new();
    }
    let (w0, p0) = (end - per_hour, end - 2 * per_hour);
    let day = a.buckets_per_day();
    let y0 =
        day.and_then(|d| w0.checked_sub(d)).filter(|y| a.all[*y..*y + per_hour].iter().any(|c| c.calls > 0));
    let win = Window::new(inp.tw, a.start(w0), a.start(end));
    let prev_win = Window::new(inp.tw, a.start(p0), a.start(w0));
    let c = &inp.store.cols;
    let mut out = Vec::new();
    for callee in [true, false] {
        let side = a.side(callee);
        let (field, key, what) = side_names(callee);
        for (d, gw, name) in side.named(inp.store) {
            let w = a.window(side, d, w0, end - 1);
            let p = a.window(side, d, p0, w0 - 1);
            let y = y0.map(|y| a.window(side, d, y, y + per_hour - 1));
            let comps: Vec<&Cell> = std::iter::once(&p).chain(y.as_ref()).collect();
            let mut moves = Vec::new();

            // Answer rate.
            if w.calls >= t.change_min_calls && comps.iter().all(|b| b.calls >= t.change_min_calls) {
                let zs: Vec<f64> =
                    comps.iter().map(|b| two_prop_z(w.answered, w.calls, b.answered, b.calls)).collect();
                let same_sign = zs.iter().all(|z| *z <= -t.min_z) || zs.iter().all(|z| *z >= t.min_z);
                if same_sign && comps.iter().all(|b| (w.asr() - b.asr()).abs() >= t.change_min_asr_points) {
                    moves.push(Move {
                        metric: "asr",
                        text: format!("ASR {} → {}", pct(p.asr()), pct(w.asr())),
                        value: w.asr(),
                        baseline: p.asr(),
                        z: zs[0],
                    });
                }
            }
            // Volume: against the same hour yesterday when there is one; with only the hour
            // before, a bigger factor (traffic rises and falls over the day).
            let factor = if y.is_some() { t.change_volume_factor } else { t.change_volume_factor * 1.5 };
            let moved = |b: &Cell| {
                let (hi, lo) = (w.calls.max(b.calls) as f64, w.calls.min(b.calls).max(1) as f64);
                hi / lo >= factor && count_z(w.calls, b.calls).abs() >= t.min_z
            };
            let up = comps.iter().all(|b| w.calls > b.calls);
            let down = comps.iter().all(|b| w.calls < b.calls);
            if w.calls.max(p.calls) >= t.change_min_calls && (up || down) && comps.iter().all(|b| moved(b)) {
                moves.push(Move {
                    metric: "calls",
                    text: format!("calls {} → {}", thousands(p.calls), thousands(w.calls)),
                    value: w.calls as f64,
                    baseline: p.calls as f64,
                    z: count_z(w.calls, p.calls),
                });
            }
            // Slow post-dial delays.
            if w.pdd_n >= t.change_min_calls && comps.iter().all(|b| b.pdd_n >= t.change_min_calls) {
                let zs: Vec<f64> =
                    comps.iter().map(|b| two_prop_z(w.pdd_slow, w.pdd_n, b.pdd_slow, b.pdd_n)).collect();
                if zs.iter().all(|z| *z >= t.min_z)
                    && comps.iter().all(|b| ratio(w.pdd_slow, w.pdd_n) - ratio(b.pdd_slow, b.pdd_n) >= 0.2)
                {
                    moves.push(Move {
                        metric: "pdd_slow_share",
                        text: format!(
                            "slow post-dial delays {} → {}",
                            pct(ratio(p.pdd_slow, p.pdd_n)),
                            pct(ratio(w.pdd_slow, w.pdd_n))
                        ),
                        value: ratio(w.pdd_slow, w.pdd_n),
                        baseline: ratio(p.pdd_slow, p.pdd_n),
                        z: zs[0],
                    });
                }
            }
            if moves.is_empty() {
                continue;
            }
            // The failure code that grew most, for an answer-rate move.
            let mut parts: Vec<String> = moves.iter().map(|m| m.text.clone()).collect();
            let mut advice = Vec::new();
            if moves.iter().any(|m| m.metric == "asr") {
                let mut grew: HashMap<u16, (u64, u64)> = HashMap::new();
                for i in a.rows_in(p0, end - 1) {
                    let mine = gateway_on(c, callee, i) == gw;
                    if !mine || inp.store.hold_ms(i) > 0 {
                        continue;
                    }
                    let s = c.start_ms[i];
                    if (win.from_ms..win.to_ms).contains(&s) {
                        grew.entry(c.reason[i]).or_default().1 += 1;
                    } else if (prev_win.from_ms..prev_win.to_ms).contains(&s) {
                        grew.entry(c.reason[i]).or_default().0 += 1;
                    }
                }
                if let Some((r, (before, now))) =
                    grew.into_iter().max_by_key(|(r, (b, n))| (n.saturating_sub(*b), std::cmp::Reverse(*r)))
                    && now > before
                {
                    let reason = inp.store.pools.reasons.get(r);
                    parts.push(format!("{} up from {before} to {now} calls", super::reason_label(reason)));
                    advice.extend(super::advice_id(reason));
                }
            }
            let first = &moves[0];
            let label = inp.store.gateway_label(name);
            let text = format!(
                "{what} {label}, {} against the hour before{}: {}",
                super::window_text(&win),
                if y.is_some() { " and the same hour yesterday" } else { "" },
                parts.join(", ")
            );
            let drop = moves.iter().any(|m| m.metric == "asr" && m.value < m.baseline);
            let yesterday = y.map(|y| y.calls as f64);
            let mut extra = vec![("previous_hour_calls".to_string(), p.calls as f64)];
            if let Some(v) = yesterday {
                extra.push(("same_hour_yesterday_calls".into(), v));
            }
            out.push(Finding {
                kind: "change",
                severity: if drop { Severity::Warning } else { Severity::Info },
                entity: Entity { field, value: name.to_string() },
                filter: format!("{key}:{} {}", super::gateway_value(name), super::window_terms(&win)),
                window: win.clone(),
                evidence: Evidence {
                    calls: w.calls,
                    metric: first.metric,
                    value: first.value,
                    baseline: Some(first.baseline),
                    baseline_calls: p.calls,
                    baseline_window: Some(prev_win.clone()),
                    z: Some(first.z),
                    codes: Vec::new(),
                    reason_headers: Vec::new(),
                    extra,
                },
                impact: Impact {
                    failed_calls: if drop {
                        ((p.asr() - w.asr()) * w.calls as f64).max(0.0).round() as u64
                    } else {
                        0
                    },
                    talk_minutes: 0.0,
                },
                text,
                advice,
            });
        }
    }
    out
}
