//! Forms made of records rather than lines: spreadsheets (`.xlsx`, as operators save them from
//! the client or re-export them) and the web API's JSON (`GetCdr`). Both become chunks of
//! split rows with a header layout, parsed by the same code as database rows. Locations count
//! records: a sheet's row number, a JSON record's ordinal.

use std::io::Read;
use std::path::Path;

use crate::cdr::formats::detect::{Delimiter, Layout};
use crate::cdr::record::fields::{Column, columns_from_header, header_is_cdr};
use crate::cdr::record::rows::FieldRows;

/// Records handed on per chunk.
pub const CHUNK_RECORDS: usize = 8192;

fn record_layout(columns: Vec<Column>) -> Layout {
    Layout {
        delimiter: Delimiter::Tab,
        columns: Some(columns),
        mysql_escapes: false,
        database: true,
        positional: false,
        min_fields: 0,
    }
}

/// Receives chunks: the layout, the rows, the number of the first row's record; returns false
/// to stop (cancelled).
pub type Emit<'a> = dyn FnMut(Layout, FieldRows, u64) -> bool + 'a;

// ---- spreadsheets ----

/// Reads the first sheet of a workbook: its header row (the first non-empty one) names the
/// columns; every later row is a record. Returns the sheet's name.
pub fn read_xlsx(path: &Path, emit: &mut Emit<'_>) -> Result<String, String> {
    use calamine::Reader as _;
    let mut wb =
        calamine::open_workbook_auto(path).map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let name = wb.sheet_names().first().cloned().ok_or("the workbook has no sheet")?;
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(format!("sheet {name}: {e}")),
        None => return Err("the workbook has no sheet".into()),
    };
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut rows = range.rows().enumerate();
    let header = loop {
        let Some((k, row)) = rows.next() else {
            return Err(format!("sheet {name} is empty"));
        };
        if row.iter().any(|c| !matches!(c, calamine::Data::Empty)) {
            break (k, row.iter().map(cell_text).map(Option::unwrap_or_default).collect::<Vec<_>>());
        }
    };
    let columns = columns_from_header(header.1.iter().map(String::as_str));
    if !header_is_cdr(&columns) {
        return Err(format!(
            "sheet {name} has no header naming CDR columns in its first row ({}): a sheet needs columns such as startTime/起始时间 and callerE164/主叫号码",
            header.1.iter().take(6).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let width = columns.len();
    let layout = record_layout(columns);
    let mut chunk = FieldRows::default();
    let mut chunk_first = 0u64;
    for (k, row) in rows {
        if chunk.is_empty() {
            chunk_first = first_row + k as u64;
        }
        let cells: Vec<String> = row.iter().take(width).map(|c| cell_text(c).unwrap_or_default()).collect();
        chunk.push(cells.iter().map(String::as_bytes).chain(std::iter::repeat(&b""[..])).take(width));
        if chunk.len() == CHUNK_RECORDS && !emit(layout.clone(), std::mem::take(&mut chunk), chunk_first) {
            return Ok(name);
        }
    }
    let _ = header.0;
    if !chunk.is_empty() {
        emit(layout, chunk, chunk_first);
    }
    Ok(name)
}

/// A cell as CDR text. Whole numbers print without a fraction; numbers of 16 digits or more
/// are beyond what a spreadsheet keeps, so they print as Excel shows them (`1.00206285364032E+17`)
/// and the parser warns that their digits are gone. Dates become local date-times.
fn cell_text(c: &calamine::Data) -> Option<String> {
    use calamine::Data;
    match c {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(if *b { "1" } else { "0" }.into()),
        Data::Float(f) => Some(float_text(*f)),
        Data::DateTime(d) => Some(excel_datetime(d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(_) => None,
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else if f.abs() >= 1e15 {
        // Excel's own rendering: 15 significant digits.
        let s = format!("{f:.14E}");
        let (mantissa, exp) = s.split_once('E').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exp: i32 = exp.parse().unwrap_or(0);
        format!("{mantissa}E{}{exp:02}", if exp < 0 { "-" } else { "+" }).replace("E+-", "E-")
    } else {
        f.to_string()
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD HH:MM:SS`.
fn excel_datetime(serial: f64) -> String {
    let secs = ((serial - 25_569.0) * 86_400.0).round();
    let secs = if secs.is_finite() { secs as i64 } else { 0 };
    let (y, m, d) = crate::cdr::record::time::civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", t / 3600, t % 3600 / 60, t % 60)
}

// ---- web API JSON ----

/// Reads the web API's CDR JSON: `{"infoCdrs":[...]}` (any key holding a list of records), a
/// bare list of records, or one record per line (JSON lines). Field names are the API's
/// camelCase ones. Records are streamed top-level value by value.
pub fn read_json(reader: impl Read, emit: &mut Emit<'_>) -> Result<u64, String> {
    let values = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader))
        .into_iter::<serde_json::Value>();
    let mut acc = JsonChunker { records: Vec::new(), next: 1, seen_cdr: false, emitted: 0 };
    for v in values {
        let v = v.map_err(|e| format!("not valid JSON after record {}: {e}", acc.next - 1))?;
        match v {
            serde_json::Value::Array(items) => {
                for item in items {
                    acc.push(item, emit)?;
                }
            }
            serde_json::Value::Object(map) => {
                // An answer wrapping its records in a list (`infoCdrs`), or one record.
                let list = map.iter().find(|(_, v)| {
                    v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(serde_json::Value::is_object))
                });
                match list.map(|(k, _)| k.clone()) {
                    Some(key) => {
                        let mut map = map;
                        if let Some(serde_json::Value::Array(items)) = map.remove(&key) {
                            for item in items {
                                acc.push(item, emit)?;
                            }
                        }
                    }
                    None => acc.push(serde_json::Value::Object(map), emit)?,
                }
            }
            other => {
                return Err(format!(
                    "JSON of another shape: a {} where CDR records were expected ({{\"infoCdrs\":[...]}}, a list of records, or one record per line)",
                    kind(&other)
                ));
            }
        }
    }
    acc.flush(emit)?;
    Ok(acc.emitted)
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "object",
    }
}

struct JsonChunker {
    records: Vec<serde_json::Map<String, serde_json::Value>>,
    next: u64,
    seen_cdr: bool,
    emitted: u64,
}

impl JsonChunker {
    fn push(&mut self, v: serde_json::Value, emit: &mut Emit<'_>) -> Result<(), String> {
        match v {
            serde_json::Value::Object(m) => self.records.push(m),
            other => {
                return Err(format!(
                    "JSON of another shape: record {} is a {}, not an object with CDR fields",
                    self.next,
                    kind(&other)
                ));
            }
        }
        self.next += 1;
        if self.records.len() >= CHUNK_RECORDS {
            self.flush(emit)?;
        }
        Ok(())
    }

    /// Hands on the records gathered so far, with the union of their keys as the layout.
    fn flush(&mut self, emit: &mut Emit<'_>) -> Result<(), String> {
        if self.records.is_empty() {
            return Ok(());
        }
        let mut keys: Vec<String> = Vec::new();
        for r in &self.records {
            for k in r.keys() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
        let columns = columns_from_header(keys.iter().map(String::as_str));
        if !self.seen_cdr && !header_is_cdr(&columns) {
            return Err(format!(
                "JSON of another shape: its records have no CDR fields (a start or stop time and a number or end reason); keys: {}",
                keys.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        self.seen_cdr = true;
        let n = self.records.len() as u64;
        let first = self.next - n;
        let mut rows = FieldRows::with_capacity(self.records.len());
        for r in self.records.drain(..) {
            for k in &keys {
                rows.push_field(r.get(k).and_then(json_text).unwrap_or_default().as_bytes());
            }
            rows.end_row();
        }
        self.emitted += n;
        if emit(record_layout(columns), rows, first) { Ok(()) } else { Err("cancelled".into()) }
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(if *b { "1" } else { "0" }.into()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// True when the start of a stream looks like JSON (after blanks and a BOM).
pub fn looks_like_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    matches!(head.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_json(text: &str) -> Result<Vec<(Layout, FieldRows, u64)>, String> {
        let mut got = Vec::new();
        read_json(text.as_bytes(), &mut |l, r, f| {
            got.push((l, r, f));
            true
        })?;
        Ok(got)
    }

    #[test]
    fn api_shapes() {
        let rec = r#"{"flowNo":1,"callerE164":"100","start":1760922383500,"stop":1760922383500,"holdTime":0,"endReason":503}"#;
        for text in
            [format!("{{\"infoCdrs\":[{rec},{rec}]}}"), format!("[{rec},{rec}]"), format!("{rec}\n{rec}\n")]
        {
            let got = collect_json(&text).expect("json");
            assert_eq!(got.iter().map(|c| c.1.len()).sum::<usize>(), 2, "{text}");
            assert_eq!(got[0].2, 1);
        }
        let e = collect_json("[1,2]").expect_err("shape");
        assert!(e.contains("another shape"), "{e}");
        let e = collect_json(r#"{"retCode":0,"exception":"x"}"#).expect_err("no cdr fields");
        assert!(e.contains("no CDR fields"), "{e}");
        let e = collect_json(&format!("[{rec},")).expect_err("cut");
        assert!(e.contains("not valid JSON"), "{e}");
        assert!(looks_like_json(b"\xEF\xBB\xBF  {\"a\":1}"));
        assert!(!looks_like_json(b"callerE164,calleeE164"));
    }

    #[test]
    fn spreadsheet_numbers() {
        assert_eq!(float_text(601123061045.0), "601123061045");
        assert_eq!(float_text(100206285364032000.0), "1.00206285364032E+17");
        assert_eq!(float_text(0.5), "0.5");
        assert_eq!(excel_datetime(45123.5), "2023-07-16 12:00:00");
    }
}
