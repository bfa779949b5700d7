//! The console in a real terminal (tmux): start on a generated corpus with hostile caller IDs,
//! type a filter, read the screen, quit, and check the terminal was restored. Skips when tmux
//! is missing, except under CI (scripts/test.sh installs it).

mod common;

use common::tmux::Tmux;

#[test]
fn filter_explain_quit_and_restore_with_hostile_bytes() {
    let Some(tm) = Tmux::new("filter") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut data = cdrscope::cdr::sources::demo::demo_bytes();
    // A scanner's caller IDs: a title-setting OSC sequence and a screen clear.
    data.extend_from_slice(
        b"\x1b]0;pwned\x07|100|2026-11-20 03:05:00|2026-11-20 03:05:00|0|-9|2||||185.220.101.33|||||0|-1\n",
    );
    data.extend_from_slice(b"\x1b[2J\x1b[31mroot|101|2026-11-20 03:06:00|2026-11-20 03:06:00|0|-9|2||||185.220.101.33|||||0|-1\n");
    let file = common::write(dir.path(), "2026112023.txt", &data);
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "env TZ=UTC NO_COLOR=1 CDRSCOPE_KB=/nonexistent LANG=C {bin} {}; echo EXITED $?; sleep 30",
        file.display()
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "120", "-y", "36", &cmd]);
    tm.wait_for("40,002/40,002 calls", 20);
    tm.run(&["send-keys", "-t", "t", "/"]);
    tm.run(&["send-keys", "-t", "t", "-l", "code:-9 caller:*pwned*"]);
    tm.wait_for("1 call matches", 10);
    tm.run(&["send-keys", "-t", "t", "Enter"]);
    let s = tm.wait_for("1/40,002 calls", 10);
    assert!(s.contains("-9 IllegalCall"), "{s}");
    assert!(s.contains("\\x1b]0;"), "the caller ID is shown escaped:\n{s}");
    assert!(s.contains("vos:-9 IllegalCall"), "the explanation panel:\n{s}");
    let title = tm.run(&["display-message", "-p", "-t", "t", "#{pane_title}"]);
    assert!(!title.contains("pwned"), "the window title was changed by CDR data: {title}");
    tm.run(&["send-keys", "-t", "t", "q"]);
    let s = tm.wait_for("EXITED 0", 10);
    assert!(!s.contains("calls │ ASR"), "the console screen was left behind:\n{s}");
    let alt = tm.run(&["display-message", "-p", "-t", "t", "#{alternate_on}"]);
    assert_eq!(alt.trim(), "0", "still in the alternate screen");
}

#[test]
fn too_small_and_lookup_only() {
    let Some(tm) = Tmux::new("lookup") else { return };
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!("env CDRSCOPE_KB=/nonexistent LANG=C {bin} lookup; echo EXITED $?; sleep 30");
    tm.run(&["new-session", "-d", "-s", "t", "-x", "50", "-y", "12", &cmd]);
    tm.wait_for("too small", 10);
    tm.run(&["resize-window", "-t", "t", "-x", "100", "-y", "30"]);
    tm.wait_for("Lookup: a code", 10);
    tm.run(&["send-keys", "-t", "t", "-"]);
    tm.run(&["send-keys", "-t", "t", "-l", "69"]);
    tm.wait_for("vos:-69 NoAvailableRouter", 10);
    tm.run(&["send-keys", "-t", "t", "C-c"]);
    tm.wait_for("EXITED 0", 10);
}

#[test]
fn a_panic_restores_the_terminal_and_prints_after() {
    let Some(tm) = Tmux::new("panic") else { return };
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "env RUST_BACKTRACE=0 CDRSCOPE_TEST_PANIC=1 CDRSCOPE_KB=/nonexistent {bin} --demo; echo EXITED $?; sleep 30"
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "100", "-y", "30", &cmd]);
    let s = tm.wait_for("EXITED 101", 20);
    assert!(
        s.contains("panic requested by CDRSCOPE_TEST_PANIC"),
        "the panic message is printed after restoring:\n{s}"
    );
    let alt = tm.run(&["display-message", "-p", "-t", "t", "#{alternate_on}"]);
    assert_eq!(alt.trim(), "0", "still in the alternate screen");
}

