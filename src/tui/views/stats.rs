//! Statistics: health verdicts, per-gateway or per-code table, end-reason bars, and a timeline
//! of the selected gateway or code against the rest.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use crate::text::{duration_secs, percent, sanitize, thousands};
use crate::tui::state::app::{App, StatsTable};
use crate::tui::views::stats_timeline::draw_timeline;

/// The Stats view.
pub struct Stats;

impl crate::tui::views::Screen for Stats {
    fn view(&self) -> crate::tui::state::app::View {
        crate::tui::state::app::View::Stats
    }

    fn draw(&self, f: &mut Frame<'_>, app: &mut App, area: Rect) {
        draw(f, app, area)
    }

    fn hints<'a>(&self, app: &'a App) -> Vec<(&'a str, &'static str)> {
        use crate::keys::Action;
        let k = |a: Action| app.keymap.keys_of(a);
        vec![
            (k(Action::SwitchTable), "table"),
            (k(Action::ShowFindings), "findings"),
            (k(Action::Enter), "calls"),
            (k(Action::Sort), "sort"),
            (k(Action::FilterPrompt), "filter"),
            (k(Action::NextView), "view"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}

pub fn draw(f: &mut Frame<'_>, app: &mut App, area: Rect) {
    let Some(s) = app.summary.clone() else {
        f.render_widget(
            Paragraph::new(if app.specs.is_empty() { "No CDRs loaded." } else { "Loading..." }),
            area,
        );
        return;
    };
    let t = app.theme;
    // The charts take a third of a tall screen, 7 lines of a short one.
    let chart_h = (area.height / 3).clamp(7, 16);
    let [health, main, chart] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(5), Constraint::Length(chart_h)])
            .areas(area);
    let mut spans = Vec::new();
    if s.health.is_empty() {
        spans.push(Span::styled(" no calls in this selection: no health verdicts", t.dim()));
    }
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
    // Both lines fit the width; what does not ends in `…`.
    let width = usize::from(health.width);
    let findings = crate::text::fit(&findings, width).trim_end().to_string();
    f.render_widget(
        Paragraph::new(vec![
            Line::from(crate::tui::views::widgets::fit_spans(spans, width)),
            Line::from(Span::styled(findings, t.key())),
        ]),
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
    if app.stats_table == StatsTable::Matrix {
        draw_matrix(f, app, &s, main);
        draw_timeline(f, app, &s, chart);
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(main);
    let height = left.height.saturating_sub(3) as usize;
    app.page = height.max(1);
    let offset = crate::tui::views::widgets::page_offset(app.stats_selected, height);
    app.hits.list = Some((list_rows(left), offset));
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
                vec!["Gateway", "Calls", "Failed", "ASR", "NER", "ACD", "PDD", "Top failure"],
                list.iter()
                    .map(|g| {
                        vec![
                            if g.gateway.is_empty() {
                                "(none)".into()
                            } else {
                                sanitize(crate::config::gateway_label(&g.gateway)).into_owned()
                            },
                            thousands(g.calls),
                            thousands(g.calls.saturating_sub(g.answered)),
                            percent(g.asr),
                            percent(g.ner),
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
        // Drawn by draw_findings, draw_board and draw_matrix.
        StatsTable::Findings | StatsTable::Now | StatsTable::Matrix => ("", Vec::new(), Vec::new()),
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
    let gateways = header.len() == 8;
    // Column widths: the name takes what the figures leave; on a narrow screen the figures on
    // the right leave first, so no number is ever cut. Every text is fitted with `…`.
    let (flex, fixed): (usize, Vec<u16>) =
        if gateways { (0, vec![8, 7, 6, 6, 6, 5, 14]) } else { (1, vec![7, 8, 6]) };
    let avail = left.width.saturating_sub(2);
    let mut keep = fixed.len();
    let need = |k: usize| -> u16 { fixed[..k].iter().sum::<u16>() + k as u16 + 10 };
    while keep > 2 && need(keep) > avail {
        keep -= 1;
    }
    let flex_w = avail.saturating_sub(need(keep) - 10).max(4);
    // The widths in column order, and which columns are shown.
    let mut col_w: Vec<u16> = fixed[..keep].to_vec();
    col_w.insert(flex, flex_w);
    let shown_cols = col_w.len();
    let widths: Vec<Constraint> = col_w.iter().map(|w| Constraint::Length(*w)).collect();
    // Numbers right-aligned, so their digits line up.
    let numeric: &[usize] = if gateways { &[1, 2, 3, 4, 5, 6] } else { &[2, 3] };
    let aligned = |cells: Vec<String>| -> Row<'static> {
        Row::new(cells.into_iter().take(shown_cols).enumerate().map(|(c, text)| {
            let w = usize::from(col_w[c]);
            if numeric.contains(&c) {
                Cell::from(Line::from(crate::text::fit_right(&text, w)).alignment(Alignment::Right))
            } else {
                Cell::from(Line::from(crate::text::fit(&text, w).trim_end().to_string()))
            }
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
    let block = Block::default().borders(Borders::ALL).title(crate::tui::views::widgets::fit_title(
        &format!(" {title}{}  (v: next table, Enter: calls) ", order_note(app, &s)),
        left.width,
    ));
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

    draw_timeline(f, app, &s, chart);
}

/// Which routing gateway fails with what: a row a gateway (as in the callee-gateway table,
/// so `Enter` and the timeline work alike), a column an end reason of failed calls, the most
/// frequent over all gateways first, as many as fit.
fn draw_matrix(f: &mut Frame<'_>, app: &mut App, s: &crate::report::Summary, area: Rect) {
    let t = app.theme;
    let totals = s.failure_totals();
    let name_w: u16 = 16;
    let fixed = name_w + 1 + 8 + 1 + 7 + 2;
    let col_w = |code: &str| (crate::text::width(code) as u16).max(6);
    let mut room = area.width.saturating_sub(fixed);
    let mut codes: Vec<&str> = Vec::new();
    for (code, _) in &totals {
        let w = col_w(code) + 1;
        if w > room {
            break;
        }
        room -= w;
        codes.push(code);
    }
    let height = area.height.saturating_sub(3) as usize;
    app.page = height.max(1);
    let offset = crate::tui::views::widgets::page_offset(app.stats_selected, height);
    app.hits.list = Some((list_rows(area), offset));
    let right = |text: String| Cell::from(Line::from(text).alignment(Alignment::Right));
    let rows: Vec<Row<'_>> = s
        .by_callee_gateway
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(k, g)| {
            let name = if g.gateway.is_empty() {
                "(none)".to_string()
            } else {
                sanitize(crate::config::gateway_label(&g.gateway)).into_owned()
            };
            let mut cells = vec![
                Cell::from(crate::text::fit(&name, usize::from(name_w))),
                right(thousands(g.calls)),
                right(thousands(g.calls.saturating_sub(g.answered))),
            ];
            for code in &codes {
                let n = g.failures.iter().find(|c| c.code == *code).map_or(0, |c| c.calls);
                cells.push(right(if n == 0 { "·".into() } else { thousands(n) }));
            }
            let r = Row::new(cells);
            if k == app.stats_selected { r.style(t.selected()) } else { r }
        })
        .collect();
    let mut widths = vec![Constraint::Length(name_w), Constraint::Length(8), Constraint::Length(7)];
    widths.extend(codes.iter().map(|c| Constraint::Length(col_w(c))));
    let mut head = vec![Cell::from("Gateway"), right("Calls".into()), right("Failed".into())];
    head.extend(codes.iter().map(|c| right(sanitize(c).into_owned())));
    let hidden = totals.len() - codes.len();
    let more = if hidden > 0 { format!(", {hidden} more codes off the right") } else { String::new() };
    let title =
        format!(" Routing gateway × end reason of failed calls{more}  (v: next table, Enter: calls) ");
    f.render_widget(
        Table::new(rows, widths).header(Row::new(head).style(t.title())).block(
            Block::default()
                .borders(Borders::ALL)
                .title(crate::tui::views::widgets::fit_title(&title, area.width)),
        ),
        area,
    );
}

/// The order the focused table is in, as the operator left it with `s` and `S`.
fn order_note(app: &App, s: &crate::report::Summary) -> &'static str {
    let list = match app.stats_table {
        StatsTable::CalleeGateways => &s.by_callee_gateway,
        StatsTable::CallerGateways => &s.by_caller_gateway,
        StatsTable::Codes => {
            let most_first = s.by_code.windows(2).all(|w| w[0].calls >= w[1].calls);
            return if most_first { ", most calls first" } else { ", fewest calls first" };
        }
        _ => return "",
    };
    let pairs = || list.windows(2);
    if pairs().all(|w| w[0].calls >= w[1].calls) {
        ", most calls first"
    } else if pairs().all(|w| w[0].asr <= w[1].asr) {
        ", lowest ASR first"
    } else if pairs().all(|w| w[0].calls <= w[1].calls) {
        ", fewest calls first"
    } else if pairs().all(|w| w[0].asr >= w[1].asr) {
        ", highest ASR first"
    } else {
        ""
    }
}

/// The rows of a bordered table with a header line: inside the border, under the header.
fn list_rows(r: Rect) -> Rect {
    Rect { x: r.x + 1, y: r.y + 2, width: r.width.saturating_sub(2), height: r.height.saturating_sub(3) }
}

/// Every finding, ranked, across the full width; below, the selected one in full with its
/// filter (Enter shows its calls).
fn draw_findings(f: &mut Frame<'_>, app: &mut App, s: &crate::report::Summary, main: Rect, below: Rect) {
    let t = app.theme;
    let height = main.height.saturating_sub(3) as usize;
    app.page = height.max(1);
    let offset = crate::tui::views::widgets::page_offset(app.stats_selected, height);
    app.hits.list = Some((list_rows(main), offset));
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
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(crate::tui::views::widgets::fit_title(&title, main.width)),
            ),
        main,
    );
    let text = s.findings.get(app.stats_selected).map_or(Vec::new(), |x| {
        let mut lines = vec![
            Line::from(sanitize(&x.text).into_owned()),
            Line::from(Span::styled(format!("filter: {}", sanitize(&x.filter)), t.dim())),
        ];
        lines.extend(advice_lines(app, x));
        lines
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
    let offset = crate::tui::views::widgets::page_offset(app.stats_selected, height);
    app.hits.list = Some((list_rows(area), offset));
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

/// What to do about a finding, in its own panel: for each entry its advice names, the first
/// fix, and the settings and parameters to look at (the code's full entry is a lookup away).
fn advice_lines(app: &App, x: &crate::findings::Finding) -> Vec<Line<'static>> {
    let t = app.theme;
    let mut out = Vec::new();
    for id in &x.advice {
        let Some(e) = app.kb.get(id) else { continue };
        if out.is_empty() {
            out.push(Line::from(Span::styled("What to do", t.title())));
        }
        let head = format!("{} {}", sanitize(&e.id), sanitize(&e.name));
        let fix = e.fixes.first().map(|f| sanitize(f).into_owned()).unwrap_or_default();
        out.push(Line::from(vec![Span::styled(head, t.key()), Span::raw(format!(": {fix}"))]));
        let settings: Vec<String> = e
            .settings
            .iter()
            .map(|st| format!("{} {}", crate::kb::present::entity_name(&st.entity, app.kb.lang), st.name))
            .chain(e.parameters.iter().map(|p| format!("parameter {p}")))
            .collect();
        if !settings.is_empty() {
            out.push(Line::from(Span::styled(
                format!("  settings: {}", sanitize(&settings.join(", "))),
                t.dim(),
            )));
        }
    }
    out
}
