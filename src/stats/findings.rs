//! Findings: patterns in a selection an operator should look at, each with the filter that
//! shows the calls behind it.
//! - a routing gateway whose answer rate collapses for a while (outage);
//! - answered calls not billed (billingMode -1 with talk time);
//! - illegal calls (VOS3000 -9), usually a SIP scanner, by source IP.

use std::collections::HashMap;

use serde::Serialize;

use super::thresholds::Thresholds;

use super::summary::GatewayStats;
use super::timeline::Buckets;
use crate::cdr::{Reason, Store, TimeWriter};
use crate::text::thousands;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub kind: &'static str,
    pub text: String,
    /// A filter (query language) that shows the calls behind the finding.
    pub filter: String,
}

/// A bucket counts as an outage when it has enough calls, answers fewer than a fraction of
/// the gateway's overall rate, and the shortfall is enough standard deviations of a binomial
/// draw at the overall rate (so small buckets do not cry wolf); see [`Thresholds`].
fn is_outage(calls: u64, answered: u64, overall_asr: f64, t: &Thresholds) -> bool {
    if calls < t.outage_bucket_min_calls {
        return false;
    }
    let n = calls as f64;
    let rate = answered as f64 / n;
    let sd = (n * overall_asr * (1.0 - overall_asr)).sqrt();
    rate < overall_asr * t.outage_fraction
        && sd > 0.0
        && (n * overall_asr - answered as f64) / sd >= t.outage_min_z
}

fn quote(s: &str) -> String {
    if s.contains([' ', ',', '"']) || s.is_empty() {
        format!("\"{}\"", s.replace('"', ""))
    } else {
        s.to_string()
    }
}

fn short_time(tw: &TimeWriter, ms: i64) -> String {
    // "YYYY-MM-DD HH:MM"
    let mut s = tw.format(ms);
    s.truncate(16);
    s
}

