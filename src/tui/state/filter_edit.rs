//! Changing the filter text term by term, as pickers, the time menu and "filter from a cell"
//! do: a new term replaces the terms of its field instead of standing beside them (where
//! `gw:A outgw:B` would match nothing new), and the rest of the text is kept as typed.

use crate::query::parse::{Side, Term, TermKind, parse, quote_value};

/// The fields a term can replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Every gateway term, either side (a pick from the gateway picker).
    AnyGateway,
    Gateway(Side),
    Code,
    ReasonHeader,
    Number(Side),
    Direction,
    /// `since:` and `until:`: the time window.
    Window,
}

impl Field {
    fn covers(self, t: &Term) -> bool {
        match (self, &t.kind) {
            (Field::AnyGateway, TermKind::Gateway(_, _)) => true,
            (Field::Gateway(a), TermKind::Gateway(b, _)) => a == *b,
            (Field::Code, TermKind::Code(_)) => true,
            (Field::ReasonHeader, TermKind::ReasonHeader(_)) => true,
            (Field::Number(a), TermKind::Number(b, _)) => a == *b,
            (Field::Direction, TermKind::Direction(_)) => true,
            (Field::Window, TermKind::Since(_) | TermKind::Until(_)) => true,
            _ => false,
        }
    }
}

/// `key:v1,v2` with values quoted where needed.
pub fn term(key: &str, values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| quote_value(v)).collect();
    format!("{key}:{}", quoted.join(","))
}

/// The filter with every (non-negated) term of `field` removed and `new` added at the end.
/// `new` may be empty (the field's terms just go). A filter that does not parse is kept and
/// `new` added to it: the error stays for the operator to see.
pub fn replace(filter: &str, field: Field, new: &str) -> String {
    let mut text = filter.to_string();
    if let Ok(q) = parse(&text) {
        let mut spans: Vec<std::ops::Range<usize>> =
            q.terms.iter().filter(|t| !t.negate && field.covers(t)).map(|t| t.span.clone()).collect();
        spans.sort_by_key(|s| std::cmp::Reverse(s.start));
        for s in spans {
            text.replace_range(s, "");
        }
    }
    add(&text, new)
}

/// The filter with `new` added at the end (whitespace tidied).
pub fn add(filter: &str, new: &str) -> String {
    let mut parts: Vec<&str> = filter.split_whitespace().collect();
    if !new.trim().is_empty() {
        parts.push(new.trim());
    }
    parts.join(" ")
}

/// The text of the filter's window terms (`since:…`, `until:…`), in order, if any.
pub fn window_terms(filter: &str) -> Vec<String> {
    let Ok(q) = parse(filter) else { return Vec::new() };
    q.terms
        .iter()
        .filter(|t| !t.negate && Field::Window.covers(t))
        .filter_map(|t| filter.get(t.span.clone()).map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_its_field() {
        let f = "outgw:CT-Route-2 code:503 -code:-9";
        assert_eq!(replace(f, Field::AnyGateway, "gw:CM-Route-1"), "code:503 -code:-9 gw:CM-Route-1");
        assert_eq!(
            replace(f, Field::Gateway(Side::Caller), "ingw:A"),
            "outgw:CT-Route-2 code:503 -code:-9 ingw:A"
        );
        // A negated term is an exclusion the operator made: kept.
        assert_eq!(replace(f, Field::Code, "code:487"), "outgw:CT-Route-2 -code:-9 code:487");
        assert_eq!(replace("since:-1h caller:86", Field::Window, "since:-6h"), "caller:86 since:-6h");
        assert_eq!(replace("since:14:00 until:15:00", Field::Window, ""), "");
        assert_eq!(
            window_terms("x since:14:00 until:\"2026-11-20 15:00\""),
            ["since:14:00", "until:\"2026-11-20 15:00\""]
        );
        assert_eq!(term("ingw", &["A B".into(), "C".into()]), "ingw:\"A B\",C");
    }
}
