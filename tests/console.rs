//! The console, drawn into a test backend: snapshots of every view at 80x24 and at a wide
//! size, and behaviour driven key by key (the worker runs synchronously between keys).

mod common;

use std::sync::Arc;

use cdrscope::cdr::store::shared::read;
use cdrscope::cdr::{Progress, SharedStore, SourceSpec, Store};
use cdrscope::kb::{Kb, Lang};
use cdrscope::tui::state::app::{App, View};
use cdrscope::tui::worker::{Ctx, process};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::console::{app_with, demo_store, key, screen, settle, typed};

#[test]
fn snapshots_of_every_view() {
    let (mut app, ctx) = app_with(demo_store());
    insta::assert_snapshot!("calls_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("calls_160x48", screen(&mut app, 160, 48));
    key(&mut app, &ctx, KeyCode::Enter);
    insta::assert_snapshot!("calls_popup_80x24", screen(&mut app, 80, 24));
    key(&mut app, &ctx, KeyCode::Esc);
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(app.view, View::Stats);
    insta::assert_snapshot!("stats_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("stats_160x48", screen(&mut app, 160, 48));
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('v'));
    }
    insta::assert_snapshot!("findings_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("findings_160x48", screen(&mut app, 160, 48));
    key(&mut app, &ctx, KeyCode::Char('v'));
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(app.view, View::Lookup);
    typed(&mut app, &ctx, "no route");
    insta::assert_snapshot!("lookup_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("lookup_160x48", screen(&mut app, 160, 48));
    key(&mut app, &ctx, KeyCode::Esc);
    key(&mut app, &ctx, KeyCode::Char('?'));
    insta::assert_snapshot!("help_80x24", screen(&mut app, 80, 24));
    key(&mut app, &ctx, KeyCode::Char('q'));
    key(&mut app, &ctx, KeyCode::Char('g'));
    insta::assert_snapshot!("gateway_picker_80x24", screen(&mut app, 80, 24));
}

#[test]
fn filter_with_live_count_errors_and_history() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "outgw:CT-Route-2 code:5xx");
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("calls match"), "{s}");
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert_eq!(app.filter, "outgw:CT-Route-2 code:5xx");
    let want = app.rows.iter().all(|&r| read(&ctx.store).callee_gateway(r as usize) == "CT-Route-2");
    assert!(want && !app.rows.is_empty());
    assert!(screen(&mut app, 100, 30).contains("outgw:CT-Route-2 code:5xx"));
    // A wrong term is shown inline and the prompt stays open.
    key(&mut app, &ctx, KeyCode::Char('/'));
    for _ in 0..40 {
        key(&mut app, &ctx, KeyCode::Backspace);
    }
    typed(&mut app, &ctx, "colour:red");
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(app.overlay.is_some());
    assert!(screen(&mut app, 100, 30).contains("unknown field 'colour'"));
    // History brings the last filter back.
    key(&mut app, &ctx, KeyCode::Up);
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "outgw:CT-Route-2 code:5xx");
    key(&mut app, &ctx, KeyCode::Char('x'));
    assert_eq!(app.rows.len(), read(&ctx.store).len());
}

#[test]
fn pick_gateways_and_codes() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('g'));
    typed(&mut app, &ctx, "delta");
    key(&mut app, &ctx, KeyCode::Char(' '));
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "gw:WHS-Delta");
    assert!(app.rows.iter().all(|&r| read(&ctx.store).caller_gateway(r as usize) == "WHS-Delta"
        || read(&ctx.store).callee_gateway(r as usize) == "WHS-Delta"));
    key(&mut app, &ctx, KeyCode::Char('c'));
    typed(&mut app, &ctx, "illegal");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "gw:WHS-Delta code:-9");
    key(&mut app, &ctx, KeyCode::Char('g'));
    typed(&mut app, &ctx, "对接");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "code:-9 gw:对接线路", "a new pick replaces the gateway term");
    // A side's term too: beside outgw:CT-Route-2 a picked gateway would match no call.
    key(&mut app, &ctx, KeyCode::Char('x'));
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "outgw:CT-Route-2 dur>10s");
    key(&mut app, &ctx, KeyCode::Enter);
    key(&mut app, &ctx, KeyCode::Char('g'));
    typed(&mut app, &ctx, "delta");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "dur>10s gw:WHS-Delta");
    assert!(!app.rows.is_empty());
}

