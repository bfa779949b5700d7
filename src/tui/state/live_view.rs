//! How the live display stands: paused or not, rows held back, recent arrivals, the findings
//! already announced.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How the live display stands.
#[derive(Debug, Default)]
pub struct LiveView {
    /// `p`: the display holds still; reading goes on.
    pub paused: bool,
    /// Rows arrived but not shown (paused, or scrolled away from the top).
    pub held: usize,
    /// (when, total calls) of recent arrivals, for the calls-per-minute figure.
    pub(crate) arrivals: VecDeque<(Instant, usize)>,
    /// Start of the newest call seen, epoch ms.
    pub newest_ms: Option<i64>,
    /// When each finding (kind and where) was first seen, epoch ms: those present when the
    /// first reading ended count from then; later ones are announced as they fire.
    pub fired: std::collections::HashMap<(String, String), i64>,
    /// The first findings after loading have been taken in (not announced).
    pub(crate) baseline: bool,
}

impl LiveView {
    /// Calls that arrived in the last minute.
    pub fn per_minute(&self, total: usize) -> usize {
        let cutoff = Instant::now().checked_sub(Duration::from_secs(60));
        let base = self
            .arrivals
            .iter()
            .find(|(t, _)| cutoff.is_none_or(|c| *t >= c))
            .map_or(total, |&(_, rows)| rows);
        total.saturating_sub(base)
    }
}
