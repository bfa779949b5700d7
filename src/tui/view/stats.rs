//! Statistics: health verdicts, per-gateway or per-code table, end-reason bars, and a timeline
//! of the selected gateway or code against the rest.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Sparkline, Table};

use crate::text::{duration_secs, percent, sanitize, thousands};
use crate::tui::app::{App, StatsTable};

pub fn draw(f: &mut Frame<'_>, app: &mut App, area: Rect) {
    let Some(s) = app.summary.clone() else {
        f.render_widget(
            Paragraph::new(if app.specs.is_empty() { "No CDRs loaded." } else { "Loading..." }),
            area,
        );
        return;
    };
    let t = app.theme;
    let [health, main, chart] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(5), Constraint::Length(6)]).areas(area);
    let mut spans = Vec::new();
    for h in &s.health {
        spans.push(Span::raw(format!(" {} ", h.metric)));
        spans
            .push(Span::styled(format!("{} {}", percent(h.value), h.verdict.as_str()), t.verdict(h.verdict)));
        spans.push(Span::raw(" │"));
    }
    let findings = match s.findings.len() {
        _ if app.findings_pending => " finding what broke...".to_string(),
        0 => String::new(),
        n => format!(
            " ! {n} finding{} (!: list): {}",
            if n == 1 { "" } else { "s" },
            s.findings.first().map_or(String::new(), |x| sanitize(&x.text).into_owned())
        ),
    };
    f.render_widget(
        Paragraph::new(vec![Line::from(spans), Line::from(Span::styled(findings, t.key()))]),
        health,
    );

    if app.stats_table == StatsTable::Findings {
        draw_findings(f, app, &s, main, chart);
        return;
    }
    if app.stats_table == StatsTable::Now {
        draw_board(f, app, main.union(chart));
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(main);
    let height = left.height.saturating_sub(3) as usize;
    app.page = height.max(1);
    let offset = crate::tui::ui::page_offset(app.stats_selected, height);
    let (title, header, rows): (&str, Vec<&str>, Vec<Vec<String>>) = match app.stats_table {
        StatsTable::CalleeGateways | StatsTable::CallerGateways => {
            let list = if app.stats_table == StatsTable::CalleeGateways {
                &s.by_callee_gateway
            } else {
                &s.by_caller_gateway
            };
            (
                if app.stats_table == StatsTable::CalleeGateways {
                    "By callee (routing) gateway"
                } else {
                    "By caller (mapping) gateway"
                },
                vec!["Gateway", "Calls", "ASR", "ACD", "PDD", "Top failure"],
                list.iter()
                    .map(|g| {
                        vec![
                            if g.gateway.is_empty() {
                                "(none)".into()
                            } else {
                                sanitize(crate::config::gateway_label(&g.gateway)).into_owned()
                            },
                            thousands(g.calls),
                            percent(g.asr),
                            duration_secs(g.acd_seconds),
                            g.pdd_avg_ms.map_or("-".into(), |p| format!("{:.1}s", p / 1000.0)),
                            g.top_codes.first().map_or(String::new(), |c| {
                                format!("{} ({})", sanitize(&c.code), thousands(c.calls))
                            }),
                        ]
                    })
                    .collect(),
            )
        }
        // Drawn by draw_findings.
        StatsTable::Findings | StatsTable::Now => ("", Vec::new(), Vec::new()),
        StatsTable::Codes => (
            "By end reason",
            vec!["Code", "Name", "Calls", "Share"],
            s.by_code
                .iter()
                .map(|c| {
                    vec![
                        sanitize(&c.code).into_owned(),
                        sanitize(&c.name).into_owned(),
                        thousands(c.calls),
                        percent(c.share),
                    ]
                })
                .collect(),
        ),
    };
    let widths: Vec<Constraint> = if header.len() == 6 {
        vec![
            Constraint::Min(10),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(12),
        ]
    } else {
        vec![Constraint::Length(7), Constraint::Min(12), Constraint::Length(8), Constraint::Length(6)]
    };
    // Numbers right-aligned, so their digits line up.
    let numeric: &[usize] = if header.len() == 6 { &[1, 2, 3, 4] } else { &[2, 3] };
    let aligned = |cells: Vec<String>| -> Row<'static> {
        Row::new(cells.into_iter().enumerate().map(|(c, text)| {
            let line = Line::from(text);
            Cell::from(if numeric.contains(&c) { line.alignment(Alignment::Right) } else { line })
        }))
    };
    let shown: Vec<Row<'_>> = rows
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(k, cells)| {
            let r = aligned(cells);
            if k == app.stats_selected { r.style(t.selected()) } else { r }
        })
        .collect();
    let head = aligned(header.iter().map(|h| h.to_string()).collect()).style(t.title());
    let block =
        Block::default().borders(Borders::ALL).title(format!(" {title}  (v: next table, Enter: calls) "));
    f.render_widget(Table::new(shown, widths).header(head).block(block), left);

    // End reasons as bars.
    let peak = s.by_code.first().map_or(1, |c| c.calls.max(1));
    let bar_w = right.width.saturating_sub(16) as u64;
    let lines: Vec<Line<'_>> = s
        .by_code
        .iter()
        .take(right.height.saturating_sub(2) as usize)
        .map(|c| {
            let n = (c.calls * bar_w / peak).max(1) as usize;
            let sev = crate::kb::resolve(&app.kb, &c.code)
                .ok()
                .and_then(|r| r.first().map(|x| x.entry.severity))
                .unwrap_or_default();
            Line::from(vec![
                Span::raw(format!("{:>6} ", crate::text::fit(&c.code, 6).trim_end())),
                Span::styled("█".repeat(n), t.severity(sev)),
                Span::raw(format!(" {}", percent(c.share))),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" End reasons ")),
        right,
    );

    // Timeline: the selected item against the rest.
    let label = app
        .stats_rows()
        .get(app.stats_selected)
        .map(|(l, _)| if l.is_empty() { "(none)".to_string() } else { sanitize(l).into_owned() })
        .unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" Timeline ({} buckets): {label} calls, its failures, the rest ", s.timeline_bucket));
    let inner = block.inner(chart);
    f.render_widget(block, chart);
    if let Some((_, data)) = &app.timeline {
        let [a, b, c] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(inner.height.saturating_sub(2)),
        ])
        .areas(inner);
        let focus: Vec<u64> = data.iter().map(|d| d.1).collect();
        let failed: Vec<u64> = data.iter().map(|d| d.2).collect();
        let rest: Vec<u64> = data.iter().map(|d| d.3).collect();
        f.render_widget(Sparkline::default().data(&focus).style(t.bar()), a);
        f.render_widget(Sparkline::default().data(&failed).style(t.bar_alt()), b);
        f.render_widget(Sparkline::default().data(&rest).style(t.dim()), c);
    }
}

