//! Real production CDRs in every form operators have them: the 12 real calls as a `mysql -B`
//! dump, CSV, a spreadsheet, API JSON, compressed and zipped; the real forwarded row; the
//! portal's zip; and bad input of each form, which must say what is wrong and lose nothing else.
//! (The same rows through `mysql://` are in tests/mysql.rs.)

mod common;

use std::io::Write;
use std::path::Path;

use cdrscope::cdr::Store;
use cdrscope::query::{Context, evaluate, parse};
use common::real::*;
use common::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn count(store: &Store, q: &str) -> usize {
    evaluate(&parse(q).expect("query"), &Context::new(store, utc())).len()
}

fn csv_of_real_rows(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("header");
    for r in rows {
        w.write_record(r.iter().map(|v| if v == "NULL" { "" } else { v.as_str() })).expect("row");
    }
    w.into_inner().expect("csv")
}

#[test]
fn real_rows_as_mysql_dump() {
    let store = load_bytes("real.tsv", REAL_TSV);
    assert_real_rows(&store, "mysql -B dump");
    assert_real_extras(&store, "mysql -B dump");
    // Reason headers and accounts filter; the -69 call has no callee gateway.
    assert_eq!(count(&store, "reason:34"), 2);
    assert_eq!(count(&store, "reason:q850:34"), 2);
    assert_eq!(count(&store, "reason:Q.850:16"), 1);
    assert_eq!(count(&store, "reason:sip"), 2);
    assert_eq!(count(&store, "-reason:q850"), 9);
    assert_eq!(count(&store, "account:\"C_IMC Limited\""), 3);
    assert_eq!(count(&store, "account:*coastnet*"), 6);
    assert_eq!(count(&store, "code:NoAvailableRouter"), 1);
    // A spreadsheet dropped the digits of six callee numbers: kept as written, warned per field.
    let w = store.field_warnings();
    let callee = w.iter().find(|w| w.field == "calleeE164").expect("calleeE164 warning");
    assert_eq!((callee.count, callee.example.as_str()), (6, "1.00206285364032E+017"));
    assert_eq!(callee.first_at, "real.tsv:2");
    assert_eq!(store.record(0).callee, "1.00206285364032E+017");
}

#[test]
fn real_rows_as_csv_and_compressed() {
    let (header, rows) = real_table();
    let csv = csv_of_real_rows(&header, &rows);
    let dir = tmp();
    let plain = write(dir.path(), "real.csv", &csv);
    let l = load_paths(&[&plain]);
    assert_real_rows(&l.store, "CSV");
    assert_real_extras(&l.store, "CSV");

    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(REAL_TSV).expect("bz2");
    let bz = write(dir.path(), "a.tsv.bz2", &bz.finish().expect("bz2"));
    let zst = write(
        dir.path(),
        "b.tsv.zst",
        &ruzstd::encoding::compress_to_vec(REAL_TSV, ruzstd::encoding::CompressionLevel::Fastest),
    );
    let mut xz = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).expect("xz");
    xz.write_all(&csv).expect("xz");
    let xz = write(dir.path(), "c.csv.xz", &xz.finish().expect("xz"));
    let gz = write(dir.path(), "d.tsv.gz", &gzip(REAL_TSV));
    for (p, label) in [(&bz, "bzip2"), (&zst, "zstd"), (&xz, "xz"), (&gz, "gzip")] {
        let l = load_paths(&[p.as_path()]);
        assert_real_rows(&l.store, label);
        assert_eq!(l.store.sources[0].packing, label);
        assert!(l.store.sources[0].form.as_ref().expect("form").contains(label));
    }
}

