//! Memory while following (`cargo bench --bench live_memory`): does the heap grow with the
//! rows kept and no faster?
//!
//! Loads the benchmark corpus (2 million rows; `BENCH_ROWS=N` changes it) as a followed file
//! next to a `udp://` feed on loopback, then sends real forwarded CDRs (`ROUNDS` rounds of
//! `STEP` calls, defaults 6 × 20,000) and, after each round, prints the heap the whole
//! process holds (counted by the allocator, so no guess about what RSS keeps) next to the
//! store's own figure. The heap a followed call adds should be near the heap a loaded call
//! costs; a round that adds more is a leak or an index that outgrows the store.
//!
//! `KEEP=5m` applies a retention window instead of keeping everything (then the heap must
//! level off once the window is full).

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "support/corpus.rs"]
mod corpus;
use cdrscope::cdr::SourceSpec;
use cdrscope::cdr::ingest::live::{Event, IngestOptions, spawn};
use cdrscope::cdr::ingest::progress::Progress;
use cdrscope::cdr::store::shared::read;

/// The system allocator, counting the bytes it holds.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            HELD.fetch_add(l.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        HELD.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            HELD.fetch_add(l.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            HELD.fetch_sub(l.size(), Ordering::Relaxed);
            HELD.fetch_add(new, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn mb(b: usize) -> f64 {
    b as f64 / 1e6
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rows = env_num("BENCH_ROWS", 2_000_000);
    let step = env_num("STEP", 20_000);
    let rounds = env_num("ROUNDS", 6);
    let keep = std::env::var("KEEP").ok().map(|k| {
        let ms = cdrscope::query::timespec::parse_duration_ms(&k).unwrap_or_else(|e| panic!("KEEP={k}: {e}"));
        Duration::from_millis(u64::try_from(ms).expect("a positive KEEP"))
    });
    let path = corpus::corpus(rows);
    let port = UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("a free port").port();
    let row = std::fs::read_to_string("tests/fixtures/real/realtime_forwarded_row.csv").expect("fixture");
    let row = row.trim();
    // The real forwarded row, made a call of its own: flowno, callee and call id.
    let datagram = |n: usize| {
        row.replace("5166923438", &(7_000_000_000u64 + n as u64).to_string())
            .replace("S0099966507944325", &format!("S{n:09}"))
            .replace("290fbb5963616c6c00b951c9", &format!("{n:024x}"))
    };

    let opts = IngestOptions {
        follow: true,
        keep: Some(keep.unwrap_or(Duration::from_secs(30 * 86_400))),
        ..Default::default()
    };
    let specs = vec![SourceSpec::Path(path.clone()), SourceSpec::Udp(format!("udp://127.0.0.1:{port}"))];
    let t0 = Instant::now();
    let ingest = spawn(specs, opts, Arc::new(Progress::default()));
    loop {
        match ingest.events.recv_timeout(Duration::from_secs(600)).expect("the load ends") {
            Event::Loaded(r) => {
                r.expect("loaded");
                break;
            }
            Event::Failed(e) | Event::SourceFailed { error: e, .. } => panic!("{e}"),
            _ => {}
        }
    }
    let wait_rows = |n: usize| {
        let end = Instant::now() + Duration::from_secs(120);
        loop {
            let st = read(&ingest.store);
            if st.len() as u64 + st.dropped >= n as u64 {
                return;
            }
            if Instant::now() > end {
                let feed: Vec<_> = st.sources.iter().filter_map(|s| s.feed.as_ref()).collect();
                panic!("timed out: {} rows of {n}; feed: {feed:?}", st.len() as u64 + st.dropped);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_rows(rows);
    // The follow's indexes are built on the first poll after loading.
    std::thread::sleep(Duration::from_secs(2));
    let (held0, store0) = (HELD.load(Ordering::Relaxed), read(&ingest.store).heap_bytes());
    println!(
        "loaded {rows} rows in {:.1} s: heap {:.1} MB ({:.0} bytes/row), of which the store {:.1} MB ({:.0} bytes/row)",
        t0.elapsed().as_secs_f64(),
        mb(held0),
        held0 as f64 / rows as f64,
        mb(store0),
        store0 as f64 / rows as f64
    );

    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    sock.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let (mut sent, mut acked) = (0usize, 0usize);
    let (mut held_prev, mut store_prev) = (held0, store0);
    for round in 1..=rounds {
        for _ in 0..step {
            sock.send_to(datagram(sent).as_bytes(), ("127.0.0.1", port)).expect("send");
            sent += 1;
            // Keep well inside the socket's buffer: no more than 50 calls unacknowledged (the
            // kernel holds about a hundred datagrams for a receiver that is busy).
            while sent - acked > 50 {
                let mut buf = [0u8; 64];
                match sock.recv(&mut buf) {
                    Ok(_) => acked += 1,
                    Err(e) => {
                        panic!("no acknowledgement within 5 s ({sent} sent, {acked} acknowledged): {e}")
                    }
                }
            }
        }
        wait_rows(rows + sent);
        std::thread::sleep(Duration::from_millis(600));
        let st = read(&ingest.store);
        let (held, store) = (HELD.load(Ordering::Relaxed), st.heap_bytes());
        println!(
            "round {round}: {} rows held ({} dropped): heap {:.1} MB ({:+.0} bytes/call this round), store {:.1} MB ({:+.0} bytes/call)",
            st.len(),
            st.dropped,
            mb(held),
            (held as f64 - held_prev as f64) / step as f64,
            mb(store),
            (store as f64 - store_prev as f64) / step as f64
        );
        (held_prev, store_prev) = (held, store);
    }
    let followed = HELD.load(Ordering::Relaxed) as f64 - held0 as f64;
    drop(ingest);

    // The same calls read from a file (the spool's form), for what they cost when loaded.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("forwarded.csv");
    let text: String = (0..sent).map(|n| datagram(n) + "\n").collect();
    std::fs::write(&file, text).expect("write");
    let before = HELD.load(Ordering::Relaxed);
    let loaded =
        cdrscope::cdr::load(&[SourceSpec::Path(file)], &Default::default(), Arc::new(Progress::default()))
            .expect("load the same calls");
    assert_eq!(loaded.store.len(), sent);
    let as_file = HELD.load(Ordering::Relaxed) as f64 - before as f64;
    println!(
        "over {sent} followed calls: heap {:+.0} bytes/call; the same calls loaded from a file: {:.0} bytes/call (store {:.0}); ratio {:.2}",
        followed / sent as f64,
        as_file / sent as f64,
        loaded.store.heap_bytes() as f64 / sent as f64,
        followed / as_file
    );
}
