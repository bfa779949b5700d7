//! Parsing one block of a source into a [`Batch`]: columns plus the block's own pools. Blocks
//! are parsed on worker threads and merged into the store in order.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::columns::{Columns, NO_PDD, NO_SMALL, NO_STOP};
use super::fields::{Column, Field, PIPE_FIELDS, PIPE_MIN_FIELDS};
use super::form::{Delimiter, Layout};
use super::number::{DerivedNumber, PackedNumber};
use super::pool::Pools;
use super::reason::Reason;
use super::reject::{RejectReason, Rejected, sample};
use super::time::{TimeForm, TimeReader, TimeValue};
use super::warn::{FieldNotes, why};

/// Rejected lines kept per batch for display (as many as the whole load keeps: the first 500
/// may all be in the first block); all are counted.
pub const REJECT_SAMPLES_PER_BATCH: usize = super::store::REJECT_SAMPLES;
/// No CDR form has anywhere near this many fields (the widest real layout has 65): a line with
/// more is rejected whole instead of growing a column per field.
pub const MAX_FIELDS: usize = 1024;

/// A piece of one source, cut at a record boundary.
#[derive(Debug, Clone)]
pub struct Block {
    pub source: usize,
    pub seq: u64,
    /// Line number of the block's first line (1-based).
    pub first_line: u64,
    pub data: Vec<u8>,
    /// Rows from a database table (then `data` is empty); `first_line` counts rows.
    pub rows: super::rows::FieldRows,
    /// The first block of a file whose first non-blank line is a header.
    pub skip_header: bool,
    /// The last block of its source.
    pub ends_source: bool,
    /// An unterminated last line is a record still being written (newest text file).
    pub tail_is_pending: bool,
    /// A single line too long to be a CDR, skipped unread: its length in bytes.
    pub too_long: Option<u64>,
    /// Newlines in `data` (counted once, by the reader); rows for split rows.
    pub lines: u64,
}

/// Counts kept per source.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub rows: u64,
    pub blank: u64,
    pub headers: u64,
    pub pending: u64,
    pub repaired_utf8: u64,
    pub rejected: u64,
    pub samples: Vec<Rejected>,
    pub time_forms: BTreeMap<TimeForm, u64>,
    /// Hot-path counters, folded into `time_forms` and `field_counts` when a batch ends.
    time_form_counts: [u64; 3],
    field_count_small: Vec<u64>,
    /// Rows whose holdTime, set against the call's span, reads as ms / as seconds.
    pub hold_votes_ms: u64,
    pub hold_votes_s: u64,
    /// Lines by number of fields.
    pub field_counts: BTreeMap<usize, u64>,
    pub bytes: u64,
    /// Unusable values in kept calls, and "not measured" sentinels, per field.
    pub notes: FieldNotes,
    /// Physical lines read (records for spreadsheets, JSON and databases).
    pub lines: u64,
    /// Physical lines inside multi-line (quoted) records, past each record's first.
    pub continued: u64,
}

impl Tally {
    pub fn add(&mut self, o: &Tally, sample_cap: usize) {
        self.rows += o.rows;
        self.blank += o.blank;
        self.headers += o.headers;
        self.pending += o.pending;
        self.repaired_utf8 += o.repaired_utf8;
        self.rejected += o.rejected;
        let room = sample_cap.saturating_sub(self.samples.len());
        self.samples.extend(o.samples.iter().take(room).cloned());
        for (k, v) in &o.time_forms {
            *self.time_forms.entry(*k).or_default() += v;
        }
        self.hold_votes_ms += o.hold_votes_ms;
        self.hold_votes_s += o.hold_votes_s;
        for (k, v) in &o.field_counts {
            *self.field_counts.entry(*k).or_default() += v;
        }
        self.bytes += o.bytes;
        self.notes.add(&o.notes);
        self.lines += o.lines;
        self.continued += o.continued;
    }

    /// Every physical line is a row, a rejected, pending, blank or header line, or a line
    /// inside a multi-line record: nothing read goes uncounted.
    pub fn accounted_lines(&self) -> u64 {
        self.rows + self.rejected + self.pending + self.blank + self.headers + self.continued
    }

    /// Moves the hot-path counters into the maps.
    fn settle(&mut self) {
        for (i, form) in
            [TimeForm::LocalDateTime, TimeForm::EpochMillis, TimeForm::EpochSeconds].into_iter().enumerate()
        {
            if self.time_form_counts[i] > 0 {
                *self.time_forms.entry(form).or_default() += self.time_form_counts[i];
                self.time_form_counts[i] = 0;
            }
        }
        for (n, c) in self.field_count_small.iter_mut().enumerate() {
            if *c > 0 {
                *self.field_counts.entry(n).or_default() += *c;
                *c = 0;
            }
        }
    }

