//! Editing a prompt's line as shells and readline do: the cursor moves over characters, and
//! the usual Ctrl keys cut to either end or a word back. The cursor is a byte offset kept
//! on a character boundary (clamped, so a text replaced wholesale never leaves it inside a
//! character).

/// One edit of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Left,
    Right,
    Home,
    End,
    DeleteBack,
    DeleteForward,
    KillToStart,
    KillToEnd,
    DeleteWordBack,
}

/// `cursor` moved onto the nearest character boundary at or before it, inside `text`.
fn clamp(text: &str, cursor: usize) -> usize {
    let mut at = cursor.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn prev(text: &str, at: usize) -> usize {
    text[..at].char_indices().next_back().map_or(0, |(i, _)| i)
}

fn next(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

/// Types `c` at the cursor.
pub fn insert(text: &mut String, cursor: &mut usize, c: char) {
    let at = clamp(text, *cursor);
    text.insert(at, c);
    *cursor = at + c.len_utf8();
}

/// Applies `e`; returns whether the text changed.
pub fn apply(text: &mut String, cursor: &mut usize, e: Edit) -> bool {
    let at = clamp(text, *cursor);
    let before = text.len();
    *cursor = match e {
        Edit::Left => prev(text, at),
        Edit::Right => next(text, at),
        Edit::Home => 0,
        Edit::End => text.len(),
        Edit::DeleteBack => {
            let from = prev(text, at);
            text.replace_range(from..at, "");
            from
        }
        Edit::DeleteForward => {
            let to = next(text, at);
            text.replace_range(at..to, "");
            at
        }
        Edit::KillToStart => {
            text.replace_range(..at, "");
            0
        }
        Edit::KillToEnd => {
            text.truncate(at);
            at
        }
        Edit::DeleteWordBack => {
            // Spaces before the cursor, then the word before them (readline's Ctrl-W).
            let head = &text[..at];
            let word_end = head.trim_end().len();
            let from = head[..word_end].rfind(char::is_whitespace).map_or(0, |i| i + 1);
            text.replace_range(from..at, "");
            from
        }
    };
    text.len() != before
}

/// The text split at the cursor: before it, the character under it (none at the end), after.
pub fn split(text: &str, cursor: usize) -> (&str, Option<&str>, &str) {
    let at = clamp(text, cursor);
    let end = next(text, at);
    let under = (end > at).then(|| &text[at..end]);
    (&text[..at], under, &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(start: &str, cursor: usize, edits: &[Edit]) -> (String, usize) {
        let (mut t, mut c) = (start.to_string(), cursor);
        for &e in edits {
            apply(&mut t, &mut c, e);
        }
        (t, c)
    }

    #[test]
    fn the_cursor_moves_and_cuts_as_in_a_shell() {
        use Edit::*;
        let s = "outgw:CT-Route-2 code:503";
        assert_eq!(
            run(s, s.len(), &[Home, Right, Right, DeleteForward]),
            ("ougw:CT-Route-2 code:503".into(), 2)
        );
        assert_eq!(run(s, s.len(), &[DeleteWordBack]), ("outgw:CT-Route-2 ".into(), 17));
        assert_eq!(run("a b   ", 6, &[DeleteWordBack]), ("a ".into(), 2));
        assert_eq!(run(s, 6, &[KillToEnd]), ("outgw:".into(), 6));
        assert_eq!(run(s, 6, &[KillToStart]), ("CT-Route-2 code:503".into(), 0));
        assert_eq!(run(s, 0, &[Left, DeleteBack]), (s.to_string(), 0), "nothing before the start");
        assert_eq!(
            run(s, s.len(), &[Right, DeleteForward]),
            (s.to_string(), s.len()),
            "nothing after the end"
        );
        assert_eq!(run("abc", 99, &[Left]), ("abc".into(), 2), "a cursor past the end is clamped");
        let (mut t, mut c) = ("gw:".to_string(), 0);
        apply(&mut t, &mut c, End);
        insert(&mut t, &mut c, 'x');
        assert_eq!((t.as_str(), c), ("gw:x", 4));
    }

    #[test]
    fn characters_are_whole_whatever_their_width() {
        use Edit::*;
        let s = "gw:对接线路";
        let (t, c) = run(s, s.len(), &[Left, DeleteBack]);
        assert_eq!((t.as_str(), c), ("gw:对接路", 9));
        assert_eq!(split(&t, c), ("gw:对接", Some("路"), ""));
        assert_eq!(split(&t, t.len()), ("gw:对接路", None, ""));
        // A cursor inside a character (a text replaced under it) lands on its start.
        assert_eq!(split(s, 4), ("gw:", Some("对"), "接线路"));
        let (mut t, mut c) = (s.to_string(), 4);
        insert(&mut t, &mut c, '!');
        assert_eq!((t.as_str(), c), ("gw:!对接线路", 4));
    }
}
