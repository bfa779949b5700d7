//! Aggregates over a selection of calls (ASR, ACD, PDD, per gateway, per end reason, over
//! time), health verdicts with the seed guides' thresholds, and findings worth a look.

pub mod board;
pub mod health;
pub mod tally;
pub mod thresholds;
pub mod timeline;
