//! Drawing, from state only: `frame` lays out the header, the view in force and the footer;
//! one file per view or overlay; `widgets` holds what they share.
//!
//! Each full-screen view is a type implementing [`Screen`], listed once in [`SCREENS`]; the
//! frame asks it to draw the body and for its footer hints. A new view is its file, its line
//! here and its variant in [`View`] (state), see ARCHITECTURE.md.

pub mod calls;
pub mod detail;
pub mod frame;
pub mod help;
pub mod lookup;
pub mod picker;
pub mod prompt;
pub mod report;
pub mod stats;
pub mod stats_timeline;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::state::app::{App, View};

/// One full-screen view.
pub trait Screen: Sync {
    /// The state's name for it (what `app.view` holds when it is shown).
    fn view(&self) -> View;
    /// Draws the body (between the header and the footer).
    fn draw(&self, f: &mut Frame<'_>, app: &mut App, area: Rect);
    /// The footer's key hints while no overlay is open: (keys, what they do), most needed
    /// first among equals; the footer drops the least needed on a narrow screen.
    fn hints<'a>(&self, app: &'a App) -> Vec<(&'a str, &'static str)>;
}

/// The views; the order of [`View::ALL`] is the order they are named in.
pub static SCREENS: &[&dyn Screen] = &[&calls::Calls, &stats::Stats, &lookup::Lookup];

/// The screen that draws `view`.
pub fn screen(view: View) -> &'static dyn Screen {
    SCREENS.iter().copied().find(|s| s.view() == view).unwrap_or(SCREENS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_has_one_screen() {
        for v in View::ALL {
            assert_eq!(SCREENS.iter().filter(|s| s.view() == v).count(), 1, "{v:?}");
            assert_eq!(screen(v).view(), v);
        }
        assert_eq!(SCREENS.len(), View::ALL.len());
    }
}
