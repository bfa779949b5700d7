//! What every subcommand does first: load the sources and build the filter.

use std::sync::Arc;

use anyhow::Context as _;

use super::args::{FilterArgs, HoldUnitArg, LoadArgs, WindowArgs};
use super::{progress, usage};
use crate::cdr::sources::error::Skipped;
use crate::cdr::{HoldUnitChoice, LoadOptions, Progress, SourceSpec, Store, Window, Zone};
use crate::config;
use crate::kb::{Kb, Lang};
use crate::query::parse::{Term, TermKind};
use crate::query::timespec::{TimeSpec, parse_time_spec};
use crate::query::{Context, Query, Selection, evaluate, parse};

pub struct Session {
    pub store: Store,
    pub zone: Zone,
    pub skipped: Vec<Skipped>,
}

pub const NO_SOURCES: &str = "no CDR sources given. Point cdrscope at CDR files or directories (for example the cdr/ folder of VOS3000 text files, or a `mysql -B` dump of an e_cdr table), use - to read standard input, or try --demo for a generated sample day.";

/// The zone: `--tz`, else `CDRSCOPE_TZ`, else the config file, else the machine's.
pub fn zone(args: &LoadArgs) -> anyhow::Result<Zone> {
    let (text, from) = match (&args.tz, config::env("CDRSCOPE_TZ"), &config::current().tz) {
        (Some(t), _, _) => (t.clone(), "--tz"),
        (None, Some(t), _) => (t, "CDRSCOPE_TZ"),
        (None, None, Some(t)) => (t.clone(), "the config file's tz"),
        _ => ("local".to_string(), "--tz"),
    };
    Zone::parse(&text).map_err(|e| usage(format!("{from}: {e}")))
}

/// The holdTime unit: `--hold-unit`, else `CDRSCOPE_HOLD_UNIT`, else the config file, else auto.
fn hold_unit(args: &LoadArgs) -> anyhow::Result<HoldUnitChoice> {
    if let Some(h) = args.hold_unit {
        return Ok(match h {
            HoldUnitArg::Auto => HoldUnitChoice::Auto,
            HoldUnitArg::Ms => HoldUnitChoice::Ms,
            HoldUnitArg::S => HoldUnitChoice::S,
        });
    }
    let (text, from) = match (config::env("CDRSCOPE_HOLD_UNIT"), &config::current().hold_unit) {
        (Some(t), _) => (t, "CDRSCOPE_HOLD_UNIT"),
        (None, Some(t)) => (t.clone(), "the config file's hold_unit"),
        _ => return Ok(HoldUnitChoice::Auto),
    };
    match text.trim() {
        "auto" => Ok(HoldUnitChoice::Auto),
        "ms" => Ok(HoldUnitChoice::Ms),
        "s" => Ok(HoldUnitChoice::S),
        other => Err(usage(format!("{from}: '{other}' is not auto, ms or s"))),
    }
}

/// The language of explanations: `--lang`, else `CDRSCOPE_LANG`, else the config file, else
/// the locale.
pub fn lang(arg: Option<&str>) -> anyhow::Result<Lang> {
    let (text, from) = match (arg, config::env("CDRSCOPE_LANG"), &config::current().lang) {
        (Some(t), _, _) => (t.to_string(), "--lang"),
        (None, Some(t), _) => (t, "CDRSCOPE_LANG"),
        (None, None, Some(t)) => (t.clone(), "the config file's lang"),
        _ => return Ok(Lang::from_env()),
    };
    Lang::parse(&text).ok_or_else(|| usage(format!("{from}: '{text}' is not a language: use en, zh or es")))
}

/// The knowledge base in the chosen language, with the operator's own entries.
pub fn kb(lang_arg: Option<&str>, kb_arg: Option<&std::path::Path>) -> anyhow::Result<Kb> {
    if let Some(p) = kb_arg
        && !p.exists()
    {
        return Err(usage(format!("--kb {}: no such file", p.display())));
    }
    let path = kb_arg.map(std::path::Path::to_path_buf).or_else(Kb::user_file_path);
    Kb::load(lang(lang_arg)?, path.as_deref()).map_err(|e| usage(e.to_string()))
}

/// The sources: those given, else the config file's (so a bare `cdrscope` opens the switch).
pub fn specs(args: &LoadArgs) -> anyhow::Result<Vec<SourceSpec>> {
    let given: Vec<String> = if args.sources.is_empty() && !args.demo {
        config::current().sources.clone()
    } else {
        args.sources.clone()
    };
    let mut specs: Vec<SourceSpec> = given.iter().map(|s| SourceSpec::from_arg(s)).collect();
    if args.demo {
        specs.push(SourceSpec::Memory {
            name: "demo".into(),
            data: Arc::new(crate::cdr::sources::demo::demo_bytes()),
        });
    }
    if specs.is_empty() {
        return Err(usage(NO_SOURCES));
    }
    for s in &specs {
        if let SourceSpec::Udp(url) = s {
            crate::cdr::sources::feed::parse_url(url).map_err(usage)?;
        }
    }
    if specs.iter().filter(|s| matches!(s, SourceSpec::Stdin)).count() > 1 {
        return Err(usage("standard input (-) can be given only once"));
    }
    Ok(specs)
}

