//! Working out, from a file's first bytes, which CDR form it is in.

use std::fmt;

use crate::cdr::record::fields::{
    Column, FORWARDED_COLUMNS, FORWARDED_MIN_FIELDS, Field, PIPE_MIN_FIELDS, columns_from_header,
    header_is_cdr,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    Pipe,
    Tab,
    Comma,
}

impl Delimiter {
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Pipe => b'|',
            Delimiter::Tab => b'\t',
            Delimiter::Comma => b',',
        }
    }
}

/// How one source's records are laid out.
#[derive(Clone, Debug)]
pub struct Layout {
    pub delimiter: Delimiter,
    /// Column meanings, from the header row; `None` for the header-less text file, whose
    /// fields are positional (see [`crate::cdr::record::fields::PIPE_FIELDS`]).
    pub columns: Option<Vec<Column>>,
    /// `mysql -B` output: backslash escapes and `NULL`.
    pub mysql_escapes: bool,
    /// Rows read from the database itself (fields arrive already split).
    pub database: bool,
    /// Columns are positional (no header row): a record may have fewer fields than
    /// `columns` (older senders) but at least `min_fields`; more are kept as extras.
    pub positional: bool,
    pub min_fields: usize,
}

impl Layout {
    pub fn positional_pipe() -> Layout {
        Layout {
            delimiter: Delimiter::Pipe,
            columns: None,
            mysql_escapes: false,
            database: false,
            positional: false,
            min_fields: PIPE_MIN_FIELDS,
        }
    }

    /// The real-time forwarded CDR: positional, comma-separated, quoted strings.
    pub fn forwarded() -> Layout {
        Layout {
            delimiter: Delimiter::Comma,
            columns: Some(columns_from_header(FORWARDED_COLUMNS.iter().copied())),
            mysql_escapes: false,
            database: false,
            positional: true,
            min_fields: FORWARDED_MIN_FIELDS,
        }
    }

    /// A header row comes first (not for positional forms).
    pub fn has_header(&self) -> bool {
        self.columns.is_some() && !self.positional
    }

    fn has(&self, f: Field) -> bool {
        self.columns.as_ref().is_some_and(|c| c.contains(&Column::Known(f)))
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(cols) = &self.columns else {
            return f.write_str("VOS3000 text file (pipe-delimited, positional fields)");
        };
        if self.positional {
            return f.write_str("VOS3000 real-time forwarded CDRs (comma-separated, positional fields)");
        }
        let known = cols.iter().filter(|c| matches!(c, Column::Known(_))).count();
        let kind = match self.delimiter {
            _ if self.database => "database table",
            Delimiter::Pipe => "VOS3000 text file with header row",
            Delimiter::Tab => "tab-separated dump with header (mysql -B)",
            Delimiter::Comma => "CSV with header",
        };
        let family = if self.has(Field::PackedPdd) {
            ", e_cdr old layout"
        } else if self.has(Field::CallerPdd) && self.has(Field::FlowNo) {
            ", e_cdr current layout"
        } else {
            ""
        };
        write!(f, "{kind}{family}: {} columns, {known} mapped", cols.len())
    }
}

/// Why a file could not be read as CDRs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCdr(pub String);

/// Lines of the first block looked at to tell a positional form.
const SAMPLE_LINES: usize = 200;

