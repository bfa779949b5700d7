//! The console's state and how keys and worker answers change it. No terminal I/O here:
//! drawing reads this state (see `ui`), the event loop feeds it (see `run`), and tests drive
//! it key by key.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::cdr::sources::error::Skipped;
use crate::cdr::{Progress, SharedStore, SourceSpec, Zone};
use crate::kb::Kb;
use crate::keys::{Action, Context, Keymap};
use crate::query::Selection;
use crate::query::parse::Side;
use crate::report::Summary;
use crate::tui::theme::Theme;
use crate::tui::worker::{Focus, Request, Response, Sort, SortKey, TimelineData};

pub use crate::tui::state::types::{
    LookupState, MAX_PROMPT_CHARS, Overlay, PickItem, Picker, PickerKind, Prompt, PromptKind, StatsTable,
    View,
};

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
    /// Named filters (kept across runs with the history, see [`crate::tui::state::saved`]).
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
    pub columns: crate::tui::state::table_layout::Columns,
    /// What the last frame put where, for the mouse.
    pub hits: crate::tui::state::hits::Hits,
    /// The search in force (`*`, `n`, `N`): marks matches, hides nothing.
    pub search: Option<crate::tui::state::search::Search>,
    pub stats_table: StatsTable,
    /// Where `Esc` in Calls goes back to (see [`crate::tui::input::back`]).
    pub back: Vec<crate::tui::state::types::Back>,
    /// The Stats row to select when the next answer comes (going back).
    pub(crate) pending_stats_selected: Option<usize>,
    /// Moves in the Findings table typed while its findings were still coming.
    pub(crate) queued: Vec<Action>,
    /// After drilling into a finding: the end reason whose first call to select and explain.
    pub(crate) pending_code: Option<i32>,
    /// The whole record of the explained call, when it came from a database: its flowno, and
    /// the columns once fetched (`None` while asked for).
    pub whole_record: Option<(u64, Option<Result<crate::cdr::sources::mysql::FullRecord, String>>)>,
    /// The findings of the shown selection are still being computed (none shown yet).
    pub findings_pending: bool,
    /// When findings are asked for and what of: see [`crate::tui::input::findings`].
    pub findings_schedule: crate::tui::state::schedule::Schedule,
    pub stats_selected: usize,
    /// The timeline of the selected Stats row: the query generation it was drawn from.
    pub timeline: Option<(u64, Focus, TimelineData)>,
    pub lookup: LookupState,
    /// A line for the operator (result of an export, why something did not happen).
    pub status: Option<(String, bool)>,
    /// An OSC 52 sequence for the event loop to write (see [`crate::tui::state::clipboard`]).
    pub copy: Option<String>,
    pub outbox: Vec<Request>,
    /// A password typed at the prompt, for the event loop to start loading with.
    pub password: Option<String>,
    /// The database the password prompt is for.
    pub password_for: Option<String>,
    pub quit: bool,
    pub dirty: bool,
    pub(crate) count_gen: u64,
    /// While sources are followed (see `live.rs`).
    pub live: Option<crate::tui::state::live_view::LiveView>,
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
            back: Vec::new(),
            pending_stats_selected: None,
            queued: Vec::new(),
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
            let st = crate::cdr::store::shared::read(shared);
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
        self.store.as_ref().map_or(0, |s| crate::cdr::store::shared::read(s).len())
    }

    /// Calls loaded so far: rows without the repeats of calls another source brought.
    pub fn total_calls(&self) -> usize {
        self.store.as_ref().map_or(0, |s| crate::cdr::store::shared::read(s).calls())
    }

    /// Re-runs the shown query (also over rows that arrived while following).
    pub(crate) fn requery(&mut self) {
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
                        self.window_note =
                            crate::tui::state::window::describe(&self.filter, &q.store, &self.zone);
                        let before = self.rows.get(self.selected).copied();
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
                        // Another call under the cursor (a new filter): its explanation is
                        // read from the top.
                        if self.rows.get(self.selected).copied() != before {
                            self.detail_scroll = 0;
                        }
                        self.stats_selected = self.pending_stats_selected.take().unwrap_or(0);
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
            if self.queue_while_findings_load(a) {
                return;
            }
            self.act(a);
        }
        self.after_key_live();
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
                    Some(Overlay::TimeMenu((i + 1).min(crate::tui::state::window::TIME_WINDOWS.len() - 1)))
                }
                Some(Action::MenuUp) => Some(Overlay::TimeMenu(i.saturating_sub(1))),
                Some(Action::MenuApply) => {
                    match crate::tui::state::window::pick(&self.filter, i) {
                        Some(f) => {
                            self.filter = f;
                            self.remember_filter();
                            self.requery();
                            None
                        }
                        // Custom: the window in force to edit, if it is one.
                        None => {
                            let now = crate::tui::state::filter_edit::window_terms(&self.filter)
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

    /// Replaces the filter's terms of one kind (gateways or codes) with `key:values`; `gw`
    /// (either side) replaces the terms of both sides.
    pub fn set_term(&mut self, key: &str, values: &[String]) {
        use crate::tui::state::filter_edit::{Field, replace, term};
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
            let excess = self.history.len().saturating_sub(crate::tui::state::saved::HISTORY_MAX);
            self.history.drain(..excess);
            self.save_state();
        }
    }

    /// The index of the selected row of the focused list.
    pub(crate) fn current_index(&self) -> usize {
        match self.view {
            View::Calls => self.selected,
            View::Stats => self.stats_selected,
            View::Lookup => self.lookup.selected,
        }
    }

    /// Switches to a view (Stats asks for its timeline).
    pub(crate) fn show_view(&mut self, v: View) {
        self.view = v;
        if v == View::Stats {
            self.request_timeline();
        }
        // The lookup box is typed into at its end, whatever was edited last time.
        if v == View::Lookup {
            self.lookup.cursor = self.lookup.input.len();
        }
    }

    pub(crate) fn list_len(&self) -> usize {
        match self.view {
            View::Calls => self.rows.len(),
            View::Stats => self.stats_rows().len(),
            View::Lookup => self.lookup.hits.len(),
        }
    }

    pub(crate) fn move_by(&mut self, delta: isize) {
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

    pub(crate) fn zone_now_stamp(&self) -> String {
        let now = crate::cdr::record::time::now_ms();
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
