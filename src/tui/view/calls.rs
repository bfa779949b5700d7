//! The calls table, with the explanation panel beside it (wide screens) or over it (narrow).
//! Only the rows on screen are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use super::detail;
use crate::cdr::TimeWriter;
use crate::text::{duration_secs, sanitize};
use crate::tui::app::App;
use crate::tui::ui::centered;

/// Width from which the panel sits beside the table instead of over it.
const SIDE_PANEL_MIN_WIDTH: u16 = 120;

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
    let store = app.shown.clone().unwrap_or_else(|| crate::cdr::load::read(&shared));
    app.wide = area.width >= SIDE_PANEL_MIN_WIDTH;
    let side = app.detail && app.wide;
    let (table_area, panel_area) = if side {
        let [a, b] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
        (a, Some(b))
    } else {
        (area, None)
    };
    let t = app.theme;
    let height = table_area.height.saturating_sub(1) as usize;
    app.page = height.max(1);
    let total = app.rows.len();
    // Keep the selection on screen: the page that holds it.
    let offset = crate::tui::ui::page_offset(app.selected, height);
    let tw = TimeWriter::new(app.zone.clone());
    let multi_day = app.summary.as_ref().is_some_and(|s| {
        s.first_call.as_deref().map(|f| &f[..10]) != s.last_call.as_deref().map(|l| &l[..10])
    });
    let wide = table_area.width >= 100;
    let visible = &app.rows[offset.min(total)..(offset + height).min(total)];
    let rows: Vec<Row<'_>> = visible
        .iter()
        .enumerate()
        .map(|(k, &r)| {
            let i = r as usize;
            let c = &store.cols;
            let time = tw.format(c.start_ms[i]);
            let time = if multi_day { time[5..16].to_string() } else { time[11..].to_string() };
            let reason = store.reason(i);
            let id = crate::kb::resolve(&app.kb, &reason.to_string())
                .ok()
                .and_then(|v| v.first().map(|x| x.entry.id.clone()));
            let sev = id.as_deref().map_or(crate::kb::Severity::Medium, |id| app.kb.severity_of(id));
            let hold = store.hold_ms(i);
            let dur = if hold == 0 { "-".to_string() } else { duration_secs(f64::from(hold) / 1000.0) };
            let pdd = store.pdd_ms(i).map_or("-".to_string(), |p| format!("{:.1}", f64::from(p) / 1000.0));
            // Who hung up: words when there is room, else A (caller), B (callee), S (server).
            let hup = match (c.end_direction[i], wide) {
                (0, true) => "caller",
                (1, true) => "callee",
                (2, true) => "server",
                (0, false) => "A",
                (1, false) => "B",
                (2, false) => "S",
                _ => "",
            };
            let mut cells = vec![
                Cell::from(time),
                Cell::from(sanitize(&store.caller(i)).into_owned()),
                Cell::from(sanitize(&store.callee(i)).into_owned()),
                Cell::from(sanitize(crate::config::gateway_label(store.caller_gateway(i))).into_owned()),
                Cell::from(sanitize(crate::config::gateway_label(store.callee_gateway(i))).into_owned()),
                Cell::from(dur),
                Cell::from(pdd),
                Cell::from(Span::styled(
                    sanitize(&format!("{reason} {}", reason.name())).into_owned(),
                    t.severity(sev),
                )),
            ];
            cells.push(Cell::from(hup));
            let row = Row::new(cells);
            if offset + k == app.selected { row.style(t.selected()) } else { row }
        })
        .collect();
    let widths = vec![
        Constraint::Length(if multi_day { 11 } else { 8 }),
        Constraint::Length(if wide { 15 } else { 11 }),
        Constraint::Length(if wide { 16 } else { 12 }),
        Constraint::Length(if wide { 14 } else { 9 }),
        Constraint::Length(if wide { 14 } else { 9 }),
        Constraint::Length(6),
        Constraint::Length(4),
        Constraint::Min(8),
        Constraint::Length(if wide { 6 } else { 1 }),
    ];
    let head = vec![
        "Time",
        "Caller",
        "Callee",
        "In GW",
        "Out GW",
        "Dur",
        "PDD",
        "End reason",
        if wide { "Hangup" } else { "H" },
    ];
    let header = Row::new(head).style(t.title());
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1), table_area);
    if total == 0 && app.is_loading() {
        let r = Rect { y: table_area.y + 1, height: 1, ..table_area };
        f.render_widget(Paragraph::new(" Loading… no calls have arrived yet."), r);
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
            f.render_widget(Clear, r);
            r
        }
    };
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((app.detail_scroll, 0)),
        target,
    );
}
