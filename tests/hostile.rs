//! Hostile and faulty input: the failures an adversarial run found, each as a regression test
//! (the code before the fix fails every one), and the line-accounting invariant on every form.

mod common;

use std::io::Write;

use assert_cmd::Command;
use cdrscope::cdr::Store;
use common::real::*;
use common::*;
use predicates::prelude::*;

fn cdrscope() -> Command {
    let mut c = Command::cargo_bin("cdrscope").expect("binary");
    c.env("TZ", "UTC").env("CDRSCOPE_KB", "/nonexistent/kb.toml").env_remove("XDG_CONFIG_HOME");
    c
}

/// rows + rejected + pending + blank + header + continuation lines = physical lines, per source.
fn assert_accounted(store: &Store, what: &str) {
    for s in &store.sources {
        let t = &s.tally;
        assert_eq!(t.accounted_lines(), t.lines, "{what}: {}: lines not accounted for: {t:?}", s.name);
    }
}

const GOOD: &str = "8613800000001|8613900000001|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|IN|OUT|10.0.0.1|10.0.0.2|1|2|1|2|0|1|300|400\n";

#[test]
fn many_fields_cost_linear_time_and_no_columns() {
    // A 100 kB line of 50,000 fields and a 200 kB file of nothing but '|': one rejected line
    // each, not a column per field (which made them quadratic).
    let wide = format!("{}\n{GOOD}", vec!["x"; 50_000].join("|"));
    let store = load_bytes("wide.txt", wide.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (1, 1));
    assert!(store.rejects[0].1.reason.to_string().contains("50000 fields: more than 1024"));
    assert!(store.cols.extras.len() <= 1, "{} extra columns", store.cols.extras.len());
    assert_accounted(&store, "wide");
    let pipes = "|".repeat(200_000);
    let store = load_bytes("pipes.txt", pipes.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (0, 1));
    assert!(store.cols.extras.is_empty());
}

#[test]
fn cr_only_line_endings_are_lines() {
    let text = GOOD.replace('\n', "\r").repeat(2000);
    let store = load_bytes("mac.txt", text.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (2000, 0));
    assert_accounted(&store, "cr-only");
}

#[test]
fn threads_are_bounded() {
    for n in ["18446744073709551615", "9223372036854775808", "257"] {
        cdrscope()
            .args(["summary", "--demo", "--threads", n])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--threads"));
    }
    cdrscope().args(["summary", "--demo", "--threads", "256"]).assert().success();
}

#[test]
fn the_form_is_told_from_a_sample_not_the_first_line() {
    let text = format!("this first line is garbage\n{}", GOOD.repeat(10));
    let store = load_bytes("bad-first.txt", text.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (10, 1));
    assert_eq!(store.rejects[0].1.line, 1);
    // A first line over 64 KiB: one rejected line too.
    let text = format!("{}\n{}", "y".repeat(70_000), GOOD.repeat(10));
    let store = load_bytes("long-first.txt", text.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (10, 1));
    assert_accounted(&store, "long first line");
}

#[test]
fn a_stray_quote_in_a_mysql_dump_swallows_nothing() {
    let (header, rows) = real_table();
    let mut text = header.join("\t") + "\n";
    for k in 0..2014 {
        let mut r = rows[k % rows.len()].clone();
        r[0] = (k + 1).to_string();
        r[45] = (900_000 + k).to_string(); // flowno
        if k == 4 {
            r[1] = "88\"0123".into(); // a stray quote in the caller number
        }
        text.push_str(&(r.join("\t") + "\n"));
    }
    let store = load_bytes("stray.tsv", text.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (2014, 0));
    assert_eq!(store.record(4).caller, "88\"0123");
    assert_accounted(&store, "stray quote");
}

