//! Searching the shown calls (`*`, then `n`/`N`): moves the selection to the next call whose
//! numbers, gateways or end reason contain the text, and marks matching cells. Unlike the
//! filter it hides nothing. Gateway and end-reason texts are checked once per pool entry, so
//! a row costs a few lookups plus its two numbers.

use crate::cdr::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// What was typed, lowercased (matching ignores case).
    pub needle: String,
}

/// The position in `rows` of the next match after `from` (forward) or before it (backward),
/// wrapping around; `None` when no shown call matches.
pub fn find(store: &Store, rows: &[u32], from: usize, forward: bool, needle: &str) -> Option<usize> {
    if needle.is_empty() || rows.is_empty() {
        return None;
    }
    let hit = |s: &str| s.to_lowercase().contains(needle);
    let gateways: Vec<bool> = (0..store.pools.gateways.len())
        .map(|id| {
            let name = store.pools.gateways.resolve(id as u32);
            hit(name) || hit(crate::config::gateway_label(name))
        })
        .collect();
    let reasons: Vec<bool> =
        store.pools.reasons.iter().map(|(_, r)| hit(&format!("{r} {}", r.name()))).collect();
    let c = &store.cols;
    let matches = |i: usize| -> bool {
        gateways.get(c.caller_gw[i] as usize).copied().unwrap_or(false)
            || gateways.get(c.callee_gw[i] as usize).copied().unwrap_or(false)
            || reasons.get(usize::from(c.reason[i])).copied().unwrap_or(false)
            || store.caller(i).contains(needle)
            || store.callee(i).contains(needle)
    };
    let n = rows.len();
    (1..=n)
        .map(|step| if forward { (from + step) % n } else { (from + n - step % n) % n })
        .find(|&k| rows.get(k).is_some_and(|&r| matches(r as usize)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let text = "861|2|2026-11-20 10:00:00|2026-11-20 10:00:30|20000|503|1|CUST-A|CT-Route-2|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n\
                    862|2|2026-11-20 10:01:00|2026-11-20 10:01:30|20000|-9|1|CUST-A|CM-Route-1|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n\
                    863|2|2026-11-20 10:02:00|2026-11-20 10:02:30|20000|503|1|CUST-B|ct-route-2|1.1.1.1|2.2.2.2|1|2|1|2|0|1\n";
        let specs =
            [crate::cdr::SourceSpec::Memory { name: "m".into(), data: std::sync::Arc::new(text.into()) }];
        crate::cdr::load(&specs, &Default::default(), Default::default()).map(|l| l.store).unwrap_or_default()
    }

    #[test]
    fn finds_forward_and_back_with_wrap() {
        let store = store();
        let rows: Vec<u32> = (0..store.len() as u32).collect();
        assert_eq!(rows.len(), 3);
        // Gateways ignore case; it wraps past the end.
        assert_eq!(find(&store, &rows, 0, true, "ct-route"), Some(2));
        assert_eq!(find(&store, &rows, 2, true, "ct-route"), Some(0));
        assert_eq!(find(&store, &rows, 0, false, "ct-route"), Some(2));
        // End reasons by code or name, numbers by digits.
        assert_eq!(find(&store, &rows, 0, true, "-9 "), Some(1));
        assert_eq!(find(&store, &rows, 0, true, "863"), Some(2));
        assert_eq!(find(&store, &rows, 0, true, "no such text anywhere"), None);
    }
}
