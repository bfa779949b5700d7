//! The findings engine on generated traffic: each detector fires on its incident (the right
//! entity, a window overlapping the truth) and nothing fires on clean days; every finding's
//! filter selects exactly its calls; thresholds come from one struct.

mod common;

use cdrscope::cdr::sources::demo::{Incident, Incidents, Spec, write};
use cdrscope::cdr::{Store, TimeWriter};
use cdrscope::findings::{Finding, run, run_with};
use cdrscope::query::{Context, evaluate, parse};
use cdrscope::stats::thresholds::Thresholds;
use common::*;

fn traffic(seed: u64, incidents: Incidents) -> Store {
    let spec = Spec { rows: 40_000, days: 2, seed, with_pdd: true, incidents };
    let mut out = Vec::new();
    write(spec, &mut out).expect("generate");
    load_bytes("generated", &out)
}

fn findings(st: &Store) -> Vec<Finding> {
    let rows: Vec<u32> = (0..st.len() as u32).collect();
    run(st, &rows, &TimeWriter::new(utc()))
}

/// Epoch ms of a time on the incident day (2026-11-21, UTC in these tests).
fn at(hh_mm: &str) -> i64 {
    let (h, m) = hh_mm.split_once(':').expect("HH:MM");
    let day = 1_795_219_200_000; // 2026-11-21 00:00 UTC
    day + (h.parse::<i64>().expect("h") * 60 + m.parse::<i64>().expect("m")) * 60_000
}

/// The incident, where it is, and when it really happened.
fn truth(i: Incident) -> (&'static str, &'static str, &'static str, i64, i64) {
    match i {
        Incident::Outage => ("gateway_outage", "callee_gateway", "CT-Route-2", at("14:00"), at("15:00")),
        Incident::Pdd => ("pdd_degradation", "callee_gateway", "IntlCarrier-A", at("09:00"), at("11:00")),
        Incident::RoutingHole => ("routing_hole", "callee_prefix", "4420", at("16:00"), at("24:00")),
        Incident::FalseAnswer => ("false_answer", "callee_gateway", "CU-Route-3", at("19:00"), at("22:00")),
        Incident::Scanner => ("scanner", "caller_ip", "185.220.101.33", at("03:00"), at("03:20")),
        Incident::Unbilled => ("unbilled_answered", "caller_gateway", "WHS-Delta", at("06:00"), at("24:00")),
        Incident::Capacity => ("capacity", "caller_gateway", "CUST-Alpha", at("10:00"), at("12:00")),
        Incident::Change => ("change", "caller_gateway", "CUST-Bravo", at("23:00"), at("24:00")),
        Incident::BusyBurst => ("capacity", "callee_gateway", "CM-Route-1", at("10:00"), at("12:00")),
    }
}

#[test]
fn each_detector_fires_on_its_incident_and_nothing_else_does() {
    for (n, i) in Incident::ALL.into_iter().enumerate() {
        let st = traffic(100 + n as u64, Incidents::only(i));
        let got = findings(&st);
        let (kind, field, value, from, to) = truth(i);
        assert_eq!(
            got.iter().map(|f| f.kind).collect::<Vec<_>>(),
            vec![kind],
            "{i:?}: {:#?}",
            got.iter().map(|f| &f.text).collect::<Vec<_>>()
        );
        let f = &got[0];
        assert_eq!((f.entity.field, f.entity.value.as_str()), (field, value), "{i:?}: {}", f.text);
        assert!(f.window.from_ms < to && from < f.window.to_ms, "{i:?}: window {:?} vs the truth", f.window);
        assert!(!f.text.is_empty() && f.evidence.calls > 0, "{i:?}");
    }
}

#[test]
fn clean_days_yield_no_findings() {
    for seed in 0..10 {
        let st = traffic(seed * 7919 + 1, Incidents::NONE);
        let got = findings(&st);
        assert!(got.is_empty(), "seed {seed}: {:#?}", got.iter().map(|f| &f.text).collect::<Vec<_>>());
    }
}

#[test]
fn the_demo_names_one_finding_of_each_kind() {
    let st = load_bytes("demo", &cdrscope::cdr::sources::demo::demo_bytes());
    let got = findings(&st);
    let mut kinds: Vec<&str> = got.iter().map(|f| f.kind).collect();
    kinds.sort_unstable();
    let mut want: Vec<&str> =
        Incident::ALL.iter().filter(|i| **i != Incident::BusyBurst).map(|i| truth(*i).0).collect();
    want.sort_unstable();
    assert_eq!(kinds, want, "{:#?}", got.iter().map(|f| &f.text).collect::<Vec<_>>());
    // Ranked: critical first, then by impact.
    assert!(got.windows(2).all(|w| w[0].severity >= w[1].severity));
}

#[test]
fn every_filter_selects_exactly_the_calls_behind_its_finding() {
    let st = load_bytes("demo", &cdrscope::cdr::sources::demo::demo_bytes());
    let ctx = Context { store: &st, zone: utc(), now_ms: 1_800_000_000_000 };
    for f in findings(&st) {
        let q = parse(&f.filter).unwrap_or_else(|e| panic!("{}: {e}", f.filter));
        let rows = evaluate(&q, &ctx);
        assert_eq!(rows.len() as u64, f.evidence.calls, "{}: {}", f.kind, f.filter);
    }
}

