//! Where CDRs come from: the operator's source arguments, the inputs found behind them
//! (files, directories, standard input, zip members, database tables), and following them
//! live (growing files, new files in a directory, the database, the UDP feed).

pub mod db_follow;
pub mod decompress;
pub mod demo;
pub mod error;
pub mod feed;
pub mod file;
pub mod follow;
pub mod memory;
pub mod mysql;
pub mod source;
pub mod spec;
pub mod stdin;
