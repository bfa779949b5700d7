//! Errors that stop a load. Bad lines never do: they are tallied per source.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LoadError {
    // The I/O error is part of the message and deliberately not a `source`: printed with its
    // chain (`{:#}`), it would otherwise say the same thing twice.
    #[error("cannot open {}: {error}", path.display())]
    Path { path: PathBuf, error: std::io::Error },
    #[error("{0}")]
    Database(String),
    #[error("no CDR sources given")]
    NoSources,
    #[error("a worker thread failed: {0}")]
    Worker(String),
    #[error("no CDR file found:{}", list_skipped(.0))]
    NothingFound(Vec<Skipped>),
}

fn list_skipped(s: &[Skipped]) -> String {
    let mut out: String = s.iter().take(20).map(|k| format!("\n  {}: {}", k.name, k.why)).collect();
    if s.len() > 20 {
        out.push_str(&format!("\n  … and {} more", s.len() - 20));
    }
    if s.is_empty() {
        out.push_str(" the directories given hold no files");
    }
    out
}

/// A file found in a directory but not read, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub name: String,
    pub why: String,
}
