//! The lookup view and palette: typing the search, choosing an entry, its calls, and copying
//! what is selected to the clipboard.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::state::app::{App, View};

impl App {
    /// Keys in the lookup view and palette; true when used.
    pub(crate) fn lookup_key(&mut self, k: KeyEvent) -> bool {
        // The same line editor as the prompts: Ctrl-U, Ctrl-W, Ctrl-A/E, the arrows, Delete.
        let edit = self
            .keymap
            .action_for(&k, crate::keys::Context::Prompt)
            .and_then(crate::tui::input::prompt_keys::line_edit_of);
        if let Some(e) = edit {
            if crate::tui::state::line_edit::apply(&mut self.lookup.input, &mut self.lookup.cursor, e) {
                self.refresh_lookup();
            }
            return true;
        }
        match k.code {
            KeyCode::Char(_)
                if self.lookup.input.chars().count() >= crate::tui::state::types::MAX_PROMPT_CHARS =>
            {
                true
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                crate::tui::state::line_edit::insert(&mut self.lookup.input, &mut self.lookup.cursor, c);
                self.refresh_lookup();
                true
            }
            KeyCode::Up => {
                self.lookup.selected = self.lookup.selected.saturating_sub(1);
                self.lookup.preview_scroll = 0;
                true
            }
            KeyCode::Down => {
                self.lookup.selected =
                    (self.lookup.selected + 1).min(self.lookup.hits.len().saturating_sub(1));
                self.lookup.preview_scroll = 0;
                true
            }
            // Typing goes to the search, so the preview scrolls with the page keys.
            KeyCode::PageDown => {
                self.lookup.preview_scroll = self.lookup.preview_scroll.saturating_add(10);
                true
            }
            KeyCode::PageUp => {
                self.lookup.preview_scroll = self.lookup.preview_scroll.saturating_sub(10);
                true
            }
            _ => false,
        }
    }

    /// `y`: the selected call (its column names and values, tab-separated, ready to paste
    /// into a spreadsheet), the selected Stats row's name, or the selected lookup entry.
    pub(crate) fn copy_selected(&mut self) {
        match self.view {
            View::Calls => {
                let (Some(store), Some(&row)) = (self.shown.clone(), self.rows.get(self.selected)) else {
                    self.status = Some(("no call is selected".into(), false));
                    return;
                };
                let mut buf = Vec::new();
                let fmt = crate::cdr::export::Format::Tsv;
                match crate::cdr::export::write(&store, &self.zone, &[row], fmt, &mut buf, false) {
                    Ok(()) => {
                        let what = format!("call {} (names and values, tab-separated)", self.selected + 1);
                        self.copy_text(&String::from_utf8_lossy(&buf), &what);
                    }
                    Err(e) => self.status = Some((format!("cannot copy: {e}"), true)),
                }
            }
            View::Stats => match self.stats_rows().get(self.stats_selected).cloned() {
                Some((_, value)) => self.copy_text(&value, "the selected row's name"),
                None => self.status = Some(("no row is selected".into(), false)),
            },
            View::Lookup => match self.selected_entry() {
                Some(e) => {
                    let text = format!("{} {}: {}", e.id, e.name, e.meaning);
                    self.copy_text(&text, "the entry");
                }
                None => self.status = Some(("no entry is selected".into(), false)),
            },
        }
    }

    /// Asks the terminal to put `text` on the clipboard (OSC 52) and says so.
    pub(crate) fn copy_text(&mut self, text: &str, what: &str) {
        match crate::tui::state::clipboard::osc52(text) {
            Some(seq) => {
                self.copy = Some(seq);
                self.status = Some((
                    format!("copied {what} to your clipboard (if your terminal allows OSC 52)"),
                    false,
                ));
            }
            None => self.status = Some((format!("{what} is too long to copy"), true)),
        }
    }

    /// The lookup entry under the cursor.
    pub fn selected_entry(&self) -> Option<&crate::kb::Entry> {
        self.lookup.hits.get(self.lookup.selected).and_then(|id| self.kb.get(id))
    }

    /// `Enter` on a lookup entry: the loaded calls that ended with its code (a VOS3000 or SIP
    /// entry) or whose Reason header carries its cause (Q.850), in the Calls view.
    pub(crate) fn calls_of_entry(&mut self) {
        let Some(e) = self.selected_entry() else {
            return;
        };
        if self.store.is_none() {
            self.status = Some(("no CDRs are loaded: open the console on CDRs to see calls".into(), false));
            return;
        }
        let (key, value) = match e.namespace.as_str() {
            "vos" | "sip" => ("code", e.code.clone()),
            "q850" => ("reason", format!("q850:{}", e.code)),
            other => {
                let what = crate::text::sanitize(other).into_owned();
                self.status = Some((format!("a {what} entry is no end reason: no calls to show"), false));
                return;
            }
        };
        let id = crate::text::sanitize(&e.id).into_owned();
        self.push_back();
        self.set_term(key, &[value]);
        self.view = View::Calls;
        self.selected = 0;
        // The entry's code replaces any code term; the rest of the filter stays, so say so.
        self.say_drilled(&format!("the calls that ended with {id}"));
    }

    pub fn refresh_lookup(&mut self) {
        self.lookup.hits =
            crate::kb::lookup(&self.kb, &self.lookup.input).iter().map(|h| h.entry.id.clone()).collect();
        self.lookup.selected = 0;
        self.lookup.preview_scroll = 0;
    }
}
