//! The compact columnar store: per-chunk columns, string pools, packed numbers, the table of
//! every call with its sources, and duplicate marking across sources. It knows records, not
//! where they came from or how they were written.

pub mod append_vec;
pub mod batch;
pub mod columns;
pub mod dedup;
pub mod number;
pub mod pool;
pub mod shared;
pub mod source_state;
pub mod table;
pub mod tail;
