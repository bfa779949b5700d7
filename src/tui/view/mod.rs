//! One file per view or overlay.

pub mod calls;
pub mod detail;
pub mod help;
pub mod lookup;
pub mod picker;
pub mod prompt;
pub mod report;
pub mod stats;
