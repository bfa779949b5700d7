//! The mouse (crossterm's mouse events; `--no-mouse` or `mouse = false` turns them off): a
//! click on a view's name switches to it, a click on a row selects it (in Calls, on a cell it
//! also moves the column cursor there), the wheel scrolls the list or the open pager. Where
//! things are is recorded by the last draw.

use crossterm::event::{MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use crate::tui::state::app::{App, Overlay, View};

/// Lines the wheel moves.
const WHEEL_STEP: isize = 3;

impl App {
    pub fn mouse(&mut self, m: MouseEvent) {
        let at = Position { x: m.column, y: m.row };
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = m.kind == MouseEventKind::ScrollDown;
                match &mut self.overlay {
                    Some(Overlay::Help(s) | Overlay::Report(s)) => {
                        *s = if down { s.saturating_add(3) } else { s.saturating_sub(3) };
                    }
                    Some(_) => return,
                    None => self.move_by(if down { WHEEL_STEP } else { -WHEEL_STEP }),
                }
            }
            MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
                // An open overlay takes its keys; a click beside it changes nothing under it.
                if self.overlay.is_some() {
                    return;
                }
                if let Some(&(_, view)) = self.hits.tabs.iter().find(|(r, _)| r.contains(at)) {
                    self.show_view(view);
                } else if let Some((r, offset)) = self.hits.list.filter(|(r, _)| r.contains(at)) {
                    let k = offset + usize::from(at.y - r.y);
                    if k < self.list_len() {
                        let delta = k as isize - self.current_index() as isize;
                        self.move_by(delta);
                    }
                    if self.view == View::Calls
                        && let Some(&(_, _, col)) =
                            self.hits.columns.iter().find(|(a, b, _)| (*a..*b).contains(&at.x))
                    {
                        self.columns.cursor = col;
                    }
                }
            }
            _ => return,
        }
        self.dirty = true;
    }
}
