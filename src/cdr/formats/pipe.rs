//! The VOS3000 text file: pipe-delimited, one call a line, positional fields (the switch's
//! hourly files); or the same with a header row naming the columns.

use crate::cdr::formats::Format;
use crate::cdr::formats::detect::{Delimiter, Layout, header_layout};
use crate::cdr::record::fields::PIPE_MIN_FIELDS;

pub struct PipeText;

impl Format for PipeText {
    fn name(&self) -> &'static str {
        "VOS3000 text file"
    }

    fn header(&self, first_line: &[u8]) -> Option<Layout> {
        header_layout(first_line, Delimiter::Pipe)
    }

    fn positional(&self) -> Option<Layout> {
        Some(Layout::positional_pipe())
    }

    /// Enough `|`-separated fields for the oldest sender's layout.
    fn is_record_line(&self, line: &[u8]) -> bool {
        memchr::memchr_iter(b'|', line).count() + 1 >= PIPE_MIN_FIELDS
    }

    fn lines_called(&self) -> &'static str {
        "VOS3000 text lines"
    }
}
