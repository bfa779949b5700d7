//! Text prompts: the filter (with a live count and errors inline), the export path, a custom
//! start time.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::text::{sanitize, thousands};
use crate::tui::state::app::{App, Prompt, PromptKind};
use crate::tui::views::widgets::popup_block;

pub fn draw(f: &mut Frame<'_>, app: &App, p: &Prompt, area: Rect) {
    let t = app.theme;
    let h = 6.min(area.height);
    let r = Rect { x: area.x, y: area.y + area.height - h, width: area.width, height: h };
    crate::tui::views::widgets::clear(f, r);
    let title = match p.kind {
        PromptKind::Filter => {
            "Filter (Tab completes): gw: ingw: outgw: code: since: until: caller: callee: ip: dir: dur> pdd>"
        }
        PromptKind::Export => "Export what is shown to (.csv, .tsv, .json, .txt = VOS3000 text)",
        PromptKind::Since => "Time window: from, or from..until (14:00..15:00, -2h, 2026-11-20 14:00)",
        PromptKind::Search => "Search the shown calls: numbers, gateways, end reasons (n/N: next/previous)",
        PromptKind::SaveName => "Save the filter as (a name; ' lists saved filters)",
        PromptKind::Password => "Database password (not shown, kept in memory only; Esc: none)",
    };
    let block = popup_block(title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    // A password is never drawn, only its length as stars (and the cursor at its end).
    let mut line = vec![Span::styled("> ", t.key())];
    if p.kind == PromptKind::Password {
        line.push(Span::raw("*".repeat(p.text.chars().count())));
        line.push(Span::styled("_", t.dim()));
    } else {
        let (before, under, after) = crate::tui::state::line_edit::split(&p.text, p.cursor);
        line.push(Span::raw(sanitize(before).into_owned()));
        match under {
            Some(c) => line.push(Span::styled(sanitize(c).into_owned(), t.cursor())),
            None => line.push(Span::styled("_", t.dim())),
        }
        line.push(Span::raw(sanitize(after).into_owned()));
    }
    let mut lines = vec![Line::from(line)];
    if let (PromptKind::Password, Some(url)) = (p.kind, &app.password_for) {
        lines.push(Line::from(Span::styled(format!("for {}", sanitize(url)), t.dim())));
    }
    if let Some(e) = &p.error {
        lines.push(Line::from(Span::styled(sanitize(e).into_owned(), t.error())));
    } else {
        match &p.count {
            Some(Ok(n)) => lines.push(Line::from(Span::styled(
                if *n == 1 {
                    "1 call matches".to_string()
                } else {
                    format!("{} calls match", thousands(*n as u64))
                },
                t.key(),
            ))),
            Some(Err(e)) => lines.push(Line::from(Span::styled(sanitize(e).into_owned(), t.error()))),
            None => {}
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