/// Detects the layout of a line form from the start of a (decompressed) file: a header row
/// naming CDR columns on the first line, else the positional form most of a sample of lines
/// has (so one bad first line is one rejected line, not an unread file). The forms are
/// [`crate::cdr::formats::FORMATS`], tried in their order.
pub fn detect(head: &[u8]) -> Result<Layout, NotCdr> {
    let forms = crate::cdr::formats::FORMATS;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.trim_ascii().is_empty());
    let Some(line) = lines.next() else {
        return Err(NotCdr("the file is empty".into()));
    };
    if let Some(layout) = forms.iter().find_map(|f| f.header(line)) {
        return Ok(layout);
    }
    let positional: Vec<(&dyn crate::cdr::formats::Format, Layout)> =
        forms.iter().filter_map(|f| Some((*f, f.positional()?))).collect();
    let mut votes = vec![0usize; positional.len()];
    let mut sampled = 0usize;
    for l in std::iter::once(line).chain(lines).take(SAMPLE_LINES) {
        sampled += 1;
        // A line counts for the first form it looks like.
        if let Some(k) = positional.iter().position(|(f, _)| f.is_record_line(l)) {
            votes[k] += 1;
        }
    }
    // A sample of one decides by itself; otherwise most lines must agree, and a tie goes to
    // the form listed first.
    let most = |n: usize| n > 0 && n * 2 >= sampled;
    let mut best: Option<usize> = None;
    for (k, &n) in votes.iter().enumerate() {
        if most(n) && best.is_none_or(|b| n > votes[b]) {
            best = Some(k);
        }
    }
    if let Some(k) = best {
        return Ok(positional[k].1.clone());
    }
    let pipes = memchr::memchr_iter(b'|', line).count();
    let tabs = memchr::memchr_iter(b'\t', line).count();
    let commas = memchr::memchr_iter(b',', line).count();
    let looked: Vec<String> =
        positional.iter().zip(&votes).map(|((f, _), n)| format!("{n} like {}", f.lines_called())).collect();
    Err(NotCdr(format!(
        "not a recognised CDR form: the first line has {} '|'-separated fields (the VOS3000 text file has {PIPE_MIN_FIELDS} or more), {tabs} tabs and {commas} commas, and no header naming CDR columns such as starttime and endreason; of the first {sampled} lines, {}",
        pipes + 1,
        looked.join(" and ")
    )))
}

/// The layout a header row on the first line gives with this delimiter, or `None` when the
/// line does not name CDR columns. Tab-separated dumps are `mysql -B` output (backslash
/// escapes).
pub fn header_layout(line: &[u8], delim: Delimiter) -> Option<Layout> {
    if !line.contains(&delim.byte()) {
        return None;
    }
    let columns = header_columns(line, delim)?;
    Some(Layout {
        delimiter: delim,
        columns: Some(columns),
        mysql_escapes: delim == Delimiter::Tab,
        database: false,
        positional: false,
        min_fields: 0,
    })
}

/// Splits a header line and maps it, or `None` when it does not name CDR columns.
pub fn header_columns(line: &[u8], delim: Delimiter) -> Option<Vec<Column>> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).delimiter(delim.byte()).flexible(true).from_reader(line);
    let rec = rdr.records().next()?.ok()?;
    let cols = columns_from_header(rec.iter());
    header_is_cdr(&cols).then_some(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_form() {
        let tsv = include_bytes!("../../../tests/fixtures/e_cdr_20210429_vos3000_2140.tsv");
        let l = detect(tsv).expect("tsv");
        assert_eq!(l.delimiter, Delimiter::Tab);
        assert!(l.to_string().contains("old layout"), "{l}");
        let pipe = b"13800138000|0086139|2026-11-20 10:00:00|2026-11-20 10:00:10|5000|-8|1|GW-A|GW-B|1.1.1.1|2.2.2.2|a|b|c|d|0|1|100|200\n";
        assert!(!detect(pipe).expect("pipe").has_header());
        let csv = b"\xEF\xBB\xBF\"flowno\",\"starttime\",\"callere164\",\"endreason\"\n1,2,3,4\n";
        let l = detect(csv).expect("csv");
        assert_eq!(l.delimiter, Delimiter::Comma);
        let header_pipe = b"callerE164|calleeE164|startTime|stopTime|holdTime|endReason\r\n";
        assert!(detect(header_pipe).expect("pipe header").has_header());
        // One bad first line among good ones: still the text form (the bad line is rejected).
        let good = "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n";
        let mixed = format!("garbage first line\n{}", good.repeat(5));
        assert!(!detect(mixed.as_bytes()).expect("pipe by sample").has_header());
        let long_first = format!("{}\n{}", "x".repeat(100_000), good.repeat(3));
        assert!(detect(long_first.as_bytes()).is_ok());
        let err = detect(b"hello,world\n").expect_err("not cdr");
        assert!(err.0.contains("not a recognised CDR form"));
        assert!(detect(b"\n\n").is_err());
        let fwd = include_bytes!("../../../tests/fixtures/real/realtime_forwarded_row.csv");
        let l = detect(fwd).expect("forwarded");
        assert!(l.positional && !l.has_header(), "{l}");
    }
}
