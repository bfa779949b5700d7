//! Writing calls out: CSV or TSV with a header, the VOS3000 text form, or JSON. Shared by
//! `cdrscope export` and the console's export key.

use std::io::Write;
use std::path::Path;

use thiserror::Error;

use crate::cdr::record::fields::PIPE_FIELDS;
use crate::cdr::record::time::{TimeWriter, Zone};
use crate::cdr::sources::spec::SourceSpec;
use crate::cdr::store::table::{Record, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    /// VOS3000 text-file form: 19 `|`-separated fields, no header.
    Pipe,
    Json,
}

impl Format {
    /// From a file name: .tsv, .json, .txt (pipe), else CSV.
    pub fn from_path(p: &std::path::Path) -> Format {
        match p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("tsv") => Format::Tsv,
            Some("json") => Format::Json,
            Some("txt") => Format::Pipe,
            _ => Format::Csv,
        }
    }
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl ExportError {
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            ExportError::Io(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
            ExportError::Csv(e) => {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            }
            ExportError::Json(e) => e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe),
        }
    }
}

/// Column names of the export: the 19 VOS3000 text fields, then callLevel, flowno and the
/// extra columns the sources had.
fn header(store: &Store) -> Vec<String> {
    let mut h: Vec<String> = PIPE_FIELDS.iter().map(|f| f.pipe_name().to_string()).collect();
    h.push("callLevel".into());
    h.push("flowno".into());
    h.extend(store.cols.extras.iter().map(|e| e.name.clone()));
    h
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Field values in [`header`] order, times in the zone's local time (with milliseconds when
/// there are any), holdTime in ms.
fn values(r: &Record, tw: &TimeWriter) -> Vec<String> {
    let mut v = vec![
        r.caller.clone(),
        r.callee.clone(),
        tw.format_exact(r.start_ms),
        r.stop_ms.map(|t| tw.format_exact(t)).unwrap_or_default(),
        r.hold_ms.to_string(),
        r.reason.to_string(),
        opt(r.end_direction),
        r.caller_gateway.clone(),
        r.callee_gateway.clone(),
        r.caller_ip.clone(),
        r.callee_ip.clone(),
        r.caller_access.clone(),
        r.callee_access.clone(),
        r.caller_to_gateway.clone(),
        r.callee_to_gateway.clone(),
        opt(r.callee_billing),
        opt(r.billing_mode),
        opt(r.caller_pdd_ms),
        opt(r.callee_pdd_ms),
        opt(r.call_level),
        opt(r.flowno),
    ];
    v.extend(r.extras.iter().map(|(_, x)| x.clone()));
    v
}

/// The column names of an export of this store, in order.
pub fn columns(store: &Store) -> Vec<String> {
    header(store)
}

/// One call as the JSON object `export --format json` writes (`head` from [`columns`]).
pub fn json_object(
    head: &[String],
    rec: &Record,
    tw: &TimeWriter,
) -> serde_json::Map<String, serde_json::Value> {
    let mut obj = serde_json::Map::new();
    for (k, v) in head.iter().zip(values(rec, tw)) {
        let val = match v.parse::<i64>() {
            Ok(i) if !k.contains("E164") => serde_json::Value::from(i),
            _ if v.is_empty() => serde_json::Value::Null,
            _ => serde_json::Value::from(v),
        };
        obj.insert(k.clone(), val);
    }
    obj
}

/// Writes the rows. `to_terminal`: control characters and escape sequences from the data are
/// written escaped, as the console shows them (raw bytes go only to files and pipes).
pub fn write(
    store: &Store,
    zone: &Zone,
    rows: &[u32],
    format: Format,
    w: &mut dyn Write,
    to_terminal: bool,
) -> Result<(), ExportError> {
    let tw = TimeWriter::new(zone.clone());
    let head = header(store);
    let safe = |mut v: Vec<String>| {
        if to_terminal {
            for x in &mut v {
                if let std::borrow::Cow::Owned(o) = crate::text::sanitize(x) {
                    *x = o;
                }
            }
        }
        v
    };
    match format {
        Format::Json => {
            w.write_all(b"[")?;
            for (n, &r) in rows.iter().enumerate() {
                let obj = json_object(&head, &store.record(r as usize), &tw);
                w.write_all(if n == 0 { b"\n" } else { b",\n" })?;
                w.write_all(json_safe(&serde_json::to_string(&obj)?).as_bytes())?;
            }
            w.write_all(b"\n]\n")?;
        }
        // `mysql -B`'s own form: tabs, no quoting, backslash escapes; it reads back unchanged.
        Format::Tsv => {
            let mut line = String::new();
            let mut put = |w: &mut dyn Write, v: &[String]| -> std::io::Result<()> {
                line.clear();
                for (k, x) in v.iter().enumerate() {
                    if k > 0 {
                        line.push('\t');
                    }
                    mysql_escape(x, &mut line);
                }
                line.push('\n');
                w.write_all(line.as_bytes())
            };
            put(w, &safe(head.clone()))?;
            for &r in rows {
                put(w, &safe(values(&store.record(r as usize), &tw)))?;
            }
        }
        Format::Csv | Format::Pipe => {
            let delim = if format == Format::Pipe { b'|' } else { b',' };
            let mut cw = csv::WriterBuilder::new().delimiter(delim).flexible(true).from_writer(w);
            if format != Format::Pipe {
                cw.write_record(safe(head.clone()))?;
            }
            for &r in rows {
                let rec = store.record(r as usize);
                let mut v = safe(values(&rec, &tw));
                if format == Format::Pipe {
                    // The VOS3000 text form has whole seconds.
                    v[2] = tw.format(rec.start_ms);
                    v[3] = rec.stop_ms.map(|t| tw.format(t)).unwrap_or_default();
                    v.truncate(PIPE_FIELDS.len());
                }
                cw.write_record(&v)?;
            }
            cw.flush()?;
        }
    }
    Ok(())
}

/// A value as `mysql -B` writes it: `\\`, `\t`, `\n`, `\r`, `\0` escaped.
fn mysql_escape(v: &str, out: &mut String) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
}

/// JSON text with the characters that can fool a terminal or a reader (C0 and C1 controls,
/// bidirectional overrides, line separators) as `\uXXXX`. They never occur in JSON's own
/// syntax, only inside strings, so replacing them anywhere is safe.
pub fn json_safe(json: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !json.chars().any(bad) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The same file, even through hard links, symbolic links or relative paths: the same device
/// and inode.
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Refuses an output path that is a source, or lies inside a source directory.
pub fn check_target(out: &Path, specs: &[SourceSpec]) -> Result<(), String> {
    for spec in specs {
        let SourceSpec::Path(p) = spec else { continue };
        let hit = if p.is_dir() {
            // Any file inside a source directory may be a CDR file read now or later.
            match (
                std::fs::canonicalize(p),
                out.parent()
                    .map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d })
                    .map(std::fs::canonicalize),
            ) {
                (Ok(dir), Some(Ok(parent))) => parent.starts_with(&dir),
                _ => false,
            }
        } else {
            same_file(out, p)
        };
        if hit {
            return Err(format!(
                "refusing to write {}: it is a source or inside a source directory ({}); choose another path",
                out.display(),
                p.display()
            ));
        }
    }
    Ok(())
}
