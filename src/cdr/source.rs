//! Finding the CDR inputs behind the paths an operator gives: files, directories (searched
//! for CDR files), `-` for standard input, or in-memory data (the demo).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::error::LoadError;
use super::time::{TimeReader, days_from_civil};

/// What the operator asked to load.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    Path(PathBuf),
    Stdin,
    Memory {
        name: String,
        data: Arc<Vec<u8>>,
    },
    /// `mysql://user@host:port/database`.
    Mysql(String),
}

impl SourceSpec {
    /// `-` means standard input, `mysql://...` a database; anything else is a path.
    pub fn from_arg(arg: &str) -> SourceSpec {
        if arg == "-" {
            SourceSpec::Stdin
        } else if super::mysql::DbUrl::is_db_url(arg) {
            SourceSpec::Mysql(arg.to_string())
        } else {
            SourceSpec::Path(PathBuf::from(arg))
        }
    }
}

/// What reading a database needs besides its URL.
#[derive(Debug, Clone, Default)]
pub struct DbAccess {
    pub password: Option<String>,
    /// The window to read, epoch ms; by default today (local midnight on).
    pub since: Option<i64>,
    pub until: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum InputKind {
    File(PathBuf),
    Stdin,
    Memory(Arc<Vec<u8>>),
    Db(Box<super::mysql::DbTable>),
}

/// One stream of CDRs to read.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub kind: InputKind,
    /// Bytes on disk (compressed size for .gz), when known.
    pub size: Option<u64>,
    pub modified: Option<SystemTime>,
}

/// A file found in a directory but not read, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub name: String,
    pub why: String,
}

/// A time window in epoch ms, used to skip hourly and daily files without opening them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// How long a call may last for the `until` side of file skipping: a file whose calls all
/// ended more than this after `until` cannot hold a call that started before it.
const MAX_CALL_MS: i64 = 24 * 3_600_000;

const CDR_EXTENSIONS: [&str; 4] = ["txt", "csv", "tsv", "cdr"];

pub fn discover(
    specs: &[SourceSpec],
    window: Window,
    db: &DbAccess,
    times: &TimeReader,
) -> Result<(Vec<Input>, Vec<Skipped>), LoadError> {
    let mut inputs: Vec<Input> = Vec::new();
    let mut skipped = Vec::new();
    for spec in specs {
        match spec {
            SourceSpec::Stdin => {
                inputs.push(Input { name: "-".into(), kind: InputKind::Stdin, size: None, modified: None })
            }
            SourceSpec::Memory { name, data } => inputs.push(Input {
                name: name.clone(),
                kind: InputKind::Memory(data.clone()),
                size: Some(data.len() as u64),
                modified: None,
            }),
            SourceSpec::Mysql(url) => {
                let url = super::mysql::DbUrl::parse(url).map_err(LoadError::Database)?;
                let now = crate::cdr::time::now_ms();
                let since = db.since.unwrap_or_else(|| {
                    let secs = now.div_euclid(1000);
                    let local = secs + i64::from(times.offset_for_local(secs));
                    let midnight = local - local.rem_euclid(86_400);
                    (midnight - i64::from(times.offset_for_local(midnight))) * 1000
                });
                let until = db.until.unwrap_or(now + 86_400_000).max(since);
                let (tables, notes) =
                    super::mysql::discover(&url, db.password.as_deref(), since, until, times)
                        .map_err(LoadError::Database)?;
                for t in tables {
                    inputs.push(Input {
                        name: t.name(),
                        kind: InputKind::Db(Box::new(t)),
                        size: None,
                        modified: None,
                    });
                }
                skipped.extend(notes.into_iter().map(|why| Skipped { name: url.display(), why }));
            }
            SourceSpec::Path(p) => {
                let meta =
                    std::fs::metadata(p).map_err(|e| LoadError::Path { path: p.clone(), source: e })?;
                if meta.is_dir() {
                    walk_dir(p, window, times, &mut inputs, &mut skipped)?;
                } else {
                    // Opened here only to prove it is readable, so the error names the path.
                    std::fs::File::open(p).map_err(|e| LoadError::Path { path: p.clone(), source: e })?;
                    inputs.push(file_input(p, &meta));
                }
            }
        }
    }
    // The same file named twice (or reached through two paths) is read once.
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|i| {
        let InputKind::File(p) = &i.kind else { return true };
        let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let first = seen.insert(key);
        if !first {
            skipped.push(Skipped { name: i.name.clone(), why: "given more than once; read once".into() });
        }
        first
    });
    Ok((inputs, skipped))
}