/// Every finding, ranked, across the full width; below, the selected one in full with its
/// filter (Enter shows its calls).
fn draw_findings(f: &mut Frame<'_>, app: &mut App, s: &crate::stats::Summary, main: Rect, below: Rect) {
    let t = app.theme;
    let height = main.height.saturating_sub(3) as usize;
    app.page = height.max(1);
    let offset = crate::tui::ui::page_offset(app.stats_selected, height);
    let rows: Vec<Row<'_>> = s
        .findings
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(k, x)| {
            let sev = match x.severity {
                crate::findings::Severity::Critical => crate::kb::Severity::Critical,
                crate::findings::Severity::Warning => crate::kb::Severity::Medium,
                crate::findings::Severity::Info => crate::kb::Severity::Info,
            };
            // While following, when it fired; else when its window began.
            let when = match app.fired_at(x) {
                Some(ms) => crate::cdr::TimeWriter::new(app.zone.clone())
                    .format(ms)
                    .get(11..)
                    .unwrap_or_default()
                    .to_string(),
                None => x.window.from.get(5..).unwrap_or(&x.window.from).to_string(),
            };
            let r = Row::new(vec![
                Span::styled(x.severity.as_str().to_string(), t.severity(sev)),
                Span::raw(x.kind.to_string()),
                Span::raw(sanitize(&x.entity.value).into_owned()),
                Span::raw(when),
                Span::raw(sanitize(&x.text).into_owned()),
            ]);
            if k == app.stats_selected { r.style(t.selected()) } else { r }
        })
        .collect();
    let widths = [
        Constraint::Length(8),
        Constraint::Length(17),
        Constraint::Length(16),
        Constraint::Length(11),
        Constraint::Min(20),
    ];
    let title = if app.findings_pending {
        " Findings: looking...  (v: next table) ".to_string()
    } else if s.findings.is_empty() {
        " Findings: none — nothing passed its test in this selection  (v: next table) ".to_string()
    } else {
        format!(" Findings ({})  (v: next table, Enter: its calls) ", s.findings.len())
    };
    f.render_widget(
        Table::new(rows, widths)
            .header(
                Row::new(vec![
                    "Severity",
                    "Kind",
                    "Where",
                    if app.live.is_some() { "Fired" } else { "From" },
                    "Finding",
                ])
                .style(t.title()),
            )
            .block(Block::default().borders(Borders::ALL).title(title)),
        main,
    );
    let text = s.findings.get(app.stats_selected).map_or(Vec::new(), |x| {
        vec![
            Line::from(sanitize(&x.text).into_owned()),
            Line::from(Span::styled(format!("filter: {}", sanitize(&x.filter)), t.dim())),
        ]
    });
    f.render_widget(
        Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(" Selected finding ")),
        below,
    );
}

