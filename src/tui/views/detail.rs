//! What the explanation panel says about one call: its end reason from the knowledge base
//! (every reading when the value is ambiguous), then the full record. All CDR text is shown
//! escaped.

use ratatui::text::{Line, Span};

use crate::cdr::{Store, TimeWriter};
use crate::kb::{Entry, Kb};
use crate::text::sanitize;
use crate::tui::state::app::App;
use crate::tui::theme::Theme;

/// An entry as panel lines (see [`crate::kb::present`]): the same parts and labels as
/// `cdrscope lookup`, in the knowledge base's language.
pub fn entry_lines(kb: &Kb, e: &Entry, t: Theme) -> Vec<Line<'static>> {
    use crate::kb::present::{Part, present};
    present(kb, e, false)
        .into_iter()
        .map(|part| match part {
            Part::Title { id, name, others, severity } => {
                let also = others.iter().map(|n| format!("  ({n})")).collect::<String>();
                Line::from(vec![
                    Span::styled(
                        format!("{id} {name}"),
                        t.severity(severity).add_modifier(ratatui::style::Modifier::BOLD),
                    ),
                    Span::styled(format!("{also}  [{}]", severity.as_str()), t.dim()),
                ])
            }
            Part::Field { label, text, dim: true } => {
                Line::from(Span::styled(format!("{label}: {text}"), t.dim()))
            }
            Part::Field { label, text, dim: false } => Line::from(format!("{label}: {text}")),
            Part::Note(n) => Line::from(Span::styled(n, t.dim())),
            Part::Heading(h) => Line::from(Span::styled(h, t.title())),
            Part::Text(x) => Line::from(x),
            Part::Bullet(b) => Line::from(format!(" - {b}")),
            Part::Step(k, f) => Line::from(format!(" {k}. {f}")),
            Part::Gap => Line::from(""),
        })
        .collect()
}

pub fn lines(app: &App, store: &Store, row: usize) -> Vec<Line<'static>> {
    let t = app.theme;
    let r = store.record(row);
    let mut out: Vec<Line<'static>> = Vec::new();
    let value = r.reason.to_string();
    // The cause the peer gave behind its SIP response, often the real story behind a 503:
    // said first, explained after the end reason's own entry.
    let header = store.reason_header(row);
    if let Some(h) = &header {
        let said = match &h.text {
            Some(text) => format!("{} {}", h.label(), text),
            None => h.label(),
        };
        out.push(Line::from(Span::styled(
            sanitize(&format!("{value} from the peer; its Reason header says {said}")).into_owned(),
            t.key(),
        )));
    }
    match crate::kb::resolve(&app.kb, &value) {
        Ok(readings) => {
            if readings.len() > 1 {
                out.push(Line::from(Span::styled(
                    format!("'{}' has {} readings:", sanitize(&value), readings.len()),
                    t.key(),
                )));
            }
            for (k, rd) in readings.iter().enumerate() {
                if k > 0 {
                    out.push(Line::from(""));
                }
                out.extend(entry_lines(&app.kb, rd.entry, t));
            }
        }
        Err(why) => out.push(Line::from(Span::styled(sanitize(&why).into_owned(), t.error()))),
    }
    if let Some(e) = header.and_then(|h| h.kb_id()).and_then(|id| app.kb.get(&id)) {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled("The Reason header's cause", t.title())));
        out.extend(entry_lines(&app.kb, e, t));
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("The record", t.title())));
    // What VOS3000's times mean (real rows): no setup time is recorded.
    let timing = if r.hold_ms > 0 {
        "answered: startTime is the connect time, holdTime the talk time"
    } else if r.stop_ms == Some(r.start_ms) {
        "not answered: startTime = stopTime, the moment the call failed"
    } else {
        "not answered"
    };
    out.push(Line::from(Span::styled(format!("({timing})"), t.dim())));
    let tw = TimeWriter::new(app.zone.clone());
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut fields: Vec<(&str, String)> = vec![
        // Database rows by their flowno (`mysql://…/table#flowno`), lines by number.
        (
            "source",
            match (store.source_of(row).and_then(|s| s.db.as_ref()), r.flowno) {
                (Some(_), Some(f)) => format!("{}#{f}", r.source),
                _ => format!("{}:{}", r.source, r.line),
            },
        ),
        ("startTime", tw.format(r.start_ms)),
        ("stopTime", opt(r.stop_ms.map(|s| tw.format(s)))),
        ("holdTime", format!("{} ms", r.hold_ms)),
        ("endReason", value.clone()),
        ("endDirection", opt(r.end_direction.map(|d| d.to_string()))),
        ("callerE164", r.caller.clone()),
        ("calleeE164", r.callee.clone()),
        ("callerAccessE164", r.caller_access.clone()),
        ("calleeAccessE164", r.callee_access.clone()),
        ("callerToGatewayE164", r.caller_to_gateway.clone()),
        ("calleeToGatewayE164", r.callee_to_gateway.clone()),
        ("callerGatewayId", with_alias(&r.caller_gateway)),
        ("calleeGatewayId", with_alias(&r.callee_gateway)),
        ("callerIp", r.caller_ip.clone()),
        ("calleeIp", r.callee_ip.clone()),
        ("callerPdd", opt(r.caller_pdd_ms.map(|p| format!("{p} ms")))),
        ("calleePdd", opt(r.callee_pdd_ms.map(|p| format!("{p} ms")))),
        ("billingMode", opt(r.billing_mode.map(|b| b.to_string()))),
        ("calleeBilling", opt(r.callee_billing.map(|b| b.to_string()))),
        ("callLevel", opt(r.call_level.map(|b| b.to_string()))),
        ("flowno", opt(r.flowno.map(|b| b.to_string()))),
    ];
    fields.extend(r.extras.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.as_str(), v.clone())));
    for (k, v) in fields {
        out.push(field_line(t, k, &v));
    }
    out.extend(whole_record_lines(app, store, row));
    out
}

