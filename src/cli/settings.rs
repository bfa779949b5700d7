//! `cdrscope config`, `cdrscope completions SHELL` and `cdrscope man`: what an operator
//! installs once on the box.

use std::fmt::Write as _;

use clap::CommandFactory;

use super::args::{Cli, CompletionsArgs, ConfigArgs, ShellArg};
use crate::config::{self, EXAMPLE};
use crate::keys::{Context, Keymap};

pub fn config(a: &ConfigArgs) -> anyhow::Result<u8> {
    if a.example {
        super::out(EXAMPLE)?;
        return Ok(0);
    }
    let c = config::current();
    if a.keys {
        let map = Keymap::with_overrides(&c.keys).map_err(|(_, m)| super::usage(m))?;
        let mut out = String::new();
        for ctx in Context::ALL {
            let _ = writeln!(out, "{}", ctx.title());
            for b in map.in_context(ctx) {
                let _ = writeln!(out, "  {:<18} {:<16} {}", b.action.name(), b.keys.join(" "), b.help);
            }
        }
        out.push_str("Ctrl-C quits anywhere.\n");
        super::out(&out)?;
        return Ok(0);
    }
    let where_ = match (&c.path, config::Config::default_path()) {
        (Some(p), _) => format!("read from {}\n", p.display()),
        (None, Some(p)) => {
            format!("none read; the default location is {} (cdrscope config --example)\n", p.display())
        }
        (None, None) => "none read (no home directory)\n".to_string(),
    };
    super::out(&where_)?;
    Ok(0)
}

pub fn completions(a: &CompletionsArgs) -> anyhow::Result<u8> {
    let shell = match a.shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cdrscope", &mut buf);
    super::out(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}

pub fn man() -> anyhow::Result<u8> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    super::out(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}
