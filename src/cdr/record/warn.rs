//! Values a kept call could not use. One odd field never costs the call: the field becomes
//! unknown for that call and the value is counted here, per field, with the first example.
//! Documented sentinels (`-1` "not measured") are normal data and counted apart.

use std::collections::BTreeMap;

use crate::cdr::record::reject::sample;

/// One field's unreadable values in one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldWarning {
    pub count: u64,
    /// The first value seen, shortened (untrusted text: sanitize before showing).
    pub example: String,
    /// Why it could not be used ("not a whole number", ...).
    pub why: &'static str,
    /// Line (or record) where the first one was seen.
    pub first_line: u64,
}

/// Per-field counts of unusable values and of "not measured" sentinels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldNotes {
    pub warnings: BTreeMap<&'static str, FieldWarning>,
    pub not_measured: BTreeMap<&'static str, u64>,
}

impl FieldNotes {
    /// Counts an unusable value; the first one seen stays the example.
    pub fn warn(&mut self, field: &'static str, value: &[u8], why: &'static str, line: u64) {
        self.warnings.entry(field).and_modify(|w| w.count += 1).or_insert_with(|| FieldWarning {
            count: 1,
            example: sample(value),
            why,
            first_line: line,
        });
    }

    pub fn not_measured(&mut self, field: &'static str) {
        *self.not_measured.entry(field).or_default() += 1;
    }

    /// Folds in the notes of a later part of the same source (its examples come later).
    pub fn add(&mut self, o: &FieldNotes) {
        for (f, w) in &o.warnings {
            self.warnings.entry(f).and_modify(|mine| mine.count += w.count).or_insert_with(|| w.clone());
        }
        for (f, n) in &o.not_measured {
            *self.not_measured.entry(f).or_default() += n;
        }
    }

    pub fn warning_count(&self) -> u64 {
        self.warnings.values().map(|w| w.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty() && self.not_measured.is_empty()
    }
}

/// Why a value is unusable, as the messages say it.
pub mod why {
    pub const NOT_A_NUMBER: &str = "not a whole number";
    pub const OUT_OF_RANGE: &str = "out of range";
    pub const NOT_A_TIME: &str = "not a time";
    pub const IMPLAUSIBLE_TIME: &str = "outside the plausible range (2000-01-01 to now + 2 days)";
    pub const STOP_BEFORE_START: &str = "before startTime";
    pub const SPAN_TOO_LONG: &str = "more than 49 days after startTime";
    pub const SCIENTIFIC: &str = "a number in scientific notation (a spreadsheet dropped its digits)";
    pub const TOO_MANY_REASONS: &str = "more than 65,536 distinct end reasons in one load";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_example_wins_and_counts_add() {
        let mut a = FieldNotes::default();
        a.warn("calleePdd", b"abc", why::NOT_A_NUMBER, 3);
        a.warn("calleePdd", b"def", why::NOT_A_NUMBER, 9);
        a.not_measured("calleePdd");
        let mut b = FieldNotes::default();
        b.warn("calleePdd", b"zzz", why::NOT_A_NUMBER, 20);
        b.warn("holdTime", b"1.5", why::NOT_A_NUMBER, 21);
        b.not_measured("calleePdd");
        a.add(&b);
        assert_eq!(a.warnings["calleePdd"].count, 3);
        assert_eq!(a.warnings["calleePdd"].example, "abc");
        assert_eq!(a.warnings["calleePdd"].first_line, 3);
        assert_eq!(a.warnings["holdTime"].first_line, 21);
        assert_eq!(a.not_measured["calleePdd"], 2);
        assert_eq!(a.warning_count(), 4);
    }
}
