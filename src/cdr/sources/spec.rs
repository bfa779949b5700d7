//! Finding the CDR inputs behind the paths an operator gives: files, directories (searched
//! for CDR files), `-` for standard input, or in-memory data (the demo).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::cdr::record::time::{TimeReader, days_from_civil};
use crate::cdr::sources::decompress::Packing;
use crate::cdr::sources::error::LoadError;
use crate::cdr::sources::error::Skipped;
use crate::cdr::sources::file::{PlainFile, Unreadable, Workbook, ZipMember};
use crate::cdr::sources::memory::Memory;
use crate::cdr::sources::source::Source;
use crate::cdr::sources::stdin::Stdin;

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
    /// `udp://[ADDR]:PORT`: the real-time CDR feed (live only).
    Udp(String),
}

impl SourceSpec {
    /// `-` means standard input, `mysql://...` a database; anything else is a path.
    pub fn from_arg(arg: &str) -> SourceSpec {
        if arg == "-" {
            SourceSpec::Stdin
        } else if arg.starts_with("udp://") {
            SourceSpec::Udp(arg.to_string())
        } else if crate::cdr::address::db_url::DbUrl::is_db_url(arg) {
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

/// One stream of CDRs to read.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    /// How it is opened and read.
    pub source: Arc<dyn Source>,
    /// Bytes on disk (compressed size for .gz), when known.
    pub size: Option<u64>,
    pub modified: Option<SystemTime>,
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

const CDR_EXTENSIONS: [&str; 9] = ["txt", "csv", "tsv", "cdr", "json", "jsonl", "xlsx", "zip", "dat"];

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
                inputs.push(Input { name: "-".into(), source: Arc::new(Stdin), size: None, modified: None })
            }
            SourceSpec::Memory { name, data } => inputs.push(Input {
                name: name.clone(),
                source: Arc::new(Memory(data.clone())),
                size: Some(data.len() as u64),
                modified: None,
            }),
            // The feed is not read here: the ingest thread binds it (see `ingest`).
            SourceSpec::Udp(_) => {}
            SourceSpec::Mysql(url) => {
                let url = crate::cdr::address::db_url::DbUrl::parse(url).map_err(LoadError::Database)?;
                let now = crate::cdr::record::time::now_ms();
                let since = db.since.unwrap_or_else(|| {
                    let secs = now.div_euclid(1000);
                    let local = secs + i64::from(times.offset_for_local(secs));
                    let midnight = local - local.rem_euclid(86_400);
                    (midnight - i64::from(times.offset_for_local(midnight))) * 1000
                });
                let until = db.until.unwrap_or(now + 86_400_000).max(since);
                let (tables, notes) =
                    crate::cdr::sources::mysql::discover(&url, db.password.as_deref(), since, until, times)
                        .map_err(LoadError::Database)?;
                for t in tables {
                    inputs.push(Input { name: t.name(), source: Arc::new(t), size: None, modified: None });
                }
                skipped.extend(notes.into_iter().map(|why| Skipped { name: url.display(), why }));
            }
            SourceSpec::Path(p) => {
                let meta = std::fs::metadata(p).map_err(|e| LoadError::Path { path: p.clone(), error: e })?;
                if meta.is_dir() {
                    walk_dir(p, window, times, &mut inputs, &mut skipped)?;
                } else {
                    // Opened here to prove it is readable (so the error names the path) and to
                    // tell archives and spreadsheets from streams by their first bytes.
                    let head = read_head(p).map_err(|e| LoadError::Path { path: p.clone(), error: e })?;
                    inputs.extend(file_inputs(p, &meta, &head));
                }
            }
        }
    }
    if inputs.is_empty() && specs.iter().all(|s| matches!(s, SourceSpec::Path(_))) {
        return Err(LoadError::NothingFound(skipped));
    }
    // The same file named twice (or reached through two paths) is read once.
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|i| {
        let Some(p) = i.source.growing_file() else { return true };
        let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
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
        source: Arc::new(PlainFile(p.to_path_buf())),
        size: Some(meta.len()),
        modified: meta.modified().ok(),
    }
}

/// The first bytes of a file.
fn read_head(p: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(8);
    std::fs::File::open(p)?.take(8).read_to_end(&mut head)?;
    Ok(head)
}

/// The inputs one file gives: itself; each member of a zip archive; the first sheet of a
/// spreadsheet; or, for a tar archive or a damaged zip, a source that says why it is not read.
fn file_inputs(p: &Path, meta: &std::fs::Metadata, head: &[u8]) -> Vec<Input> {
    let name = p.display().to_string();
    let one = |source: Arc<dyn Source>, size: Option<u64>| {
        vec![Input { name: name.clone(), source, size, modified: meta.modified().ok() }]
    };
    if is_tar_name(&file_name(p)) {
        return one(
            Arc::new(Unreadable(
                "a tar archive: unpack it first (tar xf FILE) and point cdrscope at the files".into(),
            )),
            None,
        );
    }
    match Packing::detect(head) {
        Packing::Zip if is_spreadsheet_name(&file_name(p)) => {
            one(Arc::new(Workbook(p.to_path_buf())), Some(meta.len()))
        }
        Packing::Zip => match zip_members(p) {
            Ok(members) if members.is_empty() => {
                one(Arc::new(Unreadable("an empty zip archive".into())), None)
            }
            Ok(members) => members
                .into_iter()
                .map(|(index, member, size)| Input {
                    name: format!("{name}!{member}"),
                    source: Arc::new(ZipMember { path: p.to_path_buf(), index }),
                    size: Some(size),
                    modified: None,
                })
                .collect(),
            Err(e) => one(Arc::new(Unreadable(format!("a damaged or cut-short zip archive: {e}"))), None),
        },
        // The decompressed size is not known ahead: no total for progress.
        Packing::Gzip | Packing::Bzip2 | Packing::Xz | Packing::Zstd => {
            let mut i = file_input(p, meta);
            i.size = None;
            vec![i]
        }
        Packing::Plain => vec![file_input(p, meta)],
    }
}

