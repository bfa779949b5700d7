//! Drawing the whole screen from the state: header, the current view, footer, overlays.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::keys::Action;
use crate::text::{duration_secs, percent, sanitize, thousands};
use crate::tui::state::app::{App, Overlay, View};
use crate::tui::views;
use crate::tui::views::widgets::{centered, clear, fit_spans, shorten_left};

/// Below this the screen is not usable; it says so instead of drawing.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub fn draw(f: &mut Frame<'_>, app: &mut App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "The terminal is too small ({}x{}).\ncdrscope needs at least {MIN_WIDTH}x{MIN_HEIGHT}.\nq quits.",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    // Messages get a line of their own above the footer while they last (the next key clears
    // them), so the filter line always says what is filtered.
    let message = u16::from(app.status.is_some());
    let [header, body, message_area, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(message),
        Constraint::Length(1),
    ])
    .areas(area);
    app.hits = Default::default();
    draw_header(f, app, header);
    if let Some((m, err)) = &app.status {
        let t = app.theme;
        let style = if *err { t.error() } else { t.key() };
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(format!(" {}", sanitize(m)), style))),
            message_area,
        );
    }
    views::screen(app.view).draw(f, app, body);
    draw_footer(f, app, footer);
    if let Some(o) = app.overlay.clone() {
        match o {
            Overlay::Prompt(p) => views::prompt::draw(f, app, &p, body),
            Overlay::Picker(p) => views::picker::draw(f, app, &p, body),
            Overlay::TimeMenu(i) => views::picker::draw_time_menu(f, app, i, body),
            Overlay::Help(scroll) => views::help::draw(f, app, scroll, body),
            Overlay::Report(scroll) => views::report::draw(f, app, scroll, body),
            Overlay::Lookup => {
                let r = centered(body, 90, 90);
                clear(f, r);
                views::lookup::draw(f, app, r);
            }
        }
    }
}

