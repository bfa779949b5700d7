//! The knowledge base: what end-reason codes are called. This first part holds the registry
//! names the core needs to read and label CDR values; explanations, causes and fixes build on it.

pub mod names;
