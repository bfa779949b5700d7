//! The pipeline from sources through formats into the store: the parallel load of every
//! input, then (for the console and `follow`) the ingest thread that follows them, and the
//! report of what was read.

pub mod live;
pub mod load;
pub mod progress;
pub mod read;
pub mod report;