    fn count_fields(&mut self, n: usize) {
        if n >= 256 {
            *self.field_counts.entry(n).or_default() += 1;
            return;
        }
        if self.field_count_small.len() <= n {
            self.field_count_small.resize(n + 1, 0);
        }
        self.field_count_small[n] += 1;
    }

    fn reject(&mut self, line: u64, reason: RejectReason) {
        self.rejected += 1;
        if self.samples.len() < REJECT_SAMPLES_PER_BATCH {
            self.samples.push(Rejected { line, reason });
        }
    }
}

#[derive(Debug, Default)]
pub struct Batch {
    pub source: usize,
    pub seq: u64,
    pub ends_source: bool,
    pub cols: Columns,
    pub pools: Pools,
    pub tally: Tally,
}

#[derive(Clone, Copy)]
enum Slot {
    Known(Field),
    /// An extra column, and the field name to count `-1` "not measured" under when the
    /// column is one that uses that sentinel (`calleetype`, `callertype`).
    Extra(usize, Option<&'static str>),
}

/// A time field as read.
enum TimeRead<'a> {
    Absent,
    At(i64),
    Bad(&'a str),
}

/// Extra columns whose `-1` means "not measured" (real rows: no callee gateway chosen).
pub fn sentinel_column(name: &str) -> Option<&'static str> {
    if name.eq_ignore_ascii_case("calleetype") {
        Some("calleeType")
    } else if name.eq_ignore_ascii_case("callertype") {
        Some("callerType")
    } else {
        None
    }
}

/// `1.00206285364032E+017`: a number a spreadsheet turned into a float; its digits are gone.
/// Spreadsheets write one digit before the point, so the common case (a phone number) is
/// ruled out by its second byte.
fn scientific(t: &str) -> bool {
    let b = t.as_bytes();
    b.get(1) == Some(&b'.')
        && b[0].is_ascii_digit()
        && b.iter().position(|&c| c == b'E' || c == b'e').is_some_and(|i| b.get(i + 1) == Some(&b'+'))
}

const N_FIELDS: usize = Field::FlowNo as usize + 1;

/// Parses a block. Never fails: bad lines are tallied as rejected.
pub fn parse_block(block: &Block, layout: &Layout, times: &TimeReader) -> Batch {
    let mut p = Parser {
        batch: Batch {
            source: block.source,
            seq: block.seq,
            ends_source: block.ends_source,
            ..Batch::default()
        },
        slots: Vec::new(),
        layout,
        times,
        plausible: super::time::plausible_range(super::time::now_ms()),
    };
    p.batch.tally.bytes = block.data.len() as u64;
    p.batch.tally.lines = if layout.database {
        block.rows.len() as u64
    } else {
        block.lines + u64::from(block.ends_source && !block.data.is_empty() && !block.data.ends_with(b"\n"))
    };
    if let Some(bytes) = block.too_long {
        p.batch.tally.bytes = bytes;
        let max_mib = super::load::MAX_RECORD_BYTES >> 20;
        p.batch.tally.reject(block.first_line, RejectReason::TooLong { bytes, max_mib });
        return p.batch;
    }
    match &layout.columns {
        Some(cols) => {
            for c in cols {
                let slot = match c {
                    Column::Known(f) => Slot::Known(*f),
                    Column::Extra(name) => {
                        Slot::Extra(p.batch.cols.extra_index(name, 0), sentinel_column(name))
                    }
                };
                p.slots.push(slot);
            }
        }
        None => p.slots.extend(PIPE_FIELDS.iter().map(|f| Slot::Known(*f))),
    }
    let est_rows = block.data.len() / 150 + block.rows.len() + 16;
    p.batch.cols.reserve(est_rows);

    // Cut off an unterminated last line: pending when the file is being written.
    let mut data: &[u8] = &block.data;
    if block.ends_source && block.tail_is_pending && !data.is_empty() && !data.ends_with(b"\n") {
        let cut = memchr::memrchr(b'\n', data).map_or(0, |i| i + 1);
        if data[cut..].trim_ascii().is_empty() {
            p.batch.tally.blank += 1;
        } else {
            p.batch.tally.pending += 1;
        }
        data = &data[..cut];
    }
    if layout.database {
        p.parse_rows(&block.rows, block.first_line);
    } else if layout.delimiter == Delimiter::Pipe || layout.mysql_escapes {
        p.parse_lines(data, block.first_line, block.skip_header);
    } else {
        p.parse_delimited(data, block.first_line, block.skip_header);
    }
    p.batch.tally.settle();
    p.batch
}

