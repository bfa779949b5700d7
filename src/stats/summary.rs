//! The summary of a selection: the numbers `cdrscope summary` prints and the console shows.

use std::collections::HashMap;

use serde::Serialize;

use super::health::{Health, Shares, verdicts};
use super::timeline::{Bucket, Buckets, size_label, timeline};
use crate::cdr::columns::NO_SMALL;
use crate::cdr::fields::extra;
use crate::cdr::reason_header::ReasonHeader;
use crate::cdr::store::FieldWarningAt;
use crate::cdr::{Reason, Store, TimeWriter};
use crate::findings::stat::ratio;

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
    pub acd_seconds: f64,
    pub pdd_avg_ms: Option<f64>,
    /// The most frequent end reasons of unanswered calls.
    pub top_codes: Vec<CodeCalls>,
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

#[derive(Default, Clone)]
struct GwAcc {
    calls: u64,
    answered: u64,
    hold_ms: u64,
    pdd_ms: u64,
    pdd_n: u64,
}

/// PDD values counted per millisecond: exact percentiles in bounded memory (256 KiB, plus a
/// list for the rare values over 65 s) instead of a copy of every value.
struct PddHistogram {
    counts: Vec<u32>,
    over: Vec<u32>,
    n: u64,
    sum: u64,
}

impl Default for PddHistogram {
    fn default() -> Self {
        PddHistogram { counts: vec![0; 1 << 16], over: Vec::new(), n: 0, sum: 0 }
    }
}

impl PddHistogram {
    fn add(&mut self, ms: u32) {
        match self.counts.get_mut(ms as usize) {
            Some(c) => *c += 1,
            None => self.over.push(ms),
        }
        self.n += 1;
        self.sum += u64::from(ms);
    }

    fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    /// Nearest-rank percentile.
    fn percentile(&mut self, p: f64) -> Option<u32> {
        if self.n == 0 {
            return None;
        }
        let rank = ((self.n as f64 * p).ceil() as u64).clamp(1, self.n);
        let mut seen = 0u64;
        for (ms, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return Some(ms as u32);
            }
        }
        self.over.sort_unstable();
        self.over.get((rank - seen - 1) as usize).copied()
    }
}

/// Label of an end reason for output: the code as written ("503", "-69", a name).
pub fn reason_label(r: &Reason) -> String {
    r.to_string()
}

/// Counts per (gateway, end reason): a dense table when it is small enough (the usual case:
/// tens of gateways, tens of reasons), a map otherwise.
enum PairCounts {
    Dense { reasons: usize, counts: Vec<u64> },
    Sparse(HashMap<(u32, u16), u64>),
}

impl PairCounts {
    const DENSE_LIMIT: usize = 1 << 22;

    fn new(gateways: usize, reasons: usize) -> Self {
        match gateways.checked_mul(reasons) {
            Some(n) if n <= Self::DENSE_LIMIT => PairCounts::Dense { reasons, counts: vec![0; n] },
            _ => PairCounts::Sparse(HashMap::new()),
        }
    }

    fn add(&mut self, gw: u32, reason: u16) {
        match self {
            PairCounts::Dense { reasons, counts } => {
                if let Some(c) = counts.get_mut(gw as usize * *reasons + reason as usize) {
                    *c += 1;
                }
            }
            PairCounts::Sparse(m) => *m.entry((gw, reason)).or_default() += 1,
        }
    }

    fn into_pairs(self) -> Vec<((u32, u16), u64)> {
        match self {
            PairCounts::Dense { reasons, counts } => counts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(i, n)| (((i / reasons) as u32, (i % reasons) as u16), n))
                .collect(),
            PairCounts::Sparse(m) => m.into_iter().collect(),
        }
    }
}

