//! Text prompts: typing, pasting, line edits, the live count, and what Enter does in each
//! prompt (filter, time window, export, password, search, saved-filter name).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keys::{Action, Context};
use crate::query::parse;
use crate::tui::state::app::{App, MAX_PROMPT_CHARS, Overlay, Prompt, PromptKind, View};
use crate::tui::worker::Request;

impl App {
    /// Pasted text (bracketed paste): one edit, however long. Newlines become spaces and a
    /// prompt takes at most [`MAX_PROMPT_CHARS`]; the rest is dropped with a message.
    pub fn paste(&mut self, text: &str) {
        self.dirty = true;
        let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        match self.overlay.take() {
            Some(Overlay::Prompt(mut p)) => {
                let room = MAX_PROMPT_CHARS.saturating_sub(p.text.chars().count());
                for c in clean.chars().take(room) {
                    crate::tui::state::line_edit::insert(&mut p.text, &mut p.cursor, c);
                }
                let cut = clean.chars().count() > room;
                // One live count for the whole paste.
                self.overlay = self.prompt_edited(p);
                if cut {
                    self.status = Some((format!("the paste was cut to {MAX_PROMPT_CHARS} characters"), true));
                }
            }
            Some(Overlay::Picker(mut p)) => {
                p.input.extend(clean.chars().take(MAX_PROMPT_CHARS.saturating_sub(p.input.chars().count())));
                p.refilter();
                self.overlay = Some(Overlay::Picker(p));
            }
            Some(Overlay::Lookup) => {
                self.lookup_paste(&clean);
                self.overlay = Some(Overlay::Lookup);
            }
            other => {
                self.overlay = other;
                if self.view == View::Lookup {
                    self.lookup_paste(&clean);
                }
            }
        }
    }

    pub(crate) fn lookup_paste(&mut self, text: &str) {
        let room = MAX_PROMPT_CHARS.saturating_sub(self.lookup.input.chars().count());
        for c in text.chars().take(room) {
            crate::tui::state::line_edit::insert(&mut self.lookup.input, &mut self.lookup.cursor, c);
        }
        self.refresh_lookup();
    }

    pub(crate) fn prompt_key(&mut self, mut p: Prompt, k: KeyEvent) -> Option<Overlay> {
        let action = self.keymap.action_for(&k, Context::Prompt);
        if action == Some(Action::CompleteWord) {
            return Some(Overlay::Prompt(self.complete(p)));
        }
        if let Some(e) = action.and_then(line_edit_of) {
            // Moving the cursor changes nothing to count or check.
            if !crate::tui::state::line_edit::apply(&mut p.text, &mut p.cursor, e) {
                return Some(Overlay::Prompt(p));
            }
            return self.prompt_edited(p);
        }
        match action {
            // Without a password the load is tried as is (a server may allow it).
            Some(Action::PromptCancel) if p.kind == PromptKind::Password => {
                self.password = Some(String::new());
                return None;
            }
            Some(Action::PromptCancel) => return None,
            Some(Action::PromptApply) => return self.submit_prompt(p),
            Some(Action::HistoryPrev) if p.kind == PromptKind::Filter && !self.history.is_empty() => {
                let pos = p.history_pos.map_or(self.history.len() - 1, |i| i.saturating_sub(1));
                p.history_pos = Some(pos);
                p.text = self.history[pos].clone();
                p.cursor = p.text.len();
            }
            Some(Action::HistoryNext) if p.kind == PromptKind::Filter => {
                if let Some(i) = p.history_pos {
                    if i + 1 < self.history.len() {
                        p.history_pos = Some(i + 1);
                        p.text = self.history[i + 1].clone();
                    } else {
                        p.history_pos = None;
                        p.text.clear();
                    }
                    p.cursor = p.text.len();
                }
            }
            Some(_) => return Some(Overlay::Prompt(p)),
            None => match k.code {
                KeyCode::Char(_) if p.text.chars().count() >= MAX_PROMPT_CHARS => {
                    return Some(Overlay::Prompt(p));
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    crate::tui::state::line_edit::insert(&mut p.text, &mut p.cursor, c)
                }
                _ => return Some(Overlay::Prompt(p)),
            },
        }
        self.prompt_edited(p)
    }

