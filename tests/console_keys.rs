//! The console's table, search, time-window and filter keys, driven key by key: nothing cut
//! without a mark, columns the operator controls, filters from a cell, search with n/N, the
//! window as part of the filter, Tab completion, and filters kept across runs.

mod common;

use cdrscope::cdr::Store;
use cdrscope::cdr::store::shared::read;
use cdrscope::tui::state::app::App;
use common::console::{app_with, demo_store, key, screen, typed};
use crossterm::event::KeyCode;

/// A text-form line of call `n` (caller 861380000000n, callee 861390000000n): start, stop,
/// holdTime, end reason, gateways.
fn line(n: u32, start: &str, stop: &str, hold: u32, reason: &str, gws: (&str, &str)) -> String {
    let (ingw, outgw) = gws;
    format!(
        "861380000000{n}|861390000000{n}|{start}|{stop}|{hold}|{reason}|1|{ingw}|{outgw}|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n"
    )
}

/// Calls on 2026-11-20 around 14:00 and one just after midnight: the calls of the day an
/// operator means by "14:00", with one that makes the data reach the next day.
fn afternoon() -> Store {
    let mut text = String::new();
    text +=
        &line(1, "2026-11-20 13:30:00", "2026-11-20 13:30:30", 30000, "-8", ("CUST-Alpha", "IntlCarrier-A"));
    text +=
        &line(2, "2026-11-20 14:10:00", "2026-11-20 14:10:30", 30000, "-8", ("CUST-Alpha", "IntlCarrier-B"));
    text += &line(3, "2026-11-20 14:50:00", "2026-11-20 14:50:00", 0, "503", ("CUST-Bravo", "CM-Route-1"));
    text += &line(4, "2026-11-20 15:20:00", "2026-11-20 15:20:00", 0, "486", ("CUST-Bravo", "CM-Route-2"));
    text += &line(5, "2026-11-21 00:00:30", "2026-11-21 00:01:00", 30000, "-7", ("CUST-Alpha", "CM-Route-2"));
    common::load_bytes("afternoon", text.as_bytes())
}

/// The table's lines (between the filter line and the footer) at this size.
fn table(app: &mut App, w: u16, h: u16) -> Vec<String> {
    let s = screen(app, w, h);
    s.lines().skip(2).take(usize::from(h) - 3).map(str::to_string).collect()
}

#[test]
fn no_value_is_cut_without_a_mark_and_the_time_stays_whole() {
    let (mut app, _ctx) = app_with(afternoon());
    for (w, h) in [(80, 24), (120, 40), (200, 50)] {
        let t = table(&mut app, w, h);
        let body = t.join("\n");
        // Gateways that differ only at their end are never both shown as the same stub.
        for stub in ["CM-Route- ", "IntlCarri ", "IntlCarrier- ", "CUST-Alph "] {
            assert!(!body.contains(stub), "{w}x{h}: '{stub}' cut without a mark:\n{body}");
        }
        // Numbers are whole or end in '…'.
        for row in t.iter().skip(1).filter(|r| r.contains("8613")) {
            let num = row.split_whitespace().find(|x| x.starts_with("8613")).unwrap_or_default();
            assert!(num.len() == 13 || num.ends_with('…'), "{w}x{h}: {num} in {row}");
        }
        // The full time: these calls span two days, so month-day and the time to the second.
        assert!(body.contains("11-21 00:00:30"), "{w}x{h}:\n{body}");
    }
    // At 200 columns everything fits: nothing is cut at all.
    let wide = table(&mut app, 200, 50).join("\n");
    assert!(!wide.contains('…'), "{wide}");
    assert!(wide.contains("IntlCarrier-A") && wide.contains("8613800000001"), "{wide}");
}

#[test]
fn columns_hide_widen_and_scroll_sideways() {
    let (mut app, ctx) = app_with(afternoon());
    // The cursor starts on the end reason; three left is the routing gateway.
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Left);
    }
    assert_eq!(app.columns.cursor, cdrscope::tui::state::table_layout::Col::OutGw);
    // Hide it: the header loses it; '=' shows it again.
    key(&mut app, &ctx, KeyCode::Char('H'));
    let head = table(&mut app, 120, 30)[0].clone();
    assert!(!head.contains("Out GW") && head.contains("In GW"), "{head}");
    assert!(screen(&mut app, 120, 30).contains("Out GW hidden"));
    key(&mut app, &ctx, KeyCode::Char('='));
    assert!(table(&mut app, 120, 30)[0].contains("Out GW"));
    // Narrowed, the caller number is cut with a mark; widened again, whole.
    key(&mut app, &ctx, KeyCode::Char('d')); // the panel away: the table has the width
    for _ in 0..10 {
        key(&mut app, &ctx, KeyCode::Left);
    }
    key(&mut app, &ctx, KeyCode::Right);
    assert_eq!(app.columns.cursor, cdrscope::tui::state::table_layout::Col::Caller);
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('{'));
    }
    let t = table(&mut app, 160, 30).join("\n");
    assert!(t.contains("861380…") && !t.contains("8613800000001"), "{t}");
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('}'));
    }
    assert!(table(&mut app, 160, 30).join("\n").contains("8613800000001"));
    // On a narrow screen, moving right scrolls: the time stays, '‹' says columns are behind.
    for _ in 0..8 {
        key(&mut app, &ctx, KeyCode::Right);
    }
    let t = table(&mut app, 60, 20);
    assert!(t[0].starts_with("Time") && t[0].contains('‹') && t[0].trim_end().ends_with('H'), "{t:?}");
    for _ in 0..8 {
        key(&mut app, &ctx, KeyCode::Char('h'));
    }
    let t = table(&mut app, 60, 20);
    assert!(!t[0].contains('‹') && t[0].contains('›'), "{t:?}");
}

