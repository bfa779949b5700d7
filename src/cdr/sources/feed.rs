//! The real-time CDR feed: VOS3000 sends one CDR per UDP datagram to the address set in
//! `SERVER_CDR_REAL_TIME_REPORT_SERVER`, in the forwarded form (comma-separated, quoted
//! strings), and takes the call's `flowno` as bare digits back as the acknowledgement.
//!
//! A receiver thread owns the socket: it checks the sender, relays the datagram unchanged
//! (`--relay`), parses it, acknowledges it, appends it to the spool (`--spool`), and hands
//! the parsed row to the ingest thread, which polls [`FeedFollow`]. A repeat of a call
//! already received is acknowledged again and counted once; the keys remembered for that
//! are bounded by time and number. No datagram can stop the receiver.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded};

use crate::cdr::formats::detect::{Delimiter, detect};
use crate::cdr::formats::parse::{Block, parse_block};
use crate::cdr::record::fields::extra;
use crate::cdr::record::time::TimeReader;
use crate::cdr::sources::follow::{Checkpoint, Follow, Polled};
use crate::cdr::store::batch::Batch;
use crate::cdr::store::source_state::FeedCounts;

use crate::cdr::store::source_state::LiveState;

/// How long a received call's key is remembered to tell a resend from a new call.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(3600);
/// The most keys remembered (about 40 bytes each): a flood of distinct calls ages the
/// oldest out sooner instead of growing without bound.
pub const MAX_KEYS: usize = 1 << 20;
/// Resent calls named by flow number in the feed's counts.
pub const MAX_REPEATED: usize = 1000;
/// Largest datagram read (UDP's own limit).
const MAX_DATAGRAM: usize = 65_536;

/// What the feed is asked to do besides receiving.
#[derive(Debug, Clone, Default)]
pub struct FeedOptions {
    /// Only these senders are heard (`--allow-from`); empty: anyone.
    pub allow_from: Vec<ipnet::IpNet>,
    /// Every datagram is passed on unchanged to the system that received the feed before.
    pub relay: Option<SocketAddr>,
    /// Every CDR received is appended to this file.
    pub spool: Option<PathBuf>,
    /// The spool may already exist (it is appended to).
    pub append: bool,
}

/// A bound feed: the receiver runs from binding on, so nothing sent while the other
/// sources load is lost (it waits in the channel).
pub struct Feed {
    pub addr: SocketAddr,
    /// Boxed: the channel allocates every slot up front, and a batch is over a kilobyte.
    rx: Receiver<Box<Batch>>,
    counts: Arc<Mutex<FeedCounts>>,
    stop: Arc<AtomicBool>,
}

/// Parses `udp://:PORT`, `udp://IP:PORT`, `udp://[v6]:PORT` (port required).
pub fn parse_url(url: &str) -> Result<SocketAddr, String> {
    let rest =
        url.strip_prefix("udp://").ok_or_else(|| format!("{url}: a feed address starts with udp://"))?;
    let rest = rest.trim_end_matches('/');
    if !rest.contains(':') {
        return Err(format!(
            "{url}: give the port with a colon: udp://:{rest} listens on every address, udp://127.0.0.1:{rest} on one"
        ));
    }
    let full = if rest.starts_with(':') { format!("0.0.0.0{rest}") } else { rest.to_string() };
    full.parse::<SocketAddr>().map_err(|_| {
        format!("{url}: not an address and port (udp://:9000, udp://10.0.0.5:9000, udp://[::]:9000)")
    })
}