/// The window read from a database: absolute times as given, times of day today, relative
/// times from now (the newest CDR is not known before reading); unset `--since` means today.
fn db_window(filter: Option<&WindowArgs>, zone: &Zone) -> (Option<i64>, Option<i64>) {
    // The query language's own resolution: over no calls yet, relative times count from now
    // and times of day are today.
    let empty = Store::default();
    let ctx = crate::query::Context::new(&empty, zone.clone());
    let resolve =
        |t: &Option<String>| parse_time_spec(t.as_deref()?).ok().map(|spec| ctx.resolve_time(&spec));
    match filter {
        Some(f) => (resolve(&f.since), resolve(&f.until)),
        None => (None, None),
    }
}

fn password(args: &LoadArgs) -> anyhow::Result<Option<String>> {
    if let Some(p) = &args.password_file {
        let text =
            std::fs::read_to_string(p).map_err(|e| usage(format!("--password-file {}: {e}", p.display())))?;
        return Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()));
    }
    if let Some(p) = std::env::var("MYSQL_PWD").ok().filter(|p| !p.is_empty()) {
        return Ok(Some(p));
    }
    // As the mysql client does: the [client] section of ~/.my.cnf.
    Ok(crate::cdr::address::mycnf::load().password)
}

/// Absolute `--since/--until` bounds, for skipping hourly and daily files by name.
fn window(filter: Option<&WindowArgs>, zone: &Zone) -> Window {
    let reader = crate::cdr::TimeReader::new(zone.clone());
    let to_ms = |t: &Option<String>| -> Option<i64> {
        match parse_time_spec(t.as_deref()?).ok()? {
            TimeSpec::Local(secs) => Some((secs - i64::from(reader.offset_for_local(secs))) * 1000),
            // Relative times and times of day depend on the data: no skipping.
            _ => None,
        }
    };
    match filter {
        Some(f) => Window { since: to_ms(&f.since), until: to_ms(&f.until) },
        None => Window::default(),
    }
}

/// Load options from the command line.
pub fn load_options(
    args: &LoadArgs,
    filter: Option<&WindowArgs>,
    zone: &Zone,
) -> anyhow::Result<LoadOptions> {
    Ok(LoadOptions {
        zone: zone.clone(),
        hold_unit: hold_unit(args)?,
        aliases: config::current().gateway_aliases.clone().into_iter().collect(),
        window: window(filter, zone),
        threads: usize::from(args.threads),
        db: {
            let (since, until) = db_window(filter, zone);
            crate::cdr::sources::spec::DbAccess { password: password(args)?, since, until }
        },
    })
}

pub fn load(
    args: &LoadArgs,
    filter: Option<&WindowArgs>,
    bound: &super::args::BoundArgs,
) -> anyhow::Result<Session> {
    let zone = zone(args)?;
    let specs = specs(args)?;
    if let Some(SourceSpec::Udp(url)) = specs.iter().find(|s| matches!(s, SourceSpec::Udp(_))) {
        let Some(d) = &bound.duration else {
            return Err(usage(format!(
                "{url} is a live feed: it has no calls to read once. Bound the run with --duration D (30s, 5m), use `cdrscope follow {url}` or the console, or keep what it receives with --spool FILE and read that file"
            )));
        };
        let d = parse_duration(d).map_err(usage)?;
        return load_for(&specs, load_options(args, filter, &zone)?, zone, d);
    }
    let opts = load_options(args, filter, &zone)?;
    let progress = Arc::new(Progress::default());
    let reporter = progress::spawn(progress.clone());
    let loaded = crate::cdr::load(&specs, &opts, progress.clone());
    progress.done.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(r) = reporter {
        let _ = r.join();
    }
    let loaded = loaded?;
    Ok(Session { store: loaded.store, zone, skipped: loaded.skipped })
}

