//! The console's answers to the keys an operator presses in an incident, over the 2-million
//! row benchmark corpus (`cargo bench --bench console_keys`): clear the filter, sort by
//! duration, reverse, filter while sorted, clear while sorted, change the sort key. Each is
//! one worker request as the console sends it (rows, order, statistics), in the order pressed,
//! so caches kept between keys count as they do on screen. Target: under 100 ms each on the
//! 2-core build machine. `BENCH_ROWS=N` changes the corpus size. `scripts/bench-console.sh`
//! measures the same keys in a real terminal.

use std::sync::Arc;
use std::time::Instant;

use cdrscope::cdr::{LoadOptions, Progress, SourceSpec, Zone, load};
use cdrscope::tui::worker::{Ctx, Request, Response, Sort, SortKey, State, process_kept};

#[path = "support/corpus.rs"]
mod corpus;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rows: usize = std::env::var("BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000_000);
    let path = corpus::corpus(rows);
    let zone = Zone::parse("UTC").expect("utc");
    let opts = LoadOptions { zone: zone.clone(), ..LoadOptions::default() };
    let store = load(&[SourceSpec::Path(path)], &opts, Arc::new(Progress::default())).expect("load").store;
    let n = store.len();
    let ctx = Ctx {
        store: cdrscope::cdr::store::shared::shared(store),
        zone,
        now_ms: 1_800_000_000_000,
        db_password: None,
    };
    let mut state = State::default();
    let time = Sort { key: SortKey::Time, descending: true };
    let dur = Sort { key: SortKey::Duration, descending: true };
    let dur_up = Sort { key: SortKey::Duration, descending: false };
    let steps: [(&str, &str, Sort); 11] = [
        ("all calls (first answer)", "", time),
        ("filter outgw:CT-Route-2", "outgw:CT-Route-2", time),
        ("clear the filter", "", time),
        ("sort by duration", "", dur),
        ("reverse the sort", "", dur_up),
        ("reverse again", "", dur),
        ("filter, sorted", "outgw:CT-Route-2", dur),
        ("clear, sorted", "", dur),
        ("broad filter, sorted", "-code:-8", dur),
        ("sort by end reason", "-code:-8", Sort { key: SortKey::Reason, descending: true }),
        ("sort by callee gateway", "", Sort { key: SortKey::CalleeGateway, descending: false }),
    ];
    println!("console keys over {n} rows (one worker answer each: rows, order, statistics)");
    let mut worst = 0.0f64;
    for (k, (label, text, sort)) in steps.iter().enumerate() {
        let req =
            Request::Query { generation: k as u64 + 1, text: text.to_string(), sort: *sort, board: false };
        let t = Instant::now();
        let resp = process_kept(req, &ctx, &mut state);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let Response::Query { result: Ok(q), .. } = resp else { panic!("{label}: no answer") };
        if k > 0 {
            worst = worst.max(ms);
        }
        println!("  {label:<26} {ms:>7.1} ms  ({} calls)", q.rows.len());
    }
    println!("worst after the first answer: {worst:.1} ms; target < 100 ms");
}