#[test]
fn drill_down_from_stats() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Tab);
    key(&mut app, &ctx, KeyCode::Char('j'));
    let second = app.summary.as_ref().expect("summary").by_callee_gateway[1].gateway.clone();
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.view, View::Calls);
    assert_eq!(app.filter, format!("outgw:{second}"));
    assert!(app.rows.iter().all(|&r| read(&ctx.store).callee_gateway(r as usize) == second));
    // The codes table drills down to code:.
    key(&mut app, &ctx, KeyCode::Char('x'));
    key(&mut app, &ctx, KeyCode::Tab);
    key(&mut app, &ctx, KeyCode::Char('v'));
    key(&mut app, &ctx, KeyCode::Char('v'));
    let top = app.summary.as_ref().expect("summary").by_code[0].code.clone();
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, format!("code:{top}"));
}

#[test]
fn help_says_shift_tab_and_stops_at_its_end() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('?'));
    let first = screen(&mut app, 100, 60);
    assert!(first.contains("Shift-Tab") && !first.contains("BackTab"), "{first}");
    for _ in 0..40 {
        key(&mut app, &ctx, KeyCode::PageDown);
    }
    let end = screen(&mut app, 100, 20);
    assert!(end.contains("Terms are ANDed"), "the last line stays in view:\n{end}");
    // The filter terms are in the help itself, whole at 80 columns and at 120.
    for (w, h) in [(80, 24), (120, 40)] {
        key(&mut app, &ctx, KeyCode::Esc);
        key(&mut app, &ctx, KeyCode::Char('?'));
        let mut seen = String::new();
        for _ in 0..12 {
            seen.push_str(&screen(&mut app, w, h));
            key(&mut app, &ctx, KeyCode::PageDown);
        }
        for (term, what) in cdrscope::query::reference::TERMS {
            assert!(
                seen.contains(term.trim()) && seen.contains(what),
                "{w}x{h}: '{term}' / '{what}' not whole"
            );
        }
    }
}

#[test]
fn one_is_singular() {
    let mut text =
        common::pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    text.push_str(&common::pipe_line(
        "2",
        "2026-11-20 10:01:00",
        "2026-11-20 10:01:40",
        30_000,
        "-8",
        "A",
        "C",
    ));
    let (mut app, ctx) = app_with(common::load_bytes("two.txt", text.as_bytes()));
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "outgw:B");
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("1 call matches"), "{s}");
}

#[test]
fn reverse_in_stats_reverses_the_table_not_the_calls() {
    let (mut app, ctx) = app_with(demo_store());
    let calls_order = app.sort;
    key(&mut app, &ctx, KeyCode::Tab);
    let before: Vec<String> =
        app.summary.as_ref().expect("summary").by_callee_gateway.iter().map(|g| g.gateway.clone()).collect();
    key(&mut app, &ctx, KeyCode::Char('S'));
    let after: Vec<String> =
        app.summary.as_ref().expect("summary").by_callee_gateway.iter().map(|g| g.gateway.clone()).collect();
    assert_eq!(after, before.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(app.sort, calls_order, "the calls' sort is untouched");
}

#[test]
fn the_numbers_come_first_and_the_findings_after() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('x'));
    app.handle_key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
    for c in "outgw:CT-Route-2".chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    // Answer the query only: its numbers are shown while the findings are still coming.
    let reqs = std::mem::take(&mut app.outbox);
    for r in reqs {
        if matches!(r, cdrscope::tui::worker::Request::Query { .. }) {
            let resp = process(r, &ctx);
            app.apply(resp);
        }
    }
    assert!(app.findings_pending && app.summary.as_ref().is_some_and(|s| s.findings.is_empty()));
    assert!(app.outbox.iter().any(|r| matches!(r, cdrscope::tui::worker::Request::Findings { .. })));
    app.handle_key(KeyEvent::new(KeyCode::Char('!'), KeyModifiers::NONE));
    assert!(screen(&mut app, 120, 30).contains("Findings: looking"));
    settle(&mut app, &ctx);
    assert!(!app.findings_pending);
    let s = app.summary.as_ref().expect("summary");
    assert!(s.findings.iter().any(|f| f.kind == "gateway_outage"), "{:#?}", s.findings);
}

