//! `cdrscope lookup`: the knowledge base from the command line.

use std::fmt::Write as _;

use super::args::LookupArgs;
use super::usage;
use crate::kb::{Entry, Hit, Kb, Lang, lookup};
use crate::text::sanitize;

/// Section labels in each language.
struct Labels {
    meaning: &'static str,
    causes: &'static str,
    fixes: &'static str,
    parameters: &'static str,
    related: &'static str,
    failover: &'static str,
    billing: &'static str,
    default: &'static str,
    source: &'static str,
    versions: &'static str,
    also: &'static str,
    fallback: &'static str,
    more: &'static str,
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::En => Labels {
            meaning: "Meaning",
            causes: "Usual causes",
            fixes: "What to do",
            parameters: "Parameters",
            related: "Related",
            failover: "Failover",
            billing: "Billing",
            default: "Default",
            source: "Source",
            versions: "VOS3000 versions",
            also: "Also called",
            fallback: "(no translation yet: English text)",
            more: "Other matches",
        },
        Lang::Zh => Labels {
            meaning: "含义",
            causes: "常见原因",
            fixes: "处理办法",
            parameters: "相关参数",
            related: "相关代码",
            failover: "网关切换",
            billing: "计费",
            default: "默认值",
            source: "来源",
            versions: "VOS3000 版本",
            also: "别名",
            fallback: "(暂无中文翻译,显示英文)",
            more: "其他匹配",
        },
        Lang::Es => Labels {
            meaning: "Significado",
            causes: "Causas habituales",
            fixes: "Qué hacer",
            parameters: "Parámetros",
            related: "Relacionados",
            failover: "Conmutación",
            billing: "Facturación",
            default: "Valor por defecto",
            source: "Fuente",
            versions: "Versiones de VOS3000",
            also: "También llamado",
            fallback: "(sin traducción todavía: texto en inglés)",
            more: "Otras coincidencias",
        },
    }
}

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
    // A code the tables do not have is answered as such, never with a fuzzy guess as if it
    // were the answer: the namespace says what kind of code it is, the guesses come after.
    if is_code(&query) && !hits.iter().any(|h| h.exact) {
        let why = crate::kb::resolve(&kb, &query).err().unwrap_or_default();
        let nearest: Vec<String> =
            hits.iter().take(3).map(|h| format!("{} {}", h.entry.id, sanitize(&h.entry.name))).collect();
        super::out(&format!(
            "No entry for {}: {}.\nNearest by name (not this code): {}\n",
            sanitize(query.trim()),
            sanitize(why.trim_end_matches('.')),
            nearest.join("; ")
        ))?;
        return Ok(1);
    }
    super::out(&render(&kb, &hits))?;
    Ok(0)
}

/// A numeric code, bare or with its namespace (`-98`, `999`, `vos:-98`, `sip:799`, `q850:200`).
fn is_code(q: &str) -> bool {
    let q = q.trim();
    let bare = ["vos:", "sip:", "q850:"].iter().find_map(|p| q.strip_prefix(p)).unwrap_or(q);
    bare.parse::<i64>().is_ok()
}

fn wrap(out: &mut String, text: &str, first: &str, rest: &str) {
    let opts = textwrap::Options::new(80).initial_indent(first).subsequent_indent(rest);
    for line in textwrap::wrap(&sanitize(text), opts) {
        let _ = writeln!(out, "{line}");
    }
}

/// One entry in full, in its language.
pub fn render_entry(kb: &Kb, e: &Entry) -> String {
    let l = labels(kb.lang);
    let mut out = String::new();
    let mut title = format!("{}  {}", e.id, e.name);
    // The name in the other languages, after the one shown.
    for n in e.names.values() {
        if *n != e.name {
            let _ = write!(title, "  ({n})");
        }
    }
    let _ = writeln!(out, "{}  [{}]", sanitize(&title), e.severity.as_str());
    let aliases: Vec<&str> = e.aliases.iter().map(String::as_str).filter(|a| *a != e.name).collect();
    if !aliases.is_empty() {
        wrap(&mut out, &aliases.join(", "), &format!("{}: ", l.also), "  ");
    }
    if let Some(v) = &e.versions {
        let _ = writeln!(out, "{}: {v}", l.versions);
    }
    if let Some(c) = &e.class {
        let _ = writeln!(out, "class: {c}");
    }
    if e.fallback && kb.lang != Lang::En {
        let _ = writeln!(out, "{}", l.fallback);
    }
    let _ = writeln!(out, "\n{}", l.meaning);
    wrap(&mut out, &e.meaning, "  ", "  ");
    if let Some(d) = &e.default {
        let _ = writeln!(out, "{}: {}", l.default, sanitize(d));
    }
    if !e.causes.is_empty() {
        let _ = writeln!(out, "\n{}", l.causes);
        for c in &e.causes {
            wrap(&mut out, c, "  - ", "    ");
        }
    }
    if !e.fixes.is_empty() {
        let _ = writeln!(out, "\n{}", l.fixes);
        for (k, f) in e.fixes.iter().enumerate() {
            wrap(&mut out, f, &format!("  {}. ", k + 1), "     ");
        }
    }
    let _ = writeln!(out);
    if !e.parameters.is_empty() {
        wrap(&mut out, &e.parameters.join(", "), &format!("{}: ", l.parameters), "  ");
    }
    if let Some(f) = &e.failover {
        wrap(&mut out, f, &format!("{}: ", l.failover), "  ");
    }
    if let Some(b) = &e.billing {
        wrap(&mut out, b, &format!("{}: ", l.billing), "  ");
    }
    if !e.related.is_empty() {
        let rel: Vec<String> = e
            .related
            .iter()
            .map(|r| kb.get(r).map_or_else(|| r.clone(), |x| format!("{r} {}", x.name)))
            .collect();
        wrap(&mut out, &rel.join(", "), &format!("{}: ", l.related), "  ");
    }
    let mut src = e.source.clone();
    if let Some(o) = &e.overridden_by {
        let _ = write!(src, "; changed by {o}");
    }
    wrap(&mut out, &src, &format!("{}: ", l.source), "  ");
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
        let _ = writeln!(out, "\n{}", labels(kb.lang).more);
        for h in others {
            let line = format!("{} {}: {}", h.entry.id, h.entry.name, h.entry.meaning);
            let short = crate::text::fit(&line, 76);
            let _ = writeln!(out, "  {}", short.trim_end());
        }
    }
    out
}
