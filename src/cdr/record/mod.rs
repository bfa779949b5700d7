//! The record model: what one CDR's fields are and how their values read (numbers, times,
//! end reasons), why a line is rejected and what a field warning says. The ground floor of
//! `cdr`: it imports nothing above it.

pub mod fields;
pub mod reason;
pub mod reject;
pub mod rows;
pub mod time;
pub mod warn;