#[test]
fn findings_list_drills_into_the_calls_and_the_dominant_code() {
    let (mut app, ctx) = app_with(demo_store());
    // `!` from anywhere opens the Findings table.
    key(&mut app, &ctx, KeyCode::Char('!'));
    assert_eq!(app.view, View::Stats);
    let all = app.summary.as_ref().expect("summary").findings.clone();
    assert!(all.len() >= 3, "{all:#?}");
    // Every finding is listed, not only the first.
    let s = screen(&mut app, 160, 48);
    for f in &all {
        assert!(s.contains(f.kind), "{} not listed:\n{s}", f.kind);
    }
    let k = all.iter().position(|f| f.kind == "gateway_outage").expect("an outage in the frozen day");
    for _ in 0..k {
        key(&mut app, &ctx, KeyCode::Char('j'));
    }
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.view, View::Calls);
    assert_eq!(app.filter, all[k].filter);
    assert_eq!(app.rows.len() as u64, all[k].evidence.calls);
    // The first call with the dominant code is selected and explained.
    let dominant = all[k].evidence.codes[0].code.split(' ').next().expect("code").to_string();
    let st = read(&ctx.store);
    let r = app.rows[app.selected] as usize;
    assert_eq!(st.reason(r).code().map(|c| c.to_string()), Some(dominant.clone()));
    drop(st);
    assert!(app.detail || app.popup);
    assert!(screen(&mut app, 160, 48).contains(&dominant));
}

#[test]
fn lookup_palette_time_window_sort_and_help() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('l'));
    typed(&mut app, &ctx, "余额不足");
    assert_eq!(app.lookup.hits.first().map(String::as_str), Some("vos:-2"));
    assert!(screen(&mut app, 120, 40).contains("InsufficientBalance"));
    key(&mut app, &ctx, KeyCode::Esc);
    assert!(app.overlay.is_none());
    // The menu opens on the window in force ("all"); three up is the last hour.
    key(&mut app, &ctx, KeyCode::Char('t'));
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('k'));
    }
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "since:-1h");
    let (_, newest) = read(&ctx.store).time_span().expect("rows");
    assert!(app.rows.iter().all(|&r| read(&ctx.store).cols.start_ms[r as usize] >= newest - 3_600_000));
    key(&mut app, &ctx, KeyCode::Char('s'));
    assert!(
        app.rows
            .windows(2)
            .all(|w| read(&ctx.store).hold_ms(w[0] as usize) >= read(&ctx.store).hold_ms(w[1] as usize)),
        "longest first"
    );
    key(&mut app, &ctx, KeyCode::Char('?'));
    let help = screen(&mut app, 100, 40);
    assert!(help.contains("pick gateways") && help.contains("look up a code"), "{help}");
    key(&mut app, &ctx, KeyCode::Char('z'));
    assert!(app.overlay.is_none());
    key(&mut app, &ctx, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn export_writes_what_is_shown_and_never_over_a_source() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "code:-9");
    key(&mut app, &ctx, KeyCode::Enter);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("scanner.csv");
    key(&mut app, &ctx, KeyCode::Char('e'));
    for _ in 0..80 {
        key(&mut app, &ctx, KeyCode::Backspace);
    }
    typed(&mut app, &ctx, &out.display().to_string());
    key(&mut app, &ctx, KeyCode::Enter);
    let text = std::fs::read_to_string(&out).expect("exported");
    assert_eq!(text.lines().count(), app.rows.len() + 1);
    assert!(app.status.as_ref().is_some_and(|(m, err)| !err && m.starts_with("wrote")));
    // The same path again is refused, and so is a source file.
    key(&mut app, &ctx, KeyCode::Char('e'));
    for _ in 0..80 {
        key(&mut app, &ctx, KeyCode::Backspace);
    }
    typed(&mut app, &ctx, &out.display().to_string());
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(screen(&mut app, 100, 30).contains("exists"));
    key(&mut app, &ctx, KeyCode::Esc);
    let src = common::write(dir.path(), "2026112010.txt", b"x");
    app.specs.push(SourceSpec::Path(src.clone()));
    key(&mut app, &ctx, KeyCode::Char('e'));
    for _ in 0..80 {
        key(&mut app, &ctx, KeyCode::Backspace);
    }
    typed(&mut app, &ctx, &src.display().to_string());
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(screen(&mut app, 100, 30).contains("refusing"));
    assert_eq!(std::fs::read(&src).expect("read"), b"x");
    key(&mut app, &ctx, KeyCode::Esc);
    // A directory that does not exist is said in the prompt, which stays open.
    key(&mut app, &ctx, KeyCode::Char('e'));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut app, &ctx, "/nonexistent/dir/x.csv");
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(screen(&mut app, 100, 30).contains("no directory /nonexistent/dir"));
    assert!(app.overlay.is_some(), "the prompt stays open on an error");
    // An unknown extension is said once; Enter again writes CSV, and the status names the
    // absolute path.
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    // (.dat: a spreadsheet's name is refused outright, see console_keys.rs.)
    let odd = dir.path().join("scanner.dat");
    typed(&mut app, &ctx, &odd.display().to_string());
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(screen(&mut app, 100, 30).contains(".dat is not an export format"));
    assert!(!odd.exists());
    key(&mut app, &ctx, KeyCode::Enter);
    let text = std::fs::read_to_string(&odd).expect("written on the second Enter");
    let head = text.lines().next().unwrap_or_default();
    assert!(head.contains(",flowno") && !head.contains('|'), "written as CSV: {head}");
    assert!(app.status.as_ref().is_some_and(|(m, _)| m.contains(&odd.display().to_string())));
}