#[test]
fn real_rows_from_a_spreadsheet() {
    let (header, rows) = real_table();
    let dir = tmp();
    let path = dir.path().join("testing.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("CDR").expect("name");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            if v == "NULL" || v.is_empty() {
                continue;
            }
            // As Excel stores what looks like a number: as a number (flowno, times, ids).
            match v.parse::<f64>() {
                Ok(n) if !v.contains('E') && v.len() < 16 => ws.write_number(r, c, n).map(|_| ()),
                _ => ws.write_string(r, c, v).map(|_| ()),
            }
            .expect("cell");
        }
    }
    wb.save(&path).expect("save xlsx");
    let l = load_paths(&[&path]);
    assert_real_rows(&l.store, "xlsx");
    assert_real_extras(&l.store, "xlsx");
    // Locations name the sheet: book.xlsx!Sheet:row (the header is row 1).
    assert!(l.store.sources[0].name.ends_with("testing.xlsx!CDR"), "{}", l.store.sources[0].name);
    let w = l.store.field_warnings();
    assert!(w.iter().any(|w| w.field == "calleeE164" && w.first_at.ends_with("testing.xlsx!CDR:2")), "{w:?}");
    assert_eq!(l.store.record(0).flowno, Some(518_507_331));
    // The store's size is what its rows take, not the room reserved ahead for more.
    let bytes = l.store.heap_bytes();
    assert!(bytes < 2_000_000, "{bytes} bytes said for {} rows", l.store.len());

    // A workbook whose first row names no CDR column says so and loses the other sources.
    let bad = dir.path().join("notes.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "hello").expect("cell");
    ws.write_string(1, 0, "world").expect("cell");
    wb.save(&bad).expect("save");
    let tsv = write(dir.path(), "real.tsv", REAL_TSV);
    let l = load_paths(&[&bad, &tsv]);
    let why = l.store.sources[0].form.as_ref().expect_err("no header");
    assert!(why.contains("no header naming CDR columns"), "{why}");
    assert_real_rows(&l.store, "tsv beside a bad xlsx");
}

/// The API's camelCase records built from the real rows.
fn api_json(wrapped: bool) -> String {
    let (header, rows) = real_table();
    let names = [
        ("flowno", "flowNo"),
        ("customeraccount", "account"),
        ("customername", "accountName"),
        ("callere164", "callerE164"),
        ("calleee164", "calleeE164"),
        ("calleeaccesse164", "calleeAccessE164"),
        ("callergatewayid", "callerGateway"),
        ("calleegatewayid", "calleeGateway"),
        ("calleeip", "calleeip"),
        ("starttime", "start"),
        ("stoptime", "stop"),
        ("holdtime", "holdTime"),
        ("callerpdd", "callerPdd"),
        ("calleepdd", "calleePdd"),
        ("enddirection", "endDirection"),
        ("endreason", "endReason"),
        ("softswitchname", "softswitchName"),
    ];
    let recs: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (col, api) in names {
                let k = header.iter().position(|h| h == col).expect("column");
                let v = &r[k];
                let json = match v.parse::<i64>() {
                    Ok(n) => serde_json::json!(n),
                    Err(_) => serde_json::json!(v),
                };
                m.insert(api.to_string(), json);
            }
            serde_json::Value::Object(m)
        })
        .collect();
    if wrapped {
        serde_json::json!({"retCode": 0, "infoCdrs": recs}).to_string()
    } else {
        recs.iter().map(|r| format!("{r}\n")).collect()
    }
}

