//! Following sources with real parts: files appended, rotated and truncated while
//! `cdrscope follow` reads them, standard input trickled a line at a time, and the UDP
//! feed on loopback (the real forwarded row, 10,000 generated ones, garbage, resends;
//! acknowledgements, --allow-from, --relay and --spool checked).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::UdpSocket;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use common::pipe_line;

use common::REAL_FORWARDED;

fn bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("cdrscope"));
    c.env("TZ", "UTC").env_remove("CDRSCOPE_TEST_PANIC");
    c
}

/// A running `cdrscope follow`, its output read line by line on a thread.
struct Follow {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Follow {
    fn start(args: &[&str]) -> Follow {
        Follow::start_env(args, &[])
    }

    fn start_env(args: &[&str], env: &[(&str, &str)]) -> Follow {
        let mut child = bin()
            .envs(env.iter().copied())
            .arg("follow")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn follow");
        let out: ChildStdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines() {
                let Ok(l) = l else { return };
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        Follow { child, lines }
    }

    /// The next printed line (the test fails after `secs` without one).
    fn line(&mut self, secs: u64) -> String {
        match self.lines.recv_timeout(Duration::from_secs(secs)) {
            Ok(l) => l,
            Err(_) => {
                let _ = self.child.kill();
                panic!("no line from follow within {secs} s");
            }
        }
    }

    fn finish(mut self, secs: u64) -> (i32, String) {
        let t = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                return (st.code().unwrap_or(-1), err);
            }
            if t.elapsed() > Duration::from_secs(secs) {
                let _ = self.child.kill();
                panic!("follow did not end within {secs} s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn call(n: u32) -> String {
    pipe_line(
        &format!("86138{n:06}"),
        "2026-11-20 10:00:00",
        "2026-11-20 10:00:30",
        30_000,
        "-9",
        "IN",
        "OUT",
    )
}

fn append(path: &std::path::Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).expect("open");
    f.write_all(text.as_bytes()).expect("append");
}

#[test]
fn a_followed_file_prints_appended_calls_and_survives_rotation_and_truncation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr_20261120.txt");
    std::fs::write(&path, call(1) + &call(2)).expect("write");
    let mut f = Follow::start(&[path.to_str().expect("path"), "--exit-after", "4"]);
    // The two calls there before the start are not printed: the next line is call 3.
    std::thread::sleep(Duration::from_millis(800));
    let half = call(3);
    append(&path, &half[..20]);
    std::thread::sleep(Duration::from_millis(700));
    append(&path, &half[20..]);
    assert!(f.line(10).contains("86138000003"), "the appended call, whole once its newline came");
    // Rotated: renamed away, a new file takes the name.
    std::fs::rename(&path, dir.path().join("cdr_20261120.txt.1")).expect("rename");
    std::fs::write(&path, call(4)).expect("write");
    assert!(f.line(10).contains("86138000004"));
    // Truncated and written again: read from the start.
    std::fs::write(&path, call(5)).expect("truncate");
    assert!(f.line(10).contains("86138000005"));
    append(&path, &call(6));
    assert!(f.line(10).contains("86138000006"));
    let (code, err) = f.finish(10);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("rotated") && err.contains("truncated"), "said on stderr: {err}");
}

#[test]
fn since_prints_the_earlier_calls_first_then_new_ones_as_json_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr.txt");
    std::fs::write(&path, call(1) + &call(2)).expect("write");
    let mut f = Follow::start(&[
        path.to_str().expect("path"),
        "--since",
        "2026-11-20 00:00",
        "--json",
        "--exit-after",
        "3",
    ]);
    let first: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json line");
    assert_eq!(first["schema_version"], 1);
    assert_eq!(first["callerE164"], "86138000001");
    assert_eq!(first["holdTime"], 30_000);
    let _ = f.line(10);
    std::thread::sleep(Duration::from_millis(500));
    append(&path, &call(3));
    let third: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json line");
    assert_eq!(third["callerE164"], "86138000003");
    assert_eq!(f.finish(10).0, 0);
}

