//! Time values as CDRs and filters write them.
#![no_main]

use cdrscope::cdr::{TimeReader, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reader = TimeReader::new(Zone::parse("Asia/Shanghai").expect("zone"));
    let _ = reader.parse(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = cdrscope::query::timespec::parse_time_spec(s);
        let _ = cdrscope::query::timespec::parse_duration_ms(s);
    }
});
