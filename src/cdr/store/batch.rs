//! What parsing one block yields, and what the store takes in: a batch of columns with the
//! block's own pools, and the tally that accounts for every line the block held.

use std::collections::BTreeMap;

use crate::cdr::record::reject::{RejectReason, Rejected};
use crate::cdr::record::time::TimeForm;
use crate::cdr::record::warn::FieldNotes;
use crate::cdr::store::columns::Columns;
use crate::cdr::store::pool::Pools;

/// A parsed block: its rows in columns, the strings they point to, and its counts.
#[derive(Debug, Default)]
pub struct Batch {
    pub source: usize,
    pub seq: u64,
    pub ends_source: bool,
    pub cols: Columns,
    pub pools: Pools,
    pub tally: Tally,
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
    pub(crate) time_form_counts: [u64; 3],
    pub(crate) field_count_small: Vec<u64>,
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
    pub(crate) fn settle(&mut self) {
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

    pub(crate) fn count_fields(&mut self, n: usize) {
        if n >= 256 {
            *self.field_counts.entry(n).or_default() += 1;
            return;
        }
        if self.field_count_small.len() <= n {
            self.field_count_small.resize(n + 1, 0);
        }
        self.field_count_small[n] += 1;
    }

    pub(crate) fn reject(&mut self, line: u64, reason: RejectReason) {
        self.rejected += 1;
        if self.samples.len() < crate::cdr::record::reject::REJECT_SAMPLES {
            self.samples.push(Rejected { line, reason });
        }
    }
}