#[test]
fn cdrs_from_stdin_keys_from_the_terminal() {
    let Some(tm) = Tmux::new("stdin") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = common::write(dir.path(), "calls.txt", &cdrscope::cdr::sources::demo::demo_bytes());
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "cat {} | env TZ=UTC CDRSCOPE_KB=/nonexistent {bin} -; echo EXITED $?; sleep 30",
        file.display()
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "100", "-y", "30", &cmd]);
    tm.wait_for("40,000/40,000 calls", 20);
    tm.run(&["send-keys", "-t", "t", "Tab"]);
    tm.wait_for("By callee (routing) gateway", 10);
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
}

/// Starts cdrscope in a pane through a shell that records its pid (exec keeps it), then
/// prints how it exited and the terminal's modes.
fn start_with_pid(tm: &Tmux, args: &str, env: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "sh -c 'echo $$ > {pid}; exec env TZ=UTC CDRSCOPE_KB=/nonexistent RUST_BACKTRACE=0 {env} {bin} {args}'; echo EXITED $?; stty -a | tr ';' '\\n' | grep -E 'icanon|echo' | tr '\\n' ' '; echo; sleep 30",
        pid = pidfile.display()
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "120", "-y", "30", &cmd]);
    (dir, pidfile)
}

fn pid_of(pidfile: &std::path::Path) -> i32 {
    for _ in 0..100 {
        if let Some(p) = std::fs::read_to_string(pidfile).ok().and_then(|s| s.trim().parse().ok()) {
            return p;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no pid written");
}

fn kill(pid: i32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill -{sig} {pid}");
}

fn assert_restored(tm: &Tmux, what: &str) {
    let alt = tm.run(&["display-message", "-p", "-t", "t", "#{alternate_on} #{cursor_flag}"]);
    assert_eq!(alt.trim(), "0 1", "{what}: alternate screen off and cursor visible");
    let s = tm.wait_for("icanon", 10);
    assert!(!s.contains("-icanon") && !s.contains("-echo "), "{what}: cooked mode with echo:\n{s}");
}

#[test]
fn signals_restore_the_terminal() {
    for (sig, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let Some(tm) = Tmux::new(&format!("sig{sig}")) else { return };
        let (_dir, pidfile) = start_with_pid(&tm, "--demo", "");
        tm.wait_for("40,000/40,000 calls", 20);
        kill(pid_of(&pidfile), sig);
        tm.wait_for(&format!("EXITED {code}"), 10);
        assert_restored(&tm, sig);
    }
}

#[test]
fn suspend_and_resume() {
    let Some(tm) = Tmux::new("tstp") else { return };
    let (_dir, pidfile) = start_with_pid(&tm, "--demo", "");
    tm.wait_for("40,000/40,000 calls", 20);
    let pid = pid_of(&pidfile);
    kill(pid, "TSTP");
    // Stopped: the terminal is the shell's again.
    let start = std::time::Instant::now();
    loop {
        let alt = tm.run(&["display-message", "-p", "-t", "t", "#{alternate_on} #{cursor_flag}"]);
        if alt.trim() == "0 1" {
            break;
        }
        assert!(start.elapsed().as_secs() < 10, "not restored on SIGTSTP: {alt}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    kill(pid, "CONT");
    tm.wait_for("40,000/40,000 calls", 10);
    let alt = tm.run(&["display-message", "-p", "-t", "t", "#{alternate_on}"]);
    assert_eq!(alt.trim(), "1", "redrawn on the alternate screen after SIGCONT");
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
    assert_restored(&tm, "quit after resume");
}

#[test]
fn a_loader_panic_fails_the_load_not_the_console() {
    let Some(tm) = Tmux::new("loaderpanic") else { return };
    let (_dir, _pid) = start_with_pid(&tm, "--demo", "CDRSCOPE_TEST_PANIC=loader");
    tm.wait_for("the loader failed: panic requested", 20);
    tm.run(&["send-keys", "-t", "t", "?"]);
    tm.wait_for("Keys", 10);
    tm.run(&["send-keys", "-t", "t", "Escape"]);
    tm.wait_gone("Keys", 10);
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
    assert_restored(&tm, "after a loader panic");
}

#[test]
fn a_worker_panic_restores_the_terminal_and_exits_non_zero() {
    let Some(tm) = Tmux::new("workerpanic") else { return };
    let (_dir, _pid) = start_with_pid(&tm, "--demo", "CDRSCOPE_TEST_PANIC=worker");
    let s = tm.wait_for("EXITED 1", 20);
    assert!(s.contains("the worker thread failed: panic requested"), "{s}");
    assert_restored(&tm, "after a worker panic");
}

#[test]
fn a_huge_paste_is_one_edit() {
    let Some(tm) = Tmux::new("paste") else { return };
    let (dir, _pid) = start_with_pid(&tm, "--demo", "");
    tm.wait_for("40,000/40,000 calls", 20);
    tm.run(&["send-keys", "-t", "t", "/"]);
    tm.wait_for("Enter apply", 10);
    let big = common::write(dir.path(), "paste.txt", "gw:CM-Route-1 ".repeat(8000).as_bytes()); // 112 kB
    tm.run(&["load-buffer", "-b", "big", &big.display().to_string()]);
    tm.run(&["paste-buffer", "-p", "-b", "big", "-t", "t"]);
    // Handled at once: the prompt is cut to its limit and the console answers keys.
    // Generous: other tests may be loading the machine.
    tm.wait_for("the paste was cut to 4096 characters", 30);
    tm.run(&["send-keys", "-t", "t", "Escape"]);
    tm.wait_gone("Enter apply", 10);
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
}

#[test]
fn export_to_a_terminal_shows_escapes_escaped() {
    let Some(tm) = Tmux::new("exportterm") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = common::write(
        dir.path(),
        "2026112023.txt",
        b"\x1b]0;pwned\x07|100|2026-11-20 03:05:00|2026-11-20 03:05:00|0|-9|2||||185.220.101.33|||||0|-1\n",
    );
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!("env TZ=UTC {bin} export {} --format csv; echo EXITED $?; sleep 30", file.display());
    tm.run(&["new-session", "-d", "-s", "t", "-x", "160", "-y", "20", &cmd]);
    let s = tm.wait_for("EXITED 0", 10);
    assert!(s.contains("\\x1b]0;pwned\\x07"), "{s}");
    let title = tm.run(&["display-message", "-p", "-t", "t", "#{pane_title}"]);
    assert!(!title.contains("pwned"), "the pane title was changed: {title}");
}

/// The console on a file that grows: new calls appear at the top; scrolled down, the table
/// holds still and says how many arrived; `p` pauses; a gateway breaking is announced.
#[test]
fn the_console_reports_calls_the_feed_lost_against_the_file() {
    let Some(tm) = Tmux::new("reconcile") else { return };
    // 2026-11-20 10:00 UTC; the test clock stands an hour later, past the grace period.
    const BASE: i64 = 1_795_168_800_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr.csv");
    std::fs::write(&path, "").expect("write");
    let port = std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("port").port();
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "env TZ=UTC NO_COLOR=1 CDRSCOPE_KB=/nonexistent LANG=C CDRSCOPE_TEST_NOW={}+ {bin} {} udp://127.0.0.1:{port}; echo EXITED $?; sleep 30",
        BASE + 3_600_000,
        path.display()
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "160", "-y", "36", &cmd]);
    tm.wait_for("live", 30);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    sock.set_read_timeout(Some(std::time::Duration::from_millis(500))).expect("timeout");
    let mut file = String::new();
    for k in 0..30u64 {
        let (flowno, at) = (500 + k, BASE + k as i64 * 10_000);
        let row = common::forwarded(flowno, &format!("S{flowno}"), Some(at));
        file.push_str(&row);
        file.push('\n');
        if flowno == 510 {
            continue; // lost on the way
        }
        // Until the console has bound its port, a datagram goes unanswered: send again.
        let mut buf = [0u8; 32];
        let acked = (0..40).any(|_| {
            sock.send_to(row.as_bytes(), ("127.0.0.1", port)).expect("send");
            sock.recv_from(&mut buf).is_ok()
        });
        assert!(acked, "no acknowledgement for {flowno}");
    }
    tm.wait_for("29/29 calls", 20);
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).expect("open");
    std::io::Write::write_all(&mut f, file.as_bytes()).expect("append");
    let s = tm.wait_for("new finding", 30);
    assert!(s.contains(&format!("missing from udp://127.0.0.1:{port}")), "{s}");
    // Its filter selects the lost call: the one only the file has.
    tm.run(&["send-keys", "-t", "t", "!"]);
    let s = tm.wait_for("reconciliation", 10);
    // The first call ended within seconds of the feed's first: not judged.
    assert!(s.contains("1 of 29 calls in"), "{s}");
    tm.run(&["send-keys", "-t", "t", "Enter"]);
    let s = tm.wait_for("│ 1/30 calls", 10);
    assert!(s.contains("filter: flowno:510"), "{s}");
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
}

#[test]
fn the_console_follows_a_growing_file_and_announces_a_breaking_gateway() {
    let Some(tm) = Tmux::new("live") else { return };
    let (mut before, mut late, mut outage) = (String::new(), Vec::new(), String::new());
    for line in common::outage_days() {
        let start = common::line_start(&line).to_string();
        if start.as_str() < "2026-11-21 13:00:00" {
            before.push_str(&line);
        } else if start.as_str() < "2026-11-21 14:00:00" {
            late.push(line);
        } else if start.as_str() < "2026-11-21 15:30:00" {
            outage.push_str(&line);
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cdr.txt");
    std::fs::write(&path, &before).expect("write");
    let n0 = before.lines().count();
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    // The test clock runs from 2026-11-21 14:50 UTC, in the middle of the outage.
    let cmd = format!(
        "env TZ=UTC NO_COLOR=1 CDRSCOPE_KB=/nonexistent LANG=C CDRSCOPE_TEST_NOW=1795272600000+ {bin} {}; echo EXITED $?; sleep 30",
        path.display()
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "140", "-y", "36", &cmd]);
    let thousands = |n: usize| cdrscope::text::thousands(n as u64);
    tm.wait_for(&format!("{0}/{0} calls", thousands(n0)), 30);
    tm.wait_for("live", 10);
    let append = |text: &str| {
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).expect("open");
        std::io::Write::write_all(&mut f, text.as_bytes()).expect("append");
    };
    // At the top: new calls come straight in.
    append(&late[..10].concat());
    tm.wait_for(&format!("{0}/{0} calls", thousands(n0 + 10)), 15);
    // Scrolled down: the table holds still and counts what arrived.
    tm.run(&["send-keys", "-t", "t", "j"]);
    append(&late[10..15].concat());
    let s = tm.wait_for("5 new calls", 15);
    assert!(s.contains(&format!("{}/{} calls", thousands(n0 + 10), thousands(n0 + 15))), "{s}");
    tm.run(&["send-keys", "-t", "t", "Home"]);
    tm.wait_for(&format!("{0}/{0} calls", thousands(n0 + 15)), 15);
    // Paused: reading goes on, the display waits.
    tm.run(&["send-keys", "-t", "t", "p"]);
    tm.wait_for("paused", 10);
    append(&late[15..].concat());
    tm.wait_for(&format!("{} new calls", thousands(late.len() - 15)), 15);
    tm.run(&["send-keys", "-t", "t", "p"]);
    let n1 = n0 + late.len();
    tm.wait_for(&format!("{0}/{0} calls", thousands(n1)), 15);
    // A gateway breaks: announced in the status line as it fires.
    append(&outage);
    let s = tm.wait_for("new finding", 60);
    assert!(s.contains("CT-Route-2"), "{s}");
    // The Stats view opens on "Gateways now": the broken gateway's ASR is down.
    tm.run(&["send-keys", "-t", "t", "Tab"]);
    let s = tm.wait_for("Gateways now", 10);
    let row = s.lines().find(|l| l.contains("out CT-Route-2")).unwrap_or_default();
    assert!(row.contains('↓'), "{s}");
    // Enter: its calls.
    tm.run(&["send-keys", "-t", "t", "Enter"]);
    tm.wait_for("outgw:", 10);
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
}

/// An unbracketed 100 kB paste (what `tmux paste-buffer` without `-p` and some terminals send:
/// one key event per character) is taken in batches between draws, not a frame per key: the
/// console answers the keys typed after it and quits within seconds.
#[test]
fn an_unbracketed_paste_is_drained_quickly() {
    let Some(tm) = Tmux::new("paste") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = common::write(dir.path(), "2026112023.txt", &cdrscope::cdr::sources::demo::demo_bytes());
    let paste: String = "abcdefgh ijklmnop rstuvwxyz 0123456789 ".chars().cycle().take(100_000).collect();
    let paste_file = common::write(dir.path(), "paste.txt", paste.as_bytes());
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "env TZ=UTC NO_COLOR=1 CDRSCOPE_KB=/nonexistent CDRSCOPE_STATE=none LANG=C {bin} {}; echo EXITED $?; sleep 30",
        file.display()
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "120", "-y", "36", &cmd]);
    tm.wait_for("40,000/40,000 calls", 20);
    tm.run(&["send-keys", "-t", "t", "/"]);
    tm.wait_for("Filter", 10);
    tm.run(&["load-buffer", paste_file.to_str().expect("utf-8 path")]);
    let started = std::time::Instant::now();
    // Without bracketed paste every character is a key. They are all taken before the next
    // frame, so the prompt is filled, cut at its limit, and Enter applies it within seconds (a
    // frame and a count per key took minutes). Enter, not Escape: an Escape right behind a
    // burst can join the next key as Alt in the terminal's parser.
    tm.run(&["paste-buffer", "-t", "t"]);
    tm.run(&["send-keys", "-t", "t", "Enter"]);
    let s = tm.wait_for(" 0/40,000 calls", 10);
    assert!(s.contains("filter: abcdefgh ijklmnop"), "the pasted words are the filter:\n{s}");
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
    // The bound (drained and quit within 10 s of the paste), not a speed target: one
    // frame per key took about five minutes.
    let took = started.elapsed();
    assert!(took.as_secs() < 10, "the paste took {took:?} to drain");
    eprintln!("a 100 kB unbracketed paste was taken, applied and the console quit in {took:?}");
}

#[test]
fn an_empty_live_console_says_it_is_waiting_for_calls() {
    let Some(tm) = Tmux::new("waiting") else { return };
    let port = std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("port").port();
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "env TZ=UTC NO_COLOR=1 CDRSCOPE_KB=/nonexistent CDRSCOPE_STATE=none LANG=C {bin} udp://127.0.0.1:{port}; echo EXITED $?; sleep 30"
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "80", "-y", "24", &cmd]);
    let s = tm.wait_for(&format!("Waiting for calls on udp://127.0.0.1:{port}"), 20);
    assert!(!s.contains("No calls match"), "nothing is filtered, so nothing is said about the filter:\n{s}");
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
}
