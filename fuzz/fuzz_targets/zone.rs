//! `--tz` values.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(z) = cdrscope::cdr::Zone::parse(text) {
        let _ = z.name();
    }
});