fn file_input(p: &Path, meta: &std::fs::Metadata) -> Input {
    Input {
        name: p.display().to_string(),
        kind: InputKind::File(p.to_path_buf()),
        size: Some(meta.len()),
        modified: meta.modified().ok(),
    }
}

fn walk_dir(
    dir: &Path,
    window: Window,
    times: &TimeReader,
    inputs: &mut Vec<Input>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), LoadError> {
    let mut found = 0;
    let mut ignored = 0;
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                skipped.push(Skipped {
                    name: e.path().map_or_else(|| dir.display().to_string(), |p| p.display().to_string()),
                    why: format!(
                        "cannot be read: {}",
                        e.io_error().map_or_else(|| e.to_string(), ToString::to_string)
                    ),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !looks_like_cdr_file(&name) {
            ignored += 1;
            continue;
        }
        if let Some((from, to)) = file_time_range(&name, times) {
            let after = window.since.is_some_and(|s| to <= s);
            let before = window.until.is_some_and(|u| from - MAX_CALL_MS >= u);
            if after || before {
                skipped.push(Skipped {
                    name: path.display().to_string(),
                    why: "outside --since/--until (from its name)".into(),
                });
                continue;
            }
        }
        match entry.metadata() {
            Ok(meta) => {
                found += 1;
                inputs.push(file_input(path, &meta));
            }
            Err(e) => skipped
                .push(Skipped { name: path.display().to_string(), why: format!("cannot be read: {e}") }),
        }
    }
    if found == 0 && ignored > 0 {
        skipped.push(Skipped {
            name: dir.display().to_string(),
            why: format!(
                "{ignored} files, none named like CDR files (*.txt, *.csv, *.tsv, *.cdr, optionally .gz)"
            ),
        });
    }
    Ok(())
}

fn looks_like_cdr_file(name: &str) -> bool {
    let base = name.strip_suffix(".gz").unwrap_or(name);
    match base.rsplit_once('.') {
        Some((_, ext)) => CDR_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)),
        None => false,
    }
}

/// The stop-time range a file holds, from its name: `YYYYMMDDHH.txt` holds calls that
/// stopped in that local hour (seed 003); `..._YYYYMMDD.*` (daily `e_cdr` dumps) a local day
/// plus an hour of late calls after midnight.
pub fn file_time_range(name: &str, times: &TimeReader) -> Option<(i64, i64)> {
    let base = name.strip_suffix(".gz").unwrap_or(name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let digits_at_end: String =
        stem.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    let num = |s: &str| s.parse::<i64>().ok();
    let (local_start, len_s) = match digits_at_end.len() {
        10 if digits_at_end.len() == stem.len() => {
            let d = &digits_at_end;
            let (y, m, day, h) = (num(&d[0..4])?, num(&d[4..6])?, num(&d[6..8])?, num(&d[8..10])?);
            if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 {
                return None;
            }
            (days_from_civil(y, m, day) * 86_400 + h * 3600, 3600)
        }
        8 => {
            let d = &digits_at_end;
            let (y, m, day) = (num(&d[0..4])?, num(&d[4..6])?, num(&d[6..8])?);
            if !(1..=12).contains(&m) || !(1..=31).contains(&day) || !(1990..=2200).contains(&y) {
                return None;
            }
            (days_from_civil(y, m, day) * 86_400, 86_400 + 3600)
        }
        _ => return None,
    };
    let utc = |local: i64| (local - i64::from(times.offset_for_local(local))) * 1000;
    Some((utc(local_start), utc(local_start + len_s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::time::Zone;

    #[test]
    fn names_give_time_ranges() {
        let t = TimeReader::new(Zone::parse("UTC").expect("utc"));
        let (a, b) = file_time_range("2026112014.txt", &t).expect("hourly");
        assert_eq!(b - a, 3_600_000);
        assert_eq!(a % 86_400_000, 14 * 3_600_000);
        assert!(file_time_range("2026112014.txt.gz", &t).is_some());
        let (a, b) = file_time_range("e_cdr_20210429.tsv", &t).expect("daily");
        assert_eq!(b - a, 25 * 3_600_000);
        assert!(file_time_range("notes.txt", &t).is_none());
        assert!(file_time_range("x2026112014.txt", &t).is_none());
        assert!(looks_like_cdr_file("2026112014.TXT"));
        assert!(looks_like_cdr_file("dump.csv.gz"));
        assert!(!looks_like_cdr_file("readme.md"));
    }
}
