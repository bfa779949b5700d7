//! The gateway and code pickers (type to narrow, Space to pick several, Enter applies) and the
//! time-window menu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::text::{fit, sanitize, thousands};
use crate::tui::app::{App, Picker, PickerKind, TIME_WINDOWS};
use crate::tui::ui::{centered, popup_block};

pub fn draw(f: &mut Frame<'_>, app: &App, p: &Picker, area: Rect) {
    let t = app.theme;
    let r = centered(area, 80, 85);
    f.render_widget(Clear, r);
    let title = match p.kind {
        PickerKind::Gateway => "Gateways (calls, ASR)",
        PickerKind::Code => "End-reason codes in the data",
    };
    let block = popup_block(title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", t.key()),
            Span::raw(sanitize(&p.input).into_owned()),
            Span::styled("_", t.dim()),
        ]),
        Line::from(Span::styled(format!("{} shown, {} picked", p.shown.len(), p.picked.len()), t.dim())),
    ];
    let height = inner.height.saturating_sub(2) as usize;
    let offset = crate::tui::ui::page_offset(p.selected, height);
    for (k, &i) in p.shown.iter().enumerate().skip(offset).take(height) {
        let it = &p.items[i];
        let mark = if p.picked.contains(&it.value) { "[x]" } else { "[ ]" };
        let text =
            format!("{mark} {} {:>9}  {}", fit(&it.label, 18), thousands(it.calls), sanitize(&it.detail));
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
    let r = centered(area, 50, 60);
    f.render_widget(Clear, r);
    let block = popup_block("Time window (relative to the newest call)");
    let inner = block.inner(r);
    f.render_widget(block, r);
    let lines: Vec<Line<'_>> = TIME_WINDOWS
        .iter()
        .enumerate()
        .map(|(k, (label, _))| {
            let text = format!(" {label}");
            if k == selected { Line::from(Span::styled(text, t.selected())) } else { Line::from(text) }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
