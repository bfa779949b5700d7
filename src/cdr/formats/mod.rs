//! Input forms: telling a stream's form from its first bytes, and parsing its records into
//! store batches.

pub mod detect;
pub mod json;
pub mod parse;
pub mod records;
pub mod xlsx;