    /// After the prompt's text changed by an edit: as [`App::edited`], and a completion being
    /// cycled ends.
    pub(crate) fn prompt_edited(&mut self, p: Prompt) -> Option<Overlay> {
        let mut p = self.edited(p);
        p.completion = None;
        Some(Overlay::Prompt(p))
    }

    /// After the prompt's text changed: clear its error, and for the filter ask for a live
    /// count (checked here for syntax, counted by the worker).
    pub(crate) fn edited(&mut self, mut p: Prompt) -> Prompt {
        p.error = None;
        if p.kind == PromptKind::Filter {
            match parse(&p.text) {
                Ok(_) if self.store.is_some() => {
                    self.count_gen += 1;
                    self.outbox.push(Request::Count { generation: self.count_gen, text: p.text.clone() });
                }
                Ok(_) => {}
                Err(e) => p.count = Some(Err(e.to_string())),
            }
        }
        p
    }

    pub(crate) fn submit_prompt(&mut self, mut p: Prompt) -> Option<Overlay> {
        match p.kind {
            PromptKind::Filter => match parse(&p.text) {
                Ok(_) => {
                    self.filter = p.text.trim().to_string();
                    self.remember_filter();
                    self.view = if self.view == View::Lookup { View::Calls } else { self.view };
                    self.requery();
                    None
                }
                Err(e) => {
                    p.error = Some(e.to_string());
                    Some(Overlay::Prompt(p))
                }
            },
            PromptKind::Since => match crate::tui::state::window::custom_terms(&p.text) {
                Ok(terms) => {
                    self.filter = crate::tui::state::filter_edit::replace(
                        &self.filter,
                        crate::tui::state::filter_edit::Field::Window,
                        &terms,
                    );
                    self.remember_filter();
                    self.requery();
                    None
                }
                Err(e) => {
                    p.error = Some(e);
                    Some(Overlay::Prompt(p))
                }
            },
            PromptKind::Password => {
                self.password = Some(std::mem::take(&mut p.text));
                None
            }
            PromptKind::Search => {
                self.start_search(&p.text);
                None
            }
            PromptKind::SaveName => match self.save_filter(&p.text) {
                Ok(()) => None,
                Err(e) => {
                    p.error = Some(e);
                    Some(Overlay::Prompt(p))
                }
            },
            PromptKind::Export => {
                let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
                let cwd = std::env::current_dir().unwrap_or_default();
                let target = match crate::tui::state::export_target::resolve(
                    &p.text,
                    home.as_deref(),
                    &cwd,
                    &self.specs,
                ) {
                    Ok(t) => t,
                    Err(e) => {
                        p.error = Some(e);
                        return Some(Overlay::Prompt(p));
                    }
                };
                // A doubtful name is said once; Enter again on the same text writes it.
                if let Some(w) = target.warning {
                    let confirm = format!("{}: {w}; Enter again to write it", target.path.display());
                    if p.error.as_deref() != Some(confirm.as_str()) {
                        p.error = Some(confirm);
                        return Some(Overlay::Prompt(p));
                    }
                }
                let path = target.path;
                if self.view == View::Stats {
                    return self.export_stats_table(p, &path);
                }
                self.status =
                    Some((format!("exporting {} calls to {}...", self.rows.len(), path.display()), false));
                if let Some(store) = self.shown.clone() {
                    self.outbox.push(Request::Export { path, store, rows: self.rows.clone() });
                }
                None
            }
        }
    }
}

/// The line edits the text-input keys stand for: one line editor for every text input (the
/// prompts, the lookup box).
pub(crate) fn line_edit_of(a: Action) -> Option<crate::tui::state::line_edit::Edit> {
    use crate::tui::state::line_edit::Edit;
    Some(match a {
        Action::DeleteBack => Edit::DeleteBack,
        Action::DeleteForward => Edit::DeleteForward,
        Action::CursorLeft => Edit::Left,
        Action::CursorRight => Edit::Right,
        Action::LineStart => Edit::Home,
        Action::LineEnd => Edit::End,
        Action::KillToStart => Edit::KillToStart,
        Action::KillToEnd => Edit::KillToEnd,
        Action::DeleteWordBack => Edit::DeleteWordBack,
        _ => return None,
    })
}