fn per_gateway(store: &Store, accs: &[GwAcc], fails: PairCounts) -> Vec<GatewayStats> {
    let mut top: HashMap<u32, Vec<(u16, u64)>> = HashMap::new();
    for ((gw, reason), n) in fails.into_pairs() {
        top.entry(gw).or_default().push((reason, n));
    }
    let mut out: Vec<GatewayStats> = accs
        .iter()
        .enumerate()
        .filter(|(_, a)| a.calls > 0)
        .map(|(id, a)| {
            let mut codes = top.remove(&(id as u32)).unwrap_or_default();
            codes.sort_by(|x, y| {
                y.1.cmp(&x.1).then_with(|| store.pools.reasons.get(x.0).cmp(store.pools.reasons.get(y.0)))
            });
            GatewayStats {
                gateway: store.pools.gateways.resolve(id as u32).to_string(),
                calls: a.calls,
                answered: a.answered,
                asr: ratio(a.answered, a.calls),
                acd_seconds: if a.answered == 0 {
                    0.0
                } else {
                    a.hold_ms as f64 / 1000.0 / a.answered as f64
                },
                pdd_avg_ms: (a.pdd_n > 0).then(|| a.pdd_ms as f64 / a.pdd_n as f64),
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

/// Summarises the given rows, findings included.
pub fn summarize(store: &Store, rows: &[u32], tw: &TimeWriter) -> Summary {
    summarize_with(store, rows, tw, true)
}

/// Summarises the given rows; `findings: false` leaves them out (the console asks for them
/// separately, so the numbers reach the screen first).
pub fn summarize_with(store: &Store, rows: &[u32], tw: &TimeWriter, findings: bool) -> Summary {
    let c = &store.cols;
    let n_gw = store.pools.gateways.len();
    let mut caller_acc = vec![GwAcc::default(); n_gw];
    let mut callee_acc = vec![GwAcc::default(); n_gw];
    let mut caller_fail = PairCounts::new(n_gw, store.pools.reasons.len());
    let mut callee_fail = PairCounts::new(n_gw, store.pools.reasons.len());
    let mut by_reason = vec![0u64; store.pools.reasons.len()];
    let mut billing = [0u64; 256];
    let mut pdds = PddHistogram::default();
    let (mut answered, mut hold_sum, mut zero) = (0u64, 0u64, 0u64);
    for &r in rows {
        let i = r as usize;
        let hold = store.hold_ms(i);
        let ans = hold > 0;
        let pdd = store.pdd_ms(i);
        if ans {
            answered += 1;
            hold_sum += u64::from(hold);
        } else {
            zero += 1;
        }
        if let Some(p) = pdd {
            pdds.add(p);
        }
        by_reason[c.reason[i] as usize] += 1;
        billing[(c.billing_mode[i] as u8) as usize] += 1;
        for (acc, fail, gw) in [
            (&mut caller_acc, &mut caller_fail, c.caller_gw[i]),
            (&mut callee_acc, &mut callee_fail, c.callee_gw[i]),
        ] {
            let a = &mut acc[gw as usize];
            a.calls += 1;
            if ans {
                a.answered += 1;
                a.hold_ms += u64::from(hold);
            } else {
                fail.add(gw, c.reason[i]);
            }
            if let Some(p) = pdd {
                a.pdd_ms += u64::from(p);
                a.pdd_n += 1;
            }
        }
    }
    let total = rows.len() as u64;
    let pdd_avg_ms = pdds.mean();
    let pdd_p95_ms = pdds.percentile(0.95);

    let mut by_code: Vec<CodeCount> = store
        .pools
        .reasons
        .iter()
        .filter(|(id, _)| by_reason[*id as usize] > 0)
        .map(|(id, r)| CodeCount {
            code: reason_label(r),
            name: r.name().to_string(),
            calls: by_reason[id as usize],
            share: ratio(by_reason[id as usize], total),
        })
        .collect();
    by_code.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.code.cmp(&b.code)));

    let count_where = |pred: &dyn Fn(&Reason) -> bool| -> u64 {
        store.pools.reasons.iter().filter(|(_, r)| pred(r)).map(|(id, _)| by_reason[id as usize]).sum()
    };
    let shares = Shares {
        answered: ratio(answered, total),
        sip_4xx: ratio(count_where(&|r| r.health_class() == Some(4)), total),
        sip_5xx: ratio(count_where(&|r| r.health_class() == Some(5)), total),
        busy_486: ratio(count_where(&|r| *r == Reason::Code(486)), total),
        no_billing: ratio(billing[0xff], total),
    };
    let mut billing_modes: Vec<BillingShare> = (0..256usize)
        .filter(|b| billing[*b] > 0)
        .map(|b| {
            let v = b as u8 as i8;
            BillingShare {
                billing_mode: (v != NO_SMALL).then_some(v),
                calls: billing[b],
                share: ratio(billing[b], total),
            }
        })
        .collect();
    billing_modes.sort_by_key(|b| b.billing_mode);

    let grid = Buckets::over(store, rows, tw);
    let buckets = timeline(store, rows, tw, grid);
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
    let (first, last) = match (
        rows.iter().map(|&r| c.start_ms[r as usize]).min(),
        rows.iter().map(|&r| c.start_ms[r as usize]).max(),
    ) {
        (Some(a), Some(b)) => (Some(tw.format(a)), Some(tw.format(b))),
        _ => (None, None),
    };
    let by_callee_gateway = per_gateway(store, &callee_acc, callee_fail);
    let by_caller_gateway = per_gateway(store, &caller_acc, caller_fail);
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
        acd_seconds: if answered == 0 { 0.0 } else { hold_sum as f64 / 1000.0 / answered as f64 },
        pdd_avg_ms,
        pdd_p95_ms,
        zero_duration_share: ratio(zero, total),
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
        health: verdicts(&shares),
        findings,
        field_warnings: store.field_warnings(),
        not_measured: store
            .not_measured()
            .into_iter()
            .map(|(field, count)| NotMeasured { field, count })
            .collect(),
        by_reason_header: by_reason_header(store, rows),
        by_account: by_account(store, rows),
    }
}

/// Calls per Reason header cause; the values are few, so each distinct one is parsed once.
fn by_reason_header(store: &Store, rows: &[u32]) -> Vec<ReasonHeaderCount> {
    let Some(col) = store.extra_index(extra::REASON_HEADER).and_then(|k| store.cols.extras.get(k)) else {
        return Vec::new();
    };
    let mut per_value: HashMap<u32, u64> = HashMap::new();
    for &r in rows {
        let id = col.values.get(r as usize).copied().unwrap_or(0);
        if id != 0 {
            *per_value.entry(id).or_default() += 1;
        }
    }
    /// One cause: its knowledge-base id, calls per text the peers gave, calls.
    type PerCause = (Option<String>, HashMap<String, u64>, u64);
    let mut per_label: HashMap<String, PerCause> = HashMap::new();
    for (id, n) in per_value {
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
fn by_account(store: &Store, rows: &[u32]) -> Vec<AccountStats> {
    let acc_col = store.extra_index(extra::ACCOUNT);
    if acc_col.is_none() {
        return Vec::new();
    }
    let name_col = store.extra_index(extra::ACCOUNT_NAME);
    // account id -> (name id, calls, answered, talk ms)
    let mut acc: HashMap<u32, (u32, u64, u64, u64)> = HashMap::new();
    for &r in rows {
        let i = r as usize;
        let e = acc.entry(store.extra_id(acc_col, i)).or_insert((store.extra_id(name_col, i), 0, 0, 0));
        e.1 += 1;
        let hold = store.hold_ms(i);
        if hold > 0 {
            e.2 += 1;
            e.3 += u64::from(hold);
        }
    }
    let mut out: Vec<AccountStats> = acc
        .into_iter()
        .map(|(id, (name, calls, answered, hold))| AccountStats {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdd_percentiles_are_exact_past_the_histogram() {
        let mut h = PddHistogram::default();
        for v in [100, 200, 300, 70_000, 90_000] {
            h.add(v);
        }
        // Nearest rank: ceil(5 * 0.95) = 5th value; ceil(5 * 0.6) = 3rd; ceil(5 * 0.8) = 4th.
        assert_eq!(h.percentile(0.95), Some(90_000));
        assert_eq!(h.percentile(0.6), Some(300));
        assert_eq!(h.percentile(0.8), Some(70_000));
        assert_eq!(h.mean(), Some(32_120.0));
        assert_eq!(PddHistogram::default().percentile(0.95), None);
    }
}
