//! Going back after drilling into calls: each drill (a finding, a Stats row, a lookup entry)
//! remembers the filter and the view it left, and `Esc` in Calls returns there, step by step.

use crate::tui::state::app::App;
use crate::tui::state::types::{Back, MAX_BACK};

impl App {
    /// Remembers where the operator is, before a drill replaces the filter.
    pub(crate) fn push_back(&mut self) {
        if self.back.len() >= MAX_BACK {
            self.back.remove(0);
        }
        self.back.push(Back {
            filter: self.filter.clone(),
            view: self.view,
            stats_table: self.stats_table,
            stats_selected: self.stats_selected,
            selected: self.selected,
        });
    }

    /// `Esc` after a drill: the filter and the view before it. False when there is nowhere
    /// to go back to.
    pub(crate) fn go_back(&mut self) -> bool {
        let Some(b) = self.back.pop() else { return false };
        self.filter = b.filter;
        self.stats_table = b.stats_table;
        self.show_view(b.view);
        self.selected = b.selected;
        // The Stats row drilled from is selected again once the answer comes.
        self.pending_stats_selected = Some(b.stats_selected);
        self.requery();
        let shown = if self.filter.is_empty() {
            "no filter: all calls".to_string()
        } else {
            crate::text::sanitize(&self.filter).into_owned()
        };
        self.status = Some((format!("back to {shown}"), false));
        true
    }

    /// The message after a drill: what the filter is now and how to undo it.
    pub(crate) fn say_drilled(&mut self, what: &str) {
        let filter = crate::text::sanitize(&self.filter).into_owned();
        let key = self.keymap.keys_of(crate::keys::Action::Back).to_string();
        self.status = Some((format!("{what}: filter {filter} ({key} goes back)"), false));
    }
}
