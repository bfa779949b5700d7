//! Standard input read on a thread of its own, so what a pipe sent is passed on when it goes
//! quiet instead of waiting for a full block.

use crossbeam_channel::bounded;
use std::io::Read;
use std::time::Duration;

/// How long a trickling input may be quiet before what it sent is passed on.
pub(crate) const TRICKLE_WAIT: Duration = Duration::from_millis(300);

/// Standard input read on a thread of its own, so the loader can pass on what arrived when
/// the pipe goes quiet instead of waiting for a full block: a pause reads as `TimedOut`.
pub(crate) struct Trickle {
    pub(crate) rx: crossbeam_channel::Receiver<std::io::Result<Vec<u8>>>,
    pub(crate) pending: std::io::Cursor<Vec<u8>>,
}

impl Trickle {
    pub(crate) fn stdin() -> Trickle {
        let (tx, rx) = bounded(16);
        // Detached: a read blocked on a terminal must not hold up the exit.
        let _ = std::thread::Builder::new().name("stdin".into()).spawn(move || {
            let mut input = std::io::stdin().lock();
            loop {
                let mut chunk = vec![0u8; 256 << 10];
                match input.read(&mut chunk) {
                    Ok(0) => {
                        let _ = tx.send(Ok(Vec::new()));
                        return;
                    }
                    Ok(n) => {
                        chunk.truncate(n);
                        if tx.send(Ok(chunk)).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        Trickle { rx, pending: std::io::Cursor::new(Vec::new()) }
    }
}

impl Read for Trickle {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.position() < self.pending.get_ref().len() as u64 {
            return self.pending.read(out);
        }
        match self.rx.recv_timeout(TRICKLE_WAIT) {
            Ok(Ok(chunk)) if chunk.is_empty() => Ok(0),
            Ok(Ok(chunk)) => {
                self.pending = std::io::Cursor::new(chunk);
                self.pending.read(out)
            }
            Ok(Err(e)) => Err(e),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "no input for a moment"))
            }
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => Ok(0),
        }
    }
}

/// Standard input as a source: rows from a pipe are shown within a second of arriving, not
/// per block.
#[derive(Debug, Clone, Copy)]
pub struct Stdin;

impl crate::cdr::sources::source::Source for Stdin {
    fn open(&self, read: &mut dyn FnMut(crate::cdr::sources::source::Opened<'_>)) -> Result<(), String> {
        read(crate::cdr::sources::source::Opened::Bytes { reader: Box::new(Trickle::stdin()), grows: false });
        Ok(())
    }
}