#[test]
fn small_terminals_and_hostile_bytes() {
    let line =
        "\x1b]0;pwned\x07|123|2026-11-20 10:00:00|2026-11-20 10:00:00|0|-9|2|\x1b[2J|B|6.6.6.6||||||0|-1\n";
    let store = common::load_bytes("hostile", line.as_bytes());
    let (mut app, ctx) = app_with(store);
    let s = screen(&mut app, 59, 14);
    assert!(s.contains("too small"), "{s}");
    let s = screen(&mut app, 160, 40);
    assert!(!s.contains('\x1b') && !s.contains('\x07'), "control bytes reached the screen");
    assert!(s.contains("\\x1b]0;pwned\\x07"), "{s}");
    key(&mut app, &ctx, KeyCode::Tab);
    let s = screen(&mut app, 160, 40);
    assert!(!s.contains('\x1b'));
}

#[test]
fn rows_appear_while_loading() {
    let kb = Arc::new(Kb::builtin(Lang::En).expect("kb"));
    let shared: SharedStore = cdrscope::cdr::store::shared::shared(Store::default());
    let progress = Arc::new(Progress::default());
    let specs = vec![SourceSpec::Memory { name: "demo".into(), data: Arc::new(Vec::new()) }];
    let mut app = App::new(kb, common::utc(), specs, progress.clone());
    app.show_timing = false;
    let ctx =
        Ctx { store: shared.clone(), zone: common::utc(), now_ms: 1_800_000_000_000, db_password: None };
    app.set_store(shared.clone());
    settle(&mut app, &ctx);
    assert!(app.is_loading());
    assert_eq!(app.rows.len(), 0);
    let waiting = screen(&mut app, 100, 30);
    assert!(waiting.contains("loading"));
    assert!(!waiting.contains("No calls match") && !waiting.contains("ASR 0.0%"), "{waiting}");
    assert!(waiting.contains("no calls have arrived yet"), "{waiting}");
    // Rows arrive in the shared store while the console runs.
    let data = cdrscope::cdr::sources::demo::demo_bytes();
    let first_half: Vec<u8> =
        data.split(|b| *b == b'\n').take(1000).flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
    let specs = vec![SourceSpec::Memory { name: "part".into(), data: Arc::new(first_half) }];
    cdrscope::cdr::load_into(&specs, &common::opts(), progress.clone(), &shared).expect("load");
    app.refresh_while_loading();
    settle(&mut app, &ctx);
    assert_eq!(app.rows.len(), 1000);
    assert!(screen(&mut app, 100, 30).contains("1,000/1,000 calls"));
}

