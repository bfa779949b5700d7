//! Fuzzy matching, in one place: the knowledge-base lookup and the console's pickers rank with
//! this and nothing else, so the matcher can be swapped without touching them.

use std::sync::OnceLock;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

fn matcher() -> &'static SkimMatcherV2 {
    static M: OnceLock<SkimMatcherV2> = OnceLock::new();
    M.get_or_init(|| SkimMatcherV2::default().ignore_case())
}

/// How well `pattern` matches `text` (higher is better), or `None` when it does not match.
pub fn score(text: &str, pattern: &str) -> Option<i64> {
    matcher().fuzzy_match(text, pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_beats_scattered() {
        let tight = score("NoAvailableRouter", "route").expect("match");
        let loose = score("Request Entity Too Large", "route").unwrap_or(0);
        assert!(tight > loose);
        assert!(score("abc", "xyz").is_none());
        assert!(score("账户余额不足", "余额不足").is_some());
    }
}
