//! Compact phone-number cells.
//!
//! E.164 fields are the bulk of a CDR line and nearly all unique, so interning them would cost
//! more than the text. Instead:
//! - the caller and callee numbers are [`PackedNumber`]s: up to 17 ASCII digits packed into a
//!   `u64` (length kept, so leading zeros survive); anything else (letters, `+`, long strings)
//!   goes to a string pool and the cell holds its id;
//! - the access and to-gateway numbers are [`DerivedNumber`]s: VOS3000 makes them from the
//!   primary number by stripping and adding prefixes, so a cell records "strip N digits of the
//!   primary number, put prefix P in front" in a `u32`, falling back to a pooled full string.
//!   Both are lossless.

use crate::cdr::store::pool::Pool;

const POOLED: u64 = 1 << 63;
const LEN_SHIFT: u32 = 58;
const MAX_INLINE_DIGITS: usize = 17;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PackedNumber(u64);

impl PackedNumber {
    pub const EMPTY: PackedNumber = PackedNumber(0);

    pub fn encode(s: &str, pool: &mut Pool) -> PackedNumber {
        let b = s.as_bytes();
        if b.len() <= MAX_INLINE_DIGITS && b.iter().all(u8::is_ascii_digit) {
            let mut v: u64 = 0;
            for &d in b {
                v = v * 10 + u64::from(d - b'0');
            }
            PackedNumber(((b.len() as u64) << LEN_SHIFT) | v)
        } else {
            PackedNumber(POOLED | u64::from(pool.intern(s)))
        }
    }

    /// `(digit count, value)` for an inline number.
    pub fn inline(self) -> Option<(u32, u64)> {
        (self.0 & POOLED == 0).then_some(((self.0 >> LEN_SHIFT) as u32, self.0 & ((1 << LEN_SHIFT) - 1)))
    }

    pub fn pooled(self) -> Option<u32> {
        (self.0 & POOLED != 0).then_some(self.0 as u32)
    }

    /// Rewrites a pooled id through a translation table (batch pool -> store pool).
    pub fn remap(self, map: &[u32]) -> PackedNumber {
        match self.pooled() {
            Some(id) => PackedNumber(POOLED | u64::from(map.get(id as usize).copied().unwrap_or(0))),
            None => self,
        }
    }

    pub fn write(self, pool: &Pool, out: &mut String) {
        match self.inline() {
            Some((len, v)) => {
                if len > 0 {
                    use std::fmt::Write;
                    let _ = write!(out, "{v:0width$}", width = len as usize);
                }
            }
            None => out.push_str(pool.resolve(self.0 as u32)),
        }
    }

    pub fn to_string(self, pool: &Pool) -> String {
        let mut s = String::new();
        self.write(pool, &mut s);
        s
    }

    /// True when the number starts with `prefix` (all digits, checked without decoding).
    pub fn starts_with_digits(self, prefix: &[u8], pool: &Pool) -> bool {
        match self.inline() {
            Some((len, v)) => {
                let k = prefix.len() as u32;
                if k > len {
                    return false;
                }
                let mut p: u64 = 0;
                for &d in prefix {
                    p = p * 10 + u64::from(d - b'0');
                }
                v / 10u64.pow(len - k) == p
            }
            None => pool.resolve(self.0 as u32).as_bytes().starts_with(prefix),
        }
    }
}

const DERIVED: u32 = 1 << 31;
const STRIP_SHIFT: u32 = 26;
const MAX_STRIP: usize = 31;
const PREFIX_MASK: u32 = (1 << STRIP_SHIFT) - 1;
const MAX_ADDED_PREFIX: usize = 16;

/// A number stored relative to a primary number (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DerivedNumber(u32);

impl DerivedNumber {
    /// Same as the primary number.
    pub const SAME: DerivedNumber = DerivedNumber(DERIVED);