/// Reads the sources (live ones too) for `d`, then answers from what arrived.
fn load_for(
    specs: &[SourceSpec],
    load: LoadOptions,
    zone: Zone,
    d: std::time::Duration,
) -> anyhow::Result<Session> {
    use crate::cdr::ingest::live::{Event, IngestOptions};
    let opts = IngestOptions { load, follow: true, ..Default::default() };
    let mut ingest = crate::cdr::ingest::live::spawn(specs.to_vec(), opts, Arc::new(Progress::default()));
    let started = std::time::Instant::now();
    let mut skipped = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    while let Some(left) = d.checked_sub(started.elapsed()) {
        match ingest.events.recv_timeout(left.min(std::time::Duration::from_millis(200))) {
            Ok(Event::Loaded(Err(e))) => return Err(usage(e)),
            Ok(Event::Loaded(Ok(s))) => skipped = s,
            Ok(Event::SourceFailed { source, error }) => {
                let st = crate::cdr::store::shared::read(&ingest.store);
                failed.push(format!("{}: {error}", st.source_name(source)));
                if !st.any_following() {
                    break;
                }
            }
            Ok(Event::Failed(why)) => return Err(anyhow::anyhow!("reading stopped; {why}")),
            Ok(_) | Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
    }
    ingest.stop();
    let store = (*crate::cdr::store::shared::read(&ingest.store)).clone();
    if store.is_empty() && !failed.is_empty() {
        return Err(usage(failed.join("; ")));
    }
    for f in &failed {
        eprintln!("cdrscope: {}", crate::text::sanitize(f));
    }
    Ok(Session { store, zone, skipped })
}

/// The feed options, checked: networks parse, the relay resolves, the spool is not a
/// source and not in a source directory.
pub fn feed_options(
    a: &super::args::FeedArgs,
    specs: &[SourceSpec],
) -> anyhow::Result<crate::cdr::sources::feed::FeedOptions> {
    let mut allow_from = Vec::new();
    for net in &a.allow_from {
        let parsed = net
            .parse::<ipnet::IpNet>()
            .or_else(|_| net.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
            .map_err(|_| usage(format!("--allow-from {net}: not a network (10.0.0.0/8) or an address")))?;
        allow_from.push(parsed);
    }
    let relay = match &a.relay {
        Some(to) => Some(
            std::net::ToSocketAddrs::to_socket_addrs(to.as_str())
                .ok()
                .and_then(|mut it| it.next())
                .ok_or_else(|| usage(format!("--relay {to}: not a HOST:PORT that resolves")))?,
        ),
        None => None,
    };
    if let Some(spool) = &a.spool {
        crate::cdr::export::check_target(spool, specs).map_err(usage)?;
        if spool.exists() && !a.append {
            return Err(usage(format!(
                "--spool {}: the file exists; add --append to add to it",
                spool.display()
            )));
        }
    }
    Ok(crate::cdr::sources::feed::FeedOptions { allow_from, relay, spool: a.spool.clone(), append: a.append })
}

/// The retention window of a follow: `--keep`, else 24 hours.
pub fn keep(a: &super::args::FeedArgs) -> anyhow::Result<std::time::Duration> {
    match &a.keep {
        Some(k) => parse_duration(k).map_err(|e| usage(e.replace("--duration", "--keep"))),
        None => Ok(crate::cdr::ingest::live::DEFAULT_KEEP),
    }
}

/// The filter from `--filter`, `--since` and `--until`.
pub fn query(f: &FilterArgs) -> anyhow::Result<Query> {
    let mut q = match &f.filter {
        Some(text) => parse(text).map_err(|e| {
            let caret = format!(
                "{}{}",
                " ".repeat(text[..e.span.start].chars().count()),
                "^".repeat(text[e.span.clone()].chars().count().max(1))
            );
            usage(format!("bad filter {}\n  {text}\n  {caret}", e))
        })?,
        None => Query::default(),
    };
    for (flag, value, since) in [("--since", &f.window.since, true), ("--until", &f.window.until, false)] {
        if let Some(v) = value {
            let spec = parse_time_spec(v).map_err(|e| usage(format!("{flag}: {e}")))?;
            let kind = if since { TermKind::Since(spec) } else { TermKind::Until(spec) };
            q.terms.push(Term { negate: false, kind, span: 0..0 });
        }
    }
    Ok(q)
}

/// The calls the filter keeps. When it keeps none of the calls loaded, what in the filter
/// cannot match (a gateway or code no call has, `=` for `:`, `OR`) is said on standard error,
/// as the console says it under "no calls match": a typo must not pass for a quiet day.
pub fn select(s: &Session, q: &Query) -> Selection {
    let rows = evaluate(q, &Context::new(&s.store, s.zone.clone()));
    if rows.is_empty() && !s.store.is_empty() {
        for h in crate::query::hints::hints(q, &s.store) {
            eprintln!("cdrscope: no calls match: {}", crate::text::sanitize(&h));
        }
    }
    rows
}

pub fn with_path<T>(r: std::io::Result<T>, what: &str, path: &std::path::Path) -> anyhow::Result<T> {
    r.with_context(|| format!("{what} {}", path.display()))
}

/// `30s`, `5m`, `2h`, `1d` or plain seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 =
        num.parse().map_err(|_| format!("--duration {s}: expected a number with s, m, h or d (30s, 5m)"))?;
    let secs = match unit {
        "" | "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        _ => None,
    }
    .ok_or_else(|| format!("--duration {s}: expected a number with s, m, h or d (30s, 5m)"))?;
    Ok(std::time::Duration::from_secs(secs))
}
