//! Findings: what broke, where and since when, each with the numbers behind it and the filter
//! that selects exactly its calls.
//!
//! Data flows one way: a selection of rows → shared aggregates per entity and time bucket
//! ([`aggregate`]) → detectors, one file each → findings ranked by impact. Every detector
//! compares an entity against its own baseline (the rest of the loaded window, and the same
//! hours of the previous day when the data spans days) and reports only what passes its test
//! ([`stat`]), so clean traffic yields nothing. Thresholds are one struct
//! ([`crate::stats::thresholds::Thresholds`]), overridable from the config file.

pub mod aggregate;
mod capacity;
mod change;
mod false_answer;
mod outage;
mod pdd;
pub mod reconcile;
mod rise;
mod routing_hole;
mod scanner;
pub mod stat;
mod unbilled;

use serde::Serialize;

use crate::cdr::{Reason, Store, TimeWriter};
use crate::query::parse::quote_value as quote;
use crate::stats::thresholds::Thresholds;
pub use aggregate::Aggregates;

/// What a finding is about.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entity {
    /// `callee_gateway`, `caller_gateway`, `caller_ip`, `callee_prefix`, `account`, `code`,
    /// `source` (reconciliation: the source a call is missing from, or that had it twice).
    pub field: &'static str,
    pub value: String,
}

/// A time window, local time `YYYY-MM-DD HH:MM`, `to` exclusive.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Window {
    pub from: String,
    pub to: String,
    #[serde(skip)]
    pub from_ms: i64,
    #[serde(skip)]
    pub to_ms: i64,
}

impl Window {
    pub fn new(tw: &TimeWriter, from_ms: i64, to_ms: i64) -> Window {
        Window { from: short_time(tw, from_ms), to: short_time(tw, to_ms), from_ms, to_ms }
    }
}

/// Calls per end reason or Reason-header cause.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CodeCalls {
    pub code: String,
    pub calls: u64,
}

/// The numbers behind a finding.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    /// Calls the finding's filter selects.
    pub calls: u64,
    /// What moved: `asr`, `pdd_median_ms`, `short_answer_share`, `no_route_share`,
    /// `attempts`, `unbilled_calls`, `capacity_share`, `calls`, `missing_calls`,
    /// `received_twice`.
    pub metric: &'static str,
    pub value: f64,
    /// The same measure over the entity's baseline.
    pub baseline: Option<f64>,
    pub baseline_calls: u64,
    pub baseline_window: Option<Window>,
    /// Standard deviations between window and baseline (two-proportion or binomial test).
    pub z: Option<f64>,
    /// End reasons of the failed calls in the window, most frequent first.
    pub codes: Vec<CodeCalls>,
    /// SIP Reason-header causes of those calls, when present.
    pub reason_headers: Vec<CodeCalls>,
    /// Detector-specific figures (peak concurrent calls, talk minutes at stake, ...).
    pub extra: Vec<(String, f64)>,
}

impl Evidence {
    /// A measure with no baseline to compare against (a count that is a finding by itself);
    /// the rest is set with struct update.
    pub fn unbased(calls: u64, metric: &'static str, value: f64) -> Evidence {
        Evidence {
            calls,
            metric,
            value,
            baseline: None,
            baseline_calls: 0,
            baseline_window: None,
            z: None,
            codes: Vec::new(),
            reason_headers: Vec::new(),
            extra: Vec::new(),
        }
    }
}

/// What the finding costs: ranks findings.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Impact {
    pub failed_calls: u64,
    pub talk_minutes: f64,
}

impl Impact {
    fn score(&self) -> f64 {
        self.failed_calls as f64 + self.talk_minutes
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// `gateway_outage`, `pdd_degradation`, `routing_hole`, `false_answer`, `scanner`,
    /// `unbilled_answered`, `capacity`, `change`, `reconciliation`.
    pub kind: &'static str,
    pub severity: Severity,
    pub entity: Entity,
    pub window: Window,
    pub evidence: Evidence,
    pub impact: Impact,
    /// One plain sentence.
    pub text: String,
    /// A filter (query language) that selects exactly the calls behind the finding.
    pub filter: String,
    /// Knowledge-base ids of the codes involved (`vos:-69`, `sip:503`, `q850:34`).
    pub advice: Vec<String>,
}

impl Finding {
    /// What makes a finding the same one when it is looked for again as calls arrive (its
    /// figures and window move): the kind, what moved, and the entity.
    pub fn identity(&self) -> (String, String) {
        (format!("{}:{}", self.kind, self.evidence.metric), self.entity.value.clone())
    }
}

/// Everything a detector reads.
pub struct Input<'a> {
    pub store: &'a Store,
    pub rows: &'a [u32],
    pub tw: &'a TimeWriter,
    pub agg: &'a Aggregates<'a>,
    pub t: &'a Thresholds,
}

