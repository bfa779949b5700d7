//! `cdrscope lookup`: the knowledge base from the command line.

use std::fmt::Write as _;

use super::args::LookupArgs;
use super::usage;
use crate::kb::{Entry, Hit, Kb, lookup};
use crate::text::sanitize;

pub fn run(a: &LookupArgs) -> anyhow::Result<u8> {
    let kb = super::common::kb(a.lang.as_deref(), a.kb.as_deref())?;
    if a.all {
        if a.json {
            super::out(&format!(
                "{}\n",
                crate::cdr::export::json_safe(&serde_json::to_string_pretty(kb.entries())?)
            ))?;
        } else {
            let list: String =
                kb.entries().iter().map(|e| format!("{:<40} {}\n", e.id, sanitize(&e.name))).collect();
            super::out(&list)?;
        }
        return Ok(0);
    }
    let query = a.query.join(" ");
    if query.trim().is_empty() && !a.json && super::console::is_terminal() {
        // No query on a terminal: the lookup palette, with no CDRs.
        return super::console::run_lookup(kb);
    }
    if query.trim().is_empty() {
        return Err(usage(
            "give a code (503, -69, sip:503, q850:16), a name (NoAvailableRouter), a parameter or words (\"no route\", 余额不足, ocupado); --all lists every entry",
        ));
    }
    let hits = lookup(&kb, &query);
    // A code the tables do not have is answered as such, never with a fuzzy guess as if it
    // were the answer: the namespace says what kind of code it is, the guesses come after.
    if is_code(&query) && !hits.iter().any(|h| h.exact) {
        let why = crate::kb::resolve(&kb, &query).err().unwrap_or_default();
        let nearest: Vec<&Hit<'_>> = hits.iter().take(3).collect();
        if a.json {
            let v = serde_json::json!({
                "query": query.trim(),
                "found": false,
                "namespace": code_namespace(&query),
                "message": why,
                "nearest": nearest.iter().map(|h| serde_json::json!({"id": h.entry.id, "name": h.entry.name})).collect::<Vec<_>>(),
            });
            super::out(&format!("{}\n", crate::cdr::export::json_safe(&serde_json::to_string_pretty(&v)?)))?;
            return Ok(1);
        }
        let names: Vec<String> =
            nearest.iter().map(|h| format!("{} {}", h.entry.id, sanitize(&h.entry.name))).collect();
        super::out(&format!(
            "No entry for {}: {}.\nNearest by name (not this code): {}\n",
            sanitize(query.trim()),
            sanitize(why.trim_end_matches('.')),
            names.join("; ")
        ))?;
        return Ok(1);
    }
    if a.json {
        let list: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let mut v = serde_json::to_value(h.entry).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("match".into(), if h.exact { "exact" } else { "fuzzy" }.into());
                }
                v
            })
            .collect();
        super::out(&format!("{}\n", crate::cdr::export::json_safe(&serde_json::to_string_pretty(&list)?)))?;
        return Ok(if hits.is_empty() { 1 } else { 0 });
    }
    if hits.is_empty() {
        let why = crate::kb::resolve(&kb, &query).err().unwrap_or_default();
        super::out(&format!("Nothing matches '{}'. {}\n", sanitize(&query), sanitize(&why)))?;
        return Ok(1);
    }
    super::out(&render(&kb, &hits))?;
    Ok(0)
}

/// What kind of code a numeric query is: `vos` (negative), `q850` (1..128), `sip` (129..699)
/// unless the query names its namespace.
fn code_namespace(q: &str) -> &'static str {
    let q = q.trim();
    for ns in ["vos", "sip", "q850", "client"] {
        if q.starts_with(&format!("{ns}:")) {
            return ns;
        }
    }
    match q.parse::<i64>() {
        Ok(c) if c <= -10_000 => "client",
        Ok(c) if c <= 0 => "vos",
        Ok(1..=128) => "q850",
        Ok(129..=699) => "sip",
        _ => "unknown",
    }
}

/// A numeric code, bare or with its namespace (`-98`, `999`, `vos:-98`, `sip:799`, `q850:200`).
fn is_code(q: &str) -> bool {
    let q = q.trim();
    let bare = ["vos:", "sip:", "q850:", "client:"].iter().find_map(|p| q.strip_prefix(p)).unwrap_or(q);
    bare.parse::<i64>().is_ok()
}

fn wrap(out: &mut String, text: &str, first: &str, rest: &str) {
    let opts = textwrap::Options::new(80).initial_indent(first).subsequent_indent(rest);
    for line in textwrap::wrap(&sanitize(text), opts) {
        let _ = writeln!(out, "{line}");
    }
}

/// One entry in full, in its language (see [`crate::kb::present`]).
pub fn render_entry(kb: &Kb, e: &Entry) -> String {
    use crate::kb::present::{Part, present};
    let mut out = String::new();
    for part in present(kb, e, true) {
        match part {
            Part::Title { id, name, others, severity } => {
                let mut text = format!("{id}  {name}");
                for n in others {
                    let _ = write!(text, "  ({n})");
                }
                let _ = writeln!(out, "{}  [{}]", sanitize(&text), severity.as_str());
            }
            Part::Field { label, text, .. } => wrap(&mut out, &text, &format!("{label}: "), "  "),
            Part::Note(n) => {
                let _ = writeln!(out, "{n}");
            }
            Part::Heading(h) => {
                let _ = writeln!(out, "{h}");
            }
            Part::Text(t) => wrap(&mut out, &t, "  ", "  "),
            Part::Bullet(b) => wrap(&mut out, &b, "  - ", "    "),
            Part::Step(k, f) => wrap(&mut out, &f, &format!("  {k}. "), "     "),
            Part::Gap => {
                let _ = writeln!(out);
            }
        }
    }
    out
}

fn render(kb: &Kb, hits: &[Hit<'_>]) -> String {
    let mut out = String::new();
    // Every exact reading in full (several when the value is ambiguous), else the best match.
    let exact: Vec<&Hit<'_>> = hits.iter().filter(|h| h.exact).collect();
    let full: Vec<&Hit<'_>> = if exact.is_empty() { hits.iter().take(1).collect() } else { exact };
    for (k, h) in full.iter().enumerate() {
        if k > 0 {
            let _ = writeln!(out, "\n{}", "-".repeat(40));
        }
        out.push_str(&render_entry(kb, h.entry));
    }
    let others: Vec<&Hit<'_>> =
        hits.iter().filter(|h| !full.iter().any(|f| f.entry.id == h.entry.id)).take(10).collect();
    if !others.is_empty() {
        let _ = writeln!(out, "\n{}", crate::kb::present::labels(kb.lang).more);
        for h in others {
            let line = format!("{} {}: {}", h.entry.id, h.entry.name, h.entry.meaning);
            let short = crate::text::fit(&line, 76);
            let _ = writeln!(out, "  {}", short.trim_end());
        }
    }
    out
}
