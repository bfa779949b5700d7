//! What the calls table's own keys do to the state: the column cursor's column hidden,
//! filtering to or out the selected call's value in that column (k9s and VisiData habit), and
//! searching the shown calls with `n`/`N`.

use crate::query::parse::Side;
use crate::tui::state::app::App;
use crate::tui::state::filter_edit::{Field, add, replace, term};
use crate::tui::state::table_layout::Col;

impl App {
    pub(crate) fn hide_column(&mut self) {
        match self.columns.hide() {
            Some(c) => {
                let key = self.keymap.keys_of(crate::keys::Action::ResetColumns).to_string();
                self.status = Some((format!("{} hidden ({key}: show every column)", c.title()), false));
            }
            None => self.status = Some(("the last column shown stays".into(), false)),
        }
    }

    /// `+` (`exclude` false): only calls with the selected call's value in the cursor's column,
    /// replacing a term of that field; `-` (`exclude` true): add an exclusion of it.
    pub(crate) fn filter_from_cell(&mut self, exclude: bool) {
        let (Some(store), Some(&row)) = (self.shown.clone(), self.rows.get(self.selected)) else {
            self.status = Some(("no call is selected".into(), false));
            return;
        };
        let i = row as usize;
        let gw = |name: &str| if name.is_empty() { "none".to_string() } else { name.to_string() };
        let (key, value, field) = match self.columns.cursor {
            Col::Caller => ("caller", store.caller(i), Field::Number(Side::Caller)),
            Col::Callee => ("callee", store.callee(i), Field::Number(Side::Callee)),
            Col::InGw => ("ingw", gw(store.caller_gateway(i)), Field::Gateway(Side::Caller)),
            Col::OutGw => ("outgw", gw(store.callee_gateway(i)), Field::Gateway(Side::Callee)),
            Col::Reason => match store.reason(i).code() {
                Some(c) => ("code", c.to_string(), Field::Code),
                None => {
                    self.status = Some(("this call has no end-reason code to filter by".into(), false));
                    return;
                }
            },
            Col::Hangup => match store.cols.end_direction[i] {
                0 => ("dir", "caller".to_string(), Field::Direction),
                1 => ("dir", "callee".to_string(), Field::Direction),
                2 => ("dir", "server".to_string(), Field::Direction),
                _ => {
                    self.status = Some(("who hung up is not known for this call".into(), false));
                    return;
                }
            },
            c @ (Col::Time | Col::Dur | Col::Pdd) => {
                let how = match c {
                    Col::Time => "t (time window) or since:/until:",
                    _ => "dur>30s or pdd>5s in the filter (/)",
                };
                self.status = Some((format!("the {} column is filtered with {how}", c.title()), false));
                return;
            }
        };
        if value.is_empty() {
            self.status = Some((format!("this call has no {}", self.columns.cursor.title()), false));
            return;
        }
        let t = term(key, &[value]);
        self.filter =
            if exclude { add(&self.filter, &format!("-{t}")) } else { replace(&self.filter, field, &t) };
        self.remember_filter();
        self.selected = 0;
        self.requery();
    }

    /// Starts a search from the selected call (empty text ends it).
    pub(crate) fn start_search(&mut self, text: &str) {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            self.search = None;
            return;
        }
        self.search = Some(crate::tui::state::search::Search { needle });
        // The selected call itself counts as the first place to look.
        self.search_from(true, true);
    }

    /// `n` / `N`: the next or previous shown call that matches, wrapping around.
    pub(crate) fn search_step(&mut self, forward: bool) {
        self.search_from(forward, false);
    }

    /// Moves to the next match from the selected call (the selected call included when the
    /// search starts). Nothing matching leaves the selection where it is; "wrapped" is said
    /// only when the match lies behind the selected call in the direction searched.
    fn search_from(&mut self, forward: bool, include_selected: bool) {
        let Some(s) = self.search.clone() else {
            let key = self.keymap.keys_of(crate::keys::Action::Search).to_string();
            self.status = Some((format!("no search: {key} starts one"), false));
            return;
        };
        let Some(store) = self.shown.clone() else { return };
        let n = self.rows.len();
        let origin = self.selected.min(n.saturating_sub(1));
        // `find` looks from the position after `from`: one before the selected call makes
        // the selected call the first looked at.
        let from = if include_selected && n > 0 { (origin + n - 1) % n } else { origin };
        match crate::tui::state::search::find(&store, &self.rows, from, forward, &s.needle) {
            Some(k) => {
                let wrapped = match (forward, include_selected) {
                    (true, true) => k < origin,
                    (true, false) => k <= origin,
                    (false, _) => k >= origin,
                };
                self.selected = k;
                self.detail_scroll = 0;
                let text = crate::text::sanitize(&s.needle).into_owned();
                self.status = Some(if wrapped {
                    (format!("'{text}': call {} (search wrapped around)", k + 1), false)
                } else {
                    (format!("'{text}': call {}", k + 1), false)
                });
            }
            None => {
                let text = crate::text::sanitize(&s.needle).into_owned();
                self.status = Some((format!("'{text}' is in none of the shown calls"), true));
            }
        }
    }
}