impl Feed {
    /// Binds and starts receiving. Fails for good when the address cannot be bound or the
    /// spool cannot be opened.
    pub fn bind(
        addr: SocketAddr,
        opts: &FeedOptions,
        zone: crate::cdr::record::time::Zone,
    ) -> Result<Feed, String> {
        let socket = UdpSocket::bind(addr).map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                format!("cannot listen on udp {addr}: the port is in use (another receiver? pass it on with --relay)")
            }
            std::io::ErrorKind::PermissionDenied => {
                format!("cannot listen on udp {addr}: permission denied (ports below 1024 need root)")
            }
            _ => format!("cannot listen on udp {addr}: {e}"),
        })?;
        let local = socket.local_addr().unwrap_or(addr);
        socket.set_read_timeout(Some(Duration::from_millis(200))).map_err(|e| e.to_string())?;
        let spool = match &opts.spool {
            Some(p) => Some(Spool::open(p, opts.append)?),
            None => None,
        };
        let relay = match opts.relay {
            Some(to) => {
                let bind: SocketAddr =
                    if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().map_err(|_| "bad bind")?;
                Some((UdpSocket::bind(bind).map_err(|e| format!("--relay {to}: {e}"))?, to))
            }
            None => None,
        };
        let (tx, rx) = bounded(65_536);
        let counts = Arc::new(Mutex::new(FeedCounts::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut receiver = Receiver_ {
            socket,
            allow: opts.allow_from.clone(),
            relay,
            spool,
            tx,
            counts: counts.clone(),
            seen: Seen::default(),
            times: TimeReader::new(zone),
            next: 1,
        };
        let s = stop.clone();
        std::thread::Builder::new()
            .name(format!("udp {local}"))
            .spawn(move || receiver.run(&s))
            .map_err(|e| e.to_string())?;
        Ok(Feed { addr: local, rx, counts, stop })
    }

    /// Follows this feed as source `source` of the store.
    pub fn follow(self, source: usize) -> FeedFollow {
        FeedFollow { source, feed: self, reported: FeedCounts::default() }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Where received CDRs are kept: the file the operator named for the first form received,
/// and `FILE.pipe` for text-form datagrams when the feed carries both (one file must hold
/// one form to read back as a source).
struct Spool {
    path: PathBuf,
    append: bool,
    files: Vec<(bool, std::fs::File)>,
}

impl Spool {
    fn open(path: &std::path::Path, append: bool) -> Result<Spool, String> {
        // Checked now, so a spool that cannot be written fails the start, not a call.
        let first = open_spool(path, append)?;
        Ok(Spool { path: path.to_path_buf(), append, files: vec![(false, first)] })
    }

    /// Appends one CDR line; `pipe` is its form.
    fn write(&mut self, pipe: bool, line: &[u8]) -> bool {
        // The named file takes the first form received.
        if self.files.len() == 1
            && self.files[0].0 != pipe
            && self.files[0].1.metadata().is_ok_and(|m| m.len() == 0)
        {
            self.files[0].0 = pipe;
        }
        if !self.files.iter().any(|(p, _)| *p == pipe) {
            let mut other = self.path.clone().into_os_string();
            other.push(if pipe { ".pipe" } else { ".forwarded" });
            match open_spool(std::path::Path::new(&other), self.append) {
                Ok(f) => self.files.push((pipe, f)),
                Err(_) => return false,
            }
        }
        self.files.iter_mut().find(|(p, _)| *p == pipe).is_some_and(|(_, f)| f.write_all(line).is_ok())
    }
}

/// The spool: never an existing file unless appending.
fn open_spool(path: &std::path::Path, append: bool) -> Result<std::fs::File, String> {
    let mut o = std::fs::OpenOptions::new();
    if append {
        o.append(true).create(true);
    } else {
        o.write(true).create_new(true);
    }
    o.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            format!("--spool {}: the file exists; add --append to add to it", path.display())
        }
        _ => format!("--spool {}: {e}", path.display()),
    })
}

