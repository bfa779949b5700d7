//! Copying to the operator's clipboard over SSH: the OSC 52 escape sequence, which the
//! terminal on the operator's desk (not the softswitch) turns into a clipboard write, as
//! lazygit and VisiData do. The text is base64 inside the sequence, so nothing from a CDR
//! reaches the terminal as control characters.

use base64::Engine;

/// More than terminals take in one sequence (xterm's default limit is about 100 kB).
pub const MAX_BYTES: usize = 64 * 1024;

/// The sequence that puts `text` on the clipboard, or `None` when it is too long.
pub fn osc52(text: &str) -> Option<String> {
    if text.len() > MAX_BYTES {
        return None;
    }
    Some(format!("\x1b]52;c;{}\x07", base64::engine::general_purpose::STANDARD.encode(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_travels_as_base64_only() {
        let s = osc52("gw:CT-Route-2\x1b[31m").expect("short");
        assert_eq!(s, "\x1b]52;c;Z3c6Q1QtUm91dGUtMhtbMzFt\x07");
        // Only the sequence's own escape and bell: the text's ESC went into base64.
        assert_eq!(s.matches('\x1b').count(), 1);
        assert!(osc52(&"x".repeat(MAX_BYTES + 1)).is_none());
    }
}
