//! Statistics on a ten-call day whose numbers are worked out by hand in the comments.

mod common;

use cdrscope::cdr::TimeWriter;
use cdrscope::report::summarize;
use cdrscope::stats::health::Verdict;
use common::*;

/// caller gw, callee gw, hold ms, end reason, caller pdd, billing mode
const CALLS: [(&str, &str, u32, &str, &str, i8); 10] = [
    ("A", "X", 60_000, "-8", "2000", 1),
    ("A", "X", 30_000, "-7", "3000", 1),
    ("A", "X", 0, "503", "8000", 1),
    ("A", "Y", 0, "486", "4000", 1),
    ("B", "Y", 120_000, "-8", "1000", 1),
    ("B", "Y", 0, "486", "2000", 1),
    ("B", "Y", 0, "404", "6000", 1),
    ("B", "", 0, "-69", "", 1),
    ("C", "X", 90_000, "-7", "5000", -1),
    ("C", "X", 0, "486", "3000", 1),
];

fn day() -> Vec<u8> {
    let mut s = String::new();
    for (i, (a, b, hold, reason, pdd, billing)) in CALLS.iter().enumerate() {
        let start = format!("2026-11-20 10:{:02}:00", i * 5);
        let stop = if *hold > 0 {
            format!(
                "2026-11-20 10:{:02}:{:02}",
                i * 5 + (*hold as usize / 1000 + 5) / 60,
                (*hold / 1000 + 5) % 60
            )
        } else {
            start.clone()
        };
        let start = if *hold > 0 { start } else { stop.clone() };
        s.push_str(&format!("1380000000{i}|8613900000{i}|{start}|{stop}|{hold}|{reason}|1|{a}|{b}|10.0.0.1|10.0.0.2|||||0|{billing}|{pdd}|\n"));
    }
    s.into_bytes()
}

#[test]
fn hand_computed_summary() {
    let st = load_bytes("ten.txt", &day());
    assert_eq!(st.len(), 10);
    assert_eq!(st.sources[0].hold_unit, Some(cdrscope::cdr::HoldUnit::Ms));
    let rows: Vec<u32> = (0..10).collect();
    let s = summarize(&st, &rows, &TimeWriter::new(utc()));
    assert_eq!(s.rows, 10);
    assert_eq!(s.answered, 4);
    assert!((s.asr - 0.4).abs() < 1e-9);
    // (60 + 30 + 120 + 90) / 4
    assert!((s.acd_seconds - 75.0).abs() < 1e-9);
    // Nine PDDs summing to 34000; nearest-rank p95 of nine values is the largest.
    assert!((s.pdd_avg_ms.expect("pdd") - 34_000.0 / 9.0).abs() < 1e-6);
    assert_eq!(s.pdd_p95_ms, Some(8000));
    assert!((s.zero_duration_share - 0.6).abs() < 1e-9);

    let gw: Vec<(&str, u64, u64, f64)> = s
        .by_callee_gateway
        .iter()
        .map(|g| (g.gateway.as_str(), g.calls, g.answered, g.acd_seconds))
        .collect();
    assert_eq!(gw, vec![("X", 5, 3, 60.0), ("Y", 4, 1, 120.0), ("", 1, 0, 0.0)]);
    let top = |g: &cdrscope::report::GatewayStats| {
        g.top_codes.iter().map(|c| (c.code.clone(), c.calls)).collect::<Vec<_>>()
    };
    assert_eq!(top(&s.by_callee_gateway[0]), vec![("486".into(), 1), ("503".into(), 1)]);
    assert_eq!(top(&s.by_callee_gateway[1]), vec![("486".into(), 2), ("404".into(), 1)]);
    let callers: Vec<(&str, u64, f64)> =
        s.by_caller_gateway.iter().map(|g| (g.gateway.as_str(), g.calls, g.asr)).collect();
    assert_eq!(callers, vec![("A", 4, 0.5), ("B", 4, 0.25), ("C", 2, 0.5)]);
    assert_eq!(top(&s.by_caller_gateway[1]), vec![("-69".into(), 1), ("404".into(), 1), ("486".into(), 1)]);

    let codes: Vec<(&str, u64)> = s.by_code.iter().map(|c| (c.code.as_str(), c.calls)).collect();
    assert_eq!(codes, vec![("486", 3), ("-7", 2), ("-8", 2), ("-69", 1), ("404", 1), ("503", 1)]);
    assert_eq!(s.by_code[0].name, "Busy Here");
    assert!((s.by_code[0].share - 0.3).abs() < 1e-9);

    let verdicts: Vec<(&str, Verdict)> = s.health.iter().map(|h| (h.metric.as_str(), h.verdict)).collect();
    assert_eq!(
        verdicts,
        vec![
            ("answered share", Verdict::Degraded),
            // 4 answered and 3 busy of 10: the route delivered 70% (a warning); the busy calls
            // count for it, not against it as the 4xx share did.
            ("NER", Verdict::Warning),
            ("5xx share", Verdict::Warning),
            ("486 share", Verdict::Degraded),
            ("billingMode -1 share", Verdict::Warning),
        ]
    );
    assert_eq!(s.timeline.iter().map(|b| b.calls).sum::<u64>(), 10);
    assert_eq!(s.timeline.iter().map(|b| b.answered).sum::<u64>(), 4);
    // One answered call with billingMode -1 from C: under the default minimum of 5 it is in
    // the health verdicts, not a finding; with the minimum at 1 it is one, attributed to C.
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
    let t = cdrscope::stats::thresholds::Thresholds { unbilled_min_calls: 1, ..Default::default() };
    let f = cdrscope::findings::run_with(&st, &rows, &TimeWriter::new(utc()), &t);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].text.starts_with("1 answered call (") && f[0].filter.contains("ingw:C"), "{}", f[0].text);
}

