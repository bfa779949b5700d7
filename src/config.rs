//! The config file: `~/.config/cdrscope/config.toml` (or `$XDG_CONFIG_HOME/cdrscope/`,
//! `--config FILE`). What a bare `cdrscope` opens, readable names for long gateway names,
//! thresholds, key overrides, language, zone, holdTime unit, colours. Precedence: the command
//! line, then the environment, then this file. A mistake is reported with the file and line
//! and nothing is used from the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::keys::KeySpec;
use crate::stats::thresholds::Thresholds;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What `cdrscope` with no sources opens.
    #[serde(default)]
    pub sources: Vec<String>,
    pub lang: Option<String>,
    pub tz: Option<String>,
    pub hold_unit: Option<String>,
    #[serde(alias = "colors")]
    pub colours: Option<bool>,
    /// Mouse on the console: click a row or a view, wheel to scroll (`--no-mouse` turns it off).
    pub mouse: Option<bool>,
    /// Raw gateway name -> the name to show (and accept in filters).
    #[serde(default)]
    pub gateway_aliases: BTreeMap<String, String>,
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Action name -> key(s), replacing that action's keys in its context.
    #[serde(default)]
    pub keys: BTreeMap<String, KeySpec>,
    /// Where it was read from (not a setting).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{file}:{line}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Config {
    /// The default location: `$XDG_CONFIG_HOME/cdrscope/config.toml` or
    /// `~/.config/cdrscope/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()).map(PathBuf::from).or_else(
            || std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config")),
        )?;
        Some(base.join("cdrscope").join("config.toml"))
    }

    /// Loads `--config FILE` (which must exist), else the default file when there is one.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match Self::default_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(Config::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            message: format!("cannot read: {e}"),
        })?;
        let mut c = Self::parse(&text, &path.display().to_string())?;
        c.path = Some(path);
        Ok(c)
    }

    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let err = |line: usize, message: String| ConfigError { file: file.to_string(), line, message };
        let c: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            err(line, e.message().to_string())
        })?;
        let line_of_key =
            |key: &str| text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1);
        c.thresholds.validate().map_err(|m| {
            let key = m.split(' ').next().unwrap_or("");
            err(line_of_key(key), m)
        })?;
        if let Some(l) = &c.lang
            && crate::kb::Lang::parse(l).is_none()
        {
            return Err(err(line_of_key("lang"), format!("lang = \"{l}\": use en, zh or es")));
        }
        if let Some(z) = &c.tz {
            crate::cdr::Zone::parse(z).map_err(|m| err(line_of_key("tz"), m))?;
        }
        if let Some(h) = &c.hold_unit
            && !["auto", "ms", "s"].contains(&h.as_str())
        {
            return Err(err(line_of_key("hold_unit"), format!("hold_unit = \"{h}\": use auto, ms or s")));
        }
        for s in &c.sources {
            if s.trim().is_empty() {
                return Err(err(line_of_key("sources"), "an empty source".into()));
            }
        }
        for (raw, alias) in &c.gateway_aliases {
            if alias.trim().is_empty() {
                return Err(err(
                    line_of_key(&format!("\"{raw}\"")),
                    format!("the alias of '{raw}' is empty"),
                ));
            }
        }
        crate::keys::Keymap::with_overrides(&c.keys).map_err(|(action, m)| err(line_of_key(&action), m))?;
        Ok(c)
    }
}

static CURRENT: std::sync::OnceLock<Config> = std::sync::OnceLock::new();

/// Sets the configuration of this run (once, at start-up; later calls are ignored).
pub fn set(c: Config) {
    let _ = CURRENT.set(c);
}

/// The configuration in force (empty when none was read).
pub fn current() -> &'static Config {
    static EMPTY: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CURRENT.get().unwrap_or_else(|| EMPTY.get_or_init(Config::default))
}

/// The name to show for a gateway: its alias from the config file, else the name itself.
/// Exports and JSON never use it: they keep raw names.
pub fn gateway_label(raw: &str) -> &str {
    current().gateway_aliases.get(raw).map_or(raw, String::as_str)
}

/// A setting from the environment, when set and not empty.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(1, |t| t.matches('\n').count() + 1)
}

/// What `cdrscope config --example` prints: every setting, commented.
pub const EXAMPLE: &str = r#"# cdrscope configuration: ~/.config/cdrscope/config.toml (or $XDG_CONFIG_HOME/cdrscope/,
# or --config FILE). The command line wins over the environment, which wins over this file.

# What a bare `cdrscope` opens, so one word is enough on the softswitch. Any sources the
# command line takes: directories, files, mysql:// URLs (the password never goes here: use
# ~/.my.cnf, MYSQL_PWD or --password-file).
sources = ["mysql://cdrscope@localhost/vos3000"]
# sources = ["/home/kunshi/vos3000/server/cdr"]

# Language of explanations: en, zh or es (else CDRSCOPE_LANG, else the locale).
# lang = "zh"

# Time zone to read and show local times (else CDRSCOPE_TZ, else the machine's zone).
# tz = "Asia/Shanghai"

# holdTime unit: auto (detect from stop - start), ms or s.
# hold_unit = "auto"

# Colours on the console (NO_COLOR in the environment also turns them off).
# colours = true

