//! What the forms made of records rather than lines share (spreadsheets, the web API's JSON):
//! they become chunks of split rows with a header layout, parsed by the same code as database
//! rows. Locations count records: a sheet's row number, a JSON record's ordinal.

use crate::cdr::formats::detect::{Delimiter, Layout};
use crate::cdr::record::fields::Column;
use crate::cdr::record::rows::FieldRows;

/// Records handed on per chunk.
pub const CHUNK_RECORDS: usize = 8192;

pub(crate) fn record_layout(columns: Vec<Column>) -> Layout {
    Layout {
        delimiter: Delimiter::Tab,
        columns: Some(columns),
        mysql_escapes: false,
        database: true,
        positional: false,
        min_fields: 0,
    }
}

/// Receives chunks: the layout, the rows, the number of the first row's record; returns false
/// to stop (cancelled).
pub type Emit<'a> = dyn FnMut(Layout, FieldRows, u64) -> bool + 'a;
