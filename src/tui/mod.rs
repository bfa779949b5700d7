//! The full-screen console. It depends on the core (`cdr`, `kb`, `query`, `stats`) and adds no
//! logic the command line could not share: `state` (the App, no drawing), `input` (keys,
//! mouse and news into state changes), `views` (drawing from state), `keymap` (the key table
//! as data), and `worker` (queries off the screen thread). See ARCHITECTURE.md.
//!
//! The terminal is restored on quit, on error and on panic (ratatui's hook restores it before
//! the panic message is printed).

pub mod guard;
pub mod input;
pub mod state;
pub mod theme;
pub mod views;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};

use crate::cdr::{LoadOptions, Progress, SourceSpec, Zone};
use crate::kb::Kb;
use state::app::{App, View};

/// What the console is started with.
pub struct ConsoleOptions {
    pub specs: Vec<SourceSpec>,
    pub load: LoadOptions,
    pub zone: Zone,
    pub kb: Kb,
    /// Start in the lookup view (with no CDRs when `specs` is empty).
    pub lookup: Option<String>,
    /// Ask for the password of this database before loading (none was given otherwise).
    pub ask_password: Option<String>,
    /// The filter to start with (from `--since/--until`).
    pub filter: String,
    /// Go on reading the sources after the first reading (growing files, stdin, the feed).
    pub follow: bool,
    /// For `udp://` sources.
    pub feed: crate::cdr::sources::feed::FeedOptions,
    /// While following: the calls of this last stretch of time are kept.
    pub keep: Duration,
}

/// How the console ended, when not by the operator's `q`.
#[derive(Debug, thiserror::Error)]
pub enum Ended {
    #[error("ended by signal {0}")]
    Signal(i32),
    #[error("the worker thread failed: {0}")]
    WorkerPanic(String),
}

/// Runs the console until the operator quits. The terminal is restored on every way out: quit,
/// error, a signal that ends the process, a panic on any thread.
pub fn run(opts: ConsoleOptions) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let mut terminal = guard::init(crate::config::current().mouse != Some(false))?;
        let result = event_loop(&mut terminal, opts).await;
        guard::restore();
        result
    })
}

/// After a resume the screen holds whatever the shell left: clear it and make the next frame
/// paint every cell (ratatui's own `clear` asks the terminal for the cursor position, which
/// the event reader would swallow).
fn repaint(terminal: &mut ratatui::DefaultTerminal) -> std::io::Result<()> {
    crossterm::execute!(std::io::stdout(), crossterm::terminal::Clear(crossterm::terminal::ClearType::All))?;
    terminal.draw(|f| f.render_widget(ratatui::widgets::Clear, f.area()))?;
    Ok(())
}

