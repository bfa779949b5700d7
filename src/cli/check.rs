//! `cdrscope check`: what was detected in each source, and every problem, with file:line.

use super::args::CheckArgs;
use super::common::load;

pub fn run(a: &CheckArgs) -> anyhow::Result<u8> {
    let s = load(&a.load, Some(&a.window))?;
    let (text, bad) = crate::cdr::report::load_report(&s.store, &s.skipped, &s.zone.name());
    super::out(&text)?;
    Ok(u8::from(bad))
}
