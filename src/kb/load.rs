//! Building the knowledge base: the embedded data files, the registry facts, translations
//! (with English fallback, marked) and an operator's own override file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::entry::{Entry, RawEntry, RawFile, Severity};
use super::lang::Lang;
use super::names::registry;

/// The embedded data files: (language, file name, contents).
const FILES: [(Lang, &str, &str); 21] = [
    (Lang::En, "en/vos.toml", include_str!("../../assets/kb/en/vos.toml")),
    (Lang::En, "en/sip.toml", include_str!("../../assets/kb/en/sip.toml")),
    (Lang::En, "en/q850.toml", include_str!("../../assets/kb/en/q850.toml")),
    (Lang::En, "en/guide.toml", include_str!("../../assets/kb/en/guide.toml")),
    (Lang::En, "en/fields.toml", include_str!("../../assets/kb/en/fields.toml")),
    (Lang::En, "en/parameter.toml", include_str!("../../assets/kb/en/parameter.toml")),
    (Lang::En, "en/client.toml", include_str!("../../assets/kb/en/client.toml")),
    (Lang::Zh, "zh/client.toml", include_str!("../../assets/kb/zh/client.toml")),
    (Lang::Zh, "zh/q850.toml", include_str!("../../assets/kb/zh/q850.toml")),
    (Lang::Es, "es/q850.toml", include_str!("../../assets/kb/es/q850.toml")),
    (Lang::Zh, "zh/parameter.toml", include_str!("../../assets/kb/zh/parameter.toml")),
    (Lang::Es, "es/parameter.toml", include_str!("../../assets/kb/es/parameter.toml")),
    (Lang::Es, "es/client.toml", include_str!("../../assets/kb/es/client.toml")),
    (Lang::Zh, "zh/vos.toml", include_str!("../../assets/kb/zh/vos.toml")),
    (Lang::Zh, "zh/sip.toml", include_str!("../../assets/kb/zh/sip.toml")),
    (Lang::Zh, "zh/fields.toml", include_str!("../../assets/kb/zh/fields.toml")),
    (Lang::Zh, "zh/guide.toml", include_str!("../../assets/kb/zh/guide.toml")),
    (Lang::Es, "es/vos.toml", include_str!("../../assets/kb/es/vos.toml")),
    (Lang::Es, "es/sip.toml", include_str!("../../assets/kb/es/sip.toml")),
    (Lang::Es, "es/fields.toml", include_str!("../../assets/kb/es/fields.toml")),
    (Lang::Es, "es/guide.toml", include_str!("../../assets/kb/es/guide.toml")),
];

const ISUP_TO_SIP: &str = include_str!("../../assets/kb/isup-to-sip.tsv");
const SIP_TO_ISUP: &str = include_str!("../../assets/kb/sip-to-isup.tsv");

#[derive(Debug, Error)]
pub enum KbError {
    #[error("{file}:{line}: {message}")]
    Data { file: String, line: usize, message: String },
    #[error("cannot read {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// The knowledge base in one language.
#[derive(Debug, Clone)]
pub struct Kb {
    pub lang: Lang,
    /// The operator's own entries file it was built with, to build it again in another
    /// language.
    user_file: Option<PathBuf>,
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    /// Per entry: every name, alias and meaning in every language, for lookup.
    search: Vec<Vec<(String, SearchField)>>,
}

/// What a piece of search text is, so names count more than prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    Name,
    Alias,
    Text,
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// The line on which an entry with this id is declared, for messages.
fn line_of_id(text: &str, id: &str) -> usize {
    let needle = format!("\"{id}\"");
    text.find(&needle).map_or(1, |b| line_of(text, b))
}

fn parse_file(file: &str, text: &str) -> Result<Vec<RawEntry>, KbError> {
    toml::from_str::<RawFile>(text).map(|f| f.entry).map_err(|e| KbError::Data {
        file: file.to_string(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })
}

fn split_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':').filter(|(ns, code)| !ns.is_empty() && !code.is_empty())
}

/// Pairs of bare codes, one RFC 3398 table.
type CodePairs = Vec<(String, String)>;