/// Keys of calls received recently, oldest first, bounded by time and number. A key is one
/// 64-bit hash of the softswitch name and the flowno, kept with the second it arrived
/// (about 40 bytes a call, 40 MB at the most): two calls would have to share a hash for one
/// to be taken for the other's resend (odds of about one in 10^7 over a million keys).
struct Seen {
    hasher: std::collections::hash_map::RandomState,
    started: Instant,
    /// Key -> second it arrived (from `started`).
    keys: HashMap<u64, u32>,
    order: VecDeque<(u64, u32)>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            hasher: Default::default(),
            started: Instant::now(),
            keys: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl Seen {
    /// Whether the call (softswitch name, flowno) was seen; remembers it if not.
    fn check(&mut self, softswitch: &str, flowno: u64) -> bool {
        use std::hash::BuildHasher;
        let now = u32::try_from(self.started.elapsed().as_secs()).unwrap_or(u32::MAX);
        let window = u32::try_from(REPEAT_WINDOW.as_secs()).unwrap_or(u32::MAX);
        while let Some(&(k, t)) = self.order.front() {
            if now.saturating_sub(t) < window && self.order.len() < MAX_KEYS {
                break;
            }
            if self.keys.get(&k) == Some(&t) {
                self.keys.remove(&k);
            }
            self.order.pop_front();
        }
        let key = self.hasher.hash_one((softswitch, flowno));
        if self.keys.contains_key(&key) {
            return true;
        }
        self.keys.insert(key, now);
        self.order.push_back((key, now));
        false
    }
}

struct Receiver_ {
    socket: UdpSocket,
    allow: Vec<ipnet::IpNet>,
    relay: Option<(UdpSocket, SocketAddr)>,
    spool: Option<Spool>,
    tx: Sender<Box<Batch>>,
    counts: Arc<Mutex<FeedCounts>>,
    seen: Seen,
    times: TimeReader,
    /// Number of the next datagram (the feed's "line").
    next: u64,
}

impl Receiver_ {
    fn run(&mut self, stop: &AtomicBool) {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        while !stop.load(Ordering::Relaxed) {
            let (n, from) = match self.socket.recv_from(&mut buf) {
                Ok(x) => x,
                Err(e)
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                {
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // ICMP errors of earlier sends surface here on some systems: not fatal.
                Err(_) => continue,
            };
            let data = buf.get(..n).unwrap_or(&[]);
            // One bad datagram must never stop the feed.
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.datagram(data, from)));
            if r.is_err()
                && let Ok(mut c) = self.counts.lock()
            {
                c.malformed_from(&from);
            }
        }
    }

    fn count(&self, f: impl FnOnce(&mut FeedCounts)) {
        if let Ok(mut c) = self.counts.lock() {
            f(&mut c);
        }
    }

    fn datagram(&mut self, data: &[u8], from: SocketAddr) {
        let line = self.next;
        self.next += 1;
        self.count(|c| c.datagrams += 1);
        if !self.allow.is_empty() && !self.allow.iter().any(|net| net.contains(&canonical(from.ip()))) {
            self.count(|c| c.refused += 1);
            return;
        }
        if let Some((sock, to)) = &self.relay {
            let ok = sock.send_to(data, to).is_ok();
            self.count(|c| if ok { c.relayed += 1 } else { c.relay_errors += 1 });
        }
        let mut text = data.to_vec();
        while text.last().is_some_and(|b| matches!(b, b'\n' | b'\r' | 0)) {
            text.pop();
        }
        if text.is_empty() || text.contains(&b'\n') {
            self.count(|c| c.malformed_from(&from));
            return;
        }
        text.push(b'\n');
        let layout = match detect(&text) {
            Ok(l) if l.delimiter == Delimiter::Pipe || (l.delimiter == Delimiter::Comma && l.positional) => l,
            _ => {
                self.count(|c| c.malformed_from(&from));
                return;
            }
        };
        let block = Block {
            source: 0,
            seq: 0,
            first_line: line,
            lines: 1,
            data: text,
            rows: Default::default(),
            skip_header: false,
            ends_source: false,
            tail_is_pending: false,
            too_long: None,
        };
        let batch = parse_block(&block, &layout, &self.times);
        if batch.cols.len() != 1 {
            self.count(|c| c.malformed_from(&from));
            return;
        }
        let flowno = batch.cols.flowno_of(0);
        let softswitch = batch
            .cols
            .extras
            .iter()
            .find(|e| e.name == extra::SOFTSWITCH)
            .map(|e| e.get(0))
            .map(|id| batch.pools.extra_values.resolve(id).to_string())
            .unwrap_or_default();
        // The acknowledgement: the flowno as bare digits, to where the datagram came from.
        if let Some(f) = flowno {
            let ok = self.socket.send_to(f.to_string().as_bytes(), from).is_ok();
            self.count(|c| c.acknowledged += u64::from(ok));
            if self.seen.check(&softswitch, f) {
                self.count(|c| {
                    c.repeats += 1;
                    if c.repeated_flownos.len() < MAX_REPEATED && !c.repeated_flownos.contains(&f) {
                        c.repeated_flownos.push(f);
                    }
                });
                return;
            }
        }
        if let Some(spool) = self.spool.as_mut()
            && !spool.write(layout.delimiter == Delimiter::Pipe, &block.data)
        {
            self.count(|c| c.spool_errors += 1);
        }
        self.count(|c| c.calls += 1);
        // A full channel means the ingest thread is gone or far behind: the call is
        // acknowledged and spooled, and counted; the store catches up as the channel drains.
        let _ = self.tx.send_timeout(Box::new(batch), Duration::from_secs(1));
    }
}

