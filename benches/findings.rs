//! The findings engine on the benchmark corpus (`cargo bench --bench findings`): every
//! detector over every row, the median of 7 runs and the time of each stage. Target: under
//! 200 ms on the 2-core build machine for 2 million rows, so the detectors can run on every
//! live refresh. `BENCH_ROWS=N` changes the corpus size.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cdrscope::cdr::{LoadOptions, Progress, SourceSpec, TimeWriter, Zone, load};
use cdrscope::stats::thresholds::Thresholds;

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
    let all: Vec<u32> = (0..store.len() as u32).collect();
    let tw = TimeWriter::new(zone);
    let t = Thresholds::default();
    let mut times: Vec<Duration> = Vec::new();
    let mut stages = Vec::new();
    let mut found = Vec::new();
    for _ in 0..7 {
        let clock = Instant::now();
        let (f, s) = cdrscope::findings::run_profiled(&store, &all, &tw, &t);
        times.push(clock.elapsed());
        found = f;
        stages = s;
    }
    times.sort();
    println!(
        "findings over {} rows: median {:.1} ms (min {:.1}, max {:.1}); target < 200 ms",
        store.len(),
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
    for (name, d) in stages {
        println!("  {name:<18} {:>7.1} ms", d.as_secs_f64() * 1e3);
    }
    for f in &found {
        println!("  - {} {}: {}", f.severity.as_str(), f.kind, f.entity.value);
    }
}
