//! Starting the console from the command line.

use std::io::IsTerminal;

use super::args::{LoadArgs, WindowArgs};
use super::common::{specs, zone};
use super::usage;
use crate::cdr::{LoadOptions, SourceSpec};
use crate::kb::Kb;
use crate::tui::{ConsoleOptions, run as run_console};

/// The console needs a terminal to draw on; keys come from the terminal even when CDRs come
/// from standard input.
pub fn is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

pub fn run(
    args: &LoadArgs,
    window: &WindowArgs,
    lookup: Option<String>,
    follow: bool,
    feed: &super::args::FeedArgs,
) -> anyhow::Result<u8> {
    let zone = zone(args)?;
    let specs = specs(args)?;
    // Fail before taking the screen over when a path is missing.
    for s in &specs {
        if let SourceSpec::Path(p) = s
            && let Err(e) = std::fs::metadata(p)
        {
            return Err(usage(format!("cannot open {}: {e}", p.display())));
        }
    }
    let load = super::common::load_options(args, Some(window), &zone)?;
    let keep = super::common::keep(feed)?;
    let feed = super::common::feed_options(feed, &specs)?;
    // The console starts filtered to the window it was given.
    let mut filter = Vec::new();
    for (key, value) in [("since", &window.since), ("until", &window.until)] {
        if let Some(v) = value {
            crate::query::timespec::parse_time_spec(v).map_err(|e| usage(format!("--{key}: {e}")))?;
            filter.push(format!("{key}:\"{v}\""));
        }
    }
    let kb = super::common::kb(args.lang.as_deref(), args.kb.as_deref())?;
    // A database without a password from --password-file or MYSQL_PWD: ask on the screen.
    let ask_password = match (&load.db.password, specs.iter().find(|s| matches!(s, SourceSpec::Mysql(_)))) {
        (None, Some(SourceSpec::Mysql(url))) => Some(url.clone()),
        _ => None,
    };
    run_console(ConsoleOptions {
        specs,
        load,
        zone,
        kb,
        lookup,
        ask_password,
        filter: filter.join(" "),
        follow,
        feed,
        keep,
    })?;
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
        ask_password: None,
        filter: String::new(),
        follow: false,
        feed: Default::default(),
        keep: crate::cdr::ingest::live::DEFAULT_KEEP,
    })?;
    Ok(0)
}