#[test]
fn filter_to_and_out_of_the_selected_value() {
    let (mut app, ctx) = app_with(afternoon());
    let first = app.rows[0] as usize;
    let gw = read(&ctx.store).callee_gateway(first).to_string();
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Left);
    }
    key(&mut app, &ctx, KeyCode::Char('+'));
    assert_eq!(app.filter, format!("outgw:{gw}"));
    assert!(app.rows.iter().all(|&r| read(&ctx.store).callee_gateway(r as usize) == gw));
    // Again: the term is replaced, not doubled.
    key(&mut app, &ctx, KeyCode::Char('+'));
    assert_eq!(app.filter, format!("outgw:{gw}"));
    key(&mut app, &ctx, KeyCode::Char('x'));
    // '-' on the end reason excludes that code.
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Right);
    }
    let code = read(&ctx.store).reason(app.rows[0] as usize).code().expect("a code");
    key(&mut app, &ctx, KeyCode::Char('-'));
    assert_eq!(app.filter, format!("-code:{code}"));
    assert!(app.rows.iter().all(|&r| read(&ctx.store).reason(r as usize).code() != Some(code)));
    assert!(!app.rows.is_empty());
    // The time column says how it is filtered instead.
    for _ in 0..10 {
        key(&mut app, &ctx, KeyCode::Left);
    }
    key(&mut app, &ctx, KeyCode::Char('+'));
    assert!(screen(&mut app, 120, 30).contains("filtered with t"));
}

#[test]
fn search_moves_between_matches_without_filtering() {
    let (mut app, ctx) = app_with(demo_store());
    let total = app.rows.len();
    key(&mut app, &ctx, KeyCode::Char('*'));
    typed(&mut app, &ctx, "ct-route-2");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.rows.len(), total, "a search hides nothing");
    let st = read(&ctx.store);
    let is_match = |k: usize| {
        let r = app.rows[k] as usize;
        st.callee_gateway(r) == "CT-Route-2" || st.caller_gateway(r) == "CT-Route-2"
    };
    let a = app.selected;
    assert!(is_match(a));
    // The first match from the top: none before it.
    assert!((0..a).all(|k| !is_match(k)));
    drop(st);
    key(&mut app, &ctx, KeyCode::Char('n'));
    let b = app.selected;
    assert!(b > a);
    let st = read(&ctx.store);
    assert!(is_match_at(&app, &st, b) && (a + 1..b).all(|k| !is_match_at(&app, &st, k)));
    drop(st);
    key(&mut app, &ctx, KeyCode::Char('N'));
    assert_eq!(app.selected, a);
    assert!(screen(&mut app, 120, 30).contains("'ct-route-2': call"));
    key(&mut app, &ctx, KeyCode::Char('*'));
    typed(&mut app, &ctx, "no-such-gateway");
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(screen(&mut app, 120, 30).contains("in none of the shown calls"));
}

fn is_match_at(app: &App, st: &Store, k: usize) -> bool {
    let r = app.rows[k] as usize;
    st.callee_gateway(r) == "CT-Route-2" || st.caller_gateway(r) == "CT-Route-2"
}

#[test]
fn a_time_of_day_is_the_day_meant_and_the_header_says_which() {
    let (mut app, ctx) = app_with(afternoon());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "since:14:00 until:15:00");
    key(&mut app, &ctx, KeyCode::Enter);
    // One call just after midnight does not make "14:00" the next day's.
    assert_eq!(app.rows.len(), 2);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("[2026-11-20 14:00:00 – 15:00:00]"), "{s}");
    // The window before and after, the same length.
    key(&mut app, &ctx, KeyCode::Char('['));
    assert_eq!(app.filter, "since:\"2026-11-20 13:00:00\" until:\"2026-11-20 14:00:00\"");
    assert_eq!(app.rows.len(), 1);
    key(&mut app, &ctx, KeyCode::Char(']'));
    key(&mut app, &ctx, KeyCode::Char(']'));
    assert_eq!(app.filter, "since:\"2026-11-20 15:00:00\" until:\"2026-11-20 16:00:00\"");
    assert_eq!(app.rows.len(), 1);
}