/// The RFC 3398 tables as (cause, SIP code) for ISDN to SIP and (SIP code, cause) for SIP to
/// ISDN, codes bare.
fn rfc3398_tables() -> (CodePairs, CodePairs) {
    let strip = |id: &str| id.split_once(':').map_or(id.to_string(), |(_, c)| c.to_string());
    let (mut to_sip, mut to_cause) = (Vec::new(), Vec::new());
    for (a, b) in rfc3398_links() {
        if a.starts_with("q850:") {
            to_sip.push((strip(&a), strip(&b)));
        } else {
            to_cause.push((strip(&a), strip(&b)));
        }
    }
    for v in [&mut to_sip, &mut to_cause] {
        v.sort();
        v.dedup();
    }
    (to_sip, to_cause)
}

/// SIP <-> Q.850 links from the RFC 3398 tables (both directions).
fn rfc3398_links() -> Vec<(String, String)> {
    let mut links = Vec::new();
    let rows = |tsv: &'static str| tsv.lines().skip(1).map(|l| l.split('\t').collect::<Vec<_>>());
    for f in rows(ISUP_TO_SIP) {
        if f.first() == Some(&"mapping")
            && let (Some(c), Some(s)) = (f.get(1), f.get(4))
            && !c.is_empty()
            && !s.is_empty()
        {
            links.push((format!("q850:{c}"), format!("sip:{s}")));
        }
    }
    for f in rows(SIP_TO_ISUP) {
        if f.first() == Some(&"mapping")
            && let (Some(s), Some(c)) = (f.get(1), f.get(3))
            && !c.is_empty()
            && !s.is_empty()
        {
            links.push((format!("sip:{s}"), format!("q850:{c}")));
        }
    }
    links
}

fn complete(raw: RawEntry, file: &str, text: &str) -> Result<Entry, KbError> {
    let err =
        |message: String| KbError::Data { file: file.to_string(), line: line_of_id(text, &raw.id), message };
    let Some((ns, code)) = split_id(&raw.id) else {
        return Err(err(format!(
            "id '{}' must look like namespace:code (vos:-69, sip:503, local:X)",
            raw.id
        )));
    };
    let reg = registry();
    let mut names = BTreeMap::new();
    let mut aliases = raw.aliases.clone().unwrap_or_default();
    let mut versions = None;
    let mut class = None;
    let name = match ns {
        "vos" => {
            let c: i32 = code.parse().map_err(|_| err(format!("'{code}' is not a VOS3000 code")))?;
            let v = reg.vendor.iter().find(|v| v.code == c);
            match v {
                Some(v) => {
                    names.insert("zh".to_string(), v.name_zh.clone());
                    if let Some(old) = &v.old_name_en {
                        aliases.push(old.clone());
                    }
                    // Per the vendor evidence: -1..-60 by 2.1.2.4, to -76 by 2.1.4.0, to -97 in
                    // 2.1.8.05 (the table itself only covers 2.1.4.0 and 2.1.8.05).
                    versions = Some(match (v.since, c) {
                        ("2.1.4.0", -60..=-1) => "2.1.2.4 and later".to_string(),
                        ("2.1.4.0", _) => "2.1.4.0 and later (not in 2.1.2.4)".to_string(),
                        (since, _) => format!("{since} and later"),
                    });
                    v.name_en.clone()
                }
                None => raw
                    .name
                    .clone()
                    .ok_or_else(|| err(format!("{} is not in the vendor table; give it a name", raw.id)))?,
            }
        }
        "sip" => {
            let c: i32 = code.parse().map_err(|_| err(format!("'{code}' is not a SIP status code")))?;
            class = Some(format!("{}xx", c / 100));
            reg.sip
                .get(&c)
                .cloned()
                .or(raw.name.clone())
                .ok_or_else(|| err(format!("SIP {c} is not in the IANA registry; give it a name")))?
        }
        "q850" => {
            let c: i32 = code.parse().map_err(|_| err(format!("'{code}' is not a Q.850 cause")))?;
            class = reg.q850_class.get(&c).cloned();
            if let Some(camel) = reg.vendor_q850.get(&c) {
                aliases.push(camel.clone());
            }
            reg.q850
                .get(&c)
                .cloned()
                .or_else(|| reg.vendor_q850.get(&c).cloned())
                .or(raw.name.clone())
                .ok_or_else(|| err(format!("Q.850 cause {c} is in no registry; give it a name")))?
        }
        "parameter" => raw.name.clone().unwrap_or_else(|| code.to_string()),
        _ => raw.name.clone().ok_or_else(|| err(format!("{} needs a name", raw.id)))?,
    };
    names.insert("en".to_string(), name.clone());
    let meaning = raw.meaning.clone().ok_or_else(|| err(format!("{} has no meaning", raw.id)))?;
    Ok(Entry {
        id: raw.id.clone(),
        namespace: ns.to_string(),
        code: code.to_string(),
        name,
        aliases,
        meaning,
        causes: raw.causes.unwrap_or_default(),
        fixes: raw.fixes.unwrap_or_default(),
        settings: raw.settings.unwrap_or_default(),
        parameters: raw.parameters.unwrap_or_default(),
        related: raw.related.unwrap_or_default(),
        failover: raw.failover,
        billing: raw.billing,
        origin: None,
        rfc3398: Vec::new(),
        severity: raw.severity.unwrap_or_default(),
        source: raw.source.unwrap_or_default(),
        default: raw.default,
        names,
        versions,
        class,
        lang: Lang::En.code().to_string(),
        fallback: false,
        overridden_by: None,
    })
}

