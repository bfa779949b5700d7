//! The filter language: parsing any text, and evaluating what parses over a few calls.
#![no_main]

use std::sync::{Arc, OnceLock};

use cdrscope::cdr::{LoadOptions, Progress, SourceSpec, Store, Zone, load};
use cdrscope::query::{Context, evaluate, parse};
use libfuzzer_sys::fuzz_target;

fn store() -> &'static Store {
    static S: OnceLock<Store> = OnceLock::new();
    S.get_or_init(|| {
        let data = include_bytes!("../../tests/fixtures/real/e_cdr_2023-07-16_12rows.tsv");
        let specs = vec![SourceSpec::Memory { name: "real".into(), data: Arc::new(data.to_vec()) }];
        let opts = LoadOptions { zone: Zone::parse("UTC").expect("utc"), ..LoadOptions::default() };
        load(&specs, &opts, Arc::new(Progress::default())).expect("fixture loads").store
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(q) = parse(text) {
        let _ = evaluate(&q, &Context::new(store(), Zone::parse("UTC").expect("utc")));
    }
});
