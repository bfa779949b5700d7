//! Starting the console from the command line.

use std::io::IsTerminal;

use super::args::LoadArgs;
use super::common::{specs, zone};
use super::usage;
use crate::cdr::{LoadOptions, SourceSpec};
use crate::kb::{Kb, Lang};
use crate::tui::{ConsoleOptions, run as run_console};

/// The console needs a terminal to draw on; keys come from the terminal even when CDRs come
/// from standard input.
pub fn is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

pub fn run(args: &LoadArgs, lookup: Option<String>) -> anyhow::Result<u8> {
    let zone = zone(args)?;
    let specs = specs(args)?;
    // Fail before taking the screen over when a path is missing.
    for s in &specs {
        if let SourceSpec::Path(p) = s {
            if let Err(e) = std::fs::metadata(p) {
                return Err(usage(format!("cannot open {}: {e}", p.display())));
            }
        }
    }
    let load = super::common::load_options(args, None, &zone)?;
    let kb = Kb::load(Lang::from_env(), Kb::user_file_path().as_deref()).map_err(|e| usage(e.to_string()))?;
    run_console(ConsoleOptions { specs, load, zone, kb, lookup })?;
    Ok(0)
}

pub fn run_lookup(kb: Kb) -> anyhow::Result<u8> {
    let zone = crate::cdr::Zone::Local;
    run_console(ConsoleOptions {
        specs: Vec::new(),
        load: LoadOptions::default(),
        zone,
        kb,
        lookup: Some(String::new()),
    })?;
    Ok(0)
}
