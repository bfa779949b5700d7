//! The summary of a selection: the numbers `cdrscope summary` prints and the console shows.

use std::collections::HashMap;

use serde::Serialize;

use crate::cdr::store::columns::NO_SMALL;
use crate::cdr::store::table::FieldWarningAt;
use crate::cdr::{Reason, Store, TimeWriter};
use crate::findings::stat::ratio;
use crate::kb::reason_header::ReasonHeader;
use crate::stats::health::{Health, Shares, verdicts};
use crate::stats::tally::{GwAcc, PairCounts, Tally};
use crate::stats::timeline::{Bucket, Buckets, size_label, timeline_of_minutes};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CodeCalls {
    pub code: String,
    pub calls: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GatewayStats {
    pub gateway: String,
    pub calls: u64,
    pub answered: u64,
    pub asr: f64,
    /// Network effectiveness: calls that reached the called user (answered, busy, no answer,
    /// declined) over calls; see [`crate::kb::outcome`].
    pub ner: f64,
    pub acd_seconds: f64,
    pub pdd_avg_ms: Option<f64>,
    /// The calls NER counts as effective.
    #[serde(skip)]
    pub effective: u64,
    /// The most frequent end reasons of unanswered calls.
    pub top_codes: Vec<CodeCalls>,
    /// Every end reason of its unanswered calls, most frequent first (the console's gateway ×
    /// end-reason table; the JSON keeps `top_codes`).
    #[serde(skip)]
    pub failures: Vec<CodeCalls>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CodeCount {
    pub code: String,
    pub name: String,
    pub calls: u64,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BillingShare {
    pub billing_mode: Option<i8>,
    pub calls: u64,
    pub share: f64,
}

/// One input and how reading it went.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SourceState {
    pub name: String,
    /// The form detected, when it was read.
    pub form: Option<String>,
    /// `read`, `not_read` (could not be read at all) or `cut_short` (a read error after some rows).
    pub state: &'static str,
    pub error: Option<String>,
    pub rows: u64,
    pub rejected_lines: u64,
    pub duplicates: u64,
    /// A UDP feed: datagrams received, and those that were no CDR (by sender in `check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datagrams: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datagrams_not_cdr: Option<u64>,
}

/// Calls of one source dropped as repeats of an earlier one.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Duplicates {
    pub source: String,
    pub duplicate_of: String,
    pub calls: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NotMeasured {
    pub field: &'static str,
    pub count: u64,
}

/// Calls per SIP Reason header cause.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReasonHeaderCount {
    /// `Q.850 34`, `SIP 503`.
    pub header: String,
    /// The knowledge-base entry of the cause (`q850:34`).
    pub kb_id: Option<String>,
    /// The text the peer gave, the most common one.
    pub text: Option<String>,
    pub calls: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AccountStats {
    pub account: String,
    pub name: String,
    pub calls: u64,
    pub answered: u64,
    pub asr: f64,
    pub acd_seconds: f64,
}

/// The version of the JSON objects cdrscope prints; raised when a field changes meaning
/// (3: findings became objects with entity, window, evidence, impact and advice).
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub schema_version: u32,
    /// Calls in the selection.
    pub rows: u64,
    /// Calls loaded before filtering (duplicates not counted).
    pub loaded_rows: u64,
    /// Calls dropped because an earlier source had them already.
    pub duplicates: Vec<Duplicates>,
    /// Every input and how reading it went: a summary from what could be read says so.
    pub sources: Vec<SourceState>,
    pub rejected_lines: u64,
    pub pending_lines: u64,
    pub answered: u64,
    pub asr: f64,
    /// Network effectiveness ratio over every call (see [`GatewayStats::ner`]).
    pub ner: f64,
    pub acd_seconds: f64,
    pub pdd_avg_ms: Option<f64>,
    pub pdd_p95_ms: Option<u32>,
    /// Share of calls with holdTime 0.
    pub zero_duration_share: f64,
    /// `ms`, `s`, or `mixed` when sources differ.
    pub hold_unit: String,
    pub time_zone: String,
    pub first_call: Option<String>,
    pub last_call: Option<String>,
    pub by_callee_gateway: Vec<GatewayStats>,
    pub by_caller_gateway: Vec<GatewayStats>,
    pub by_code: Vec<CodeCount>,
    pub billing_modes: Vec<BillingShare>,
    pub timeline_bucket: String,
    pub timeline: Vec<Bucket>,
    pub health: Vec<Health>,
    pub findings: Vec<crate::findings::Finding>,
    /// Unusable values in kept calls, per field (the calls are kept; the field is unknown).
    pub field_warnings: Vec<FieldWarningAt>,
    /// Documented "not measured" sentinels (`-1`), per field: normal data, left out of PDD.
    pub not_measured: Vec<NotMeasured>,
    pub by_reason_header: Vec<ReasonHeaderCount>,
    pub by_account: Vec<AccountStats>,
}

/// Label of an end reason for output: the code as written ("503", "-69", a name).
pub fn reason_label(r: &Reason) -> String {
    r.to_string()
}

fn per_gateway(store: &Store, accs: &[GwAcc], fails: &PairCounts) -> Vec<GatewayStats> {
    let mut top: HashMap<u32, Vec<(u16, u64)>> = HashMap::new();
    for ((gw, reason), n) in fails.pairs() {
        top.entry(gw).or_default().push((reason, n));
    }
    let mut out: Vec<GatewayStats> = accs
        .iter()
        .enumerate()
        .filter(|(_, a)| a.calls > 0)
        .map(|(id, a)| {
            let mut codes = top.remove(&(id as u32)).unwrap_or_default();
            let user_side: u64 = codes
                .iter()
                .filter(|(r, _)| store.pools.reasons.get(*r).outcome().in_ner())
                .map(|(_, n)| n)
                .sum();
            let effective = a.answered.saturating_add(user_side);
            codes.sort_by(|x, y| {
                y.1.cmp(&x.1).then_with(|| store.pools.reasons.get(x.0).cmp(store.pools.reasons.get(y.0)))
            });
            GatewayStats {
                gateway: store.pools.gateways.resolve(id as u32).to_string(),
                calls: a.calls,
                answered: a.answered,
                asr: ratio(a.answered, a.calls),
                ner: ratio(effective, a.calls),
                effective,
                acd_seconds: if a.answered == 0 {
                    0.0
                } else {
                    a.hold_ms as f64 / 1000.0 / a.answered as f64
                },
                pdd_avg_ms: (a.pdd_n > 0).then(|| a.pdd_ms as f64 / a.pdd_n as f64),
                failures: codes
                    .iter()
                    .map(|&(r, n)| CodeCalls { code: reason_label(store.pools.reasons.get(r)), calls: n })
                    .collect(),
                top_codes: codes
                    .into_iter()
                    .take(3)
                    .map(|(r, n)| CodeCalls { code: reason_label(store.pools.reasons.get(r)), calls: n })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.gateway.cmp(&b.gateway)));
    out
}

impl Summary {
    /// Failed calls per end reason over every routing gateway, most first (ties by code):
    /// the columns of the gateway × end-reason table, on screen and exported.
    pub fn failure_totals(&self) -> Vec<(String, u64)> {
        let mut totals: Vec<(String, u64)> = Vec::new();
        for g in &self.by_callee_gateway {
            for c in &g.failures {
                match totals.iter_mut().find(|(code, _)| *code == c.code) {
                    Some(x) => x.1 = x.1.saturating_add(c.calls),
                    None => totals.push((c.code.clone(), c.calls)),
                }
            }
        }
        totals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        totals
    }
}

/// Summarises the given rows, findings included.
pub fn summarize(store: &Store, rows: &[u32], tw: &TimeWriter) -> Summary {
    summarize_with(store, rows, tw, true)
}

/// Summarises the given rows; `findings: false` leaves them out (the console asks for them
/// separately, so the numbers reach the screen first).
pub fn summarize_with(store: &Store, rows: &[u32], tw: &TimeWriter, findings: bool) -> Summary {
    let mut tally = Tally::default();
    tally.add(store, rows);
    finish(store, &tally, rows, tw, findings)
}

/// The summary of what `tally` counted (the rows it was given, which findings read).
pub fn finish(store: &Store, tally: &Tally, rows: &[u32], tw: &TimeWriter, findings: bool) -> Summary {
    let total = tally.total;
    let answered = tally.answered;
    let by_reason = &tally.by_reason;
    let billing = &tally.billing;
    let count = |id: usize| by_reason.get(id).copied().unwrap_or(0);
    let pdd_avg_ms = tally.pdds.mean();
    let pdd_p95_ms = tally.pdds.percentile(0.95);

    let mut by_code: Vec<CodeCount> = store
        .pools
        .reasons
        .iter()
        .filter(|(id, _)| count(*id as usize) > 0)
        .map(|(id, r)| CodeCount {
            code: reason_label(r),
            name: r.name().to_string(),
            calls: count(id as usize),
            share: ratio(count(id as usize), total),
        })
        .collect();
    by_code.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.code.cmp(&b.code)));

    let count_where = |pred: &dyn Fn(&Reason) -> bool| -> u64 {
        store.pools.reasons.iter().filter(|(_, r)| pred(r)).map(|(id, _)| count(id as usize)).sum()
    };
    let billed = |b: usize| billing.get(b).copied().unwrap_or(0);
    let shares = Shares {
        answered: ratio(answered, total),
        // From the routing-gateway rows below, once they are counted.
        ner: 0.0,
        sip_5xx: ratio(count_where(&|r| r.health_class() == Some(5)), total),
        busy_486: ratio(count_where(&|r| *r == Reason::Code(486)), total),
        no_billing: ratio(billed(0xff), total),
    };
    let mut billing_modes: Vec<BillingShare> = (0..256usize)
        .filter(|b| billed(*b) > 0)
        .map(|b| {
            let v = b as u8 as i8;
            BillingShare {
                billing_mode: (v != NO_SMALL).then_some(v),
                calls: billed(b),
                share: ratio(billed(b), total),
            }
        })
        .collect();
    billing_modes.sort_by_key(|b| b.billing_mode);

    let grid = tally.plausible_span.map(|(min, max)| Buckets::spanning(min, max, tw));
    let buckets = timeline_of_minutes(&tally.minutes, tw, grid);
    let units: std::collections::BTreeSet<String> = store
        .sources
        .iter()
        .filter(|s| s.rows > 0)
        .filter_map(|s| s.hold_unit.map(|u| u.to_string()))
        .collect();
    let hold_unit = match units.len() {
        0 => String::new(),
        1 => units.into_iter().next().unwrap_or_default(),
        _ => "mixed".into(),
    };
    let (first, last) = match tally.span {
        Some((a, b)) => (Some(tw.format(a)), Some(tw.format(b))),
        None => (None, None),
    };
    let by_callee_gateway = per_gateway(store, &tally.callee_acc, &tally.callee_fail);
    let by_caller_gateway = per_gateway(store, &tally.caller_acc, &tally.caller_fail);
    // Every call has a routing-gateway row (the "(none)" row for calls routed nowhere).
    let ner = ratio(by_callee_gateway.iter().map(|g| g.effective).sum(), total);
    let shares = Shares { ner, ..shares };
    let findings = if findings { crate::findings::run(store, rows, tw) } else { Vec::new() };
    Summary {
        schema_version: SCHEMA_VERSION,
        rows: total,
        loaded_rows: store.calls() as u64,
        sources: store
            .sources
            .iter()
            .map(|s| {
                let (state, error) = match (&s.form, &s.read_error) {
                    (Err(why), _) => ("not_read", Some(why.clone())),
                    (Ok(_), Some(e)) => ("cut_short", Some(e.clone())),
                    (Ok(_), None) => ("read", None),
                };
                SourceState {
                    name: s.name.clone(),
                    form: s.form.as_ref().ok().cloned(),
                    state,
                    error,
                    rows: (s.rows as u64).saturating_sub(s.duplicates()),
                    rejected_lines: s.tally.rejected,
                    duplicates: s.duplicates(),
                    datagrams: s.feed.as_ref().map(|f| f.datagrams),
                    datagrams_not_cdr: s.feed.as_ref().map(|f| f.malformed_total()),
                }
            })
            .collect(),
        duplicates: store
            .sources
            .iter()
            .flat_map(|s| {
                s.duplicate_of.iter().map(|(of, n)| Duplicates {
                    source: s.name.clone(),
                    duplicate_of: store.sources.get(*of).map(|o| o.name.clone()).unwrap_or_default(),
                    calls: *n,
                })
            })
            .collect(),
        rejected_lines: store.rejected_lines(),
        pending_lines: store.pending_lines(),
        answered,
        asr: ratio(answered, total),
        ner,
        acd_seconds: if answered == 0 { 0.0 } else { tally.hold_sum as f64 / 1000.0 / answered as f64 },
        pdd_avg_ms,
        pdd_p95_ms,
        zero_duration_share: ratio(tally.zero, total),
        hold_unit,
        time_zone: tw.zone().name(),
        first_call: first,
        last_call: last,
        by_callee_gateway,
        by_caller_gateway,
        by_code,
        billing_modes,
        timeline_bucket: size_label(grid.map_or(3_600_000, |g| g.size)),
        timeline: buckets,
        // No verdict over no calls: "answered share 0.0% degraded" would read as an outage.
        health: if rows.is_empty() { Vec::new() } else { verdicts(&shares) },
        findings,
        field_warnings: store.field_warnings(),
        not_measured: store
            .not_measured()
            .into_iter()
            .map(|(field, count)| NotMeasured { field, count })
            .collect(),
        by_reason_header: by_reason_header(store, &tally.reason_headers),
        by_account: by_account(store, &tally.accounts),
    }
}

