//! Why a filter matched nothing, when the filter itself says so: a gateway no call has (with
//! the nearest name that exists), an end reason no call ended with, `code=503` written for
//! `code:503`, or `OR` written for a comma. Shown under "no calls match", so a typo does not
//! pass for "nothing happened".

use super::parse::{CodeMatch, Query, TermKind};
use crate::cdr::{Reason, Store};

/// At most this many hints (one per term at fault).
const MAX_HINTS: usize = 4;

/// Hints for `q` over `st`, most useful first; empty when the filter has nothing to fault.
pub fn hints(q: &Query, st: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for t in q.terms.iter().filter(|t| !t.negate) {
        match &t.kind {
            TermKind::Gateway(_, vals) => {
                for v in vals.iter().filter(|v| !v.contains(['*', '?']) && !v.eq_ignore_ascii_case("none")) {
                    if !super::eval::gateway_exists(st, v) {
                        out.push(match nearest_gateway(st, v) {
                            Some(g) => format!("no gateway is named '{v}'; nearest: {g}"),
                            None => format!("no gateway is named '{v}' in what is loaded"),
                        });
                    }
                }
            }
            TermKind::Code(codes) => {
                for c in codes {
                    if let CodeMatch::Exact(want) = c
                        && !st.pools.reasons.iter().any(|(_, r)| *r == Reason::Code(*want))
                    {
                        out.push(format!(
                            "no call ended with code {want}; codes present: {}",
                            codes_present(st).join(", ")
                        ));
                    }
                }
            }
            TermKind::Word(w) if w.eq_ignore_ascii_case("or") || w.eq_ignore_ascii_case("and") => out
                .push("terms are ANDed (all must match); for either value use a comma: code:503,486".into()),
            TermKind::Word(w) => {
                if let Some((field, value)) = w.split_once('=') {
                    out.push(format!("'{w}' is searched as text; a field is written {field}:{value}"));
                }
            }
            _ => {}
        }
    }
    out.truncate(MAX_HINTS);
    out
}

/// The gateway name closest to `v`: the best fuzzy match, else the one sharing the longest
/// start with it.
fn nearest_gateway(st: &Store, v: &str) -> Option<String> {
    let names = || st.pools.gateways.iter().map(|(_, g)| g).filter(|g| !g.is_empty());
    let by_fuzzy = names().filter_map(|g| crate::fuzzy::score(g, v).map(|s| (s, g))).max_by_key(|(s, _)| *s);
    let common = |g: &str| g.chars().zip(v.chars()).take_while(|(a, b)| a.eq_ignore_ascii_case(b)).count();
    let by_start = || names().map(|g| (common(g), g)).filter(|(n, _)| *n >= 3).max_by_key(|(n, _)| *n);
    by_fuzzy
        .map(|(_, g)| g)
        .or_else(|| by_start().map(|(_, g)| g))
        .map(|g| crate::text::sanitize(g).into_owned())
}

/// Up to eight end-reason codes the loaded calls have, in order.
fn codes_present(st: &Store) -> Vec<String> {
    let mut codes: Vec<i32> = st
        .pools
        .reasons
        .iter()
        .filter_map(|(_, r)| if let Reason::Code(c) = r { Some(*c) } else { None })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let more = codes.len() > 8;
    let mut out: Vec<String> = codes.into_iter().take(8).map(|c| c.to_string()).collect();
    if more {
        out.push("…".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse::parse;

    fn store() -> Store {
        let text = "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|503|1|CUST-A|CT-Route-2|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n\
                    1|2|2026-11-20 10:01:00|2026-11-20 10:01:30|20000|-9|1|CUST-A|CM-Route-1|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n";
        let specs =
            [crate::cdr::SourceSpec::Memory { name: "m".into(), data: std::sync::Arc::new(text.into()) }];
        crate::cdr::load(&specs, &Default::default(), Default::default()).map(|l| l.store).unwrap_or_default()
    }

    fn of(q: &str) -> Vec<String> {
        hints(&parse(q).expect("parses"), &store())
    }

    #[test]
    fn a_filter_that_cannot_match_says_why() {
        assert_eq!(of("outgw:CT-Route2"), vec!["no gateway is named 'CT-Route2'; nearest: CT-Route-2"]);
        assert_eq!(of("code:999"), vec!["no call ended with code 999; codes present: -9, 503"]);
        assert_eq!(of("code=503"), vec!["'code=503' is searched as text; a field is written code:503"]);
        assert!(of("code:503 OR code:-9")[0].contains("comma"));
        // Nothing to fault: no hint (the calls are simply not there).
        assert!(of("outgw:ct-route-2 code:-9").is_empty());
        assert!(of("outgw:CT-* -code:999 gw:none").is_empty());
    }
}
