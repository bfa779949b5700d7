//! cdrscope: read VOS3000 call detail records from every form they come in, filter them,
//! summarise them and explain their end reasons.
//!
//! The core (`cdr`, `kb`, `query`, `stats`) never depends on the front ends (`cli`).

#![deny(clippy::unwrap_used)]

pub mod cdr;
pub mod cli;
pub mod config;
pub mod findings;
pub mod fuzzy;
pub mod kb;
pub mod keys;
pub mod memory;
pub mod query;
pub mod report;
pub mod stats;
pub mod text;
pub mod tui;
