//! One knowledge-base entry, and its form in the data files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Normal events (answered calls, normal clearing).
    #[default]
    Info,
    /// User behaviour (busy, no answer): only their share matters.
    Low,
    Medium,
    High,
    /// Security and fraud.
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// An entry as written in a data file (`[[entry]]`); every field but `id` is optional so that
/// translation and override files give only what they change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    pub id: String,
    pub name: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub meaning: Option<String>,
    pub causes: Option<Vec<String>>,
    pub fixes: Option<Vec<String>>,
    pub parameters: Option<Vec<String>>,
    pub related: Option<Vec<String>>,
    pub failover: Option<String>,
    pub billing: Option<String>,
    pub severity: Option<Severity>,
    pub source: Option<String>,
    pub default: Option<String>,
    pub settings: Option<Vec<Setting>>,
}

/// A setting of VOS3000 an entry tells the operator to look at, as the vendor names it, with
/// what holds it (`phone`, `mapping_gateway`, `routing_gateway`, `account`). Every one is in
/// `assets/kb/vendor-settings.tsv` with the page of the vendor document that names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub name: String,
    pub entity: String,
}

/// A data file: a list of `[[entry]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub entry: Vec<RawEntry>,
}

/// A complete entry in one language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    /// `namespace:code`, e.g. `vos:-69`, `sip:503`, `q850:16`, `parameter:SS_SIP_TIMEOUT_INVITE`.
    pub id: String,
    /// vos, sip, q850, guide, billing_mode, callee_billing, end_direction, call_level,
    /// sip_class, parameter, or an operator's own.
    pub namespace: String,
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub meaning: String,
    pub causes: Vec<String>,
    pub fixes: Vec<String>,
    /// Settings of phones, gateways and accounts that bear on it (vendor names).
    pub settings: Vec<Setting>,
    /// Softswitch parameters that bear on it.
    pub parameters: Vec<String>,
    /// Ids of related entries (RFC 3398 SIP <-> Q.850 mappings included).
    pub related: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing: Option<String>,
    /// Who produces the code and where to look (see [`super::origin`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The RFC 3398 mappings of a SIP or Q.850 entry, as sentences.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rfc3398: Vec<String>,
    pub severity: Severity,
    /// Where the facts come from (registry, vendor table, seed guides).
    pub source: String,
    /// Parameters: the default value as documented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The name in every language known.
    pub names: BTreeMap<String, String>,
    /// VOS3000 versions that have the code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<String>,
    /// Q.850 class or SIP class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The language the text is in.
    pub lang: String,
    /// True when some text fell back to English for want of a translation.
    pub fallback: bool,
    /// Set when an operator's file changed or added the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overridden_by: Option<String>,
}
