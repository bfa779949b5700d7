//! The calls table, with the explanation panel beside it (wide screens) or over it (narrow).
//! Only the rows on screen are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use ratatui::style::{Modifier, Style};

use crate::cdr::{Store, TimeWriter};
use crate::text::{duration_secs, fit, fit_right, sanitize};
use crate::tui::state::app::App;
use crate::tui::state::table_layout::{Col, SPACING};
use crate::tui::views::detail;
use crate::tui::views::widgets::centered;

/// Width from which the panel sits beside the table instead of over it.
const SIDE_PANEL_MIN_WIDTH: u16 = 120;

/// The Calls view.
pub struct Calls;

impl crate::tui::views::Screen for Calls {
    fn view(&self) -> crate::tui::state::app::View {
        crate::tui::state::app::View::Calls
    }

    fn draw(&self, f: &mut Frame<'_>, app: &mut App, area: Rect) {
        draw(f, app, area)
    }

    fn hints<'a>(&self, app: &'a App) -> Vec<(&'a str, &'static str)> {
        use crate::keys::Action;
        let k = |a: Action| app.keymap.keys_of(a);
        vec![
            (k(Action::FilterPrompt), "filter"),
            (k(Action::ShowFindings), "findings"),
            (k(Action::GatewayPicker), "gateways"),
            (k(Action::CodePicker), "codes"),
            (k(Action::TimeMenu), "time"),
            (k(Action::ClearFilter), "clear"),
            (k(Action::ToggleDetail), "detail"),
            (k(Action::Search), "search"),
            (k(Action::NextView), "view"),
            (k(Action::LookupPalette), "lookup"),
            (k(Action::Export), "export"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}

pub fn draw(f: &mut Frame<'_>, app: &mut App, area: Rect) {
    let Some(shared) = app.store.clone() else {
        let msg = if app.specs.is_empty() {
            "No CDRs loaded: press Tab for the lookup, q to quit."
        } else {
            "Loading..."
        };
        f.render_widget(Paragraph::new(msg), area);
        return;
    };
    // The snapshot the shown rows index; a newer one may have dropped old calls.
    let store = app.shown.clone().unwrap_or_else(|| crate::cdr::store::shared::read(&shared));
    app.wide = area.width >= SIDE_PANEL_MIN_WIDTH;
    let side = app.detail && app.wide;
    let t = app.theme;
    let height = area.height.saturating_sub(1) as usize;
    app.page = height.max(1);
    let total = app.rows.len();
    // Keep the selection on screen: the page that holds it.
    let offset = crate::tui::views::widgets::page_offset(app.selected, height);
    let tw = TimeWriter::new(app.zone.clone());
    let multi_day = app.summary.as_ref().is_some_and(|s| {
        s.first_call.as_deref().map(|f| &f[..10]) != s.last_call.as_deref().map(|l| &l[..10])
    });
    let visible = &app.rows[offset.min(total)..(offset + height).min(total)];
    // Each shown row's values, column by column: widths come from them.
    let texts: Vec<[String; 9]> =
        visible.iter().map(|&r| row_texts(&store, r as usize, &tw, multi_day)).collect();
    let natural = |c: Col| -> u16 {
        let k = Col::ALL.iter().position(|x| *x == c).unwrap_or(0);
        let content = texts.iter().map(|t| crate::text::width(&t[k])).max().unwrap_or(0);
        // Who hung up fits in one letter (A, B, S) when space is short.
        let head = if c == Col::Hangup { 1 } else { c.title().len() };
        u16::try_from(content.max(head)).unwrap_or(u16::MAX)
    };
    // Beside the table, the panel takes what the table's values do not need, from 40 columns
    // (or 30% of a wide screen) to 42%.
    let (table_area, panel_area) = if side {
        let min_table = area.width.saturating_mul(58) / 100;
        let panel_min = (area.width.saturating_mul(30) / 100).max(40);
        let max_table = area.width.saturating_sub(panel_min).max(min_table);
        let w = app.columns.wanted(&natural).clamp(min_table, max_table);
        (Rect { width: w, ..area }, Some(Rect { x: area.x + w, width: area.width - w, ..area }))
    } else {
        (area, None)
    };
    let fitted = app.columns.fit(&natural, table_area.width);
    // Where rows and columns are, for the mouse.
    app.hits.list = Some((
        Rect { y: table_area.y + 1, height: table_area.height.saturating_sub(1), ..table_area },
        offset,
    ));
    let mut x = table_area.x;
    for p in &fitted.placed {
        app.hits.columns.push((x, x.saturating_add(p.width).saturating_add(SPACING), p.col));
        x = x.saturating_add(p.width).saturating_add(SPACING);
    }
    let needle = app.search.as_ref().map(|s| s.needle.clone());
    let rows: Vec<Row<'_>> = visible
        .iter()
        .zip(&texts)
        .enumerate()
        .map(|(k, (&r, vals))| {
            let selected = offset + k == app.selected;
            let sev = {
                let reason = store.reason(r as usize);
                let id = crate::kb::resolve(&app.kb, &reason.to_string())
                    .ok()
                    .and_then(|v| v.first().map(|x| x.entry.id.clone()));
                id.as_deref().map_or(crate::kb::Severity::Medium, |id| app.kb.severity_of(id))
            };
            let cells: Vec<Cell<'_>> = fitted
                .placed
                .iter()
                .map(|p| {
                    let k = Col::ALL.iter().position(|x| *x == p.col).unwrap_or(0);
                    let raw = if p.col == Col::Hangup && p.width < 6 {
                        hangup_letter(&vals[k]).to_string()
                    } else {
                        vals[k].clone()
                    };
                    let w = usize::from(p.width);
                    let text = if p.col.right_aligned() { fit_right(&raw, w) } else { fit(&raw, w) };
                    let mut style = if p.col == Col::Reason { t.severity(sev) } else { Style::default() };
                    if needle.as_deref().is_some_and(|n| !n.is_empty() && raw.to_lowercase().contains(n)) {
                        style = style.patch(t.search_match());
                    }
                    if selected && p.col == app.columns.cursor {
                        // Inside the reversed row, the cursor's cell is the one not reversed.
                        style = style.patch(t.column_cursor()).remove_modifier(Modifier::REVERSED);
                    }
                    Cell::from(Span::styled(text, style))
                })
                .collect();
            let row = Row::new(cells);
            if selected { row.style(t.selected()) } else { row }
        })
        .collect();
    let widths: Vec<Constraint> = fitted.placed.iter().map(|p| Constraint::Length(p.width)).collect();
    let last = fitted.placed.len().saturating_sub(1);
    let head: Vec<Cell<'_>> = fitted
        .placed
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let title = if p.col == Col::Hangup && p.width < 6 { "H" } else { p.col.title() };
            let w = usize::from(p.width);
            let mut text = if p.col.right_aligned() { fit_right(title, w) } else { fit(title, w) };
            // Columns out of sight are announced at the edge they are behind, over the title
            // if need be.
            if k == 1 && fitted.more_left {
                text = format!("‹{}", fit(title, w.saturating_sub(1)));
            }
            if k == last && fitted.more_right {
                let body = fit(title, w.saturating_sub(1));
                text = format!("{}›", body.trim_end());
                text = fit(&text, w);
            }
            let style =
                if p.col == app.columns.cursor { t.title().patch(t.column_cursor()) } else { t.title() };
            Cell::from(Span::styled(text, style))
        })
        .collect();
    let header = Row::new(head);
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(SPACING), table_area);
    if total == 0 && app.is_loading() {
        let r = Rect { y: table_area.y + 1, height: 1, ..table_area };
        f.render_widget(Paragraph::new(" Loading… no calls have arrived yet."), r);
    } else if total == 0 && store.is_empty() && app.effective_filter().is_empty() {
        // Nothing filtered out: there is nothing yet (a quiet feed, a new hour's empty file).
        let sources = crate::text::sanitize(&app.sources_label).into_owned();
        let msg = if app.live.is_some() {
            format!(" Waiting for calls on {sources}…")
        } else {
            format!(" No calls in {sources}.")
        };
        let r = Rect { y: table_area.y + 1, height: table_area.height.saturating_sub(1), ..table_area };
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: false }), r);
    } else if total == 0 {
        // What in the filter cannot match (a gateway or code no call has, `=` for `:`).
        let hints = crate::query::parse::parse(&app.effective_filter())
            .map(|q| crate::query::hints::hints(&q, &store))
            .unwrap_or_default();
        let mut lines = vec![Line::from(" No calls match the filter (x clears it).")];
        lines.extend(hints.iter().map(|h| Line::from(Span::styled(format!(" {h}"), t.key()))));
        let r = Rect { y: table_area.y + 1, height: table_area.height.saturating_sub(1), ..table_area };
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), r);
    }
    let shown = if app.wide { app.detail } else { app.popup };
    if !shown || total == 0 {
        return;
    }
    let Some(&row) = app.rows.get(app.selected) else { return };
    let lines = detail::lines(app, &store, row as usize);
    let title = format!(
        " Call {} of {} ",
        crate::text::thousands(app.selected as u64 + 1),
        crate::text::thousands(total as u64)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(Line::from(" d hide  J/K scroll  Esc close "));
    let target = match panel_area {
        Some(p) => p,
        None => {
            let r = centered(area, 92, 86);
            crate::tui::views::widgets::clear(f, r);
            r
        }
    };
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((app.detail_scroll, 0)),
        target,
    );
}

