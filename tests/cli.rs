//! The command line, run as a program.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use unicode_width::UnicodeWidthStr;

use common::*;

fn cdrscope() -> Command {
    let mut c = Command::cargo_bin("cdrscope").expect("binary");
    // Isolated from the machine's locale and from any real ~/.config/cdrscope/kb.toml.
    c.env("TZ", "UTC")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("CDRSCOPE_KB", "/nonexistent/kb.toml");
    c
}

fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("valid JSON")
}

#[test]
fn no_arguments_says_how_to_point_at_data() {
    cdrscope()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--demo").and(predicate::str::contains("directories")));
}

#[test]
fn summary_json_has_the_documented_shape() {
    let out = cdrscope()
        .args(["summary", "--demo", "--tz", "UTC", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    for key in [
        "rows",
        "rejected_lines",
        "pending_lines",
        "answered",
        "asr",
        "acd_seconds",
        "pdd_avg_ms",
        "pdd_p95_ms",
        "hold_unit",
        "by_callee_gateway",
        "by_caller_gateway",
        "by_code",
        "timeline",
        "health",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["rows"], 40_000);
    assert_eq!(v["hold_unit"], "ms");
    let gw = &v["by_callee_gateway"][0];
    for key in ["gateway", "calls", "answered", "asr", "acd_seconds", "top_codes"] {
        assert!(gw.get(key).is_some(), "gateway missing {key}");
    }
    assert!(gw["top_codes"][0]["code"].is_string() && gw["top_codes"][0]["calls"].is_u64());
    let codes = v["by_code"].as_array().expect("by_code");
    assert!(codes.iter().any(|c| c["code"] == "-69" && c["name"] == "NoAvailableRouter"));
    assert!(codes.iter().all(|c| c["share"].is_f64()));
    assert!(v["by_callee_gateway"].as_array().expect("list").iter().any(|g| g["gateway"] == ""));
    let t = &v["timeline"][0];
    assert!(t["start"].is_string() && t["calls"].is_u64() && t["answered"].is_u64());
    let h = &v["health"][0];
    assert!(h["metric"].is_string() && h["value"].is_f64() && h["verdict"].is_string());
}

#[test]
fn filtered_summary_and_since_flag() {
    let out = cdrscope()
        .args([
            "summary",
            "--demo",
            "--tz",
            "UTC",
            "--json",
            "--filter",
            "outgw:CT-Route-2 code:5xx",
            "--since",
            "2026-11-21 14:00",
            "--until",
            "2026-11-21 15:00",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let rows = v["rows"].as_u64().expect("rows");
    assert!(rows > 100 && rows < 400, "{rows}");
    assert_eq!(v["answered"], 0);
}

/// A filter that keeps nothing because of a typo says so, as the console does, on standard
/// error (standard output stays the answer, 0 calls); a filter that just matches nothing
/// real stays quiet.
#[test]
fn a_filter_that_cannot_match_says_why_on_the_command_line() {
    let out = cdrscope()
        .args(["summary", "--demo", "--tz", "UTC", "--filter", "outgw:CT-Route2 code=503 code:999"])
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no gateway is named 'CT-Route2'; nearest: CT-Route-2"), "{err}");
    assert!(err.contains("a field is written code:503"), "{err}");
    assert!(err.contains("no call ended with code 999"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("0 calls from demo"));
    let out = cdrscope()
        .args(["export", "--demo", "--format", "csv", "--filter", "code:486 OR code:503"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("use a comma: code:503,486"));
    let out = cdrscope()
        .args(["summary", "--demo", "--tz", "UTC", "--filter", "outgw:CT-Route-2 since:2030-01-01"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn lookup_flags_anywhere_and_errors_said_once() {
    let out = cdrscope().args(["lookup", "-69", "--json"]).assert().success().get_output().stdout.clone();
    let v = json_of(&out);
    assert_eq!(v[0]["id"], "vos:-69", "{v}");
    let out =
        cdrscope().args(["lookup", "busy", "--lang", "zh"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).contains("忙"));
    // A code the tables lack is answered as such, not with a fuzzy guess.
    let out = cdrscope().args(["lookup", "--", "-98"]).assert().code(1).get_output().stdout.clone();
    let out = String::from_utf8(out).expect("utf-8");
    assert!(out.starts_with("No entry for -98: VOS3000 reason -98 is not in the vendor's tables"), "{out}");
    assert!(out.contains("Nearest by name (not this code)"), "{out}");
    // The same answer as JSON: not found, which namespace, the nearest by name.
    let out = cdrscope().args(["lookup", "-98", "--json"]).assert().code(1).get_output().stdout.clone();
    let v = json_of(&out);
    assert_eq!(
        (v["found"].clone(), v["namespace"].clone(), v["query"].clone()),
        (false.into(), "vos".into(), "-98".into()),
        "{v}"
    );
    assert!(
        v["nearest"].as_array().is_some_and(|n| !n.is_empty() && n.iter().all(|x| x["id"].is_string())),
        "{v}"
    );
    let v = json_of(
        &cdrscope().args(["lookup", "sip:799", "--json"]).assert().code(1).get_output().stdout.clone(),
    );
    assert_eq!(v["namespace"], "sip", "{v}");
    // A filter error: the caret on its own line, under the term.
    let err = cdrscope()
        .args(["summary", "--demo", "--filter", "gw:A foo:bar"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).expect("utf-8");
    assert!(!err.contains("\\n"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.get(1).copied(), Some("  gw:A foo:bar"), "{err}");
    assert_eq!(lines.get(2).copied(), Some("       ^^^^^^^"), "{err}");
    // An output in a directory that does not exist: a usage error, said before loading.
    cdrscope()
        .args(["export", "--demo", "--format", "csv", "-o", "/nonexistent/dir/x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the directory /nonexistent/dir does not exist"));
    // A missing file: the reason once.
    let err = cdrscope().args(["summary", "/nonexistent/cdr"]).assert().code(2).get_output().stderr.clone();
    let err = String::from_utf8(err).expect("utf-8");
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}

#[test]
fn values_that_start_with_a_hyphen_are_values() {
    let rows = |args: &[&str]| {
        let out = cdrscope().args(args).assert().success().get_output().stdout.clone();
        json_of(&out)["rows"].as_u64().expect("rows")
    };
    let all = rows(&["summary", "--demo", "--tz", "UTC", "--json"]);
    let not_4xx = rows(&["summary", "--demo", "--tz", "UTC", "--json", "--filter", "-code:4xx"]);
    let only_4xx = rows(&["summary", "--demo", "--tz", "UTC", "--json", "-f", "code:4xx"]);
    assert_eq!(not_4xx + only_4xx, all);
    let recent = rows(&["summary", "--demo", "--tz", "UTC", "--json", "--since", "-2h"]);
    assert!(recent > 0 && recent < all, "{recent}");
}

#[test]
fn plain_summary_fits_80_columns() {
    let out = cdrscope().args(["summary", "--demo"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    for line in text.lines() {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
    }
    assert!(text.contains("Findings") && text.contains("CT-Route-2") && text.contains("对接线路"));
    // The scanner's escape sequences never reach the terminal raw.
    assert!(!text.contains('\x1b'));
}

#[test]
fn no_subcommand_with_demo_prints_the_summary_for_now() {
    cdrscope()
        .arg("--demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("40,000 calls"))
        .stderr(predicate::str::contains("console"));
}

#[test]
fn check_reports_rejected_lines_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let bad = write(dir.path(), "2026112010.txt", format!("{good}oops|1|2\n{good}").as_bytes());
    let name = bad.display().to_string();
    cdrscope()
        .args(["check", &name])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("{name}:2: 3 fields")))
        .stdout(predicate::str::contains("rows:      2"))
        .stdout(predicate::str::contains("holdTime:  ms"))
        .stdout(predicate::str::contains("VOS3000 text file"));
    let clean = write(dir.path(), "2026112011.txt", good.as_bytes());
    cdrscope()
        .args(["check", &clean.display().to_string()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("rejected: 0"));
}

#[test]
fn check_detects_each_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tsv = write(dir.path(), "e_cdr_20210429.tsv", real_row_tsv());
    let gz = write(dir.path(), "e_cdr_20210429.tsv.gz", &gzip(real_row_tsv()));
    cdrscope()
        .args(["check", &tsv.display().to_string(), &gz.display().to_string()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("e_cdr old layout: 41 columns"))
        .stdout(predicate::str::contains("(gzip)"))
        .stdout(predicate::str::contains("epoch ms"));
}

#[test]
fn stdin_is_a_source() {
    let good = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let out = cdrscope()
        .args(["summary", "-", "--json"])
        .write_stdin(good.repeat(3))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["rows"], 3);
    let out = cdrscope()
        .args(["summary", "-", "--json"])
        .write_stdin(gzip(good.as_bytes()))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["rows"], 1);
}

#[test]
fn missing_path_exits_2_naming_it() {
    cdrscope()
        .args(["summary", "/no/such/2026112010.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/2026112010.txt"));
}

#[test]
fn bad_filter_and_bad_zone_exit_2() {
    cdrscope().args(["summary", "--demo", "--filter", "gw:A color:red"]).assert().code(2).stderr(
        predicate::str::contains("unknown field 'color'").and(predicate::str::contains("     ^^^^^^^^^")),
    );
    cdrscope()
        .args(["summary", "--demo", "--tz", "Moon/Base"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("IANA"));
}

#[test]
fn export_round_trips_through_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base =
        cdrscope().args(["summary", "--demo", "--json"]).assert().success().get_output().stdout.clone();
    let base = json_of(&base);
    for (fmt, name) in [("csv", "out.csv"), ("tsv", "out.tsv"), ("pipe", "out.txt")] {
        let path = dir.path().join(name);
        cdrscope()
            .args(["export", "--demo", "--format", fmt, "-o", &path.display().to_string()])
            .assert()
            .success();
        let again = cdrscope()
            .args(["summary", &path.display().to_string(), "--json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let again = json_of(&again);
        for key in ["rows", "answered", "acd_seconds", "pdd_p95_ms", "by_code", "by_callee_gateway"] {
            assert_eq!(again[key], base[key], "{fmt}: {key}");
        }
        assert_eq!(again["rejected_lines"], 0, "{fmt}");
    }
    let out = cdrscope()
        .args(["export", "--demo", "--format", "json", "--filter", "code:-9"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows = json_of(&out);
    let rows = rows.as_array().expect("array");
    assert_eq!(
        rows.len() as u64,
        base["by_code"].as_array().expect("codes").iter().find(|c| c["code"] == "-9").expect("-9")["calls"]
            .as_u64()
            .expect("n")
    );
    assert_eq!(rows[0]["endReason"], -9);
    assert!(rows[0]["callerE164"].is_string());
}

#[test]
fn export_never_writes_over_a_source_or_an_existing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let src = write(dir.path(), "2026112010.txt", good.as_bytes());
    let s = src.display().to_string();
    cdrscope()
        .args(["export", &s, "--format", "pipe", "-o", &s, "--force"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("source"));
    assert_eq!(std::fs::read(&src).expect("read"), good.as_bytes());
    let inside = dir.path().join("export.csv").display().to_string();
    cdrscope()
        .args(["export", &dir.path().display().to_string(), "--format", "csv", "-o", &inside])
        .assert()
        .code(2);
    let other = tempfile::tempdir().expect("tempdir");
    let existing = write(other.path(), "x.csv", b"keep me");
    cdrscope()
        .args(["export", &s, "--format", "csv", "-o", &existing.display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(&existing).expect("read"), b"keep me");
    cdrscope()
        .args(["export", &s, "--format", "csv", "-o", &existing.display().to_string(), "--force"])
        .assert()
        .success();
}

#[test]
fn hostile_bytes_are_escaped_in_output() {
    let line =
        "\x1b]0;pwned\x07|123|2026-11-20 10:00:00|2026-11-20 10:00:00|0|-9|2|\x1b[2J|B|6.6.6.6||||||0|-1\n";
    let out =
        cdrscope().args(["summary", "-"]).write_stdin(line).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(!text.contains('\x1b') && !text.contains('\x07'));
    assert!(text.contains("\\x1b[2J"));
    let out = cdrscope()
        .args(["check", "-"])
        .write_stdin("\x1b[31mbad|line\n")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8_lossy(&out).contains('\x1b'));
}

#[test]
fn lookup_explains_a_code_in_80_columns() {
    let out =
        cdrscope().args(["lookup", "--lang", "en", "-69"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.starts_with("vos:-69  NoAvailableRouter"), "{text}");
    assert!(text.contains("What to do") && text.contains("Routing Analysis") && text.contains("sip:503"));
    for line in text.lines() {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
    }
    let zh = cdrscope()
        .args(["lookup", "--lang", "zh", "--", "-69"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let zh = String::from_utf8(zh).expect("utf-8");
    assert!(zh.contains("无可用路由") && zh.contains("处理办法"), "{zh}");
    for line in zh.lines() {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
    }
    // The language comes from the locale when not given.
    let es = cdrscope()
        .env("LANG", "es_MX.UTF-8")
        .args(["lookup", "sip:503"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&es).contains("Qué hacer"));
}

#[test]
fn lookup_json_and_all() {
    let out =
        cdrscope().args(["lookup", "--json", "UserBusy"]).assert().success().get_output().stdout.clone();
    let v = json_of(&out);
    let first = &v[0];
    for key in ["id", "namespace", "code", "name", "aliases", "meaning", "causes", "fixes", "related", "lang"]
    {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["id"], "vos:-39");
    assert_eq!(v[1]["match"], "exact", "every reading of an ambiguous name is given");
    let all = cdrscope().args(["lookup", "--all", "--json"]).assert().success().get_output().stdout.clone();
    let all = json_of(&all);
    let n = all.as_array().expect("array").len();
    assert!(n > 300, "{n} entries");
    cdrscope()
        .args(["lookup", "zzqqxx"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Nothing matches"));
    cdrscope().args(["lookup", "--lang", "fr", "503"]).assert().code(2);
    cdrscope().args(["lookup"]).assert().code(2).stderr(predicate::str::contains("--all"));
}

#[test]
fn lookup_reports_a_bad_kb_file_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kb = write(dir.path(), "kb.toml", b"[[entry]]\nid = \"vos:-69\"\nseverity = \"apocalyptic\"\n");
    cdrscope()
        .env("CDRSCOPE_KB", &kb)
        .args(["lookup", "-69"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:3:", kb.display())));
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    // `cdrscope summary --json | head -1`: the reader goes away early.
    let bin = env!("CARGO_BIN_EXE_cdrscope");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{bin} summary --demo --json | head -1; {bin} lookup --all | head -1"))
        .env("CDRSCOPE_KB", "/nonexistent")
        .output()
        .expect("sh");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn options_before_the_subcommand_are_the_subcommands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "").expect("config");
    let out =
        cdrscope().args(["--tz", "Asia/Shanghai", "summary", "--demo", "--json"]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json_of(&out.stdout);
    assert_eq!(v["time_zone"], "Asia/Shanghai", "the zone given before the subcommand is used");
    assert!(v["rows"].as_u64().is_some_and(|c| c > 0));
    cdrscope()
        .arg("--config")
        .arg(&config)
        .args(["summary", "--demo"])
        .assert()
        .success()
        .stdout(predicate::str::contains("calls from demo"));
    // An option the subcommand does not have is named as such, not taken for a file.
    cdrscope()
        .args(["--no-follow", "summary", "--demo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-follow").and(predicate::str::contains("cannot open").not()));
}

#[test]
fn lookup_shows_the_class_of_an_end_reason() {
    for (code, class) in
        [("486", "user_busy"), ("503", "network"), ("-69", "network"), ("487", "caller_abandon")]
    {
        cdrscope()
            .args(["lookup", code])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("Class if unanswered (NER): {class}")));
    }
    cdrscope().args(["lookup", "486"]).assert().stdout(predicate::str::contains("effective in NER"));
}
