//! The block parser on small inputs: every reject reason, odd fields kept, headers, pending
//! tails, bad UTF-8.

use super::*;
use crate::cdr::record::time::Zone;
use crate::cdr::store::columns::NO_SMALL;

fn parse(text: &str, layout: &Layout) -> Batch {
    let block = Block {
        source: 0,
        seq: 0,
        first_line: 1,
        data: text.as_bytes().to_vec(),
        rows: Default::default(),
        skip_header: layout.has_header(),
        ends_source: true,
        tail_is_pending: false,
        too_long: None,
        lines: memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64,
    };
    parse_block(&block, layout, &TimeReader::new(Zone::parse("UTC").expect("utc")))
}

#[test]
fn old_pdd_halves() {
    assert_eq!(unpack_pdd((1200 << 16) | 30_005), (1200, 5000));
    // The real sample row: 592379903 = 0x234E_FFFF.
    assert_eq!(unpack_pdd(592_379_903), (9038, NO_PDD));
}

#[test]
fn every_reject_reason_is_reported_with_its_line() {
    let ok = "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1";
    let lines = [
        ok.to_string(),
        "1|2|3".to_string(),
        ok.replace("2026-11-20 10:00:00|2026-11-20 10:00:30", "yesterday|today"),
        ok.replace("2026-11-20 10:00:00|2026-11-20 10:00:30", "0|0"),
        ok.replace("2026-11-20 10:00:00|2026-11-20 10:00:30", "|tomorrow"),
        format!("{ok}|\"open"),
    ];
    let b = parse(&(lines.join("\n") + "\n"), &Layout::positional_pipe());
    assert_eq!(b.tally.rows, 1);
    assert_eq!(b.tally.rejected, 5);
    let got: Vec<String> = b.tally.samples.iter().map(|r| format!("{}: {}", r.line, r.reason)).collect();
    let expect = [
        "2: 3 fields; a VOS3000 text CDR has at least 17 (17 or 19)",
        "3: startTime is not a time: 'yesterday'",
        "4: no start or stop time",
        "5: stopTime is not a time: 'tomorrow'",
        "6: a quoted value is not closed",
    ];
    assert_eq!(got, expect);
}

/// One odd field never costs the call: it becomes unknown and is counted per field.
#[test]
fn odd_fields_are_warnings_and_the_call_is_kept() {
    let ok = "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1|300|400";
    let lines = [
        ok.replace("2026-11-20 10:00:00|", "yesterday|"),
        ok.replace("10:00:30", "09:00:00"),
        ok.replace("20000", "12.5"),
        ok.replace("20000", "99999999999"),
        ok.replace("|1|A|", "|x|A|"),
        ok.replace("|1|A|", "|300|A|"),
        ok.replace("|300|400", "|-1|-1"),
        ok.replace("|300|400", "|-5|abc"),
        ok.replace("2026-11-20 10:00:00|", "9999999999999999|"),
        ok.replace("|1|2|1|2|0|1|", "|1|1.00206285364032E+017|1|2|0|1|"),
    ];
    let b = parse(&(lines.join("\n") + "\n"), &Layout::positional_pipe());
    assert_eq!((b.tally.rows, b.tally.rejected), (10, 0));
    let w = &b.tally.notes.warnings;
    let seen: Vec<(&str, u64, &str, u64)> =
        w.iter().map(|(f, x)| (*f, x.count, x.why, x.first_line)).collect();
    assert_eq!(
        seen,
        [
            ("calleeAccessE164", 1, why::SCIENTIFIC, 10),
            ("calleePdd", 1, why::NOT_A_NUMBER, 8),
            ("callerPdd", 1, why::OUT_OF_RANGE, 8),
            ("endDirection", 2, why::NOT_A_NUMBER, 5),
            ("holdTime", 2, why::NOT_A_NUMBER, 3),
            ("startTime", 2, why::NOT_A_TIME, 1),
            ("stopTime", 1, why::STOP_BEFORE_START, 2),
        ]
    );
    assert_eq!(w["endDirection"].example, "x");
    assert_eq!(w["holdTime"].example, "12.5");
    // The sentinels are not warnings.
    assert_eq!(b.tally.notes.not_measured.get("callerPdd"), Some(&1));
    assert_eq!(b.tally.notes.not_measured.get("calleePdd"), Some(&1));
    // Unknown values read as absent, never as 0.
    assert_eq!(b.cols.caller_pdd_ms[6], NO_PDD);
    assert_eq!(b.cols.end_direction[4], NO_SMALL);
    assert_eq!(b.cols.hold_raw[2], 0);
    // A bad start: the call is placed at its stop; an implausible one likewise.
    assert_eq!(b.cols.span_ms[0], 0);
    assert_eq!(b.cols.span_ms[8], 0);
    assert_eq!(b.cols.start_ms[8], b.cols.start_ms[0]);
    assert_eq!(b.cols.span_ms[1], NO_STOP);
}

