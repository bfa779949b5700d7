//! `mysql://` source URLs.
#![no_main]

use cdrscope::cdr::address::db_url::DbUrl;
use cdrscope::cdr::address::mycnf::ClientConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = DbUrl::parse_with(text, &ClientConfig::default());
    let _ = DbUrl::parse_with(&format!("mysql://{text}"), &ClientConfig::default());
    let _ = cdrscope::cdr::address::mycnf::parse(text);
});
