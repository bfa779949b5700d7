//! The Stats table on screen as rows of text, for `e` in the Stats view: what is exported is
//! what is shown (the table in force, in its order), not the calls behind it.

use crate::report::Summary;
use crate::tui::state::app::{App, Overlay, Prompt};
use crate::tui::state::types::StatsTable;

impl App {
    /// `e` in Stats, once the name is good: the table on screen, as CSV (TSV for `.tsv`).
    pub(crate) fn export_stats_table(&mut self, mut p: Prompt, path: &std::path::Path) -> Option<Overlay> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if matches!(ext.as_deref(), Some("json" | "txt")) {
            p.error = Some("a Stats table is written as .csv or .tsv".into());
            return Some(Overlay::Prompt(p));
        }
        let Some(s) = self.summary.clone() else {
            p.error = Some("no table yet: the calls are still being counted".into());
            return Some(Overlay::Prompt(p));
        };
        let t = table(self.stats_table, &s, self.board.as_deref().map(|b| b.as_slice()));
        self.status = Some(match write(&t, path, ext.as_deref() == Some("tsv")) {
            Ok(()) => (
                format!("exported the {} table ({} rows) to {}", t.name, t.rows.len(), path.display()),
                false,
            ),
            Err(e) => (e, true),
        });
        None
    }
}

/// A table: its name (for the status line), its header and its rows.
pub struct Table {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| format!("{x:.0}"))
}

/// The table `which` of `s`, or of the board for "Gateways now".
pub fn table(which: StatsTable, s: &Summary, board: Option<&[crate::stats::board::BoardRow]>) -> Table {
    let head = |h: &[&str]| h.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let gateways = |name, rows: &[crate::report::GatewayStats]| Table {
        name,
        header: head(&[
            "gateway",
            "calls",
            "failed",
            "answered",
            "asr",
            "ner",
            "acd_seconds",
            "pdd_avg_ms",
            "top_failure",
        ]),
        rows: rows
            .iter()
            .map(|g| {
                vec![
                    g.gateway.clone(),
                    g.calls.to_string(),
                    g.calls.saturating_sub(g.answered).to_string(),
                    g.answered.to_string(),
                    format!("{:.4}", g.asr),
                    format!("{:.4}", g.ner),
                    format!("{:.1}", g.acd_seconds),
                    opt(g.pdd_avg_ms),
                    g.top_codes.first().map_or_else(String::new, |c| format!("{} ({})", c.code, c.calls)),
                ]
            })
            .collect(),
    };
    match which {
        StatsTable::CalleeGateways => gateways("routing gateways", &s.by_callee_gateway),
        StatsTable::CallerGateways => gateways("mapping gateways", &s.by_caller_gateway),
        StatsTable::Codes => Table {
            name: "end reasons",
            header: head(&["code", "name", "calls", "share"]),
            rows: s
                .by_code
                .iter()
                .map(|c| vec![c.code.clone(), c.name.clone(), c.calls.to_string(), format!("{:.4}", c.share)])
                .collect(),
        },
        StatsTable::Findings => Table {
            name: "findings",
            header: head(&["severity", "kind", "field", "value", "from", "to", "finding", "filter"]),
            rows: s
                .findings
                .iter()
                .map(|f| {
                    vec![
                        f.severity.as_str().to_string(),
                        f.kind.to_string(),
                        f.entity.field.to_string(),
                        f.entity.value.clone(),
                        f.window.from.clone(),
                        f.window.to.clone(),
                        f.text.clone(),
                        f.filter.clone(),
                    ]
                })
                .collect(),
        },
        StatsTable::Matrix => {
            // Every end reason of failed calls as a column, most frequent first.
            let totals = s.failure_totals();
            let mut header = head(&["gateway", "calls", "failed"]);
            header.extend(totals.iter().map(|(c, _)| c.clone()));
            let rows = s
                .by_callee_gateway
                .iter()
                .map(|g| {
                    let mut row = vec![
                        g.gateway.clone(),
                        g.calls.to_string(),
                        g.calls.saturating_sub(g.answered).to_string(),
                    ];
                    row.extend(totals.iter().map(|(code, _)| {
                        g.failures.iter().find(|c| c.code == *code).map_or(0, |c| c.calls).to_string()
                    }));
                    row
                })
                .collect();
            Table { name: "routing gateways by end reason", header, rows }
        }
        StatsTable::Now => {
            let mut header = head(&["side", "gateway"]);
            for w in ["5m", "15m", "60m", "all"] {
                header.extend([format!("calls_{w}"), format!("asr_{w}"), format!("acd_seconds_{w}")]);
            }
            let rows = board
                .unwrap_or_default()
                .iter()
                .map(|b| {
                    let mut row = vec![b.side.to_string(), b.gateway.clone()];
                    for st in &b.stretches {
                        row.extend([
                            st.calls.to_string(),
                            format!("{:.4}", st.asr),
                            format!("{:.1}", st.acd_seconds),
                        ]);
                    }
                    row
                })
                .collect();
            Table { name: "gateways now", header, rows }
        }
    }
}

/// Writes `t` as CSV, or tab-separated when `tabs`; fields are as they are (a spreadsheet
/// reads them), the file is written whole or not at all.
pub fn write(t: &Table, path: &std::path::Path, tabs: bool) -> Result<(), String> {
    let mut w = csv::WriterBuilder::new().delimiter(if tabs { b'\t' } else { b',' }).from_writer(Vec::new());
    let mut put = |r: &[String]| w.write_record(r).map_err(|e| e.to_string());
    put(&t.header)?;
    for r in &t.rows {
        put(r)?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    // Never over an existing file, even one made since the name was checked.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut f, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
