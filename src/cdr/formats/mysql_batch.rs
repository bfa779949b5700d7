//! `mysql -B` output of an `e_cdr` table: tab-separated with a header row, backslash escapes
//! and `NULL`.

use crate::cdr::formats::Format;
use crate::cdr::formats::detect::{Delimiter, Layout, header_layout};

pub struct MysqlBatch;

impl Format for MysqlBatch {
    fn name(&self) -> &'static str {
        "tab-separated dump (mysql -B)"
    }

    fn header(&self, first_line: &[u8]) -> Option<Layout> {
        header_layout(first_line, Delimiter::Tab)
    }
}