#[test]
fn stdin_trickled_a_line_at_a_time_is_printed_before_the_input_ends() {
    let mut f = Follow::start(&["-", "--exit-after", "2"]);
    let mut input = f.child.stdin.take().expect("stdin");
    input.write_all(call(1).as_bytes()).expect("write");
    input.flush().expect("flush");
    // The pipe stays open: the line must come out on its own, not at the end of input.
    assert!(f.line(5).contains("86138000001"));
    input.write_all(call(2).as_bytes()).expect("write");
    input.flush().expect("flush");
    assert!(f.line(5).contains("86138000002"));
    drop(input);
    assert_eq!(f.finish(10).0, 0);
}

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).map(|a| a.port()).expect("port")
}

/// Sends a datagram and returns the acknowledgement, if one comes.
fn send(sock: &UdpSocket, port: u16, data: &[u8]) -> Option<String> {
    sock.send_to(data, ("127.0.0.1", port)).expect("send");
    let mut buf = [0u8; 64];
    sock.recv_from(&mut buf).ok().map(|(n, _)| String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// Waits until the feed answers (it is bound once `follow` has started).
fn wait_bound(sock: &UdpSocket, port: u16) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        // An empty datagram is malformed: counted, never acknowledged, so probe with a
        // well-formed call of a key the tests never use again.
        if send(sock, port, forwarded(999_999_999, "probe").as_bytes()).is_some() {
            return;
        }
    }
    panic!("the feed never answered on port {port}");
}

/// A socket to send to the feed on `port` from, once the feed answers.
fn bound_sender(port: u16) -> UdpSocket {
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    sock.set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
    wait_bound(&sock, port);
    sock
}

fn forwarded(flowno: u64, callee: &str) -> String {
    common::forwarded(flowno, callee, None)
}

#[test]
fn the_udp_feed_acknowledges_counts_repeats_once_and_survives_garbage() {
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = dir.path().join("spool.csv");
    let mut f = Follow::start(&[&url, "--json", "--spool", spool.to_str().expect("path")]);
    let sock = bound_sender(port);
    let probe: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json");
    assert_eq!(probe["flowno"], 999_999_999u64);

    // The real row: acknowledged with its flowno as bare digits.
    assert_eq!(send(&sock, port, REAL_FORWARDED.trim().as_bytes()).as_deref(), Some("5166923438"));
    let real: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json");
    assert_eq!(real["calleeE164"], "S0099966507944325");
    assert_eq!(real["endReason"], -7);
    // A resend is acknowledged again, and not printed again.
    assert_eq!(send(&sock, port, REAL_FORWARDED.as_bytes()).as_deref(), Some("5166923438"));
    // Garbage and hostile bytes: no acknowledgement, no crash.
    for junk in [&b"garbage"[..], b"", b"\x1b[31m|||", &[0xff; 1400], b"\"unclosed,1,2,3", &[b'|'; 3000]] {
        assert_eq!(send(&sock, port, junk), None, "no ack for {junk:?}");
    }
    // A pipe-form line has no flowno: taken, not acknowledged.
    assert_eq!(send(&sock, port, call(7).as_bytes()), None);
    assert!(f.line(10).contains("86138000007"));
    // Then a new call still goes through: the garbage stopped nothing, the resend was
    // not printed (the next line is this call).
    assert_eq!(send(&sock, port, forwarded(42, "S42").as_bytes()).as_deref(), Some("42"));
    let next: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json");
    assert_eq!(next["flowno"], 42);
    drop(f);
    // The spool holds each call once and reads back as a normal source; the text-form
    // call went to a spool of its own (one file holds one form).
    let pipe = dir.path().join("spool.csv.pipe");
    let out = bin()
        .args(["summary", "--json", spool.to_str().expect("path"), pipe.to_str().expect("path")])
        .output()
        .expect("summary");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary json");
    assert_eq!(s["rows"], 4, "{s}");
    assert_eq!(s["rejected_lines"], 0, "{s}");
}

