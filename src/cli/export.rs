//! `cdrscope export`: the selected calls in another form. Never writes over a source file,
//! and never over any existing file without --force.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::args::{ExportArgs, ExportFormat};
use super::common::{load, query, select, with_path};
use super::usage;
use crate::cdr::SourceSpec;
use crate::cdr::export::{Format, write};

pub fn run(a: &ExportArgs) -> anyhow::Result<u8> {
    let q = query(&a.filter)?;
    if let Some(out) = &a.output {
        refuse_sources(out, &super::common::specs(&a.load)?)?;
        if out.exists() && !a.force {
            return Err(usage(format!("{} exists; use --force to replace it", out.display())));
        }
        // Said before loading anything: a mistyped directory is a usage error (exit 2).
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(usage(format!(
                "cannot write {}: the directory {} does not exist",
                out.display(),
                dir.display()
            )));
        }
    }
    let s = load(&a.load, Some(&a.filter.window), &a.bound)?;
    let rows = select(&s, &q);
    match &a.output {
        Some(path) => {
            let file = with_path(std::fs::File::create(path), "cannot create", path)?;
            let mut w = BufWriter::new(file);
            write(&s.store, &s.zone, &rows, format(a.format), &mut w, false)?;
            with_path(w.flush(), "cannot write", path)?;
            eprintln!("wrote {} calls to {}", crate::text::thousands(rows.len() as u64), path.display());
        }
        None => {
            let stdout = std::io::stdout();
            // On a terminal the data's escape sequences would act: show them escaped.
            let to_terminal = std::io::IsTerminal::is_terminal(&stdout);
            let mut w = BufWriter::new(stdout.lock());
            match write(&s.store, &s.zone, &rows, format(a.format), &mut w, to_terminal)
                .and_then(|()| w.flush().map_err(Into::into))
            {
                Ok(()) => {}
                // A closed pipe (`| head`) is a normal end.
                Err(e) if e.is_broken_pipe() => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(0)
}

fn format(f: ExportFormat) -> Format {
    match f {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Tsv => Format::Tsv,
        ExportFormat::Pipe => Format::Pipe,
        ExportFormat::Json => Format::Json,
    }
}

fn refuse_sources(out: &Path, specs: &[SourceSpec]) -> anyhow::Result<()> {
    crate::cdr::export::check_target(out, specs).map_err(usage)
}