/// An IPv4 address arriving on an IPv6 socket reads as itself.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The ingest side of a feed.
pub struct FeedFollow {
    source: usize,
    feed: Feed,
    reported: FeedCounts,
}

impl Follow for FeedFollow {
    fn source(&self) -> usize {
        self.source
    }

    fn poll(&mut self, _times: &TimeReader) -> Polled {
        let mut out = Polled::default();
        // Everything waiting, in batches of at most a few thousand rows per poll.
        while out.batches.len() < 8192 {
            match self.feed.rx.try_recv() {
                Ok(mut b) => {
                    b.source = self.source;
                    out.batches.push(*b);
                }
                Err(_) => break,
            }
        }
        let now = self.feed.counts.lock().map(|c| c.clone()).unwrap_or_default();
        if now.malformed_total() > self.reported.malformed_total() {
            let new = now.malformed_total() - self.reported.malformed_total();
            let senders: Vec<String> = now.malformed.iter().take(3).map(|(k, _)| k.clone()).collect();
            out.notes.push(format!("{new} datagrams that are no CDR (from {})", senders.join(", ")));
        }
        if now != self.reported {
            out.feed = Some(now.clone());
            self.reported = now;
        }
        out
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint::Feed
    }
}

/// Follows nothing: a feed that could not be bound, reported once.
pub struct FailedFeed {
    pub source: usize,
    pub error: Option<String>,
}

impl Follow for FailedFeed {
    fn source(&self) -> usize {
        self.source
    }

    fn poll(&mut self, _times: &TimeReader) -> Polled {
        Polled { state: self.error.take().map(LiveState::Failed), ..Polled::default() }
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint::Feed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(parse_url("udp://:9000"), Ok("0.0.0.0:9000".parse().expect("addr")));
        assert_eq!(parse_url("udp://127.0.0.1:9000"), Ok("127.0.0.1:9000".parse().expect("addr")));
        assert_eq!(parse_url("udp://[::1]:9000"), Ok("[::1]:9000".parse().expect("addr")));
        assert!(parse_url("udp://9000").is_err_and(|e| e.contains("udp://:9000")));
        assert!(parse_url("udp://x:y").is_err());
    }

    #[test]
    fn seen_keys_are_bounded() {
        let mut s = Seen::default();
        assert!(!s.check("a", 1));
        assert!(s.check("a", 1));
        assert!(!s.check("b", 1));
        for i in 0..(MAX_KEYS as u64 + 10) {
            s.check("x", i);
        }
        assert!(s.keys.len() <= MAX_KEYS);
        assert!(s.order.len() <= MAX_KEYS);
    }
}
