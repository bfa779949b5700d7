//! The filter language: every term checked against an independent, record-by-record oracle
//! over the demo day, plus the time forms and the errors.

mod common;

use cdrscope::cdr::{Reason, Record, Store};
use cdrscope::query::{Context, evaluate, parse};
use common::*;

fn demo() -> Store {
    load_bytes("demo", &cdrscope::cdr::sources::demo::demo_bytes())
}

fn ctx(st: &Store) -> Context<'_> {
    // "Now" is a fixed moment after the demo day, so results do not depend on the clock.
    Context { store: st, zone: utc(), now_ms: 1_800_000_000_000 }
}

fn check(st: &Store, q: &str, oracle: impl Fn(&Record) -> bool) -> usize {
    let got = evaluate(&parse(q).expect("query parses"), &ctx(st));
    let want: Vec<u32> = (0..st.len()).filter(|&i| oracle(&st.record(i))).map(|i| i as u32).collect();
    assert_eq!(got.len(), want.len(), "count for {q}");
    assert_eq!(got, want, "rows for {q}");
    got.len()
}

fn ms(text: &str) -> i64 {
    let r = cdrscope::cdr::TimeReader::new(utc());
    match r.parse(text.as_bytes()) {
        Some(cdrscope::cdr::record::time::TimeValue::At(ms, _)) => ms,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn each_term_matches_the_oracle() {
    let st = demo();
    let pdd = |r: &Record| r.caller_pdd_ms.filter(|p| *p > 0).or(r.callee_pdd_ms.filter(|p| *p > 0));
    assert!(
        check(&st, "gw:CT-Route-2", |r| r.caller_gateway == "CT-Route-2" || r.callee_gateway == "CT-Route-2")
            > 0
    );
    assert!(
        check(&st, "gw:ct-route-2,对接线路", |r| ["CT-Route-2", "对接线路"]
            .iter()
            .any(|g| r.caller_gateway == *g || r.callee_gateway == *g))
            > 0
    );
    assert!(check(&st, "ingw:WHS-Delta", |r| r.caller_gateway == "WHS-Delta") > 0);
    assert!(check(&st, "outgw:IntlCarrier-*", |r| r.callee_gateway.starts_with("IntlCarrier-")) > 0);
    assert!(check(&st, "code:503", |r| r.reason == Reason::Code(503)) > 0);
    assert!(check(&st, "code:-69", |r| r.reason == Reason::Code(-69)) > 0);
    assert!(check(&st, "code:NoAvailableRouter", |r| r.reason == Reason::Code(-69)) > 0);
    assert!(check(&st, "code:5xx", |r| matches!(r.reason, Reason::Code(c) if (500..600).contains(&c))) > 0);
    assert!(
        check(
            &st,
            "code:4xx,-9",
            |r| matches!(r.reason, Reason::Code(c) if (400..500).contains(&c) || c == -9)
        ) > 0
    );
    assert!(check(&st, "-code:4xx", |r| !matches!(r.reason, Reason::Code(c) if (400..500).contains(&c))) > 0);
    assert!(check(&st, "caller:86755", |r| r.caller.starts_with("86755")) > 0);
    assert!(check(&st, "callee:*001", |r| r.callee.ends_with("001")) > 0);
    assert!(check(&st, "callee:882,44", |r| r.callee.starts_with("882") || r.callee.starts_with("44")) > 0);
    assert!(
        check(&st, "ip:185.220.", |r| r.caller_ip.starts_with("185.220.")
            || r.callee_ip.starts_with("185.220."))
            > 0
    );
    // The sides of an IP, calls with no gateway, the number sent to the routing gateway.
    assert!(check(&st, "inip:185.220.", |r| r.caller_ip.starts_with("185.220.")) > 0);
    assert!(check(&st, "outip:100.64.9", |r| r.callee_ip.starts_with("100.64.9")) > 0);
    assert_eq!(check(&st, "outip:185.220.", |r| r.callee_ip.starts_with("185.220.")), 0);
    assert!(check(&st, "outgw:none", |r| r.callee_gateway.is_empty()) > 0);
    assert!(check(&st, "ingw:none", |r| r.caller_gateway.is_empty()) > 0);
    assert!(check(&st, "-gw:none", |r| !r.caller_gateway.is_empty() && !r.callee_gateway.is_empty()) > 0);
    let dest = |r: &Record| {
        if r.callee_gateway.is_empty() || r.callee_to_gateway.is_empty() {
            r.callee.clone()
        } else {
            r.callee_to_gateway.clone()
        }
    };
    assert!(check(&st, "dest:4420", |r| dest(r).starts_with("4420")) > 0);
    assert!(check(&st, "billing:-1", |r| r.billing_mode == Some(-1)) > 0);
    assert!(check(&st, "billing:phone,card", |r| matches!(r.billing_mode, Some(0 | 3))) > 0);
    assert!(check(&st, "dir:server", |r| r.end_direction == Some(2)) > 0);
    assert!(check(&st, "dir:caller,callee", |r| matches!(r.end_direction, Some(0 | 1))) > 0);
    assert!(check(&st, "answered:yes", |r| r.hold_ms > 0) > 0);
    assert!(check(&st, "answered:no", |r| r.hold_ms == 0) > 0);
    assert!(check(&st, "dur>30s", |r| r.hold_ms > 30_000) > 0);
    assert!(check(&st, "dur<=1m", |r| r.hold_ms <= 60_000) > 0);
    assert!(check(&st, "pdd>5s", |r| pdd(r).is_some_and(|p| p > 5000)) > 0);
    assert!(check(&st, "-pdd>5s", |r| pdd(r).is_none_or(|p| p <= 5000)) > 0);
    assert!(
        check(&st, "delta", |r| {
            r.caller_gateway.to_lowercase().contains("delta")
                || r.callee_gateway.to_lowercase().contains("delta")
                || r.caller.contains("delta")
                || r.callee.contains("delta")
        }) > 0
    );
    assert!(check(&st, "8675500", |r| r.caller.contains("8675500") || r.callee.contains("8675500")) > 0);
    assert!(check(&st, "sipvicious", |r| r.caller.contains("sipvicious")) > 0);
    // Terms AND together.
    assert!(
        check(&st, "outgw:CT-Route-2 code:5xx answered:no", |r| {
            r.callee_gateway == "CT-Route-2"
                && matches!(r.reason, Reason::Code(c) if (500..600).contains(&c))
                && r.hold_ms == 0
        }) > 0
    );
}

#[test]
fn time_terms() {
    let st = demo();
    let at14 = ms("2026-11-20 14:00:00");
    let at15 = ms("2026-11-20 15:00:00");
    let n = check(&st, "since:\"2026-11-20 14:00\" until:2026-11-20T15:00", |r| {
        r.start_ms >= at14 && r.start_ms < at15
    });
    assert!(n > 500);
    // A time of day means the data's last day when the data does not reach today.
    let last_day_14 = {
        let (_, last) = st.time_span().expect("rows");
        let day = last.div_euclid(86_400_000) * 86_400_000;
        day + 14 * 3_600_000
    };
    check(&st, "since:14:00", |r| r.start_ms >= last_day_14);
    // Relative to the newest call.
    let (_, newest) = st.time_span().expect("rows");
    assert!(check(&st, "since:-2h", |r| r.start_ms >= newest - 7_200_000) > 0);
    check(&st, "until:-2h", |r| r.start_ms < newest - 7_200_000);
    // In files, a time of day is on the latest loaded day whose calls span it, whatever the
    // clock says: "23:00" is the last evening in the data.
    let today_ctx = Context { store: &st, zone: utc(), now_ms: ms("2026-11-20 20:00:00") };
    let q = parse("since:23:00").expect("parses");
    let got = evaluate(&q, &today_ctx);
    let (_, last) = st.time_span().expect("rows");
    let at23 = last.div_euclid(86_400_000) * 86_400_000 + 23 * 3_600_000;
    let at23 = if at23 > last { at23 - 86_400_000 } else { at23 };
    assert_eq!(got.len(), (0..st.len()).filter(|&i| st.cols.start_ms[i] >= at23).count());
    assert!(!got.is_empty());
    // A database (or followed source) means today by the clock.
    let mut live = st.clone();
    live.wall_clock = true;
    let clock_ctx = Context { store: &live, zone: utc(), now_ms: ms("2026-11-20 20:00:00") };
    let at23_today = ms("2026-11-20 23:00:00");
    let got = evaluate(&q, &clock_ctx);
    assert_eq!(got.len(), (0..live.len()).filter(|&i| live.cols.start_ms[i] >= at23_today).count());
}

#[test]
fn errors_name_the_term() {
    for (q, needle) in [
        ("gw:A bogus:1", "unknown field 'bogus'"),
        ("since:yesterday", "not a time"),
        ("dur>lots", "not a duration"),
        ("dir:sideways", "dir takes"),
        ("answered:perhaps", "yes or no"),
        ("code:", "needs a value"),
        ("gw:\"unclosed", "not closed"),
    ] {
        let e = parse(q).expect_err(q);
        assert!(e.message.contains(needle), "{q}: {}", e.message);
        assert!(!q[e.span.clone()].is_empty());
    }
}