/// A zip archive's file members: (index, name, uncompressed size).
fn zip_members(p: &Path) -> Result<Vec<(usize, String, u64)>, String> {
    let f = std::fs::File::open(p).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(f).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let m = archive.by_index_raw(i).map_err(|e| e.to_string())?;
        if m.is_file() {
            let name = m.name().map_or_else(|_| format!("member {}", i + 1), |n| n.into_owned());
            out.push((i, name, m.size()));
        }
    }
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn is_tar_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"]
        .iter()
        .any(|e| l.ends_with(e))
}

fn is_spreadsheet_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"].iter().any(|e| l.ends_with(e))
}

fn walk_dir(
    dir: &Path,
    window: Window,
    times: &TimeReader,
    inputs: &mut Vec<Input>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), LoadError> {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
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
        if entry.depth() == 0 || !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let skip = |why: &str, skipped: &mut Vec<Skipped>| {
            skipped.push(Skipped { name: path.display().to_string(), why: why.to_string() })
        };
        let hidden = path
            .strip_prefix(dir)
            .map(|rel| rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')))
            .unwrap_or(false);
        if hidden {
            skip("hidden (a name or folder starting with '.')", skipped);
            continue;
        }
        if is_tar_name(&name) {
            skip("a tar archive: unpack it first (tar xf FILE)", skipped);
            continue;
        }
        match classify_name(&name) {
            NameKind::Cdr => {}
            NameKind::Rotated => {
                skip("a rotated or backup copy (.1, .old, .bak): name it to read it", skipped);
                continue;
            }
            NameKind::Other => {
                skip(
                    "not named like a CDR file (*.txt, *.csv, *.tsv, *.cdr, *.json, *.xlsx, *.zip; also .gz, .bz2, .xz, .zst)",
                    skipped,
                );
                continue;
            }
        }
        if let Some((from, to)) = file_time_range(&name, times) {
            let after = window.since.is_some_and(|s| to <= s);
            let before = window.until.is_some_and(|u| from - MAX_CALL_MS >= u);
            if after || before {
                skip("outside --since/--until (from its name)", skipped);
                continue;
            }
        }
        let meta = entry.metadata().map_err(|e| e.to_string());
        match meta.and_then(|m| read_head(path).map(|h| (m, h)).map_err(|e| e.to_string())) {
            Ok((meta, head)) => inputs.extend(file_inputs(path, &meta, &head)),
            Err(e) => skip(&format!("cannot be read: {e}"), skipped),
        }
    }
    Ok(())
}

enum NameKind {
    Cdr,
    Rotated,
    Other,
}

/// Compression suffixes a CDR file name may carry.
const PACKED_SUFFIXES: [&str; 4] = [".gz", ".bz2", ".xz", ".zst"];

fn strip_packing(name: &str) -> &str {
    let l = name.to_ascii_lowercase();
    for s in PACKED_SUFFIXES {
        if l.ends_with(s) {
            return &name[..name.len() - s.len()];
        }
    }
    name
}

fn classify_name(name: &str) -> NameKind {
    if looks_like_cdr_file(name) {
        return NameKind::Cdr;
    }
    let base = strip_packing(name);
    let Some((stem, ext)) = base.rsplit_once('.') else { return NameKind::Other };
    let rotated = ["old", "bak", "orig", "save"].iter().any(|e| ext.eq_ignore_ascii_case(e))
        || (!ext.is_empty() && ext.bytes().all(|b| b.is_ascii_digit()));
    if rotated && looks_like_cdr_file(stem) { NameKind::Rotated } else { NameKind::Other }
}

fn looks_like_cdr_file(name: &str) -> bool {
    let base = strip_packing(name);
    match base.rsplit_once('.') {
        Some((_, ext)) => CDR_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)),
        None => false,
    }
}

/// The stop-time range a file holds, from its name: `YYYYMMDDHH.txt` holds calls that
/// stopped in that local hour (seed 003); `..._YYYYMMDD.*` (daily `e_cdr` dumps) a local day
/// plus an hour of late calls after midnight.
pub fn file_time_range(name: &str, times: &TimeReader) -> Option<(i64, i64)> {
    let base = strip_packing(name);
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
    use crate::cdr::record::time::Zone;

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
        assert!(looks_like_cdr_file("2026112014.txt.zst"));
        assert!(matches!(classify_name("2026112014.txt.1"), NameKind::Rotated));
        assert!(matches!(classify_name("dump.csv.bak"), NameKind::Rotated));
        assert!(matches!(classify_name("dump.csv.old.gz"), NameKind::Rotated));
        assert!(matches!(classify_name("notes.md"), NameKind::Other));
        assert!(is_tar_name("cdr-2026.tar.gz"));
    }
}
