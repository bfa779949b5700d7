//! ARCHITECTURE.md stays true: every file and folder it names exists, and every registry it
//! names holds what it says.

use std::path::Path;

#[test]
fn every_path_architecture_md_names_exists() {
    let doc = include_str!("../ARCHITECTURE.md");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    let mut named = 0usize;
    for (k, part) in doc.split('`').enumerate() {
        // Odd parts are inside backticks; templates (`<form>.rs`) name no file.
        if k % 2 == 0 || !part.starts_with("src/") || part.contains('<') || part.contains(' ') {
            continue;
        }
        named += 1;
        if !root.join(part).exists() {
            missing.push(part.to_string());
        }
    }
    assert!(named >= 12, "ARCHITECTURE.md names only {named} paths: did its form change?");
    assert!(missing.is_empty(), "ARCHITECTURE.md names paths that do not exist: {missing:?}");
}

#[test]
fn the_registries_it_names_are_where_it_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, registry) in [
        ("src/cdr/formats/mod.rs", "pub static FORMATS"),
        ("src/findings/mod.rs", "pub const DETECTORS"),
        ("src/tui/views/mod.rs", "pub static SCREENS"),
        ("src/cdr/sources/source.rs", "pub trait Source"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).expect("readable");
        assert!(text.contains(registry), "{file} no longer holds `{registry}`");
    }
}
