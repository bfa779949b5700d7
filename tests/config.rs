//! The config file end to end: aliases in summary, filters and the console; key overrides in
//! the console and its help; thresholds; precedence (command line > environment > file);
//! `config --example`, completions, the man page and `--version`. The config is process-wide,
//! so the console part runs in this test binary of its own.

mod common;

use std::sync::Arc;

use assert_cmd::Command;
use cdrscope::cdr::{Progress, SharedStore, SourceSpec};
use cdrscope::config::Config;
use cdrscope::kb::{Kb, Lang};
use cdrscope::keys::Keymap;
use cdrscope::tui::state::app::App;
use cdrscope::tui::views::frame;
use cdrscope::tui::worker::{Ctx, process};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use predicates::prelude::*;

const CONFIG: &str = r#"
sources = ["REAL"]
tz = "+08:00"
[gateway_aliases]
"P_YX--C_Coastnet--Indo Mob TK_NCLI" = "Coastnet-ID"
[thresholds]
answered_healthy = 0.95
answered_degraded = 0.90
[keys]
filter_prompt = ["F"]
prompt_apply = "Ctrl-J"
"#;

fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let real = common::write(dir.path(), "real.tsv", common::real::REAL_TSV);
    let cfg = common::write(
        dir.path(),
        "config.toml",
        CONFIG.replace("REAL", &real.display().to_string()).as_bytes(),
    );
    (dir, real, cfg)
}

fn cdrscope(home: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("cdrscope").expect("binary");
    c.env("HOME", home).env_remove("XDG_CONFIG_HOME").env_remove("CDRSCOPE_TZ").env("TZ", "UTC");
    c
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("json")
}

