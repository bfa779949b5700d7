//! Parsing one block of a source into a [`Batch`]: columns plus the block's own pools. Blocks
//! are parsed on worker threads and merged into the store in order.
//!
//! Here: the block, its tally and the record builder (a row from split fields). Cutting the
//! block into records and fields is in `framing.rs`; reading one field's value (text, times,
//! numbers, PDD) in `values.rs`.

use crate::cdr::formats::detect::{Delimiter, Layout};
use crate::cdr::record::fields::{Column, Field, PIPE_FIELDS, PIPE_MIN_FIELDS};
use crate::cdr::record::reason::Reason;
use crate::cdr::record::reject::RejectReason;
use crate::cdr::record::time::TimeReader;
use crate::cdr::record::warn::why;
use crate::cdr::store::batch::Batch;
use crate::cdr::store::columns::{NO_PDD, NO_STOP};
use crate::cdr::store::number::{DerivedNumber, PackedNumber};

mod framing;
#[cfg(test)]
mod tests;
mod values;

use framing::is_header_fields;
use values::{scientific, small_code};
pub use values::{sentinel_column, unpack_pdd};

/// Rejected lines kept per batch for display (as many as the whole load keeps: the first 500
/// may all be in the first block); all are counted.
pub const REJECT_SAMPLES_PER_BATCH: usize = crate::cdr::record::reject::REJECT_SAMPLES;
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
    pub rows: crate::cdr::record::rows::FieldRows,
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
        plausible: crate::cdr::record::time::plausible_range(crate::cdr::record::time::now_ms()),
    };
    p.batch.tally.bytes = block.data.len() as u64;
    p.batch.tally.lines = if layout.database {
        block.rows.len() as u64
    } else {
        block.lines + u64::from(block.ends_source && !block.data.is_empty() && !block.data.ends_with(b"\n"))
    };
    if let Some(bytes) = block.too_long {
        p.batch.tally.bytes = bytes;
        let max_mib = crate::cdr::record::reject::MAX_RECORD_BYTES >> 20;
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
