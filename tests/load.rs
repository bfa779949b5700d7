//! Loading every input form end to end through the public API.

mod common;

use std::io::Write;

use cdrscope::cdr::{HoldUnit, HoldUnitChoice, LoadOptions, Reason, Window};
use common::*;

#[test]
fn the_real_vendor_row_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "e_cdr_20210429.tsv", real_row_tsv());
    let st = load_paths(&[&p]).store;
    assert_eq!(st.len(), 1);
    assert_eq!(st.rejected_lines(), 0);
    let r = st.record(0);
    assert_eq!(r.caller, "880101");
    assert_eq!(r.callee, "10081");
    assert_eq!(r.caller_ip, "45.112.24.213");
    assert_eq!(r.callee_ip, "8.8.8.8");
    assert_eq!(r.caller_gateway, "");
    assert_eq!(r.callee_gateway, "对接线路");
    assert_eq!(r.start_ms, 1_619_696_157_000);
    assert_eq!(r.stop_ms, Some(1_619_696_157_000));
    assert_eq!(r.hold_ms, 0);
    assert_eq!(r.reason, Reason::Code(-7));
    assert_eq!(r.end_direction, Some(0));
    assert_eq!(r.billing_mode, Some(0));
    assert_eq!(r.call_level, Some(4));
    assert_eq!(r.flowno, Some(101));
    // Old packed pdd 592379903: high half 9038 ms, low half 0xFFFF = not measured.
    assert_eq!(r.caller_pdd_ms, Some(9038));
    assert_eq!(r.callee_pdd_ms, None);
    let extra = |k: &str| r.extras.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(extra("softswitchdn").as_deref(), Some("MBX3000|65|SHAY1WUAAABIcBjV"));
    assert_eq!(extra("agentname").as_deref(), Some("结算账户"));
    assert_eq!(extra("callerproductid").as_deref(), Some("eyeBeam release 1011d stamp 40820"));
    let form = st.sources[0].form.as_ref().expect("detected");
    assert!(form.contains("old layout"), "{form}");
}

#[test]
fn current_layout_dump_with_seconds_and_escapes() {
    let rows: Vec<String> = (0..50)
        .map(|i| {
            current_row(
                1000 + i,
                1_763_640_000_000 + i as i64 * 60_000,
                if i % 2 == 0 { 30 + i } else { 0 },
                if i % 2 == 0 { -8 } else { 503 },
                "对接线路",
            )
        })
        .collect();
    let st = load_bytes("e_cdr_20251120.tsv", &current_dump(&rows));
    assert_eq!(st.len(), 50);
    assert_eq!(st.rejected_lines(), 0);
    assert_eq!(st.sources[0].hold_unit, Some(HoldUnit::S));
    let r = st.record(0);
    assert_eq!(r.hold_ms, 30_000);
    assert_eq!(r.callee_access, "0086139000");
    assert_eq!(r.caller_pdd_ms, Some(2100));
    assert_eq!(r.flowno, Some(1000));
    let extra = |k: &str| r.extras.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(extra("sipreasonheader").as_deref(), Some("Q.850;cause=16"));
    assert_eq!(extra("softswitchname").as_deref(), Some("VOS|node\t1"));
    assert_eq!(extra("additional").as_deref(), Some(""));
    assert!(st.sources[0].form.as_ref().expect("form").contains("current layout"));
}

#[test]
fn csv_with_quotes_commas_pipes_and_newlines() {
    let csv = "flowno,starttime,stoptime,holdtime,endreason,callere164,calleee164,calleegatewayid,customername\r\n\
        1,2026-11-20 10:00:00,2026-11-20 10:01:00,50,-8,\"138,001\",139,\"GW|A, east\",\"Acme \"\"Ltd\"\"\"\r\n\
        2,2026-11-20 10:02:00,2026-11-20 10:02:00,0,NoAvailableRouter,138,139,对接线路,\"two\nlines\"\r\n\
        3,2026-11-20 10:03:00,2026-11-20 10:03:30,20,503,138,139,GW2,x\r\n";
    let st = load_bytes("site.csv", csv.as_bytes());
    assert_eq!(st.len(), 3, "{:?}", st.rejects);
    let r = st.record(0);
    assert_eq!(r.caller, "138,001");
    assert_eq!(r.callee_gateway, "GW|A, east");
    assert_eq!(r.extras, vec![("customername".to_string(), "Acme \"Ltd\"".to_string())]);
    assert_eq!(st.record(1).reason, Reason::Code(-69));
    assert_eq!(st.record(1).extras[0].1, "two\nlines");
    assert_eq!(st.record(2).line, 5, "line numbers count the quoted newline");
    assert_eq!(st.record(1).callee_gateway, "对接线路");
}

