//! Reading a raw CDR end-reason value: which entries can it mean, best first.
//!
//! Negative integers are VOS3000's own reasons, 1..=128 Q.850 causes, 129..=699 SIP status
//! codes (a 1xx in 100..=128 is also given, second, as the SIP reading). Qualified ids
//! (`sip:503`) name one entry. Names and aliases in any language resolve to every entry that
//! carries them; nothing is hidden when a value has several readings.

use super::entry::Entry;
use super::load::Kb;
use super::names::name_key;

/// One possible meaning of a value.
#[derive(Debug, Clone)]
pub struct Reading<'a> {
    pub entry: &'a Entry,
    /// Why this reading applies ("a negative value is a VOS3000 reason", ...).
    pub why: String,
}

/// Order of namespaces when a name matches several entries.
fn namespace_rank(ns: &str) -> usize {
    [
        "vos",
        "sip",
        "q850",
        "guide",
        "billing_mode",
        "end_direction",
        "callee_billing",
        "call_level",
        "sip_class",
        "parameter",
    ]
    .iter()
    .position(|n| *n == ns)
    .unwrap_or(99)
}

/// The readings of a value, best first; `Err` says why there is none.
pub fn resolve<'a>(kb: &'a Kb, raw: &str) -> Result<Vec<Reading<'a>>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err("the end reason is empty: the CDR records no reason".into());
    }
    if let Some(e) = kb.get(v) {
        return Ok(vec![Reading { entry: e, why: "exact id".into() }]);
    }
    if let Ok(code) = v.parse::<i64>() {
        return resolve_code(kb, code);
    }
    // `SIP 503`, `Q.850 16` written out.
    let lower = v.to_ascii_lowercase();
    for (prefix, ns) in [("sip ", "sip"), ("q.850 ", "q850"), ("q850 ", "q850"), ("vos ", "vos")] {
        if let Some(rest) = lower.strip_prefix(prefix)
            && let Some(e) = kb.get(&format!("{ns}:{}", rest.trim()))
        {
            return Ok(vec![Reading { entry: e, why: "exact id".into() }]);
        }
    }
    // A Reason header value pasted from a CDR's sipreasonheader:
    // `Q.850;cause=34;text="No circuit/channel available"`.
    if lower.contains("cause=")
        && let Some(id) = crate::kb::reason_header::ReasonHeader::parse(v).and_then(|h| h.kb_id())
    {
        return match kb.get(&id) {
            Some(e) => {
                Ok(vec![Reading { entry: e, why: "the cause of a Reason header (sipreasonheader)".into() }])
            }
            None => Err(format!("the Reason header names {id}, which has no entry")),
        };
    }
    let key = name_key(v);
    let mut found: Vec<(usize, usize, &Entry)> = Vec::new();
    for e in kb.entries() {
        let primary = name_key(&e.name) == key || e.names.values().any(|n| name_key(n) == key);
        let alias = e.aliases.iter().any(|a| name_key(a) == key);
        if primary || alias {
            found.push((usize::from(!primary), namespace_rank(&e.namespace), e));
        }
    }
    if found.is_empty() {
        return Err(format!("no entry is named '{v}'"));
    }
    found.sort_by_key(|(alias, ns, _)| (*alias, *ns));
    Ok(found
        .into_iter()
        .map(|(alias, _, e)| Reading {
            entry: e,
            why: if alias == 0 {
                format!("the name of {}", e.id)
            } else {
                format!("another name for {}", e.id)
            },
        })
        .collect())
}

fn resolve_code(kb: &Kb, code: i64) -> Result<Vec<Reading<'_>>, String> {
    let mut out = Vec::new();
    let mut push = |id: String, why: &str| {
        if let Some(e) = kb.get(&id) {
            out.push(Reading { entry: e, why: why.to_string() });
        }
    };
    match code {
        // The client's and web interface's own errors are far below the end reasons.
        c if c <= -10_000 => {
            push(format!("client:{c}"), "a VOS3000 client or interface error, not an end reason")
        }
        c if c < 0 => push(format!("vos:{c}"), "a negative value is VOS3000's own end reason"),
        0 => push("vos:0".into(), "0 is the vendor's success value"),
        1..=128 => {
            push(format!("q850:{code}"), "1..128 is a Q.850 cause");
            if (100..=128).contains(&code) {
                push(format!("sip:{code}"), "also a SIP provisional code, which is rarely a final result");
            }
        }
        129..=699 => push(format!("sip:{code}"), "129..699 is a SIP status code"),
        _ => {}
    }
    if out.is_empty() {
        return Err(match code {
            c if c <= -10_000 => format!(
                "{c} is not among the VOS3000 client and interface errors this build knows: look it up in the client's own error list"
            ),
            c if c < 0 => format!(
                "VOS3000 reason {c} is not in the vendor's tables (2.1.4.0, 2.1.8.05): a newer version or a local code; add it to your kb.toml"
            ),
            0 => "0 is not an end reason (no reason recorded)".into(),
            c => format!(
                "{c} is not a VOS3000 reason (negative), a Q.850 cause (1..128) or a SIP status (300..699) in the registries"
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::Lang;

    fn ids(kb: &Kb, v: &str) -> Vec<String> {
        resolve(kb, v).map(|r| r.iter().map(|x| x.entry.id.clone()).collect()).unwrap_or_default()
    }

    #[test]
    fn cdr_values() {
        let kb = Kb::builtin(Lang::En).expect("kb");
        assert_eq!(ids(&kb, "-69"), ["vos:-69"]);
        assert_eq!(ids(&kb, "16"), ["q850:16"]);
        assert_eq!(ids(&kb, "503"), ["sip:503"]);
        assert_eq!(ids(&kb, "NoAvailableRouter"), ["vos:-69"]);
        assert_eq!(ids(&kb, "sip:503"), ["sip:503"]);
        assert_eq!(ids(&kb, "q850:16"), ["q850:16"]);
        assert_eq!(ids(&kb, "vos:-69"), ["vos:-69"]);
        assert_eq!(ids(&kb, "100"), ["q850:100", "sip:100"]);
        assert!(resolve(&kb, "-500").expect_err("unknown").contains("not in the vendor"));
        assert!(resolve(&kb, "12345").is_err());
        assert!(resolve(&kb, "Frobnicated").is_err());
    }

    #[test]
    fn ambiguous_names_give_every_reading() {
        let kb = Kb::builtin(Lang::En).expect("kb");
        let busy = ids(&kb, "UserBusy");
        assert_eq!(busy[0], "vos:-39");
        assert!(busy.contains(&"q850:17".to_string()));
        let no_answer = ids(&kb, "NoAnswer");
        assert_eq!(no_answer[0], "vos:-43");
        assert!(no_answer.contains(&"q850:19".to_string()));
        let blacklist = ids(&kb, "Blacklist Match");
        assert_eq!(blacklist, ["vos:-92", "vos:-93"]);
        assert_eq!(
            ids(&kb, "Not Acceptable"),
            ["sip:606", "sip:406"].iter().rev().map(|s| s.to_string()).collect::<Vec<_>>()
        );
    }
}
