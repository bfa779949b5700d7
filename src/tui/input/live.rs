//! The console while sources are followed: what the ingest thread reports, the live badge,
//! pausing, and holding the calls table still while the operator reads further down.

use std::time::{Duration, Instant};

use crate::cdr::ingest::live::Event;
use crate::cdr::store::source_state::LiveState;
use crate::tui::state::app::{App, View};
use crate::tui::state::live_view::LiveView;

impl App {
    /// Takes in one event from the ingest thread.
    pub fn ingest_event(&mut self, ev: Event) {
        self.dirty = true;
        match ev {
            Event::Loaded(Ok(skipped)) => {
                self.loaded(skipped);
                let st = self.store.as_ref().map(crate::cdr::store::shared::read);
                if st.is_some_and(|s| s.sources.iter().any(|i| i.live.is_some())) {
                    let total = self.total_calls();
                    let mut live = LiveView::default();
                    live.arrivals.push_back((Instant::now(), total));
                    self.live = Some(live);
                    self.newest_from(0);
                    // Following: the Stats view opens on "Gateways now", unless what was read
                    // is older than the retention window (old files, followed in case they
                    // grow): the minutes just past hold nothing, the whole period is the news.
                    if !self.is_static() {
                        self.stats_table = crate::tui::state::app::StatsTable::Now;
                    }
                    // The findings of what was loaded are the baseline new ones are announced
                    // against: asked for afresh now that following began.
                    self.findings_schedule = Default::default();
                    self.requery();
                }
            }
            Event::Loaded(Err(e)) => self.load_error = Some(e),
            Event::Appended { rows } => self.appended(rows),
            Event::Note { text, .. } => self.status = Some((text, false)),
            Event::SourceFailed { source, error } => {
                let name = self
                    .store
                    .as_ref()
                    .map(crate::cdr::store::shared::read)
                    .and_then(|s| s.sources.get(source).map(|i| i.name.clone()))
                    .unwrap_or_default();
                self.status = Some((format!("{name}: {error}"), true));
            }
            Event::Failed(why) => self.load_error = Some(why),
        }
    }

    /// New rows were published: shown at once at the top of the table, or counted while
    /// paused or scrolled down (the table holds still under the operator's cursor).
    fn appended(&mut self, rows: usize) {
        let seen = self.rows_seen as usize;
        self.newest_from(seen);
        let calls = self.total_calls();
        let hold = self.holds_still();
        let Some(live) = self.live.as_mut() else {
            return;
        };
        live.arrivals.push_back((Instant::now(), calls));
        while live.arrivals.len() > 2
            && live.arrivals.front().is_some_and(|(t, _)| t.elapsed() > Duration::from_secs(120))
        {
            live.arrivals.pop_front();
        }
        if hold {
            live.held = rows.saturating_sub(seen);
            return;
        }
        self.show_new_rows();
    }

    /// Shows what arrived since the table was last filled.
    pub fn show_new_rows(&mut self) {
        if let Some(live) = self.live.as_mut() {
            live.held = 0;
        }
        let total = self.total_rows();
        if total != self.rows_seen as usize && self.shown_gen == self.generation {
            self.rows_seen = total as u64;
            self.requery();
        }
    }

    /// After an answer: calls that arrived while it was computed are asked for now. Their
    /// event found a refresh under way and let them wait; waiting for the next arrival could
    /// be a whole database poll.
    pub fn caught_up(&mut self) {
        if self.live.is_some() && !self.holds_still() {
            self.show_new_rows();
        }
    }

    /// Whether new calls wait instead of being shown: paused, or the operator has scrolled
    /// down the calls table (it holds still under the cursor).
    fn holds_still(&self) -> bool {
        self.live.as_ref().is_some_and(|l| l.paused) || (self.view == View::Calls && self.selected > 0)
    }

    /// `p`: pauses or resumes the display.
    pub fn toggle_pause(&mut self) {
        let Some(live) = self.live.as_mut() else {
            self.status = Some(("nothing is followed: the sources were read once".into(), false));
            return;
        };
        live.paused = !live.paused;
        if !live.paused {
            self.show_new_rows();
        }
    }

    /// After a key: back at the top of the table with calls held, they are shown.
    pub fn after_key_live(&mut self) {
        if let Some(live) = &self.live
            && !live.paused
            && live.held > 0
            && self.selected == 0
        {
            self.show_new_rows();
        }
    }

