//! Reconciliation: when the same calls come from two kinds of source — the real-time feed and
//! the database, or CDR files and the database — the calls one has and the other lacks are
//! silent loss (seed 003 cross-checks forwarded CDRs against the switch for this), and the
//! calls one source brought twice are resends or doubled records.
//!
//! Sources are grouped by kind (database tables, feeds, files), so a day's hourly files
//! together stand against the database. A call of one group is looked for in the other only
//! when it ended inside a stretch the other group covers: from its first call (plus a few
//! seconds, since calls that ended together arrive in any order) to its last, or, while the
//! other group is being followed, to now minus the grace period (the feed and the database
//! poll may lag). Groups that share no call at all are different switches, not a gap.
//! Calls are keyed as the conventions say: (`softswitchname`, `flowno`) where both groups
//! carry `flowno`, else caller, callee, start second and talk time.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use super::{Entity, Evidence, Finding, Impact, Input, Severity, Window};
use crate::cdr::Store;
use crate::cdr::record::fields::extra;
use crate::cdr::store::source_state::LiveState;
use crate::text::{count, thousands};

/// Calls that end this close to the first call of a stretch may have come just before it.
const EDGE_MS: i64 = 5_000;
/// Flow numbers a finding's filter names at most.
pub const MAX_NAMED: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Database,
    Feed,
    Files,
}

impl Kind {
    fn of(name: &str) -> Kind {
        if name.starts_with("mysql://") {
            Kind::Database
        } else if name.starts_with("udp://") {
            Kind::Feed
        } else {
            Kind::Files
        }
    }
}

/// Sources of one kind, as one side of a comparison.
#[derive(Debug, Clone)]
pub struct Group {
    pub kind: Kind,
    pub sources: Vec<usize>,
    /// What the text calls it: the source's name, or "3 files".
    pub label: String,
}

/// Two groups that share calls, compared both ways.
#[derive(Debug, Clone)]
pub struct Pair {
    pub groups: [Group; 2],
    /// Calls of `groups[k]` that ended where the other group was looked in.
    pub compared: [u64; 2],
    /// Rows of `groups[k]` the other group lacks, in row order.
    pub missing: [Vec<usize>; 2],
}

/// Calls of one group that the other lacks.
#[derive(Debug, Clone, Copy)]
pub struct Gap<'a> {
    pub present: &'a Group,
    pub missing_from: &'a Group,
    pub compared: u64,
    pub rows: &'a [usize],
}

impl Pair {
    /// The directions with calls missing.
    pub fn gaps(&self) -> impl Iterator<Item = Gap<'_>> {
        (0..2).filter(|&k| !self.missing[k].is_empty()).map(|k| Gap {
            present: &self.groups[k],
            missing_from: &self.groups[1 - k],
            compared: self.compared[k],
            rows: &self.missing[k],
        })
    }
}

/// Calls one source brought more than once.
#[derive(Debug, Clone)]
pub struct Twice {
    pub source: usize,
    pub calls: u64,
    /// Flow numbers of those calls (the first [`MAX_NAMED`]).
    pub flownos: Vec<u64>,
    /// The feed dropped the repeats as they came (the switch resent them).
    pub resent: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Pairs of groups compared (those that share calls).
    pub pairs: Vec<Pair>,
    pub twice: Vec<Twice>,
}

/// A call's key: exact for (`softswitchname`, `flowno`), hashed for the fallback.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Flow(u32, u64),
    Other(u64),
}

struct Keyer<'a> {
    store: &'a Store,
    softswitch: Option<usize>,
    hasher: std::hash::RandomState,
}

impl Keyer<'_> {
    fn flow(&self, i: usize) -> Option<Key> {
        let fl = self.store.cols.flowno.get(i);
        (fl != 0).then(|| Key::Flow(self.store.extra_id(self.softswitch, i), fl))
    }

    fn key(&self, i: usize, by_flow: bool) -> Key {
        if by_flow && let Some(k) = self.flow(i) {
            return k;
        }
        Key::Other(self.hasher.hash_one(crate::cdr::store::dedup::fallback_key(self.store, i)))
    }
}

/// When a call ended (its start when no stop is recorded).
fn ended(store: &Store, i: usize) -> i64 {
    store.cols.stop_ms(i).unwrap_or(store.cols.start_ms[i])
}

