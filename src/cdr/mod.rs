//! CDR loading and storage: the record model, form detection, parsers, sources and the
//! compact columnar store. Nothing here knows about terminals.

pub mod append_vec;
pub mod batch;
pub mod columns;
pub mod db_follow;
pub mod decompress;
pub mod dedup;
pub mod demo;
pub mod error;
pub mod export;
pub mod feed;
pub mod fields;
pub mod follow;
pub mod form;
pub mod ingest;
pub mod load;
pub mod mycnf;
pub mod mysql;
pub mod number;
pub mod pool;
pub mod reason;
pub mod reason_header;
pub mod records;
pub mod reject;
pub mod report;
pub mod rows;
pub mod source;
pub mod store;
pub mod tail;
pub mod time;
pub mod warn;

pub use error::LoadError;
pub use load::{HoldUnitChoice, LoadOptions, Loaded, Progress, SharedStore, load, load_into};
pub use reason::Reason;
pub use source::{SourceSpec, Window};
pub use store::{HoldUnit, Record, Store};
pub use time::{TimeReader, TimeWriter, Zone};