#[test]
fn header_layout_reasons() {
    let layout =
        crate::cdr::formats::detect::detect(b"starttime,stoptime,endreason,callere164\n").expect("csv");
    let text = "starttime,stoptime,endreason,callere164\n\
                2026-11-20 10:00:00,2026-11-20 10:00:30,-8,1\n\
                2026-11-20 10:00:00,-8,1\n\
                2026-01-01 10:00:00,2026-03-01 10:00:00,-8,1\n";
    let b = parse(text, &layout);
    assert_eq!(b.tally.rows, 2);
    let got: Vec<String> = b.tally.samples.iter().map(|r| format!("{}: {}", r.line, r.reason)).collect();
    assert_eq!(got, ["3: 3 fields where the header has 4"]);
    assert_eq!(b.tally.notes.warnings["stopTime"].why, why::SPAN_TOO_LONG);
}

#[test]
fn too_many_distinct_end_reasons_keep_the_calls() {
    let mut text = String::new();
    for i in 0..70_000 {
        text.push_str(&format!(
            "1|2|2026-11-20 10:00:00|2026-11-20 10:00:00|0|Reason{i}|1|A|B|1|2|1|2|1|2|0|1\n"
        ));
    }
    let b = parse(&text, &Layout::positional_pipe());
    // 65,536 ids, one of them the empty reason; the rest are kept with no reason.
    assert_eq!(b.tally.rows, 70_000);
    assert_eq!(b.tally.notes.warnings["endReason"].count, 70_000 - 65_535);
}

#[test]
fn header_rows_blank_lines_and_crlf() {
    let text = "callerE164|calleeE164|startTime|stopTime|holdTime|endReason|endDirection|callerGatewayId|calleeGatewayId|callerIp|calleeIp|callerAccessE164|calleeAccessE164|callerToGatewayE164|calleeToGatewayE164|calleeBilling|billingMode\r\n\r\n1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\r\n";
    let b = parse(text, &Layout::positional_pipe());
    assert_eq!((b.tally.rows, b.tally.headers, b.tally.blank, b.tally.rejected), (1, 1, 1, 0));
    assert_eq!(b.cols.line(0), 3);
}

#[test]
fn pending_tail() {
    let ok = "1|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1";
    let block = Block {
        source: 0,
        seq: 0,
        first_line: 1,
        data: format!("{ok}\n{ok}").into_bytes(),
        rows: Default::default(),
        skip_header: false,
        ends_source: true,
        tail_is_pending: true,
        too_long: None,
        lines: 0,
    };
    let b =
        parse_block(&block, &Layout::positional_pipe(), &TimeReader::new(Zone::parse("UTC").expect("utc")));
    assert_eq!((b.tally.rows, b.tally.pending, b.tally.rejected), (1, 1, 0));
}

#[test]
fn invalid_utf8_is_kept_and_counted() {
    let line =
        b"1\xff\xfe|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|-8|1|A|B|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n"
            .to_vec();
    let block = Block {
        source: 0,
        seq: 0,
        first_line: 1,
        data: line,
        rows: Default::default(),
        skip_header: false,
        ends_source: true,
        tail_is_pending: false,
        too_long: None,
        lines: 0,
    };
    let b =
        parse_block(&block, &Layout::positional_pipe(), &TimeReader::new(Zone::parse("UTC").expect("utc")));
    assert_eq!(b.tally.rows, 1);
    assert!(b.tally.repaired_utf8 >= 1);
    assert_eq!(b.cols.caller[0].to_string(&b.pools.numbers), "1\u{fffd}\u{fffd}");
}
