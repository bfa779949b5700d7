//! The Stats view's charts: the selected row's calls and failures, its answer rate and its
//! PDD over time, each against the rest of the selection.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};

use crate::text::{sanitize, thousands};
use crate::tui::state::app::App;

/// The selected row over time, as three charts across the full width, each with a time
/// axis: its calls and failures (the rest of the calls dimmed behind), its answer rate, its
/// PDD. Drawn only from the timeline of the filter in force.
pub fn draw_timeline(f: &mut Frame<'_>, app: &App, s: &crate::report::Summary, area: Rect) {
    let t = app.theme;
    let label = app
        .stats_rows()
        .get(app.stats_selected)
        .map(|(l, _)| if l.is_empty() { "(none)".to_string() } else { sanitize(l).into_owned() })
        .unwrap_or_default();
    let title = format!(" {label} over time ({} buckets) ", s.timeline_bucket);
    let data = match &app.timeline {
        Some((g, _, d)) if *g == app.generation => d,
        _ => {
            let block = Block::default().borders(Borders::ALL).title(title);
            f.render_widget(Paragraph::new(" computing…").block(block), area);
            return;
        }
    };
    if data.is_empty() {
        let block = Block::default().borders(Borders::ALL).title(title);
        f.render_widget(Paragraph::new(" no calls with a plausible time").block(block), area);
        return;
    }
    let x_of = |k: usize| k as f64;
    let x_max = data.len().saturating_sub(1).max(1) as f64;
    let tw = crate::cdr::TimeWriter::new(app.zone.clone());
    // The date too when the buckets span days (month-day), else the time of day.
    let days = tw.format(data[0].start_ms).get(..10) != tw.format(data[data.len() - 1].start_ms).get(..10);
    let hhmm = |ms: i64| {
        let f = tw.format(ms);
        match (days, area.width >= 110) {
            (true, true) => f.get(5..16),
            (true, false) => f.get(5..10),
            (false, _) => f.get(11..16),
        }
        .unwrap_or_default()
        .to_string()
    };
    // The middle time only where the narrowest chart has room for three labels (never with
    // dates: they are wider).
    let x_labels = if area.width >= 120 && !days {
        vec![
            Span::raw(hhmm(data[0].start_ms)),
            Span::raw(hhmm(data[data.len() / 2].start_ms)),
            Span::raw(hhmm(data[data.len() - 1].start_ms)),
        ]
    } else {
        vec![Span::raw(hhmm(data[0].start_ms)), Span::raw(hhmm(data[data.len() - 1].start_ms))]
    };
    let calls: Vec<(f64, f64)> = data.iter().enumerate().map(|(k, d)| (x_of(k), d.calls as f64)).collect();
    let failed: Vec<(f64, f64)> = data.iter().enumerate().map(|(k, d)| (x_of(k), d.failed as f64)).collect();
    let asr: Vec<(f64, f64)> =
        data.iter().enumerate().filter_map(|(k, d)| d.asr().map(|a| (x_of(k), a * 100.0))).collect();
    let pdd: Vec<(f64, f64)> =
        data.iter().enumerate().filter_map(|(k, d)| d.pdd_avg_s().map(|p| (x_of(k), p))).collect();
    let peak_calls = data.iter().map(|d| d.calls).max().unwrap_or(0).max(1) as f64;
    let peak_pdd = pdd.iter().map(|p| p.1).fold(1.0_f64, f64::max).ceil();
    let [a, b, c] = Layout::horizontal([
        Constraint::Percentage(40),
        Constraint::Percentage(30),
        Constraint::Percentage(30),
    ])
    .areas(area);
    let chart = |sets, name: String, y_max: f64, y_labels: Vec<String>| {
        chart(sets, name, (x_max, x_labels.clone()), (y_max, y_labels), t.dim())
    };
    fn line<'a>(
        name: &'static str,
        pts: &'a [(f64, f64)],
        style: ratatui::style::Style,
        marker: Marker,
    ) -> Dataset<'a> {
        Dataset::default().name(name).marker(marker).graph_type(GraphType::Line).style(style).data(pts)
    }
    f.render_widget(
        chart(
            // Without colour the two lines differ by their dots, and the title says which.
            if t.color {
                vec![
                    line("calls", &calls, t.bar(), Marker::Braille),
                    line("failed", &failed, t.bar_alt(), Marker::Braille),
                ]
            } else {
                vec![
                    line("calls", &calls, t.bar(), Marker::Braille),
                    line("failed", &failed, t.bar_alt(), Marker::Dot),
                ]
            },
            // The title is the legend (a chart this low hides ratatui's own).
            if t.color {
                format!(" {label}: calls, failed ")
            } else {
                format!(" {label}: calls ⠤⠤, failed •• ")
            },
            peak_calls,
            vec!["0".into(), thousands(peak_calls as u64)],
        ),
        a,
    );
    f.render_widget(
        chart(
            vec![line("ASR %", &asr, t.key(), Marker::Braille)],
            " ASR % ".into(),
            100.0,
            vec!["0".into(), "50".into(), "100".into()],
        ),
        b,
    );
    f.render_widget(
        chart(
            vec![line("PDD s", &pdd, t.title(), Marker::Braille)],
            " PDD, seconds ".into(),
            peak_pdd,
            vec!["0".into(), format!("{peak_pdd:.0}")],
        ),
        c,
    );
}

/// A chart with a time axis and a value axis, each `(upper bound, labels)`.
fn chart<'a>(
    sets: Vec<Dataset<'a>>,
    name: String,
    x: (f64, Vec<Span<'a>>),
    y: (f64, Vec<String>),
    dim: ratatui::style::Style,
) -> Chart<'a> {
    // One series needs no legend (its title names it); two keep theirs.
    let legend = (sets.len() > 1).then_some(ratatui::widgets::LegendPosition::TopLeft);
    Chart::new(sets)
        .legend_position(legend)
        .block(Block::default().borders(Borders::ALL).title(name))
        .x_axis(Axis::default().bounds([0.0, x.0]).labels(x.1).style(dim))
        .y_axis(Axis::default().bounds([0.0, y.0]).labels(y.1).style(dim))
}
