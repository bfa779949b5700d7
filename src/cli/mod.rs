//! The command line: `summary`, `export`, `check`, and (for now) the summary when no
//! subcommand is given. Errors here are `anyhow`; exit status 2 for usage errors and
//! unreadable paths, 1 when `check` finds rejected lines.

mod args;
mod argv;
mod check;
mod common;
mod console;
mod export;
mod follow;
mod lookup;
mod progress;
mod settings;
mod summary;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use args::Command;
/// An entry as `cdrscope lookup` prints it (the console presents the same parts).
pub use lookup::render_entry as lookup_render;

/// Exit status for a wrong invocation or an unreadable path.
pub const EXIT_USAGE: u8 = 2;

/// An error that ends the program with a given status.
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// Writes to standard output; a closed pipe (`| head`) ends the output quietly instead of
/// panicking as `println!` would.
pub fn out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Exit { code: EXIT_USAGE, message: message.into() })
}

pub fn run() -> ExitCode {
    let cli = Cli::parse_from(argv::subcommand_first(std::env::args_os().collect()));
    // The config file first: a mistake in it is a usage error naming its line.
    match crate::config::Config::load(cli.config.as_deref()) {
        Ok(mut c) => {
            if cli.no_mouse {
                c.mouse = Some(false);
            }
            crate::stats::thresholds::set(c.thresholds);
            crate::config::set(c);
        }
        Err(e) => {
            eprintln!("cdrscope: config: {}", crate::text::sanitize(&e.to_string()));
            return ExitCode::from(EXIT_USAGE);
        }
    }
    let result = match cli.command {
        Some(Command::Summary(a)) => summary::run(&a),
        Some(Command::Export(a)) => export::run(&a),
        Some(Command::Check(a)) => check::run(&a),
        Some(Command::Follow(a)) => follow::run(&a),
        Some(Command::Lookup(a)) => lookup::run(&a),
        Some(Command::Config(a)) => settings::config(&a),
        Some(Command::Completions(a)) => settings::completions(&a),
        Some(Command::Man) => settings::man(),
        None => summary::run_default(&cli.load, &cli.window, !cli.no_follow, &cli.feed),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = e.downcast_ref::<Exit>().map_or(1, |x| x.code);
            // Ended by a signal: the shell's convention, 128 + the signal.
            let code = match e.downcast_ref::<crate::tui::Ended>() {
                Some(crate::tui::Ended::Signal(n)) => u8::try_from(128 + n).unwrap_or(1),
                _ => code,
            };
            let code = match e.downcast_ref::<crate::cdr::LoadError>() {
                Some(
                    crate::cdr::LoadError::Path { .. }
                    | crate::cdr::LoadError::NoSources
                    | crate::cdr::LoadError::NothingFound(_)
                    | crate::cdr::LoadError::Database(_),
                ) => EXIT_USAGE,
                _ => code,
            };
            // Line by line: the message's own line breaks (a filter error's caret line) are
            // kept; anything else that is a control character is shown escaped.
            let msg = format!("{e:#}");
            for (k, line) in msg.lines().enumerate() {
                if k == 0 {
                    eprintln!("cdrscope: {}", crate::text::sanitize(line));
                } else {
                    eprintln!("{}", crate::text::sanitize(line));
                }
            }
            ExitCode::from(code)
        }
    }
}