#[test]
fn the_time_window_is_a_term_of_the_filter() {
    let (mut app, ctx) = app_with(afternoon());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "code:-8 since:-6h");
    key(&mut app, &ctx, KeyCode::Enter);
    // 't' → last hour replaces the window; the filter line shows it.
    key(&mut app, &ctx, KeyCode::Char('t'));
    let menu = screen(&mut app, 120, 30);
    assert!(menu.contains("• last 6 hours"), "{menu}");
    key(&mut app, &ctx, KeyCode::Char('k'));
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "code:-8 since:-1h");
    assert!(screen(&mut app, 120, 30).contains("filter: code:-8 since:-1h"));
    // Custom: from..until.
    key(&mut app, &ctx, KeyCode::Char('t'));
    for _ in 0..5 {
        key(&mut app, &ctx, KeyCode::Char('j'));
    }
    key(&mut app, &ctx, KeyCode::Enter);
    for _ in 0..10 {
        key(&mut app, &ctx, KeyCode::Backspace);
    }
    typed(&mut app, &ctx, "14:00..15:00");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "code:-8 since:14:00 until:15:00");
    assert_eq!(app.rows.len(), 1);
    // "all" removes the window and keeps the rest.
    key(&mut app, &ctx, KeyCode::Char('t'));
    key(&mut app, &ctx, KeyCode::Char('k'));
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "code:-8");
}

#[test]
fn tab_completes_fields_gateways_and_codes() {
    let (mut app, ctx) = app_with(afternoon());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "out");
    key(&mut app, &ctx, KeyCode::Tab);
    typed(&mut app, &ctx, "cm");
    key(&mut app, &ctx, KeyCode::Tab);
    let text = |app: &App| match &app.overlay {
        Some(cdrscope::tui::state::app::Overlay::Prompt(p)) => p.text.clone(),
        _ => String::new(),
    };
    assert_eq!(text(&app), "outgw:CM-Route-1");
    // Again: the next candidate in its place.
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(text(&app), "outgw:CM-Route-2");
    typed(&mut app, &ctx, " code:5");
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(text(&app), "outgw:CM-Route-2 code:503");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.rows.len(), 0);
    assert_eq!(app.filter, "outgw:CM-Route-2 code:503");
}

#[test]
fn history_and_saved_filters_outlive_the_console() {
    let dir = std::env::temp_dir().join(format!("cdrscope-keys-state-{}", std::process::id()));
    let path = dir.join("state.json");
    let _ = std::fs::remove_dir_all(&dir);
    {
        let (mut app, ctx) = app_with(afternoon());
        app.load_state(Some(path.clone()));
        key(&mut app, &ctx, KeyCode::Char('/'));
        typed(&mut app, &ctx, "code:503");
        key(&mut app, &ctx, KeyCode::Enter);
        key(&mut app, &ctx, KeyCode::Char('/'));
        for _ in 0..8 {
            key(&mut app, &ctx, KeyCode::Backspace);
        }
        typed(&mut app, &ctx, "outgw:CM-Route-2");
        key(&mut app, &ctx, KeyCode::Enter);
        key(&mut app, &ctx, KeyCode::Char('m'));
        typed(&mut app, &ctx, "cm two");
        key(&mut app, &ctx, KeyCode::Enter);
        assert!(screen(&mut app, 120, 30).contains("saved as 'cm two'"));
    }
    // A new console: Up brings the last filter back, ' lists the saved one.
    let (mut app, ctx) = app_with(afternoon());
    app.load_state(Some(path.clone()));
    assert_eq!(app.history, ["code:503", "outgw:CM-Route-2"]);
    key(&mut app, &ctx, KeyCode::Char('\''));
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("cm two") && s.contains("recent"), "{s}");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, "outgw:CM-Route-2");
    assert_eq!(app.rows.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stats_charts_follow_the_filter_and_the_matrix_names_what_fails_where() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Tab);
    let s = screen(&mut app, 160, 48);
    // Three charts with a time axis; the gateway table has a failures column.
    assert!(s.contains("calls, failed") && s.contains(" ASR % ") && s.contains("PDD, seconds"), "{s}");
    assert!(s.contains("00:00") && s.contains("12:00"), "{s}");
    assert!(s.contains("Failed"), "{s}");
    let before = app.timeline.clone().expect("a timeline");
    // A filter: the charts are drawn from the new selection, never the old bars.
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "code:486");
    key(&mut app, &ctx, KeyCode::Enter);
    let after = app.timeline.clone().expect("a timeline");
    assert_eq!(after.0, app.generation);
    assert_ne!(before.2, after.2);
    assert!(after.2.iter().all(|p| p.failed == p.calls), "486 calls all failed");
    // The gateway × end-reason table.
    key(&mut app, &ctx, KeyCode::Char('x'));
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('v'));
    }
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("Routing gateway × end reason"), "{s}");
    let head = s.lines().find(|l| l.contains("Gateway") && l.contains("Failed")).expect("header");
    assert!(head.contains("486") && head.contains("-9"), "{head}");
    let st = read(&ctx.store);
    let gw = app.stats_rows()[0].1.clone();
    let n486 = app
        .rows
        .iter()
        .filter(|&&r| st.callee_gateway(r as usize) == gw && st.reason(r as usize).code() == Some(486))
        .count();
    drop(st);
    let row = s.lines().find(|l| l.contains(&format!("│{gw} "))).expect("the first gateway's row");
    assert!(row.contains(&cdrscope::text::thousands(n486 as u64)), "{row} has {n486} calls ended 486");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.filter, format!("outgw:{gw}"));
}