#[test]
fn demo_faults_are_found() {
    let st = load_bytes("demo", &cdrscope::cdr::sources::demo::demo_bytes());
    let rows: Vec<u32> = (0..st.len() as u32).collect();
    let s = summarize(&st, &rows, &TimeWriter::new(utc()));
    // One finding per planted incident (each detector is tested on its own in findings.rs).
    assert_eq!(s.findings.len(), 8, "{:#?}", s.findings);
    let outage = s.findings.iter().find(|f| f.kind == "gateway_outage").expect("outage");
    assert!(
        outage.text.contains("CT-Route-2") && outage.filter.contains("2026-11-21 14:00"),
        "{}",
        outage.text
    );
    let scanner = s.findings.iter().find(|f| f.kind == "scanner").expect("scanner");
    assert!(scanner.text.contains("185.220.101.33"));
}

#[test]
fn busy_and_absent_called_users_are_no_route_fault() {
    // Six answered, three busy, one away, one caller who hung up while it rang: nothing the
    // route did wrong. The 4xx share (40%) called this degraded; NER judges it healthy.
    let mut s = String::new();
    let outcomes = ["-8", "-7", "-8", "-7", "-8", "-7", "486", "486", "486", "480", "487"];
    for (i, reason) in outcomes.iter().enumerate() {
        let answered = reason.starts_with('-');
        let (stop, hold) =
            if answered { ("2026-11-20 10:01:00", 55_000) } else { ("2026-11-20 10:00:05", 0) };
        s.push_str(&format!(
            "1380000000{i}|8613900000{i}|2026-11-20 10:00:05|{stop}|{hold}|{reason}|1|A|X|10.0.0.1|10.0.0.2|||||0|1|2000|\n"
        ));
    }
    let st = load_bytes("users.txt", s.as_bytes());
    let rows: Vec<u32> = (0..st.len() as u32).collect();
    let m = summarize(&st, &rows, &TimeWriter::new(utc()));
    assert_eq!(m.rows, 11);
    // 6 answered + 3 busy + 1 no answer of 11; the abandoned call is not effective.
    assert!((m.ner - 10.0 / 11.0).abs() < 1e-9, "{}", m.ner);
    assert!((m.by_callee_gateway[0].ner - 10.0 / 11.0).abs() < 1e-9);
    let ner = m.health.iter().find(|h| h.metric == "NER").expect("an NER verdict");
    assert_eq!(ner.verdict, Verdict::Healthy, "{ner:?}");
    assert!(!m.health.iter().any(|h| h.metric == "4xx share"), "{:?}", m.health);
    let json = serde_json::to_value(&m).expect("json");
    assert!(json["ner"].is_f64() && json["by_callee_gateway"][0]["ner"].is_f64(), "{json}");
}
