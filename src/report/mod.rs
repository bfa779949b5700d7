//! What a summary reports: the statistics of a selection (from `stats`) together with the
//! findings over it (from `findings`). It stands above both, so neither imports the other's
//! consumer.

pub mod summary;

pub use summary::{CodeCount, GatewayStats, Summary, summarize};