/// Lays translated or overriding fields over an entry.
fn overlay(e: &mut Entry, t: &RawEntry) {
    if let Some(v) = &t.name {
        e.name = v.clone();
    }
    if let Some(v) = &t.aliases {
        for a in v {
            if !e.aliases.contains(a) {
                e.aliases.push(a.clone());
            }
        }
    }
    if let Some(v) = &t.meaning {
        e.meaning = v.clone();
    }
    if let Some(v) = &t.causes {
        e.causes = v.clone();
    }
    if let Some(v) = &t.fixes {
        e.fixes = v.clone();
    }
    if let Some(v) = &t.parameters {
        e.parameters = v.clone();
    }
    if let Some(v) = &t.settings {
        e.settings = v.clone();
    }
    if let Some(v) = &t.related {
        for r in v {
            if !e.related.contains(r) {
                e.related.push(r.clone());
            }
        }
    }
    if t.failover.is_some() {
        e.failover = t.failover.clone();
    }
    if t.billing.is_some() {
        e.billing = t.billing.clone();
    }
    if let Some(s) = t.severity {
        e.severity = s;
    }
    if t.source.is_some() {
        e.source = t.source.clone().unwrap_or_default();
    }
    if t.default.is_some() {
        e.default = t.default.clone();
    }
}

fn default_billing(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "Not billed when the call ends this way before answer (holdTime 0); an answered call is billed for its talk time."
        }
        Lang::Zh => "呼叫在接通前以此结束时不计费(holdTime 为 0);已接通的呼叫按通话时长计费。",
        Lang::Es => {
            "No se factura si la llamada termina así antes de ser contestada (holdTime 0); una llamada contestada se factura por su tiempo de conversación."
        }
    }
}

impl Kb {
    /// The embedded knowledge base in one language.
    pub fn builtin(lang: Lang) -> Result<Kb, KbError> {
        Self::build(lang, None)
    }

    /// The embedded knowledge base plus an operator's file (if it exists).
    pub fn load(lang: Lang, user_file: Option<&Path>) -> Result<Kb, KbError> {
        Self::build(lang, user_file)
    }

    /// The same knowledge base (the operator's file included) in another language.
    pub fn in_lang(&self, lang: Lang) -> Result<Kb, KbError> {
        Self::build(lang, self.user_file.as_deref())
    }

