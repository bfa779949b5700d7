//! The web API's CDR JSON (`GetCdr`): records, not lines.

use std::io::Read;

use crate::cdr::formats::Format;
use crate::cdr::formats::records::{CHUNK_RECORDS, Emit, record_layout};
use crate::cdr::record::fields::{columns_from_header, header_is_cdr};
use crate::cdr::record::rows::FieldRows;

pub struct ApiJson;

impl Format for ApiJson {
    fn name(&self) -> &'static str {
        "web API JSON (GetCdr records)"
    }

    fn is_record_stream(&self, head: &[u8]) -> bool {
        looks_like_json(head)
    }

    fn read_records(&self, reader: &mut dyn Read, emit: &mut Emit<'_>) -> Result<u64, String> {
        read_json(reader, emit)
    }
}

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
    use crate::cdr::formats::detect::Layout;

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
}
