//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Sources: CDR files (VOS3000 text files YYYYMMDDHH.txt, `mysql -B` dumps of e_cdr tables, CSV
with a header, any of them gzipped), directories holding them, - for standard input, or the
database itself: mysql://user@host:3306/vos3000 (password from --password-file or MYSQL_PWD;
reads the daily tables covering --since/--until, by default today).
Try it on generated data: cdrscope --demo   or   cdrscope summary --demo

Filter language (--filter): terms joined by spaces are ANDed, commas OR values, - negates:
  gw: ingw: outgw: code:503,-69,5xx,NoAvailableRouter since: until: caller: callee: ip:
  billing: dir:caller|callee|server answered:yes|no dur>30s pdd>5s, or a bare word.";

/// `0.1.0 (commit 1a2b3c4d5e6f, x86_64-unknown-linux-gnu)`.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CDRSCOPE_COMMIT"),
    ", ",
    env!("CDRSCOPE_TARGET"),
    ")"
);

#[derive(Debug, Parser)]
#[command(name = "cdrscope", version = VERSION, about = "Read, filter and explain VOS3000 call detail records", after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Config file (default: ~/.config/cdrscope/config.toml when it exists)
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<std::path::PathBuf>,
    /// No mouse on the console (the terminal selects text as usual)
    #[arg(long, global = true)]
    pub no_mouse: bool,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Read the sources once instead of following them (the console follows growing files,
    /// standard input and the database by default)
    #[arg(long)]
    pub no_follow: bool,
    #[command(flatten)]
    pub feed: FeedArgs,
}

/// For `udp://` sources: the real-time CDR feed.
#[derive(Debug, Args, Clone, Default)]
pub struct FeedArgs {
    /// Hear only senders in this network (repeatable), e.g. 10.0.0.0/8 or 203.0.113.7
    #[arg(long, value_name = "CIDR")]
    pub allow_from: Vec<String>,
    /// Pass every datagram on unchanged to HOST:PORT (the system that received the feed before)
    #[arg(long, value_name = "HOST:PORT")]
    pub relay: Option<String>,
    /// Append every CDR received to FILE (a new file unless --append)
    #[arg(long, value_name = "FILE")]
    pub spool: Option<std::path::PathBuf>,
    /// The spool file may exist: add to it
    #[arg(long)]
    pub append: bool,
    /// While following, keep the calls of this last stretch of time and drop older ones
    /// (memory stays bounded over days): 30m, 6h, 24h (the default), 2d
    #[arg(long, value_name = "D")]
    pub keep: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Calls, ASR, ACD, PDD, per gateway and per end reason, timeline, health and findings
    Summary(SummaryArgs),
    /// Write the (filtered) calls as CSV, TSV, VOS3000 pipe text or JSON
    Export(ExportArgs),
    /// Per file: detected form, fields, time and hold units, rows and rejected lines
    Check(CheckArgs),
    /// Print calls as they arrive (files growing, stdin), one line each or as JSON lines
    Follow(FollowArgs),
    /// Explain an end reason, code, name, parameter or words (any of en, zh, es)
    Lookup(LookupArgs),
    /// The config file: print a commented example, the key actions, or where it is read from
    Config(ConfigArgs),
    /// Shell completions for bash, zsh or fish, on standard output
    Completions(CompletionsArgs),
    /// The manual page (roff), on standard output
    Man,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print a commented example with every setting
    #[arg(long)]
    pub example: bool,
    /// List every key action by name, its context and its keys in force
    #[arg(long)]
    pub keys: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: ShellArg,
}

#[derive(Debug, Args)]
pub struct FollowArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// The calls to print; with --since, the calls since then are printed first
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON lines (the fields of export --format json) instead of 80-column lines
    #[arg(long)]
    pub json: bool,
    /// Print findings as they fire (with --json: the objects of summary --json plus fired_at)
    /// instead of calls
    #[arg(long)]
    pub findings: bool,
    /// Stop after printing N records
    #[arg(long, value_name = "N")]
    pub exit_after: Option<u64>,
    /// Stop after this long: 30s, 5m, 2h
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,
    #[command(flatten)]
    pub feed: FeedArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// A code (503, -69), qualified code (sip:503, q850:16, vos:-69), name, parameter or words
    // Negative numbers are codes (`-69`), not flags, so flags work anywhere around the query
    // (`lookup -69 --json`); after `--` every word is the query.
    #[arg(value_name = "QUERY", allow_negative_numbers = true)]
    pub query: Vec<String>,
    /// Language of the text: en, zh or es (default: from the locale, else en)
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Every entry
    #[arg(long)]
    pub all: bool,
    /// Your own entries file (default: $CDRSCOPE_KB or ~/.config/cdrscope/kb.toml)
    #[arg(long, value_name = "FILE")]
    pub kb: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum HoldUnitArg {
    /// Detect from stop - start spans (default)
    Auto,
    /// holdTime is in milliseconds
    Ms,
    /// holdTime is in seconds
    S,
}

#[derive(Debug, Args, Clone)]
pub struct LoadArgs {
    /// CDR files or directories; - reads standard input
    #[arg(value_name = "SOURCES")]
    pub sources: Vec<String>,
    /// Use the embedded sample day instead of SOURCES
    #[arg(long)]
    pub demo: bool,
    /// Time zone for reading and showing local times: IANA name, UTC, +08:00 or local
    /// (default: CDRSCOPE_TZ, the config file, else the machine's zone)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Unit of holdTime (default: CDRSCOPE_HOLD_UNIT, the config file, else auto)
    #[arg(long, value_enum)]
    pub hold_unit: Option<HoldUnitArg>,
    /// Language of explanations: en, zh or es (default: CDRSCOPE_LANG, the config file, the locale)
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Your own knowledge-base entries (default: $CDRSCOPE_KB or ~/.config/cdrscope/kb.toml)
    #[arg(long, value_name = "FILE")]
    pub kb: Option<std::path::PathBuf>,
    /// Parser threads, 1 to 256 (default 0: one per core)
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=256))]
    pub threads: u16,
    /// File holding the database password for mysql:// sources (else MYSQL_PWD)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// A bound for reading live sources once (`summary`, `check`, `export`).
#[derive(Debug, Args, Clone, Default)]
pub struct BoundArgs {
    /// Read a udp:// feed (and follow the other sources) for this long, then answer from what
    /// arrived: 30s, 5m, 1h
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,
}

/// The time window: filters rows, skips hourly/daily files by name, and chooses the daily
/// tables read from a database.
#[derive(Debug, Args, Clone, Default)]
pub struct WindowArgs {
    /// Only calls starting at or after this time (2026-11-20 14:00, 14:00, -2h)
    // A relative time starts with a hyphen (`--since -2h`): taken as the value, not a flag.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Only calls starting before this time
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Filter query, e.g. "outgw:CT-Route-2 code:5xx since:-2h"
    // A filter may start with a negated term or a code (`--filter -code:4xx`, `-f -69`).
    #[arg(long, short = 'f', value_name = "QUERY", allow_hyphen_values = true)]
    pub filter: Option<String>,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub bound: BoundArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Tsv,
    /// VOS3000 text-file form: 19 |-separated fields, no header
    Pipe,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub bound: BoundArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (default: standard output); never one of the sources
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub bound: BoundArgs,
    #[command(flatten)]
    pub window: WindowArgs,
}