# The mouse on the console: click a row or a view name, the wheel scrolls. Off, the terminal
# selects text as usual (as --no-mouse does; most terminals also select with Shift held).
# mouse = true

# Readable names for long gateway names: shown everywhere and accepted in filters (the raw
# name still matches). Exports and JSON keep the raw names.
[gateway_aliases]
# "P_YX--C_Coastnet--Indo Mob TK_NCLI" = "Coastnet-ID"
# "对接线路" = "Main-In"

# Health verdicts and findings. Shares are fractions (0.7 = 70%). Defaults from the guides.
[thresholds]
# answered_healthy = 0.70
# answered_degraded = 0.50
# ner_healthy = 0.80
# ner_degraded = 0.60
# sip_5xx_healthy = 0.10
# sip_5xx_degraded = 0.20
# busy_486_healthy = 0.10
# busy_486_degraded = 0.20
# no_billing_healthy = 0.05
# outage_gateway_min_calls = 100
# outage_bucket_min_calls = 20
# outage_fraction = 0.5
# outage_min_z = 5.0
# Findings (`cdrscope summary` and the Stats view's Findings table):
# min_z = 5.0                     # standard deviations a move must pass
# yesterday_min_z = 3.0           # ...and against the same hours the day before, when known
# bucket_minutes = 15             # smallest time bucket looked at
# short_call_secs = 6             # an answered call shorter than this is "short"
# pdd_slow_share = 0.4            # PDD: share of calls slower than the gateway's usual 90th pct
# pdd_factor = 1.8                # PDD: window median at least this times the usual one
# false_answer_short_share = 0.5  # false answer: share of answers that are short
# routing_hole_min_calls = 20     # routing hole: no-route failures to one prefix
# scanner_min_attempts = 50       # scanner: odd attempts from one IP in one window
# unbilled_min_calls = 5          # revenue leak: answered calls with billingMode -1
# capacity_min_calls = 10         # capacity: line-limit refusals on one gateway
# change_min_calls = 30           # what changed: calls an hour needs on each side
# change_volume_factor = 2.0      # what changed: volume factor (x1.5 with no yesterday)
# change_min_asr_points = 0.15    # what changed: answer-rate move (0.15 = 15 points)
# reconcile_grace_secs = 120      # reconciliation: look for a call in the other source this long after it ended

# Keys, by action name (`cdrscope config --keys` lists them all with their contexts). A key
# is a character as typed, or Up, Down, Left, Right, PageUp, PageDown, Home, End, Enter, Esc,
# Tab, BackTab, Backspace, Space, or Ctrl-X. The help screen and footers follow.
[keys]
# filter_prompt = ["/", "F"]
# quit = "q"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses() {
        let c = Config::parse(EXAMPLE, "example").expect("example");
        assert_eq!(c.sources, ["mysql://cdrscope@localhost/vos3000"]);
        assert_eq!(c.thresholds, Thresholds::default());
    }

    #[test]
    fn each_kind_of_bad_line_names_its_line() {
        let cases = [
            ("sources = [\"/cdr\"]\nlang = \"fr\"\n", 2, "use en, zh or es"),
            ("tz = \"Mars/Olympus\"\n", 1, "unknown time zone"),
            ("hold_unit = \"min\"\n", 1, "use auto, ms or s"),
            ("\n\ncolour = true\n", 3, "unknown field"),
            ("[thresholds]\nanswered_healthy = 70\n", 2, "between 0 and 1"),
            ("[thresholds]\nanswred_healthy = 0.7\n", 2, "unknown field"),
            ("sources = \"/cdr\"\n", 1, "invalid type"),
            ("[keys]\nfilter_promt = \"/\"\n", 2, "no action named"),
            ("[keys]\nquit = \"Ctrl-Q-Z\"\n", 2, "not a key"),
            ("[gateway_aliases]\n\"GW-1\" = \"\"\n", 2, "is empty"),
            ("lang = \n", 1, ""),
        ];
        for (text, line, needle) in cases {
            let e = Config::parse(text, "c.toml").expect_err(text);
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.to_string().starts_with(&format!("c.toml:{line}: ")), "{e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn settings_read() {
        let c = Config::parse(
            "sources = [\"/var/cdr\", \"mysql://ro@localhost/vos3000\"]\nlang = \"zh\"\ntz = \"+08:00\"\ncolors = false\n[gateway_aliases]\n\"P_YX--C_Coastnet--Indo Mob TK_NCLI\" = \"Coastnet-ID\"\n[thresholds]\nanswered_healthy = 0.8\n[keys]\nfilter_prompt = [\"/\", \"F\"]\n",
            "c.toml",
        )
        .expect("parses");
        assert_eq!(c.sources.len(), 2);
        assert_eq!(
            (c.lang.as_deref(), c.tz.as_deref(), c.colours),
            (Some("zh"), Some("+08:00"), Some(false))
        );
        assert_eq!(c.gateway_aliases["P_YX--C_Coastnet--Indo Mob TK_NCLI"], "Coastnet-ID");
        assert_eq!(c.thresholds.answered_healthy, 0.8);
        assert_eq!(c.thresholds.answered_degraded, 0.5, "unset thresholds keep their defaults");
        assert_eq!(c.keys["filter_prompt"].keys(), ["/", "F"]);
    }
}
