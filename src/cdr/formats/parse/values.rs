//! Reading one field's value: text with `mysql -B` escapes undone, times placed and checked,
//! unsigned and small signed numbers, PDDs with VOS3000's `-1` "not measured". An odd value is
//! a warning counted against its field, never the loss of the call.

use std::borrow::Cow;

use super::{Parser, TimeRead};
use crate::cdr::record::reject::{RejectReason, sample};
use crate::cdr::record::time::{TimeForm, TimeValue};
use crate::cdr::record::warn::why;
use crate::cdr::store::columns::{NO_PDD, NO_SMALL, NO_STOP};

impl Parser<'_> {
    /// A field's text: as is, or with `mysql -B` escapes undone (`\t`, `\n`, `\\`, `NULL`).
    pub(super) fn text<'a>(&self, raw: &'a str) -> Cow<'a, str> {
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
    pub(super) fn time<'a>(&mut self, raw: Option<&'a str>) -> TimeRead<'a> {
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

    pub(super) fn warn(&mut self, field: &'static str, value: &[u8], why: &'static str, line: u64) {
        self.batch.tally.notes.warn(field, value, why, line);
    }

    /// Places the call in time: start and stop-minus-start. Only a call with no usable time at
    /// all is rejected; an unusable start or stop is a warning and the other stands in.
    pub(super) fn place(
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
    pub(super) fn uint(&mut self, raw: Option<&str>, field: &'static str, line: u64) -> Option<u64> {
        match uint(raw, field) {
            Ok(v) => v,
            Err(e) => {
                self.warn_from(e, raw, line);
                None
            }
        }
    }

    pub(super) fn warn_from(&mut self, e: RejectReason, raw: Option<&str>, line: u64) {
        let (field, why) = match e {
            RejectReason::OutOfRange { field, .. } => (field, why::OUT_OF_RANGE),
            RejectReason::BadNumber { field, .. } => (field, why::NOT_A_NUMBER),
            _ => return,
        };
        self.warn(field, raw.unwrap_or("").trim().as_bytes(), why, line);
    }

    /// A small signed field (end direction, billing mode, ...); unknown when unusable.
    pub(super) fn small(&mut self, raw: Option<&str>, field: &'static str, line: u64) -> i8 {
        small(raw, field).unwrap_or_else(|e| {
            self.warn_from(e, raw, line);
            NO_SMALL
        })
    }

    /// A PDD in ms; `-1` is VOS3000's "not measured".
    pub(super) fn pdd(&mut self, raw: Option<&str>, field: &'static str, line: u64) -> u32 {
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
pub(super) fn scientific(t: &str) -> bool {
    let b = t.as_bytes();
    b.get(1) == Some(&b'.')
        && b[0].is_ascii_digit()
        && b.iter().position(|&c| c == b'E' || c == b'e').is_some_and(|i| b.get(i + 1) == Some(&b'+'))
}

/// A plain signed integer end reason (the common case), parsed without allocating.
pub(super) fn small_code(raw: &str) -> Option<i32> {
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

/// Digits only, parsed straight from the bytes; `Err(())` for anything else.
pub(super) fn digits_u64(t: &[u8]) -> Result<u64, ()> {
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

pub(super) fn is_null(t: &[u8]) -> bool {
    t.is_empty() || t == b"NULL" || t == b"\\N"
}

pub(super) fn uint(raw: Option<&str>, field: &'static str) -> Result<Option<u64>, RejectReason> {
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

pub(super) fn small(raw: Option<&str>, field: &'static str) -> Result<i8, RejectReason> {
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
