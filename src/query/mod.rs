//! The filter language shared by the command line and the console.
//!
//! Terms separated by spaces are ANDed; commas inside a term OR its values; a leading `-`
//! negates a term. See [`parse::KEYS`] for the fields. A wrong query is an error that points
//! at the term.

pub mod eval;
pub mod hints;
pub mod parse;
pub mod reference;
pub mod timespec;

pub use eval::{Context, Selection, evaluate, evaluate_range};
pub use parse::{Query, QueryError, parse};