/// Calls per Reason header cause; the values are few, so each distinct one is parsed once.
fn by_reason_header(store: &Store, per_value: &HashMap<u32, u64>) -> Vec<ReasonHeaderCount> {
    /// One cause: its knowledge-base id, calls per text the peers gave, calls.
    type PerCause = (Option<String>, HashMap<String, u64>, u64);
    let mut per_label: HashMap<String, PerCause> = HashMap::new();
    for (&id, &n) in per_value {
        let Some(h) = ReasonHeader::parse(store.pools.extra_values.resolve(id)) else { continue };
        let e = per_label.entry(h.label()).or_insert_with(|| (h.kb_id(), HashMap::new(), 0));
        e.2 += n;
        if let Some(t) = h.text {
            *e.1.entry(t).or_default() += n;
        }
    }
    let mut out: Vec<ReasonHeaderCount> = per_label
        .into_iter()
        .map(|(header, (kb_id, texts, calls))| {
            let text = texts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(t, _)| t);
            ReasonHeaderCount { header, kb_id, text, calls }
        })
        .collect();
    out.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.header.cmp(&b.header)));
    out
}

/// Calls per customer account (`customeraccount`, the API's `account`).
fn by_account(store: &Store, acc: &HashMap<u32, (u32, u64, u64, u64)>) -> Vec<AccountStats> {
    let mut out: Vec<AccountStats> = acc
        .iter()
        .map(|(&id, &(name, calls, answered, hold))| AccountStats {
            account: store.pools.extra_values.resolve(id).to_string(),
            name: store.pools.extra_values.resolve(name).to_string(),
            calls,
            answered,
            asr: ratio(answered, calls),
            acd_seconds: if answered == 0 { 0.0 } else { hold as f64 / 1000.0 / answered as f64 },
        })
        .collect();
    out.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.account.cmp(&b.account)));
    out
}
