//! Cutting a block into records and fields: text lines split on `|` (quote-aware only when a
//! line has quotes), CSV and tab-separated dumps through the csv crate, and database rows that
//! arrive already split. Each record then goes to [`Parser::record`].

use std::borrow::Cow;

use super::Parser;
use crate::cdr::record::fields::Field;
use crate::cdr::record::reject::RejectReason;

impl Parser<'_> {
    /// Text files: one record per line, split on `|` (quote-aware only when a line has
    /// quotes). Each line is checked as UTF-8 once; a bad line is repaired and kept.
    pub(super) fn parse_lines(&mut self, data: &[u8], first_line: u64, mut skip_header: bool) {
        let mut spare: Vec<&str> = Vec::with_capacity(24);
        let mut line_no = first_line;
        let mut start = 0;
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
            let mut line = &data[start..end];
            start = end + 1;
            let this_line = line_no;
            line_no += 1;
            if let Some(l) = line.strip_suffix(b"\r") {
                line = l;
            }
            if line.trim_ascii().is_empty() {
                self.batch.tally.blank += 1;
                continue;
            }
            if skip_header {
                skip_header = false;
                self.batch.tally.headers += 1;
                continue;
            }
            let text = match std::str::from_utf8(line) {
                Ok(t) => Cow::Borrowed(t),
                Err(_) => {
                    self.batch.tally.repaired_utf8 += 1;
                    String::from_utf8_lossy(line)
                }
            };
            // Reuse one allocation for the field list across lines of different lifetimes
            // (an in-place collect of an emptied vector keeps its buffer).
            let mut fields = recycle(std::mem::take(&mut spare));
            // One SIMD pass finds the separators and tells whether the line has quotes
            // (`mysql -B` does not quote: there a `"` is just a character).
            let bytes = text.as_bytes();
            let delim = self.layout.delimiter.byte();
            let quote = if self.layout.mysql_escapes { delim } else { b'"' };
            let mut quoted = false;
            let mut from = 0;
            for i in memchr::memchr2_iter(delim, quote, bytes) {
                if bytes[i] != delim {
                    quoted = true;
                    break;
                }
                fields.push(&text[from..i]);
                from = i + 1;
            }
            if quoted {
                match split_quoted(&text, delim) {
                    Some(owned) => {
                        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
                        self.record(&refs, this_line);
                    }
                    None => self.batch.tally.reject(this_line, RejectReason::UnclosedQuote),
                }
            } else {
                fields.push(&text[from..]);
                self.record(&fields, this_line);
            }
            spare = recycle(fields);
        }
    }

    /// Database rows: fields arrive split; NULL reads as empty.
    pub(super) fn parse_rows(&mut self, rows: &crate::cdr::record::rows::FieldRows, first_row: u64) {
        let mut spare: Vec<&str> = Vec::with_capacity(32);
        for (k, row) in rows.iter().enumerate() {
            let line = first_row + k as u64;
            // Valid UTF-8 (nearly always): the fields as they are, in a reused list.
            let mut fields = recycle(spare);
            let mut valid = true;
            for f in row {
                match std::str::from_utf8(f) {
                    Ok(t) => fields.push(t),
                    Err(_) => {
                        valid = false;
                        break;
                    }
                }
            }
            if valid {
                self.record(&fields, line);
            } else {
                self.record_bytes(rows.row(k), line);
            }
            spare = recycle(fields);
        }
    }

    /// Records fields given as bytes: each is read as UTF-8, a bad one repaired (the record is
    /// kept and counted once as repaired).
    pub(super) fn record_bytes<'a>(&mut self, fields: impl Iterator<Item = &'a [u8]>, line: u64) {
        let mut repaired = false;
        let owned: Vec<Cow<'a, str>> = fields
            .map(|f| match std::str::from_utf8(f) {
                Ok(t) => Cow::Borrowed(t),
                Err(_) => {
                    repaired = true;
                    String::from_utf8_lossy(f)
                }
            })
            .collect();
        if repaired {
            self.batch.tally.repaired_utf8 += 1;
        }
        let refs: Vec<&str> = owned.iter().map(|c| c.as_ref()).collect();
        self.record(&refs, line);
    }

    /// CSV and tab-separated dumps, through the csv crate (quotes, quoted newlines).
    pub(super) fn parse_delimited(&mut self, data: &[u8], first_line: u64, skip_header: bool) {
        // Records end at LF only: a lone CR inside a value stays in the value (a CRLF's CR is
        // taken off the last field below).
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.layout.delimiter.byte())
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(data);
        let mut rec = csv::ByteRecord::new();
        let mut skip = skip_header;
        // Physical line numbers from byte offsets: the crate skips blank lines and its own
        // line count skips newlines inside quoted values.
        let (mut counted_to, mut line_at) = (0usize, first_line);
        let mut line_of = |byte: usize| {
            let byte = byte.min(data.len());
            if byte >= counted_to {
                line_at += memchr::memchr_iter(b'\n', &data[counted_to..byte]).count() as u64;
                counted_to = byte;
            }
            line_at
        };
        // The first physical line no record has accounted for yet.
        let mut next_line = first_line;
        loop {
            let mut from = rdr.position().byte() as usize;
            let result = rdr.read_byte_record(&mut rec);
            let to = rdr.position().byte() as usize;
            match result {
                Ok(false) => break,
                Ok(true) => {}
                Err(_) => {
                    let line = line_of(from);
                    self.batch.tally.reject(line, RejectReason::UnclosedQuote);
                    next_line = line + 1;
                    continue;
                }
            }
            // The crate reports a record from where it started looking: past blank lines.
            while from < data.len() && matches!(data[from], b'\r' | b'\n') {
                from += 1;
            }
            let first = line_of(from);
            let last = if to > 0 && data.get(to - 1) == Some(&b'\n') { line_of(to - 1) } else { line_of(to) };
            self.batch.tally.blank += first.saturating_sub(next_line);
            self.batch.tally.continued += last.saturating_sub(first);
            next_line = last + 1;
            if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                self.batch.tally.blank += 1;
                continue;
            }
            if skip {
                skip = false;
                self.batch.tally.headers += 1;
                continue;
            }
            let n = rec.len();
            let fields = rec
                .iter()
                .enumerate()
                .map(|(k, f)| if k + 1 == n { f.strip_suffix(b"\r").unwrap_or(f) } else { f });
            self.record_bytes(fields, first);
        }
        // Blank lines after the last record.
        let lines = memchr::memchr_iter(b'\n', data).count() as u64
            + u64::from(!data.is_empty() && !data.ends_with(b"\n"));
        self.batch.tally.blank += (first_line + lines).saturating_sub(next_line);
    }
}

/// Empties a vector of borrowed fields so its buffer can hold the next line's fields (whose
/// borrow has another lifetime); the in-place collect keeps the allocation.
#[allow(clippy::unnecessary_filter_map)]
pub(super) fn recycle<'b>(v: Vec<&str>) -> Vec<&'b str> {
    v.into_iter().filter_map(|_| None).collect()
}

/// True when split fields look like the text file's own header row.
pub(super) fn is_header_fields(fields: &[&str]) -> bool {
    fields.iter().filter(|f| Field::from_column_name(f).is_some()).count() >= 3
}

/// Splits a line that contains quotes, honouring them; `None` when a quote is left open.
pub(super) fn split_quoted(line: &str, delim: u8) -> Option<Vec<String>> {
    // The csv crate closes an open quote at end of input; treat an odd quote count as open.
    if line.matches('"').count() % 2 == 1 {
        return None;
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(line.as_bytes());
    let mut rec = csv::StringRecord::new();
    match rdr.read_record(&mut rec) {
        Ok(true) => Some(rec.iter().map(str::to_string).collect()),
        _ => None,
    }
}