#[test]
fn gzip_and_plain_give_the_same_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = Vec::new();
    for i in 0..2000 {
        text.extend(
            pipe_line(
                &format!("1380000{i:04}"),
                "2026-11-20 10:00:00",
                "2026-11-20 10:00:40",
                30_000,
                "-8",
                "CUST",
                "对接线路",
            )
            .bytes(),
        );
    }
    let plain = write(dir.path(), "2026112010.txt", &text);
    let gz = write(dir.path(), "copy.txt.gz", &gzip(&text));
    let a = load_paths(&[&plain]).store;
    let b = load_paths(&[&gz]).store;
    assert_eq!(a.len(), 2000);
    assert_eq!(b.len(), 2000);
    assert_eq!(b.sources[0].packing, "gzip");
    for i in [0, 999, 1999] {
        let (mut ra, mut rb) = (a.record(i), b.record(i));
        ra.source.clear();
        rb.source.clear();
        assert_eq!(ra, rb);
    }
}

#[test]
fn crlf_and_17_or_19_fields() {
    let l19 = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let l17: String = l19.trim_end().rsplitn(3, '|').nth(2).expect("17 fields").to_string() + "\n";
    let text = format!("{}{}", l19.replace('\n', "\r\n"), l17.replace('\n', "\r\n"));
    let st = load_bytes("mixed.txt", text.as_bytes());
    assert_eq!(st.len(), 2);
    assert_eq!(st.record(0).caller_pdd_ms, Some(2300));
    assert_eq!(st.record(1).caller_pdd_ms, None);
    assert_eq!(st.record(0).callee_pdd_ms, Some(1800), "no stray CR in the last field");
    let counts = &st.sources[0].tally.field_counts;
    assert_eq!(counts.get(&19), Some(&1));
    assert_eq!(counts.get(&17), Some(&1));
}

#[test]
fn hold_unit_is_detected_and_can_be_forced() {
    let ms = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let s = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30, "-8", "A", "B");
    let a = load_bytes("ms.txt", ms.repeat(5).as_bytes());
    assert_eq!(a.sources[0].hold_unit, Some(HoldUnit::Ms));
    assert_eq!(a.hold_ms(0), 30_000);
    let b = load_bytes("s.txt", s.repeat(5).as_bytes());
    assert_eq!(b.sources[0].hold_unit, Some(HoldUnit::S));
    assert_eq!(b.hold_ms(0), 30_000);
    assert!(b.sources[0].hold_unit_why.contains("5 of 5"));

    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "x.txt", s.as_bytes());
    let forced = load_with(&[&p], &LoadOptions { hold_unit: HoldUnitChoice::Ms, ..opts() }).store;
    assert_eq!(forced.hold_ms(0), 30);
    assert_eq!(forced.sources[0].hold_unit_why, "set by --hold-unit");
}

/// Sources in different units in one store: each call's talk time in its own source's unit,
/// also after the rows of one are dropped (the units are counted, not looked for anew).
#[test]
fn sources_in_different_units_read_each_in_its_own() {
    let ms = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let s = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30, "-8", "A", "B");
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "a.txt", ms.repeat(5).as_bytes());
    let b = write(dir.path(), "b.txt", s.repeat(5).as_bytes());
    let mut st = load_with(&[&a, &b], &opts()).store;
    assert_eq!((st.sources[0].hold_unit, st.sources[1].hold_unit), (Some(HoldUnit::Ms), Some(HoldUnit::S)));
    assert!(
        (0..10).all(|i| st.hold_ms(i) == 30_000),
        "{:?}",
        (0..10).map(|i| st.hold_ms(i)).collect::<Vec<_>>()
    );
    st.drop_front(5);
    assert!((0..5).all(|i| st.hold_ms(i) == 30_000));
    assert_eq!(st.source_rows(1), vec![0..5]);
    assert!(st.source_rows(0).is_empty());
}

#[test]
fn epoch_seconds_and_missing_start() {
    let text = "1|2|1763632800|1763632830|20|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n\
                1|2|0|1763632900|0|486|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n\
                1|2|1763633000|0|0|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n";
    let st = load_bytes("epoch.txt", text.as_bytes());
    assert_eq!(st.len(), 3);
    assert_eq!(st.cols.start_ms[0], 1_763_632_800_000);
    assert_eq!(st.cols.start_ms[1], 1_763_632_900_000, "no start: the stop time stands in");
    assert_eq!(st.record(2).stop_ms, None, "stop 0: call in progress");
}

