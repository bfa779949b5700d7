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
/// The `scanner` detector, as the registry in `findings/mod.rs` holds it.
pub struct Scanner;

impl super::Detector for Scanner {
    fn kind(&self) -> &'static str {
        "scanner"
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
    let n = a.grid.count;
    // Per source IP (by pool id): suspicious attempts and all calls; then, for the IPs with
    // enough suspicious attempts, those attempts as (IP, bucket) pairs — memory in proportion
    // to the rows, however many IPs there are.
    let odd_at = |i: usize, buf: &mut String| {
        // Digits-only numbers are stored inline: only their length can make them odd.
        c.caller_gw[i] == 0
            || match c.caller[i].inline() {
                Some((len, _)) => len < 5,
                None => {
                    buf.clear();
                    c.caller[i].write(&st.pools.numbers, buf);
                    odd_caller(buf)
                }
            }
    };
    let mut per_ip: Vec<(u64, u64)> = vec![(0, 0); st.pools.ips.len()];
    let mut buf = String::new();
    for (i, _) in a.rows_with_bucket() {
        let ip = c.caller_ip[i];
        if ip == 0 {
            continue;
        }
        let Some(e) = per_ip.get_mut(ip as usize) else { continue };
        e.1 += 1;
        e.0 += u64::from(odd_at(i, &mut buf));
    }
    let wanted = |ip: u32| per_ip.get(ip as usize).is_some_and(|e| e.0 >= t.scanner_min_attempts);
    let mut hits: Vec<(u32, u32)> = Vec::new();
    for (i, k) in a.rows_with_bucket() {
        let ip = c.caller_ip[i];
        if ip != 0 && wanted(ip) && odd_at(i, &mut buf) {
            hits.push((ip, k as u32));
        }
    }
    hits.sort_unstable();
    let mut out = Vec::new();
    let mut buckets = vec![0u32; n];
    for group in hits.chunk_by(|x, y| x.0 == y.0) {
        let ip = group[0].0;
        let (odd_total, all) = per_ip.get(ip as usize).copied().unwrap_or((0, 0));
        buckets.iter_mut().for_each(|b| *b = 0);
        for &(_, k) in group {
            if let Some(b) = buckets.get_mut(k as usize) {
                *b += 1;
            }
        }
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
                    answered += u64::from(st.hold_ms(i) > 0);
                    talk_ms += u64::from(st.hold_ms(i));
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
                    codes,
                    reason_headers: causes,
                    extra: vec![("answered".into(), answered as f64)],
                    ..Evidence::unbased(calls, "attempts", odd as f64)
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
