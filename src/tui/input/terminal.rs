//! Terminal events, read on a thread of their own and handed to the event loop in order.
//!
//! Why not crossterm's `EventStream`: its default source waits on the terminal with
//! edge-triggered readiness and reads one 1 KiB block per wake-up, so when a burst of input
//! (an unbracketed paste: one key per character) is larger than that, the rest stays unread in
//! the terminal until the next key is typed. The `/dev/tty` source (crossterm's `use-dev-tty`)
//! waits level-triggered; read from a blocking thread it never leaves input behind, and the
//! loop can take every event already read before it draws once.

use crossterm::event::Event;
use tokio::sync::mpsc;

/// Events read ahead of the loop at most; the reading thread waits when the loop is behind, so
/// memory stays bounded whatever is pasted.
const QUEUE: usize = 4096;

/// The receiving end: what the terminal sent, in order. Closed when reading failed (the error
/// is its last item).
pub(crate) type Events = mpsc::Receiver<std::io::Result<Event>>;

/// Starts the reading thread. It ends with the process, or when reading fails, or when the
/// loop has dropped its end.
pub(crate) fn spawn() -> std::io::Result<Events> {
    let (tx, rx) = mpsc::channel(QUEUE);
    std::thread::Builder::new().name("terminal-input".into()).spawn(move || {
        loop {
            let ev = crossterm::event::read();
            let failed = ev.is_err();
            if tx.blocking_send(ev).is_err() || failed {
                break;
            }
        }
    })?;
    Ok(rx)
}
