//! Input forms: telling a stream's form from its first bytes, and parsing its records into
//! store batches.
//!
//! Each form is one file with a type implementing [`Format`], listed once in [`FORMATS`]. Line
//! forms are told by a header row on the first line or, header-less, by most of a sample of
//! lines looking like their records ([`detect::detect`]); they are then cut into blocks and
//! parsed by [`parse`] according to their [`detect::Layout`]. Record forms (the web API's JSON)
//! are told by their first bytes and read whole. A spreadsheet is told by its file, not its
//! bytes: the source lists it as such ([`crate::cdr::sources::spec::InputKind::Xlsx`]).

pub mod csv_header;
pub mod detect;
pub mod forwarded;
pub mod json;
pub mod mysql_batch;
pub mod parse;
pub mod pipe;
pub mod records;
pub mod xlsx;

use std::io::Read;

use detect::Layout;
use records::Emit;

/// One input form. Every method has a default that says "not this form", so a form
/// implements only the ways it can be recognised.
pub trait Format: Sync {
    /// Its name in messages and in `check`.
    fn name(&self) -> &'static str;

    /// A header row naming CDR columns on the first line makes the layout (delimited forms
    /// with a header).
    fn header(&self, _first_line: &[u8]) -> Option<Layout> {
        None
    }

    /// Header-less (positional) forms: the layout, and whether one line looks like a record
    /// of this form. A sample of lines votes; the form most lines have wins.
    fn positional(&self) -> Option<Layout> {
        None
    }
    fn is_record_line(&self, _line: &[u8]) -> bool {
        false
    }
    /// What its lines are called in the "not a CDR form" message ("VOS3000 text lines").
    fn lines_called(&self) -> &'static str {
        self.name()
    }

    /// Record forms, read whole rather than cut into lines: recognised from the first bytes
    /// (a byte order mark already removed).
    fn is_record_stream(&self, _head: &[u8]) -> bool {
        false
    }
    /// Reads a record form's records, chunk by chunk, into `emit`; the records read.
    fn read_records(&self, _reader: &mut dyn Read, _emit: &mut Emit<'_>) -> Result<u64, String> {
        Err(format!("{} is not read as whole records", self.name()))
    }
}

/// The forms, in the order they are tried: record forms by their first bytes, then header
/// rows (tab before pipe before comma: a `mysql -B` header may hold commas in no column name,
/// a CSV header no tabs), then the positional forms' vote (ties go to the one listed first).
pub static FORMATS: &[&dyn Format] = &[
    &json::ApiJson,
    &mysql_batch::MysqlBatch,
    &pipe::PipeText,
    &csv_header::CsvWithHeader,
    &forwarded::Forwarded,
];

/// The record form a stream's first bytes are in, if any.
pub fn record_form(head: &[u8]) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.is_record_stream(head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_told_apart_and_named_once() {
        let mut names: Vec<&str> = FORMATS.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FORMATS.len(), "two forms share a name");
        // Each form is reached by one of the three ways of telling.
        let samples: [&[u8]; 5] = [
            b"[{\"flowNo\":1}]",
            b"callere164\tcalleee164\tstarttime\tendreason\n",
            b"callerE164|calleeE164|startTime|stopTime|holdTime|endReason\n",
            b"\"flowno\",\"starttime\",\"callere164\",\"endreason\"\n",
            include_bytes!("../../../tests/fixtures/real/realtime_forwarded_row.csv"),
        ];
        for (form, sample) in FORMATS.iter().zip(samples) {
            let line = sample.split(|b| *b == b'\n').next().unwrap_or_default();
            let told =
                form.is_record_stream(sample) || form.header(line).is_some() || form.is_record_line(line);
            assert!(told, "{} does not recognise its own sample", form.name());
        }
        assert_eq!(record_form(b"  {\"a\":1}").map(|f| f.name()), Some(json::ApiJson.name()));
        assert!(record_form(b"1|2|3").is_none());
    }
}
