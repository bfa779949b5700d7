//! `cdrscope follow`: prints calls as they arrive, one line each (80 columns) or as JSON
//! lines, until interrupted, `--exit-after N` records or `--duration D`.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::args::FollowArgs;
use super::common::{load_options, parse_duration, query, specs, zone};
use super::usage;
use crate::cdr::ingest::live::{Event, IngestOptions};
use crate::cdr::{Progress, Store, TimeWriter, Zone};
use crate::query::{Context, evaluate_range};
use crate::text::{fit, fit_right, sanitize};

/// JSON lines carry this, like every top-level object cdrscope prints.
pub const SCHEMA_VERSION: u32 = 1;

pub fn run(a: &FollowArgs) -> anyhow::Result<u8> {
    let q = query(&a.filter)?;
    let zone = zone(&a.load)?;
    let specs = specs(&a.load)?;
    let duration = a.duration.as_deref().map(parse_duration).transpose().map_err(usage)?;
    let opts = IngestOptions {
        load: load_options(&a.load, Some(&a.filter.window), &zone)?,
        follow: true,
        feed: super::common::feed_options(&a.feed, &specs)?,
        keep: Some(super::common::keep(&a.feed)?),
        ..Default::default()
    };
    let started = Instant::now();
    let stdin_given = specs.iter().any(|s| matches!(s, crate::cdr::SourceSpec::Stdin));
    let mut ingest = crate::cdr::ingest::live::spawn(specs, opts, Arc::new(Progress::default()));
    let tw = TimeWriter::new(zone.clone());
    let stdout = std::io::stdout();
    let to_terminal = std::io::IsTerminal::is_terminal(&stdout);
    let mut out = std::io::LineWriter::new(stdout.lock());
    let mut printed = 0u64;
    // Rows before this were there when following began: printed only with --since. What
    // comes through standard input all arrives after the start.
    let mut next_row: Option<usize> = stdin_given.then_some(0);
    let mut status = 0u8;
    let mut head: Vec<String> = Vec::new();
    let mut findings = Fired::default();
    loop {
        if duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
        // Every event that is waiting is taken before rows are printed: a note about a
        // source comes before the calls it explains.
        let mut evs = Vec::new();
        match ingest.events.recv_timeout(Duration::from_millis(100)) {
            Ok(e) => evs.push(e),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
        evs.extend(ingest.events.try_iter());
        let mut stop = false;
        for ev in evs {
            match ev {
                Event::Loaded(Err(e)) => return Err(usage(e)),
                Event::Loaded(Ok(_)) if next_row.is_none() => {
                    let st = crate::cdr::store::shared::read(&ingest.store);
                    let from = if a.filter.window.since.is_some() { 0 } else { st.len() };
                    next_row = Some(st.dropped as usize + from);
                }
                Event::SourceFailed { source, error } => {
                    let st = crate::cdr::store::shared::read(&ingest.store);
                    eprintln!("cdrscope: {}: {}", sanitize(st.source_name(source)), sanitize(&error));
                    status = 1;
                    stop |= !st.any_following();
                }
                Event::Note { text, .. } => eprintln!("cdrscope: {}", sanitize(&text)),
                Event::Failed(why) => {
                    eprintln!("cdrscope: reading stopped; {}", sanitize(&why));
                    return Ok(1);
                }
                Event::Loaded(Ok(_)) | Event::Appended { .. } => {}
            }
        }
        if stop {
            break;
        }
        // Rows are counted from the first ever received: the store drops old ones.
        let Some(next_abs) = next_row else { continue };
        // Findings as they fire, or the calls that arrived.
        let lines: Vec<String> = if a.findings {
            let Some(lines) = findings.check(&ingest, &q, &zone, a.json) else { continue };
            lines
        } else {
            let st = crate::cdr::store::shared::read(&ingest.store);
            let from = next_abs.saturating_sub(st.dropped as usize);
            if st.len() <= from {
                continue;
            }
            let ctx = Context { store: &st, zone: zone.clone(), now_ms: crate::cdr::record::time::now_ms() };
            let mut rows = evaluate_range(&q, &ctx, from..st.len());
            if next_abs == 0 {
                // The calls since T, oldest first; afterwards calls print as they arrive.
                rows.sort_by_key(|&r| st.cols.start_ms[r as usize]);
            }
            next_row = Some(st.dropped as usize + st.len());
            if a.json && head.is_empty() {
                head = crate::cdr::export::columns(&st);
            }
            rows.iter()
                .map(|&r| {
                    if a.json {
                        json_line(&st, &head, r as usize, &tw)
                    } else if to_terminal {
                        sanitize(&text_line(&st, r as usize, &tw)).into_owned()
                    } else {
                        text_line(&st, r as usize, &tw)
                    }
                })
                .collect()
        };
        for line in lines {
            match writeln!(out, "{line}") {
                Ok(()) => {}
                // A closed pipe (`| head`) is a normal end.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(status),
                Err(e) => return Err(e.into()),
            }
            printed += 1;
            if a.exit_after.is_some_and(|n| printed >= n) {
                ingest.stop();
                return Ok(status);
            }
        }
    }
    ingest.stop();
    Ok(status)
}

/// Findings already printed, and when they were last looked for.
#[derive(Default)]
struct Fired {
    seen: std::collections::HashSet<(String, String)>,
    rows: usize,
    last: Option<Instant>,
}

/// How often findings are looked for again while calls arrive.
const FINDINGS_EVERY: Duration = Duration::from_secs(2);

impl Fired {
    /// The findings not printed before, as lines, when it is time to look again.
    fn check(
        &mut self,
        ingest: &crate::cdr::ingest::live::Ingest,
        q: &crate::query::Query,
        zone: &Zone,
        json: bool,
    ) -> Option<Vec<String>> {
        let st = crate::cdr::store::shared::read(&ingest.store);
        if st.len() == self.rows && self.last.is_some() {
            return None;
        }
        if self.last.is_some_and(|t| t.elapsed() < FINDINGS_EVERY) {
            return None;
        }
        self.rows = st.len();
        self.last = Some(Instant::now());
        let now = crate::cdr::record::time::now_ms();
        let ctx = Context { store: &st, zone: zone.clone(), now_ms: now };
        let rows = crate::query::evaluate(q, &ctx);
        let tw = TimeWriter::new(zone.clone());
        let mut out = Vec::new();
        for f in crate::findings::run(&st, &rows, &tw) {
            if !self.seen.insert(f.identity()) {
                continue;
            }
            let fired_at = tw.format(now);
            out.push(if json {
                let mut v = serde_json::to_value(&f).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("schema_version".into(), crate::report::summary::SCHEMA_VERSION.into());
                    o.insert("fired_at".into(), fired_at.into());
                }
                crate::cdr::export::json_safe(&v.to_string()).into_owned()
            } else {
                sanitize(&format!(
                    "{fired_at} {} {} {}: {}",
                    f.severity.as_str(),
                    f.kind,
                    f.entity.value,
                    f.text
                ))
                .into_owned()
            });
        }
        Some(out)
    }
}