    /// The newest call start among rows from `from` on.
    fn newest_from(&mut self, from: usize) {
        let Some(st) = self.store.as_ref().map(crate::cdr::store::shared::read) else { return };
        let plausible = st.plausible_range();
        let newest = st
            .cols
            .start_ms
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .filter(|t| plausible.contains(t))
            .max()
            .copied();
        if let (Some(live), Some(n)) = (self.live.as_mut(), newest) {
            live.newest_ms = Some(live.newest_ms.map_or(n, |o| o.max(n)));
        }
    }

    /// Findings of the shown selection arrived: a finding not seen before is announced in
    /// the status line and gets the time it fired.
    pub fn findings_arrived(&mut self, findings: &[crate::findings::Finding]) {
        let Some(live) = self.live.as_mut() else { return };
        let now = crate::cdr::record::time::now_ms();
        let mut new = Vec::new();
        for f in findings {
            let key = f.identity();
            if let std::collections::hash_map::Entry::Vacant(v) = live.fired.entry(key) {
                v.insert(now);
                if live.baseline {
                    new.push(f.text.clone());
                }
            }
        }
        live.baseline = true;
        if let Some(first) = new.first() {
            let more =
                if new.len() > 1 { format!(" (and {} more: !)", new.len() - 1) } else { String::new() };
            self.status = Some((format!("new finding: {first}{more}"), true));
        }
    }

    /// When a finding fired, while following.
    pub fn fired_at(&self, f: &crate::findings::Finding) -> Option<i64> {
        self.live.as_ref()?.fired.get(&f.identity()).copied()
    }

    /// The live badge: state of the followed sources, calls per minute, age of the newest
    /// call; `None` when nothing is followed.
    /// Followed sources whose newest call is older than the retention window (`--keep`,
    /// 24 hours by default): shown as what they are, a static period, not as live traffic.
    pub fn is_static(&self) -> bool {
        let Some(newest) = self.live.as_ref().and_then(|l| l.newest_ms) else { return false };
        let keep = self.store.as_ref().map(crate::cdr::store::shared::read).and_then(|s| s.keep_ms);
        let default_ms =
            i64::try_from(crate::cdr::ingest::live::DEFAULT_KEEP.as_millis()).unwrap_or(i64::MAX);
        crate::cdr::record::time::now_ms().saturating_sub(newest) > keep.unwrap_or(default_ms)
    }

    pub fn live_badge(&self) -> Option<(String, bool)> {
        let live = self.live.as_ref()?;
        let st = self.store.as_ref().map(crate::cdr::store::shared::read)?;
        if self.is_static() && live.held == 0 {
            let newest = live.newest_ms.map(|n| crate::cdr::TimeWriter::new(self.zone.clone()).format(n));
            return Some((format!("static, newest call {}", newest.unwrap_or_default()), false));
        }
        let states: Vec<&LiveState> = st.sources.iter().filter_map(|s| s.live.as_ref()).collect();
        let failing = states.iter().any(|s| matches!(s, LiveState::Retrying(_) | LiveState::Failed(_)));
        let state = if states.iter().any(|s| matches!(s, LiveState::Retrying(_))) {
            "reconnecting"
        } else if states.iter().any(|s| matches!(s, LiveState::Following)) {
            "live"
        } else if states.iter().any(|s| matches!(s, LiveState::Failed(_))) {
            "failed"
        } else {
            "ended"
        };
        let mut text = if live.paused { format!("paused ({state})") } else { state.to_string() };
        // What waits for the operator comes first: the header is cut at the right edge.
        if live.held > 0 {
            text.push_str(&format!(" │ {} new calls", crate::text::thousands(live.held as u64)));
        }
        text.push_str(&format!(" {}/min", crate::text::thousands(live.per_minute(st.calls()) as u64)));
        if let Some(k) = st.keep_ms {
            text.push_str(&format!(" keeping {}", crate::text::duration_secs(k as f64 / 1000.0)));
        }
        if let Some(n) = live.newest_ms {
            let age = (crate::cdr::record::time::now_ms() - n).max(0) / 1000;
            text.push_str(&format!(" newest {} ago", crate::text::duration_secs(age as f64)));
        }
        Some((text, failing))
    }
}