#[test]
fn directories_hourly_names_and_the_since_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cdr = dir.path().join("cdr");
    std::fs::create_dir(&cdr).expect("mkdir");
    for h in 10..14 {
        let line = pipe_line(
            "1",
            &format!("2026-11-20 {h}:10:00"),
            &format!("2026-11-20 {h}:10:30"),
            20_000,
            "-8",
            "A",
            "B",
        );
        write(&cdr, &format!("20261120{h}.txt"), line.as_bytes());
    }
    write(&cdr, "notes.md", b"not a cdr");
    let reader = cdrscope::cdr::TimeReader::new(utc());
    let Some(cdrscope::cdr::record::time::TimeValue::At(since, _)) = reader.parse(b"2026-11-20 12:00:00")
    else {
        panic!("time")
    };
    let loaded =
        load_with(&[&cdr], &LoadOptions { window: Window { since: Some(since), until: None }, ..opts() });
    let names: Vec<&str> = loaded.store.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("2026112012.txt") && names[1].ends_with("2026112013.txt"));
    assert_eq!(loaded.skipped.iter().filter(|s| s.why.contains("outside")).count(), 2);
    let all = load_paths(&[&cdr]);
    assert_eq!(all.store.len(), 4);
    // --until: files whose calls all stopped more than a day after it are skipped.
    write(
        &cdr,
        "2026112212.txt",
        pipe_line("1", "2026-11-22 12:00:00", "2026-11-22 12:00:30", 20_000, "-8", "A", "B").as_bytes(),
    );
    let Some(cdrscope::cdr::record::time::TimeValue::At(until, _)) = reader.parse(b"2026-11-20 11:00:00")
    else {
        panic!("time")
    };
    let loaded =
        load_with(&[&cdr], &LoadOptions { window: Window { since: None, until: Some(until) }, ..opts() });
    assert_eq!(loaded.store.sources.len(), 4, "the 22nd is skipped, the 20th's files are read");
    assert!(loaded.skipped.iter().any(|s| s.name.ends_with("2026112212.txt")));
    // The same directory twice is read once.
    let twice = load_paths(&[&cdr, &cdr]);
    assert_eq!(twice.store.len(), 5);
    assert!(twice.skipped.iter().any(|s| s.why.contains("more than once")));
}

#[test]
fn the_newest_files_unterminated_line_is_pending() {
    let dir = tempfile::tempdir().expect("tempdir");
    let done = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let old = write(dir.path(), "2026112010.txt", done.trim_end().as_bytes());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut f = std::fs::File::create(dir.path().join("2026112011.txt")).expect("create");
    f.write_all(format!("{done}1|2|2026-11-20 11:00:00|2026-11-2").as_bytes()).expect("write");
    drop(f);
    let loaded = load_paths(&[dir.path()]).store;
    // The older file's unterminated last line is a complete record; the newest one's is pending.
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded.pending_lines(), 1);
    assert_eq!(loaded.rejected_lines(), 0);
    let _ = old;
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let specs = vec![cdrscope::cdr::SourceSpec::Path("/no/such/cdr/dir".into())];
    let err = cdrscope::cdr::load(&specs, &opts(), Default::default()).expect_err("missing");
    assert!(err.to_string().contains("/no/such/cdr/dir"), "{err}");
}

#[test]
fn bad_lines_are_counted_with_file_and_line() {
    let good = pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B");
    let text = format!("{good}garbage line\n{good}1|2|soon|2026-11-20 10:00:40|0|-8|1|A|B|1|2|1|2|1|2|0|1\n");
    let st = load_bytes("bad.txt", text.as_bytes());
    // Line 4's start is unreadable but its stop places the call: kept, with a warning.
    assert_eq!(st.len(), 3);
    assert_eq!(st.rejected_lines(), 1);
    let lines: Vec<u64> = st.rejects.iter().map(|(_, r)| r.line).collect();
    assert_eq!(lines, vec![2]);
    let w = st.field_warnings();
    assert_eq!(
        (w[0].field, w[0].first_at.as_str(), w[0].example.as_str()),
        ("startTime", "bad.txt:4", "soon")
    );
}

#[test]
fn not_a_cdr_file_is_reported_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = write(dir.path(), "junk.csv", b"name,age\nbob,4\n");
    let good = write(
        dir.path(),
        "2026112010.txt",
        pipe_line("1", "2026-11-20 10:00:00", "2026-11-20 10:00:40", 30_000, "-8", "A", "B").as_bytes(),
    );
    let st = load_paths(&[&junk, &good]).store;
    assert_eq!(st.len(), 1);
    assert!(st.sources[0].form.as_ref().is_err_and(|e| e.contains("not a recognised CDR form")));
}

#[test]
fn many_blocks_keep_order_and_line_numbers() {
    // Enough data for several 1 MiB blocks across both worker threads.
    let mut text = String::new();
    for i in 0..30_000 {
        text.push_str(&pipe_line(
            &format!("{i}"),
            "2026-11-20 10:00:00",
            "2026-11-20 10:00:40",
            30_000,
            "-8",
            &format!("GW{}", i % 7),
            "B",
        ));
    }
    let st = load_bytes("big.txt", text.as_bytes());
    assert_eq!(st.len(), 30_000);
    for i in [0usize, 5_000, 17_777, 29_999] {
        let r = st.record(i);
        assert_eq!(r.caller, i.to_string());
        assert_eq!(r.line as usize, i + 1);
        assert_eq!(r.caller_gateway, format!("GW{}", i % 7));
    }
    assert!(st.heap_bytes() / st.len() < 120, "bytes per row: {}", st.heap_bytes() / st.len());
}
