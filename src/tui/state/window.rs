//! The time window: the `since:`/`until:` terms of the filter, chosen from the `t` menu,
//! typed as a custom range, or stepped to the window before or after (`[`, `]`). The window
//! is part of the filter text, so what is filtered is always what the filter line says.

use crate::cdr::{Store, TimeWriter, Zone};
use crate::query::eval::Context;
use crate::query::parse::{TermKind, parse};
use crate::query::timespec::parse_time_spec;
use crate::tui::state::filter_edit::{Field, replace, window_terms};

/// The windows offered by `t`: label and the term it puts in the filter.
pub const TIME_WINDOWS: [(&str, Option<&str>); 6] = [
    ("last 15 minutes", Some("since:-15m")),
    ("last hour", Some("since:-1h")),
    ("last 6 hours", Some("since:-6h")),
    ("last 24 hours", Some("since:-24h")),
    ("all", None),
    ("custom (from, or from..until)...", None),
];

/// The index of "all" and "custom" in [`TIME_WINDOWS`].
pub const ALL: usize = 4;
pub const CUSTOM: usize = 5;

/// Which menu line the filter's window is: one of the fixed windows, "all" when there is
/// none, "custom" for any other.
pub fn active(filter: &str) -> usize {
    let terms = window_terms(filter);
    match terms.as_slice() {
        [] => ALL,
        [one] => TIME_WINDOWS.iter().position(|(_, t)| t.is_some_and(|t| t == one)).unwrap_or(CUSTOM),
        _ => CUSTOM,
    }
}

/// The filter with its window replaced by menu line `i` (`None` for "custom").
pub fn pick(filter: &str, i: usize) -> Option<String> {
    match TIME_WINDOWS.get(i) {
        Some((_, term)) if i != CUSTOM => Some(replace(filter, Field::Window, term.unwrap_or(""))),
        _ => None,
    }
}

/// A typed window, `FROM` or `FROM..UNTIL` (each a time the filter takes: `14:00`, `-2h`,
/// `2026-11-20 14:00`), as filter terms.
pub fn custom_terms(text: &str) -> Result<String, String> {
    let (from, until) = match text.split_once("..") {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (text.trim(), None),
    };
    if from.is_empty() {
        return Err("give a start: 14:00, -2h, 2026-11-20 14:00, or 14:00..15:00".into());
    }
    parse_time_spec(from)?;
    let mut terms = format!("since:{}", quote(from));
    if let Some(u) = until.filter(|u| !u.is_empty()) {
        parse_time_spec(u)?;
        terms.push_str(&format!(" until:{}", quote(u)));
    }
    Ok(terms)
}

fn quote(v: &str) -> String {
    if v.contains(' ') { format!("\"{v}\"") } else { v.to_string() }
}

/// The window the filter's `since:`/`until:` terms resolve to, in epoch ms: the start (or
/// `None`) and the end (or `None`). Several of one kind: the narrowest.
fn resolved(filter: &str, store: &Store, zone: &Zone) -> (Option<i64>, Option<i64>) {
    let Ok(q) = parse(filter) else { return (None, None) };
    let ctx = Context::new(store, zone.clone());
    let (mut since, mut until): (Option<i64>, Option<i64>) = (None, None);
    for t in q.terms.iter().filter(|t| !t.negate) {
        match &t.kind {
            TermKind::Since(s) => {
                since = Some(since.map_or(ctx.resolve_time(s), |x| x.max(ctx.resolve_time(s))))
            }
            TermKind::Until(u) => {
                until = Some(until.map_or(ctx.resolve_time(u), |x| x.min(ctx.resolve_time(u))))
            }
            _ => {}
        }
    }
    (since, until)
}

/// What the window means in dates and times, for the header: `2026-11-21 14:00:00 – 15:00:00`.
/// `None` when the filter has no window.
pub fn describe(filter: &str, store: &Store, zone: &Zone) -> Option<String> {
    let (since, until) = resolved(filter, store, zone);
    let w = TimeWriter::new(zone.clone());
    match (since, until) {
        (None, None) => None,
        (Some(a), None) => Some(format!("from {}", w.format(a))),
        (None, Some(b)) => Some(format!("before {}", w.format(b))),
        (Some(a), Some(b)) => {
            let (fa, fb) = (w.format(a), w.format(b));
            // The end's date is said only when it differs.
            let end = if fa.get(..10) == fb.get(..10) { fb.get(11..).unwrap_or(&fb).to_string() } else { fb };
            Some(format!("{fa} – {end}"))
        }
    }
}

/// The filter with its window moved one window length back (`forward` false) or on. A window
/// with no end ends at the present (databases, followed sources) or at the newest call.
pub fn step(filter: &str, store: &Store, zone: &Zone, forward: bool) -> Result<String, String> {
    let (since, until) = resolved(filter, store, zone);
    let Some(a) = since else {
        return Err("no window to step from: choose one with t (or since: in the filter)".into());
    };
    let b = until.unwrap_or_else(|| {
        Context::new(store, zone.clone()).resolve_time(&crate::query::timespec::TimeSpec::Relative(0))
    });
    let len = b.saturating_sub(a);
    if len <= 0 {
        return Err("the window is empty: its end is not after its start".into());
    }
    let (na, nb) = if forward { (b, b.saturating_add(len)) } else { (a.saturating_sub(len), a) };
    let w = TimeWriter::new(zone.clone());
    let terms = format!("since:\"{}\" until:\"{}\"", w.format(na), w.format(nb));
    Ok(replace(filter, Field::Window, &terms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_lines_and_custom_ranges() {
        assert_eq!(active(""), ALL);
        assert_eq!(active("code:503 since:-1h"), 1);
        assert_eq!(active("since:14:00"), CUSTOM);
        assert_eq!(pick("code:503 since:-1h", 2).as_deref(), Some("code:503 since:-6h"));
        assert_eq!(pick("code:503 since:-1h", ALL).as_deref(), Some("code:503"));
        assert_eq!(pick("x", CUSTOM), None);
        assert_eq!(custom_terms("14:00..15:00").as_deref(), Ok("since:14:00 until:15:00"));
        assert_eq!(custom_terms("2026-11-20 14:00").as_deref(), Ok("since:\"2026-11-20 14:00\""));
        assert!(custom_terms("14:00..soon").is_err());
        assert!(custom_terms("..15:00").is_err());
    }
}
