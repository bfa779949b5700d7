//! The 12 real production calls (tests/fixtures/real/) and what they hold, counted by hand
//! from the rows (see tests/fixtures/SOURCES.md): every form they can take must give the same.

use cdrscope::cdr::{Store, TimeWriter};
use cdrscope::report::summarize;

pub const REAL_TSV: &[u8] = include_bytes!("../fixtures/real/e_cdr_2023-07-16_12rows.tsv");
pub const FORWARDED_ROW: &[u8] = include_bytes!("../fixtures/real/realtime_forwarded_row.csv");
pub const API_RECORD: &[u8] = include_bytes!("../fixtures/real/api_getcdr_record.json");

/// The real rows as (header, rows) of text; `NULL` kept as written.
pub fn real_table() -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(REAL_TSV).expect("utf-8");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split('\t').map(str::to_string).collect();
    let rows = lines.filter(|l| !l.is_empty()).map(|l| l.split('\t').map(str::to_string).collect()).collect();
    (header, rows)
}

/// Checks a store holding the 12 real calls, whatever form they came in.
/// `full` is false for forms that carry only some columns (the API's JSON).
pub fn assert_real_rows(store: &Store, form: &str) {
    let rows: Vec<u32> = (0..store.len() as u32).filter(|&r| !store.is_duplicate(r as usize)).collect();
    let m = summarize(store, &rows, &TimeWriter::new(super::utc()));
    assert_eq!(m.rows, 12, "{form}: all 12 calls load");
    assert_eq!(m.rejected_lines, 0, "{form}: nothing rejected");
    assert_eq!(m.answered, 1, "{form}: one answered call (flowno 518507253, 85 s)");
    assert!((m.acd_seconds - 85.0).abs() < 0.01, "{form}: ACD {}", m.acd_seconds);
    let gw: Vec<(String, u64, u64)> =
        m.by_callee_gateway.iter().map(|g| (g.gateway.clone(), g.calls, g.answered)).collect();
    assert_eq!(
        gw,
        [
            ("P_YX--C_Coastnet--Indo Mob TK_NCLI".to_string(), 6, 0),
            ("P_Loud Voice---C_IMC--Algeria Mobilis NCLI".to_string(), 2, 1),
            ("P_Maple--C_Libya Provider--Morocco Mobile  NCLI".to_string(), 2, 0),
            (String::new(), 1, 0),
            ("P_MMDSmart--C_Bharti--DR fix-- CLI".to_string(), 1, 0),
        ],
        "{form}: per callee gateway"
    );
    let coastnet = &m.by_callee_gateway[0];
    assert_eq!(coastnet.top_codes[0].code, "503");
    assert_eq!(coastnet.top_codes[0].calls, 6);
    let codes: Vec<(String, u64)> = m.by_code.iter().map(|c| (c.code.clone(), c.calls)).collect();
    assert_eq!(codes, [("503".to_string(), 9), ("-7".to_string(), 2), ("-69".to_string(), 1)], "{form}");
    // -1 is "not measured": 11 calls, never a PDD of 0 or a rejected line. The caller side
    // was measured on 11 calls (the -69 call has 0): their mean is the PDD.
    let pdd = m.pdd_avg_ms.expect("pdd");
    assert!((pdd - 13_270.0 / 11.0).abs() < 0.5, "{form}: PDD {pdd}");
}

/// Checks the columns only full layouts carry: Reason headers, accounts, sentinels.
pub fn assert_real_extras(store: &Store, form: &str) {
    let rows: Vec<u32> = (0..store.len() as u32).filter(|&r| !store.is_duplicate(r as usize)).collect();
    let m = summarize(store, &rows, &TimeWriter::new(super::utc()));
    let hdr: Vec<(String, u64)> = m.by_reason_header.iter().map(|h| (h.header.clone(), h.calls)).collect();
    assert_eq!(
        hdr,
        [
            ("Q.850 34".to_string(), 2),
            ("Q.850 16".to_string(), 1),
            ("SIP 487".to_string(), 1),
            ("SIP 503".to_string(), 1)
        ],
        "{form}"
    );
    let acc: Vec<(String, u64)> = m.by_account.iter().map(|a| (a.account.clone(), a.calls)).collect();
    assert_eq!(
        acc,
        [
            ("C_Coastnet Communication Ltd".to_string(), 6),
            ("C_IMC Limited".to_string(), 3),
            ("C_Libya Provider".to_string(), 2),
            ("C_Bharti Airtel".to_string(), 1)
        ],
        "{form}"
    );
    let nm: Vec<(&str, u64)> = m.not_measured.iter().map(|n| (n.field, n.count)).collect();
    assert!(nm.contains(&("calleePdd", 11)), "{form}: {nm:?}");
    assert!(nm.contains(&("calleeType", 1)), "{form}: {nm:?}");
}
