//! The database source's address: `mysql://user@host:port/database` (also `?socket=PATH`)
//! parsed, checked and turned into connection options. A leaf: the store keeps it beside a
//! table's rows (to fetch a whole record later) and the sources connect with it.

use std::time::Duration;

use mysql::{Opts, OptsBuilder};

pub const DEFAULT_PORT: u16 = 3306;
pub const DEFAULT_DATABASE: &str = "vos3000";
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A server that accepts a connection but stops answering (in the handshake or mid-read) is
/// given up on after this long, with a message saying how far the read got.
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// A parsed `mysql://user@host:port/database` source (also `?socket=PATH`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    /// A Unix socket to connect through instead of TCP.
    pub socket: Option<std::path::PathBuf>,
}

impl DbUrl {
    pub fn is_db_url(s: &str) -> bool {
        s.starts_with("mysql://") || s.starts_with("mariadb://")
    }

    /// Parses the URL (with the `url` crate: IPv6 hosts in brackets, percent escapes). A
    /// password in it is refused: it would sit in shell history and `ps`. A URL without a user
    /// takes the one in `~/.my.cnf`, else `$USER`. `localhost` without `?socket=` connects
    /// through the first usual socket path that exists, as the `mysql` client does.
    pub fn parse(url: &str) -> Result<DbUrl, String> {
        Self::parse_with(url, &crate::cdr::address::mycnf::load())
    }

    pub fn parse_with(url: &str, cnf: &crate::cdr::address::mycnf::ClientConfig) -> Result<DbUrl, String> {
        if !Self::is_db_url(url) {
            return Err(format!("'{url}' is not a mysql:// URL"));
        }
        let u = url::Url::parse(url).map_err(|e| format!("{}: not a valid URL ({e})", redact(url)))?;
        if u.password().is_some() {
            return Err(format!(
                "{}: a password in the URL would end up in shell history and process lists; give it with --password-file FILE, the MYSQL_PWD variable or ~/.my.cnf",
                redact(url)
            ));
        }
        let decode = |s: &str| percent_decode(s);
        let user = match u.username() {
            "" => cnf.user.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "root".into()),
            name => decode(name),
        };
        let host = match u.host() {
            Some(url::Host::Ipv6(a)) => a.to_string(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Domain(d)) if !d.is_empty() => decode(d),
            _ => "127.0.0.1".to_string(),
        };
        let port = u.port().unwrap_or(DEFAULT_PORT);
        let database = match u.path().trim_matches('/') {
            "" => DEFAULT_DATABASE.to_string(),
            db => decode(db),
        };
        if !database.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            return Err(format!("'{database}' is not a plain database name"));
        }
        let mut socket = None;
        for (k, v) in u.query_pairs() {
            match k.as_ref() {
                "socket" => socket = Some(std::path::PathBuf::from(v.as_ref())),
                other => {
                    return Err(format!("{}: unknown option '{other}' (only ?socket=PATH)", redact(url)));
                }
            }
        }
        if socket.is_none() && host == "localhost" {
            socket = cnf.socket.clone().or_else(|| {
                crate::cdr::address::mycnf::USUAL_SOCKETS
                    .iter()
                    .map(std::path::PathBuf::from)
                    .find(|p| p.exists())
            });
        }
        Ok(DbUrl { user, host, port, database, socket })
    }

    pub fn display(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        match &self.socket {
            Some(s) => format!("mysql://{}@{host}/{}?socket={}", self.user, self.database, s.display()),
            None => format!("mysql://{}@{host}:{}/{}", self.user, self.port, self.database),
        }
    }

    pub fn opts(&self, password: Option<&str>) -> Opts {
        let b = OptsBuilder::new()
            .ip_or_hostname(Some(self.host.clone()))
            .tcp_port(self.port)
            .user(Some(self.user.clone()))
            .pass(password.map(str::to_string))
            .db_name(Some(self.database.clone()))
            .prefer_socket(self.socket.is_some())
            .socket(self.socket.as_ref().map(|s| s.display().to_string()))
            .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
            .read_timeout(Some(READ_TIMEOUT))
            .write_timeout(Some(WRITE_TIMEOUT));
        b.into()
    }
}

pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let auth = &url[s + 3..at];
            let user = auth.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// A database table a source reads: the server and the table's name.
pub type TableRef = (DbUrl, String);