/// One call in 80 columns: start, caller, callee, callee gateway, end reason, talk time.
pub fn text_line(st: &Store, i: usize, tw: &TimeWriter) -> String {
    let time = tw.format(st.cols.start_ms[i]);
    // "2026-12-02 00:15:05" without the year: 14 columns.
    let time = time.get(5..).unwrap_or(&time).to_string();
    let hold = st.hold_ms(i);
    let dur = if hold == 0 { "-".to_string() } else { crate::text::duration_secs(f64::from(hold) / 1000.0) };
    let gw = st.gateway_label(st.callee_gateway(i));
    let gw = if gw.is_empty() { "(no gateway)" } else { gw };
    format!(
        "{} {} {} {} {} {}",
        fit(&time, 14),
        fit_right(&st.caller(i), 14),
        fit(&st.callee(i), 15),
        fit(gw, 15),
        fit(&st.reason(i).to_string(), 11),
        fit_right(&dur, 6)
    )
}

/// One call as a JSON line: the fields of `export --format json` and `schema_version`.
fn json_line(st: &Store, head: &[String], i: usize, tw: &TimeWriter) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("schema_version".into(), SCHEMA_VERSION.into());
    obj.extend(crate::cdr::export::json_object(head, &st.record(i), tw));
    let text = serde_json::to_string(&obj).unwrap_or_default();
    crate::cdr::export::json_safe(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }
}
