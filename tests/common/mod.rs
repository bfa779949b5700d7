//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod console;
pub mod real;
pub mod tmux;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cdrscope::cdr::{LoadOptions, Loaded, Progress, SourceSpec, Store, Zone, load};

/// The real row of VOS3000's real-time forwarding, as one datagram carries it.
pub const REAL_FORWARDED: &str = include_str!("../fixtures/real/realtime_forwarded_row.csv");

/// The real forwarded row with another flowno and callee, ended at `at` (epoch ms; the row
/// is unanswered: start and stop the same) or at its own time.
pub fn forwarded(flowno: u64, callee: &str, at: Option<i64>) -> String {
    let row =
        REAL_FORWARDED.trim().replace("5166923438", &flowno.to_string()).replace("S0099966507944325", callee);
    match at {
        Some(t) => row.replace("1469683084946", &t.to_string()),
        None => row,
    }
}

pub fn utc() -> Zone {
    Zone::parse("UTC").expect("UTC parses")
}

pub fn opts() -> LoadOptions {
    LoadOptions { zone: utc(), ..LoadOptions::default() }
}

pub fn load_paths(paths: &[&Path]) -> Loaded {
    load_with(paths, &opts())
}

pub fn load_with(paths: &[&Path], opts: &LoadOptions) -> Loaded {
    let specs: Vec<SourceSpec> = paths.iter().map(|p| SourceSpec::Path(p.to_path_buf())).collect();
    load(&specs, opts, Arc::new(Progress::default())).expect("load succeeds")
}

pub fn load_bytes(name: &str, data: &[u8]) -> Store {
    let specs = vec![SourceSpec::Memory { name: name.into(), data: Arc::new(data.to_vec()) }];
    load(&specs, &opts(), Arc::new(Progress::default())).expect("load succeeds").store
}

pub fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write test file");
    p
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip finish")
}

/// Two generated days with one gateway outage (CT-Route-2, 14:00 to 15:00 UTC on
/// 2026-11-21), as text lines: what the live tests append to watch it fire.
pub fn outage_days() -> Vec<String> {
    use cdrscope::cdr::sources::demo::{Incident, Incidents, Spec, write};
    let spec =
        Spec { rows: 40_000, days: 2, seed: 7, with_pdd: true, incidents: Incidents::only(Incident::Outage) };
    let mut out = Vec::new();
    write(spec, &mut out).expect("generate");
    String::from_utf8(out).expect("utf-8").lines().map(|l| format!("{l}\n")).collect()
}

/// The start time field of a text line (`2026-11-21 14:00:00`), comparable as text.
pub fn line_start(line: &str) -> &str {
    line.split('|').nth(2).unwrap_or_default()
}

pub fn real_row_tsv() -> &'static [u8] {
    include_bytes!("../fixtures/e_cdr_20210429_vos3000_2140.tsv")
}

/// A 19-field text line.
pub fn pipe_line(
    caller: &str,
    start: &str,
    stop: &str,
    hold: u64,
    reason: &str,
    in_gw: &str,
    out_gw: &str,
) -> String {
    format!(
        "{caller}|8613800138000|{start}|{stop}|{hold}|{reason}|1|{in_gw}|{out_gw}|10.0.0.1|10.0.0.2|{caller}|008613800138000|{caller}|8613800138000|0|1|2300|1800\n"
    )
}

/// The 63 column names of the current `e_cdr` layout, in DDL order.
pub const CURRENT_COLUMNS: [&str; 63] = [
    "id",
    "callere164",
    "calleraccesse164",
    "calleee164",
    "calleeaccesse164",
    "callerip",
    "callerrtpip",
    "callercodec",
    "callergatewayid",
    "callerproductid",
    "callertogatewaye164",
    "callertype",
    "calleeip",
    "calleertpip",
    "calleecodec",
    "calleegatewayid",
    "calleeproductid",
    "calleetogatewaye164",
    "calleetype",
    "billingmode",
    "calllevel",
    "agentfeetime",
    "starttime",
    "stoptime",
    "callerpdd",
    "calleepdd",
    "holdtime",
    "callerareacode",
    "feetime",
    "fee",
    "tax",
    "suitefee",
    "suitefeetime",
    "incomefee",
    "incometax",
    "customeraccount",
    "customername",
    "calleeareacode",
    "agentfee",
    "agenttax",
    "agentsuitefee",
    "agentsuitefeetime",
    "agentaccount",
    "agentname",
    "flowno",
    "softswitchname",
    "softswitchcallid",
    "callercallid",
    "calleroriginalcallid",
    "calleecallid",
    "calleroriginalinfo",
    "rtpforward",
    "enddirection",
    "endreason",
    "billingtype",
    "cdrlevel",
    "agentcdr_id",
    "sipreasonheader",
    "recordstarttime",
    "transactionid",
    "flownofirst",
    "additional",
    "dynamicValue",
];

/// One row of the current layout as `mysql -B` would print it.
pub fn current_row(flowno: u64, start_ms: i64, hold_s: u64, reason: i32, callee_gw: &str) -> String {
    CURRENT_COLUMNS
        .iter()
        .map(|c| match *c {
            "callere164" | "calleraccesse164" | "callertogatewaye164" => "13800138000".to_string(),
            "calleee164" | "calleeaccesse164" | "calleetogatewaye164" => "0086139000".to_string(),
            "callergatewayid" => "CUST-1".into(),
            "calleegatewayid" => callee_gw.into(),
            "callerip" => "203.0.113.5".into(),
            "calleeip" => "100.64.0.9".into(),
            "starttime" => start_ms.to_string(),
            "stoptime" => (start_ms + hold_s as i64 * 1000 + 4000).to_string(),
            "holdtime" => hold_s.to_string(),
            "callerpdd" => "2100".into(),
            "calleepdd" => "1900".into(),
            "endreason" => reason.to_string(),
            "enddirection" => "1".into(),
            "billingmode" => "1".into(),
            "calllevel" => "5".into(),
            "flowno" => flowno.to_string(),
            "sipreasonheader" => "Q.850;cause=16".into(),
            "softswitchname" => "VOS|node\\t1".into(),
            "additional" => "NULL".into(),
            _ => "0".into(),
        })
        .collect::<Vec<_>>()
        .join("\t")
        + "\n"
}

pub fn current_dump(rows: &[String]) -> Vec<u8> {
    let mut s = CURRENT_COLUMNS.join("\t");
    s.push('\n');
    for r in rows {
        s.push_str(r);
    }
    s.into_bytes()
}
