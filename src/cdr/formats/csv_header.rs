//! CSV with a header row (the portal's download, a spreadsheet saved as CSV, `SELECT ... INTO
//! OUTFILE`): quoted fields, the header names the columns.

use crate::cdr::formats::Format;
use crate::cdr::formats::detect::{Delimiter, Layout, header_layout};

pub struct CsvWithHeader;

impl Format for CsvWithHeader {
    fn name(&self) -> &'static str {
        "CSV with header"
    }

    fn header(&self, first_line: &[u8]) -> Option<Layout> {
        header_layout(first_line, Delimiter::Comma)
    }
}