/// Gateways named in Chinese, at every column a popup edge may fall on.
fn chinese() -> Store {
    let mut text = String::new();
    for k in 0..40u32 {
        let ingw = format!("{}对接线路", "x".repeat((k % 7) as usize));
        let start = format!("2026-11-20 10:{:02}:00", k);
        text += &line(k % 10, &start, &start, 0, "503", (&ingw, "落地网关甲"));
    }
    common::load_bytes("zh", text.as_bytes())
}

#[test]
fn popups_keep_their_left_border_over_chinese_text() {
    let (mut app, ctx) = app_with(chinese());
    // The Chinese names first on the line: time and numbers hidden.
    for _ in 0..10 {
        key(&mut app, &ctx, KeyCode::Left);
    }
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('H'));
    }
    for (w, h) in [(80, 24), (100, 30)] {
        // Drawn narrow first: Enter then opens the explanation as a popup.
        screen(&mut app, w, h);
        key(&mut app, &ctx, KeyCode::Enter);
        let s = screen(&mut app, w, h);
        let lines: Vec<&str> = s.lines().collect();
        let top = lines.iter().position(|l| l.contains("┌ Call")).expect("the popup");
        let bottom = lines.iter().rposition(|l| l.contains('└')).expect("its bottom");
        let col = lines[top]
            .chars()
            .take_while(|c| *c != '┌')
            .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum::<usize>();
        for l in &lines[top + 1..bottom] {
            // The character drawn at the border's column is the border.
            let mut at = 0;
            let mut found = None;
            for c in l.chars() {
                if at == col {
                    found = Some(c);
                    break;
                }
                at += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if at > col {
                    break;
                }
            }
            assert_eq!(found, Some('│'), "{w}x{h}: the left border is lost in\n{l}\n{s}");
        }
        key(&mut app, &ctx, KeyCode::Esc);
    }
    // The long source path gives way in the header; the facts stay.
    app.sources_label = "/var/log/vos3000/cdr/archive/2026/11/20/e_cdr_20261120_part_one.txt, /var/log/vos3000/cdr/archive/2026/11/21/e_cdr_20261121.txt".into();
    let s = screen(&mut app, 80, 24);
    let head = s.lines().next().unwrap_or_default();
    assert!(head.contains("ASR") && head.contains("ACD") && head.contains("40/40 calls"), "{head}");
    assert!(head.contains("…") && head.contains("1121.txt"), "{head}");
}

#[test]
fn no_verdict_over_no_calls() {
    let (mut app, ctx) = app_with(afternoon());
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "code:999");
    key(&mut app, &ctx, KeyCode::Enter);
    key(&mut app, &ctx, KeyCode::Tab);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("no health verdicts") && !s.contains("degraded"), "{s}");
    // The command line says the same.
    let dir = std::env::temp_dir().join(format!("cdrscope-noverdict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = common::write(
        &dir,
        "day.txt",
        line(1, "2026-11-20 10:00:00", "2026-11-20 10:00:00", 0, "503", ("A", "B")).as_bytes(),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cdrscope"))
        .args(["summary", "--filter", "code:999"])
        .arg(&file)
        .env("TZ", "UTC")
        .env("CDRSCOPE_KB", "/nonexistent/kb.toml")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no calls: no verdicts") && !text.contains("degraded"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn click(app: &mut App, x: u16, y: u16) {
    app.mouse(crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
        column: x,
        row: y,
        modifiers: crossterm::event::KeyModifiers::NONE,
    });
}

fn wheel(app: &mut App, down: bool) {
    let kind = if down {
        crossterm::event::MouseEventKind::ScrollDown
    } else {
        crossterm::event::MouseEventKind::ScrollUp
    };
    app.mouse(crossterm::event::MouseEvent {
        kind,
        column: 5,
        row: 5,
        modifiers: crossterm::event::KeyModifiers::NONE,
    });
}

