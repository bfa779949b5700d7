//! Options typed before the subcommand. The console's own options (sources, `--tz`, `--since`,
//! ...) sit at the top level, and clap lets either top-level arguments or a subcommand be
//! used, not both: `cdrscope --tz Asia/Shanghai summary --demo` would read `summary` as a file
//! to open. Operators type options first out of habit, so options that come before the
//! subcommand's name are moved after it, where the subcommand reads them (or says it has no
//! such option).

use std::ffi::OsString;

use clap::CommandFactory;

use crate::cli::args::Cli;

/// `args` with the options before the subcommand moved after its name; unchanged when no
/// subcommand is named, when a source comes first, or after `--`.
pub fn subcommand_first(args: Vec<OsString>) -> Vec<OsString> {
    let cmd = Cli::command();
    let is_subcommand = |a: &str| a == "help" || cmd.get_subcommands().any(|s| s.get_name() == a);
    // Top-level options that take a value: their value is skipped, whatever it looks like
    // (`--since -2h`).
    let takes_value = |a: &str| {
        cmd.get_arguments().any(|arg| {
            arg.get_action().takes_values()
                && (arg.get_long().is_some_and(|l| a.strip_prefix("--") == Some(l))
                    || arg
                        .get_short()
                        .is_some_and(|s| a.strip_prefix('-') == Some(s.encode_utf8(&mut [0; 4]))))
        })
    };
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        let Some(a) = arg.to_str() else { return args };
        if is_subcommand(a) {
            if i == 1 {
                return args;
            }
            let mut out = Vec::with_capacity(args.len());
            out.push(args[0].clone());
            out.push(args[i].clone());
            out.extend(args[1..i].iter().cloned());
            out.extend(args[i + 1..].iter().cloned());
            return out;
        }
        // A source or `--`: what follows is not a subcommand.
        if a == "--" || a == "-" || !a.starts_with('-') {
            return args;
        }
        i += if !a.contains('=') && takes_value(a) { 2 } else { 1 };
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(line: &str) -> String {
        let args = line.split(' ').map(OsString::from).collect();
        subcommand_first(args).iter().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn options_before_the_subcommand_go_after_it() {
        assert_eq!(
            moved("cdrscope --tz Asia/Shanghai summary --demo"),
            "cdrscope summary --tz Asia/Shanghai --demo"
        );
        assert_eq!(moved("cdrscope --config c.toml summary f.txt"), "cdrscope summary --config c.toml f.txt");
        assert_eq!(moved("cdrscope --since -2h --demo check"), "cdrscope check --since -2h --demo");
        assert_eq!(moved("cdrscope --tz=UTC lookup 503"), "cdrscope lookup --tz=UTC 503");
        // A value that happens to be a subcommand's name is a value.
        assert_eq!(moved("cdrscope --kb summary f.txt"), "cdrscope --kb summary f.txt");
        // Unchanged: the subcommand first, a source first, no subcommand.
        for line in
            ["cdrscope summary --demo", "cdrscope f.txt summary", "cdrscope --demo", "cdrscope - check"]
        {
            assert_eq!(moved(line), line);
        }
    }
}