/// The first row of the page that holds `selected`, for lists `height` rows tall: the
/// selection stays on screen and only that page is built.
fn draw_header(f: &mut Frame<'_>, app: &mut App, area: Rect) {
    let t = app.theme;
    let total = app.total_calls();
    // The key facts first, each with a rank: when the line is too narrow the least needed go
    // (0 stays always). The sources get the room that is left, shortened from the left (a long
    // path never pushes the counts, ASR, the findings or the rejected lines off the screen).
    let mut facts: Vec<(u8, Span<'_>)> = Vec::new();
    if app.is_loading() && total == 0 {
        // No rate over no calls: "ASR 0.0%" would read as an outage.
        facts.push((0, Span::styled("│ loading… ", t.key())));
    } else if let Some(s) = &app.summary {
        facts.push((
            0,
            Span::raw(format!("│ {}/{} calls ", thousands(app.rows.len() as u64), thousands(total as u64))),
        ));
        facts.push((1, Span::raw(format!("│ ASR {} ", percent(s.asr)))));
        facts.push((3, Span::raw(format!("ACD {} ", duration_secs(s.acd_seconds)))));
        if let Some(p) = s.pdd_avg_ms {
            facts.push((4, Span::raw(format!("PDD {:.1}s ", p / 1000.0))));
        }
        // What broke, at every width: the count and the key that lists it.
        if !s.findings.is_empty() {
            let critical = s.findings.iter().any(|f| f.severity == crate::findings::Severity::Critical);
            let key = app.keymap.keys_of(Action::ShowFindings);
            let text = match s.findings.len() {
                1 => format!("│ 1 finding ({key}) "),
                n => format!("│ {n} findings ({key}) "),
            };
            facts.push((0, Span::styled(text, if critical { t.error() } else { t.key() })));
        }
        if let Some((badge, bad)) = app.live_badge() {
            facts.push((2, Span::styled(format!("│ {badge} "), if bad { t.error() } else { t.key() })));
        }
        if s.rejected_lines > 0 {
            facts.push((
                2,
                Span::styled(format!("│ {} rejected lines ", thousands(s.rejected_lines)), t.error()),
            ));
        }
        let warnings: u64 = s.field_warnings.iter().map(|w| w.count).sum();
        if warnings > 0 {
            facts.push((5, Span::styled(format!("│ {} field warnings ", thousands(warnings)), t.key())));
        }
    }
    let width_of = |facts: &[(u8, Span<'_>)]| -> usize {
        facts.iter().map(|(_, s)| crate::text::width(&s.content)).sum()
    };
    // The views by name, the current one marked (a click on a name opens it).
    let mut first = vec![Span::styled(" cdrscope ", t.title()), Span::raw(" ")];
    let mut x = area.x + 11;
    // On a narrow screen only the current view is named: the facts come first.
    let views: Vec<View> = if width_of(&facts) + 11 + 23 > usize::from(area.width) {
        vec![app.view]
    } else {
        View::ALL.to_vec()
    };
    for v in views {
        let name = format!(" {} ", v.title());
        let w = name.len() as u16;
        app.hits.tabs.push((Rect { x, y: area.y, width: w, height: 1 }, v));
        x = x.saturating_add(w);
        first.push(if v == app.view {
            Span::styled(name, t.selected())
        } else {
            Span::styled(name, t.dim())
        });
    }
    first.push(Span::raw(" "));
    let lead: usize = first.iter().map(|s| crate::text::width(&s.content)).sum();
    // The least needed facts give way until the rest fits.
    while lead + width_of(&facts) > usize::from(area.width) {
        let Some(worst) = facts.iter().map(|(rank, _)| *rank).filter(|r| *r > 0).max() else { break };
        let Some(at) = facts.iter().rposition(|(rank, _)| *rank == worst) else { break };
        facts.remove(at);
    }
    let room = usize::from(area.width).saturating_sub(lead + width_of(&facts) + 3);
    if room >= 4 {
        first
            .push(Span::styled(format!("│ {} ", shorten_left(&sanitize(&app.sources_label), room)), t.dim()));
    }
    first.extend(facts.into_iter().map(|(_, s)| s));
    let second = if let Some(e) = &app.load_error {
        Line::from(Span::styled(format!(" load failed: {}", sanitize(e)), t.error()))
    } else if app.is_loading() {
        Line::from(Span::styled(format!(" {}", app.progress_line()), t.key()))
    } else if let Some(e) = &app.filter_error {
        Line::from(Span::styled(format!(" filter error: {}", sanitize(e)), t.error()))
    } else {
        let filter = app.effective_filter();
        let mut spans = vec![Span::styled(" filter: ", t.dim())];
        spans.push(Span::raw(if filter.is_empty() {
            "(none: all calls)".to_string()
        } else {
            sanitize(&filter).into_owned()
        }));
        // The order in force, whatever the last message said (the default, newest first,
        // goes unsaid).
        if app.view == View::Calls
            && (app.sort.key != crate::tui::worker::SortKey::Time || !app.sort.descending)
        {
            let arrow = if app.sort.descending { "↓" } else { "↑" };
            spans.push(Span::styled(format!("  sorted: {} {arrow}", app.sort.key.label()), t.dim()));
        }
        if let Some(w) = &app.window_note {
            spans.push(Span::styled(format!("  [{w}]"), t.dim()));
        }
        if app.shown_gen != app.generation {
            spans.push(Span::styled("  filtering...", t.key()));
        } else if let Some(d) = app.last_query.filter(|_| app.show_timing) {
            spans.push(Span::styled(format!("  ({} ms)", d.as_millis()), t.dim()));
        }
        Line::from(fit_spans(spans, usize::from(area.width)))
    };
    f.render_widget(Paragraph::new(vec![Line::from(first), second]), area);
}

fn draw_footer(f: &mut Frame<'_>, app: &App, area: Rect) {
    let t = app.theme;
    let k = |a: Action| app.keymap.keys_of(a);
    let items: Vec<(&str, &str)> = match (&app.overlay, app.view) {
        (Some(Overlay::Prompt(p)), _) => {
            let mut v = vec![(k(Action::PromptApply), "apply"), (k(Action::PromptCancel), "cancel")];
            // Only the filter prompt has a history.
            if p.kind == crate::tui::state::app::PromptKind::Filter {
                v.push((k(Action::HistoryPrev), "older"));
                v.push((k(Action::HistoryNext), "newer"));
            }
            v
        }
        (Some(Overlay::Picker(_)), _) => vec![
            ("type", "narrow"),
            (k(Action::PickerToggle), "pick"),
            (k(Action::PickerApply), "apply"),
            (k(Action::PickerCancel), "cancel"),
        ],
        (Some(Overlay::TimeMenu(_)), _) => vec![
            (k(Action::MenuDown), "down"),
            (k(Action::MenuUp), "up"),
            (k(Action::MenuApply), "apply"),
            (k(Action::MenuCancel), "cancel"),
        ],
        (Some(Overlay::Help(_) | Overlay::Report(_)), _) => {
            vec![(k(Action::PagerDown), "down"), (k(Action::PagerUp), "up"), ("any other key", "close")]
        }
        (Some(Overlay::Lookup), _) => {
            vec![("type", "search"), ("Up/Down", "choose"), ("PgUp/PgDn", "scroll"), ("Esc", "close")]
        }
        (None, view) => views::screen(view).hints(app),
    };
    // On a narrow screen the least needed hints go first; help and quit always stay.
    let mut items = items;
    let width = |items: &[(&str, &str)]| -> usize {
        items.iter().map(|(k, w)| 3 + unicode_width::UnicodeWidthStr::width(*k) + w.len()).sum()
    };
    // Moving between views and the findings stay longest after help and quit: a newcomer
    // finds the rest from there.
    const DROP_FIRST: [&str; 13] = [
        "search",
        "detail",
        "lookup",
        "time",
        "clear",
        "codes",
        "gateways",
        "sort",
        "table",
        "older",
        "newer",
        "view",
        "next view",
    ];
    for what in DROP_FIRST {
        if width(&items) <= usize::from(area.width) {
            break;
        }
        items.retain(|(_, w)| *w != what);
    }
    let mut spans = Vec::new();
    for (key, what) in items {
        spans.push(Span::styled(format!(" {key}"), t.key()));
        spans.push(Span::raw(format!(" {what} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
