//! `cdrscope summary`: the numbers, aligned for 80 columns, or one JSON object.

use std::fmt::Write as _;

use super::args::{FilterArgs, LoadArgs, SummaryArgs, WindowArgs};
use super::common::{Session, load, query, select};
use crate::cdr::TimeWriter;
use crate::report::{GatewayStats, Summary, summarize};
use crate::text::{duration_secs, fit, fit_right, percent, sanitize, thousands};

pub fn run(a: &SummaryArgs) -> anyhow::Result<u8> {
    let q = query(&a.filter)?;
    let s = load(&a.load, Some(&a.filter.window), &a.bound)?;
    let rows = select(&s, &q);
    let summary = summarize(&s.store, &rows, &TimeWriter::new(s.zone.clone()));
    if a.json {
        let json = serde_json::to_string_pretty(&summary)?;
        super::out(&format!("{}\n", crate::cdr::export::json_safe(&json)))?;
    } else {
        super::out(&render(&s, &summary, a.filter.filter.as_deref()))?;
    }
    // The answer covers only what could be read: say so, and exit 1 (the conventions).
    let mut unread = false;
    for src in &s.store.sources {
        let why = match (&src.form, &src.read_error) {
            (Err(why), _) => Some(format!("not read: {why}")),
            (_, Some(e)) => Some(format!("cut short: {e}")),
            _ => None,
        };
        if let Some(why) = why {
            unread = true;
            eprintln!("cdrscope: {}: {}", sanitize(&src.name), sanitize(&why));
        }
    }
    Ok(u8::from(unread))
}

/// No subcommand: the console on a terminal; when output goes to a pipe or file, the summary.
pub fn run_default(
    load_args: &LoadArgs,
    window: &WindowArgs,
    follow: bool,
    feed: &super::args::FeedArgs,
) -> anyhow::Result<u8> {
    if load_args.sources.is_empty() && !load_args.demo {
        return Err(super::usage(super::common::NO_SOURCES));
    }
    if super::console::is_terminal() {
        return super::console::run(load_args, window, None, follow, feed);
    }
    eprintln!("cdrscope: output is not a terminal; printing the summary instead of the console.");
    run(&SummaryArgs {
        load: load_args.clone(),
        bound: Default::default(),
        filter: FilterArgs { filter: None, window: window.clone() },
        json: false,
    })
}

fn pdd(ms: Option<f64>) -> String {
    ms.map_or_else(|| "-".into(), |v| format!("{:.1}s", v / 1000.0))
}

fn gateway_table(out: &mut String, title: &str, rows: &[GatewayStats]) {
    let _ = writeln!(out, "\n{title}");
    let _ = writeln!(
        out,
        "  {}{}{}{}{}  Top failure codes",
        fit("Gateway", 16),
        fit_right("Calls", 9),
        fit_right("ASR", 7),
        fit_right("ACD", 7),
        fit_right("PDD", 6),
    );
    for g in rows.iter().take(20) {
        let codes: Vec<String> =
            g.top_codes.iter().map(|c| format!("{} {}", sanitize(&c.code), thousands(c.calls))).collect();
        let name = if g.gateway.is_empty() { "(none)" } else { crate::config::gateway_label(&g.gateway) };
        let _ = writeln!(
            out,
            "  {}{}{}{}{}  {}",
            fit(name, 16),
            fit_right(&thousands(g.calls), 9),
            fit_right(&percent(g.asr), 7),
            fit_right(&duration_secs(g.acd_seconds), 7),
            fit_right(&pdd(g.pdd_avg_ms), 6),
            fit(&codes.join(", "), 31).trim_end()
        );
    }
    if rows.len() > 20 {
        let _ = writeln!(out, "  … {} more (see --json)", rows.len() - 20);
    }
}

/// Unusable values (the calls were kept) and "not measured" sentinels, per field.
fn field_notes(out: &mut String, m: &Summary) {
    if !m.field_warnings.is_empty() {
        let _ = writeln!(out, "\nField warnings (calls kept; the field is unknown for them)");
        for w in &m.field_warnings {
            let _ = writeln!(
                out,
                "  {} {} values: {}; first '{}' at {}",
                fit(w.field, 18),
                fit_right(&thousands(w.count), 8),
                w.why,
                sanitize(&w.example),
                sanitize(&w.first_at)
            );
        }
    }
    if !m.not_measured.is_empty() {
        let parts: Vec<String> =
            m.not_measured.iter().map(|n| format!("{} {}", n.field, thousands(n.count))).collect();
        let _ = writeln!(out, "not measured (-1, left out of PDD figures): {}", parts.join(", "));
    }
}

