//! The knowledge base: every end reason an operator can meet (VOS3000's own codes, SIP status
//! codes, Q.850 causes, the names the guides use), the other coded CDR fields and the
//! softswitch parameters, each with meaning, causes, fixes and related codes, in English,
//! Chinese and Spanish.
//!
//! Entries are data under `assets/kb/<lang>/*.toml`, embedded at build time; registry facts
//! (vendor names and versions, SIP reason phrases, Q.850 names, RFC 3398 mappings) are merged
//! in from the fact tables beside them. An operator's own file can add or override entries.

pub mod entry;
pub mod failover;
pub mod lang;
pub mod load;
pub mod lookup;
pub mod names;
pub mod origin;
pub mod outcome;
pub mod present;
pub mod reason_header;
pub mod resolve;

pub use entry::{Entry, Setting, Severity};
pub use lang::Lang;
pub use load::{Kb, KbError};
pub use lookup::{Hit, lookup};
pub use resolve::{Reading, resolve};
