//! Why a line was not loaded. Every rejected line is counted and the first few hundred are
//! kept with their file and line, so nothing is dropped silently.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RejectReason {
    #[error("{found} fields; a VOS3000 text CDR has at least {min} (17 or 19)")]
    TooFewFields { found: usize, min: usize },
    #[error("{found} fields; a {form} has at least {min}")]
    TooFewFieldsFor { found: usize, min: usize, form: &'static str },
    #[error("{found} fields: more than {max}, not a CDR line")]
    TooManyFields { found: usize, max: usize },
    #[error("a line longer than {max_mib} MiB ({bytes} bytes read of it): not a CDR line")]
    TooLong { bytes: u64, max_mib: usize },
    #[error("{found} fields where the header has {expected}")]
    FieldCount { found: usize, expected: usize },
    #[error("{field} is not a time: '{value}'")]
    BadTime { field: &'static str, value: String },
    #[error("no start or stop time")]
    NoTime,
    #[error("{field} is not a whole number: '{value}'")]
    BadNumber { field: &'static str, value: String },
    #[error("{field} is out of range: '{value}'")]
    OutOfRange { field: &'static str, value: String },
    #[error("a quoted value is not closed")]
    UnclosedQuote,
}

/// A rejected line of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub reason: RejectReason,
}

/// Shortens a bad value for a message; it comes from untrusted data.
pub fn sample(value: &[u8]) -> String {
    let s = String::from_utf8_lossy(value);
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Rejected lines kept for display per source and per load (all are counted).
pub const REJECT_SAMPLES: usize = 500;
/// A single record longer than this is cut (and then rejected) rather than buffered on.
pub const MAX_RECORD_BYTES: usize = 16 << 20;