fn field_line(t: Theme, name: &str, value: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(sanitize(&format!("{name:>20} ")).into_owned(), t.dim()),
        Span::raw(sanitize(value).into_owned()),
    ])
}

/// A call read from a database: the columns the store does not keep, fetched on demand.
fn whole_record_lines(app: &App, store: &Store, row: usize) -> Vec<Line<'static>> {
    let t = app.theme;
    let flowno = store.cols.flowno.get(row);
    let Some((_, table)) = store.source_of(row).and_then(|s| s.db.as_ref()) else { return Vec::new() };
    if flowno == 0 {
        return Vec::new();
    }
    let mut out = vec![
        Line::from(""),
        Line::from(Span::styled(format!("The rest of the record ({table})"), t.title())),
    ];
    match &app.whole_record {
        Some((f, Some(Ok(fields)))) if *f == flowno => {
            let kept =
                crate::cdr::sources::mysql::kept_columns(fields.iter().map(|(k, _)| k.clone()).collect());
            let rest: Vec<&(String, String)> =
                fields.iter().filter(|(k, v)| !v.is_empty() && !kept.contains(k)).collect();
            if rest.is_empty() {
                out.push(Line::from(Span::styled("(no other column has a value)", t.dim())));
            }
            out.extend(rest.into_iter().map(|(k, v)| field_line(t, k, v)));
        }
        Some((f, Some(Err(why)))) if *f == flowno => {
            out.push(Line::from(Span::styled(sanitize(why).into_owned(), t.error())));
        }
        _ => out.push(Line::from(Span::styled("fetching from the database…", t.dim()))),
    }
    out
}

/// A raw gateway name, with its alias from the config file after it.
fn with_alias(raw: &str) -> String {
    match crate::config::gateway_label(raw) {
        alias if alias != raw => format!("{raw} ({alias})"),
        _ => raw.to_string(),
    }
}
