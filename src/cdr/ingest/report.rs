//! The load report: per source, the detected form, field counts, time forms, holdTime unit,
//! rows, rejected lines with file:line, field warnings, duplicates, and every file passed
//! over with why. `cdrscope check` prints it; the console shows it. Plain text, every piece
//! of source text sanitized.

use std::fmt::Write as _;

use crate::cdr::sources::error::Skipped;
use crate::cdr::store::table::Store;
use crate::text::{sanitize, thousands};

/// The report, and whether anything was rejected or unreadable.
pub fn load_report(store: &Store, skipped: &[Skipped], zone_name: &str) -> (String, bool) {
    let mut out = String::new();
    let mut bad = false;
    for (i, src) in store.sources.iter().enumerate() {
        let t = &src.tally;
        let _ = writeln!(out, "{}", sanitize(&src.name));
        match &src.form {
            Ok(form) => {
                let _ = writeln!(out, "  form:      {form}");
            }
            Err(why) => {
                bad = true;
                let _ = writeln!(out, "  not read:  {why}");
                continue;
            }
        }
        if !t.field_counts.is_empty() {
            let counts: Vec<String> = t
                .field_counts
                .iter()
                .rev()
                .map(|(n, lines)| format!("{n} ({} lines)", thousands(*lines)))
                .collect();
            let _ = writeln!(out, "  fields:    {}", counts.join(", "));
        }
        if !t.time_forms.is_empty() {
            let forms: Vec<String> =
                t.time_forms.iter().map(|(f, n)| format!("{f} ({} values)", thousands(*n))).collect();
            let _ = writeln!(out, "  times:     {}; zone {}", forms.join(", "), zone_name);
        }
        if let Some(u) = src.hold_unit {
            let _ = writeln!(out, "  holdTime:  {u} ({})", src.hold_unit_why);
        }
        let _ = writeln!(
            out,
            "  rows:      {}   rejected: {}   pending: {}   blank: {}   header rows: {}",
            thousands(src.rows as u64 - src.duplicates()),
            thousands(t.rejected),
            thousands(t.pending),
            thousands(t.blank),
            thousands(t.headers)
        );
        // Every physical line (record, for spreadsheets, JSON and databases) accounted for.
        let accounted = t.accounted_lines();
        if accounted == t.lines {
            let _ = writeln!(out, "  lines:     {} (all accounted for)", thousands(t.lines));
        } else {
            bad = true;
            let _ = writeln!(
                out,
                "  lines:     {} read, {} accounted for: a defect in cdrscope, please report it",
                thousands(t.lines),
                thousands(accounted)
            );
        }
        for (of, n) in &src.duplicate_of {
            let other = store.sources.get(*of).map_or("?", |o| o.name.as_str());
            let _ = writeln!(
                out,
                "  duplicates: {} calls already read from {} (counted once)",
                thousands(*n),
                sanitize(other)
            );
        }
        if t.repaired_utf8 > 0 {
            let _ = writeln!(
                out,
                "  invalid UTF-8 replaced in {} values (rows kept)",
                thousands(t.repaired_utf8)
            );
        }
        for (field, w) in &t.notes.warnings {
            let _ = writeln!(
                out,
                "  warning:   {field}: {} values {} (calls kept); first '{}' at {}:{}",
                thousands(w.count),
                w.why,
                sanitize(&w.example),
                sanitize(&src.name),
                w.first_line
            );
        }
        if !t.notes.not_measured.is_empty() {
            let parts: Vec<String> =
                t.notes.not_measured.iter().map(|(f, n)| format!("{f} {}", thousands(*n))).collect();
            let _ = writeln!(out, "  not measured (-1): {}", parts.join(", "));
        }
        if let Some(fc) = &src.feed {
            let _ = writeln!(
                out,
                "  datagrams: {} received, {} calls, {} repeats acknowledged again, {} refused (--allow-from)",
                thousands(fc.datagrams),
                thousands(fc.calls),
                thousands(fc.repeats),
                thousands(fc.refused)
            );
            if fc.malformed_total() > 0 {
                // Like a rejected line: something sent that could not be read.
                bad = true;
                let senders: Vec<String> = fc
                    .malformed
                    .iter()
                    .map(|(who, n)| format!("{} ({})", sanitize(who), thousands(*n)))
                    .collect();
                let _ = writeln!(
                    out,
                    "  not CDRs:  {} datagrams, from {}",
                    thousands(fc.malformed_total()),
                    senders.join(", ")
                );
            }
        }
        if let Some(e) = &src.read_error {
            bad = true;
            let _ = writeln!(out, "  read error: {e} (rows before it were loaded)");
        }
        if t.rejected > 0 {
            bad = true;
            let _ = writeln!(out, "  rejected lines:");
            let mine: Vec<_> = store.rejects.iter().filter(|(src_i, _)| *src_i == i).collect();
            for (_, r) in &mine {
                let _ = writeln!(
                    out,
                    "    {}:{}: {}",
                    sanitize(&src.name),
                    r.line,
                    sanitize(&r.reason.to_string())
                );
            }
            if (mine.len() as u64) < t.rejected {
                let _ = writeln!(out, "    … and {} more", thousands(t.rejected - mine.len() as u64));
            }
        }
    }
    for sk in skipped {
        let _ = writeln!(out, "{}\n  skipped:   {}", sanitize(&sk.name), sk.why);
    }
    let rows = store.calls() as u64;
    let bytes = store.heap_bytes() as u64;
    // Per-row cost means something only once fixed overheads are spread thin.
    let per_row = if rows >= 10_000 { format!(", {} bytes per row", bytes / rows) } else { String::new() };
    let _ = writeln!(
        out,
        "\n{} sources, {} rows, {} duplicates dropped, {} rejected lines; store {:.1} MB{per_row}",
        store.sources.len(),
        thousands(rows),
        thousands(store.duplicate_rows() as u64),
        thousands(store.rejected_lines()),
        bytes as f64 / 1e6,
    );
    (out, bad)
}
