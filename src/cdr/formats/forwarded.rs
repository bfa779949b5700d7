//! The real-time forwarded CDR (the switch's UDP feed, or its lines saved to a file):
//! comma-separated, quoted strings, positional fields, no header.

use crate::cdr::formats::Format;
use crate::cdr::formats::detect::Layout;
use crate::cdr::record::fields::{FORWARDED_MIN_FIELDS, FORWARDED_START};

pub struct Forwarded;

impl Format for Forwarded {
    fn name(&self) -> &'static str {
        "VOS3000 real-time forwarded CDRs"
    }

    fn positional(&self) -> Option<Layout> {
        Some(Layout::forwarded())
    }

    fn is_record_line(&self, line: &[u8]) -> bool {
        is_forwarded_line(line)
    }

    fn lines_called(&self) -> &'static str {
        "forwarded CDRs"
    }
}

/// A forwarded CDR is told by its content, as the real receivers do: no header, and epoch
/// milliseconds for start and stop where the layout puts them.
pub fn is_forwarded_line(line: &[u8]) -> bool {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line);
    let Some(Ok(rec)) = rdr.byte_records().next() else { return false };
    let epoch_ms = |k: usize| {
        rec.get(k).is_some_and(|f| (12..=13).contains(&f.len()) && f.iter().all(u8::is_ascii_digit))
    };
    rec.len() >= FORWARDED_MIN_FIELDS && epoch_ms(FORWARDED_START) && epoch_ms(FORWARDED_START + 1)
}
