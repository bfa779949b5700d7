//! What the Stats view's keys do: its tables' rows, sorting and reversing them, drilling into
//! a row or a finding, and asking for the selected row's timeline.

use std::sync::Arc;

use crate::tui::state::app::{App, StatsTable, View};
use crate::tui::worker::{Focus, Request};

impl App {
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
    pub(crate) fn select_first_with_code(&mut self, code: i32) {
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

    pub(crate) fn request_timeline(&mut self) {
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

    /// A finding's calls: its filter replaces the current one (its window included), and the
    /// first call with its dominant end reason is selected with the explanation open.
    pub(crate) fn drill_into_finding(&mut self) {
        let Some(f) = self.summary.as_ref().and_then(|s| s.findings.get(self.stats_selected)).cloned() else {
            return;
        };
        self.push_back();
        self.filter = f.filter.clone();
        self.remember_filter();
        self.pending_code =
            f.evidence.codes.first().and_then(|c| c.code.split(' ').next().and_then(|n| n.parse().ok()));
        self.view = View::Calls;
        self.selected = 0;
        self.requery();
        self.say_drilled("the finding's calls");
    }

    /// Stats tables sort by calls, then ASR (gateways) in turn.
    pub(crate) fn sort_stats(&mut self) {
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
    pub(crate) fn sort_board(&mut self) {
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

    pub(crate) fn reverse_board(&mut self) {
        if let Some(b) = &self.board {
            let mut v = (**b).clone();
            v.reverse();
            self.board = Some(Arc::new(v));
        }
    }
}

/// Gateways: by calls (descending) first; pressed again, by ASR ascending (worst first).
fn toggle_sort(v: &mut [crate::report::GatewayStats]) {
    let by_calls = v.windows(2).all(|w| w[0].calls >= w[1].calls);
    if by_calls {
        v.sort_by(|a, b| a.asr.partial_cmp(&b.asr).unwrap_or(std::cmp::Ordering::Equal));
    } else {
        v.sort_by_key(|g| std::cmp::Reverse(g.calls));
    }
}