#[test]
fn the_mouse_selects_rows_cells_and_views_and_the_wheel_scrolls() {
    let (mut app, ctx) = app_with(demo_store());
    let s = screen(&mut app, 120, 30);
    // Rows start under the table's header (line 3 of the screen).
    let row_y = s.lines().position(|l| l.starts_with("Time")).expect("header") as u16 + 1;
    click(&mut app, 2, row_y + 4);
    assert_eq!(app.selected, 4);
    // A click on a cell puts the column cursor there too.
    let head = s.lines().nth(usize::from(row_y) - 1).unwrap_or_default();
    let out_gw = head.find("Out GW").expect("Out GW") as u16;
    click(&mut app, out_gw + 1, row_y + 2);
    assert_eq!(app.selected, 2);
    assert_eq!(app.columns.cursor, cdrscope::tui::state::table_layout::Col::OutGw);
    wheel(&mut app, true);
    assert_eq!(app.selected, 5);
    wheel(&mut app, false);
    wheel(&mut app, false);
    assert_eq!(app.selected, 0);
    // The views by name in the header.
    let top = s.lines().next().unwrap_or_default();
    let stats_x = top.find(" Stats ").expect("the Stats tab") as u16;
    click(&mut app, stats_x + 2, 0);
    settle_all(&mut app, &ctx);
    assert_eq!(app.view, cdrscope::tui::state::app::View::Stats);
    let s = screen(&mut app, 120, 30);
    let first_gw = s.lines().position(|l| l.contains("CM-Route-1")).expect("a gateway row") as u16;
    click(&mut app, 3, first_gw + 1);
    assert_eq!(app.stats_selected, 1);
    // With an overlay open, clicks go nowhere.
    key(&mut app, &ctx, KeyCode::Char('?'));
    click(&mut app, 3, first_gw);
    assert_eq!(app.stats_selected, 1);
    wheel(&mut app, true);
    assert!(matches!(app.overlay, Some(cdrscope::tui::state::app::Overlay::Help(3))));
}

fn settle_all(app: &mut App, ctx: &cdrscope::tui::worker::Ctx) {
    common::console::settle(app, ctx);
}

/// Long carrier names, look-alike names and Chinese names, as real switches have.
fn long_names() -> Store {
    let ins = ["P_YX--C_Coastnet--Indo Mob TK_NCLI", "对接线路", "CUST-Alpha", "客户-华南-批发"];
    let outs = ["IntlCarrier-A", "IntlCarrier-B", "CM-Route-1", "CM-Route-2", "落地网关-中国电信-广州"];
    let codes = ["-8", "-7", "486", "503", "-69", "487", "-9"];
    let mut text = String::new();
    for k in 0..60u32 {
        let start = format!("2026-11-20 {:02}:{:02}:{:02}", 8 + k / 10, (k * 7) % 60, (k * 13) % 60);
        let code = codes[(k as usize) % codes.len()];
        let hold = if code == "-8" || code == "-7" { 1000 * (k + 5) } else { 0 };
        let outgw = if code == "-69" || code == "-9" { "" } else { outs[(k as usize) % outs.len()] };
        text += &line(k % 10, &start, &start, hold, code, (ins[(k as usize) % ins.len()], outgw));
    }
    common::load_bytes("long", text.as_bytes())
}

#[test]
fn snapshots_with_long_and_chinese_names() {
    let (mut app, ctx) = app_with(long_names());
    insta::assert_snapshot!("long_names_calls_120x40", screen(&mut app, 120, 40));
    insta::assert_snapshot!("long_names_calls_80x24", screen(&mut app, 80, 24));
    key(&mut app, &ctx, KeyCode::Tab);
    insta::assert_snapshot!("long_names_stats_120x40", screen(&mut app, 120, 40));
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('v'));
    }
    insta::assert_snapshot!("long_names_matrix_120x40", screen(&mut app, 120, 40));
    insta::assert_snapshot!("long_names_matrix_80x24", screen(&mut app, 80, 24));
}

#[test]
fn the_sort_in_force_stays_on_the_filter_line() {
    let (mut app, ctx) = app_with(afternoon());
    assert!(!screen(&mut app, 120, 30).contains("sorted:"), "the default order goes unsaid");
    key(&mut app, &ctx, KeyCode::Char('s'));
    key(&mut app, &ctx, KeyCode::Char('S'));
    assert!(screen(&mut app, 120, 30).contains("sorted by duration, ascending"));
    // The next key clears the message; the filter line still says the order.
    key(&mut app, &ctx, KeyCode::Down);
    let s = screen(&mut app, 120, 30);
    assert!(!s.contains("sorted by duration, ascending") && s.contains("sorted: duration ↑"), "{s}");
    let st = read(&ctx.store);
    assert!(app.rows.windows(2).all(|w| st.hold_ms(w[0] as usize) <= st.hold_ms(w[1] as usize)));
}

#[test]
fn the_stats_order_is_said_in_the_table_title() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Tab);
    assert!(screen(&mut app, 120, 40).contains("By callee (routing) gateway, most calls first"));
    key(&mut app, &ctx, KeyCode::Char('s'));
    key(&mut app, &ctx, KeyCode::Down);
    assert!(screen(&mut app, 120, 40).contains("gateway, lowest ASR first"));
    key(&mut app, &ctx, KeyCode::Char('S'));
    assert!(screen(&mut app, 120, 40).contains("gateway, highest ASR first"));
}

