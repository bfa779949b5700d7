//! When the console asks the worker for findings. A new filter asks at once (and shows
//! "looking..." until they come); while following, the shown findings stay on screen and are
//! looked for again over the new rows no more often than every 2 s, nor more than a tenth of
//! the time (findings over millions of calls take a while: the screen's refreshes come first).

use std::time::Instant;

use crate::tui::state::app::App;
use crate::tui::worker::Request;

impl App {
    /// A query's answer arrived: asks for its findings when the filter changed, else keeps
    /// the findings shown and asks again when due.
    pub fn ask_findings(&mut self) {
        let filter = self.effective_filter();
        let same = self.findings_schedule.filter.as_deref() == Some(filter.as_str());
        if same {
            // Still the same calls and more: the findings shown stay until new ones come.
            if let (Some(new), Some(old)) = (self.summary.as_mut(), self.findings_schedule.shown.clone()) {
                std::sync::Arc::make_mut(new).findings = old;
            }
            self.findings_due();
            return;
        }
        self.findings_pending = true;
        self.findings_schedule.filter = Some(filter);
        self.findings_schedule.shown = None;
        self.send_findings();
    }

    /// Asks again when the shown rows grew, nothing is being looked for, and it is time.
    pub fn findings_due(&mut self) {
        let s = &self.findings_schedule;
        let grown = self.rows.len() != s.rows;
        let free = s.asked.is_none();
        let time = s.last.is_none_or(|t| t.elapsed() >= s.every());
        if grown && free && time && s.filter.is_some() {
            self.send_findings();
        }
    }

    fn send_findings(&mut self) {
        let Some(store) = self.shown.clone() else { return };
        let filter = self.effective_filter();
        self.findings_schedule.asked = Some(Instant::now());
        self.findings_schedule.last = Some(Instant::now());
        self.findings_schedule.rows = self.rows.len();
        self.outbox.push(Request::Findings { filter, store, rows: self.rows.clone() });
    }

    /// Findings arrived: shown when they are for the filter on screen.
    pub fn findings_answered(&mut self, filter: &str, findings: Vec<crate::findings::Finding>) {
        if let Some(asked) = self.findings_schedule.asked.take() {
            self.findings_schedule.took = asked.elapsed();
        }
        if filter != self.effective_filter() {
            return;
        }
        let Some(s) = &self.summary else { return };
        let mut s = (**s).clone();
        self.findings_arrived(&findings);
        self.findings_schedule.shown = Some(findings.clone());
        s.findings = findings;
        self.summary = Some(std::sync::Arc::new(s));
        self.findings_pending = false;
        // What was typed while they came, now that there is a list to move in.
        for a in std::mem::take(&mut self.queued) {
            self.act(a);
        }
    }

    /// Keys that move in the Findings table or open a finding, typed while the findings are
    /// still being looked for (right after `!`): kept and done when they arrive, instead of
    /// acting on an empty list. Anything else (quit, another view) acts at once and forgets
    /// them. Returns true when the key was kept.
    pub(crate) fn queue_while_findings_load(&mut self, a: crate::keys::Action) -> bool {
        use crate::keys::Action;
        let waiting = self.findings_pending
            && self.view == crate::tui::state::app::View::Stats
            && self.stats_table == crate::tui::state::types::StatsTable::Findings;
        let moves = matches!(
            a,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Enter
        );
        if waiting && moves {
            if self.queued.len() < QUEUED_MAX {
                self.queued.push(a);
            }
            return true;
        }
        self.queued.clear();
        false
    }
}

/// Keys kept while findings load, at most (a held key repeats).
const QUEUED_MAX: usize = 64;
