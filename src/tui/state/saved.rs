//! The filter history and named filters, kept across runs in one small JSON file in the
//! state directory (`$XDG_STATE_HOME/cdrscope/state.json`, else
//! `~/.local/state/cdrscope/state.json`; `CDRSCOPE_STATE` names another file, `none` keeps
//! nothing). Never beside the CDRs. Written whole to a temporary file, then renamed, so a
//! crash never leaves half a file; a file that cannot be read is set aside, not trusted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Filters kept in the history (oldest dropped first).
pub const HISTORY_MAX: usize = 200;
/// Named filters kept.
pub const SAVED_MAX: usize = 200;
/// A state file larger than this is not read (it is no file of ours).
const FILE_MAX: u64 = 4 << 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub history: Vec<String>,
    /// (name, filter), in the order saved.
    #[serde(default)]
    pub saved: Vec<(String, String)>,
}

/// Where the state lives, or `None` when it is not to be kept.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CDRSCOPE_STATE").filter(|p| !p.is_empty()) {
        return (p != "none").then(|| PathBuf::from(p));
    }
    let base =
        std::env::var_os("XDG_STATE_HOME").filter(|p| !p.is_empty()).map(PathBuf::from).or_else(|| {
            std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".local/state"))
        })?;
    Some(base.join("cdrscope").join("state.json"))
}

/// Reads the state; a missing file is an empty state, an unreadable one an error that says
/// what to do.
pub fn load(path: &Path) -> Result<State, String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if meta.len() > FILE_MAX {
        return Err(format!("{} is over 4 MiB: not a cdrscope state file; move it away", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut st: State = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a cdrscope state file ({e}); move it away", path.display()))?;
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
    st.history = st.history.iter().map(|h| clean(h)).filter(|h| !h.trim().is_empty()).collect();
    let excess = st.history.len().saturating_sub(HISTORY_MAX);
    st.history.drain(..excess);
    st.saved = st.saved.iter().map(|(n, f)| (clean(n), clean(f))).collect();
    st.saved.truncate(SAVED_MAX);
    Ok(st)
}

/// Writes the state (its directory made if need be).
pub fn store(path: &Path, st: &State) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(st).map_err(|e| e.to_string())?;
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bad_files() {
        let dir = std::env::temp_dir().join(format!("cdrscope-state-{}", std::process::id()));
        let path = dir.join("sub").join("state.json");
        assert_eq!(load(&path), Ok(State::default()));
        let st = State { history: vec!["code:503".into()], saved: vec![("busy".into(), "code:486".into())] };
        store(&path, &st).expect("written");
        assert_eq!(load(&path), Ok(st));
        std::fs::write(&path, "not json").expect("written");
        assert!(load(&path).expect_err("bad").contains("move it away"));
        std::fs::write(&path, "{\"history\":[\"a\\u001b[2Jb\",\"\"]}").expect("written");
        assert_eq!(load(&path).expect("read").history, ["a[2Jb"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
