//! The gateway, code and saved-filter pickers: their items, keys and what a pick does.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keys::{Action, Context};
use crate::tui::state::app::{App, Overlay, PickItem, Picker, PickerKind, View};

impl App {
    pub(crate) fn picker_key(&mut self, mut p: Picker, k: KeyEvent) -> Option<Overlay> {
        match self.keymap.action_for(&k, Context::Picker) {
            Some(Action::PickerCancel) => return None,
            Some(Action::PickerUp) => p.selected = p.selected.saturating_sub(1),
            Some(Action::PickerDown) => p.selected = (p.selected + 1).min(p.shown.len().saturating_sub(1)),
            Some(Action::PickerToggle) => {
                if let Some(it) = p.shown.get(p.selected).and_then(|&i| p.items.get(i))
                    && !p.picked.remove(&it.value)
                {
                    p.picked.insert(it.value.clone());
                }
            }
            Some(Action::PickerApply) => {
                let mut values: Vec<String> = p.picked.iter().cloned().collect();
                if values.is_empty()
                    && let Some(it) = p.shown.get(p.selected).and_then(|&i| p.items.get(i))
                {
                    values.push(it.value.clone());
                }
                if !values.is_empty() {
                    let key = match p.kind {
                        PickerKind::Gateway => "gw",
                        PickerKind::Code => "code",
                        PickerKind::Filters => {
                            // One filter: the one under the cursor.
                            if let Some(it) = p.shown.get(p.selected).and_then(|&i| p.items.get(i)) {
                                self.filter = it.value.clone();
                                self.remember_filter();
                                self.requery();
                                self.view = View::Calls;
                            }
                            return None;
                        }
                    };
                    self.set_term(key, &values);
                    self.view = View::Calls;
                }
                return None;
            }
            _ => match k.code {
                KeyCode::Backspace => {
                    p.input.pop();
                    p.refilter();
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    p.input.push(c);
                    p.refilter();
                }
                _ => {}
            },
        }
        Some(Overlay::Picker(p))
    }

    pub(crate) fn gateway_items(&self) -> Vec<PickItem> {
        let Some(s) = self.all_summary.as_ref().or(self.summary.as_ref()) else { return Vec::new() };
        let mut items: Vec<PickItem> = Vec::new();
        for (side, list) in [("routing", &s.by_callee_gateway), ("mapping", &s.by_caller_gateway)] {
            for g in list.iter().filter(|g| !g.gateway.is_empty()) {
                match items.iter_mut().find(|i| i.value == g.gateway) {
                    Some(it) => {
                        it.calls += g.calls;
                        it.detail = format!("{}, {side} {:.0}% ASR", it.detail, g.asr * 100.0);
                    }
                    None => items.push(PickItem {
                        value: g.gateway.clone(),
                        label: match crate::config::gateway_label(&g.gateway) {
                            alias if alias != g.gateway => format!("{alias} ({})", g.gateway),
                            _ => g.gateway.clone(),
                        },
                        calls: g.calls,
                        detail: format!("{side} {:.0}% ASR", g.asr * 100.0),
                    }),
                }
            }
        }
        items.sort_by(|a, b| b.calls.cmp(&a.calls).then(a.label.cmp(&b.label)));
        items
    }

    pub(crate) fn code_items(&self) -> Vec<PickItem> {
        let Some(s) = self.all_summary.as_ref().or(self.summary.as_ref()) else { return Vec::new() };
        s.by_code
            .iter()
            .filter(|c| !c.code.is_empty())
            .map(|c| PickItem {
                value: c.code.clone(),
                label: c.code.clone(),
                calls: c.calls,
                detail: c.name.clone(),
            })
            .collect()
    }

    pub(crate) fn open_picker(&mut self, kind: PickerKind) {
        let items = match kind {
            PickerKind::Gateway => self.gateway_items(),
            PickerKind::Code => self.code_items(),
            PickerKind::Filters => self.filter_items(),
        };
        let mut p = Picker {
            kind,
            input: String::new(),
            items,
            shown: Vec::new(),
            selected: 0,
            picked: BTreeSet::new(),
        };
        p.refilter();
        self.overlay = Some(Overlay::Picker(p));
    }
}
