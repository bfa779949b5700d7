//! What the store keeps of a source's life besides its rows: whether it is followed, and a
//! feed's counts. Defined here, below the sources that set them, so the store never imports
//! a source.

use std::net::SocketAddr;

/// What a followed source is doing, for the header and `follow`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "why")]
pub enum LiveState {
    Following,
    /// Lost its connection or file; tries again.
    Retrying(String),
    Ended,
    /// Cannot go on (bad credentials, a port it cannot bind).
    Failed(String),
}

/// Senders of malformed datagrams named one by one; the rest are counted together.
pub const MAX_SENDERS: usize = 256;

/// Counts of one feed, for the header, the load report and `follow`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FeedCounts {
    pub datagrams: u64,
    pub calls: u64,
    pub acknowledged: u64,
    /// Resends of a call already received (acknowledged again, counted once).
    pub repeats: u64,
    /// The flow numbers of the calls resent, the first `MAX_REPEATED` (the feed's) (a reconciliation
    /// finding's filter names them).
    #[serde(skip)]
    pub repeated_flownos: Vec<u64>,
    /// Datagrams that are no CDR, by sender.
    pub malformed: Vec<(String, u64)>,
    /// Datagrams from senders outside `--allow-from`.
    pub refused: u64,
    pub relayed: u64,
    pub relay_errors: u64,
    pub spool_errors: u64,
}

impl FeedCounts {
    pub fn malformed_from(&mut self, who: &SocketAddr) {
        let key = if self.malformed.len() < MAX_SENDERS
            || self.malformed.iter().any(|(k, _)| k == &who.to_string())
        {
            who.to_string()
        } else {
            "others".to_string()
        };
        match self.malformed.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => self.malformed.push((key, 1)),
        }
    }

    pub fn malformed_total(&self) -> u64 {
        self.malformed.iter().map(|(_, n)| n).sum()
    }
}