#[test]
fn real_rows_as_api_json() {
    for (wrapped, label) in [(true, "GetCdr answer"), (false, "JSON lines")] {
        let store = load_bytes("api.json", api_json(wrapped).as_bytes());
        assert_real_rows(&store, label);
        assert!(store.sources[0].form.as_ref().expect("form").contains("web API JSON"));
        assert_eq!(count(&store, "account:\"C_Libya Provider\""), 2, "{label}");
    }
    // The real API record.
    let store = load_bytes("api_record.json", API_RECORD);
    assert_eq!(store.calls(), 1);
    let r = store.record(0);
    assert_eq!((r.flowno, r.callee_gateway.as_str()), (Some(330_455_246), "深圳腾龙消金AI"));
    assert_eq!(r.reason.to_string(), "503");
    assert_eq!(r.callee_access, "17342625719");
    assert_eq!(count(&store, "account:百融消金"), 1);
    // JSON of another shape says so.
    let store = load_bytes("other.json", br#"{"retCode": -10033, "exception": "over the limit"}"#);
    let why = store.sources[0].form.as_ref().expect_err("not cdr json");
    assert!(why.contains("another shape"), "{why}");
    let store = load_bytes("cut.json", &api_json(true).as_bytes()[..2000]);
    let e = store.sources[0].read_error.as_deref().expect("cut short");
    assert!(e.contains("not valid JSON"), "{e}");
}

#[test]
fn the_real_forwarded_row() {
    let store = load_bytes("fwd.csv", FORWARDED_ROW);
    assert_eq!((store.calls(), store.rejected_lines()), (1, 0));
    let form = store.sources[0].form.as_ref().expect("form");
    assert!(form.contains("forwarded"), "{form}");
    let r = store.record(0);
    assert_eq!(r.caller, "Q0002CS100319607819993");
    assert_eq!(r.callee, "S0099966507944325");
    assert_eq!(r.callee_access, "9001966507944325");
    assert_eq!(r.caller_gateway, "CS10031_ZX");
    assert_eq!(r.callee_gateway, "ZX-00-05343_966ALL_DZS0099");
    assert_eq!((r.caller_ip.as_str(), r.callee_ip.as_str()), ("198.154.109.36", "213.230.188.1"));
    assert_eq!((r.start_ms, r.stop_ms), (1_469_683_084_946, Some(1_469_683_084_946)));
    assert_eq!((r.caller_pdd_ms, r.callee_pdd_ms), (Some(10_000), Some(1988)));
    assert_eq!(r.hold_ms, 0);
    assert_eq!(r.flowno, Some(5_166_923_438));
    assert_eq!(r.reason.to_string(), "-7");
    assert_eq!(r.end_direction, Some(0));
    assert_eq!(r.billing_mode, Some(1));
    let extra = |k: &str| r.extras.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    // A quoted value with commas inside stays whole.
    assert_eq!(extra("softswitchname"), "MBX5000_5:6288012166477876591,MBX5000_3:6288012081595114378");
    assert_eq!(extra("customeraccount"), "CS10031_ZX");
    // Older senders send fewer fields; fewer than through holdTime cannot be placed.
    let line = std::str::from_utf8(FORWARDED_ROW).expect("utf-8").trim_end();
    let short: Vec<&str> = line.split(',').take(30).collect();
    let store = load_bytes("short.csv", format!("{line}\n{}\n1,2,3\n", short.join(",")).as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (2, 1));
    assert!(store.rejects[0].1.reason.to_string().contains("forwarded CDR"));
}

/// The web portal's download: a zip holding a CRLF text file whose rows end with a comma.
#[test]
fn the_portal_zip() {
    let text = "startTime,callerE164,calleeE164,holdTime,fee,packageFeeTime,packageFee,\r\n\
                2023-07-16 00:00:01,601123061045,6285364031604,0,0,0,0,\r\n\
                2023-07-16 00:01:10,97317008877,212673195423,85,1.02,0,0,\r\n\
                2023-07-16 00:02:00,385998277968,212761666600,30,0.36,0,0,\r\n";
    let dir = tmp();
    let path = dir.path().join("cdrs_20230716.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).expect("zip"));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("cdrs_20230716_1.txt", opts).expect("member");
    z.write_all(text.as_bytes()).expect("write");
    z.start_file("readme/", opts).expect("dir");
    z.finish().expect("finish");
    let l = load_paths(&[&path]);
    assert_eq!(l.store.sources.len(), 1, "the folder entry is not a source");
    assert_eq!(l.store.sources[0].name, format!("{}!cdrs_20230716_1.txt", path.display()));
    assert_eq!((l.store.calls(), l.store.rejected_lines()), (3, 0));
    assert_eq!(l.store.sources[0].tally.headers, 1);
    let answered = (0..3).filter(|&i| l.store.hold_ms(i) > 0).count();
    assert_eq!(answered, 2);
    assert_eq!(l.store.record(1).hold_ms, 85_000, "portal holdTime is seconds");
    assert_eq!(
        l.store.record(2).extras.iter().find(|(k, _)| k == "fee").map(|(_, v)| v.as_str()),
        Some("0.36")
    );

    // A truncated zip: a clear message; the other source is still read.
    let bytes = std::fs::read(&path).expect("read");
    let cut = write(dir.path(), "cut.zip", &bytes[..bytes.len() / 2]);
    let tsv = write(dir.path(), "real.tsv", REAL_TSV);
    let l = load_paths(&[&cut, &tsv]);
    let why = l.store.sources[0].form.as_ref().expect_err("damaged");
    assert!(why.contains("zip"), "{why}");
    assert_real_rows(&l.store, "tsv beside a cut zip");
}

#[test]
fn corrupt_compressed_input_is_reported_and_loses_nothing_else() {
    let dir = tmp();
    let mut xz = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).expect("xz");
    xz.write_all(&REAL_TSV.repeat(50)).expect("xz");
    let mut bytes = xz.finish().expect("xz");
    let mid = bytes.len() / 2;
    bytes[mid..mid + 64].fill(0x55);
    let bad = write(dir.path(), "bad.tsv.xz", &bytes);
    let good = write(dir.path(), "good.tsv", REAL_TSV);
    let l = load_paths(&[&bad, &good]);
    let e = l.store.sources[0].read_error.as_deref().expect("corrupt xz is a read error");
    assert!(e.contains("xz data is corrupt"), "{e}");
    assert_real_rows(&l.store, "tsv beside a corrupt xz");
}

#[test]
fn chinese_headers_map_like_english_ones() {
    let text = "主叫号码,被叫号码,起始时间,终止时间,通话时长,终止原因,挂断方,主叫IP,被叫IP,对接网关,落地网关,计费模式,账户\n\
                8613800000001,8613900000001,2026-11-20 10:00:00,2026-11-20 10:01:00,60,-8,1,10.0.0.1,10.0.0.2,对接线路,落地A,1,客户甲\n\
                8613800000002,8613900000002,2026-11-20 10:02:00,2026-11-20 10:02:00,0,503,1,10.0.0.1,10.0.0.3,对接线路,落地B,1,客户甲\n";
    let store = load_bytes("client.csv", text.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (2, 0));
    let r = store.record(0);
    assert_eq!(
        (r.caller.as_str(), r.callee_gateway.as_str(), r.caller_gateway.as_str()),
        ("8613800000001", "落地A", "对接线路")
    );
    assert_eq!((r.end_direction, r.billing_mode, r.caller_ip.as_str()), (Some(1), Some(1), "10.0.0.1"));
    assert_eq!(count(&store, "account:客户甲"), 2);
    assert_eq!(count(&store, "outgw:落地B code:503"), 1);
}

#[test]
fn guide_names_without_a_vendor_code_stay_named() {
    let mut text = String::new();
    for (k, reason) in
        ["AllGatewayBusy", "AllGatewayBusy", "GatewayTimeout", "NoAvailableRouter", "-8"].iter().enumerate()
    {
        text.push_str(&pipe_line(
            &format!("86100{k}"),
            "2026-11-20 10:00:00",
            "2026-11-20 10:00:00",
            0,
            reason,
            "IN",
            "OUT",
        ));
    }
    let store = load_bytes("names.txt", text.as_bytes());
    assert_eq!(count(&store, "code:AllGatewayBusy"), 2);
    assert_eq!(count(&store, "code:-69"), 1, "a name with a vendor code becomes the code");
    let rows: Vec<u32> = (0..5).collect();
    let m = cdrscope::report::summarize(&store, &rows, &cdrscope::cdr::TimeWriter::new(utc()));
    assert!(m.by_code.iter().any(|c| c.code == "AllGatewayBusy" && c.calls == 2));
    let share = |metric: &str| m.health.iter().find(|h| h.metric.contains(metric)).map(|h| h.value);
    assert_eq!(share("5xx"), Some(0.4), "AllGatewayBusy counts as 503 in the 5xx share");
    // GatewayTimeout is a network failure like 408: not effective in NER.
    assert_eq!(m.by_code.iter().find(|c| c.code == "GatewayTimeout").map(|c| c.calls), Some(1));
    assert!(share("NER").is_some_and(|n| n <= 0.6), "{:?}", share("NER"));
}

#[test]
fn duplicates_across_sources_count_once() {
    let dir = tmp();
    let (header, rows) = real_table();
    let tsv = write(dir.path(), "e_cdr.tsv", REAL_TSV);
    let gz = write(dir.path(), "e_cdr.tsv.gz", &gzip(REAL_TSV));
    let csv = write(dir.path(), "dump.csv", &csv_of_real_rows(&header, &rows));
    let l = load_paths(&[&tsv, &gz, &csv]);
    assert_real_rows(&l.store, "three copies");
    assert_eq!(l.store.duplicate_rows(), 24);
    assert_eq!(l.store.sources[1].duplicate_of, [(0, 12)]);
    assert_eq!(l.store.sources[2].duplicate_of, [(0, 12)]);
    // Never within one source: the same call twice in one file stays twice.
    let twice = [REAL_TSV, &REAL_TSV[REAL_TSV.iter().position(|b| *b == b'\n').expect("nl") + 1..]].concat();
    let store = load_bytes("twice.tsv", &twice);
    assert_eq!((store.calls(), store.duplicate_rows()), (24, 0));
    // Same flowno on two softswitches: two calls.
    let other_switch = std::str::from_utf8(REAL_TSV).expect("utf-8").replace("\tMBX3000\t", "\tMBX5000\t");
    let b = write(dir.path(), "other.tsv", other_switch.as_bytes());
    let l = load_paths(&[&tsv, &b]);
    assert_eq!((l.store.calls(), l.store.duplicate_rows()), (24, 0));
}

#[test]
fn the_hostile_time_row_costs_nothing() {
    let mut text = String::new();
    for k in 0..1000 {
        let t = format!("2026-11-20 10:{:02}:{:02}", k / 60 % 60, k % 60);
        text.push_str(&pipe_line(&format!("8610{k:04}"), &t, &t, 0, "503", "IN", "OUT"));
    }
    let mut hostile = text.clone();
    hostile.push_str(&pipe_line("86199", "9999999999999999", "9999999999999999", 0, "503", "IN", "OUT"));
    hostile.push_str(&pipe_line(
        "86198",
        "0001-01-01 00:00:00",
        "0001-01-01 00:00:00",
        0,
        "503",
        "IN",
        "OUT",
    ));
    let store = load_bytes("hostile.txt", hostile.as_bytes());
    assert_eq!((store.calls(), store.rejected_lines()), (1002, 0), "the calls are kept");
    let w = store.field_warnings();
    assert!(w.iter().any(|w| w.field == "startTime"), "{w:?}");
    let rows: Vec<u32> = (0..store.len() as u32).collect();
    let m = cdrscope::report::summarize(&store, &rows, &cdrscope::cdr::TimeWriter::new(utc()));
    assert!(m.timeline.len() <= 48, "the timeline covers the plausible calls: {} buckets", m.timeline.len());
    assert_eq!(m.timeline.iter().map(|b| b.calls).sum::<u64>(), 1000);
    // -1h counts from the newest plausible call, not from year 317,000 (which, being later,
    // is still shown: kept and warned about, never dropped).
    assert_eq!(count(&store, "since:-1h"), 1001);
    assert_eq!(count(&store, "since:-1h until:2030-01-01"), 1000);
    assert!(parse("since:+99999999999999999d").is_err());
}

#[test]
fn directories_say_what_they_skip() {
    let dir = tmp();
    let d = dir.path();
    write(d, "e_cdr_20230716.tsv", REAL_TSV);
    write(d, "e_cdr_20230716.tsv.1", REAL_TSV);
    write(d, "notes.md", b"hello");
    write(d, ".hidden.tsv", REAL_TSV);
    write(d, "old.tar.gz", &gzip(b"not really"));
    let l = load_paths(&[d]);
    assert_real_rows(&l.store, "directory");
    let why = |name: &str| {
        l.skipped
            .iter()
            .find(|s| Path::new(&s.name).file_name().is_some_and(|n| n == name))
            .map(|s| s.why.clone())
    };
    assert!(why("e_cdr_20230716.tsv.1").expect("rotated").contains("rotated"));
    assert!(why("notes.md").expect("other").contains("not named like a CDR file"));
    assert!(why(".hidden.tsv").expect("hidden").contains("hidden"));
    assert!(why("old.tar.gz").expect("tar").contains("tar archive"));
    // Named explicitly, the rotated copy is read; the tar archive is refused with a message.
    let rotated = d.join("e_cdr_20230716.tsv.1");
    let tar = d.join("old.tar.gz");
    let l = load_paths(&[&rotated, &tar]);
    assert_eq!(l.store.calls(), 12);
    assert!(l.store.sources[1].form.as_ref().expect_err("tar").contains("tar archive"));
    // A directory with no CDR file at all is an error that lists what was there.
    let empty = tempfile::tempdir().expect("dir");
    write(empty.path(), "readme.md", b"x");
    let specs = [cdrscope::cdr::SourceSpec::Path(empty.path().to_path_buf())];
    let e = cdrscope::cdr::load(&specs, &opts(), std::sync::Arc::new(cdrscope::cdr::Progress::default()))
        .expect_err("nothing to read");
    assert!(e.to_string().contains("no CDR file found") && e.to_string().contains("readme.md"), "{e}");
}

#[test]
fn sentinels_never_change_the_answer_or_the_exit_status() {
    // Old layout: the packed pdd's 0xFFFF half is "not measured".
    let store = load_bytes("old.tsv", real_row_tsv());
    assert_eq!(store.not_measured(), [("pdd", 1)]);
    assert_eq!(store.field_warnings(), []);
    assert_eq!(store.pdd_ms(0), Some(9038));
}

#[test]
fn progress_counts_decompressed_bytes() {
    let dir = tmp();
    let gz = write(dir.path(), "real.tsv.gz", &gzip(REAL_TSV));
    let progress = std::sync::Arc::new(cdrscope::cdr::Progress::default());
    let specs = [cdrscope::cdr::SourceSpec::Path(gz)];
    cdrscope::cdr::load(&specs, &opts(), progress.clone()).expect("load");
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(progress.bytes_decoded.load(Relaxed), REAL_TSV.len() as u64);
    assert!(progress.bytes_read.load(Relaxed) < REAL_TSV.len() as u64);
}