    pub fn encode(s: &str, primary: &str, pool: &mut Pool) -> DerivedNumber {
        if s == primary {
            return Self::SAME;
        }
        if s.is_empty() {
            return DerivedNumber(0);
        }
        let p = primary.as_bytes();
        let b = s.as_bytes();
        // Longest tail of the primary number that `s` ends with, starting within MAX_STRIP.
        for strip in 0..=MAX_STRIP.min(p.len().saturating_sub(1)) {
            let tail = &p[strip..];
            if b.len() >= tail.len() && b.ends_with(tail) && primary.is_char_boundary(strip) {
                let added = &s[..s.len() - tail.len()];
                if added.len() > MAX_ADDED_PREFIX {
                    break;
                }
                let id = pool.intern(added);
                if id > PREFIX_MASK {
                    break;
                }
                return DerivedNumber(DERIVED | ((strip as u32) << STRIP_SHIFT) | id);
            }
        }
        DerivedNumber(pool.intern(s) & !DERIVED)
    }

    /// The id in the numbers pool this refers to (its added prefix, or the whole number).
    pub fn pool_id(self) -> u32 {
        if self.0 & DERIVED != 0 { self.0 & PREFIX_MASK } else { self.0 }
    }

    pub fn remap(self, map: &[u32]) -> DerivedNumber {
        if self.0 & DERIVED != 0 {
            let id = self.0 & PREFIX_MASK;
            let new = map.get(id as usize).copied().unwrap_or(0) & PREFIX_MASK;
            DerivedNumber((self.0 & !PREFIX_MASK) | new)
        } else {
            DerivedNumber(map.get(self.0 as usize).copied().unwrap_or(0) & !DERIVED)
        }
    }

    pub fn write(self, primary: &str, pool: &Pool, out: &mut String) {
        if self.0 & DERIVED != 0 {
            let strip = ((self.0 >> STRIP_SHIFT) & 0x1f) as usize;
            out.push_str(pool.resolve(self.0 & PREFIX_MASK));
            out.push_str(primary.get(strip..).unwrap_or(""));
        } else {
            out.push_str(pool.resolve(self.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_round_trips() {
        let mut pool = Pool::new();
        for s in [
            "",
            "0",
            "008613800138000",
            "12125551234",
            "99999999999999999",
            "123456789012345678",
            "Q0002CS880101",
            "+8613",
        ] {
            let n = PackedNumber::encode(s, &mut pool);
            assert_eq!(n.to_string(&pool), s, "{s}");
        }
        assert!(PackedNumber::encode("0086", &mut pool).inline().is_some());
        assert!(PackedNumber::encode("Q0002", &mut pool).pooled().is_some());
    }

    #[test]
    fn packed_prefix_test_without_decoding() {
        let mut pool = Pool::new();
        let n = PackedNumber::encode("008613800138000", &mut pool);
        assert!(n.starts_with_digits(b"0086", &pool));
        assert!(!n.starts_with_digits(b"86", &pool));
        assert!(!n.starts_with_digits(b"0086138001380001", &pool));
        let q = PackedNumber::encode("Q0002CS", &mut pool);
        assert!(!q.starts_with_digits(b"0002", &pool));
    }

    #[test]
    fn derived_round_trips() {
        let mut pool = Pool::new();
        let cases = [
            ("8613800138000", "8613800138000"),
            ("008613800138000", "8613800138000"),
            ("13800138000", "8613800138000"),
            ("99#13800138000", "8613800138000"),
            ("", "8613800138000"),
            ("totally different", "8613800138000"),
            ("880101", ""),
            ("对接1234", "1234"),
        ];
        for (s, primary) in cases {
            let d = DerivedNumber::encode(s, primary, &mut pool);
            let mut out = String::new();
            d.write(primary, &pool, &mut out);
            assert_eq!(out, s, "{s} from {primary}");
        }
        assert_eq!(DerivedNumber::encode("86138", "86138", &mut pool), DerivedNumber::SAME);
    }
}