pub fn find(
    store: &Store,
    rows: &[u32],
    tw: &TimeWriter,
    grid: Option<Buckets>,
    gws: &[GatewayStats],
) -> Vec<Finding> {
    let c = &store.cols;
    let mut out = Vec::new();
    let Some(grid) = grid else { return out };

    // Outages: calls and answers per callee gateway and bucket, in a dense table.
    let n_buckets = grid.count;
    let mut cells = vec![(0u64, 0u64); store.pools.gateways.len() * n_buckets];
    for &r in rows {
        let i = r as usize;
        let gw = c.callee_gw[i] as usize;
        if gw == 0 {
            continue;
        }
        let Some(k) = grid.index(c.start_ms[i]) else { continue };
        if let Some(e) = cells.get_mut(gw * n_buckets + k) {
            e.0 += 1;
            if c.hold_ms[i] > 0 {
                e.1 += 1;
            }
        }
    }
    let t = super::thresholds::current();
    for g in gws.iter().filter(|g| g.calls >= t.outage_gateway_min_calls && !g.gateway.is_empty()) {
        let Some(gw) = store.pools.gateways.get(&g.gateway) else { continue };
        let row = &cells[gw as usize * n_buckets..(gw as usize + 1) * n_buckets];
        let bad: Vec<(i64, u64, u64)> = row
            .iter()
            .enumerate()
            .filter(|(_, (calls, ans))| is_outage(*calls, *ans, g.asr, &t))
            .map(|(k, (calls, ans))| (k as i64, *calls, *ans))
            .collect();
        // Merge runs of neighbouring buckets.
        let mut runs: Vec<(i64, i64, u64, u64)> = Vec::new();
        for (k, calls, ans) in bad {
            match runs.last_mut() {
                Some(run) if run.1 + 1 == k => {
                    run.1 = k;
                    run.2 += calls;
                    run.3 += ans;
                }
                _ => runs.push((k, k, calls, ans)),
            }
        }
        for (k0, k1, calls, ans) in runs {
            let (from, to) = (grid.start(k0 as usize), grid.start(k1 as usize + 1));
            let mut codes: HashMap<u16, u64> = HashMap::new();
            for &r in rows {
                let i = r as usize;
                if c.callee_gw[i] == gw && c.hold_ms[i] == 0 && (from..to).contains(&c.start_ms[i]) {
                    *codes.entry(c.reason[i]).or_default() += 1;
                }
            }
            let mut codes: Vec<_> = codes.into_iter().collect();
            codes.sort_by_key(|c| std::cmp::Reverse(c.1));
            let top: Vec<String> =
                codes.iter().take(2).map(|(r, n)| format!("{} ({n})", store.pools.reasons.get(*r))).collect();
            out.push(Finding {
                kind: "gateway_outage",
                text: format!(
                    "{} answered {:.0}% of {} calls {} to {}, against {:.0}% overall; most failures: {}",
                    g.gateway,
                    ans as f64 * 100.0 / calls as f64,
                    thousands(calls),
                    short_time(tw, from),
                    &short_time(tw, to)[11..],
                    g.asr * 100.0,
                    top.join(", ")
                ),
                filter: format!(
                    "outgw:{} since:\"{}\" until:\"{}\"",
                    quote(&g.gateway),
                    short_time(tw, from),
                    short_time(tw, to)
                ),
            });
        }
    }

    // Answered but not billed.
    let mut unbilled: HashMap<u32, u64> = HashMap::new();
    let mut unbilled_total = 0u64;
    for &r in rows {
        let i = r as usize;
        if c.hold_ms[i] > 0 && c.billing_mode[i] == -1 {
            unbilled_total += 1;
            *unbilled.entry(c.caller_gw[i]).or_default() += 1;
        }
    }
    if unbilled_total > 0 {
        let mut by_gw: Vec<_> = unbilled.into_iter().collect();
        by_gw.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (gw, n) = by_gw[0];
        let name = store.pools.gateways.resolve(gw);
        out.push(Finding {
            kind: "unbilled_answered",
            text: format!(
                "{} answered calls were not billed (billingMode -1); {} came from {}: check the rate table for their destinations",
                thousands(unbilled_total),
                thousands(n),
                if name.is_empty() { "no gateway" } else { name }
            ),
            filter: "answered:yes billing:-1".into(),
        });
    }

    // Illegal calls by source IP.
    let illegal: Vec<bool> = store.pools.reasons.mask(|r| *r == Reason::Code(-9));
    let mut by_ip: HashMap<u32, (u64, i64, i64)> = HashMap::new();
    for &r in rows {
        let i = r as usize;
        if illegal.get(c.reason[i] as usize).copied().unwrap_or(false) {
            let e = by_ip.entry(c.caller_ip[i]).or_insert((0, i64::MAX, i64::MIN));
            e.0 += 1;
            e.1 = e.1.min(c.start_ms[i]);
            e.2 = e.2.max(c.start_ms[i]);
        }
    }
    let mut ips: Vec<_> = by_ip.into_iter().collect();
    ips.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    for (ip, (n, from, to)) in ips.into_iter().take(3) {
        let ip = store.pools.ips.resolve(ip);
        out.push(Finding {
            kind: "illegal_calls",
            text: format!(
                "{} illegal calls (-9 IllegalCall) from {} between {} and {}: likely a SIP scanner; block the source",
                thousands(n),
                if ip.is_empty() { "no IP" } else { ip },
                short_time(tw, from),
                &short_time(tw, to)[11..]
            ),
            filter: if ip.is_empty() { "code:-9".into() } else { format!("code:-9 ip:{}", quote(ip)) },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outage_needs_a_significant_shortfall() {
        assert!(is_outage(150, 18, 0.54, &Thresholds::default()));
        assert!(!is_outage(23, 5, 0.44, &Thresholds::default()));
        assert!(!is_outage(19, 0, 0.9, &Thresholds::default()));
        assert!(!is_outage(200, 90, 0.54, &Thresholds::default()));
    }
}
