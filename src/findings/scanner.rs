//! Scanner or flood: one source IP with many attempts in a short time that look like probing —
//! no caller (mapping) gateway, or caller numbers that are not phone numbers — whatever the
//! end code (-9 IllegalCall, 401, 403, 404, 407 ...).

use super::stat::{ratio, runs};
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window, codes_text, failure_codes};
use crate::text::thousands;

/// A caller number a phone would not send: letters or symbols, or fewer than 5 digits.
fn odd_caller(s: &str) -> bool {
    let d = s.strip_prefix('+').unwrap_or(s);
    d.len() < 5 || !d.bytes().all(|b| b.is_ascii_digit())
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let st = inp.store;
    let c = &st.cols;
    let t = inp.t;
    let a = inp.agg;
    let n = a.grid.count;
    // Per source IP (by pool id): suspicious attempts, all calls, and the suspicious attempts
    // per bucket (kept only for IPs that have any).
    let mut per_ip: Vec<(u64, u64, u32)> = vec![(0, 0, u32::MAX); st.pools.ips.len()];
    let mut buckets_of: Vec<Vec<u32>> = Vec::new();
    let mut buf = String::new();
    // In row order: the columns are read front to back, which the cache rewards.
    for &r in inp.rows {
        let i = r as usize;
        let ip = c.caller_ip[i];
        if ip == 0 {
            continue;
        }
        let Some(k) = a.grid.index(c.start_ms[i]) else { continue };
        // Digits-only numbers are stored inline: only their length can make them odd.
        let odd = c.caller_gw[i] == 0
            || match c.caller[i].inline() {
                Some((len, _)) => len < 5,
                None => {
                    buf.clear();
                    c.caller[i].write(&st.pools.numbers, &mut buf);
                    odd_caller(&buf)
                }
            };
        let Some(e) = per_ip.get_mut(ip as usize) else { continue };
        e.1 += 1;
        if odd {
            if e.2 == u32::MAX {
                e.2 = buckets_of.len() as u32;
                buckets_of.push(vec![0; n]);
            }
            buckets_of[e.2 as usize][k] += 1;
            e.0 += 1;
        }
    }
    let mut out = Vec::new();
    for (ip, &(odd_total, all, slot)) in per_ip.iter().enumerate() {
        if odd_total < t.scanner_min_attempts {
            continue;
        }
        let ip = ip as u32;
        let Some(buckets) = buckets_of.get(slot as usize) else { continue };
        // A source whose calls are mostly normal is a customer, not a scanner.
        if ratio(odd_total, all) < 0.8 {
            continue;
        }
        let flags: Vec<bool> = buckets.iter().map(|v| *v >= 5).collect();
        for (k0, k1) in runs(&flags, 1) {
            let odd: u64 = buckets[k0..=k1].iter().map(|v| u64::from(*v)).sum();
            if odd < t.scanner_min_attempts {
                continue;
            }
            let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));
            let in_win = |i: usize| c.caller_ip[i] == ip && (win.from_ms..win.to_ms).contains(&c.start_ms[i]);
            let mut calls = 0u64;
            let mut answered = 0u64;
            let mut talk_ms = 0u64;
            for i in a.rows_in(k0, k1) {
                if in_win(i) {
                    calls += 1;
                    answered += u64::from(c.hold_ms[i] > 0);
                    talk_ms += u64::from(c.hold_ms[i]);
                }
            }
            let (codes, causes, advice) = failure_codes(inp, (k0, k1), in_win);
            let ip_text = st.pools.ips.resolve(ip);
            let minutes = ((win.to_ms - win.from_ms) / 60_000).max(1);
            let text = format!(
                "{} call attempts from {ip_text} {} ({:.0} a minute), {} with no mapping gateway or a caller number that is not a phone number: a scanner or flood; {}{}",
                thousands(calls),
                super::window_text(&win),
                calls as f64 / minutes as f64,
                thousands(odd),
                codes_text(&codes),
                if answered > 0 {
                    format!("; {answered} were answered — check for toll fraud")
                } else {
                    String::new()
                }
            );
            out.push(Finding {
                kind: "scanner",
                severity: if answered > 0 { Severity::Critical } else { Severity::Warning },
                entity: Entity { field: "caller_ip", value: ip_text.to_string() },
                filter: format!("inip:{} {}", super::quote(ip_text), super::window_terms(&win)),
                window: win,
                evidence: Evidence {
                    calls,
                    metric: "attempts",
                    value: odd as f64,
                    baseline: None,
                    baseline_calls: 0,
                    baseline_window: None,
                    z: None,
                    codes,
                    reason_headers: causes,
                    extra: vec![("answered".into(), answered as f64)],
                },
                impact: Impact { failed_calls: calls - answered, talk_minutes: talk_ms as f64 / 60_000.0 },
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
    fn odd_callers() {
        assert!(odd_caller("sipvicious"));
        assert!(odd_caller("100"));
        assert!(odd_caller("\u{1b}[31mroot"));
        assert!(!odd_caller("8613800001234"));
        assert!(!odd_caller("+12125550100"));
    }
}
