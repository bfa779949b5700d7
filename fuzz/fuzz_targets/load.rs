//! The whole load pipeline from memory: form detection, unpacking, parsing, the store. Any
//! input must load without a panic, in bounded time, with every physical line accounted for.
#![no_main]

use std::sync::Arc;

use cdrscope::cdr::{LoadOptions, Progress, SourceSpec, Zone, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let specs = vec![SourceSpec::Memory { name: "fuzz".into(), data: Arc::new(data.to_vec()) }];
    let opts = LoadOptions { zone: Zone::parse("UTC").expect("utc"), threads: 1, ..LoadOptions::default() };
    let Ok(loaded) = load(&specs, &opts, Arc::new(Progress::default())) else { return };
    for s in &loaded.store.sources {
        // Unread or cut-short sources stop early; what was read is still accounted for.
        if s.form.is_ok() && s.read_error.is_none() {
            assert_eq!(s.tally.accounted_lines(), s.tally.lines, "lines not accounted for: {:?}", s.tally);
        }
    }
    // Statistics over whatever loaded.
    let rows: Vec<u32> = (0..loaded.store.len() as u32).collect();
    let _ =
        cdrscope::report::summarize(&loaded.store, &rows, &cdrscope::cdr::TimeWriter::new(opts.zone.clone()));
});
