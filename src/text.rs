//! Making untrusted CDR text safe and aligned for a terminal.
//!
//! SIP scanners put arbitrary bytes into caller IDs; printed raw, an ESC sequence could
//! recolour, move the cursor or retitle the operator's terminal. Every control character
//! (C0, DEL, C1) and the bidirectional overrides are shown escaped instead. Widths count
//! terminal columns, so Chinese gateway names stay aligned.

use std::borrow::Cow;
use std::fmt::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// The text with control characters shown as `\x1b`, `\r`, `\u{202e}`, ...
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Terminal columns the (sanitized) text takes.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Sanitizes, then cuts to `cols` columns (ending in `…` when cut) and pads with spaces to
/// exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let s = sanitize(s);
    let mut out = String::new();
    let mut used = 0;
    if width(&s) <= cols {
        out.push_str(&s);
        used = width(&s);
    } else if cols > 0 {
        for c in s.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > cols - 1 {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(used)));
    out
}

/// Like [`fit`] but right-aligned (numbers).
pub fn fit_right(s: &str, cols: usize) -> String {
    let s = sanitize(s);
    let w = width(&s);
    if w >= cols {
        return fit(&s, cols);
    }
    format!("{}{}", " ".repeat(cols - w), s)
}

/// `1234567` -> `1,234,567`.
/// "1 call", "2,500 calls": a count with its noun (plural with an s).
pub fn count(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", thousands(n), if n == 1 { "" } else { "s" })
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `95.5` seconds -> `1m35s`.
pub fn duration_secs(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s / 60) % 60),
    }
}

pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_bidi() {
        assert_eq!(sanitize("\x1b[31mroot\x1b[0m"), "\\x1b[31mroot\\x1b[0m");
        assert_eq!(sanitize("a\u{202e}b\u{9b}"), "a\\u{202e}b\\x9b");
        assert_eq!(sanitize("admin\r"), "admin\\r");
        assert!(matches!(sanitize("对接线路"), Cow::Borrowed(_)));
    }

    #[test]
    fn fits_wide_text() {
        assert_eq!(width(&fit("对接线路", 10)), 10);
        assert_eq!(fit("对接线路", 5), "对接…");
        assert_eq!(width(&fit("对接线路", 5)), 5);
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit_right("42", 4), "  42");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(duration_secs(95.4), "1m35s");
    }
}
