//! Keeping the terminal whole whatever happens: a panic on any thread, a signal that ends the
//! process, a suspend (Ctrl-Z, SIGTSTP). The screen thread owns the terminal; a panic on a
//! background thread is caught there and reported to it instead of printed over the screen.

use std::io::Write;
use std::sync::Mutex;

use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};

/// Whether the console asked for mouse events (taken again after a suspend).
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Which thread panics when `CDRSCOPE_TEST_PANIC` asks (tests only; debug builds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestPanic {
    Loader,
    Worker,
    Ui,
}

/// `CDRSCOPE_TEST_PANIC=loader|worker|ui` (`1` means ui). Release builds ignore it.
pub fn test_panic() -> Option<TestPanic> {
    if !cfg!(debug_assertions) {
        return None;
    }
    match std::env::var("CDRSCOPE_TEST_PANIC").ok()?.as_str() {
        "loader" => Some(TestPanic::Loader),
        "worker" => Some(TestPanic::Worker),
        "ui" | "1" => Some(TestPanic::Ui),
        _ => None,
    }
}

/// The message of a panic payload.
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    crate::cdr::ingest::live::panic_message(p)
}

static UI_THREAD: Mutex<Option<std::thread::ThreadId>> = Mutex::new(None);

/// Takes the terminal over: raw mode, the alternate screen, bracketed paste; installs the
/// panic hook. The hook restores the terminal before printing only for a panic on the screen
/// thread; other threads' panics are caught where they run and reported to it.
pub fn init(mouse: bool) -> std::io::Result<ratatui::DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    if let Ok(mut t) = UI_THREAD.lock() {
        *t = Some(std::thread::current().id());
    }
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_ui = UI_THREAD.lock().ok().and_then(|t| *t) == Some(std::thread::current().id());
        if on_ui {
            let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste, DisableMouseCapture);
            // ratatui's hook restores the terminal, then prints the message.
            ratatui_hook(info);
        }
    }));
    crossterm::execute!(std::io::stdout(), EnableBracketedPaste)?;
    MOUSE.store(mouse, Ordering::Relaxed);
    if mouse {
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    Ok(terminal)
}

/// Gives the terminal back: cooked mode, the main screen, the cursor, no bracketed paste.
pub fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    let _ = std::io::stdout().flush();
    if let Ok(mut t) = UI_THREAD.lock() {
        *t = None;
    }
}

/// Suspends the process as Ctrl-Z would in a shell: gives the terminal back, stops, and on
/// SIGCONT takes it again (the caller redraws).
pub fn suspend() -> std::io::Result<()> {
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    let _ = std::io::stdout().flush();
    // SIGSTOP cannot be caught: this returns when the shell sends SIGCONT.
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::cursor::Hide,
        EnableBracketedPaste
    )?;
    if MOUSE.load(Ordering::Relaxed) {
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}
