//! Where the last frame put what a click can hit, recorded by the views as they draw and read
//! by the mouse handler.

use ratatui::layout::Rect;

use crate::tui::state::table_layout::Col;
use crate::tui::state::types::View;

/// Where the last frame put what a click can hit.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// The view names in the header.
    pub tabs: Vec<(Rect, View)>,
    /// The rows of the focused list (one line each) and the index of its first shown row.
    pub list: Option<(Rect, usize)>,
    /// The calls table's columns: their x range.
    pub columns: Vec<(u16, u16, Col)>,
}