#[test]
fn the_panel_and_the_command_line_present_an_entry_alike_in_each_language() {
    let (mut app, ctx) = app_with(afternoon());
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("Usual causes") && s.contains("What to do"), "{s}");
    // Chinese: the panel's labels follow, as the command line's do.
    key(&mut app, &ctx, KeyCode::Char('i'));
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("常见原因") && s.contains("处理办法") && !s.contains("Usual causes"), "{s}");
    key(&mut app, &ctx, KeyCode::Char('i'));
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("Causas habituales") && s.contains("Qué hacer"), "{s}");
    // The same parts in the same order as `cdrscope lookup`: the settings line included.
    let kb = cdrscope::kb::Kb::builtin(cdrscope::kb::Lang::Es).expect("kb");
    let e = kb.get("vos:-77").expect("-77");
    let cli = cdrscope::cli::lookup_render(&kb, e);
    assert!(cli.contains("Ajustes: maxSecondRatesEnable (gateway de mapeo (entrada))"), "{cli}");
    let panel: Vec<String> = cdrscope::tui::views::detail::entry_lines(&kb, e, app.theme)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
        .collect();
    assert!(panel.iter().any(|l| l.starts_with("Ajustes: maxSecondRatesEnable")), "{panel:?}");
}

#[test]
fn stats_at_80_columns_cut_no_number_and_mark_what_they_cut() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Tab);
    let s = screen(&mut app, 80, 24);
    let summary = app.summary.clone().expect("summary");
    // Every gateway's call count whole (figures on the right leave first, numbers never cut).
    for g in summary.by_callee_gateway.iter().take(5) {
        let n = cdrscope::text::thousands(g.calls);
        assert!(s.lines().any(|l| l.split_whitespace().any(|w| w == n)), "{n} whole:\n{s}");
    }
    // The health and findings lines end in '…' where they do not fit.
    for l in s.lines().skip(2).take(2) {
        assert!(l.chars().count() < 80 || l.ends_with('…'), "cut without a mark: {l}");
    }
}

#[test]
fn a_search_that_finds_nothing_stays_put_and_wraps_only_when_it_wraps() {
    let (mut app, ctx) = app_with(demo_store());
    assert_eq!(app.selected, 0);
    key(&mut app, &ctx, KeyCode::Char('*'));
    typed(&mut app, &ctx, "no-such-gateway");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.selected, 0, "a search with no match leaves the selection on the first call");
    assert!(screen(&mut app, 120, 30).contains("in none of the shown calls"));
    // A match after the selected call, searched from the top: found without wrapping.
    key(&mut app, &ctx, KeyCode::Char('*'));
    typed(&mut app, &ctx, "ct-route-2");
    key(&mut app, &ctx, KeyCode::Enter);
    let first = app.selected;
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("'ct-route-2': call") && !s.contains("wrapped"), "{s}");
    // Backward from the first match: that one wraps to the last match.
    key(&mut app, &ctx, KeyCode::Char('N'));
    assert!(app.selected > first);
    assert!(screen(&mut app, 120, 30).contains("wrapped around"));
}

#[test]
fn a_new_call_under_the_cursor_starts_at_the_top_of_its_explanation() {
    let (mut app, ctx) = app_with(demo_store());
    let _ = screen(&mut app, 120, 40);
    for _ in 0..3 {
        key(&mut app, &ctx, KeyCode::Char('J'));
    }
    assert!(app.detail_scroll > 0, "the panel scrolled");
    let first = app.rows[app.selected];
    // A filter that puts another call under the cursor.
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "code:503");
    key(&mut app, &ctx, KeyCode::Enter);
    assert_ne!(app.rows[app.selected], first);
    assert_eq!(app.detail_scroll, 0, "the new call's explanation is read from its top");
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        crossterm::event::KeyModifiers::CONTROL,
    ));
}

#[test]
fn the_lookup_box_edits_as_the_prompts_do() {
    let (mut app, ctx) = app_with(demo_store());
    // The palette over the calls.
    key(&mut app, &ctx, KeyCode::Char('l'));
    typed(&mut app, &ctx, "service unavailable");
    ctrl(&mut app, 'w');
    assert_eq!(app.lookup.input, "service ", "Ctrl-W cuts the word before the cursor");
    ctrl(&mut app, 'u');
    assert_eq!(app.lookup.input, "", "Ctrl-U cuts to the start");
    typed(&mut app, &ctx, "53");
    key(&mut app, &ctx, KeyCode::Left);
    typed(&mut app, &ctx, "0");
    assert_eq!(app.lookup.input, "503", "typing goes where the cursor is");
    assert!(screen(&mut app, 120, 40).contains("> 503"));
    key(&mut app, &ctx, KeyCode::Esc);
    // The Lookup view.
    key(&mut app, &ctx, KeyCode::Tab);
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(app.view, cdrscope::tui::state::app::View::Lookup);
    ctrl(&mut app, 'u');
    typed(&mut app, &ctx, "no available");
    ctrl(&mut app, 'w');
    assert_eq!(app.lookup.input, "no ");
    key(&mut app, &ctx, KeyCode::Backspace);
    assert_eq!(app.lookup.input, "no");
}

