//! Progress on standard error while a load runs, only when it is a terminal and the load is
//! slow enough to need it.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::cdr::Progress;

/// Starts the reporter; it stops by itself when the load sets `done`.
pub fn spawn(progress: Arc<Progress>) -> Option<std::thread::JoinHandle<()>> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    Some(std::thread::spawn(move || {
        let start = Instant::now();
        let mut shown = false;
        while !progress.done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            if start.elapsed() < Duration::from_millis(500) {
                continue;
            }
            let rows = progress.rows.load(Ordering::Relaxed);
            let mb = progress.bytes_read.load(Ordering::Relaxed) as f64 / 1e6;
            let total = progress.bytes_total.load(Ordering::Relaxed) as f64 / 1e6;
            let secs = start.elapsed().as_secs_f64();
            let mut err = std::io::stderr().lock();
            let files = progress.files_total.load(Ordering::Relaxed);
            // The file being read, counting from 1.
            let current = (progress.files_done.load(Ordering::Relaxed) + 1).min(files);
            // Database tables have no size known in advance.
            let mut size = if total > 0.0 { format!(", {mb:.1}/{total:.1} MB") } else { String::new() };
            let decoded = progress.bytes_decoded.load(Ordering::Relaxed);
            if decoded > 0 {
                size.push_str(&format!(", {:.1} MB decompressed", decoded as f64 / 1e6));
            }
            let _ = write!(
                err,
                "\r\x1b[Kloading: source {current}/{files}{size}, {} rows ({} rows/s)",
                crate::text::thousands(rows),
                crate::text::thousands((rows as f64 / secs.max(0.001)) as u64)
            );
            let _ = err.flush();
            shown = true;
        }
        if shown {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }))
}