struct Parser<'l> {
    batch: Batch,
    slots: Vec<Slot>,
    layout: &'l Layout,
    times: &'l TimeReader,
    /// Call times outside this range are kept with a warning.
    plausible: std::ops::RangeInclusive<i64>,
}

impl Parser<'_> {
    /// Text files: one record per line, split on `|` (quote-aware only when a line has
    /// quotes). Each line is checked as UTF-8 once; a bad line is repaired and kept.
    fn parse_lines(&mut self, data: &[u8], first_line: u64, mut skip_header: bool) {
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
    fn parse_rows(&mut self, rows: &super::rows::FieldRows, first_row: u64) {
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
    fn record_bytes<'a>(&mut self, fields: impl Iterator<Item = &'a [u8]>, line: u64) {
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
    fn parse_delimited(&mut self, data: &[u8], first_line: u64, skip_header: bool) {
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

    /// Builds one row from split fields, or tallies why not.
    fn record(&mut self, fields: &[&str], line: u64) {
        self.batch.tally.count_fields(fields.len());
        if fields.len() > MAX_FIELDS {
            return self
                .batch
                .tally
                .reject(line, RejectReason::TooManyFields { found: fields.len(), max: MAX_FIELDS });
        }
        let mut fields = fields;
        match self.layout.columns.as_ref() {
            None if fields.len() < PIPE_MIN_FIELDS => {
                return self
                    .batch
                    .tally
                    .reject(line, RejectReason::TooFewFields { found: fields.len(), min: PIPE_MIN_FIELDS });
            }
            Some(_) if self.layout.positional && fields.len() < self.layout.min_fields => {
                return self.batch.tally.reject(
                    line,
                    RejectReason::TooFewFieldsFor {
                        found: fields.len(),
                        min: self.layout.min_fields,
                        form: "forwarded CDR",
                    },
                );
            }
            // Positional forms take any count from there on (extra fields are kept).
            Some(_) if self.layout.positional => {}
            // The portal's writer ends every value with a comma: one empty field too many.
            Some(cols) if fields.len() == cols.len() + 1 && fields.last().is_some_and(|f| f.is_empty()) => {
                fields = &fields[..cols.len()];
            }
            Some(cols) if fields.len() != cols.len() => {
                return self
                    .batch
                    .tally
                    .reject(line, RejectReason::FieldCount { found: fields.len(), expected: cols.len() });
            }
            _ => {}
        }
        // Positional lines longer than the layout's fields: keep the rest as extras.
        while self.slots.len() < fields.len() {
            let name = format!("field{}", self.slots.len() + 1);
            let rows = self.batch.cols.len();
            let i = self.batch.cols.extra_index(&name, rows);
            self.slots.push(Slot::Extra(i, None));
        }
        let mut known: [Option<&str>; N_FIELDS] = [None; N_FIELDS];
        let mut extras: Vec<(usize, &str)> = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            match self.slots[i] {
                Slot::Known(k) => known[k as usize] = Some(f),
                Slot::Extra(e, sentinel) => {
                    if let Some(name) = sentinel
                        && f.trim() == "-1"
                    {
                        self.batch.tally.notes.not_measured(name);
                    }
                    extras.push((e, f));
                }
            }
        }
        match self.build(&known, &extras, line) {
            Ok(()) => {
                let row = self.batch.cols.len() - 1;
                self.batch.cols.push_line(row, u32::try_from(line).unwrap_or(u32::MAX));
                self.batch.tally.rows += 1;
            }
            Err(reason) => {
                // A header row repeated mid-file (concatenated dumps) is not a bad record.
                if matches!(reason, RejectReason::BadTime { .. }) && is_header_fields(fields) {
                    self.batch.tally.headers += 1;
                } else {
                    self.batch.tally.reject(line, reason);
                }
            }
        }
    }

    /// A field's text: as is, or with `mysql -B` escapes undone (`\t`, `\n`, `\\`, `NULL`).
    fn text<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        if !self.layout.mysql_escapes {
            return Cow::Borrowed(raw);
        }
        if raw == "NULL" {
            return Cow::Borrowed("");
        }
        if !raw.contains('\\') {
            return Cow::Borrowed(raw);
        }
        let mut out = String::with_capacity(raw.len());
        let mut it = raw.chars();
        while let Some(c) = it.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        }
        Cow::Owned(out)
    }

    /// Reads a time field: absent, a time, or unreadable (the raw value, for messages).
    fn time<'a>(&mut self, raw: Option<&'a str>) -> TimeRead<'a> {
        let Some(raw) = raw else { return TimeRead::Absent };
        let raw = if self.layout.mysql_escapes && raw == "NULL" { "" } else { raw };
        match self.times.parse(raw.as_bytes()) {
            Some(TimeValue::Absent) => TimeRead::Absent,
            Some(TimeValue::At(ms, form)) => {
                let slot = match form {
                    TimeForm::LocalDateTime => 0,
                    TimeForm::EpochMillis => 1,
                    TimeForm::EpochSeconds => 2,
                };
                self.batch.tally.time_form_counts[slot] += 1;
                TimeRead::At(ms)
            }
            None => TimeRead::Bad(raw),
        }
    }

    fn warn(&mut self, field: &'static str, value: &[u8], why: &'static str, line: u64) {
        self.batch.tally.notes.warn(field, value, why, line);
    }

    /// Places the call in time: start and stop-minus-start. Only a call with no usable time at
    /// all is rejected; an unusable start or stop is a warning and the other stands in.
    fn place(
        &mut self,
        start: TimeRead<'_>,
        stop: TimeRead<'_>,
        line: u64,
    ) -> Result<(i64, u32), RejectReason> {
        let range = self.plausible.clone();
        let plausible = move |ms: i64| range.contains(&ms);
        let warn_bad = |p: &mut Self, field: &'static str, t: &TimeRead<'_>| {
            if let TimeRead::Bad(raw) = t {
                p.warn(field, raw.as_bytes(), why::NOT_A_TIME, line);
            }
        };
        match (start, stop) {
            (TimeRead::At(a), TimeRead::At(b)) => {
                if !plausible(a) && plausible(b) {
                    // The stop is the moment the call failed or ended: place it there.
                    self.warn("startTime", a.to_string().as_bytes(), why::IMPLAUSIBLE_TIME, line);
                    return Ok((b, 0));
                }
                if !plausible(a) {
                    self.warn("startTime", a.to_string().as_bytes(), why::IMPLAUSIBLE_TIME, line);
                }
                if b < a {
                    self.warn("stopTime", b.to_string().as_bytes(), why::STOP_BEFORE_START, line);
                    return Ok((a, NO_STOP));
                }
                match b.checked_sub(a).and_then(|d| u32::try_from(d).ok()) {
                    Some(span) if span != NO_STOP => Ok((a, span)),
                    _ => {
                        self.warn("stopTime", b.to_string().as_bytes(), why::SPAN_TOO_LONG, line);
                        Ok((a, NO_STOP))
                    }
                }
            }
            (TimeRead::At(a), other) => {
                warn_bad(self, "stopTime", &other);
                if !plausible(a) {
                    self.warn("startTime", a.to_string().as_bytes(), why::IMPLAUSIBLE_TIME, line);
                }
                Ok((a, NO_STOP))
            }
            (other, TimeRead::At(b)) => {
                warn_bad(self, "startTime", &other);
                if !plausible(b) {
                    self.warn("stopTime", b.to_string().as_bytes(), why::IMPLAUSIBLE_TIME, line);
                }
                Ok((b, 0))
            }
            (TimeRead::Bad(raw), _) => {
                Err(RejectReason::BadTime { field: "startTime", value: sample(raw.as_bytes()) })
            }
            (_, TimeRead::Bad(raw)) => {
                Err(RejectReason::BadTime { field: "stopTime", value: sample(raw.as_bytes()) })
            }
            (TimeRead::Absent, TimeRead::Absent) => Err(RejectReason::NoTime),
        }
    }

    /// An unsigned field; an unusable value is a warning and reads as unknown.
    fn uint(&mut self, raw: Option<&str>, field: &'static str, line: u64) -> Option<u64> {
        match uint(raw, field) {
            Ok(v) => v,
            Err(e) => {
                self.warn_from(e, raw, line);
                None
            }
        }
    }

    fn warn_from(&mut self, e: RejectReason, raw: Option<&str>, line: u64) {
        let (field, why) = match e {
            RejectReason::OutOfRange { field, .. } => (field, why::OUT_OF_RANGE),
            RejectReason::BadNumber { field, .. } => (field, why::NOT_A_NUMBER),
            _ => return,
        };
        self.warn(field, raw.unwrap_or("").trim().as_bytes(), why, line);
    }

    /// A small signed field (end direction, billing mode, ...); unknown when unusable.
    fn small(&mut self, raw: Option<&str>, field: &'static str, line: u64) -> i8 {
        small(raw, field).unwrap_or_else(|e| {
            self.warn_from(e, raw, line);
            NO_SMALL
        })
    }

    /// A PDD in ms; `-1` is VOS3000's "not measured".
    fn pdd(&mut self, raw: Option<&str>, field: &'static str, line: u64) -> u32 {
        let Some(t) = raw else { return NO_PDD };
        if t.trim_ascii() == "-1" {
            self.batch.tally.notes.not_measured(field);
            return NO_PDD;
        }
        match self.uint(Some(t), field, line) {
            None => NO_PDD,
            Some(v) if v < u64::from(NO_PDD) => v as u32,
            Some(_) => {
                self.warn(field, t.trim().as_bytes(), why::OUT_OF_RANGE, line);
                NO_PDD
            }
        }
    }

    fn build(
        &mut self,
        k: &[Option<&str>; N_FIELDS],
        extras: &[(usize, &str)],
        line: u64,
    ) -> Result<(), RejectReason> {
        let get = |f: Field| k[f as usize];
        let start = self.time(get(Field::StartTime));
        let stop = self.time(get(Field::StopTime));
        let (start_ms, span) = self.place(start, stop, line)?;
        let hold = self.uint(get(Field::HoldTime), "holdTime", line).unwrap_or(0);
        let hold = u32::try_from(hold).unwrap_or_else(|_| {
            self.warn("holdTime", hold.to_string().as_bytes(), why::OUT_OF_RANGE, line);
            0
        });
        let mut caller_pdd = self.pdd(get(Field::CallerPdd), "callerPdd", line);
        let mut callee_pdd = self.pdd(get(Field::CalleePdd), "calleePdd", line);
        if let Some(raw) = get(Field::PackedPdd) {
            if raw.trim_ascii() == "-1" {
                self.batch.tally.notes.not_measured("pdd");
            } else if let Some(packed) = self.uint(Some(raw), "pdd", line) {
                match u32::try_from(packed) {
                    Ok(packed) => {
                        let (hi, lo) = unpack_pdd(packed);
                        if hi == NO_PDD || lo == NO_PDD {
                            self.batch.tally.notes.not_measured("pdd");
                        }
                        caller_pdd = hi;
                        callee_pdd = lo;
                    }
                    Err(_) => self.warn("pdd", raw.trim().as_bytes(), why::OUT_OF_RANGE, line),
                }
            }
        }
        let end_direction = self.small(get(Field::EndDirection), "endDirection", line);
        let billing_mode = self.small(get(Field::BillingMode), "billingMode", line);
        let callee_billing = self.small(get(Field::CalleeBilling), "calleeBilling", line);
        let call_level = self.small(get(Field::CallLevel), "callLevel", line);
        let flowno = self.uint(get(Field::FlowNo), "flowno", line);
        let reason_raw = get(Field::EndReason).unwrap_or("");
        let reason = match small_code(reason_raw) {
            Some(code) => std::sync::Arc::make_mut(&mut self.batch.pools.reasons).intern_code(code),
            None => {
                let text = self.text(reason_raw);
                std::sync::Arc::make_mut(&mut self.batch.pools.reasons).intern(Reason::parse(&text))
            }
        };
        let reason = reason.unwrap_or_else(|| {
            self.warn("endReason", reason_raw.as_bytes(), why::TOO_MANY_REASONS, line);
            0
        });

        if span != NO_STOP && hold > 0 && span > 0 {
            let span_s = u64::from(span / 1000);
            if span_s >= 2 {
                if u64::from(hold) > span_s * 2 + 2 {
                    self.batch.tally.hold_votes_ms += 1;
                } else {
                    self.batch.tally.hold_votes_s += 1;
                }
            }
        }

        let caller = self.text(get(Field::CallerE164).unwrap_or(""));
        let callee = self.text(get(Field::CalleeE164).unwrap_or(""));
        for (f, t) in [("callerE164", &caller), ("calleeE164", &callee)] {
            if scientific(t) {
                self.warn(f, t.as_bytes(), why::SCIENTIFIC, line);
            }
        }
        let derived = |p: &mut Self, f: Field, primary: &str| -> DerivedNumber {
            match get(f) {
                Some(raw) => {
                    let t = p.text(raw);
                    if scientific(&t) {
                        p.warn(f.pipe_name(), t.as_bytes(), why::SCIENTIFIC, line);
                    }
                    DerivedNumber::encode(&t, primary, &mut p.batch.pools.numbers)
                }
                None => DerivedNumber::default(),
            }
        };
        let caller_access = derived(self, Field::CallerAccessE164, &caller);
        let callee_access = derived(self, Field::CalleeAccessE164, &callee);
        let caller_to_gw = derived(self, Field::CallerToGatewayE164, &caller);
        let callee_to_gw = derived(self, Field::CalleeToGatewayE164, &callee);
        let pooled = |p: &mut Self, f: Field, gw: bool| -> u32 {
            let t = p.text(get(f).unwrap_or(""));
            let t = t.trim_ascii();
            if gw { p.batch.pools.gateways.intern(t) } else { p.batch.pools.ips.intern(t) }
        };
        let caller_gw = pooled(self, Field::CallerGateway, true);
        let callee_gw = pooled(self, Field::CalleeGateway, true);
        let caller_ip = pooled(self, Field::CallerIp, false);
        let callee_ip = pooled(self, Field::CalleeIp, false);
        let extra_ids: Vec<(usize, u32)> = extras
            .iter()
            .map(|(i, raw)| {
                let t = self.text(raw);
                (*i, self.batch.pools.extra_values.intern(&t))
            })
            .collect();

        let c = &mut self.batch.cols;
        let row = c.len();
        c.start_ms.push(start_ms);
        c.span_ms.push(span);
        c.hold_raw.push(hold);
        c.caller_pdd_ms.push(caller_pdd);
        c.callee_pdd_ms.push(callee_pdd);
        c.reason.push(reason);
        c.end_direction.push(end_direction);
        c.billing_mode.push(billing_mode);
        c.callee_billing.push(callee_billing);
        c.call_level.push(call_level);
        c.caller_gw.push(caller_gw);
        c.callee_gw.push(callee_gw);
        c.caller_ip.push(caller_ip);
        c.callee_ip.push(callee_ip);
        c.caller.push(PackedNumber::encode(&caller, &mut self.batch.pools.numbers));
        c.callee.push(PackedNumber::encode(&callee, &mut self.batch.pools.numbers));
        c.caller_access.push(caller_access);
        c.callee_access.push(callee_access);
        c.caller_to_gw.push(caller_to_gw);
        c.callee_to_gw.push(callee_to_gw);
        if let Some(f) = flowno {
            c.flowno.push_at(row, f);
        }
        for (i, id) in extra_ids {
            if let Some(col) = c.extras.get_mut(i) {
                col.push_at(row, id);
            }
        }
        for col in &mut c.extras {
            col.pad_to(row + 1);
        }
        Ok(())
    }
}