#[test]
fn without_colour_the_charts_two_lines_differ_by_their_dots() {
    let (mut app, ctx) = app_with(demo_store());
    app.theme = cdrscope::tui::theme::Theme { color: false };
    key(&mut app, &ctx, KeyCode::Tab);
    let s = screen(&mut app, 140, 45);
    assert!(s.contains("failed ••") && s.contains("calls ⠤⠤"), "the legend tells the lines apart:\n{s}");
    // The failed line is drawn in dots, the calls line in braille.
    let chart: String = s.lines().filter(|l| l.contains('│')).collect();
    assert!(chart.matches('•').count() > 4, "{s}");
    assert!(chart.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)), "{s}");
}

#[test]
fn the_findings_count_is_in_the_header_at_every_width_and_first_in_help() {
    let (mut app, ctx) = app_with(demo_store());
    app.findings_due();
    common::console::settle(&mut app, &ctx);
    assert_eq!(app.summary.as_ref().map(|s| s.findings.len()), Some(3));
    for (w, h) in [(60, 20), (80, 24), (120, 40), (200, 50)] {
        let s = screen(&mut app, w, h);
        let header = s.lines().next().unwrap_or_default();
        assert!(header.contains("3 findings (!)"), "{w}x{h}: {header}");
        assert!(header.contains("calls"), "{w}x{h}: the call count stays: {header}");
        let footer = s.lines().last().unwrap_or_default();
        assert!(footer.contains("! findings") && footer.contains("Tab view"), "{w}x{h}: {footer}");
    }
    key(&mut app, &ctx, KeyCode::Char('?'));
    let s = screen(&mut app, 80, 24);
    let first = s.lines().find(|l| l.contains("  !  ")).unwrap_or_default();
    assert!(first.contains("findings"), "the findings key is on the first page of help:\n{s}");
}

#[test]
fn esc_after_a_drill_goes_back_to_the_filter_and_the_view_before() {
    use cdrscope::tui::state::app::View;
    let (mut app, ctx) = app_with(demo_store());
    // A filter in force, then a finding drilled into.
    key(&mut app, &ctx, KeyCode::Char('/'));
    typed(&mut app, &ctx, "ingw:CUST-Alpha");
    key(&mut app, &ctx, KeyCode::Enter);
    key(&mut app, &ctx, KeyCode::Char('!'));
    assert_eq!(app.view, View::Stats);
    key(&mut app, &ctx, KeyCode::Char('j'));
    let row = app.stats_selected;
    key(&mut app, &ctx, KeyCode::Enter);
    assert_eq!(app.view, View::Calls);
    assert_ne!(app.filter, "ingw:CUST-Alpha");
    assert!(screen(&mut app, 120, 40).contains("(Esc goes back)"), "the drill says how to undo it");
    key(&mut app, &ctx, KeyCode::Esc);
    assert_eq!(app.filter, "ingw:CUST-Alpha", "back to the filter in force before the drill");
    assert_eq!(app.view, View::Stats);
    assert_eq!(app.stats_selected, row, "on the finding drilled from");
    // The lookup palette's Enter over a filter: said, and undone by Esc.
    key(&mut app, &ctx, KeyCode::Esc);
    assert_eq!(app.view, View::Calls);
    key(&mut app, &ctx, KeyCode::Char('l'));
    typed(&mut app, &ctx, "503");
    key(&mut app, &ctx, KeyCode::Enter);
    assert!(app.filter.contains("code:503") && app.filter.contains("ingw:CUST-Alpha"), "{}", app.filter);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("ended with sip:503: filter") && s.contains("Esc goes back"), "{s}");
    key(&mut app, &ctx, KeyCode::Esc);
    assert_eq!(app.filter, "ingw:CUST-Alpha");
    // Nothing left to go back to: Esc hides the panel as before.
    assert!(app.back.is_empty());
    let filter = app.filter.clone();
    key(&mut app, &ctx, KeyCode::Esc);
    assert_eq!(app.filter, filter);
}