#[test]
fn the_focus_timeline_uses_the_summarys_buckets_in_any_zone() {
    // +05:30: buckets aligned to UTC would start at :30 local and not line up.
    let zone = cdrscope::cdr::Zone::parse("+05:30").expect("zone");
    let store: SharedStore = cdrscope::cdr::store::shared::shared(demo_store());
    let ctx = Ctx { store: store.clone(), zone: zone.clone(), now_ms: 1_800_000_000_000, db_password: None };
    let rows: Vec<u32> = (0..read(&store).len() as u32).collect();
    let summary = cdrscope::report::summarize(&read(&store), &rows, &cdrscope::cdr::TimeWriter::new(zone));
    let req = cdrscope::tui::worker::Request::Timeline {
        generation: 1,
        store: read(&store),
        rows: Arc::new(rows),
        focus: cdrscope::tui::worker::Focus::CalleeGateway("CT-Route-2".into()),
    };
    let cdrscope::tui::worker::Response::Timeline { data, .. } = process(req, &ctx) else {
        panic!("timeline")
    };
    let starts: Vec<i64> = data.iter().map(|d| d.start_ms).collect();
    let want: Vec<i64> = summary.timeline.iter().map(|b| b.start_ms).collect();
    assert_eq!(starts, want);
    assert_eq!(data.iter().map(|d| d.calls + d.rest).sum::<u64>(), summary.rows);
    // Per bucket: failures within the calls, the answer rate and PDD of the selected gateway.
    assert!(data.iter().all(|d| d.failed <= d.calls && d.pdd_n <= d.calls));
    assert!(data.iter().any(|d| d.asr().is_some() && d.pdd_avg_s().is_some()));
}

/// The real production rows in the console: every call shown, the field warnings in the
/// header, the Reason header with its own explanation in the panel, and the load report.
#[test]
fn real_rows_in_the_console() {
    // The explanation panel's text, its wrapped lines joined.
    fn panel(s: &str) -> String {
        s.lines().filter_map(|l| l.split('│').nth(1)).map(str::trim).collect::<Vec<_>>().join(" ")
    }
    let store = common::load_bytes("real.tsv", common::real::REAL_TSV);
    let (mut app, ctx) = app_with(store);
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("12/12 calls"), "{s}");
    assert!(s.contains("12 field warnings"), "{s}");
    // The rows are newest first: the last real row (SIP 503 with its Reason header) is on top.
    assert!(panel(&s).contains("503 from the peer; its Reason header says SIP 503"), "{s}");
    // A 503 whose Reason header names Q.850 34: both explanations.
    typed(&mut app, &ctx, "/reason:34");
    key(&mut app, &ctx, KeyCode::Enter);
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("2/12 calls"), "{s}");
    assert!(panel(&s).contains("Reason header says Q.850 34"), "{s}");
    // A tall terminal shows the whole panel: the Reason header's cause with its own entry.
    let s = screen(&mut app, 160, 150);
    assert!(s.contains("q850:34"), "{s}");
    assert!(s.contains("The Reason header's cause"), "{s}");
    assert!(s.contains("not answered: startTime = stopTime"), "{s}");
    // The load report lists what check lists.
    key(&mut app, &ctx, KeyCode::Char('L'));
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("Load report"), "{s}");
    assert!(s.contains("not measured (-1): calleePdd 11, calleeType 1"), "{s}");
    assert!(s.contains("warning:   calleeE164: 6 values"), "{s}");
    key(&mut app, &ctx, KeyCode::Char('x'));
    assert!(app.overlay.is_none());
}

#[test]
fn the_load_report_is_announced_and_lists_skipped_files() {
    let store = common::load_bytes("real.tsv", common::real::REAL_TSV);
    let (mut app, ctx) = app_with(store);
    app.loaded(vec![cdrscope::cdr::sources::error::Skipped {
        name: "cdr/old.tar.gz".into(),
        why: "a tar archive".into(),
    }]);
    settle(&mut app, &ctx);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("1 files skipped, 12 field warnings (L: load report)"), "{s}");
    key(&mut app, &ctx, KeyCode::Char('L'));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("cdr/old.tar.gz") && s.contains("skipped:   a tar archive"), "{s}");
}