/// A row's values in [`Col::ALL`] order, sanitized, uncut.
fn row_texts(store: &Store, i: usize, tw: &TimeWriter, multi_day: bool) -> [String; 9] {
    let c = &store.cols;
    let time = tw.format(c.start_ms[i]);
    // The date when the calls span days (month-day), always the full time of day.
    let time = if multi_day {
        time.get(5..).unwrap_or(&time).to_string()
    } else {
        time.get(11..).unwrap_or(&time).to_string()
    };
    let reason = store.reason(i);
    let hold = store.hold_ms(i);
    let dur = if hold == 0 { "-".to_string() } else { duration_secs(f64::from(hold) / 1000.0) };
    let pdd = store.pdd_ms(i).map_or("-".to_string(), |p| format!("{:.1}", f64::from(p) / 1000.0));
    let hup = match c.end_direction[i] {
        0 => "caller",
        1 => "callee",
        2 => "server",
        _ => "",
    };
    [
        time,
        sanitize(&store.caller(i)).into_owned(),
        sanitize(&store.callee(i)).into_owned(),
        sanitize(crate::config::gateway_label(store.caller_gateway(i))).into_owned(),
        sanitize(crate::config::gateway_label(store.callee_gateway(i))).into_owned(),
        dur,
        pdd,
        sanitize(&format!("{reason} {}", reason.name())).into_owned(),
        hup.to_string(),
    ]
}

/// Who hung up in one letter: A (caller), B (callee), S (server).
fn hangup_letter(word: &str) -> &'static str {
    match word {
        "caller" => "A",
        "callee" => "B",
        "server" => "S",
        _ => "",
    }
}