#[test]
fn ten_thousand_datagrams_are_all_acknowledged_and_printed() {
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let mut f = Follow::start(&[&url, "--exit-after", "10001"]);
    let sock = bound_sender(port);
    let _ = f.line(10);
    let mut acked = std::collections::HashSet::new();
    let mut buf = [0u8; 64];
    for n in 1..=10_000u64 {
        sock.send_to(forwarded(n, &format!("S{n}")).as_bytes(), ("127.0.0.1", port)).expect("send");
        // Pace the sender like a switch does: read acknowledgements as they come.
        if n % 50 == 0 {
            sock.set_read_timeout(Some(Duration::from_millis(20))).expect("timeout");
            while let Ok((k, _)) = sock.recv_from(&mut buf) {
                acked.insert(String::from_utf8_lossy(&buf[..k]).into_owned());
            }
        }
    }
    sock.set_read_timeout(Some(Duration::from_millis(1000))).expect("timeout");
    while let Ok((k, _)) = sock.recv_from(&mut buf) {
        acked.insert(String::from_utf8_lossy(&buf[..k]).into_owned());
    }
    // Loopback can drop under load: what was not acknowledged is resent, as the switch does.
    for n in 1..=10_000u64 {
        if !acked.contains(&n.to_string()) {
            sock.set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
            if let Some(a) = send(&sock, port, forwarded(n, &format!("S{n}")).as_bytes()) {
                acked.insert(a);
            }
        }
    }
    assert!((1..=10_000u64).all(|n| acked.contains(&n.to_string())), "every call acknowledged");
    let mut lines = 0;
    while lines < 10_000 {
        let _ = f.line(20);
        lines += 1;
    }
    assert_eq!(f.finish(10).0, 0);
}

#[test]
fn allow_from_relay_and_bind_failures() {
    // A sender outside --allow-from is not heard.
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let relay = UdpSocket::bind("127.0.0.1:0").expect("relay");
    relay.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let relay_to = relay.local_addr().expect("addr").to_string();
    let f = Follow::start(&[&url, "--allow-from", "10.0.0.0/8", "--relay", &relay_to]);
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    sock.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(send(&sock, port, forwarded(7, "S7").as_bytes()), None, "refused sender: no ack");
    let mut buf = [0u8; 2048];
    // Refused datagrams are not relayed either.
    relay.set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
    assert!(relay.recv_from(&mut buf).is_err());
    drop(f);

    // Allowed: relayed unchanged, byte for byte.
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let _f = Follow::start(&[&url, "--allow-from", "127.0.0.0/8", "--relay", &relay_to]);
    wait_bound(&sock, port);
    relay.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let (n, _) = relay.recv_from(&mut buf).expect("relayed probe");
    assert_eq!(&buf[..n], forwarded(999_999_999, "probe").as_bytes());

    // A port already taken fails for good: a clear message and a non-zero exit.
    let taken = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let url = format!("udp://{}", taken.local_addr().expect("addr"));
    let f = Follow::start(&[&url]);
    let (code, err) = f.finish(20);
    assert_ne!(code, 0);
    assert!(err.contains("in use"), "{err}");
}

