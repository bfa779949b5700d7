//! The README's console key table says what the help screen says: every action bound outside
//! prompts has at least one of its keys in the table, and every key the table names is bound.
//! The help screen itself is generated from the keymap.

use cdrscope::keys::{Context, Keymap};

fn key_table() -> String {
    let readme = include_str!("../README.md");
    let start = readme.find("| key | does |").expect("the README has the key table");
    readme[start..].split("\n\n").next().unwrap_or_default().to_string()
}

/// The keys a table cell names: the text between backticks.
fn named(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn the_readme_key_table_matches_the_keymap() {
    let table = key_table();
    let keys_column: Vec<String> =
        table.lines().skip(2).filter_map(|l| l.split('|').nth(1)).flat_map(named).collect();
    let map = Keymap::default();
    let shown = |k: &str| if k == "BackTab" { "Shift-Tab".to_string() } else { k.to_string() };
    let mut missing = Vec::new();
    for ctx in [Context::Global, Context::Calls, Context::Stats, Context::Menu] {
        for b in map.in_context(ctx) {
            if !b.keys.iter().any(|k| keys_column.contains(&shown(k))) {
                missing.push(format!("{} ({:?}: {})", b.action.name(), b.keys, b.help));
            }
        }
    }
    assert!(missing.is_empty(), "not in the README's key table:\n{}", missing.join("\n"));
    // And nothing in the table that no context binds (Ctrl-C quits everywhere; "in a prompt"
    // lines name prompt keys).
    let all: Vec<String> = map.bindings.iter().flat_map(|b| b.keys.iter().map(|k| shown(k))).collect();
    for k in &keys_column {
        for part in k.split(['/', ',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            assert!(
                part == "Ctrl-C" || all.iter().any(|a| a == part),
                "the README names '{part}', which no action has"
            );
        }
    }
}
