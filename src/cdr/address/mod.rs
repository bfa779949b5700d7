//! Where sources are: the addresses an operator gives, parsed (the database URL and the
//! client defaults in `~/.my.cnf` it falls back on). Imports nothing above it.

pub mod db_url;
pub mod mycnf;