async fn event_loop(terminal: &mut ratatui::DefaultTerminal, opts: ConsoleOptions) -> anyhow::Result<()> {
    let progress = Arc::new(Progress::default());
    let mut app = App::new(Arc::new(opts.kb), opts.zone.clone(), opts.specs.clone(), progress.clone());
    // The config file's keys (checked when it was read) and colours (NO_COLOR still wins).
    let config = crate::config::current();
    app.keymap = crate::keys::Keymap::with_overrides(&config.keys).unwrap_or_default();
    if config.colours == Some(false) {
        app.theme = theme::Theme { color: false };
    }
    app.filter = opts.filter.clone();
    // The filter history and saved filters of earlier runs.
    app.load_state(state::saved::default_path());
    if let Some(q) = opts.lookup {
        app.view = View::Lookup;
        app.lookup.cursor = q.len();
        app.lookup.input = q;
        app.refresh_lookup();
    }
    // Load (and follow) behind the screen: the ingest thread publishes snapshots the worker
    // and the screen read as rows arrive, and tells what happened through its events.
    let (resp_tx, mut resp_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut worker: Option<std::sync::mpsc::Sender<worker::Request>> = None;
    let mut ingest: Option<crate::cdr::ingest::live::Ingest> = None;
    let mut load_opts = opts.load.clone();
    let start = |app: &mut App,
                 load_opts: &LoadOptions,
                 worker: &mut Option<std::sync::mpsc::Sender<worker::Request>>,
                 ingest: &mut Option<crate::cdr::ingest::live::Ingest>| {
        // Each load its own counters: an earlier one (a refused password) being dropped
        // cancels only itself.
        let progress = Arc::new(Progress::default());
        app.progress = progress.clone();
        let io = crate::cdr::ingest::live::IngestOptions {
            load: load_opts.clone(),
            follow: opts.follow,
            feed: opts.feed.clone(),
            keep: Some(opts.keep),
            ..Default::default()
        };
        let started = crate::cdr::ingest::live::spawn(opts.specs.clone(), io, progress.clone());
        let shared = started.store.clone();
        *ingest = Some(started);
        let (wtx, wrx) = std::sync::mpsc::channel();
        let now_ms = crate::cdr::record::time::now_ms();
        worker::spawn(
            worker::Ctx {
                store: shared.clone(),
                zone: opts.zone.clone(),
                now_ms,
                db_password: load_opts.db.password.clone(),
            },
            wrx,
            resp_tx.clone(),
        );
        *worker = Some(wtx);
        app.load_error = None;
        app.set_store(shared);
    };
    // A database is tried first as it is (a server may let this user in without a password,
    // or ~/.my.cnf holds one); the password is asked for when the server refuses.
    if !opts.specs.is_empty() {
        start(&mut app, &load_opts, &mut worker, &mut ingest);
    }
    let mut events = input::terminal::spawn()?;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut ticks = 0u64;
    terminal.draw(|f| views::frame::draw(f, &mut app))?;
    app.dirty = false;
    // Lets the terminal tests prove the screen is restored after a panic; debug builds only.
    if guard::test_panic() == Some(guard::TestPanic::Ui) {
        panic!("panic requested by CDRSCOPE_TEST_PANIC");
    }
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigtstp = signal(SignalKind::from_raw(signal_hook::consts::SIGTSTP))?;
    loop {
        tokio::select! {
            ev = events.recv() => {
                let mut next = ev;
                let mut taken = 0usize;
                // Every event already read is handled before one draw: an unbracketed paste
                // arrives as thousands of keys at once, and a frame per key made a 100 kB
                // paste take minutes. Bounded, so the screen still moves meanwhile.
                loop {
                    match next {
                        Some(Ok(ev)) => {
                            if on_event(&mut app, ev, terminal)? {
                                break;
                            }
                        }
                        Some(Err(e)) => return Err(e.into()),
                        None => return Ok(()),
                    }
                    taken += 1;
                    if taken >= DRAIN_MAX || app.quit {
                        break;
                    }
                    match events.try_recv() {
                        Ok(ev) => next = Some(ev),
                        Err(_) => break,
                    }
                }
                coalesce(&mut app.outbox);
            },
            _ = sigterm.recv() => return Err(Ended::Signal(signal_hook::consts::SIGTERM).into()),
            _ = sigint.recv() => return Err(Ended::Signal(signal_hook::consts::SIGINT).into()),
            _ = sighup.recv() => return Err(Ended::Signal(signal_hook::consts::SIGHUP).into()),
            _ = sigtstp.recv() => {
                guard::suspend()?;
                repaint(terminal)?;
                app.dirty = true;
            },
            Some(resp) = resp_rx.recv() => {
                if let worker::Response::Failed(why) = resp {
                    return Err(Ended::WorkerPanic(why).into());
                }
                app.apply(resp)
            },
            _ = tick.tick() => {
                if let Some(ing) = &ingest {
                    while let Ok(ev) = ing.events.try_recv() {
                        if let crate::cdr::ingest::live::Event::Loaded(Err(e)) = &ev
                            && e.contains("access denied")
                            && opts.ask_password.is_some()
                        {
                            // A refused password is asked for again.
                            app.store = None;
                            app.ask_password(opts.ask_password.as_deref().unwrap_or_default(), Some(e.clone()));
                            continue;
                        }
                        app.ingest_event(ev);
                    }
                }
                // Findings over rows that arrived since they were last looked for.
                app.findings_due();
                // Only loading and following change the screen by themselves; an idle
                // screen is not redrawn.
                if app.is_loading() {
                    app.dirty = true;
                    ticks += 1;
                    if ticks.is_multiple_of(4) {
                        app.refresh_while_loading();
                    }
                } else if app.live.is_some() {
                    ticks += 1;
                    // The age of the newest call and the rate move on their own.
                    if ticks.is_multiple_of(4) {
                        app.dirty = true;
                    }
                }
            },
        }
        if let Some(pw) = app.password.take() {
            load_opts.db.password = (!pw.is_empty()).then_some(pw);
            start(&mut app, &load_opts, &mut worker, &mut ingest);
        }
        if let Some(seq) = app.copy.take() {
            use std::io::Write;
            let mut out = std::io::stdout();
            out.write_all(seq.as_bytes())?;
            out.flush()?;
        }
        app.want_whole_record();
        if let Some(w) = &worker {
            for r in app.outbox.drain(..) {
                let _ = w.send(r);
            }
        }
        if app.quit {
            break;
        }
        if app.dirty {
            terminal.draw(|f| views::frame::draw(f, &mut app))?;
            app.dirty = false;
        }
    }
    Ok(())
}

/// Events handled at most between two draws.
const DRAIN_MAX: usize = 2048;

/// One terminal event. Returns true when the loop should stop taking waiting events (the
/// terminal was suspended and repainted).
fn on_event(app: &mut App, ev: Event, terminal: &mut ratatui::DefaultTerminal) -> anyhow::Result<bool> {
    match ev {
        // Ctrl-Z arrives as a key in raw mode: suspend as the shell would.
        Event::Key(k)
            if k.kind != KeyEventKind::Release
                && k.modifiers.contains(crossterm::event::KeyModifiers::CONTROL)
                && k.code == crossterm::event::KeyCode::Char('z') =>
        {
            guard::suspend()?;
            repaint(terminal)?;
            app.dirty = true;
            return Ok(true);
        }
        Event::Key(k) if k.kind != KeyEventKind::Release => app.handle_key(k),
        Event::Paste(text) => app.paste(&text),
        Event::Mouse(m) => app.mouse(m),
        Event::Resize(_, _) => app.dirty = true,
        _ => {}
    }
    Ok(false)
}

/// Of the live counts asked while many keys were taken at once, only the last matters: the
/// worker answers only the newest generation anyway.
fn coalesce(outbox: &mut Vec<worker::Request>) {
    let last = outbox.iter().rposition(|r| matches!(r, worker::Request::Count { .. }));
    if let Some(last) = last {
        let mut k = 0usize;
        outbox.retain(|r| {
            let keep = !matches!(r, worker::Request::Count { .. }) || k == last;
            k += 1;
            keep
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use worker::{Request, Sort, SortKey};

    fn count(generation: u64) -> Request {
        Request::Count { generation, text: format!("code:{generation}") }
    }

    #[test]
    fn only_the_last_count_is_kept_and_the_rest_stays_in_order() {
        let query = |generation| Request::Query {
            generation,
            text: String::new(),
            sort: Sort { key: SortKey::Time, descending: true },
            board: false,
        };
        let mut outbox = vec![count(1), query(7), count(2), count(3), query(8)];
        coalesce(&mut outbox);
        let seen: Vec<String> = outbox
            .iter()
            .map(|r| match r {
                Request::Count { generation, .. } => format!("count {generation}"),
                Request::Query { generation, .. } => format!("query {generation}"),
                _ => "other".into(),
            })
            .collect();
        assert_eq!(seen, ["query 7", "count 3", "query 8"]);
        let mut none = vec![query(1)];
        coalesce(&mut none);
        assert_eq!(none.len(), 1);
    }
}