#[test]
fn summary_and_check_read_a_feed_for_a_bounded_time() {
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let child = bin()
        .args(["summary", &url, "--duration", "5s", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("summary");
    let sock = bound_sender(port);
    for n in 0..20u64 {
        assert_eq!(
            send(&sock, port, forwarded(500 + n, &format!("S{n}")).as_bytes()),
            Some((500 + n).to_string())
        );
    }
    let out = child.wait_with_output().expect("summary output");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary json");
    // The probe and the twenty calls.
    assert_eq!(v["rows"], 21, "{v}");
    // A port it cannot bind: nothing could be read.
    let held = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let taken = held.local_addr().expect("addr").port();
    let out = bin()
        .args(["check", &format!("udp://127.0.0.1:{taken}"), "--duration", "3s"])
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn udp_urls_and_the_spool_are_checked_before_anything_runs() {
    let out = bin().args(["follow", "udp://9000"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("udp://:9000"));
    let out = bin().args(["summary", "udp://:9000"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("live feed"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--duration"));
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = dir.path().join("exists.csv");
    std::fs::write(&spool, "x").expect("write");
    let port = free_port();
    let out = bin()
        .args(["follow", &format!("udp://127.0.0.1:{port}"), "--spool", spool.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--append"));
}

/// A generated two days with one gateway outage (CT-Route-2, 14:00 to 15:00 on the last
/// day), cut where the outage begins: (before, from then to 15:30).
fn outage_day() -> (String, String) {
    let (mut before, mut after) = (String::new(), String::new());
    for line in common::outage_days() {
        let start = common::line_start(&line);
        if start < "2026-11-21 14:00:00" {
            before.push_str(&line);
        } else if start < "2026-11-21 15:30:00" {
            after.push_str(&line);
        }
    }
    (before, after)
}

#[test]
fn follow_findings_prints_a_gateway_breaking_as_it_fires() {
    let (before, after) = outage_day();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr.txt");
    std::fs::write(&path, &before).expect("write");
    let mut f = Follow::start(&[path.to_str().expect("path"), "--findings", "--json", "--exit-after", "1"]);
    std::thread::sleep(Duration::from_secs(4));
    append(&path, &after);
    let v: serde_json::Value = serde_json::from_str(&f.line(30)).expect("finding json");
    assert_eq!(v["kind"], "gateway_outage", "{v}");
    assert_eq!(v["entity"]["value"], "CT-Route-2", "{v}");
    assert!(v["fired_at"].as_str().is_some_and(|t| t.len() >= 16), "{v}");
    assert!(v["schema_version"].is_number());
    assert_eq!(f.finish(10).0, 0);
}

#[test]
fn a_panic_in_the_ingest_thread_is_reported_and_follow_exits_non_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr.txt");
    std::fs::write(&path, call(1)).expect("write");
    let child = bin()
        .args(["follow", path.to_str().expect("path")])
        .env("CDRSCOPE_TEST_PANIC", "ingest")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run");
    assert_eq!(child.status.code(), Some(1));
    let err = String::from_utf8_lossy(&child.stderr);
    assert!(err.contains("reading stopped; the loader failed: panic requested"), "{err}");
}

#[test]
fn calls_the_feed_lost_and_resent_are_reported_against_the_file() {
    // 2026-11-20 10:00 UTC; the test clock stands an hour later, past the grace period.
    const BASE: i64 = 1_795_168_800_000;
    let now = format!("{}+", BASE + 3_600_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr.csv");
    std::fs::write(&path, "").expect("write");
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let mut f = Follow::start_env(
        &[path.to_str().expect("path"), &url, "--findings", "--json", "--exit-after", "2"],
        &[("CDRSCOPE_TEST_NOW", &now)],
    );
    let sock = bound_sender(port);
    let lost = [1020u64, 1021, 1022];
    let mut file = String::new();
    for k in 0..40u64 {
        let (flowno, at) = (1000 + k, BASE + k as i64 * 10_000);
        let row = common::forwarded(flowno, &format!("S{flowno}"), Some(at));
        file.push_str(&row);
        file.push('\n');
        if !lost.contains(&flowno) {
            assert_eq!(send(&sock, port, row.as_bytes()), Some(flowno.to_string()));
        }
    }
    // The switch resends a call whose acknowledgement it missed.
    assert_eq!(
        send(&sock, port, common::forwarded(1010, "S1010", Some(BASE + 100_000)).as_bytes()),
        Some("1010".into())
    );
    // The file (the switch's own record) arrives whole, after the feed.
    append(&path, &file);
    let mut found: Vec<serde_json::Value> =
        (0..2).map(|_| serde_json::from_str(&f.line(30)).expect("finding json")).collect();
    found.sort_by_key(|v| v["evidence"]["metric"].as_str().map(str::to_string));
    let (missing, twice) = (&found[0], &found[1]);
    assert_eq!(missing["kind"], "reconciliation", "{missing}");
    assert_eq!(missing["evidence"]["metric"], "missing_calls", "{missing}");
    assert_eq!(missing["evidence"]["calls"], 3, "{missing}");
    assert_eq!(missing["entity"], serde_json::json!({"field": "source", "value": url}), "{missing}");
    assert_eq!(missing["filter"], "flowno:1020,1021,1022", "{missing}");
    assert!(missing["text"].as_str().is_some_and(|t| t.starts_with("3 of 40 calls in")), "{missing}");
    assert!(missing["fired_at"].is_string(), "{missing}");
    assert_eq!(twice["evidence"]["metric"], "received_twice", "{twice}");
    assert_eq!(twice["evidence"]["calls"], 1, "{twice}");
    assert_eq!(twice["filter"], "flowno:1010", "{twice}");
    assert_eq!(f.finish(10).0, 0);

    // One kind of source alone has nothing to be reconciled with.
    let out = bin().args(["check", path.to_str().expect("path")]).output().expect("check");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("reconciliation"));
}

#[test]
fn the_same_call_without_a_flowno_counts_once_too() {
    // The text form has no flowno: caller, callee, start second and talk time match it.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr.txt");
    std::fs::write(&path, call(7)).expect("write");
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let mut f = Follow::start(&[path.to_str().expect("path"), &url, "--json"]);
    let sock = bound_sender(port);
    let probe: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json");
    assert_eq!(probe["flowno"], 999_999_999u64);
    // The same call as a pipe-form datagram (not acknowledged: no flowno), then a new one.
    assert_eq!(send(&sock, port, call(7).as_bytes()), None);
    assert_eq!(send(&sock, port, call(8).as_bytes()), None);
    let next: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json");
    assert_eq!(next["callerE164"], "86138000008", "the repeat of 7 was not printed: {next}");
}

#[test]
fn the_same_call_from_a_file_and_the_feed_counts_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spooled.csv");
    std::fs::write(&path, forwarded(77, "S77") + "\n").expect("write");
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let mut f = Follow::start(&[path.to_str().expect("path"), &url, "--json"]);
    let sock = bound_sender(port);
    let probe: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json");
    assert_eq!(probe["flowno"], 999_999_999u64);
    // Already read from the file: acknowledged, not shown again.
    assert_eq!(send(&sock, port, forwarded(77, "S77").as_bytes()).as_deref(), Some("77"));
    assert_eq!(send(&sock, port, forwarded(78, "S78").as_bytes()).as_deref(), Some("78"));
    let next: serde_json::Value = serde_json::from_str(&f.line(10)).expect("json");
    assert_eq!(next["flowno"], 78, "the repeat of 77 was not printed");
}

#[test]
fn a_new_hourly_file_in_a_followed_directory_is_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("2026112010.txt"), call(1)).expect("write");
    let mut f = Follow::start(&[dir.path().to_str().expect("path"), "--exit-after", "2"]);
    std::thread::sleep(Duration::from_millis(1500));
    // The next hour's file appears, then grows.
    let next = dir.path().join("2026112011.txt");
    std::fs::write(&next, call(2)).expect("write");
    assert!(f.line(20).contains("86138000002"));
    append(&next, &call(3));
    assert!(f.line(10).contains("86138000003"));
    let (code, err) = f.finish(10);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("new file"), "{err}");
}

#[test]
fn check_and_summary_name_the_datagrams_that_were_no_cdr() {
    for sub in ["check", "summary"] {
        let port = free_port();
        let url = format!("udp://127.0.0.1:{port}");
        let child = bin()
            .args([sub, &url, "--duration", "4s"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run");
        let sock = bound_sender(port);
        for n in 0..3u64 {
            assert_eq!(send(&sock, port, forwarded(700 + n, "S").as_bytes()), Some((700 + n).to_string()));
        }
        for junk in [&b"hello"[..], b"\x1b[2Jnot a cdr", b"1,2,3"] {
            sock.send_to(junk, ("127.0.0.1", port)).expect("send");
        }
        let out = child.wait_with_output().expect("output");
        let text = String::from_utf8_lossy(&out.stdout);
        if sub == "check" {
            assert!(text.contains("not CDRs:  3 datagrams, from 127.0.0.1:"), "{text}");
            assert!(text.contains("datagrams: "), "{text}");
            assert_eq!(out.status.code(), Some(1), "no CDR is like a rejected line: {text}");
        } else {
            assert!(text.contains("3 of 7 datagrams were no CDR"), "{text}");
        }
        assert!(!text.contains('\x1b'), "sender text is never raw: {text}");
    }
}
