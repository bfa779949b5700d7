//! Driving a program in a real terminal through tmux, for end-to-end tests. Skips (returns
//! None) when tmux is missing, except under CI, where scripts/test.sh installs it.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(name: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            if std::env::var_os("CI").is_some() {
                panic!("CI must run the terminal tests: scripts/test.sh installs tmux");
            }
            eprintln!("skipping the terminal tests: tmux is not installed (scripts/test.sh installs it)");
            return None;
        }
        Some(Tmux { socket: format!("cdrscope-{name}-{}", std::process::id()) })
    }

    /// A tmux command. A new session keeps no filter history (`CDRSCOPE_STATE=none`) unless
    /// the test sets its environment itself.
    pub fn run(&self, args: &[&str]) -> String {
        let mut args: Vec<&str> = args.to_vec();
        if args.first() == Some(&"new-session") && !args.contains(&"-e") {
            args.splice(1..1, ["-e", "CDRSCOPE_STATE=none"]);
        }
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(&args).output().expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    pub fn wait_for(&self, what: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(secs), "waited for '{what}', screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `what` is no longer on the screen. Used after Escape: a key sent right
    /// after it can arrive in the same read and be taken as Alt+key, as in a real terminal.
    pub fn wait_gone(&self, what: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if !s.contains(what) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(secs), "waited for '{what}' to go, screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}