/// Rows that arrive while a refresh is being computed are shown when it returns, not at the
/// next arrival (a database is polled once a second: waiting for its next poll put calls on
/// screen over a second after they were written).
#[test]
fn calls_arriving_during_a_refresh_are_shown_when_it_returns() {
    let data = cdrscope::cdr::sources::demo::demo_bytes();
    let first = |n: usize| -> Store {
        let part: Vec<u8> =
            data.split(|b| *b == b'\n').take(n).flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
        let mut st = common::load_bytes("feed", &part);
        st.sources[0].live = Some(cdrscope::cdr::store::source_state::LiveState::Following);
        st
    };
    let (mut app, ctx) = app_with(Store::default());
    let shared = ctx.store.clone();
    shared.store(Arc::new(first(1000)));
    app.ingest_event(cdrscope::cdr::ingest::live::Event::Loaded(Ok(Vec::new())));
    settle(&mut app, &ctx);
    assert_eq!(app.rows.len(), 1000);
    // 100 calls arrive: a refresh is asked for and computed...
    shared.store(Arc::new(first(1100)));
    app.ingest_event(cdrscope::cdr::ingest::live::Event::Appended { rows: 1100 });
    let answers: Vec<_> = std::mem::take(&mut app.outbox).into_iter().map(|r| process(r, &ctx)).collect();
    // ...and 100 more arrive before it returns.
    shared.store(Arc::new(first(1200)));
    app.ingest_event(cdrscope::cdr::ingest::live::Event::Appended { rows: 1200 });
    for a in answers {
        app.apply(a);
    }
    settle(&mut app, &ctx);
    assert_eq!(app.rows.len(), 1200, "the second arrival waited for a third");
}

/// The text of the open prompt and where its cursor is.
fn prompt_of(app: &App) -> (String, usize) {
    match &app.overlay {
        Some(cdrscope::tui::state::app::Overlay::Prompt(p)) => (p.text.clone(), p.cursor),
        other => panic!("no prompt open: {other:?}"),
    }
}

/// Prompts edit as a shell line does: arrows, Home/End, Delete, and Ctrl-A/E/U/K/W/B/F/D;
/// the live count follows each edit; the help screen lists the keys.
#[test]
fn the_filter_prompt_edits_anywhere_in_the_line() {
    let (mut app, ctx) = app_with(demo_store());
    let ctrl = |app: &mut App, c: char| {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        settle(app, &ctx);
    };
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "outgw:CT-Route-2 code:486");
    ctrl(&mut app, 'w');
    assert_eq!(prompt_of(&app), ("outgw:CT-Route-2 ".into(), 17));
    typed(&mut app, &ctx, "code:503");
    // To the start, over "out", and the "out" cut: "gw:" is left.
    key(&mut app, &ctx, KeyCode::Home);
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Right);
    }
    ctrl(&mut app, 'u');
    assert_eq!(prompt_of(&app), ("gw:CT-Route-2 code:503".into(), 0));
    assert!(screen(&mut app, 100, 30).contains("> gw:CT-Route-2 code:503"), "{}", screen(&mut app, 100, 30));
    // Typed in the middle; Delete and Ctrl-D under the cursor; Ctrl-K to the end.
    ctrl(&mut app, 'e');
    key(&mut app, &ctx, KeyCode::Left);
    key(&mut app, &ctx, KeyCode::Left);
    key(&mut app, &ctx, KeyCode::Delete);
    ctrl(&mut app, 'd');
    typed(&mut app, &ctx, "86");
    assert_eq!(prompt_of(&app).0, "gw:CT-Route-2 code:586");
    ctrl(&mut app, 'a');
    ctrl(&mut app, 'f');
    ctrl(&mut app, 'f');
    ctrl(&mut app, 'f');
    ctrl(&mut app, 'k');
    assert_eq!(prompt_of(&app), ("gw:".into(), 3));
    typed(&mut app, &ctx, "CT-Route-2");
    let shown = screen(&mut app, 100, 30);
    assert!(shown.contains("calls match"), "the live count follows the edits:\n{shown}");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "gw:CT-Route-2");
    // The help lists the editing keys (it comes from the keymap).
    key(&mut app, &ctx, KeyCode::Char('?'));
    let help = screen(&mut app, 120, 80);
    for k in ["Ctrl-W", "Ctrl-U", "Ctrl-K", "Delete"] {
        assert!(help.contains(k), "help lacks {k}");
    }
}

