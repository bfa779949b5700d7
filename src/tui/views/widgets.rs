//! Drawing helpers every view shares: popups, clearing, paging, fitting spans and titles.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear};

pub fn page_offset(selected: usize, height: usize) -> usize {
    selected.checked_div(height).map_or(0, |page| page * height)
}

/// Clears `r` for a popup. A wide character (Chinese text) whose first half sits just left of
/// `r` would be drawn by the terminal over the popup's left border: it is blanked too.
pub fn clear(f: &mut Frame<'_>, r: Rect) {
    f.render_widget(Clear, r);
    let buf = f.buffer_mut();
    let right = r.x.saturating_add(r.width);
    for y in r.y..r.y.saturating_add(r.height) {
        if let Some(cell) = r.x.checked_sub(1).and_then(|x| buf.cell_mut((x, y)))
            && unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
        // The second half of a wide character cut by the right edge: a blank of its own.
        if let Some(cell) = buf.cell_mut((right, y))
            && cell.symbol().is_empty()
        {
            cell.set_symbol(" ");
        }
    }
}

/// A rectangle of `pw`% x `ph`% in the middle of `r`.
pub fn centered(r: Rect, pw: u16, ph: u16) -> Rect {
    let w = (r.width * pw / 100).max(20).min(r.width);
    let h = (r.height * ph / 100).max(5).min(r.height);
    Rect { x: r.x + (r.width - w) / 2, y: r.y + (r.height - h) / 2, width: w, height: h }
}

pub fn popup_block(title: &str) -> Block<'static> {
    Block::default().borders(Borders::ALL).title(format!(" {title} "))
}

/// Clears a `pw`% x `ph`% box in the middle of `area`, frames it with a title, and returns
/// the space inside.
pub fn popup(f: &mut Frame<'_>, area: Rect, pw: u16, ph: u16, title: &str) -> Rect {
    let r = centered(area, pw, ph);
    clear(f, r);
    let block = popup_block(title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

pub fn fit_spans(spans: Vec<Span<'static>>, cols: usize) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut used = 0;
    let total: usize = spans.iter().map(|s| crate::text::width(&s.content)).sum();
    if total <= cols {
        return spans;
    }
    for s in spans {
        let w = crate::text::width(&s.content);
        if used + w < cols {
            used += w;
            out.push(s);
        } else {
            let room = cols.saturating_sub(used);
            if room > 0 {
                let cut = crate::text::fit(&s.content, room).trim_end().to_string();
                out.push(Span::styled(cut, s.style));
            }
            break;
        }
    }
    out
}

/// A block title that fits a box `width` wide (borders included), cut with `…` when longer.
pub fn fit_title(title: &str, width: u16) -> String {
    let room = usize::from(width.saturating_sub(2));
    if crate::text::width(title) <= room { title.to_string() } else { crate::text::fit(title, room) }
}

/// `text` in at most `cols` columns, cut at the left with `…` (the end of a path names it).
pub fn shorten_left(text: &str, cols: usize) -> String {
    if crate::text::width(text) <= cols {
        return text.to_string();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > cols {
            break;
        }
        used += w;
        tail.push(c);
    }
    let mut out = String::from("…");
    out.extend(tail.into_iter().rev());
    out
}
