//! `cdrscope check`: what was detected in each source, and every problem, with file:line;
//! then, when the same calls came from two kinds of source, what one has and the other lacks.

use std::fmt::Write as _;

use super::args::CheckArgs;
use super::common::load;
use crate::cdr::{Store, TimeWriter};
use crate::findings::reconcile::{self, Report};
use crate::text::{count, sanitize, thousands};

/// Flow numbers listed per gap in the text (the console and `follow --findings` name more).
const LISTED: usize = 20;

pub fn run(a: &CheckArgs) -> anyhow::Result<u8> {
    let s = load(&a.load, Some(&a.window), &a.bound)?;
    let (mut text, bad) = crate::cdr::ingest::report::load_report(&s.store, &s.skipped, &s.zone.name());
    let grace = i64::from(crate::stats::thresholds::current().reconcile_grace_secs) * 1000;
    let report = reconcile::reconcile(&s.store, crate::cdr::record::time::now_ms(), grace);
    text.push_str(&reconciliation_text(&s.store, &report, &TimeWriter::new(s.zone.clone())));
    super::out(&text)?;
    // Reconciliation reports what the sources disagree on; the exit status stays about reading.
    Ok(u8::from(bad))
}

/// The reconciliation block of `check` (empty when no two kinds of source share calls).
pub fn reconciliation_text(st: &Store, report: &Report, tw: &TimeWriter) -> String {
    let mut out = String::new();
    if report.pairs.is_empty() && report.twice.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nreconciliation");
    for p in &report.pairs {
        let [a, b] = &p.groups;
        let _ = writeln!(out, "  {} against {}", sanitize(&a.label), sanitize(&b.label));
        for k in 0..2 {
            let (present, other) = (&p.groups[k], &p.groups[1 - k]);
            let rows = &p.missing[k];
            let head = format!(
                "    {} of {} of {} missing from {}",
                thousands(rows.len() as u64),
                count(p.compared[k], "call"),
                sanitize(&present.label),
                sanitize(&other.label)
            );
            if rows.is_empty() {
                let _ = writeln!(out, "{head}");
                continue;
            }
            let (from, to) = reconcile::gap_span(st, rows);
            let mut named: Vec<String> = rows
                .iter()
                .take(LISTED)
                .map(|&i| match st.cols.flowno_of(i) {
                    Some(f) => format!("flowno {f}"),
                    None => {
                        format!("{}:{}", st.source_of(i).map_or("?", |s| s.name.as_str()), st.cols.line(i))
                    }
                })
                .collect();
            if rows.len() > LISTED {
                named.push(format!("and {} more", thousands((rows.len() - LISTED) as u64)));
            }
            let _ = writeln!(
                out,
                "{head}, ended {} to {}: {}",
                tw.format(from),
                tw.format(to),
                sanitize(&named.join(", "))
            );
        }
    }
    for t in &report.twice {
        let name = sanitize(&st.sources[t.source].name).into_owned();
        let what = if t.resent { "resent by the switch (counted once)" } else { "held twice" };
        let mut flownos: Vec<String> = t.flownos.iter().take(LISTED).map(u64::to_string).collect();
        if t.calls > LISTED as u64 {
            flownos.push("…".into());
        }
        let _ = writeln!(out, "  {name}: {} {what}; flowno {}", count(t.calls, "call"), flownos.join(", "));
    }
    out
}
