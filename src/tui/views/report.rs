//! The load report over any view: every source with its form, counts, rejected lines and
//! field warnings, duplicates, and every file passed over with why (what `cdrscope check`
//! prints). The text is already sanitized by the report.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::state::app::App;
use crate::tui::views::widgets::popup;

pub fn draw(f: &mut Frame<'_>, app: &App, scroll: u16, area: Rect) {
    let inner = popup(f, area, 94, 94, "Load report (j/k scroll, any other key closes)");
    let text = match app.store.as_ref() {
        Some(shared) => {
            let store = crate::cdr::store::shared::read(shared);
            crate::cdr::ingest::report::load_report(&store, &app.skipped, &app.zone.name()).0
        }
        None => "nothing loaded".to_string(),
    };
    let lines: Vec<Line<'static>> = text.lines().map(|l| Line::from(l.to_string())).collect();
    let max = u16::try_from(lines.len().saturating_sub(inner.height as usize)).unwrap_or(u16::MAX);
    f.render_widget(Paragraph::new(lines).scroll((scroll.min(max), 0)), inner);
}
