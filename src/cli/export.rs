//! `cdrscope export`: the selected calls in another form. Never writes over a source file,
//! and never over any existing file without --force.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context as _;

use super::args::{ExportArgs, ExportFormat};
use super::common::{Session, load, query, select, with_path};
use super::usage;
use crate::cdr::fields::PIPE_FIELDS;
use crate::cdr::{Record, SourceSpec, Store, TimeWriter};

pub fn run(a: &ExportArgs) -> anyhow::Result<u8> {
    let q = query(&a.filter)?;
    if let Some(out) = &a.output {
        refuse_sources(out, &super::common::specs(&a.load)?)?;
        if out.exists() && !a.force {
            return Err(usage(format!("{} exists; use --force to replace it", out.display())));
        }
    }
    let s = load(&a.load, Some(&a.filter.window))?;
    let rows = select(&s, &q);
    match &a.output {
        Some(path) => {
            let file = with_path(std::fs::File::create(path), "cannot create", path)?;
            let mut w = BufWriter::new(file);
            write(&s, &rows, a.format, &mut w)?;
            with_path(w.flush(), "cannot write", path)?;
            eprintln!("wrote {} calls to {}", crate::text::thousands(rows.len() as u64), path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            match write(&s, &rows, a.format, &mut w).and_then(|()| w.flush().map_err(Into::into)) {
                Ok(()) => {}
                // A closed pipe (`| head`) is a normal end.
                Err(e) if is_broken_pipe(&e) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(0)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(|ce| matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}

/// The same file, even through links or relative paths.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn refuse_sources(out: &Path, specs: &[SourceSpec]) -> anyhow::Result<()> {
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
            return Err(usage(format!(
                "refusing to write {}: it is a source or inside a source directory ({}); choose another path",
                out.display(),
                p.display()
            )));
        }
    }
    Ok(())
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

/// Field values in [`header`] order, times in the zone's local time, holdTime in ms.
fn values(r: &Record, tw: &TimeWriter) -> Vec<String> {
    let mut v = vec![
        r.caller.clone(),
        r.callee.clone(),
        tw.format(r.start_ms),
        r.stop_ms.map(|t| tw.format(t)).unwrap_or_default(),
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

pub fn write(s: &Session, rows: &[u32], format: ExportFormat, w: &mut dyn Write) -> anyhow::Result<()> {
    let tw = TimeWriter::new(s.zone.clone());
    let head = header(&s.store);
    match format {
        ExportFormat::Json => {
            w.write_all(b"[")?;
            for (n, &r) in rows.iter().enumerate() {
                let rec = s.store.record(r as usize);
                let mut obj = serde_json::Map::new();
                for (k, v) in head.iter().zip(values(&rec, &tw)) {
                    let val = match v.parse::<i64>() {
                        Ok(i) if k != "callerE164" && k != "calleeE164" && !k.contains("E164") => {
                            serde_json::Value::from(i)
                        }
                        _ if v.is_empty() => serde_json::Value::Null,
                        _ => serde_json::Value::from(v),
                    };
                    obj.insert(k.clone(), val);
                }
                w.write_all(if n == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *w, &obj)?;
            }
            w.write_all(b"\n]\n")?;
        }
        ExportFormat::Csv | ExportFormat::Tsv | ExportFormat::Pipe => {
            let delim = match format {
                ExportFormat::Tsv => b'\t',
                ExportFormat::Pipe => b'|',
                _ => b',',
            };
            let mut cw = csv::WriterBuilder::new().delimiter(delim).flexible(true).from_writer(w);
            if format != ExportFormat::Pipe {
                cw.write_record(&head)?;
            }
            for &r in rows {
                let rec = s.store.record(r as usize);
                let mut v = values(&rec, &tw);
                if format == ExportFormat::Pipe {
                    v.truncate(PIPE_FIELDS.len());
                }
                cw.write_record(&v).context("writing a row")?;
            }
            cw.flush()?;
        }
    }
    Ok(())
}
