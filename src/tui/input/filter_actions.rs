//! The filter beyond typing it: Tab completion, the time window stepped back and on, and the
//! history and named filters kept across runs.

use crate::tui::state::app::{App, PickItem, Prompt};
use crate::tui::state::complete::{Completion, Values};

impl App {
    /// Tab in a prompt: completes the word before the cursor (filter prompt only); Tab again
    /// puts the next candidate in its place.
    pub(crate) fn complete(&mut self, mut p: Prompt) -> Prompt {
        if p.kind != crate::tui::state::app::PromptKind::Filter {
            return p;
        }
        // Cycling: the text still ends in the candidate put there last.
        if let Some(c) = p.completion.take() {
            let last = c.candidates.get(c.index).cloned().unwrap_or_default();
            if p.text.get(c.start..p.cursor) == Some(last.as_str()) && c.candidates.len() > 1 {
                let index = (c.index + 1) % c.candidates.len();
                let next = c.candidates[index].clone();
                p.text.replace_range(c.start..p.cursor, &next);
                p.cursor = c.start + next.len();
                p.completion = Some(Completion { index, ..c });
                return self.edited(p);
            }
        }
        let Some((start, candidates)) =
            crate::tui::state::complete::candidates(&p.text, p.cursor, &self.completion_values())
        else {
            self.status = Some(("nothing to complete here".into(), false));
            return p;
        };
        let first = candidates[0].clone();
        p.text.replace_range(start..p.cursor, &first);
        p.cursor = start + first.len();
        if candidates.len() > 1 {
            let shown: Vec<String> =
                candidates.iter().take(8).map(|c| crate::text::sanitize(c).into_owned()).collect();
            let more = if candidates.len() > 8 {
                format!(" and {} more", candidates.len() - 8)
            } else {
                String::new()
            };
            self.status = Some((format!("Tab again: {}{more}", shown.join("  ")), false));
        }
        p.completion = Some(Completion { start, candidates, index: 0 });
        self.edited(p)
    }

    fn completion_values(&self) -> Values {
        let Some(s) = self.all_summary.as_ref().or(self.summary.as_ref()) else { return Values::default() };
        let mut gateways: Vec<String> = s
            .by_callee_gateway
            .iter()
            .chain(&s.by_caller_gateway)
            .filter(|g| !g.gateway.is_empty())
            .map(|g| g.gateway.clone())
            .collect();
        gateways.sort();
        gateways.dedup();
        Values {
            gateways,
            codes: s.by_code.iter().filter(|c| !c.code.is_empty()).map(|c| c.code.clone()).collect(),
        }
    }

    /// `[` / `]`: the window of the same length before or after the one in force.
    pub(crate) fn step_window(&mut self, forward: bool) {
        let Some(store) = self.shown.clone() else { return };
        match crate::tui::state::window::step(&self.filter, &store, &self.zone, forward) {
            Ok(f) => {
                self.filter = f;
                self.remember_filter();
                self.selected = 0;
                self.requery();
            }
            Err(e) => self.status = Some((e, false)),
        }
    }

    /// Saves the filter in force under `name` (a name used before is replaced).
    pub(crate) fn save_filter(&mut self, name: &str) -> Result<(), String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("give the filter a name".into());
        }
        let name: String = name.chars().filter(|c| !c.is_control()).collect();
        self.saved.retain(|(n, _)| *n != name);
        self.saved.push((name.clone(), self.filter.trim().to_string()));
        let excess = self.saved.len().saturating_sub(crate::tui::state::saved::SAVED_MAX);
        self.saved.drain(..excess);
        let kept = self.save_state();
        self.status = Some((
            match kept {
                Some(path) => format!(
                    "filter saved as '{}' in {} (' lists saved filters)",
                    crate::text::sanitize(&name),
                    path
                ),
                None => format!(
                    "filter saved as '{}' for this run (' lists saved filters)",
                    crate::text::sanitize(&name)
                ),
            },
            false,
        ));
        Ok(())
    }

    /// The saved filters (by name), then the recent ones (newest first), for the picker.
    pub(crate) fn filter_items(&self) -> Vec<PickItem> {
        let saved = self.saved.iter().rev().map(|(name, f)| PickItem {
            value: f.clone(),
            label: name.clone(),
            calls: 0,
            detail: f.clone(),
        });
        let recent = self.history.iter().rev().take(50).map(|f| PickItem {
            value: f.clone(),
            label: "recent".into(),
            calls: 0,
            detail: f.clone(),
        });
        saved.chain(recent).collect()
    }

    /// Loads the history and saved filters from `path` (a bad file is reported, not used).
    pub fn load_state(&mut self, path: Option<std::path::PathBuf>) {
        self.state_file = path;
        let Some(p) = &self.state_file else { return };
        match crate::tui::state::saved::load(p) {
            Ok(st) => {
                self.history = st.history;
                self.saved = st.saved;
            }
            Err(e) => {
                self.status = Some((format!("filter history not loaded: {e}"), true));
                // Never overwrite a file we could not read.
                self.state_file = None;
            }
        }
    }

    /// Writes the history and saved filters; returns where, when kept.
    pub(crate) fn save_state(&mut self) -> Option<String> {
        let path = self.state_file.clone()?;
        let st = crate::tui::state::saved::State { history: self.history.clone(), saved: self.saved.clone() };
        match crate::tui::state::saved::store(&path, &st) {
            Ok(()) => Some(path.display().to_string()),
            Err(e) => {
                self.status = Some((format!("filter history not kept: {e}"), true));
                None
            }
        }
    }
}