/// "Gateways now": calls and ASR over the last 5, 15, 60 minutes and the whole selection,
/// ACD, PDD and the top failure of the last 15 minutes, and an arrow where ASR moved.
fn draw_board(f: &mut Frame<'_>, app: &mut App, area: Rect) {
    let t = app.theme;
    let height = area.height.saturating_sub(3) as usize;
    app.page = height.max(1);
    let offset = crate::tui::ui::page_offset(app.stats_selected, height);
    let Some(board) = app.board.clone() else {
        f.render_widget(
            Paragraph::new(" Gateways now: computing...")
                .block(Block::default().borders(Borders::ALL).title(" Gateways now ")),
            area,
        );
        return;
    };
    let cell = |x: &crate::stats::board::Stretch| {
        if x.calls == 0 { "-".to_string() } else { format!("{} {}", thousands(x.calls), percent(x.asr)) }
    };
    let rows: Vec<Row> = board
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(k, r)| {
            let recent = &r.stretches[1];
            let r2 = Row::new(vec![
                Span::raw(if r.side == "callee" { "out" } else { "in" }),
                Span::raw(sanitize(&r.gateway).into_owned()),
                Span::raw(cell(&r.stretches[0])),
                Span::raw(cell(&r.stretches[1])),
                Span::raw(cell(&r.stretches[2])),
                Span::raw(cell(&r.stretches[3])),
                Span::styled(
                    r.moved.arrow().to_string(),
                    if r.moved == crate::stats::board::Moved::Down { t.error() } else { t.key() },
                ),
                Span::raw(if recent.answered == 0 { "-".into() } else { duration_secs(recent.acd_seconds) }),
                Span::raw(recent.pdd_avg_ms.map_or("-".into(), |p| format!("{:.1}s", p / 1000.0))),
                Span::raw(
                    recent
                        .top_failure
                        .as_ref()
                        .map_or(String::new(), |(c, n)| sanitize(&format!("{c} ×{n}")).into_owned()),
                ),
            ]);
            if k == app.stats_selected { r2.style(t.selected()) } else { r2 }
        })
        .collect();
    let widths = [
        Constraint::Length(3),
        Constraint::Min(12),
        Constraint::Length(11),
        Constraint::Length(11),
        Constraint::Length(12),
        Constraint::Length(13),
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Length(12),
    ];
    f.render_widget(
        Table::new(rows, widths)
            .header(
                Row::new(vec![
                    "",
                    "Gateway",
                    "5 min",
                    "15 min",
                    "60 min",
                    "all",
                    "",
                    "ACD15",
                    "PDD15",
                    "top fail 15m",
                ])
                .style(t.title()),
            )
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Gateways now: calls and ASR  (s: sort, Enter: its calls, v: next table) "),
            ),
        area,
    );
}