#[test]
fn keys_typed_while_the_findings_load_are_done_when_they_come() {
    use cdrscope::tui::state::app::View;
    use crossterm::event::{KeyEvent, KeyModifiers};
    let (mut app, ctx) = app_with(demo_store());
    // A new filter: its numbers come at once, its findings later.
    key(&mut app, &ctx, KeyCode::Char('x'));
    app.handle_key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
    for c in "since:00:00".chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    for r in std::mem::take(&mut app.outbox) {
        if matches!(r, cdrscope::tui::worker::Request::Query { .. }) {
            let resp = cdrscope::tui::worker::process(r, &ctx);
            app.apply(resp);
        }
    }
    assert!(app.findings_pending);
    // `!`, then down twice and Enter before the findings are there.
    for code in [KeyCode::Char('!'), KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Enter] {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
    assert_eq!(app.view, View::Stats, "nothing drilled into an empty list");
    common::console::settle(&mut app, &ctx);
    assert_eq!(app.view, View::Calls, "the queued Enter drilled into a finding");
    let drilled = app.filter.clone();
    key(&mut app, &ctx, KeyCode::Esc);
    assert_eq!(app.view, View::Stats);
    let findings = app.summary.as_ref().map(|s| s.findings.clone()).unwrap_or_default();
    assert!(findings.len() >= 3, "{findings:#?}");
    assert_eq!(drilled, findings[2].filter, "the third finding, as typed");
    assert_eq!(app.stats_selected, 2);
}

#[test]
fn a_findings_panel_says_what_to_do() {
    let (mut app, ctx) = app_with(demo_store());
    key(&mut app, &ctx, KeyCode::Char('!'));
    let findings = app.summary.as_ref().map(|s| s.findings.clone()).unwrap_or_default();
    let k = findings.iter().position(|f| f.kind == "gateway_outage").expect("an outage");
    for _ in 0..k {
        key(&mut app, &ctx, KeyCode::Char('j'));
    }
    let s = screen(&mut app, 160, 48);
    let panel: String =
        s.lines().skip_while(|l| !l.contains("Selected finding")).collect::<Vec<_>>().join("\n");
    assert!(panel.contains("What to do"), "{panel}");
    // The advice's first entry with its fix, and the settings to change.
    let first = &findings[k].advice[0];
    assert!(panel.contains(first.as_str()), "{first} in:\n{panel}");
    assert!(panel.contains("settings:"), "{panel}");
}

#[test]
fn e_in_stats_exports_the_table_shown_and_xlsx_is_refused() {
    use cdrscope::tui::state::app::View;
    let (mut app, ctx) = app_with(demo_store());
    let dir = tempfile::tempdir().expect("tempdir");
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(app.view, View::Stats);
    let export = |app: &mut App, name: &std::path::Path| {
        key(app, &ctx, KeyCode::Char('e'));
        ctrl(app, 'u');
        typed(app, &ctx, &name.display().to_string());
        key(app, &ctx, KeyCode::Enter);
    };
    // The routing gateways table: a header and one line per gateway, not one per call.
    let out = dir.path().join("gateways.csv");
    export(&mut app, &out);
    let shown = screen(&mut app, 120, 40);
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}: {:?}\n{shown}", app.status));
    let gateways = app.summary.as_ref().map_or(0, |s| s.by_callee_gateway.len());
    assert_eq!(text.lines().count(), gateways + 1, "{text}");
    assert!(text.starts_with("gateway,calls,failed,answered,asr"), "{text}");
    assert!(text.contains("CT-Route-2,"), "{text}");
    assert!(app.status.as_ref().is_some_and(|(m, err)| !err && m.contains("routing gateways table")));
    // The end reasons table, tab-separated.
    while app.stats_table != cdrscope::tui::state::types::StatsTable::Codes {
        key(&mut app, &ctx, KeyCode::Char('v'));
    }
    let out = dir.path().join("codes.tsv");
    export(&mut app, &out);
    let text = std::fs::read_to_string(&out).expect("exported");
    assert!(text.starts_with("code\tname\tcalls\tshare"), "{text}");
    // A spreadsheet's name is refused, nothing written.
    let out = dir.path().join("gateways.xlsx");
    export(&mut app, &out);
    assert!(!out.exists());
    assert!(screen(&mut app, 120, 40).contains("spreadsheet format"), "the prompt says why");
}

#[test]
fn old_files_followed_are_a_static_period_not_live_traffic() {
    use cdrscope::cdr::store::source_state::LiveState;
    use cdrscope::tui::state::types::StatsTable;
    // The frozen demo day is weeks before now: followed in case the files grow, but static.
    let mut store = demo_store();
    for s in &mut store.sources {
        s.live = Some(LiveState::Following);
    }
    let (mut app, ctx) = app_with(store);
    app.ingest_event(cdrscope::cdr::ingest::live::Event::Loaded(Ok(Vec::new())));
    common::console::settle(&mut app, &ctx);
    assert!(app.live.is_some() && app.is_static());
    let header = screen(&mut app, 160, 40).lines().next().unwrap_or_default().to_string();
    assert!(header.contains("static, newest call 2026-11-"), "{header}");
    assert!(!header.contains(" ago") && !header.contains("live "), "{header}");
    // Stats opens on the whole period, with its "(none)" row, and the board is not offered.
    key(&mut app, &ctx, KeyCode::Tab);
    assert_eq!(app.stats_table, StatsTable::CalleeGateways);
    assert!(screen(&mut app, 160, 40).contains("(none)"));
    for _ in 0..6 {
        key(&mut app, &ctx, KeyCode::Char('v'));
        assert_ne!(app.stats_table, StatsTable::Now, "the 5/15/60-minute board over a static period");
    }
}