    /// Where an operator's own entries live: `$CDRSCOPE_KB`, else
    /// `$XDG_CONFIG_HOME/cdrscope/kb.toml`, else `~/.config/cdrscope/kb.toml`.
    pub fn user_file_path() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("CDRSCOPE_KB").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("cdrscope").join("kb.toml"))
    }

    fn build(lang: Lang, user_file: Option<&Path>) -> Result<Kb, KbError> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut translations: HashMap<Lang, HashMap<String, RawEntry>> = HashMap::new();
        for (l, file, text) in FILES {
            for raw in parse_file(file, text)? {
                if l == Lang::En {
                    if by_id.contains_key(&raw.id) {
                        return Err(KbError::Data {
                            file: file.into(),
                            line: line_of_id(text, &raw.id),
                            message: format!("{} is defined twice", raw.id),
                        });
                    }
                    let e = complete(raw, file, text)?;
                    by_id.insert(e.id.clone(), entries.len());
                    entries.push(e);
                } else {
                    translations.entry(l).or_default().insert(raw.id.clone(), raw);
                }
            }
        }
        // Each mapping links its two entries to each other, whichever table it is in.
        for (a, b) in rfc3398_links() {
            for (from, to) in [(&a, &b), (&b, &a)] {
                if let (Some(&i), true) = (by_id.get(from), by_id.contains_key(to))
                    && !entries[i].related.contains(to)
                {
                    entries[i].related.push(to.clone());
                }
            }
        }
        // Names in every language, for the search index and the `names` field.
        for (l, map) in &translations {
            for (id, t) in map {
                if let (Some(&i), Some(n)) = (by_id.get(id), &t.name) {
                    entries[i].names.insert(l.code().to_string(), n.clone());
                }
            }
        }
        let mut search: Vec<Vec<(String, SearchField)>> = entries
            .iter()
            .map(|e| {
                let mut s: Vec<(String, SearchField)> =
                    vec![(e.id.clone(), SearchField::Name), (e.name.clone(), SearchField::Name)];
                s.extend(e.names.values().map(|n| (n.clone(), SearchField::Name)));
                s.extend(e.aliases.iter().map(|a| (a.clone(), SearchField::Alias)));
                s.push((e.meaning.clone(), SearchField::Text));
                s
            })
            .collect();
        for map in translations.values() {
            for (id, t) in map {
                if let Some(&i) = by_id.get(id) {
                    search[i].extend(t.aliases.iter().flatten().map(|a| (a.clone(), SearchField::Alias)));
                    search[i].extend(t.meaning.iter().map(|m| (m.clone(), SearchField::Text)));
                }
            }
        }
        // The chosen language over English; what is missing stays English and says so.
        if lang != Lang::En {
            let empty = HashMap::new();
            let map = translations.get(&lang).unwrap_or(&empty);
            for e in &mut entries {
                let t = map.get(&e.id);
                if let Some(t) = t {
                    overlay(e, t);
                }
                if let Some(n) = e.names.get(lang.code()) {
                    e.name = n.clone();
                }
                let translated =
                    t.is_some_and(|t| t.meaning.is_some() && t.causes.is_some() && t.fixes.is_some());
                e.fallback = !translated;
                e.lang = if t.is_some_and(|t| t.meaning.is_some()) {
                    lang.code().to_string()
                } else {
                    Lang::En.code().to_string()
                };
            }
        }
        // Who produced each code, its billing by that where the data gives none (or gives it
        // only in English), its RFC 3398 mappings, and VOS3000's gateway switching after SIP
        // responses and Q.850 causes the data does not describe: in the chosen language.
        let (to_sip, to_cause) = rfc3398_tables();
        for e in &mut entries {
            let origin = super::origin::origin_of(&e.namespace, &e.code);
            e.origin = origin.map(|o| super::origin::who(o, lang).to_string());
            let english_only = lang != Lang::En
                && e.billing.is_some()
                && translations.get(&lang).and_then(|m| m.get(&e.id)).is_none_or(|t| t.billing.is_none());
            if e.billing.is_none() || english_only {
                e.billing = match origin {
                    Some(o) => Some(super::origin::billing(o, &e.code, lang).to_string()),
                    None if ["vos", "sip", "q850", "guide"].contains(&e.namespace.as_str()) => {
                        Some(default_billing(lang).to_string())
                    }
                    None => e.billing.take(),
                };
            }
            let pick = |pairs: &[(String, String)], key: &str| -> Vec<String> {
                pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
            };
            let back = |pairs: &[(String, String)], val: &str| -> Vec<String> {
                pairs.iter().filter(|(_, v)| v == val).map(|(k, _)| k.clone()).collect()
            };
            e.rfc3398 = match e.namespace.as_str() {
                "q850" => super::origin::for_cause(&pick(&to_sip, &e.code), &back(&to_cause, &e.code), lang),
                "sip" => super::origin::for_sip(&pick(&to_cause, &e.code), &back(&to_sip, &e.code), lang),
                _ => Vec::new(),
            };
            if e.failover.is_none() {
                e.failover = match e.namespace.as_str() {
                    "sip" => super::failover::for_sip(&e.code, lang),
                    "q850" => super::failover::for_cause(&e.code, &pick(&to_sip, &e.code), lang),
                    _ => None,
                };
            }
        }
        let mut kb = Kb { lang, user_file: user_file.map(Path::to_path_buf), entries, by_id, search };
        if let Some(path) = user_file
            && path.exists()
        {
            kb.apply_user_file(path)?;
        }
        Ok(kb)
    }

    fn apply_user_file(&mut self, path: &Path) -> Result<(), KbError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| KbError::Io { path: path.to_path_buf(), source: e })?;
        let file = path.display().to_string();
        for raw in parse_file(&file, &text)? {
            let origin = Some(file.clone());
            match self.by_id.get(&raw.id).copied() {
                Some(i) => {
                    let e = &mut self.entries[i];
                    overlay(e, &raw);
                    if raw.meaning.is_some() {
                        e.lang = self.lang.code().to_string();
                    }
                    e.overridden_by = origin;
                    if let Some(n) = &raw.name {
                        self.search[i].push((n.clone(), SearchField::Name));
                    }
                    self.search[i]
                        .extend(raw.aliases.iter().flatten().map(|a| (a.clone(), SearchField::Alias)));
                }
                None => {
                    let mut e = complete(raw, &file, &text)?;
                    e.lang = self.lang.code().to_string();
                    e.overridden_by = origin;
                    let mut s = vec![(e.id.clone(), SearchField::Name), (e.name.clone(), SearchField::Name)];
                    s.extend(e.aliases.iter().map(|a| (a.clone(), SearchField::Alias)));
                    s.push((e.meaning.clone(), SearchField::Text));
                    self.by_id.insert(e.id.clone(), self.entries.len());
                    self.entries.push(e);
                    self.search.push(s);
                }
            }
        }
        Ok(())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// The search texts of entry `i` (same order as [`Kb::entries`]).
    pub fn search_texts(&self, i: usize) -> &[(String, SearchField)] {
        &self.search[i]
    }

    /// Severity of the entry a CDR end reason resolves to first (for colouring).
    pub fn severity_of(&self, id: &str) -> Severity {
        self.get(id).map_or(Severity::Medium, |e| e.severity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_in_every_language() {
        for l in Lang::ALL {
            let kb = Kb::builtin(l).expect("embedded data is valid");
            assert!(kb.get("vos:-69").is_some());
        }
    }

    #[test]
    fn rfc3398_links_both_ways() {
        let kb = Kb::builtin(Lang::En).expect("kb");
        assert!(kb.get("sip:486").expect("486").related.contains(&"q850:17".to_string()));
        assert!(kb.get("q850:17").expect("17").related.contains(&"sip:486".to_string()));
        // RFC 3398 maps cause 18 to 408; the 408 entry names cause 18 too.
        assert!(kb.get("sip:408").expect("408").related.contains(&"q850:18".to_string()));
        // Every mapping of both tables, in every language.
        for lang in [Lang::En, Lang::Zh, Lang::Es] {
            let kb = Kb::builtin(lang).expect("kb");
            let links = rfc3398_links();
            assert!(links.len() >= 58, "{} mappings", links.len());
            for (a, b) in links {
                let (Some(ea), Some(eb)) = (kb.get(&a), kb.get(&b)) else { continue };
                assert!(ea.related.contains(&b), "{lang}: {a} does not link {b}");
                assert!(eb.related.contains(&a), "{lang}: {b} does not link {a}");
            }
        }
    }
}