/// Runs every detector over the rows and returns their findings, largest impact first.
pub fn run(store: &Store, rows: &[u32], tw: &TimeWriter) -> Vec<Finding> {
    run_with(store, rows, tw, &crate::stats::thresholds::current())
}

pub fn run_with(store: &Store, rows: &[u32], tw: &TimeWriter, t: &Thresholds) -> Vec<Finding> {
    run_profiled(store, rows, tw, t).0
}

/// A detector: one kind of finding, judged over the aggregates of a selection. A new one is
/// a file with a type that implements this, its `mod` line and a line in [`DETECTORS`].
pub trait Detector: Sync {
    /// The finding kind it reports (the names the JSON and the config use).
    fn kind(&self) -> &'static str;
    fn detect(&self, input: &Input<'_>) -> Vec<Finding>;
}

/// The detectors, in the order they run; `change` runs last, over what the others found.
pub const DETECTORS: &[&dyn Detector] = &[
    &outage::Outage,
    &pdd::PddDegradation,
    &routing_hole::RoutingHole,
    &false_answer::FalseAnswer,
    &scanner::Scanner,
    &unbilled::UnbilledAnswered,
    &capacity::Capacity,
    &reconcile::Reconciliation,
];

/// [`run_with`], with the time each stage took (for the benchmark).
pub fn run_profiled(
    store: &Store,
    rows: &[u32],
    tw: &TimeWriter,
    t: &Thresholds,
) -> (Vec<Finding>, Vec<(&'static str, std::time::Duration)>) {
    let mut times = Vec::new();
    let clock = std::time::Instant::now();
    let Some(agg) = Aggregates::build(store, rows, tw, t) else { return (Vec::new(), times) };
    times.push(("aggregates", clock.elapsed()));
    // The detectors are independent: each on its own thread (with its own time writer, whose
    // cache is not shared). A detector that panics loses its findings, not the others'.
    let agg_ref = &agg;
    let zone = tw.zone();
    let results: Vec<(&'static str, Vec<Finding>, std::time::Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = DETECTORS
            .iter()
            .map(|&detector| {
                scope.spawn(move || {
                    let clock = std::time::Instant::now();
                    let tw = TimeWriter::new(zone.clone());
                    let input = Input { store, rows, tw: &tw, agg: agg_ref, t };
                    (detector.kind(), detector.detect(&input), clock.elapsed())
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut out = Vec::new();
    for (name, found, took) in results {
        out.extend(found);
        times.push((name, took));
    }
    let input = Input { store, rows, tw, agg: &agg, t };
    fold(&mut out);
    // A change on an entity another finding already names for the same time says nothing new.
    let clock = std::time::Instant::now();
    let named: Vec<(&'static str, String, i64, i64)> = out
        .iter()
        .map(|f| (f.entity.field, f.entity.value.clone(), f.window.from_ms, f.window.to_ms))
        .collect();
    out.extend(change::detect(&input).into_iter().filter(|c| {
        !named.iter().any(|(field, value, from, to)| {
            *field == c.entity.field
                && *value == c.entity.value
                && *from < c.window.to_ms
                && c.window.from_ms < *to
        })
    }));
    times.push(("change", clock.elapsed()));
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.impact.score().total_cmp(&a.impact.score()))
            .then(a.window.from_ms.cmp(&b.window.from_ms))
            .then(a.text.cmp(&b.text))
    });
    (out, times)
}

/// One incident, one finding: where two detectors see the same entity at the same time, the
/// one that names the cause stays (`minor` folded into `major`): a line limit explains the
/// answer-rate collapse it causes, and an outage the long post-dial delays of its timeouts.
fn fold(out: &mut Vec<Finding>) {
    const PAIRS: [(&str, &str); 2] = [("gateway_outage", "capacity"), ("pdd_degradation", "gateway_outage")];
    let overlaps = |a: &Finding, b: &Finding| {
        a.entity == b.entity && a.window.from_ms < b.window.to_ms && b.window.from_ms < a.window.to_ms
    };
    let keep: Vec<bool> = out
        .iter()
        .map(|f| {
            !PAIRS.iter().any(|(minor, major)| {
                f.kind == *minor && out.iter().any(|g| g.kind == *major && overlaps(f, g))
            })
        })
        .collect();
    let mut k = keep.into_iter();
    out.retain(|_| k.next().unwrap_or(true));
}

/// "YYYY-MM-DD HH:MM" in the writer's zone.
pub fn short_time(tw: &TimeWriter, ms: i64) -> String {
    let mut s = tw.format(ms);
    s.truncate(16);
    s
}

/// "2026-11-21 14:00-15:00", or "from 2026-11-21 22:00 to 2026-11-22 01:00".
pub fn window_text(w: &Window) -> String {
    // A window that ends at the next midnight ends at 24:00 of its own day.
    let ends_at_midnight =
        w.to.ends_with(" 00:00") && w.to_ms - w.from_ms <= 86_400_000 && w.to_ms > w.from_ms;
    match (w.from.get(..10), w.to.get(..10), w.to.get(11..)) {
        (Some(a), Some(b), Some(hm)) if a == b => format!("{}-{hm}", w.from),
        (Some(_), Some(_), Some(_)) if ends_at_midnight && w.from.get(11..) != Some("00:00") => {
            format!("{}-24:00", w.from)
        }
        _ => format!("from {} to {}", w.from, w.to),
    }
}

/// `since:"…" until:"…"` for a window.
pub fn window_terms(w: &Window) -> String {
    format!("since:\"{}\" until:\"{}\"", w.from, w.to)
}

/// A gateway as a filter value: `none` for calls without one.
pub fn gateway_value(name: &str) -> String {
    if name.is_empty() { "none".into() } else { quote(name) }
}

/// The knowledge-base id of an end reason, when it has a numeric code.
pub fn advice_id(r: &Reason) -> Option<String> {
    let c = r.code()?;
    Some(match c {
        c if c < 0 => format!("vos:{c}"),
        1..=128 => format!("q850:{c}"),
        129..=699 => format!("sip:{c}"),
        _ => return None,
    })
}

/// The label of an end reason: `503`, `-69 NoAvailableRouter`.
pub fn reason_label(r: &Reason) -> String {
    match (r.code(), r.name()) {
        (Some(c), "") => c.to_string(),
        (Some(c), n) => format!("{c} {n}"),
        (None, "") => "(none)".into(),
        (None, n) => n.to_string(),
    }
}

/// End reasons and Reason-header causes of the failed rows in buckets `k0..=k1` selected by
/// `pick`, most frequent first (top 3 each), with the advice ids of the codes.
pub fn failure_codes(
    inp: &Input<'_>,
    (k0, k1): (usize, usize),
    mut pick: impl FnMut(usize) -> bool,
) -> (Vec<CodeCalls>, Vec<CodeCalls>, Vec<String>) {
    let st = inp.store;
    let c = &st.cols;
    let mut codes: std::collections::HashMap<u16, u64> = std::collections::HashMap::new();
    let mut causes: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let rh = st.extra_index(crate::cdr::record::fields::extra::REASON_HEADER);
    for i in inp.agg.rows_in(k0, k1) {
        if st.hold_ms(i) == 0 && pick(i) {
            *codes.entry(c.reason[i]).or_default() += 1;
            if rh.is_some()
                && let Some(h) = st.reason_header(i)
            {
                *causes.entry(h.label()).or_default() += 1;
            }
        }
    }
    let mut codes: Vec<(u16, u64)> = codes.into_iter().collect();
    codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut causes: Vec<(String, u64)> = causes.into_iter().collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let advice = codes.iter().take(3).filter_map(|(r, _)| advice_id(st.pools.reasons.get(*r))).collect();
    (
        codes
            .iter()
            .take(3)
            .map(|(r, n)| CodeCalls { code: reason_label(st.pools.reasons.get(*r)), calls: *n })
            .collect(),
        causes.into_iter().take(3).map(|(code, calls)| CodeCalls { code, calls }).collect(),
        advice,
    )
}

/// "503 (410), 408 (97)".
pub fn codes_text(codes: &[CodeCalls]) -> String {
    codes.iter().map(|c| format!("{} ({})", c.code, c.calls)).collect::<Vec<_>>().join(", ")
}