#[test]
fn tsv_export_reads_back_unchanged() {
    // The real rows' Reason headers hold quotes; a value with a tab, a newline and a backslash.
    let odd =
        std::str::from_utf8(REAL_TSV).expect("utf-8").replacen("MBX3000", "MBX\\\\3000\\ttab\\nline", 1);
    let dir = tempfile::tempdir().expect("dir");
    let src = write(dir.path(), "real.tsv", odd.as_bytes());
    let out = dir.path().join("out.tsv");
    cdrscope()
        .args(["export", &src.display().to_string(), "--format", "tsv", "-o", &out.display().to_string()])
        .assert()
        .success();
    let a = load_paths(&[&src]).store;
    let b = load_paths(&[&out]).store;
    assert_eq!(b.calls(), 12);
    assert_eq!(b.rejected_lines(), 0);
    for i in 0..12 {
        let (ra, rb) = (a.record(i), b.record(i));
        let extra = |r: &cdrscope::cdr::Record, k: &str| {
            r.extras.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
        };
        assert_eq!(extra(&ra, "sipreasonheader"), extra(&rb, "sipreasonheader"), "row {i}");
        assert_eq!(extra(&ra, "softswitchname"), extra(&rb, "softswitchname"), "row {i}");
        assert_eq!((ra.start_ms, ra.hold_ms, ra.reason), (rb.start_ms, rb.hold_ms, rb.reason));
        assert_eq!((ra.caller, ra.callee_gateway), (rb.caller, rb.callee_gateway));
    }
    assert_eq!(
        a.record(0).extras.iter().find(|(n, _)| n == "softswitchname").map(|(_, v)| v.as_str()),
        Some("MBX\\3000\ttab\nline")
    );
}

#[test]
fn an_over_long_line_is_one_rejected_line() {
    let mut text = Vec::with_capacity(18 << 20);
    text.extend_from_slice(GOOD.as_bytes());
    text.extend(std::iter::repeat_n(b'z', 17 << 20));
    text.push(b'\n');
    text.extend_from_slice(GOOD.repeat(3).as_bytes());
    let store = load_bytes("long.txt", &text);
    assert_eq!((store.calls(), store.rejected_lines()), (4, 1));
    let r = &store.rejects[0].1;
    assert_eq!(r.line, 2);
    assert!(r.reason.to_string().contains("longer than 16 MiB"), "{}", r.reason);
    assert_eq!(store.record(1).line, 3, "lines after it keep their numbers");
    assert_accounted(&store, "over-long line");
}

#[test]
fn blank_lines_and_rejects_are_all_counted() {
    let csv = "startTime,callerE164,calleeE164,holdTime\n\n2026-11-20 10:00:00,1,2,0\n\n\n2026-11-20 10:00:01,1,2,0\n   ";
    let store = load_bytes("blank.csv", csv.as_bytes());
    let t = &store.sources[0].tally;
    assert_eq!((t.rows, t.blank, t.headers), (2, 4, 1));
    assert_accounted(&store, "csv blanks");
    // 600 bad lines in one block: the first 500 are listed.
    let text = GOOD.replace("2026-11-20 10:00:00|2026-11-20 10:00:30", "soon|later").repeat(600);
    let store = load_bytes("bad.txt", text.as_bytes());
    assert_eq!(store.rejected_lines(), 600);
    assert_eq!(store.rejects.len(), 500);
}

#[test]
fn byte_order_marks_and_utf16() {
    let text = format!("\u{feff}{GOOD}");
    let store = load_bytes("bom.txt", text.as_bytes());
    assert_eq!(store.record(0).caller, "8613800000001");
    let utf16: Vec<u8> =
        std::iter::once(0xfeffu16).chain(GOOD.encode_utf16()).flat_map(u16::to_le_bytes).collect();
    let store = load_bytes("utf16.txt", &utf16);
    let why = store.sources[0].form.as_ref().expect_err("utf-16");
    assert!(why.contains("UTF-16") && why.contains("iconv"), "{why}");
    // No byte order mark: told by the NULs.
    let store = load_bytes("utf16nobom.txt", &utf16[2..]);
    assert!(store.sources[0].form.as_ref().is_err_and(|w| w.contains("UTF-16")));
}

#[test]
fn a_csv_header_over_64_kib() {
    let long_name = "n".repeat(70_000);
    let text = format!("{long_name},startTime,callerE164,calleeE164,holdTime\nx,2026-11-20 10:00:00,1,2,0\n");
    let store = load_bytes("wide-header.csv", text.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (1, 0));
}

#[test]
fn every_form_accounts_for_every_line() {
    let (header, rows) = real_table();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(&header).expect("csv");
    for r in &rows {
        csv.write_record(r).expect("csv");
    }
    let csv = csv.into_inner().expect("csv");
    let forms: Vec<(&str, Vec<u8>)> = vec![
        ("pipe.txt", format!("{GOOD}\n{GOOD}garbage\n\n{GOOD}").into_bytes()),
        ("dump.tsv", REAL_TSV.to_vec()),
        ("dump.csv", csv),
        ("fwd.csv", [FORWARDED_ROW, b"\n1,2\n", FORWARDED_ROW].concat()),
        ("api.json", API_RECORD.to_vec()),
        ("old.tsv", real_row_tsv().to_vec()),
    ];
    for (name, data) in forms {
        let store = load_bytes(name, &data);
        assert!(store.sources[0].tally.lines > 0, "{name}");
        assert_accounted(&store, name);
        let gz = load_bytes(name, &gzip(&data));
        assert_accounted(&gz, name);
    }
}

