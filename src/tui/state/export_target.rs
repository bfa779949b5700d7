//! Where the console's export prompt writes: the text the operator typed made into a path
//! they can trust, checked before anything is written.

use std::path::{Path, PathBuf};

use crate::cdr::SourceSpec;

/// The file extensions export knows (anything else is written as CSV; see
/// [`crate::cdr::export::Format::from_path`]).
const KNOWN: [&str; 4] = ["csv", "tsv", "json", "txt"];

/// Spreadsheet names: refused rather than given CSV inside.
const SPREADSHEETS: [&str; 5] = ["xlsx", "xls", "xlsm", "xlsb", "ods"];

/// What the prompt's text resolves to.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    /// Absolute, `~` expanded.
    pub path: PathBuf,
    /// Said before writing: an extension export does not know (written as CSV).
    pub warning: Option<String>,
}

/// Resolves the prompt's `text` against `home` and `cwd`: `~` and `~/...` are the home
/// directory, a relative path is made absolute (the status then names exactly where the
/// file went). Refused: an empty name, a directory that does not exist, an existing file, a
/// source or a file inside a source directory.
pub fn resolve(text: &str, home: Option<&Path>, cwd: &Path, specs: &[SourceSpec]) -> Result<Target, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("give a file name".into());
    }
    let expanded = match (text.strip_prefix('~'), home) {
        (Some(""), Some(h)) => h.to_path_buf(),
        (Some(rest), Some(h)) if rest.starts_with('/') => h.join(rest.trim_start_matches('/')),
        (Some(rest), None) if rest.is_empty() || rest.starts_with('/') => {
            return Err("~ cannot be expanded: HOME is not set; give the full path".into());
        }
        _ => PathBuf::from(text),
    };
    let path = if expanded.is_absolute() { expanded } else { cwd.join(expanded) };
    if path.is_dir() {
        return Err(format!("{} is a directory: add a file name", path.display()));
    }
    match path.parent() {
        Some(dir) if !dir.is_dir() => {
            return Err(format!("no directory {}: create it first or choose another", dir.display()));
        }
        _ => {}
    }
    crate::cdr::export::check_target(&path, specs)?;
    if path.exists() {
        return Err(format!("{} exists: choose another name", path.display()));
    }
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    // CSV under a spreadsheet's name would not open as one: refused, never written.
    if let Some(e) = ext.as_deref().filter(|e| SPREADSHEETS.contains(e)) {
        return Err(format!(
            ".{e} is a spreadsheet format cdrscope does not write: name it .csv (every spreadsheet opens it)"
        ));
    }
    let warning = match ext.as_deref() {
        Some(e) if KNOWN.contains(&e) => None,
        Some(e) => Some(format!(".{e} is not an export format (csv, tsv, json, txt): it will be CSV")),
        None => Some("no extension: it will be CSV".into()),
    };
    Ok(Target { path, warning })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_name_becomes_the_path_it_means() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (home, cwd) = (dir.path().join("home"), dir.path().join("work"));
        std::fs::create_dir_all(&home).expect("home");
        std::fs::create_dir_all(&cwd).expect("cwd");
        let r = |t: &str| resolve(t, Some(&home), &cwd, &[]);
        assert_eq!(r("~/x.csv"), Ok(Target { path: home.join("x.csv"), warning: None }));
        assert_eq!(r("  out.json "), Ok(Target { path: cwd.join("out.json"), warning: None }));
        assert!(r("x.xlsx").is_err_and(|e| e.contains("spreadsheet format") && e.contains(".csv")));
        assert!(r("X.ODS").is_err());
        assert_eq!(
            r("x.dat").map(|t| t.warning),
            Ok(Some(".dat is not an export format (csv, tsv, json, txt): it will be CSV".into()))
        );
        assert_eq!(r("plain").map(|t| t.warning.is_some()), Ok(true));
        assert!(r("").is_err_and(|e| e == "give a file name"));
        assert!(r("/nonexistent/dir/x.csv").is_err_and(|e| e.contains("no directory /nonexistent/dir")));
        assert!(r("~").is_err_and(|e| e.contains("is a directory")));
        std::fs::write(cwd.join("taken.csv"), "").expect("write");
        assert!(r("taken.csv").is_err_and(|e| e.contains("exists")));
        assert!(resolve("~/x.csv", None, &cwd, &[]).is_err_and(|e| e.contains("HOME")));
        // A source directory is refused, a file beside it is not.
        let specs = [SourceSpec::Path(cwd.clone())];
        assert!(resolve("x.csv", Some(&home), &cwd, &specs).is_err_and(|e| e.contains("source")));
        assert!(resolve("~/x.csv", Some(&home), &cwd, &specs).is_ok());
    }
}
