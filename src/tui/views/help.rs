//! Help, generated from the keymap so it always tells what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::keys::Context;
use crate::tui::state::app::App;
use crate::tui::views::widgets::popup;

pub fn draw(f: &mut Frame<'_>, app: &App, scroll: u16, area: Rect) {
    let t = app.theme;
    let inner = popup(f, area, 86, 95, "Keys (any key closes)");
    let mut lines = Vec::new();
    for ctx in Context::ALL {
        lines.push(Line::from(Span::styled(ctx.title(), t.title())));
        for b in app.keymap.in_context(ctx) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<14}", shown_keys(&b.keys)), t.key()),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<14}", "Ctrl-C"), t.key()),
        Span::raw("quit, anywhere"),
    ]));
    lines.push(Line::from(Span::styled(
        "In the lookup view and pickers, typing searches; PageUp/PageDown scroll the preview; Esc closes.",
        t.dim(),
    )));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Filter terms (/)", t.title())));
    // One line a term where it fits, else the meaning under the term: never cut.
    for (term, what) in crate::query::reference::TERMS {
        if 30 + what.chars().count() <= usize::from(inner.width) {
            lines.push(Line::from(vec![Span::styled(format!("  {term:<28}"), t.key()), Span::raw(*what)]));
        } else {
            lines.push(Line::from(Span::styled(format!("  {term}"), t.key())));
            lines.push(Line::from(format!("      {what}")));
        }
    }
    // Never scrolled past the end: the last line stays at the bottom.
    let last = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_sub(inner.height);
    f.render_widget(Paragraph::new(lines).scroll((scroll.min(last), 0)), inner);
}

/// Keys as an operator knows them (the config file's `BackTab` is Shift-Tab on a keyboard).
fn shown_keys(keys: &[String]) -> String {
    keys.iter().map(|k| if k == "BackTab" { "Shift-Tab" } else { k.as_str() }).collect::<Vec<_>>().join(" ")
}