/// Empties a vector of borrowed fields so its buffer can hold the next line's fields (whose
/// borrow has another lifetime); the in-place collect keeps the allocation.
#[allow(clippy::unnecessary_filter_map)]
fn recycle<'b>(v: Vec<&str>) -> Vec<&'b str> {
    v.into_iter().filter_map(|_| None).collect()
}

/// A plain signed integer end reason (the common case), parsed without allocating.
fn small_code(raw: &str) -> Option<i32> {
    let (neg, digits) = match raw.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, raw.as_bytes()),
    };
    if digits.is_empty() || digits.len() > 6 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = digits.iter().fold(0i32, |a, d| a * 10 + i32::from(d - b'0'));
    Some(if neg { -v } else { v })
}

/// True when split fields look like the text file's own header row.
fn is_header_fields(fields: &[&str]) -> bool {
    fields.iter().filter(|f| Field::from_column_name(f).is_some()).count() >= 3
}

/// Splits a line that contains quotes, honouring them; `None` when a quote is left open.
fn split_quoted(line: &str, delim: u8) -> Option<Vec<String>> {
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

/// Digits only, parsed straight from the bytes; `Err(())` for anything else.
fn digits_u64(t: &[u8]) -> Result<u64, ()> {
    if t.is_empty() || t.len() > 19 {
        return Err(());
    }
    let mut v: u64 = 0;
    for &b in t {
        if !b.is_ascii_digit() {
            return Err(());
        }
        v = v.checked_mul(10).and_then(|v| v.checked_add(u64::from(b - b'0'))).ok_or(())?;
    }
    Ok(v)
}

fn is_null(t: &[u8]) -> bool {
    t.is_empty() || t == b"NULL" || t == b"\\N"
}

fn uint(raw: Option<&str>, field: &'static str) -> Result<Option<u64>, RejectReason> {
    let Some(raw) = raw else { return Ok(None) };
    let t = raw.as_bytes().trim_ascii();
    if is_null(t) {
        return Ok(None);
    }
    digits_u64(t).map(Some).map_err(|()| {
        let digits = t.strip_prefix(b"-").unwrap_or(t);
        if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
            RejectReason::OutOfRange { field, value: sample(t) }
        } else {
            RejectReason::BadNumber { field, value: sample(t) }
        }
    })
}

