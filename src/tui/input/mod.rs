//! Events into state changes: the keys (through the keymap) and the mouse, the worker's
//! answers that need more than storing, and the ingest thread's news. Each file adds one
//! group of `App` methods.

pub mod actions;
pub mod back;
pub mod filter_actions;
pub mod findings;
pub mod live;
pub mod lookup_actions;
pub mod mouse;
pub mod picker_keys;
pub mod prompt_keys;
pub mod record;
pub mod stats_actions;
pub mod stats_export;
pub mod table_actions;
pub mod terminal;
