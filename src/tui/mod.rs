//! The full-screen console. It depends on the core (`cdr`, `kb`, `query`, `stats`) and adds no
//! logic the command line could not share: state and updates in `app`, drawing in `ui` and
//! `view/`, keys as data in `keymap`, heavy work off the screen thread in `worker`.
//!
//! The terminal is restored on quit, on error and on panic (ratatui's hook restores it before
//! the panic message is printed).

pub mod app;
pub mod keymap;
pub mod theme;
pub mod ui;
pub mod view;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;

use crate::cdr::{LoadOptions, Progress, SourceSpec, Zone};
use crate::kb::Kb;
use app::{App, View};

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
}

/// Runs the console until the operator quits.
pub fn run(opts: ConsoleOptions) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let mut terminal = ratatui::try_init()?;
        let result = event_loop(&mut terminal, opts).await;
        ratatui::restore();
        result
    })
}

async fn event_loop(terminal: &mut ratatui::DefaultTerminal, opts: ConsoleOptions) -> anyhow::Result<()> {
    let progress = Arc::new(Progress::default());
    let mut app = App::new(Arc::new(opts.kb), opts.zone.clone(), opts.specs.clone(), progress.clone());
    // The config file's keys (checked when it was read) and colours (NO_COLOR still wins).
    let config = crate::config::current();
    app.keymap = keymap::Keymap::with_overrides(&config.keys).unwrap_or_default();
    if config.colours == Some(false) {
        app.theme = theme::Theme { color: false };
    }
    app.filter = opts.filter.clone();
    if let Some(q) = opts.lookup {
        app.view = View::Lookup;
        app.lookup.input = q;
        app.refresh_lookup();
    }
    // Load behind the screen, into a store the worker reads as rows arrive.
    let (load_tx, mut load_rx) =
        tokio::sync::mpsc::unbounded_channel::<Result<Vec<crate::cdr::source::Skipped>, String>>();
    let (resp_tx, mut resp_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut worker: Option<std::sync::mpsc::Sender<worker::Request>> = None;
    let mut load_opts = opts.load.clone();
    let start = |app: &mut App,
                 load_opts: &LoadOptions,
                 worker: &mut Option<std::sync::mpsc::Sender<worker::Request>>| {
        let shared: crate::cdr::SharedStore = Arc::new(std::sync::RwLock::new(crate::cdr::Store::default()));
        let (specs, lo, p, s, tx) =
            (opts.specs.clone(), load_opts.clone(), progress.clone(), shared.clone(), load_tx.clone());
        p.done.store(false, std::sync::atomic::Ordering::Relaxed);
        std::thread::spawn(move || {
            let r = crate::cdr::load_into(&specs, &lo, p.clone(), &s).map_err(|e| e.to_string());
            p.done.store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = tx.send(r);
        });
        let (wtx, wrx) = std::sync::mpsc::channel();
        let now_ms = crate::cdr::time::now_ms();
        worker::spawn(
            worker::Ctx { store: shared.clone(), zone: opts.zone.clone(), now_ms },
            wrx,
            resp_tx.clone(),
        );
        *worker = Some(wtx);
        app.load_error = None;
        app.set_store(shared);
    };
    match &opts.ask_password {
        Some(url) => app.ask_password(url, None),
        None if !opts.specs.is_empty() => start(&mut app, &load_opts, &mut worker),
        None => {}
    }
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut ticks = 0u64;
    terminal.draw(|f| ui::draw(f, &mut app))?;
    app.dirty = false;
    // Lets the terminal tests prove the screen is restored after a panic; debug builds only.
    #[cfg(debug_assertions)]
    if std::env::var_os("CDRSCOPE_TEST_PANIC").is_some() {
        panic!("panic requested by CDRSCOPE_TEST_PANIC");
    }
    loop {
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => app.handle_key(k),
                Some(Ok(Event::Resize(_, _))) => app.dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(loaded) = load_rx.recv() => {
                match loaded {
                    Ok(skipped) => app.loaded(skipped),
                    // A refused password is asked for again.
                    Err(e) if e.contains("access denied") && opts.ask_password.is_some() => {
                        app.store = None;
                        app.ask_password(opts.ask_password.as_deref().unwrap_or_default(), Some(e));
                    }
                    Err(e) => app.load_error = Some(e),
                }
                app.dirty = true;
            },
            Some(resp) = resp_rx.recv() => app.apply(resp),
            _ = tick.tick() => {
                // Only loading changes the screen by itself; an idle screen is not redrawn.
                if app.is_loading() {
                    app.dirty = true;
                    ticks += 1;
                    if ticks.is_multiple_of(4) {
                        app.refresh_while_loading();
                    }
                }
            },
        }
        if let Some(pw) = app.password.take() {
            load_opts.db.password = (!pw.is_empty()).then_some(pw);
            start(&mut app, &load_opts, &mut worker);
        }
        if let Some(w) = &worker {
            for r in app.outbox.drain(..) {
                let _ = w.send(r);
            }
        }
        if app.quit {
            break;
        }
        if app.dirty {
            terminal.draw(|f| ui::draw(f, &mut app))?;
            app.dirty = false;
        }
    }
    Ok(())
}
