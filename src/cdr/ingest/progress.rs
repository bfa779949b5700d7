//! Counters of a load in progress, readable from any thread: bytes read and decoded, rows,
//! inputs done. Progress displays read them while the loader runs.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Live counters for progress displays; readable from any thread while loading.
#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    /// Bytes read from disk (compressed bytes for gzip).
    pub bytes_read: AtomicU64,
    /// Total size of the inputs whose size is known.
    pub bytes_total: AtomicU64,
    /// Bytes out of decompressors (gzip, bzip2, xz, zstd): what a compressed input amounts to.
    pub bytes_decoded: AtomicU64,
    pub rows: AtomicU64,
    pub rejected: AtomicU64,
    pub cancel: AtomicBool,
    pub done: AtomicBool,
}

/// Counts bytes as they are read: from disk (`decoded` false), or out of a decompressor.
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) progress: Arc<Progress>,
    pub(crate) decoded: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let counter = if self.decoded { &self.progress.bytes_decoded } else { &self.progress.bytes_read };
        counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
