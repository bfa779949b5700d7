//! Parsing filter text into terms.

use std::fmt;
use std::ops::Range;

use super::timespec::{TimeSpec, parse_duration_ms, parse_time_spec};
use crate::kb::reason_header::ReasonMatch;

/// Every field a term may name, with what it takes (shown in errors and help).
pub const KEYS: [(&str, &str); 20] = [
    ("gw", "gateway on either side; none: no gateway"),
    ("ingw", "caller (mapping) gateway; none: no gateway"),
    ("outgw", "callee (routing) gateway; none: no gateway"),
    ("code", "end reason: 503, -69, 5xx, NoAvailableRouter"),
    ("since", "calls starting at or after: 2026-11-20 14:00, 14:00, -2h"),
    ("until", "calls starting before"),
    ("caller", "caller number prefix, * wildcard"),
    ("callee", "callee number prefix, * wildcard"),
    ("dest", "callee number as sent to the routing gateway (after its rewrite), prefix"),
    ("ip", "caller or callee IP prefix, * wildcard"),
    ("inip", "caller (source) IP prefix, * wildcard"),
    ("outip", "callee (routing gateway) IP prefix, * wildcard"),
    ("reason", "SIP Reason header cause: 34, q850:34, sip:503"),
    ("account", "customer account or its name, * wildcard"),
    ("billing", "billing mode: -1 none, 0 phone, 1 gateway, 2 bound, 3 card"),
    ("dir", "who hung up: caller, callee, server"),
    ("answered", "yes or no"),
    ("flowno", "the call's flow number: 4179123, several with commas"),
    ("dur>", "talk time compared: dur>30s, dur<=5m"),
    ("pdd>", "post-dial delay compared: pdd>5s"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Either,
    Caller,
    Callee,
}

impl Side {
    /// Whether a call matches on this side: `test(false)` asks the caller side, `test(true)`
    /// the callee side; `Either` asks the caller side first.
    pub fn matches(self, mut test: impl FnMut(bool) -> bool) -> bool {
        match self {
            Side::Caller => test(false),
            Side::Callee => test(true),
            Side::Either => test(false) || test(true),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeMatch {
    Exact(i32),
    /// SIP class: 4 for `4xx`.
    Class(u8),
    /// A name no registry knows; matches end reasons written that way.
    Name(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

impl Op {
    pub fn test(self, a: i64, b: i64) -> bool {
        match self {
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Eq => a == b,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Duration,
    Pdd,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKind {
    Gateway(Side, Vec<String>),
    Code(Vec<CodeMatch>),
    Since(TimeSpec),
    Until(TimeSpec),
    Number(Side, Vec<String>),
    Ip(Side, Vec<String>),
    /// The callee number as sent to the routing gateway (after its rewrite), by prefix.
    Dest(Vec<String>),
    /// The cause in the SIP Reason header (`sipreasonheader`).
    ReasonHeader(Vec<ReasonMatch>),
    /// The customer account (`customeraccount`) or its name (`customername`).
    Account(Vec<String>),
    Billing(Vec<i8>),
    Direction(Vec<i8>),
    Answered(bool),
    /// The softswitch's flow number of the call (what reconciliation names calls by).
    Flowno(Vec<u64>),
    Compare(Measure, Op, i64),
    Word(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negate: bool,
    pub kind: TermKind,
    /// Byte range of the term in the query text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// A query that could not be parsed, with the term at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    /// Byte range of the bad term in the query text.
    pub span: Range<usize>,
    pub term: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "in '{}' (column {}): {}", self.term, self.span.start + 1, self.message)
    }
}

impl std::error::Error for QueryError {}

/// Splits on spaces outside double quotes; quotes are removed from the pieces.
fn tokens(q: &str) -> Result<Vec<(String, Range<usize>)>, QueryError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = None;
    let mut in_quote = false;
    let mut quote_at = 0;
    for (i, c) in q.char_indices() {
        match c {
            '"' => {
                if !in_quote {
                    quote_at = i;
                }
                in_quote = !in_quote;
                start.get_or_insert(i);
            }
            c if c.is_whitespace() && !in_quote => {
                if let Some(s) = start.take() {
                    out.push((std::mem::take(&mut cur), s..i));
                }
            }
            c => {
                start.get_or_insert(i);
                cur.push(c);
            }
        }
    }
    if in_quote {
        return Err(QueryError {
            message: "a double quote is not closed".into(),
            span: quote_at..q.len(),
            term: q[quote_at..].to_string(),
        });
    }
    if let Some(s) = start {
        out.push((cur, s..q.len()));
    }
    Ok(out)
}

/// A value as one token of the filter language: in double quotes when it holds a space, a
/// comma or a quote (quotes dropped, the language has no escape), or is empty.
pub fn quote_value(v: &str) -> String {
    if v.contains([' ', ',', '"']) || v.is_empty() {
        format!("\"{}\"", v.replace('"', ""))
    } else {
        v.to_string()
    }
}

/// Where each term of a query text is (byte ranges, quotes included), as the parser splits
/// it: for showing a query broken at its terms.
pub fn term_spans(q: &str) -> Result<Vec<Range<usize>>, QueryError> {
    Ok(tokens(q)?.into_iter().map(|(_, span)| span).collect())
}

pub fn parse(q: &str) -> Result<Query, QueryError> {
    let mut terms = Vec::new();
    for (tok, span) in tokens(q)? {
        let err =
            |message: String| QueryError { message, span: span.clone(), term: q[span.clone()].to_string() };
        let (negate, body) = match tok.strip_prefix('-') {
            // `-69` alone is a code, not a negated word; `-gw:x` negates.
            Some(rest) if !rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit()) => {
                (true, rest.to_string())
            }
            _ => (false, tok.clone()),
        };
        let kind = term_kind(&body).map_err(err)?;
        terms.push(Term { negate, kind, span });
    }
    Ok(Query { terms })
}

fn values(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn term_kind(body: &str) -> Result<TermKind, String> {
    for (key, measure) in [("dur", Measure::Duration), ("pdd", Measure::Pdd), ("hold", Measure::Duration)] {
        if let Some(rest) = body.strip_prefix(key) {
            let (op, val) = if let Some(v) = rest.strip_prefix(">=") {
                (Op::Ge, v)
            } else if let Some(v) = rest.strip_prefix("<=") {
                (Op::Le, v)
            } else if let Some(v) = rest.strip_prefix('>') {
                (Op::Gt, v)
            } else if let Some(v) = rest.strip_prefix('<') {
                (Op::Lt, v)
            } else if let Some(v) = rest.strip_prefix('=') {
                (Op::Eq, v)
            } else {
                continue;
            };
            return Ok(TermKind::Compare(measure, op, parse_duration_ms(val)?));
        }
    }
    let Some((key, val)) = body.split_once(':') else {
        return Ok(TermKind::Word(body.to_string()));
    };
    let key_l = key.to_ascii_lowercase();
    let vals = values(val);
    if vals.is_empty() {
        return Err(format!("'{key}:' needs a value"));
    }
    let one = || -> Result<&str, String> {
        match vals.as_slice() {
            [v] => Ok(v.as_str()),
            _ => Err(format!("'{key}:' takes one value")),
        }
    };
    Ok(match key_l.as_str() {
        "gw" => TermKind::Gateway(Side::Either, vals),
        "ingw" => TermKind::Gateway(Side::Caller, vals),
        "outgw" => TermKind::Gateway(Side::Callee, vals),
        "code" => TermKind::Code(vals.iter().map(|v| code_match(v)).collect()),
        "since" => TermKind::Since(parse_time_spec(one()?)?),
        "until" => TermKind::Until(parse_time_spec(one()?)?),
        "caller" => TermKind::Number(Side::Caller, vals),
        "callee" => TermKind::Number(Side::Callee, vals),
        "ip" => TermKind::Ip(Side::Either, vals),
        "inip" => TermKind::Ip(Side::Caller, vals),
        "outip" => TermKind::Ip(Side::Callee, vals),
        "dest" => TermKind::Dest(vals),
        "reason" => TermKind::ReasonHeader(
            vals.iter()
                .map(|v| {
                    ReasonMatch::parse(v).ok_or_else(|| {
                        format!(
                            "reason takes a cause number or protocol:cause (34, q850:34, sip:503), not '{v}'"
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        "account" => TermKind::Account(vals),
        "billing" => TermKind::Billing(vals.iter().map(|v| billing_value(v)).collect::<Result<_, _>>()?),
        "dir" => TermKind::Direction(vals.iter().map(|v| dir_value(v)).collect::<Result<_, _>>()?),
        "flowno" => TermKind::Flowno(
            vals.iter()
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| format!("flowno takes the call's flow number (digits), not '{v}'"))
                })
                .collect::<Result<_, _>>()?,
        ),
        "answered" => TermKind::Answered(match one()?.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => true,
            "no" | "n" | "false" | "0" => false,
            other => return Err(format!("answered takes yes or no, not '{other}'")),
        }),
        _ => {
            // A colon inside a bare word that is not a field, e.g. an IPv6 address or a time.
            let names: Vec<&str> = KEYS.iter().map(|(k, _)| k.trim_end_matches('>')).collect();
            return Err(format!("unknown field '{key}': use {}", names.join(", ")));
        }
    })
}

fn code_match(v: &str) -> CodeMatch {
    let b = v.as_bytes();
    if b.len() == 3 && b[0].is_ascii_digit() && b[1..].eq_ignore_ascii_case(b"xx") {
        return CodeMatch::Class(b[0] - b'0');
    }
    if let Ok(c) = v.parse::<i32>() {
        return CodeMatch::Exact(c);
    }
    match crate::kb::names::code_for_name(v) {
        Some(c) => CodeMatch::Exact(c),
        None => CodeMatch::Name(v.to_string()),
    }
}

fn billing_value(v: &str) -> Result<i8, String> {
    Ok(match v.to_ascii_lowercase().as_str() {
        "-1" | "none" | "no" | "nobilling" => -1,
        "0" | "phone" => 0,
        "1" | "gateway" | "gw" => 1,
        "2" | "bound" => 2,
        "3" | "card" | "phonecard" => 3,
        other => {
            return Err(format!(
                "billing takes -1 (none), 0 (phone), 1 (gateway), 2 (bound) or 3 (card), not '{other}'"
            ));
        }
    })
}

fn dir_value(v: &str) -> Result<i8, String> {
    Ok(match v.to_ascii_lowercase().as_str() {
        "0" | "caller" => 0,
        "1" | "callee" => 1,
        "2" | "server" => 2,
        other => return Err(format!("dir takes caller, callee or server, not '{other}'")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<(bool, TermKind)> {
        parse(q).expect("parses").terms.into_iter().map(|t| (t.negate, t.kind)).collect()
    }

    #[test]
    fn terms_and_values() {
        assert_eq!(
            kinds("gw:A,B -code:5xx code:-69,NoAvailableRouter,503 answered:no"),
            vec![
                (false, TermKind::Gateway(Side::Either, vec!["A".into(), "B".into()])),
                (true, TermKind::Code(vec![CodeMatch::Class(5)])),
                (
                    false,
                    TermKind::Code(vec![CodeMatch::Exact(-69), CodeMatch::Exact(-69), CodeMatch::Exact(503)])
                ),
                (false, TermKind::Answered(false)),
            ]
        );
        assert_eq!(
            kinds("dur>30s pdd<=500ms"),
            vec![
                (false, TermKind::Compare(Measure::Duration, Op::Gt, 30_000)),
                (false, TermKind::Compare(Measure::Pdd, Op::Le, 500)),
            ]
        );
        assert_eq!(kinds("-69"), vec![(false, TermKind::Word("-69".into()))]);
        assert_eq!(kinds("since:\"2026-11-20 14:00\"").len(), 1);
        assert_eq!(
            kinds("gw:\"对接线路\" dir:server billing:none"),
            vec![
                (false, TermKind::Gateway(Side::Either, vec!["对接线路".into()])),
                (false, TermKind::Direction(vec![2])),
                (false, TermKind::Billing(vec![-1])),
            ]
        );
        assert!(parse("").expect("empty").is_empty());
    }

    #[test]
    fn errors_point_at_the_term() {
        let e = parse("gw:A foo:bar").expect_err("unknown key");
        assert_eq!(e.span, 5..12);
        assert!(e.message.contains("unknown field 'foo'"));
        let e = parse("answered:maybe").expect_err("bad bool");
        assert!(e.to_string().contains("column 1"));
        assert!(parse("since:tomorrow").is_err());
        assert!(parse("dur>5y").is_err());
        assert!(parse("dir:up").is_err());
        assert!(parse("billing:7").is_err());
        assert!(parse("flowno:12a").expect_err("digits").message.contains("flow number"));
        assert_eq!(parse("flowno:7,8").expect("flowno").terms[0].kind, TermKind::Flowno(vec![7, 8]));
        assert!(parse("gw:").is_err());
        let e = parse("since:\"2026-11-20 14:00").expect_err("open quote");
        assert_eq!(e.span.start, 6);
        assert!(parse("since:14:00,15:00").is_err());
        assert!(parse("reason:isdn:3").is_err());
        assert!(parse("since:+99999999999999999d").expect_err("overflow").message.contains("too long"));
    }
}