/// A filter that cannot match says why under "no calls match": the nearest gateway, the codes
/// present, `:` for `=`, a comma for OR.
#[test]
fn a_filter_that_cannot_match_says_why_on_screen() {
    let (mut app, ctx) = app_with(demo_store());
    for (filter, want) in [
        ("outgw:CT-Route2", "no gateway is named 'CT-Route2'; nearest: CT-Route-2"),
        ("code:999", "no call ended with code 999; codes present:"),
        ("code=503", "a field is written code:503"),
        ("code:503 OR code:486", "code:503,486"),
    ] {
        key(&mut app, &ctx, KeyCode::Char('x'));
        key(&mut app, &ctx, KeyCode::Char('/'));
        typed(&mut app, &ctx, filter);
        key(&mut app, &ctx, KeyCode::Enter);
        assert_eq!(app.rows.len(), 0, "{filter}");
        let shown = screen(&mut app, 120, 30);
        assert!(shown.contains(want), "{filter}:\n{shown}");
    }
}

/// `i` shows the explanations in the next language (en, zh, es, round), the operator's own
/// entries file kept.
#[test]
fn the_explanation_switches_language_with_a_key() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "code:503");
    key(&mut app, &ctx, KeyCode::Enter);
    // The first words of an entry's meaning in a language, as the panel shows them.
    let opening = |lang: Lang| -> String {
        let kb = Kb::builtin(lang).expect("kb");
        kb.get("sip:503").expect("sip:503").meaning.chars().take(8).collect()
    };
    let before = screen(&mut app, 140, 40);
    assert!(before.contains(&opening(Lang::En)), "{before}");
    key(&mut app, &ctx, KeyCode::Char('i'));
    assert_eq!(app.kb.lang, Lang::Zh);
    let zh = screen(&mut app, 140, 40);
    assert!(zh.contains(&opening(Lang::Zh)), "{zh}");
    assert!(zh.contains("中文"), "the status says which language");
    key(&mut app, &ctx, KeyCode::Char('i'));
    assert!(screen(&mut app, 140, 40).contains(&opening(Lang::Es)));
    key(&mut app, &ctx, KeyCode::Char('i'));
    assert_eq!(app.kb.lang, Lang::En);
}

/// `Enter` on a lookup entry shows the loaded calls with its code, from the Lookup view and
/// from the palette over any view; an entry that is no end reason says so.
#[test]
fn a_lookup_entry_opens_its_calls() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Tab);
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(app.view, View::Lookup);
    typed(&mut app, &ctx, "sip:503");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!((app.view, app.filter.as_str()), (View::Calls, "code:503"));
    assert!(!app.rows.is_empty());
    // The palette, over the Calls view with a gateway filter kept: the code term is replaced.
    key(&mut app, &ctx, KeyCode::Char('x'));
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "outgw:CT-Route-2 code:486");
    key(&mut app, &ctx, KeyCode::Enter);
    key(&mut app, &ctx, KeyCode::Char('l'));
    for _ in 0.."sip:503".len() {
        key(&mut app, &ctx, KeyCode::Backspace);
    }
    typed(&mut app, &ctx, "vos:-9");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "outgw:CT-Route-2 code:-9");
    assert!(app.overlay.is_none());
    // A softswitch parameter has no calls.
    key(&mut app, &ctx, KeyCode::Tab);
    key(&mut app, &ctx, KeyCode::Tab);
    for _ in 0.."vos:-9".len() {
        key(&mut app, &ctx, KeyCode::Backspace);
    }
    typed(&mut app, &ctx, "SS_SIP_TIMEOUT_INVITE");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.view, View::Lookup);
    assert!(app.status.as_ref().is_some_and(|(m, _)| m.contains("no end reason")), "{:?}", app.status);
}

