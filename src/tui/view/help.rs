//! Help, generated from the keymap so it always tells what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::ui::popup;

pub fn draw(f: &mut Frame<'_>, app: &App, scroll: u16, area: Rect) {
    let t = app.theme;
    let inner = popup(f, area, 86, 95, "Keys (any key closes)");
    let mut lines = Vec::new();
    for ctx in Context::ALL {
        lines.push(Line::from(Span::styled(ctx.title(), t.title())));
        for b in app.keymap.in_context(ctx) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<14}", b.keys.join(" ")), t.key()),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<14}", "Ctrl-C"), t.key()),
        Span::raw("quit, anywhere"),
    ]));
    lines.push(Line::from(Span::styled(
        "In the lookup view and pickers, typing searches; Esc closes.",
        t.dim(),
    )));
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}
