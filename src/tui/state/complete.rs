//! Tab completion in the filter prompt: a field name (`out` → `outgw:`), then a value of
//! that field from the loaded calls (gateways, end-reason codes) or the field's own words
//! (`dir:`, `answered:`). Tab again offers the next candidate.

use crate::query::parse::KEYS;

/// What the loaded calls offer as values.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub gateways: Vec<String>,
    pub codes: Vec<String>,
}

/// A completion in progress: the byte range it replaces starts at `start`; `candidates`
/// are whole replacements, `index` the one inserted last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub candidates: Vec<String>,
    pub index: usize,
}

/// The candidates for the word that ends at `cursor`: `(start, candidates)`, where `start` is
/// the byte offset the candidate replaces from. `None` when nothing completes.
pub fn candidates(text: &str, cursor: usize, values: &Values) -> Option<(usize, Vec<String>)> {
    let before = text.get(..cursor)?;
    let word_start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &before[word_start..];
    // A leading '-' negates; it is not part of the field name.
    let (neg, body) = match word.strip_prefix('-') {
        Some(rest) => (1, rest),
        None => (0, word),
    };
    match body.split_once(':') {
        None => {
            let lower = body.to_ascii_lowercase();
            let c: Vec<String> = KEYS
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| k.starts_with(&lower))
                .map(|k| if k.ends_with('>') { k.to_string() } else { format!("{k}:") })
                .collect();
            (!c.is_empty()).then_some((word_start + neg, c))
        }
        Some((key, rest)) => {
            // Complete the last of the comma-separated values.
            let value_start = rest.rfind(',').map_or(0, |i| i + 1);
            let partial = rest[value_start..].trim_start_matches('"').to_lowercase();
            let pool: Vec<String> = match key.to_ascii_lowercase().as_str() {
                "gw" | "ingw" | "outgw" => {
                    let mut v = values.gateways.clone();
                    v.push("none".into());
                    v
                }
                "code" => values.codes.clone(),
                "dir" => vec!["caller".into(), "callee".into(), "server".into()],
                "answered" => vec!["yes".into(), "no".into()],
                "billing" => ["-1", "0", "1", "2", "3"].iter().map(|s| s.to_string()).collect(),
                _ => return None,
            };
            let c: Vec<String> = pool
                .into_iter()
                .filter(|v| v.to_lowercase().starts_with(&partial))
                .map(|v| crate::query::parse::quote_value(&v))
                .collect();
            let start = word_start + neg + key.len() + 1 + value_start;
            (!c.is_empty()).then_some((start, c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            gateways: vec!["CT-Route-2".into(), "CM-Route-1".into(), "对接线路".into(), "My GW".into()],
            codes: vec!["503".into(), "-69".into(), "-9".into()],
        }
    }

    #[test]
    fn fields_then_values() {
        let v = values();
        assert_eq!(candidates("out", 3, &v), Some((0, vec!["outgw:".into(), "outip:".into()])));
        assert_eq!(candidates("code:503 -in", 12, &v), Some((10, vec!["ingw:".into(), "inip:".into()])));
        assert_eq!(candidates("outgw:ct", 8, &v), Some((6, vec!["CT-Route-2".into()])));
        assert_eq!(
            candidates("gw:CT-Route-2,c", 15, &v),
            Some((14, vec!["CT-Route-2".into(), "CM-Route-1".into()]))
        );
        assert_eq!(candidates("code:-", 6, &v), Some((5, vec!["-69".into(), "-9".into()])));
        assert_eq!(candidates("gw:my", 5, &v), Some((3, vec!["\"My GW\"".into()])));
        assert_eq!(candidates("gw:对", 6, &v), Some((3, vec!["对接线路".into()])));
        assert_eq!(candidates("dir:c", 5, &v), Some((4, vec!["caller".into(), "callee".into()])));
        assert_eq!(candidates("zzz", 3, &v), None);
        assert_eq!(candidates("caller:86", 9, &v), None);
    }
}