#[test]
fn more_than_65535_files_keep_their_names_and_lines() {
    let dir = tempfile::tempdir().expect("dir");
    let n = 65_600usize;
    for k in 0..n {
        let mut f = std::fs::File::create(dir.path().join(format!("c{k:05}.txt"))).expect("file");
        let line = GOOD.replace("8613800000001", &format!("86{k:011}"));
        f.write_all(format!("{line}{line}").as_bytes()).expect("write");
    }
    let l = load_paths(&[dir.path()]);
    assert_eq!(l.store.sources.len(), n);
    assert_eq!(l.store.calls(), 2 * n);
    let last = l.store.len() - 1;
    let r = l.store.record(last);
    assert!(r.source.ends_with(&format!("c{:05}.txt", n - 1)), "{}", r.source);
    assert_eq!((r.line, r.caller), (2, format!("86{:011}", n - 1)));
}

#[test]
fn export_never_writes_over_a_source_through_a_hard_link() {
    let dir = tempfile::tempdir().expect("dir");
    let src = write(dir.path(), "2026112010.txt", GOOD.as_bytes());
    let other = tempfile::tempdir().expect("other dir");
    let link = other.path().join("link.csv");
    std::fs::hard_link(&src, &link).expect("hard link");
    cdrscope()
        .args([
            "export",
            &src.display().to_string(),
            "--format",
            "csv",
            "--force",
            "-o",
            &link.display().to_string(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing to write"));
    assert_eq!(std::fs::read(&src).expect("read"), GOOD.as_bytes(), "the source is untouched");
}

#[test]
fn json_output_escapes_bidi_and_c1_characters() {
    let line = GOOD.replace("IN|OUT", "I\u{202e}N|O\u{9b}UT");
    let dir = tempfile::tempdir().expect("dir");
    let src = write(dir.path(), "2026112010.txt", line.as_bytes());
    for args in [vec!["summary", "--json"], vec!["export", "--format", "json"]] {
        let out = cdrscope().args(&args).arg(&src).assert().success().get_output().stdout.clone();
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.contains('\u{202e}') && !text.contains('\u{9b}'), "{args:?}: raw control characters");
        assert!(text.contains("\\u202e") && text.contains("\\u009b"), "{args:?}: {text}");
        let v: serde_json::Value = serde_json::from_str(&text).expect("still valid JSON");
        assert!(v.to_string().contains('\u{202e}'), "the value reads back");
    }
}

/// A server that accepts the connection and never says a word: a clear message in well under
/// a minute, not a five-minute hang.
#[test]
fn a_silent_database_server_is_given_up_on() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let held = std::thread::spawn(move || {
        let conn = listener.accept();
        std::thread::sleep(std::time::Duration::from_secs(40));
        drop(conn);
    });
    let start = std::time::Instant::now();
    cdrscope()
        .env("MYSQL_PWD", "x")
        .args(["check", &format!("mysql://ro@127.0.0.1:{port}/vos3000")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not answer"));
    assert!(start.elapsed().as_secs() < 35, "took {:?}", start.elapsed());
    drop(held);
}

/// `summary` answers from what it could read, and says which inputs it could not (exit 1).
#[test]
fn summary_lists_unread_and_cut_short_sources() {
    let dir = tempfile::tempdir().expect("dir");
    let good = write(dir.path(), "2026112010.txt", GOOD.as_bytes());
    let junk = write(dir.path(), "junk.csv", b"name,age\nbob,4\n");
    let mut gz = gzip(GOOD.repeat(2000).as_bytes());
    gz.truncate(gz.len() / 2);
    let cut = write(dir.path(), "cut.txt.gz", &gz);
    let out = cdrscope()
        .args(["summary", "--json"])
        .args([&good, &junk, &cut])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("junk.csv").and(predicate::str::contains("cut.txt.gz")))
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let states: Vec<(String, String)> = v["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string(),
                s["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("2026112010.txt".to_string(), "read".to_string()),
            ("junk.csv".to_string(), "not_read".to_string()),
            ("cut.txt.gz".to_string(), "cut_short".to_string())
        ]
    );
    cdrscope()
        .arg("summary")
        .args([&good, &junk])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not read:").and(predicate::str::contains("junk.csv")));
}