fn reason_headers(out: &mut String, m: &Summary) {
    if m.by_reason_header.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nBy SIP Reason header (the cause the peer gave)");
    for h in m.by_reason_header.iter().take(15) {
        let _ = writeln!(
            out,
            "  {}{}  {}",
            fit(&h.header, 12),
            fit_right(&thousands(h.calls), 10),
            fit(&sanitize(h.text.as_deref().unwrap_or("")), 52).trim_end()
        );
    }
    if m.by_reason_header.len() > 15 {
        let _ = writeln!(out, "  … {} more (see --json)", m.by_reason_header.len() - 15);
    }
}

fn accounts(out: &mut String, m: &Summary) {
    if m.by_account.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nBy account");
    let _ = writeln!(
        out,
        "  {}{}{}{}",
        fit("Account", 40),
        fit_right("Calls", 10),
        fit_right("ASR", 8),
        fit_right("ACD", 8)
    );
    for a in m.by_account.iter().take(15) {
        let name = if a.account.is_empty() { "(none)" } else { &a.account };
        let _ = writeln!(
            out,
            "  {}{}{}{}",
            fit(&sanitize(name), 40),
            fit_right(&thousands(a.calls), 10),
            fit_right(&percent(a.asr), 8),
            fit_right(&duration_secs(a.acd_seconds), 8)
        );
    }
    if m.by_account.len() > 15 {
        let _ = writeln!(out, "  … {} more (see --json)", m.by_account.len() - 15);
    }
}