#[test]
fn advice_names_knowledge_base_entries() {
    let kb = cdrscope::kb::Kb::builtin(cdrscope::kb::Lang::En).expect("kb");
    let st = load_bytes("demo", &cdrscope::cdr::sources::demo::demo_bytes());
    for f in findings(&st) {
        for id in &f.advice {
            assert!(kb.get(id).is_some(), "{}: advice {id} is not in the knowledge base", f.kind);
        }
        if matches!(f.kind, "gateway_outage" | "routing_hole" | "scanner" | "capacity") {
            assert!(!f.advice.is_empty(), "{}: no advice", f.kind);
        }
    }
}

#[test]
fn thresholds_decide() {
    let st = traffic(5, Incidents::only(Incident::Scanner));
    let rows: Vec<u32> = (0..st.len() as u32).collect();
    let tw = TimeWriter::new(utc());
    assert_eq!(run_with(&st, &rows, &tw, &Thresholds::default()).len(), 1);
    let strict = Thresholds { scanner_min_attempts: 100_000, ..Thresholds::default() };
    assert!(run_with(&st, &rows, &tw, &strict).is_empty());
}

#[test]
fn json_shape() {
    let st = traffic(7, Incidents::only(Incident::Outage));
    let f = &findings(&st)[0];
    let v = serde_json::to_value(f).expect("json");
    for key in ["kind", "severity", "entity", "window", "evidence", "impact", "text", "filter", "advice"] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["severity"], "critical");
    assert_eq!(v["entity"]["field"], "callee_gateway");
    assert_eq!(v["evidence"]["metric"], "asr");
    assert!(v["window"]["from"].as_str().is_some_and(|s| s.starts_with("2026-11-21 14:")));
}

#[test]
fn hostile_spread_keeps_the_aggregates_bounded() {
    // 3,000 gateways with 10 calls each, one a day over 100 days: more cells than the budget.
    let mut text = String::new();
    for g in 0..3000 {
        for d in 0..10u32 {
            let day = (g * 7 + d as usize * 10) % 100;
            let (m, dd) = (1 + day / 28, 1 + day % 28);
            text.push_str(&format!(
                "1380000{g:04}|86139{d:05}|2026-{m:02}-{dd:02} 10:00:00|2026-{m:02}-{dd:02} 10:00:30|0|503|1|IN{g}|GW{g}|10.0.0.1|10.0.0.2|||||0|1|2000|1800\n"
            ));
        }
    }
    let st = load_bytes("spread.txt", text.as_bytes());
    assert_eq!(st.len(), 30_000);
    let rows: Vec<u32> = (0..st.len() as u32).collect();
    let tw = TimeWriter::new(utc());
    let agg = cdrscope::findings::Aggregates::build(&st, &rows, &tw, &Thresholds::default()).expect("grid");
    let bytes =
        agg.callee.ids.len() * agg.grid.count * std::mem::size_of::<cdrscope::findings::aggregate::Cell>();
    assert!(bytes <= 16 << 20, "{bytes} bytes of cells");
    assert!(agg.callee.ids.len() < 3000, "the budget kept {} gateways", agg.callee.ids.len());
    // And the engine still answers.
    let _ = run(&st, &rows, &tw);
}

/// A clean fortnight's two days, plus `n` calls to routing gateway CT-Route-2 between 14:00 and
/// 15:00 of the second day, all unanswered with `reason`.
fn with_failures_at_two(reason: &str, n: u32) -> Store {
    let spec = Spec { rows: 40_000, days: 2, seed: 4242, with_pdd: true, incidents: Incidents::NONE };
    let mut out = Vec::new();
    write(spec, &mut out).expect("generate");
    for k in 0..n {
        let (m, s) = (k * 3600 / n / 60, k * 3600 / n % 60);
        let t = format!("2026-11-21 14:{m:02}:{s:02}");
        out.extend_from_slice(
            format!("8613800{k:06}|8613900{k:06}|{t}|{t}|0|{reason}|1|CUST-Alpha|CT-Route-2|10.0.0.1|10.0.0.2|1|2|1|2|0|1\n")
                .as_bytes(),
        );
    }
    load_bytes("generated", &out)
}

#[test]
fn busy_called_users_are_no_outage_but_a_failing_route_is() {
    // Called users busy or away: answers fall, NER does not; nobody's route is down.
    for reason in ["486", "480"] {
        let got = findings(&with_failures_at_two(reason, 600));
        assert!(
            !got.iter().any(|f| f.kind == "gateway_outage"),
            "{reason}: {:#?}",
            got.iter().map(|f| &f.text).collect::<Vec<_>>()
        );
    }
    // The same calls failing with 503 from the route: an outage, with its NER in the evidence.
    let got = findings(&with_failures_at_two("503", 600));
    let f = got.iter().find(|f| f.kind == "gateway_outage").expect("an outage on 503s");
    assert_eq!(f.entity.value, "CT-Route-2");
    assert!(f.text.contains("NER"), "{}", f.text);
    assert!(f.evidence.extra.iter().any(|(k, _)| k == "baseline_ner"));
}
