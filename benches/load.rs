//! The load/filter/summary benchmark (`cargo bench --bench load`).
//!
//! Generates a 2-million-row VOS3000 text corpus (cached under target/bench-corpus), then
//! prints: load throughput, bytes of store per row, filter times for three queries, and the
//! time of all findings detectors over every row (target < 200 ms), the wall-time ratio of `cdrscope summary FILE` to `mawk -F'|' '{c[$6]++}' FILE`, with
//! cdrscope's peak memory against the file size. Targets (2-core machine): ratio < 1.0 and
//! peak memory below half the file size. Times are medians; the machine is shared, so
//! compare ratios, not seconds.
//!
//! `BENCH_ROWS=N` changes the corpus size.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/corpus.rs"]
mod corpus;
use cdrscope::cdr::{LoadOptions, Progress, SourceSpec, Zone, load};
use cdrscope::query::{Context, evaluate, parse};
use corpus::corpus;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs a command, returning its wall time and peak RSS in bytes. The peak is the child's
/// own VmHWM, polled from /proc: `wait4`'s ru_maxrss would include this (large) bench
/// process's high-water mark, which Linux carries across exec.
fn run(cmd: &mut Command) -> (Duration, u64) {
    let start = Instant::now();
    let mut child = cmd.stdout(std::process::Stdio::null()).spawn().expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path)
            && let Some(v) = s.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            let kb = v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0);
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "command failed: {cmd:?}");
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (start.elapsed(), peak_kb * 1024)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rows: usize = std::env::var("BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000_000);
    let path = corpus(rows);
    let size = std::fs::metadata(&path).expect("corpus").len();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "corpus: {} rows, {:.1} MB ({:.0} bytes/row); {cores} cores",
        rows,
        size as f64 / 1e6,
        size as f64 / rows as f64
    );

    // In-process load.
    let opts = LoadOptions { zone: Zone::parse("UTC").expect("utc"), ..LoadOptions::default() };
    let specs = vec![SourceSpec::Path(path.clone())];
    let mut times = Vec::new();
    let mut store = None;
    for _ in 0..3 {
        let t = Instant::now();
        let loaded = load(&specs, &opts, Arc::new(Progress::default())).expect("load");
        times.push(t.elapsed());
        store = Some(loaded.store);
    }
    let store = store.expect("loaded");
    let t = median(times).as_secs_f64();
    println!(
        "load: {:.3} s, {:.0} MB/s, {:.2} M rows/s",
        t,
        size as f64 / 1e6 / t,
        store.len() as f64 / 1e6 / t
    );
    println!(
        "store: {:.1} MB, {} bytes per row ({} rows)",
        store.heap_bytes() as f64 / 1e6,
        store.heap_bytes() / store.len().max(1),
        store.len()
    );

    let ctx = Context::new(&store, Zone::parse("UTC").expect("utc"));
    for q in
        ["outgw:CT-Route-2 code:5xx", "answered:yes dur>60s -ingw:WHS-Delta", "callee:8613* pdd>5s since:-2d"]
    {
        let query = parse(q).expect("query");
        let mut ts = Vec::new();
        let mut n = 0;
        for _ in 0..7 {
            let t = Instant::now();
            n = evaluate(&query, &ctx).len();
            ts.push(t.elapsed());
        }
        println!("filter {q:?}: {:.1} ms ({n} rows)", median(ts).as_secs_f64() * 1e3);
    }

    // Every findings detector over every row (target: under 200 ms, so they can run on each
    // live refresh).
    let all: Vec<u32> = (0..store.len() as u32).collect();
    let tw = cdrscope::cdr::TimeWriter::new(Zone::parse("UTC").expect("utc"));
    let mut ts = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let t = Instant::now();
        found = cdrscope::findings::run(&store, &all, &tw).len();
        ts.push(t.elapsed());
    }
    println!(
        "findings (all detectors, all rows): {:.1} ms ({found} findings)",
        median(ts).as_secs_f64() * 1e3
    );
    drop(store);

    // Whole programs: cdrscope summary against mawk's one-column count.
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let file = path.display().to_string();
    let mut ours = Vec::new();
    let mut peak = 0;
    for _ in 0..3 {
        let (t, rss) = run(Command::new(bin).args(["summary", "--tz", "UTC", &file]));
        ours.push(t);
        peak = peak.max(rss);
    }
    let ours = median(ours);
    let mawk = Command::new("mawk").arg("-W").arg("version").output().is_ok();
    if mawk {
        let mut theirs = Vec::new();
        for _ in 0..3 {
            theirs.push(
                run(Command::new("mawk").args(["-F|", "{c[$6]++} END {for (k in c) print k, c[k]}", &file]))
                    .0,
            );
        }
        let theirs = median(theirs);
        println!(
            "cdrscope summary: {:.3} s; mawk -F'|' '{{c[$6]++}}': {:.3} s; ratio {:.2} (target < 1.0)",
            ours.as_secs_f64(),
            theirs.as_secs_f64(),
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    } else {
        println!("cdrscope summary: {:.3} s; mawk not installed, no ratio", ours.as_secs_f64());
    }
    println!(
        "cdrscope summary peak memory: {:.1} MB = {:.2} of the file size (target < 0.50)",
        peak as f64 / 1e6,
        peak as f64 / size as f64
    );
}
