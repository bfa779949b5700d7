//! The console in a real terminal (tmux): start on a generated corpus with hostile caller IDs,
//! type a filter, read the screen, quit, and check the terminal was restored. Skips when tmux
//! is missing, except under CI (scripts/test.sh installs it).

mod common;

use common::tmux::Tmux;

#[test]
fn filter_explain_quit_and_restore_with_hostile_bytes() {
    let Some(tm) = Tmux::new("filter") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut data = cdrscope::cdr::demo::demo_bytes();
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
    tm.wait_for("30,002/30,002 calls", 20);
    tm.run(&["send-keys", "-t", "t", "/"]);
    tm.run(&["send-keys", "-t", "t", "-l", "code:-9 caller:*pwned*"]);
    tm.wait_for("calls match", 10);
    tm.run(&["send-keys", "-t", "t", "Enter"]);
    let s = tm.wait_for("1/30,002 calls", 10);
    assert!(s.contains("-9 IllegalCall"), "{s}");
    assert!(s.contains("\\x1b]0;"), "the caller ID is shown escaped:\n{s}");
    assert!(s.contains("vos:-9 IllegalCall"), "the explanation panel:\n{s}");
    let title = tm.run(&["display-message", "-p", "-t", "t", "#{pane_title}"]);
    assert!(!title.contains("pwned"), "the window title was changed by CDR data: {title}");
    tm.run(&["send-keys", "-t", "t", "q"]);
    let s = tm.wait_for("EXITED 0", 10);
    assert!(!s.contains("cdrscope  Calls"), "the console screen was left behind:\n{s}");
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
    let file = common::write(dir.path(), "calls.txt", &cdrscope::cdr::demo::demo_bytes());
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let cmd = format!(
        "cat {} | env TZ=UTC CDRSCOPE_KB=/nonexistent {bin} -; echo EXITED $?; sleep 30",
        file.display()
    );
    tm.run(&["new-session", "-d", "-s", "t", "-x", "100", "-y", "30", &cmd]);
    tm.wait_for("30,000/30,000 calls", 20);
    tm.run(&["send-keys", "-t", "t", "Tab"]);
    tm.wait_for("By callee (routing) gateway", 10);
    tm.run(&["send-keys", "-t", "t", "q"]);
    tm.wait_for("EXITED 0", 10);
}