fn small(raw: Option<&str>, field: &'static str) -> Result<i8, RejectReason> {
    let Some(raw) = raw else { return Ok(NO_SMALL) };
    let t = raw.as_bytes().trim_ascii();
    if is_null(t) {
        return Ok(NO_SMALL);
    }
    let (neg, digits) = match t.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, t),
    };
    let v = digits_u64(digits).map_err(|()| {
        if digits.iter().all(u8::is_ascii_digit) && !digits.is_empty() {
            RejectReason::OutOfRange { field, value: sample(t) }
        } else {
            RejectReason::BadNumber { field, value: sample(t) }
        }
    })?;
    let v = i64::try_from(v).map(|v| if neg { -v } else { v }).unwrap_or(i64::MAX);
    match i8::try_from(v) {
        Ok(v) if v != NO_SMALL => Ok(v),
        _ => Err(RejectReason::OutOfRange { field, value: sample(t) }),
    }
}

/// Old-layout `pdd`: two 16-bit halves, each in ms, where a half above 30000 means
/// (value - 30000) seconds. Which half is the caller's is not known; the high half is
/// reported as the caller's. A half of 0xFFFF (-1 as 16 bits, seen in the real sample row)
/// means not measured.
pub fn unpack_pdd(packed: u32) -> (u32, u32) {
    let half = |v: u32| match v {
        0xFFFF => NO_PDD,
        v if v > 30_000 => (v - 30_000) * 1000,
        v => v,
    };
    (half(packed >> 16), half(packed & 0xffff))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::time::Zone;

    fn parse(text: &str, layout: &Layout) -> Batch {
        let block = Block {
            source: 0,
            seq: 0,
            first_line: 1,
            data: text.as_bytes().to_vec(),
            rows: Default::default(),
            skip_header: layout.has_header(),
            ends_source: true,
            tail_is_pending: false,
            too_long: None,
            lines: memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64,
        };
        parse_block(&block, layout, &TimeReader::new(Zone::parse("UTC").expect("utc")))
    }

    #[test]
    fn old_pdd_halves() {
        assert_eq!(unpack_pdd((1200 << 16) | 30_005), (1200, 5000));
        // The real sample row: 592379903 = 0x234E_FFFF.
        assert_eq!(unpack_pdd(592_379_903), (9038, NO_PDD));
    }

    #[test]
    fn every_reject_reason_is_reported_with_its_line() {
        let ok = "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1";
        let lines = [
            ok.to_string(),
            "1|2|3".to_string(),
            ok.replace("2026-11-20 10:00:00|2026-11-20 10:00:30", "yesterday|today"),
            ok.replace("2026-11-20 10:00:00|2026-11-20 10:00:30", "0|0"),
            ok.replace("2026-11-20 10:00:00|2026-11-20 10:00:30", "|tomorrow"),
            format!("{ok}|\"open"),
        ];
        let b = parse(&(lines.join("\n") + "\n"), &Layout::positional_pipe());
        assert_eq!(b.tally.rows, 1);
        assert_eq!(b.tally.rejected, 5);
        let got: Vec<String> = b.tally.samples.iter().map(|r| format!("{}: {}", r.line, r.reason)).collect();
        let expect = [
            "2: 3 fields; a VOS3000 text CDR has at least 17 (17 or 19)",
            "3: startTime is not a time: 'yesterday'",
            "4: no start or stop time",
            "5: stopTime is not a time: 'tomorrow'",
            "6: a quoted value is not closed",
        ];
        assert_eq!(got, expect);
    }

    /// One odd field never costs the call: it becomes unknown and is counted per field.
    #[test]
    fn odd_fields_are_warnings_and_the_call_is_kept() {
        let ok =
            "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1|300|400";
        let lines = [
            ok.replace("2026-11-20 10:00:00|", "yesterday|"),
            ok.replace("10:00:30", "09:00:00"),
            ok.replace("20000", "12.5"),
            ok.replace("20000", "99999999999"),
            ok.replace("|1|A|", "|x|A|"),
            ok.replace("|1|A|", "|300|A|"),
            ok.replace("|300|400", "|-1|-1"),
            ok.replace("|300|400", "|-5|abc"),
            ok.replace("2026-11-20 10:00:00|", "9999999999999999|"),
            ok.replace("|1|2|1|2|0|1|", "|1|1.00206285364032E+017|1|2|0|1|"),
        ];
        let b = parse(&(lines.join("\n") + "\n"), &Layout::positional_pipe());
        assert_eq!((b.tally.rows, b.tally.rejected), (10, 0));
        let w = &b.tally.notes.warnings;
        let seen: Vec<(&str, u64, &str, u64)> =
            w.iter().map(|(f, x)| (*f, x.count, x.why, x.first_line)).collect();
        assert_eq!(
            seen,
            [
                ("calleeAccessE164", 1, why::SCIENTIFIC, 10),
                ("calleePdd", 1, why::NOT_A_NUMBER, 8),
                ("callerPdd", 1, why::OUT_OF_RANGE, 8),
                ("endDirection", 2, why::NOT_A_NUMBER, 5),
                ("holdTime", 2, why::NOT_A_NUMBER, 3),
                ("startTime", 2, why::NOT_A_TIME, 1),
                ("stopTime", 1, why::STOP_BEFORE_START, 2),
            ]
        );
        assert_eq!(w["endDirection"].example, "x");
        assert_eq!(w["holdTime"].example, "12.5");
        // The sentinels are not warnings.
        assert_eq!(b.tally.notes.not_measured.get("callerPdd"), Some(&1));
        assert_eq!(b.tally.notes.not_measured.get("calleePdd"), Some(&1));
        // Unknown values read as absent, never as 0.
        assert_eq!(b.cols.caller_pdd_ms[6], NO_PDD);
        assert_eq!(b.cols.end_direction[4], NO_SMALL);
        assert_eq!(b.cols.hold_raw[2], 0);
        // A bad start: the call is placed at its stop; an implausible one likewise.
        assert_eq!(b.cols.span_ms[0], 0);
        assert_eq!(b.cols.span_ms[8], 0);
        assert_eq!(b.cols.start_ms[8], b.cols.start_ms[0]);
        assert_eq!(b.cols.span_ms[1], NO_STOP);
    }

    #[test]
    fn header_layout_reasons() {
        let layout = crate::cdr::form::detect(b"starttime,stoptime,endreason,callere164\n").expect("csv");
        let text = "starttime,stoptime,endreason,callere164\n\
                    2026-11-20 10:00:00,2026-11-20 10:00:30,-8,1\n\
                    2026-11-20 10:00:00,-8,1\n\
                    2026-01-01 10:00:00,2026-03-01 10:00:00,-8,1\n";
        let b = parse(text, &layout);
        assert_eq!(b.tally.rows, 2);
        let got: Vec<String> = b.tally.samples.iter().map(|r| format!("{}: {}", r.line, r.reason)).collect();
        assert_eq!(got, ["3: 3 fields where the header has 4"]);
        assert_eq!(b.tally.notes.warnings["stopTime"].why, why::SPAN_TOO_LONG);
    }

    #[test]
    fn too_many_distinct_end_reasons_keep_the_calls() {
        let mut text = String::new();
        for i in 0..70_000 {
            text.push_str(&format!(
                "1|2|2026-11-20 10:00:00|2026-11-20 10:00:00|0|Reason{i}|1|A|B|1|2|1|2|1|2|0|1\n"
            ));
        }
        let b = parse(&text, &Layout::positional_pipe());
        // 65,536 ids, one of them the empty reason; the rest are kept with no reason.
        assert_eq!(b.tally.rows, 70_000);
        assert_eq!(b.tally.notes.warnings["endReason"].count, 70_000 - 65_535);
    }

    #[test]
    fn header_rows_blank_lines_and_crlf() {
        let text = "callerE164|calleeE164|startTime|stopTime|holdTime|endReason|endDirection|callerGatewayId|calleeGatewayId|callerIp|calleeIp|callerAccessE164|calleeAccessE164|callerToGatewayE164|calleeToGatewayE164|calleeBilling|billingMode\r\n\r\n1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\r\n";
        let b = parse(text, &Layout::positional_pipe());
        assert_eq!((b.tally.rows, b.tally.headers, b.tally.blank, b.tally.rejected), (1, 1, 1, 0));
        assert_eq!(b.cols.line(0), 3);
    }

    #[test]
    fn pending_tail() {
        let ok = "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1";
        let block = Block {
            source: 0,
            seq: 0,
            first_line: 1,
            data: format!("{ok}\n{ok}").into_bytes(),
            rows: Default::default(),
            skip_header: false,
            ends_source: true,
            tail_is_pending: true,
            too_long: None,
            lines: 0,
        };
        let b = parse_block(
            &block,
            &Layout::positional_pipe(),
            &TimeReader::new(Zone::parse("UTC").expect("utc")),
        );
        assert_eq!((b.tally.rows, b.tally.pending, b.tally.rejected), (1, 1, 0));
    }

    #[test]
    fn invalid_utf8_is_kept_and_counted() {
        let line = b"1\xff\xfe|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n".to_vec();
        let block = Block {
            source: 0,
            seq: 0,
            first_line: 1,
            data: line,
            rows: Default::default(),
            skip_header: false,
            ends_source: true,
            tail_is_pending: false,
            too_long: None,
            lines: 0,
        };
        let b = parse_block(
            &block,
            &Layout::positional_pipe(),
            &TimeReader::new(Zone::parse("UTC").expect("utc")),
        );
        assert_eq!(b.tally.rows, 1);
        assert!(b.tally.repaired_utf8 >= 1);
        assert_eq!(b.cols.caller[0].to_string(&b.pools.numbers), "1\u{fffd}\u{fffd}");
    }
}