/// The stretches (from, to) where a group's calls can be looked for.
fn coverage(store: &Store, g: &Group, now_ms: i64, grace_ms: i64) -> Vec<(i64, i64)> {
    let plausible = store.plausible_range();
    let mut out = Vec::new();
    for &s in &g.sources {
        let mut span: Option<(i64, i64)> = None;
        for i in store.source_rows(s).into_iter().flatten() {
            let t = ended(store, i);
            if plausible.contains(&t) {
                span = Some(span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
            }
        }
        let Some((first, last)) = span else { continue };
        let following = matches!(store.sources[s].live, Some(LiveState::Following));
        let to = if following { now_ms.saturating_sub(grace_ms) } else { last.saturating_sub(EDGE_MS) };
        let from = first.saturating_add(EDGE_MS);
        if from <= to {
            out.push((from, to));
        }
    }
    out
}

fn covered(spans: &[(i64, i64)], t: i64) -> bool {
    spans.iter().any(|&(a, b)| a <= t && t <= b)
}

fn label(store: &Store, kind: Kind, sources: &[usize]) -> String {
    match sources {
        [one] => store.sources[*one].name.clone(),
        _ => match kind {
            Kind::Database => format!("the database ({} tables)", sources.len()),
            Kind::Feed => format!("{} feeds", sources.len()),
            Kind::Files => format!("{} files", sources.len()),
        },
    }
}

/// Compares every pair of source kinds that share calls, and counts what each source brought
/// twice. `now_ms` and `grace_ms` bound what a followed source can be expected to have yet.
pub fn reconcile(store: &Store, now_ms: i64, grace_ms: i64) -> Report {
    let mut report = Report::default();
    let mut by_kind: HashMap<Kind, Vec<usize>> = HashMap::new();
    for (s, info) in store.sources.iter().enumerate() {
        if info.rows > 0 || info.feed.is_some() {
            by_kind.entry(Kind::of(&info.name)).or_default().push(s);
        }
    }
    let keyer = Keyer {
        store,
        softswitch: store.extra_index(extra::SOFTSWITCH),
        hasher: std::hash::RandomState::new(),
    };
    let mut groups: Vec<Group> = by_kind
        .into_iter()
        .map(|(kind, sources)| Group { kind, label: label(store, kind, &sources), sources })
        .collect();
    groups.sort_by_key(|g| g.kind);
    // A source alone may repeat a value legitimately; against another kind it is a resend.
    twice(store, &keyer, groups.len() >= 2, &mut report);
    if groups.len() < 2 {
        return report;
    }
    // Per group, once: its rows, whether all carry a flowno, and the stretches it covers.
    let sides: Vec<Side> = groups
        .iter()
        .map(|g| {
            let rows: Vec<usize> = g.sources.iter().flat_map(|&s| store.source_rows(s)).flatten().collect();
            let all_flow = rows.iter().all(|&i| keyer.flow(i).is_some());
            (rows, all_flow, coverage(store, g, now_ms, grace_ms))
        })
        .collect();
    for a in 0..groups.len() {
        for b in a + 1..groups.len() {
            let (ga, gb) = (&groups[a], &groups[b]);
            let ((ra, fa, ca), (rb, fb, cb)) = (&sides[a], &sides[b]);
            let by_flow = *fa && *fb;
            let ab = look_for(store, &keyer, by_flow, ra, rb, cb);
            let ba = look_for(store, &keyer, by_flow, rb, ra, ca);
            // Nothing in common: two switches (or two days), not a loss.
            let shared = ab.0 - ab.1.len() as u64 + ba.0 - ba.1.len() as u64;
            if shared == 0 {
                continue;
            }
            report.pairs.push(Pair {
                groups: [ga.clone(), gb.clone()],
                compared: [ab.0, ba.0],
                missing: [ab.1, ba.1],
            });
        }
    }
    report
}

/// One group's rows, whether every one carries a `flowno`, and the stretches it covers.
type Side = (Vec<usize>, bool, Vec<(i64, i64)>);

/// Looks for the calls of `rows` that ended inside `spans` among the calls of `other`:
/// (calls compared, rows not found).
fn look_for(
    store: &Store,
    keyer: &Keyer<'_>,
    by_flow: bool,
    rows: &[usize],
    other: &[usize],
    spans: &[(i64, i64)],
) -> (u64, Vec<usize>) {
    if spans.is_empty() {
        return (0, Vec::new());
    }
    let have: HashSet<Key> = other.iter().map(|&i| keyer.key(i, by_flow)).collect();
    let mut compared = 0u64;
    let mut missing = Vec::new();
    for &i in rows {
        if !covered(spans, ended(store, i)) {
            continue;
        }
        compared += 1;
        if !have.contains(&keyer.key(i, by_flow)) {
            missing.push(i);
        }
    }
    (compared, missing)
}

/// Calls a source holds twice (same `softswitchname` and `flowno`; looked for when `rows`),
/// and the feed's resends.
fn twice(store: &Store, keyer: &Keyer<'_>, rows: bool, report: &mut Report) {
    for s in (0..store.sources.len()).filter(|_| rows) {
        let mut seen = HashSet::new();
        let mut flownos = Vec::new();
        let mut calls = 0u64;
        for i in store.source_rows(s).into_iter().flatten() {
            if let Some(Key::Flow(ss, fl)) = keyer.flow(i)
                && !seen.insert((ss, fl))
            {
                calls += 1;
                if flownos.len() < MAX_NAMED {
                    flownos.push(fl);
                }
            }
        }
        if calls > 0 {
            report.twice.push(Twice { source: s, calls, flownos, resent: false });
        }
    }
    for (s, info) in store.sources.iter().enumerate() {
        if let Some(feed) = info.feed.as_ref().filter(|f| f.repeats > 0) {
            report.twice.push(Twice {
                source: s,
                calls: feed.repeats,
                flownos: feed.repeated_flownos.clone(),
                resent: true,
            });
        }
    }
}

/// `flowno:1,2,3` for the calls named (empty when none has a flow number).
fn flowno_filter(flownos: impl Iterator<Item = u64>) -> String {
    let list: Vec<String> = flownos.filter(|f| *f != 0).take(MAX_NAMED).map(|f| f.to_string()).collect();
    if list.is_empty() { String::new() } else { format!("flowno:{}", list.join(",")) }
}
/// The `reconciliation` detector, as the registry in `findings/mod.rs` holds it.
pub struct Reconciliation;

impl super::Detector for Reconciliation {
    fn kind(&self) -> &'static str {
        "reconciliation"
    }

    fn detect(&self, inp: &Input<'_>) -> Vec<Finding> {
        detect(inp)
    }
}

