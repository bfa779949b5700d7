//! `cdrscope lookup` and the console's palette: exact readings first (codes, ids, names,
//! aliases), then fuzzy matches over names, aliases and meanings in every language.

use super::entry::Entry;
use super::load::{Kb, SearchField};
use super::resolve::resolve;

#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub entry: &'a Entry,
    /// Higher is better; exact readings rank above every fuzzy match.
    pub score: i64,
    pub exact: bool,
}

/// How many fuzzy hits to return at most.
const MAX_FUZZY: usize = 25;
/// A fuzzy hit must score at least this share of the best one.
const KEEP_SHARE: f64 = 0.4;

/// On a VOS3000 console the vendor's own codes are what operators mostly ask about: when
/// scores are close, they come first, then guide names and SIP codes, then the rest.
fn prior(namespace: &str) -> i64 {
    match namespace {
        "vos" => 12,
        "guide" | "sip" => 11,
        _ => 10,
    }
}

fn weight(f: SearchField) -> i64 {
    match f {
        SearchField::Name | SearchField::Alias => 3,
        SearchField::Text => 1,
    }
}

/// Entries matching a query, best first.
pub fn lookup<'a>(kb: &'a Kb, query: &str) -> Vec<Hit<'a>> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<Hit<'a>> = Vec::new();
    if let Ok(readings) = resolve(kb, q) {
        let n = readings.len() as i64;
        for (k, r) in readings.into_iter().enumerate() {
            hits.push(Hit { entry: r.entry, score: i64::MAX - n + (n - k as i64), exact: true });
        }
    }
    let mut fuzzy: Vec<Hit<'a>> = Vec::new();
    for (i, e) in kb.entries().iter().enumerate() {
        if hits.iter().any(|h| h.entry.id == e.id) {
            continue;
        }
        let best = kb
            .search_texts(i)
            .iter()
            .filter_map(|(text, field)| crate::fuzzy::score(text, q).map(|s| s * weight(*field)))
            .max();
        if let Some(score) = best {
            fuzzy.push(Hit { entry: e, score: score * prior(&e.namespace) / 10, exact: false });
        }
    }
    fuzzy.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.entry.id.cmp(&b.entry.id)));
    if let Some(top) = fuzzy.first().map(|h| h.score) {
        let floor = (top as f64 * KEEP_SHARE) as i64;
        fuzzy.retain(|h| h.score >= floor);
    }
    fuzzy.truncate(MAX_FUZZY);
    hits.extend(fuzzy);
    hits
}
