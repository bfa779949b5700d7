//! Errors that stop a load. Bad lines never do: they are tallied per source.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot open {}: {source}", path.display())]
    Path { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Database(String),
    #[error("no CDR sources given")]
    NoSources,
    #[error("a worker thread failed: {0}")]
    Worker(String),
}