/// `y` copies the selected call (names and values, tab-separated) and `Y` the filter to the
/// operator's clipboard with OSC 52; the text travels base64-encoded.
#[test]
fn the_selected_call_and_the_filter_copy_to_the_clipboard() {
    use base64::Engine;
    let decode = |seq: &str| -> String {
        let b64 =
            seq.strip_prefix("\x1b]52;c;").and_then(|s| s.strip_suffix('\x07')).expect("an OSC 52 sequence");
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).expect("base64"))
            .expect("utf-8")
    };
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "outgw:CT-Route-2");
    key(&mut app, &ctx, KeyCode::Enter);
    key(&mut app, &ctx, KeyCode::Down);
    key(&mut app, &ctx, KeyCode::Char('y'));
    let text = decode(&app.copy.take().expect("a copy"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let store = read(&ctx.store);
    let row = app.rows[1] as usize;
    assert!(lines[0].starts_with("callerE164\tcalleeE164\t"), "{}", lines[0]);
    assert!(lines[1].contains(&store.callee(row)) && lines[1].contains("CT-Route-2"), "{}", lines[1]);
    assert!(app.status.as_ref().is_some_and(|(m, _)| m.contains("copied call 2")));
    key(&mut app, &ctx, KeyCode::Char('Y'));
    assert_eq!(decode(&app.copy.take().expect("a copy")), "outgw:CT-Route-2");
}

/// A message has a line of its own above the footer: the filter line stays, and so do the
/// footer's keys; the next key clears it.
#[test]
fn messages_leave_the_filter_line_and_the_footer_alone() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "code:503");
    key(&mut app, &ctx, KeyCode::Enter);
    key(&mut app, &ctx, KeyCode::Char('s'));
    let shown = screen(&mut app, 80, 24);
    let lines: Vec<&str> = shown.lines().collect();
    assert!(lines[1].contains("filter: code:503"), "{shown}");
    assert!(lines[22].contains("sorted by"), "the message above the footer:\n{shown}");
    assert!(lines[23].contains("filter") && lines[23].contains("quit"), "{shown}");
    key(&mut app, &ctx, KeyCode::Down);
    assert!(!screen(&mut app, 80, 24).contains("sorted by"));
}

/// `Enter` on the "(none)" gateway row (calls refused before routing: the ones that matter in
/// an incident) shows those calls with `outgw:none`, not a filter error.
#[test]
fn the_no_gateway_row_drills_down_too() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Tab);
    let k = app
        .summary
        .as_ref()
        .expect("summary")
        .by_callee_gateway
        .iter()
        .position(|g| g.gateway.is_empty())
        .expect("the demo has calls with no routing gateway");
    for _ in 0..k {
        key(&mut app, &ctx, KeyCode::Char('j'));
    }
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!((app.view, app.filter.as_str()), (View::Calls, "outgw:none"));
    assert!(app.filter_error.is_none());
    assert!(!app.rows.is_empty());
    assert!(app.rows.iter().all(|&r| read(&ctx.store).callee_gateway(r as usize).is_empty()));
}

/// The lookup preview scrolls with PageDown/PageUp (typing goes to the search), and starts at
/// the top for each entry.
#[test]
fn the_lookup_preview_scrolls() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Tab);
    key(&mut app, &ctx, KeyCode::Tab);
    typed(&mut app, &ctx, "vos:-69");
    let top = screen(&mut app, 120, 20);
    key(&mut app, &ctx, KeyCode::PageDown);
    assert_eq!(app.lookup.preview_scroll, 10);
    let scrolled = screen(&mut app, 120, 20);
    assert_ne!(top, scrolled, "the preview moved");
    assert!(scrolled.contains("vos:-69"), "the list stays: {scrolled}");
    key(&mut app, &ctx, KeyCode::PageUp);
    assert_eq!(screen(&mut app, 120, 20), top);
    key(&mut app, &ctx, KeyCode::PageDown);
    key(&mut app, &ctx, KeyCode::Down);
    assert_eq!(app.lookup.preview_scroll, 0, "another entry starts at its top");
}
