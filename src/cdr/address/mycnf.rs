//! Credentials the way the `mysql` client finds them: the `[client]` section of `~/.my.cnf`
//! (`user`, `password`, `socket`, `host`, `port`). Operators on a softswitch usually have one;
//! reading it spares them a password on the command line. Never written to.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientConfig {
    pub user: Option<String>,
    pub password: Option<String>,
    pub socket: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
}

/// `$HOME/.my.cnf`, when there is a home.
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| Path::new(&h).join(".my.cnf"))
}

/// The `[client]` section of the user's `.my.cnf`; empty when there is none or it cannot be
/// read (the `mysql` client ignores a missing file too).
pub fn load() -> ClientConfig {
    default_path().and_then(|p| std::fs::read_to_string(p).ok()).map(|t| parse(&t)).unwrap_or_default()
}

/// Parses option-file text: `[group]` headers, `key = value` or `key=value`, `#`/`;`
/// comments, values optionally in single or double quotes. Only `[client]` is read.
pub fn parse(text: &str) -> ClientConfig {
    let mut c = ClientConfig::default();
    let mut in_client = false;
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
            continue;
        }
        if let Some(group) = l.strip_prefix('[').and_then(|g| g.strip_suffix(']')) {
            in_client = group.trim().eq_ignore_ascii_case("client");
            continue;
        }
        if !in_client {
            continue;
        }
        let (k, v) = match l.split_once('=') {
            Some((k, v)) => (k.trim(), unquote(v.trim())),
            None => (l, String::new()),
        };
        // Option names accept `-` and `_` alike.
        match k.replace('-', "_").to_ascii_lowercase().as_str() {
            "user" => c.user = Some(v),
            "password" | "pass" => c.password = Some(v),
            "socket" => c.socket = Some(PathBuf::from(v)),
            "host" => c.host = Some(v),
            "port" => c.port = v.parse().ok(),
            _ => {}
        }
    }
    c
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    v.to_string()
}

/// Where MySQL and MariaDB put their socket on the systems VOS3000 runs on (CentOS first).
pub const USUAL_SOCKETS: [&str; 4] = [
    "/var/lib/mysql/mysql.sock",
    "/var/run/mysqld/mysqld.sock",
    "/run/mysqld/mysqld.sock",
    "/tmp/mysql.sock",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_section_only() {
        let c = parse(
            "# mine\n[mysqld]\nuser=mysql\n[client]\nuser = vosro\npassword=\"p#w d\"\nsocket=/var/lib/mysql/mysql.sock\nport = 3307\n[mysql]\nuser=other\n",
        );
        assert_eq!(c.user.as_deref(), Some("vosro"));
        assert_eq!(c.password.as_deref(), Some("p#w d"));
        assert_eq!(c.socket, Some(PathBuf::from("/var/lib/mysql/mysql.sock")));
        assert_eq!(c.port, Some(3307));
        assert_eq!(parse("[mysqld]\nuser=x\n"), ClientConfig::default());
    }
}
