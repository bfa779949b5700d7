//! CDR loading and storage, in layers that import only downwards: `record` (the record model)
//! <- `store` (the columnar store) <- `formats` (input forms, parsing) <- `sources` (inputs
//! and following) <- `ingest` (the pipeline) <- `export`. Nothing here knows about terminals.

pub mod address;
pub mod export;
pub mod formats;
pub mod ingest;
pub mod record;
pub mod sources;
pub mod store;

pub use ingest::load::{HoldUnitChoice, LoadOptions, Loaded, load, load_into};
pub use ingest::progress::Progress;
pub use record::reason::Reason;
pub use record::time::{TimeReader, TimeWriter, Zone};
pub use sources::error::LoadError;
pub use sources::spec::{SourceSpec, Window};
pub use store::shared::SharedStore;
pub use store::table::{HoldUnit, Record, Store};