/// The detector: a finding per gap and per source that brought calls twice.
pub fn detect(inp: &Input<'_>) -> Vec<Finding> {
    let st = inp.store;
    let grace = i64::from(inp.t.reconcile_grace_secs) * 1000;
    let report = reconcile(st, crate::cdr::record::time::now_ms(), grace);
    let mut out = Vec::new();
    for gap in report.pairs.iter().flat_map(Pair::gaps) {
        out.push(gap_finding(inp, &gap));
    }
    for tw in &report.twice {
        out.push(twice_finding(inp, tw));
    }
    out
}

/// Where the missing calls ended: (first, last), epoch ms.
pub fn gap_span(st: &Store, rows: &[usize]) -> (i64, i64) {
    rows.iter().map(|&i| ended(st, i)).fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)))
}

fn gap_finding(inp: &Input<'_>, gap: &Gap<'_>) -> Finding {
    let st = inp.store;
    let (from_ms, to_ms) = gap_span(st, gap.rows);
    let n = gap.rows.len() as u64;
    let talk_ms: u64 = gap.rows.iter().map(|&i| u64::from(st.hold_ms(i))).sum();
    let answered = gap.rows.iter().filter(|&&i| st.hold_ms(i) > 0).count() as u64;
    let share = n as f64 / gap.compared.max(1) as f64;
    let named = gap.rows.len().min(MAX_NAMED);
    let window = Window::new(inp.tw, from_ms, to_ms.saturating_add(60_000));
    let text = format!(
        "{} of {} in {} {} missing from {} ({}){}{}",
        thousands(n),
        count(gap.compared, "call"),
        gap.present.label,
        if n == 1 { "is" } else { "are" },
        gap.missing_from.label,
        super::window_text(&window),
        if answered > 0 {
            format!("; {} answered, {:.1} talk minutes", thousands(answered), talk_ms as f64 / 60_000.0)
        } else {
            String::new()
        },
        if gap.rows.len() > named {
            format!("; the filter names the first {}", thousands(named as u64))
        } else {
            String::new()
        },
    );
    Finding {
        kind: "reconciliation",
        severity: if share >= 0.01 && n >= 10 { Severity::Critical } else { Severity::Warning },
        entity: Entity { field: "source", value: gap.missing_from.label.clone() },
        window,
        evidence: Evidence {
            baseline_calls: gap.compared,
            extra: vec![
                ("compared_calls".into(), gap.compared as f64),
                ("answered_missing".into(), answered as f64),
            ],
            ..Evidence::unbased(n, "missing_calls", n as f64)
        },
        impact: Impact { failed_calls: n, talk_minutes: talk_ms as f64 / 60_000.0 },
        text,
        filter: flowno_filter(gap.rows.iter().map(|&i| st.cols.flowno.get(i))),
        advice: Vec::new(),
    }
}

fn twice_finding(inp: &Input<'_>, tw: &Twice) -> Finding {
    let st = inp.store;
    let name = st.sources[tw.source].name.clone();
    let (from_ms, to_ms) = st.time_span().unwrap_or((0, 0));
    let text = if tw.resent {
        format!(
            "{name} received {} again (the switch resent them, counted once): acknowledgements lost or late",
            count(tw.calls, "call")
        )
    } else {
        format!("{name} holds {} twice (the same softswitch and flowno)", count(tw.calls, "call"))
    };
    Finding {
        kind: "reconciliation",
        severity: Severity::Info,
        entity: Entity { field: "source", value: name },
        window: Window::new(inp.tw, from_ms, to_ms.saturating_add(60_000)),
        evidence: Evidence::unbased(tw.calls, "received_twice", tw.calls as f64),
        impact: Impact { failed_calls: 0, talk_minutes: 0.0 },
        text,
        filter: flowno_filter(tw.flownos.iter().copied()),
        advice: Vec::new(),
    }
}
