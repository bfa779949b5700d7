//! The console's state and how keys and worker answers change it. No terminal I/O here:
//! drawing reads this state (see `ui`), the event loop feeds it (see `run`), and tests drive
//! it key by key.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{Action, Context, Keymap};
use super::theme::Theme;
use super::worker::{Focus, Request, Response, Sort, SortKey, TimelineData};
use crate::cdr::source::Skipped;
use crate::cdr::{Progress, SharedStore, SourceSpec, Zone};
use crate::kb::Kb;
use crate::query::parse::Side;
use crate::query::{Selection, parse};
use crate::stats::Summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Calls,
    Stats,
    Lookup,
}

impl View {
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
    /// Where typing goes: a byte offset into `text` (see [`super::line_edit`]).
    pub cursor: usize,
    /// Position in the filter history while browsing it with up/down.
    pub history_pos: Option<usize>,
    /// Live count of matching calls (filter prompt), or the error of the draft.
    pub count: Option<Result<usize, String>>,
    pub error: Option<String>,
    /// A Tab completion being cycled (see [`super::complete`]).
    pub completion: Option<super::complete::Completion>,
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
    fn refilter(&mut self) {
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
    pub selected: usize,
    pub hits: Vec<String>,
    /// How far the preview of the selected entry is scrolled (`PageDown`/`PageUp`).
    pub preview_scroll: u16,
}

pub struct App {
    pub kb: Arc<Kb>,
    pub theme: Theme,
    /// The keys in force (defaults with the config file's overrides).
    pub keymap: Keymap,
    pub zone: Zone,
    pub specs: Vec<SourceSpec>,
    pub sources_label: String,
    pub progress: Arc<Progress>,
    /// The store, filled while the console runs (rows appear as they arrive).
    pub store: Option<SharedStore>,
    /// Rows the shown result was computed on, to re-query while loading.
    pub rows_seen: u64,
    pub skipped: Vec<Skipped>,
    pub load_error: Option<String>,
    pub view: View,
    pub overlay: Option<Overlay>,
    /// The filter as typed; the time window from `t` is part of it (`since:`/`until:`).
    pub filter: String,
    pub filter_error: Option<String>,
    /// What the filter's time window resolves to (dates and times), for the filter line.
    pub window_note: Option<String>,
    pub history: Vec<String>,
    /// Named filters (kept across runs with the history, see [`super::saved`]).
    pub saved: Vec<(String, String)>,
    /// Where the history and saved filters are kept; `None` keeps them for this run only.
    pub state_file: Option<std::path::PathBuf>,
    pub sort: Sort,
    /// Generation of the newest query asked for, and of the one shown.
    pub generation: u64,
    pub shown_gen: u64,
    pub rows: Arc<Selection>,
    /// The snapshot `rows` index (rows shift when a follow drops its oldest calls).
    pub shown: Option<Arc<crate::cdr::Store>>,
    /// "Gateways now" of the shown selection (while following).
    pub board: Option<Arc<Vec<crate::stats::board::BoardRow>>>,
    pub summary: Option<Arc<Summary>>,
    /// The summary of all calls (for the pickers).
    pub all_summary: Option<Arc<Summary>>,
    pub last_query: Option<Duration>,
    /// Show how long the last filter took (off in snapshot tests, where it varies).
    pub show_timing: bool,
    pub selected: usize,
    /// Rows in the last drawn page, for paging.
    pub page: usize,
    /// The explanation panel beside the table (wide screens).
    pub detail: bool,
    /// The explanation as a popup (narrow screens).
    pub popup: bool,
    /// Whether the last frame was wide enough for the side panel.
    pub wide: bool,
    pub detail_scroll: u16,
    /// The calls table's columns: shown, widths, the column cursor.
    pub columns: super::table_layout::Columns,
    /// What the last frame put where, for the mouse.
    pub hits: super::mouse::Hits,
    /// The search in force (`*`, `n`, `N`): marks matches, hides nothing.
    pub search: Option<super::search::Search>,
    pub stats_table: StatsTable,
    /// After drilling into a finding: the end reason whose first call to select and explain.
    pending_code: Option<i32>,
    /// The whole record of the explained call, when it came from a database: its flowno, and
    /// the columns once fetched (`None` while asked for).
    pub whole_record: Option<(u64, Option<Result<crate::cdr::mysql::FullRecord, String>>)>,
    /// The findings of the shown selection are still being computed (none shown yet).
    pub findings_pending: bool,
    /// When findings are asked for and what of: see [`super::findings`].
    pub findings_schedule: super::findings::Schedule,
    pub stats_selected: usize,
    /// The timeline of the selected Stats row: the query generation it was drawn from.
    pub timeline: Option<(u64, Focus, TimelineData)>,
    pub lookup: LookupState,
    /// A line for the operator (result of an export, why something did not happen).
    pub status: Option<(String, bool)>,
    /// An OSC 52 sequence for the event loop to write (see [`super::clipboard`]).
    pub copy: Option<String>,
    pub outbox: Vec<Request>,
    /// A password typed at the prompt, for the event loop to start loading with.
    pub password: Option<String>,
    /// The database the password prompt is for.
    pub password_for: Option<String>,
    pub quit: bool,
    pub dirty: bool,
    count_gen: u64,
    /// While sources are followed (see `live.rs`).
    pub live: Option<super::live::LiveView>,
}

impl App {
    pub fn new(kb: Arc<Kb>, zone: Zone, specs: Vec<SourceSpec>, progress: Arc<Progress>) -> App {
        let sources_label = specs
            .iter()
            .map(|s| match s {
                SourceSpec::Path(p) => p.display().to_string(),
                SourceSpec::Stdin => "stdin".into(),
                SourceSpec::Memory { name, .. } => name.clone(),
                SourceSpec::Mysql(u) | SourceSpec::Udp(u) => u.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        App {
            kb,
            theme: Theme::from_env(),
            keymap: Keymap::default(),
            zone,
            specs,
            sources_label,
            progress,
            store: None,
            rows_seen: 0,
            skipped: Vec::new(),
            load_error: None,
            view: View::Calls,
            overlay: None,
            filter: String::new(),
            filter_error: None,
            window_note: None,
            history: Vec::new(),
            saved: Vec::new(),
            state_file: None,
            sort: Sort { key: SortKey::Time, descending: true },
            generation: 0,
            shown_gen: 0,
            rows: Arc::new(Vec::new()),
            shown: None,
            board: None,
            summary: None,
            all_summary: None,
            last_query: None,
            show_timing: true,
            selected: 0,
            page: 10,
            detail: true,
            popup: false,
            wide: true,
            detail_scroll: 0,
            columns: Default::default(),
            hits: Default::default(),
            search: None,
            stats_table: StatsTable::CalleeGateways,
            pending_code: None,
            findings_pending: false,
            findings_schedule: Default::default(),
            whole_record: None,
            stats_selected: 0,
            timeline: None,
            lookup: LookupState::default(),
            status: None,
            copy: None,
            outbox: Vec::new(),
            password: None,
            password_for: None,
            quit: false,
            dirty: true,
            count_gen: 0,
            live: None,
        }
    }

    /// Asks for the database password before loading.
    pub fn ask_password(&mut self, url: &str, error: Option<String>) {
        self.password_for = Some(url.to_string());
        self.overlay = Some(Overlay::Prompt(Prompt { error, ..Prompt::new(PromptKind::Password, "") }));
        self.dirty = true;
    }

    pub fn is_loading(&self) -> bool {
        !self.specs.is_empty() && self.load_error.is_none() && !self.progress.done.load(Ordering::Relaxed)
    }

    /// The query sent to the worker (the time window is part of the filter).
    pub fn effective_filter(&self) -> String {
        self.filter.trim().to_string()
    }

    /// Attaches the store being loaded; queries run on what has arrived so far.
    pub fn set_store(&mut self, store: SharedStore) {
        self.store = Some(store);
        self.requery();
    }

    /// The load has finished: the final query covers every row.
    pub fn loaded(&mut self, skipped: Vec<Skipped>) {
        self.skipped = skipped;
        self.requery();
        // Say what the load report holds, so nothing passed over goes unnoticed.
        if let Some(shared) = &self.store {
            let st = crate::cdr::load::read(shared);
            let mut parts = Vec::new();
            let unread = st.sources.iter().filter(|s| s.form.is_err() || s.read_error.is_some()).count();
            if unread > 0 {
                parts.push(format!("{unread} sources not read whole"));
            }
            if !self.skipped.is_empty() {
                parts.push(format!("{} files skipped", self.skipped.len()));
            }
            if st.duplicate_rows() > 0 {
                parts.push(format!(
                    "{} duplicate calls dropped",
                    crate::text::thousands(st.duplicate_rows() as u64)
                ));
            }
            let warnings: u64 = st.sources.iter().map(|s| s.tally.notes.warning_count()).sum();
            if warnings > 0 {
                parts.push(format!("{} field warnings", crate::text::thousands(warnings)));
            }
            if !parts.is_empty() {
                let key = self.keymap.keys_of(Action::LoadReport);
                self.status = Some((format!("{} ({key}: load report)", parts.join(", ")), unread > 0));
            }
        }
    }

    /// While loading, re-query when new rows have arrived (called about once a second).
    pub fn refresh_while_loading(&mut self) {
        let rows = self.progress.rows.load(Ordering::Relaxed);
        if rows != self.rows_seen && self.shown_gen == self.generation {
            self.rows_seen = rows;
            self.requery();
        }
    }

    /// Rows loaded so far.
    pub fn total_rows(&self) -> usize {
        self.store.as_ref().map_or(0, |s| crate::cdr::load::read(s).len())
    }

    /// Calls loaded so far: rows without the repeats of calls another source brought.
    pub fn total_calls(&self) -> usize {
        self.store.as_ref().map_or(0, |s| crate::cdr::load::read(s).calls())
    }

    /// Re-runs the shown query (also over rows that arrived while following).
    pub(super) fn requery(&mut self) {
        if self.store.is_none() {
            return;
        }
        self.generation += 1;
        self.outbox.push(Request::Query {
            generation: self.generation,
            text: self.effective_filter(),
            sort: self.sort,
            board: self.live.is_some(),
        });
        self.dirty = true;
    }

    /// Takes a worker's answer.
    pub fn apply(&mut self, r: Response) {
        self.dirty = true;
        match r {
            Response::Query { generation, result } => {
                if generation != self.generation {
                    return;
                }
                match result {
                    Ok(q) => {
                        self.filter_error = None;
                        self.shown_gen = generation;
                        if self.effective_filter().is_empty() {
                            self.all_summary = Some(q.summary.clone());
                        }
                        self.window_note = super::window::describe(&self.filter, &q.store, &self.zone);
                        self.rows = q.rows;
                        self.shown = Some(q.store);
                        if q.board.is_some() || self.live.is_none() {
                            self.board = q.board;
                        }
                        self.summary = Some(q.summary);
                        self.ask_findings();
                        self.last_query = Some(q.elapsed);
                        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                        if let Some(code) = self.pending_code.take() {
                            self.select_first_with_code(code);
                        }
                        self.stats_selected = 0;
                        self.request_timeline();
                        self.caught_up();
                    }
                    Err(e) => self.filter_error = Some(e),
                }
            }
            Response::Findings { filter, findings } => self.findings_answered(&filter, findings),
            Response::Count { generation, result } => {
                if generation == self.count_gen
                    && let Some(Overlay::Prompt(p)) = &mut self.overlay
                {
                    p.count = Some(result);
                }
            }
            Response::Record { flowno, fields } => {
                if let Some((want, got)) = self.whole_record.as_mut()
                    && *want == flowno
                {
                    *got = Some(fields);
                }
            }
            Response::Timeline { generation, focus, data } => {
                if generation == self.generation {
                    self.timeline = Some((generation, focus, data));
                }
            }
            Response::Exported(r) => {
                self.status = Some(match r {
                    Ok(m) => (m, false),
                    Err(e) => (e, true),
                });
            }
            // The event loop ends the console on this; here it only shows.
            Response::Failed(why) => self.status = Some((format!("the worker failed: {why}"), true)),
        }
    }

    /// Pasted text (bracketed paste): one edit, however long. Newlines become spaces and a
    /// prompt takes at most [`MAX_PROMPT_CHARS`]; the rest is dropped with a message.
    pub fn paste(&mut self, text: &str) {
        self.dirty = true;
        let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        match self.overlay.take() {
            Some(Overlay::Prompt(mut p)) => {
                let room = MAX_PROMPT_CHARS.saturating_sub(p.text.chars().count());
                for c in clean.chars().take(room) {
                    super::line_edit::insert(&mut p.text, &mut p.cursor, c);
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

    fn lookup_paste(&mut self, text: &str) {
        let room = MAX_PROMPT_CHARS.saturating_sub(self.lookup.input.chars().count());
        self.lookup.input.extend(text.chars().take(room));
        self.refresh_lookup();
    }

    fn context(&self) -> Context {
        match self.view {
            View::Calls => Context::Calls,
            View::Stats => Context::Stats,
            View::Lookup => Context::Global,
        }
    }

    pub fn handle_key(&mut self, k: KeyEvent) {
        self.dirty = true;
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if let Some(o) = self.overlay.take() {
            self.overlay = self.overlay_key(o, k);
            return;
        }
        if self.view == View::Lookup && self.lookup_key(k) {
            return;
        }
        if let Some(a) = self.keymap.action_for(&k, self.context()) {
            self.act(a);
        }
        self.after_key_live();
    }

    /// Keys in the lookup view and palette; true when used.
    fn lookup_key(&mut self, k: KeyEvent) -> bool {
        match k.code {
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.lookup.input.push(c);
                self.refresh_lookup();
                true
            }
            KeyCode::Backspace => {
                self.lookup.input.pop();
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
    fn copy_selected(&mut self) {
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
    fn copy_text(&mut self, text: &str, what: &str) {
        match super::clipboard::osc52(text) {
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
    fn calls_of_entry(&mut self) {
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
        self.set_term(key, &[value]);
        self.view = View::Calls;
        self.selected = 0;
    }

    pub fn refresh_lookup(&mut self) {
        self.lookup.hits =
            crate::kb::lookup(&self.kb, &self.lookup.input).iter().map(|h| h.entry.id.clone()).collect();
        self.lookup.selected = 0;
        self.lookup.preview_scroll = 0;
    }

    fn overlay_key(&mut self, o: Overlay, k: KeyEvent) -> Option<Overlay> {
        let pager = |scroll: u16, a: Option<Action>| -> Option<u16> {
            match a {
                Some(Action::PagerDown) => Some(scroll.saturating_add(1)),
                Some(Action::PagerUp) => Some(scroll.saturating_sub(1)),
                Some(Action::PagerPageDown) => Some(scroll.saturating_add(20)),
                Some(Action::PagerPageUp) => Some(scroll.saturating_sub(20)),
                _ => None,
            }
        };
        match o {
            Overlay::Help(scroll) => {
                pager(scroll, self.keymap.action_for(&k, Context::Pager)).map(Overlay::Help)
            }
            Overlay::Report(scroll) => {
                pager(scroll, self.keymap.action_for(&k, Context::Pager)).map(Overlay::Report)
            }
            Overlay::Lookup => match k.code {
                KeyCode::Enter if self.store.is_some() => {
                    self.calls_of_entry();
                    None
                }
                KeyCode::Esc | KeyCode::Enter => None,
                _ => {
                    self.lookup_key(k);
                    Some(Overlay::Lookup)
                }
            },
            Overlay::TimeMenu(i) => match self.keymap.action_for(&k, Context::Menu) {
                Some(Action::MenuCancel) => None,
                Some(Action::MenuDown) => {
                    Some(Overlay::TimeMenu((i + 1).min(super::window::TIME_WINDOWS.len() - 1)))
                }
                Some(Action::MenuUp) => Some(Overlay::TimeMenu(i.saturating_sub(1))),
                Some(Action::MenuApply) => {
                    match super::window::pick(&self.filter, i) {
                        Some(f) => {
                            self.filter = f;
                            self.remember_filter();
                            self.requery();
                            None
                        }
                        // Custom: the window in force to edit, if it is one.
                        None => {
                            let now = super::filter_edit::window_terms(&self.filter)
                                .iter()
                                .map(|t| {
                                    t.split_once(':').map_or("", |(_, v)| v).trim_matches('"').to_string()
                                })
                                .collect::<Vec<_>>()
                                .join("..");
                            Some(Overlay::Prompt(Prompt::new(PromptKind::Since, &now)))
                        }
                    }
                }
                _ => Some(Overlay::TimeMenu(i)),
            },
            Overlay::Picker(p) => self.picker_key(p, k),
            Overlay::Prompt(p) => self.prompt_key(p, k),
        }
    }

    fn picker_key(&mut self, mut p: Picker, k: KeyEvent) -> Option<Overlay> {
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

    fn prompt_key(&mut self, mut p: Prompt, k: KeyEvent) -> Option<Overlay> {
        /// The line edits the prompt's keys stand for.
        fn line_edit_of(a: Action) -> Option<super::line_edit::Edit> {
            use super::line_edit::Edit;
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
        let action = self.keymap.action_for(&k, Context::Prompt);
        if action == Some(Action::CompleteWord) {
            return Some(Overlay::Prompt(self.complete(p)));
        }
        if let Some(e) = action.and_then(line_edit_of) {
            // Moving the cursor changes nothing to count or check.
            if !super::line_edit::apply(&mut p.text, &mut p.cursor, e) {
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
                    super::line_edit::insert(&mut p.text, &mut p.cursor, c)
                }
                _ => return Some(Overlay::Prompt(p)),
            },
        }
        self.prompt_edited(p)
    }

    /// After the prompt's text changed by an edit: as [`App::edited`], and a completion being
    /// cycled ends.
    fn prompt_edited(&mut self, p: Prompt) -> Option<Overlay> {
        let mut p = self.edited(p);
        p.completion = None;
        Some(Overlay::Prompt(p))
    }

    /// After the prompt's text changed: clear its error, and for the filter ask for a live
    /// count (checked here for syntax, counted by the worker).
    pub(super) fn edited(&mut self, mut p: Prompt) -> Prompt {
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

    fn submit_prompt(&mut self, mut p: Prompt) -> Option<Overlay> {
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
            PromptKind::Since => match super::window::custom_terms(&p.text) {
                Ok(terms) => {
                    self.filter =
                        super::filter_edit::replace(&self.filter, super::filter_edit::Field::Window, &terms);
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
                let target = match super::export_target::resolve(&p.text, home.as_deref(), &cwd, &self.specs)
                {
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
                self.status =
                    Some((format!("exporting {} calls to {}...", self.rows.len(), path.display()), false));
                if let Some(store) = self.shown.clone() {
                    self.outbox.push(Request::Export { path, store, rows: self.rows.clone() });
                }
                None
            }
        }
    }

    /// Replaces the filter's terms of one kind (gateways or codes) with `key:values`; `gw`
    /// (either side) replaces the terms of both sides.
    pub fn set_term(&mut self, key: &str, values: &[String]) {
        use super::filter_edit::{Field, replace, term};
        let field = match key {
            "gw" => Field::AnyGateway,
            "ingw" => Field::Gateway(Side::Caller),
            "outgw" => Field::Gateway(Side::Callee),
            "reason" => Field::ReasonHeader,
            _ => Field::Code,
        };
        self.filter = replace(&self.filter, field, &term(key, values));
        self.remember_filter();
        self.requery();
    }

    /// Puts the filter in force at the end of the history (kept across runs).
    pub fn remember_filter(&mut self) {
        let f = self.filter.trim().to_string();
        if !f.is_empty() && self.history.last() != Some(&f) {
            self.history.retain(|h| *h != f);
            self.history.push(f);
            let excess = self.history.len().saturating_sub(super::saved::HISTORY_MAX);
            self.history.drain(..excess);
            self.save_state();
        }
    }

    fn gateway_items(&self) -> Vec<PickItem> {
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

    fn code_items(&self) -> Vec<PickItem> {
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

    pub(super) fn open_picker(&mut self, kind: PickerKind) {
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

    /// The index of the selected row of the focused list.
    pub(super) fn current_index(&self) -> usize {
        match self.view {
            View::Calls => self.selected,
            View::Stats => self.stats_selected,
            View::Lookup => self.lookup.selected,
        }
    }

    /// Switches to a view (Stats asks for its timeline).
    pub(super) fn show_view(&mut self, v: View) {
        self.view = v;
        if v == View::Stats {
            self.request_timeline();
        }
    }

    pub(super) fn list_len(&self) -> usize {
        match self.view {
            View::Calls => self.rows.len(),
            View::Stats => self.stats_rows().len(),
            View::Lookup => self.lookup.hits.len(),
        }
    }

    /// The rows of the focused stats table: (label, value for the filter).
    pub fn stats_rows(&self) -> Vec<(String, String)> {
        let Some(s) = &self.summary else { return Vec::new() };
        match self.stats_table {
            StatsTable::Now => self
                .board
                .as_ref()
                .map(|b| b.iter().map(|r| (r.side.to_string(), r.gateway.clone())).collect())
                .unwrap_or_default(),
            StatsTable::CalleeGateways | StatsTable::Matrix => {
                s.by_callee_gateway.iter().map(|g| (g.gateway.clone(), g.gateway.clone())).collect()
            }
            StatsTable::CallerGateways => {
                s.by_caller_gateway.iter().map(|g| (g.gateway.clone(), g.gateway.clone())).collect()
            }
            StatsTable::Codes => s.by_code.iter().map(|c| (c.code.clone(), c.code.clone())).collect(),
            StatsTable::Findings => {
                s.findings.iter().map(|f| (f.entity.value.clone(), f.filter.clone())).collect()
            }
        }
    }

    /// Selects the first shown call with this end reason and opens its explanation.
    fn select_first_with_code(&mut self, code: i32) {
        let Some(st) = self.shown.clone() else { return };
        if let Some(k) = self.rows.iter().position(|&r| st.reason(r as usize).code() == Some(code)) {
            self.selected = k;
            self.detail_scroll = 0;
            if self.wide {
                self.detail = true;
            } else {
                self.popup = true;
            }
        }
    }

    fn request_timeline(&mut self) {
        let Some((_, value)) = self.stats_rows().get(self.stats_selected).cloned() else { return };
        let focus = match self.stats_table {
            StatsTable::CalleeGateways | StatsTable::Matrix => Focus::CalleeGateway(value),
            StatsTable::CallerGateways => Focus::CallerGateway(value),
            StatsTable::Codes => Focus::Code(value),
            // The finding's full text shows where the timeline would be.
            StatsTable::Findings | StatsTable::Now => return,
        };
        // Asked again after a filter change: the old bars belong to another selection.
        if self.timeline.as_ref().is_some_and(|(g, f, _)| *f == focus && *g == self.generation) {
            return;
        }
        if let Some(store) = self.shown.clone() {
            self.outbox.push(Request::Timeline {
                generation: self.generation,
                store,
                rows: self.rows.clone(),
                focus,
            });
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        let len = self.list_len();
        let cur = match self.view {
            View::Calls => self.selected,
            View::Stats => self.stats_selected,
            View::Lookup => self.lookup.selected,
        };
        let next = (cur as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize;
        match self.view {
            View::Calls => {
                self.selected = next;
                self.detail_scroll = 0;
            }
            View::Stats => {
                self.stats_selected = next;
                self.request_timeline();
            }
            View::Lookup => self.lookup.selected = next,
        }
    }

    pub fn act(&mut self, a: Action) {
        self.status = None;
        match a {
            Action::Quit => self.quit = true,
            Action::FilterPrompt => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::Filter, &self.filter)))
            }
            Action::GatewayPicker => self.open_picker(PickerKind::Gateway),
            Action::CodePicker => self.open_picker(PickerKind::Code),
            // Opens on the window in force.
            Action::TimeMenu => self.overlay = Some(Overlay::TimeMenu(super::window::active(&self.filter))),
            Action::ClearFilter => {
                self.filter.clear();
                self.requery();
            }
            Action::NextView | Action::PrevView => {
                let order = [View::Calls, View::Stats, View::Lookup];
                let i = order.iter().position(|v| *v == self.view).unwrap_or(0);
                let step = if a == Action::NextView { 1 } else { order.len() - 1 };
                self.show_view(order[(i + step) % order.len()]);
            }
            Action::Enter => match self.view {
                View::Calls => {
                    if self.wide {
                        self.detail = true;
                    } else {
                        self.popup = true;
                    }
                }
                View::Stats if self.stats_table == StatsTable::Findings => self.drill_into_finding(),
                View::Stats => {
                    if let Some((label, value)) = self.stats_rows().get(self.stats_selected).cloned() {
                        let key = match self.stats_table {
                            StatsTable::Now if label == "caller" => "ingw",
                            StatsTable::CalleeGateways | StatsTable::Matrix | StatsTable::Now => "outgw",
                            StatsTable::CallerGateways => "ingw",
                            StatsTable::Codes | StatsTable::Findings => "code",
                        };
                        // The "(none)" row: calls with no gateway on that side.
                        let value =
                            if value.is_empty() && key != "code" { "none".to_string() } else { value };
                        self.set_term(key, &[value]);
                        self.view = View::Calls;
                        self.selected = 0;
                    }
                }
                View::Lookup => {
                    self.calls_of_entry();
                }
            },
            Action::Back => {
                if self.view != View::Calls {
                    self.view = View::Calls;
                } else if self.popup {
                    self.popup = false;
                } else if self.detail {
                    self.detail = false;
                }
            }
            Action::LookupPalette => {
                self.refresh_lookup();
                self.overlay = Some(Overlay::Lookup);
            }
            Action::Sort => match self.view {
                View::Calls => {
                    self.sort.key = self.sort.key.next();
                    self.status = Some((format!("sorted by {}", self.sort.key.label()), false));
                    self.requery();
                }
                View::Stats => self.sort_stats(),
                View::Lookup => {}
            },
            // In Stats it reverses the table shown, not the calls' order behind it.
            Action::SortReverse if self.view == View::Stats => {
                if let Some(s) = &self.summary {
                    let mut s = (**s).clone();
                    match self.stats_table {
                        StatsTable::CalleeGateways | StatsTable::Matrix => s.by_callee_gateway.reverse(),
                        StatsTable::CallerGateways => s.by_caller_gateway.reverse(),
                        StatsTable::Codes => s.by_code.reverse(),
                        StatsTable::Findings => s.findings.reverse(),
                        StatsTable::Now => self.reverse_board(),
                    }
                    self.summary = Some(Arc::new(s));
                    self.stats_selected = 0;
                    self.status = Some(("table reversed".into(), false));
                    self.request_timeline();
                }
            }
            Action::SortReverse => {
                self.sort.descending = !self.sort.descending;
                let way = if self.sort.descending { "descending" } else { "ascending" };
                self.status = Some((format!("sorted by {}, {way}", self.sort.key.label()), false));
                self.requery();
            }
            Action::Export => {
                let name = format!("cdrscope-export-{}.csv", self.zone_now_stamp());
                self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::Export, &name)));
            }
            Action::Help => self.overlay = Some(Overlay::Help(0)),
            Action::Copy => self.copy_selected(),
            Action::CopyFilter => {
                let f = self.effective_filter();
                self.copy_text(&f, if f.is_empty() { "the filter (empty)" } else { "the filter" });
            }
            Action::NextLanguage => {
                let next = self.kb.lang.next();
                match self.kb.in_lang(next) {
                    Ok(kb) => {
                        self.kb = Arc::new(kb);
                        self.refresh_lookup();
                        self.detail_scroll = 0;
                        let name = match next {
                            crate::kb::Lang::En => "English",
                            crate::kb::Lang::Zh => "中文",
                            crate::kb::Lang::Es => "español",
                        };
                        self.status = Some((format!("explanations in {name} (i: next language)"), false));
                    }
                    Err(e) => self.status = Some((format!("cannot switch language: {e}"), true)),
                }
            }
            Action::LoadReport => self.overlay = Some(Overlay::Report(0)),
            Action::ColumnLeft => self.columns.move_cursor(-1),
            Action::ColumnRight => self.columns.move_cursor(1),
            Action::HideColumn => self.hide_column(),
            Action::ResetColumns => {
                self.columns.reset();
                self.status = Some(("every column shown at its own width".into(), false));
            }
            Action::NarrowColumn => self.columns.adjust(-2),
            Action::WidenColumn => self.columns.adjust(2),
            Action::FilterToValue => self.filter_from_cell(false),
            Action::FilterOutValue => self.filter_from_cell(true),
            Action::Search => self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::Search, ""))),
            Action::SearchNext => self.search_step(true),
            Action::SearchPrev => self.search_step(false),
            Action::SaveFilter if self.filter.trim().is_empty() => {
                self.status = Some(("no filter to save: type one with /".into(), false));
            }
            Action::SaveFilter => self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::SaveName, ""))),
            Action::SavedFilters => self.open_picker(PickerKind::Filters),
            Action::WindowPrev => self.step_window(false),
            Action::WindowNext => self.step_window(true),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page.max(1) as isize)),
            Action::PageDown => self.move_by(self.page.max(1) as isize),
            Action::Top => self.move_by(-(self.list_len() as isize)),
            Action::PauseLive => self.toggle_pause(),
            Action::Bottom => self.move_by(self.list_len() as isize),
            Action::ToggleDetail => {
                if self.wide {
                    self.detail = !self.detail;
                } else {
                    self.popup = !self.popup;
                }
                self.detail_scroll = 0;
            }
            Action::DetailUp => self.detail_scroll = self.detail_scroll.saturating_sub(3),
            Action::DetailDown => self.detail_scroll = self.detail_scroll.saturating_add(3),
            Action::ShowFindings => {
                self.view = View::Stats;
                self.stats_table = StatsTable::Findings;
                self.stats_selected = 0;
            }
            Action::SwitchTable => {
                self.stats_table = match self.stats_table {
                    StatsTable::Now => StatsTable::CalleeGateways,
                    StatsTable::CalleeGateways => StatsTable::CallerGateways,
                    StatsTable::CallerGateways => StatsTable::Codes,
                    StatsTable::Codes => StatsTable::Matrix,
                    StatsTable::Matrix => StatsTable::Findings,
                    // The board is in the cycle while following.
                    StatsTable::Findings if self.live.is_some() => StatsTable::Now,
                    StatsTable::Findings => StatsTable::CalleeGateways,
                };
                self.stats_selected = 0;
                self.request_timeline();
            }
            // Keys of prompts, pickers, menus and pagers: handled by their overlays.
            Action::PromptApply
            | Action::PromptCancel
            | Action::HistoryPrev
            | Action::HistoryNext
            | Action::DeleteBack
            | Action::DeleteForward
            | Action::CursorLeft
            | Action::CursorRight
            | Action::LineStart
            | Action::LineEnd
            | Action::KillToStart
            | Action::KillToEnd
            | Action::DeleteWordBack
            | Action::PickerToggle
            | Action::PickerApply
            | Action::PickerCancel
            | Action::PickerUp
            | Action::PickerDown
            | Action::MenuApply
            | Action::MenuCancel
            | Action::MenuUp
            | Action::MenuDown
            | Action::PagerDown
            | Action::PagerUp
            | Action::PagerPageDown
            | Action::PagerPageUp
            | Action::CompleteWord => {}
        }
    }

    /// A finding's calls: its filter replaces the current one (its window included), and the
    /// first call with its dominant end reason is selected with the explanation open.
    fn drill_into_finding(&mut self) {
        let Some(f) = self.summary.as_ref().and_then(|s| s.findings.get(self.stats_selected)).cloned() else {
            return;
        };
        self.filter = f.filter.clone();
        self.remember_filter();
        self.pending_code =
            f.evidence.codes.first().and_then(|c| c.code.split(' ').next().and_then(|n| n.parse().ok()));
        self.view = View::Calls;
        self.selected = 0;
        self.requery();
    }

    /// Stats tables sort by calls, then ASR (gateways) in turn.
    fn sort_stats(&mut self) {
        let Some(s) = &self.summary else { return };
        let mut s = (**s).clone();
        match self.stats_table {
            StatsTable::CalleeGateways | StatsTable::Matrix => toggle_sort(&mut s.by_callee_gateway),
            StatsTable::CallerGateways => toggle_sort(&mut s.by_caller_gateway),
            StatsTable::Codes => s.by_code.reverse(),
            StatsTable::Findings => s.findings.reverse(),
            StatsTable::Now => self.sort_board(),
        }
        self.summary = Some(Arc::new(s));
        self.stats_selected = 0;
        self.request_timeline();
    }

    /// `s` on the board: busiest in the last 15 minutes first, or worst ASR first.
    fn sort_board(&mut self) {
        let Some(b) = &self.board else { return };
        let mut v = (**b).clone();
        let by_calls = v.windows(2).all(|w| w[0].stretches[1].calls >= w[1].stretches[1].calls);
        if by_calls {
            v.sort_by(|a, b| {
                a.stretches[1].asr.partial_cmp(&b.stretches[1].asr).unwrap_or(std::cmp::Ordering::Equal)
            });
            self.status = Some(("gateways now: lowest ASR (15 min) first".into(), false));
        } else {
            v.sort_by_key(|r| std::cmp::Reverse(r.stretches[1].calls));
            self.status = Some(("gateways now: most calls (15 min) first".into(), false));
        }
        self.board = Some(Arc::new(v));
    }

    fn reverse_board(&mut self) {
        if let Some(b) = &self.board {
            let mut v = (**b).clone();
            v.reverse();
            self.board = Some(Arc::new(v));
        }
    }

    fn zone_now_stamp(&self) -> String {
        let now = crate::cdr::time::now_ms();
        crate::cdr::TimeWriter::new(self.zone.clone()).format(now).replace([' ', ':'], "").replace('-', "")
    }

    /// Loading progress for the header.
    pub fn progress_line(&self) -> String {
        let p = &self.progress;
        let rows = p.rows.load(Ordering::Relaxed);
        let total = p.bytes_total.load(Ordering::Relaxed);
        let read = p.bytes_read.load(Ordering::Relaxed);
        let files = p.files_total.load(Ordering::Relaxed);
        let done = p.files_done.load(Ordering::Relaxed);
        let mut size = if total > 0 {
            format!(", {:.1}/{:.1} MB", read as f64 / 1e6, total as f64 / 1e6)
        } else {
            String::new()
        };
        let decoded = p.bytes_decoded.load(Ordering::Relaxed);
        if decoded > 0 {
            size.push_str(&format!(", {:.1} MB decompressed", decoded as f64 / 1e6));
        }
        format!(
            "loading: source {}/{}{size}, {} rows",
            (done + 1).min(files.max(1)),
            files.max(1),
            crate::text::thousands(rows)
        )
    }
}

/// Gateways: by calls (descending) first; pressed again, by ASR ascending (worst first).
fn toggle_sort(v: &mut [crate::stats::GatewayStats]) {
    let by_calls = v.windows(2).all(|w| w[0].calls >= w[1].calls);
    if by_calls {
        v.sort_by(|a, b| a.asr.partial_cmp(&b.asr).unwrap_or(std::cmp::Ordering::Equal));
    } else {
        v.sort_by_key(|g| std::cmp::Reverse(g.calls));
    }
}
