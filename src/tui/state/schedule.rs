//! When the console last asked the worker for findings, and how long they took: the state
//! behind asking again no more often than every 2 s, nor more than a tenth of the time.

use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Schedule {
    /// The filter the shown findings are for.
    pub(crate) filter: Option<String>,
    /// A request is with the worker, asked at this time.
    pub(crate) asked: Option<Instant>,
    /// The rows of the selection the last request covered.
    pub(crate) rows: usize,
    /// How long the last answer took.
    pub(crate) took: Duration,
    pub(crate) last: Option<Instant>,
    /// The findings on screen, kept while new ones are looked for.
    pub(crate) shown: Option<Vec<crate::findings::Finding>>,
}

const MIN_EVERY: Duration = Duration::from_secs(2);

impl Schedule {
    pub(crate) fn every(&self) -> Duration {
        MIN_EVERY.max(self.took * 10)
    }
}
