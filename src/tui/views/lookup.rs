//! The lookup palette and view: type a code, name or words in any language; ranked hits on the
//! left, the selected entry on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::text::sanitize;
use crate::tui::state::app::App;
use crate::tui::views::detail::entry_lines;

/// The Lookup view.
pub struct Lookup;

impl crate::tui::views::Screen for Lookup {
    fn view(&self) -> crate::tui::state::app::View {
        crate::tui::state::app::View::Lookup
    }

    fn draw(&self, f: &mut Frame<'_>, app: &mut App, area: Rect) {
        draw(f, app, area)
    }

    fn hints<'a>(&self, app: &'a App) -> Vec<(&'a str, &'static str)> {
        use crate::keys::Action;
        let k = |a: Action| app.keymap.keys_of(a);
        vec![
            ("type", "search"),
            ("Up/Down", "choose"),
            ("PgUp/PgDn", "scroll"),
            ("Enter", "calls"),
            (k(Action::NextView), "next view"),
            ("Esc", "back"),
        ]
    }
}

pub fn draw(f: &mut Frame<'_>, app: &mut App, area: Rect) {
    let t = app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Lookup: a code (503, -69), a name or words (en, zh, es) ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [input, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    f.render_widget(
        Paragraph::new(vec![
            Line::from({
                let (before, under, after) =
                    crate::tui::state::line_edit::split(&app.lookup.input, app.lookup.cursor);
                vec![
                    Span::styled("> ", t.key()),
                    Span::raw(sanitize(before).into_owned()),
                    match under {
                        Some(c) => Span::styled(sanitize(c).into_owned(), t.cursor()),
                        None => Span::styled("_", t.dim()),
                    },
                    Span::raw(sanitize(after).into_owned()),
                ]
            }),
            Line::from(Span::styled(
                match app.lookup.hits.len() {
                    1 => "1 match".to_string(),
                    n => format!("{} matches", crate::text::thousands(n as u64)),
                },
                t.dim(),
            )),
        ]),
        input,
    );
    let [list, preview] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(body);
    let height = list.height as usize;
    let offset = crate::tui::views::widgets::page_offset(app.lookup.selected, height);
    let lines: Vec<Line<'_>> = app
        .lookup
        .hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .filter_map(|(k, id)| {
            let e = app.kb.get(id)?;
            let text = crate::text::fit(&format!("{} {}", e.id, e.name), list.width as usize);
            Some(if k == app.lookup.selected {
                Line::from(Span::styled(text, t.selected()))
            } else {
                Line::from(Span::styled(text, t.severity(e.severity)))
            })
        })
        .collect();
    f.render_widget(Paragraph::new(lines), list);
    if let Some(e) = app.selected_entry() {
        let lines = entry_lines(&app.kb, e, t);
        // Never scrolled past the last line.
        let scroll =
            app.lookup.preview_scroll.min(u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX));
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0))
                .block(Block::default().borders(Borders::LEFT)),
            preview,
        );
    }
}
