//! The console's state types besides `App` itself: views, prompts, pickers, overlays, the
//! Stats table in focus, the lookup's search.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Calls,
    Stats,
    Lookup,
}

impl View {
    /// The views in the order the header names them and next-view steps through them.
    pub const ALL: [View; 3] = [View::Calls, View::Stats, View::Lookup];

    pub fn title(self) -> &'static str {
        match self {
            View::Calls => "Calls",
            View::Stats => "Stats",
            View::Lookup => "Lookup",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Export,
    Since,
    /// The database password (shown masked, kept only in memory).
    Password,
    /// Text to search the shown calls for (`*`).
    Search,
    /// A name to save the filter under (`m`).
    SaveName,
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// Where typing goes: a byte offset into `text` (see [`crate::tui::state::line_edit`]).
    pub cursor: usize,
    /// Position in the filter history while browsing it with up/down.
    pub history_pos: Option<usize>,
    /// Live count of matching calls (filter prompt), or the error of the draft.
    pub count: Option<Result<usize, String>>,
    pub error: Option<String>,
    /// A Tab completion being cycled (see [`crate::tui::state::complete`]).
    pub completion: Option<crate::tui::state::complete::Completion>,
}

impl Prompt {
    /// A prompt holding `text`, the cursor at its end.
    pub fn new(kind: PromptKind, text: &str) -> Prompt {
        Prompt {
            kind,
            text: text.to_string(),
            cursor: text.len(),
            history_pos: None,
            count: None,
            error: None,
            completion: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    Gateway,
    Code,
    /// Saved filters and the history (`'`).
    Filters,
}

#[derive(Debug, Clone)]
pub struct PickItem {
    /// The value put into the filter.
    pub value: String,
    pub label: String,
    pub calls: u64,
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub kind: PickerKind,
    pub input: String,
    pub items: Vec<PickItem>,
    /// Indices into `items` matching `input`, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub picked: BTreeSet<String>,
}

impl Picker {
    pub(crate) fn refilter(&mut self) {
        let q = self.input.trim();
        if q.is_empty() {
            self.shown = (0..self.items.len()).collect();
        } else {
            let mut scored: Vec<(i64, usize)> = self
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, it)| {
                    crate::fuzzy::score(&format!("{} {}", it.label, it.detail), q).map(|s| (s, i))
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.shown = scored.into_iter().map(|(_, i)| i).collect();
        }
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }
}

/// The longest text a prompt takes (typed or pasted): far beyond any filter or path, short
/// enough that re-checking it on every key costs nothing.
pub const MAX_PROMPT_CHARS: usize = 4096;

#[derive(Debug, Clone)]
pub enum Overlay {
    Prompt(Prompt),
    Picker(Picker),
    TimeMenu(usize),
    Help(u16),
    /// The load report, scrolled.
    Report(u16),
    /// The lookup palette over the current view.
    Lookup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsTable {
    /// "Gateways now": the last 5, 15, 60 minutes per gateway (while following).
    Now,
    CalleeGateways,
    CallerGateways,
    Codes,
    /// Routing gateways against the end reasons of their failed calls.
    Matrix,
    Findings,
}

#[derive(Debug, Clone, Default)]
pub struct LookupState {
    pub input: String,
    /// Where typing goes in `input`, as in a prompt (see [`crate::tui::state::line_edit`]).
    pub cursor: usize,
    pub selected: usize,
    pub hits: Vec<String>,
    /// How far the preview of the selected entry is scrolled (`PageDown`/`PageUp`).
    pub preview_scroll: u16,
}

/// Where the operator was before drilling into calls (a finding, a Stats row, a lookup
/// entry): `Esc` in Calls goes back to it, as a browser's back.
#[derive(Debug, Clone)]
pub struct Back {
    pub filter: String,
    pub view: View,
    pub stats_table: StatsTable,
    pub stats_selected: usize,
    pub selected: usize,
}

/// Steps kept on the back stack; older ones are forgotten.
pub const MAX_BACK: usize = 32;