#[test]
fn aliases_sources_thresholds_and_precedence_on_the_command_line() {
    let (dir, real, cfg) = setup();
    let cfg_s = cfg.display().to_string();
    // A bare command opens the config's sources; the alias filters; JSON keeps raw names.
    let out = cdrscope(dir.path())
        .args(["summary", "--config", &cfg_s, "--json", "--filter", "outgw:Coastnet-ID"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["rows"], 6);
    assert_eq!(v["by_callee_gateway"][0]["gateway"], "P_YX--C_Coastnet--Indo Mob TK_NCLI");
    // The raw name still matches.
    let out = cdrscope(dir.path())
        .args([
            "summary",
            "--config",
            &cfg_s,
            "--json",
            "--filter",
            "outgw:\"P_YX--C_Coastnet--Indo Mob TK_NCLI\"",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["rows"], 6);
    // Plain output shows the alias; the thresholds from the file judge the answered share.
    cdrscope(dir.path())
        .args(["summary", "--config", &cfg_s, &real.display().to_string()])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Coastnet-ID")
                .and(predicate::str::contains("healthy > 95%, degraded < 90%")),
        );
    // Zone: file < environment < command line.
    let zone = |extra: &[&str], env: Option<&str>| {
        let mut c = cdrscope(dir.path());
        if let Some(z) = env {
            c.env("CDRSCOPE_TZ", z);
        }
        let out = c
            .args(["summary", "--config", &cfg_s, "--json"])
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        json(&out)["time_zone"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(zone(&[], None), "+08:00");
    assert_eq!(zone(&[], Some("Asia/Dhaka")), "Asia/Dhaka");
    assert_eq!(zone(&["--tz", "UTC"], Some("Asia/Dhaka")), "UTC");
    // The default location is read without --config.
    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("cdrscope")).expect("dir");
    std::fs::copy(&cfg, xdg.join("cdrscope/config.toml")).expect("copy");
    let out = cdrscope(dir.path())
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["summary", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["rows"], 12);
}

#[test]
fn a_bad_config_names_its_file_and_line() {
    let dir = tempfile::tempdir().expect("dir");
    let cfg = common::write(dir.path(), "bad.toml", b"sources = [\"/x\"]\n[keys]\nquit = \"g\"\n");
    cdrscope(dir.path())
        .args(["summary", "--demo", "--config", &cfg.display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:3:").and(predicate::str::contains("would mean both")));
    cdrscope(dir.path())
        .args(["summary", "--demo", "--config", "/nonexistent/cdrscope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn example_keys_completions_man_and_version() {
    let dir = tempfile::tempdir().expect("dir");
    let out =
        cdrscope(dir.path()).args(["config", "--example"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    Config::parse(&text, "example").expect("the example parses");
    assert!(text.contains("[gateway_aliases]") && text.contains("[thresholds]") && text.contains("[keys]"));
    cdrscope(dir.path())
        .args(["config", "--keys"])
        .assert()
        .success()
        .stdout(predicate::str::contains("filter_prompt").and(predicate::str::contains("prompt_apply")));
    for shell in ["bash", "zsh", "fish"] {
        cdrscope(dir.path())
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("summary"));
    }
    cdrscope(dir.path()).arg("man").assert().success().stdout(predicate::str::contains(".TH cdrscope"));
    cdrscope(dir.path()).arg("--version").assert().success().stdout(
        predicate::str::is_match(
            r"^cdrscope \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown), [a-z0-9_]+-[a-z0-9_-]+\)\n$",
        )
        .expect("re"),
    );
}

#[test]
fn the_console_follows_the_config() {
    let (_dir, _real, cfg) = setup();
    let config = Config::load(Some(&cfg)).expect("config");
    let keymap = Keymap::with_overrides(&config.keys).expect("keys");
    let mut store = common::load_bytes("real.tsv", common::real::REAL_TSV);
    // As the console's load does (LoadOptions.aliases from the config).
    store.aliases = config.gateway_aliases.clone().into_iter().collect();
    cdrscope::config::set(config);
    let shared: SharedStore = cdrscope::cdr::store::shared::shared(store);
    let progress = Arc::new(Progress::default());
    progress.done.store(true, std::sync::atomic::Ordering::Relaxed);
    let specs = vec![SourceSpec::Memory { name: "real".into(), data: Arc::new(Vec::new()) }];
    let mut app = App::new(Arc::new(Kb::builtin(Lang::En).expect("kb")), common::utc(), specs, progress);
    app.keymap = keymap;
    app.show_timing = false;
    let ctx =
        Ctx { store: shared.clone(), zone: common::utc(), now_ms: 1_800_000_000_000, db_password: None };
    app.set_store(shared);
    app.loaded(Vec::new());
    let settle = |app: &mut App| {
        while !app.outbox.is_empty() {
            for r in std::mem::take(&mut app.outbox) {
                let resp = process(r, &ctx);
                app.apply(resp);
            }
        }
    };
    settle(&mut app);
    let screen = |app: &mut App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 60)).expect("terminal");
        t.draw(|f| frame::draw(f, app)).expect("draw");
        let buf = t.backend().buffer().clone();
        (0..60u16)
            .map(|y| (0..160u16).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n")
            .collect::<String>()
    };
    let key = |app: &mut App, code: KeyCode, m: KeyModifiers| {
        app.handle_key(KeyEvent::new(code, m));
        settle(app);
    };
    // The footer and help follow the keymap; '/' is no longer the filter key.
    let s = screen(&mut app);
    assert!(s.contains(" F filter"), "{s}");
    key(&mut app, KeyCode::Char('/'), KeyModifiers::NONE);
    assert!(app.overlay.is_none(), "'/' was rebound away");
    key(&mut app, KeyCode::Char('F'), KeyModifiers::NONE);
    for c in "outgw:Coastnet-ID".chars() {
        key(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    let s = screen(&mut app);
    assert!(s.contains("Ctrl-J apply"), "the prompt's footer names the rebound key: {s}");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.overlay.is_some(), "Enter no longer applies");
    key(&mut app, KeyCode::Char('j'), KeyModifiers::CONTROL);
    let s = screen(&mut app);
    assert!(s.contains("6/12 calls"), "{s}");
    assert!(s.contains("Coastnet-ID"), "the alias is shown: {s}");
    key(&mut app, KeyCode::Char('?'), KeyModifiers::NONE);
    let s = screen(&mut app);
    assert!(s.contains("F             ") && s.contains("filter ("), "{s}");
}
