//! Revenue leak: answered calls that were not billed (billingMode -1 with talk time),
//! attributed to what they have in common — the caller gateway or account, the destination
//! prefix, the time window — with the talk minutes at stake.

use std::collections::HashMap;

use super::stat::ratio;
use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window};
use crate::cdr::record::fields::extra;
use crate::text::thousands;

/// The value most of `items` share, when it covers at least 80% of them.
fn dominant<K: std::hash::Hash + Eq + Copy + Ord>(items: impl Iterator<Item = K>) -> Option<(K, u64, u64)> {
    let mut m: HashMap<K, u64> = HashMap::new();
    let mut n = 0;
    for k in items {
        *m.entry(k).or_default() += 1;
        n += 1;
    }
    let (k, v) = m.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    (ratio(v, n) >= 0.8).then_some((k, v, n))
}
/// The `unbilled_answered` detector, as the registry in `findings/mod.rs` holds it.
pub struct UnbilledAnswered;

impl super::Detector for UnbilledAnswered {
    fn kind(&self) -> &'static str {
        "unbilled_answered"
    }

    fn detect(&self, inp: &Input<'_>) -> Vec<Finding> {
        detect(inp)
    }
}

pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let st = inp.store;
    let c = &st.cols;
    let t = inp.t;
    let leak: Vec<usize> = inp
        .rows
        .iter()
        .map(|&r| r as usize)
        .filter(|&i| st.hold_ms(i) > 0 && c.billing_mode[i] == -1)
        .collect();
    if (leak.len() as u64) < t.unbilled_min_calls {
        return Vec::new();
    }
    let plausible = st.plausible_range();
    let times: Vec<i64> = leak.iter().map(|&i| c.start_ms[i]).filter(|t| plausible.contains(t)).collect();
    let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else { return Vec::new() };
    let a = inp.agg;
    let (Some(k0), Some(k1)) = (a.grid.index(first), a.grid.index(last)) else { return Vec::new() };
    let win = Window::new(inp.tw, a.start(k0), a.start(k1 + 1));

    // What the leak has in common.
    let mut terms = vec!["answered:yes".to_string(), "billing:-1".to_string()];
    let mut shared = Vec::new();
    let mut entity = None;
    if let Some((gw, _, _)) = dominant(leak.iter().map(|&i| c.caller_gw[i])) {
        let name = st.pools.gateways.resolve(gw);
        terms.push(format!("ingw:{}", super::gateway_value(name)));
        shared.push(format!(
            "mapping gateway {}",
            if name.is_empty() { "(none)" } else { st.gateway_label(name) }
        ));
        entity = Some(Entity { field: "caller_gateway", value: name.to_string() });
    }
    let account = st.extra_index(extra::ACCOUNT);
    if account.is_some()
        && let Some((id, _, _)) = dominant(leak.iter().map(|&i| st.extra_id(account, i)))
    {
        let value = st.pools.extra_values.resolve(id);
        if !value.is_empty() {
            terms.push(format!("account:{}", super::quote(value)));
            shared.push(format!("account {value}"));
            entity.get_or_insert(Entity { field: "account", value: value.to_string() });
        }
    }
    // The longest callee prefix 80% of the leak shares.
    let numbers: Vec<String> = leak.iter().map(|&i| st.callee(i)).collect();
    let mut prefix = String::new();
    for len in 1..=8 {
        let Some((p, _, _)) = dominant(numbers.iter().filter_map(|s| s.get(..len))) else { break };
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        prefix = p.to_string();
    }
    if !prefix.is_empty() {
        terms.push(format!("callee:{prefix}"));
        shared.push(format!("destination {prefix}…"));
        entity.get_or_insert(Entity { field: "callee_prefix", value: prefix.clone() });
    }
    terms.push(super::window_terms(&win));
    // Count exactly what the filter selects: the leak's calls with every shared trait.
    let ingw = entity.as_ref().filter(|e| e.field == "caller_gateway").map(|e| e.value.clone());
    let acct = shared.iter().find_map(|s| s.strip_prefix("account ").map(str::to_string));
    let mut calls = 0u64;
    let mut talk_ms = 0u64;
    for (n, &i) in leak.iter().enumerate() {
        let ok = (win.from_ms..win.to_ms).contains(&c.start_ms[i])
            && ingw.as_deref().is_none_or(|g| st.pools.gateways.resolve(c.caller_gw[i]) == g)
            && acct.as_deref().is_none_or(|v| st.extra_value(account, i) == v)
            && numbers[n].starts_with(prefix.as_str());
        if ok {
            calls += 1;
            talk_ms += u64::from(st.hold_ms(i));
        }
    }
    let all_talk: u64 = leak.iter().map(|&i| u64::from(st.hold_ms(i))).sum();
    let text = format!(
        "{} answered call{} ({:.0} talk minutes) {} not billed (billingMode -1) {}{}: check the rate table and billing settings for them",
        thousands(leak.len() as u64),
        if leak.len() == 1 { "" } else { "s" },
        all_talk as f64 / 60_000.0,
        if leak.len() == 1 { "was" } else { "were" },
        super::window_text(&win),
        if shared.is_empty() { String::new() } else { format!("; they share {}", shared.join(", ")) }
    );
    vec![Finding {
        kind: "unbilled_answered",
        severity: Severity::Critical,
        entity: entity.unwrap_or(Entity { field: "code", value: "billing_mode:-1".into() }),
        filter: terms.join(" "),
        window: win,
        evidence: Evidence {
            extra: vec![("talk_minutes".into(), all_talk as f64 / 60_000.0)],
            ..Evidence::unbased(calls, "unbilled_calls", leak.len() as f64)
        },
        impact: Impact { failed_calls: 0, talk_minutes: talk_ms as f64 / 60_000.0 },
        text,
        advice: vec!["billing_mode:-1".into()],
    }]
}
