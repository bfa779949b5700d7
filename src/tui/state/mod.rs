//! The console's state, with no drawing: the `App` and the types it holds (views, prompts,
//! the filter text and its time window, the line editor, saved filters, search, the calls
//! table's columns). Views read it; input changes it.

pub mod app;
pub mod clipboard;
pub mod complete;
pub mod export_target;
pub mod filter_edit;
pub mod hits;
pub mod line_edit;
pub mod live_view;
pub mod saved;
pub mod schedule;
pub mod search;
pub mod table_layout;
pub mod types;
pub mod window;
