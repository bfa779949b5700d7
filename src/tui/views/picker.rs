//! The gateway and code pickers (type to narrow, Space to pick several, Enter applies) and the
//! time-window menu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::text::{fit, sanitize, thousands};
use crate::tui::state::app::{App, Picker, PickerKind};
use crate::tui::state::window::TIME_WINDOWS;
use crate::tui::views::widgets::popup;

pub fn draw(f: &mut Frame<'_>, app: &App, p: &Picker, area: Rect) {
    let t = app.theme;
    let title = match p.kind {
        PickerKind::Gateway => "Gateways (calls, ASR)",
        PickerKind::Code => "End-reason codes in the data",
        PickerKind::Filters => "Saved filters, then recent ones (Enter applies)",
    };
    let inner = popup(f, area, 80, 85, title);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", t.key()),
            Span::raw(sanitize(&p.input).into_owned()),
            Span::styled("_", t.dim()),
        ]),
        Line::from(Span::styled(format!("{} shown, {} picked", p.shown.len(), p.picked.len()), t.dim())),
    ];
    let height = inner.height.saturating_sub(2) as usize;
    let offset = crate::tui::views::widgets::page_offset(p.selected, height);
    for (k, &i) in p.shown.iter().enumerate().skip(offset).take(height) {
        let it = &p.items[i];
        let mark = if p.picked.contains(&it.value) { "[x]" } else { "[ ]" };
        let text = if p.kind == PickerKind::Filters {
            format!("{} {}", fit(&it.label, 18), sanitize(&it.detail))
        } else {
            format!("{mark} {} {:>9}  {}", fit(&it.label, 18), thousands(it.calls), sanitize(&it.detail))
        };
        let text = fit(&text, inner.width as usize);
        lines.push(if k == p.selected {
            Line::from(Span::styled(text, t.selected()))
        } else {
            Line::from(text)
        });
    }
    f.render_widget(Paragraph::new(lines), inner);
}

pub fn draw_time_menu(f: &mut Frame<'_>, app: &App, selected: usize, area: Rect) {
    let t = app.theme;
    let clock = app.shown.as_ref().is_some_and(|s| s.wall_clock);
    let title =
        if clock { "Time window (relative to now)" } else { "Time window (relative to the newest call)" };
    let inner = popup(f, area, 50, 60, title);
    // The window in force is marked.
    let active = crate::tui::state::window::active(&app.filter);
    let lines: Vec<Line<'_>> = TIME_WINDOWS
        .iter()
        .enumerate()
        .map(|(k, (label, _))| {
            let mark = if k == active { "•" } else { " " };
            let text = format!("{mark} {label}");
            if k == selected { Line::from(Span::styled(text, t.selected())) } else { Line::from(text) }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
