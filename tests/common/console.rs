//! Driving the console in tests: an app over a store, the worker's answers given between keys,
//! and the screen drawn into a test backend as text.

use std::sync::Arc;

use cdrscope::cdr::{Progress, SharedStore, SourceSpec, Store};
use cdrscope::kb::{Kb, Lang};
use cdrscope::tui::state::app::App;
use cdrscope::tui::views::frame;
use cdrscope::tui::worker::{Ctx, process};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A frozen day (6,000 calls of an earlier one-day demo, with an outage, a leak and a
/// scanner): the snapshots do not change when the demo does.
pub fn demo_store() -> Store {
    let data = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/console-day.txt.gz"))
        .expect("tests/fixtures/console-day.txt.gz");
    super::load_bytes("demo", &data)
}

pub fn app_with(store: Store) -> (App, Ctx) {
    let store: SharedStore = cdrscope::cdr::store::shared::shared(store);
    let progress = Arc::new(Progress::default());
    progress.done.store(true, std::sync::atomic::Ordering::Relaxed);
    let kb = Arc::new(Kb::builtin(Lang::En).expect("kb"));
    let specs = vec![SourceSpec::Memory { name: "demo".into(), data: Arc::new(Vec::new()) }];
    let mut app = App::new(kb, super::utc(), specs, progress);
    app.show_timing = false;
    let ctx = Ctx { store: store.clone(), zone: super::utc(), now_ms: 1_800_000_000_000, db_password: None };
    app.set_store(store);
    app.loaded(Vec::new());
    settle(&mut app, &ctx);
    (app, ctx)
}

/// Answers everything the app asked for, as the worker thread would.
pub fn settle(app: &mut App, ctx: &Ctx) {
    while !app.outbox.is_empty() {
        for r in std::mem::take(&mut app.outbox) {
            let resp = process(r, ctx);
            app.apply(resp);
        }
    }
}

pub fn key(app: &mut App, ctx: &Ctx, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    settle(app, ctx);
}

pub fn typed(app: &mut App, ctx: &Ctx, text: &str) {
    for c in text.chars() {
        key(app, ctx, KeyCode::Char(c));
    }
}

pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| frame::draw(f, app)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        let mut x = 0;
        while x < w {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            // A wide character's second column is a cell of its own in the buffer.
            x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
