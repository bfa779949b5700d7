//! Drawing, from state only: `frame` lays out the header, the view in force and the footer;
//! one file per view or overlay; `widgets` holds what they share.

pub mod calls;
pub mod detail;
pub mod frame;
pub mod help;
pub mod lookup;
pub mod picker;
pub mod prompt;
pub mod report;
pub mod stats;
pub mod stats_timeline;
pub mod widgets;