pub fn render(s: &Session, m: &Summary, filter: Option<&str>) -> String {
    let mut out = String::new();
    let names: Vec<String> = s.store.sources.iter().map(|x| sanitize(&x.name).into_owned()).collect();
    let sources = if names.len() <= 2 { names.join(", ") } else { format!("{} sources", names.len()) };
    let _ = writeln!(out, "{} calls from {sources}", thousands(m.rows));
    if let Some(f) = filter {
        let _ = writeln!(
            out,
            "filter: {} ({} of {} loaded calls)",
            sanitize(f),
            thousands(m.rows),
            thousands(m.loaded_rows)
        );
    }
    if let (Some(a), Some(b)) = (&m.first_call, &m.last_call) {
        let _ = writeln!(out, "first {a}, last {b} ({})", m.time_zone);
    }
    let _ = writeln!(
        out,
        "holdTime unit: {}   rejected lines: {}   pending lines: {}",
        if m.hold_unit.is_empty() { "-" } else { &m.hold_unit },
        thousands(m.rejected_lines),
        thousands(m.pending_lines)
    );
    if m.rejected_lines > 0 {
        let _ = writeln!(out, "(run `cdrscope check` on the same sources to see the rejected lines)");
    }
    for src in m.sources.iter().filter(|x| x.state != "read") {
        let what = if src.state == "not_read" { "not read" } else { "cut short" };
        let _ = writeln!(
            out,
            "{what}: {}: {}",
            sanitize(&src.name),
            sanitize(src.error.as_deref().unwrap_or(""))
        );
    }
    for src in &m.sources {
        if let (Some(n), Some(bad)) = (src.datagrams, src.datagrams_not_cdr.filter(|b| *b > 0)) {
            let _ = writeln!(
                out,
                "{}: {} of {} datagrams were no CDR (run `cdrscope check` for their senders)",
                sanitize(&src.name),
                thousands(bad),
                thousands(n)
            );
        }
    }
    for d in &m.duplicates {
        let _ = writeln!(
            out,
            "duplicates: {} calls of {} already read from {} (counted once)",
            thousands(d.calls),
            sanitize(&d.source),
            sanitize(&d.duplicate_of)
        );
    }
    field_notes(&mut out, m);
    let _ = writeln!(
        out,
        "\n  {}{}{}{}{}{}{}",
        fit_right("Calls", 11),
        fit_right("Answered", 11),
        fit_right("ASR", 8),
        fit_right("ACD", 8),
        fit_right("PDD avg", 9),
        fit_right("PDD p95", 9),
        fit_right("Zero-dur", 10)
    );
    let _ = writeln!(
        out,
        "  {}{}{}{}{}{}{}",
        fit_right(&thousands(m.rows), 11),
        fit_right(&thousands(m.answered), 11),
        fit_right(&percent(m.asr), 8),
        fit_right(&duration_secs(m.acd_seconds), 8),
        fit_right(&pdd(m.pdd_avg_ms), 9),
        fit_right(&pdd(m.pdd_p95_ms.map(f64::from)), 9),
        fit_right(&percent(m.zero_duration_share), 10)
    );
    let _ = writeln!(out, "\nHealth");
    if m.health.is_empty() {
        let _ = writeln!(out, "  no calls: no verdicts");
    }
    for h in &m.health {
        let _ = writeln!(
            out,
            "  {}{} {}  {}",
            fit(&h.metric, 22),
            fit_right(&percent(h.value), 7),
            fit(h.verdict.as_str(), 9),
            h.rule
        );
    }
    if !m.findings.is_empty() {
        let _ = writeln!(out, "\nFindings");
        for f in &m.findings {
            // Break only at spaces: gateway names such as WHS-Delta stay whole.
            let opts = textwrap::Options::new(80)
                .initial_indent("  - ")
                .subsequent_indent("    ")
                .word_separator(textwrap::WordSeparator::AsciiSpace)
                .word_splitter(textwrap::WordSplitter::NoHyphenation);
            let head = format!("{} {}: {}", f.severity.as_str(), f.kind, f.text);
            for line in textwrap::wrap(&sanitize(&head), opts) {
                let _ = writeln!(out, "{line}");
            }
            // Broken between terms only, never inside a quoted time, so each line can be copied.
            for line in wrap_terms(&sanitize(&f.filter), 80, "    filter: ", "      ") {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    gateway_table(&mut out, "By callee (routing) gateway", &m.by_callee_gateway);
    gateway_table(&mut out, "By caller (mapping) gateway", &m.by_caller_gateway);
    let _ = writeln!(out, "\nBy end reason");
    let _ = writeln!(
        out,
        "  {}{}  {}{}",
        fit("Code", 7),
        fit("Name", 34),
        fit_right("Calls", 10),
        fit_right("Share", 8)
    );
    for c in m.by_code.iter().take(25) {
        let code = if c.code.is_empty() { "(none)" } else { &c.code };
        let _ = writeln!(
            out,
            "  {}{}  {}{}",
            fit(code, 7),
            fit(&c.name, 34),
            fit_right(&thousands(c.calls), 10),
            fit_right(&percent(c.share), 8)
        );
    }
    if m.by_code.len() > 25 {
        let _ = writeln!(out, "  … {} more (see --json)", m.by_code.len() - 25);
    }
    reason_headers(&mut out, m);
    accounts(&mut out, m);
    let _ = writeln!(out, "\nBilling mode");
    for b in &m.billing_modes {
        let label = match b.billing_mode {
            Some(-1) => "-1 no billing",
            Some(0) => "0 phone account",
            Some(1) => "1 gateway account",
            Some(2) => "2 bound number",
            Some(3) => "3 phone card",
            Some(_) => "other",
            None => "(not recorded)",
        };
        let _ = writeln!(
            out,
            "  {}{}{}",
            fit(label, 22),
            fit_right(&thousands(b.calls), 10),
            fit_right(&percent(b.share), 8)
        );
    }
    let _ = writeln!(out, "\nTimeline ({} buckets: calls, answered)", m.timeline_bucket);
    let peak = m.timeline.iter().map(|b| b.calls).max().unwrap_or(1).max(1);
    for b in &m.timeline {
        let bar = ((b.calls as f64 / peak as f64) * 40.0).round() as usize;
        let ans = ((b.answered as f64 / peak as f64) * 40.0).round() as usize;
        let _ = writeln!(
            out,
            "  {} {}{} {}{}",
            &b.start[..16.min(b.start.len())],
            fit_right(&thousands(b.calls), 7),
            fit_right(&thousands(b.answered), 7),
            "#".repeat(ans),
            "-".repeat(bar.saturating_sub(ans))
        );
    }
    if !s.skipped.is_empty() {
        let _ = writeln!(out, "\n{} files skipped (see `cdrscope check`)", s.skipped.len());
    }
    out
}

/// Splits a filter into lines of at most `width` columns at the spaces between its terms
/// (spaces inside double quotes belong to the term); a longer term has a line of its own.
fn wrap_terms(filter: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    // The parser's own split (quotes kept with their term); a text it cannot split is one term.
    let terms: Vec<&str> = match crate::query::parse::term_spans(filter) {
        Ok(spans) => spans.into_iter().filter_map(|r| filter.get(r)).collect(),
        Err(_) => vec![filter],
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for t in terms {
        let fits = unicode_width::UnicodeWidthStr::width(line.as_str())
            + usize::from(!empty)
            + unicode_width::UnicodeWidthStr::width(t)
            <= width;
        if !empty && !fits {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(t);
        empty = false;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod wrap_tests {
    use super::wrap_terms;

    #[test]
    fn quoted_times_stay_whole() {
        let f = r#"inip:185.220.101.33 since:"2026-11-21 03:00" until:"2026-11-21 03:30""#;
        let lines = wrap_terms(f, 60, "    filter: ", "      ");
        assert_eq!(
            lines,
            vec![
                r#"    filter: inip:185.220.101.33 since:"2026-11-21 03:00""#.to_string(),
                r#"      until:"2026-11-21 03:30""#.to_string()
            ]
        );
    }
}
