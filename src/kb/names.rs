//! Names of end-reason codes, from three registries embedded at build time:
//! VOS3000's own table (`assets/kb/vos3000_endreason_codes.csv`, taken from the vendor's
//! localisation files, versions 2.1.4.0 and 2.1.8.05), the IANA SIP status codes and the
//! ITU-T Q.850 causes (`assets/kb/*.tsv`).
//!
//! How a CDR value is read: negative = VOS3000's own reason, 1..=128 = Q.850 cause,
//! 129..=699 = SIP status. (SIP 1xx overlaps Q.850 100..128 on paper, but a 1xx is never a
//! final answer, so a CDR value there is a Q.850 cause.)

use std::collections::HashMap;
use std::sync::OnceLock;

const VOS_CSV: &str = include_str!("../../assets/kb/vos3000_endreason_codes.csv");
const SIP_TSV: &str = include_str!("../../assets/kb/sip-status-codes.tsv");
const Q850_TSV: &str = include_str!("../../assets/kb/q850-causes.tsv");

/// One VOS3000 end reason from the vendor table.
#[derive(Debug, Clone)]
pub struct VendorReason {
    pub code: i32,
    /// English name in the newest version that has it.
    pub name_en: String,
    pub name_zh: String,
    /// Older English spelling where the vendor renamed it (e.g. CalledPhoneBusy).
    pub old_name_en: Option<String>,
    /// First version known to have it.
    pub since: &'static str,
}

pub struct Registry {
    pub vendor: Vec<VendorReason>,
    /// Vendor's CamelCase names for Q.850 causes (e.g. NormalCallClearing).
    pub vendor_q850: HashMap<i32, String>,
    pub sip: HashMap<i32, String>,
    pub q850: HashMap<i32, String>,
    /// Q.850 cause classes ("normal event", "resource unavailable", ...).
    pub q850_class: HashMap<i32, String>,
    by_name: HashMap<String, i32>,
}

/// Lowercase, with spaces, `_`, `-` and `.` removed, so `No Available Router`,
/// `no_available_router` and `NoAvailableRouter` meet.
pub fn name_key(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '\t')).flat_map(char::to_lowercase).collect()
}

pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(build)
}

fn build() -> Registry {
    let mut vendor = Vec::new();
    let mut vendor_q850 = HashMap::new();
    for line in VOS_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 5 {
            continue;
        }
        let Ok(code) = f[0].trim().parse::<i32>() else { continue };
        let (en_old, zh_old, en_new, zh_new) = (f[1].trim(), f[2].trim(), f[3].trim(), f[4].trim());
        if code < 0 {
            let name_en = if en_new.is_empty() { en_old } else { en_new };
            let name_zh = if zh_new.is_empty() { zh_old } else { zh_new };
            vendor.push(VendorReason {
                code,
                name_en: name_en.to_string(),
                name_zh: name_zh.to_string(),
                old_name_en: (!en_old.is_empty() && en_old != name_en).then(|| en_old.to_string()),
                since: if en_old.is_empty() { "2.1.8.05" } else { "2.1.4.0" },
            });
        } else if (1..=128).contains(&code) {
            vendor_q850.insert(code, en_new.to_string());
        }
    }
    let sip = tsv_names(SIP_TSV);
    let q850 = tsv_names(Q850_TSV);
    let q850_class = Q850_TSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.first()?.trim().parse::<i32>().ok()?, f.get(2)?.trim().to_string()))
        })
        .collect();
    let mut by_name = HashMap::new();
    // Least preferred first, so that VOS3000's own names win a clash (UserBusy is both -39 and
    // the vendor's label for Q.850 17; NoAnswer is -43 and Q.850 19).
    let mut sip_sorted: Vec<_> = sip.iter().collect();
    sip_sorted.sort_by(|a, b| b.0.cmp(a.0));
    for (code, name) in sip_sorted {
        by_name.insert(name_key(name), *code);
    }
    for (code, name) in &vendor_q850 {
        by_name.insert(name_key(name), *code);
    }
    for v in &vendor {
        by_name.insert(name_key(&v.name_en), v.code);
        by_name.insert(name_key(&v.name_zh), v.code);
        if let Some(old) = &v.old_name_en {
            by_name.insert(name_key(old), v.code);
        }
    }
    Registry { vendor, vendor_q850, sip, q850, q850_class, by_name }
}

fn tsv_names(tsv: &str) -> HashMap<i32, String> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let code = f.next()?.trim().parse::<i32>().ok()?;
            Some((code, f.next()?.trim().to_string()))
        })
        .collect()
}

/// What kind of code an integer end reason is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Vos,
    Q850,
    Sip,
    Unknown,
}

pub fn code_kind(code: i32) -> CodeKind {
    match code {
        c if c < 0 => CodeKind::Vos,
        1..=128 => CodeKind::Q850,
        129..=699 => CodeKind::Sip,
        _ => CodeKind::Unknown,
    }
}

/// The short English name of an end-reason code, if any registry has it.
pub fn code_name(code: i32) -> Option<&'static str> {
    let r = registry();
    match code_kind(code) {
        CodeKind::Vos => r.vendor.iter().find(|v| v.code == code).map(|v| v.name_en.as_str()),
        CodeKind::Q850 => r.q850.get(&code).or_else(|| r.vendor_q850.get(&code)).map(String::as_str),
        CodeKind::Sip => r.sip.get(&code).map(String::as_str),
        CodeKind::Unknown => None,
    }
}

/// The code a written name stands for (VOS3000 names in English or Chinese, SIP reason
/// phrases, the vendor's Q.850 names).
pub fn code_for_name(name: &str) -> Option<i32> {
    registry().by_name.get(&name_key(name)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_whole() {
        let r = registry();
        assert_eq!(r.vendor.len(), 97);
        assert_eq!(r.sip.len(), 75);
        assert_eq!(r.q850.len(), 71);
        assert_eq!(r.vendor.iter().filter(|v| v.since == "2.1.8.05").count(), 21);
    }

    #[test]
    fn names_both_ways() {
        assert_eq!(code_for_name("NoAvailableRouter"), Some(-69));
        assert_eq!(code_for_name("no available router"), Some(-69));
        assert_eq!(code_for_name("无可用路由"), Some(-69));
        assert_eq!(code_for_name("CalledPhoneBusy"), Some(-20));
        assert_eq!(code_for_name("UserBusy"), Some(-39));
        assert_eq!(code_for_name("Service Unavailable"), Some(503));
        assert_eq!(code_for_name("NormalCallClearing"), Some(16));
        assert_eq!(code_for_name("nonsense words"), None);
        assert_eq!(code_name(-69), Some("NoAvailableRouter"));
        assert_eq!(code_name(503), Some("Service Unavailable"));
        assert_eq!(code_name(16), Some("Normal call clearing"));
        assert_eq!(code_name(128), Some("ErrorInCauseIE"));
        assert_eq!(code_name(-1000), None);
    }
}
