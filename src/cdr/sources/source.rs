//! One readable input, behind one trait: a plain or packed file, a zip member, a workbook,
//! standard input, bytes in memory, a database table. Each opens itself read-only and lends
//! what it holds to the reader ([`crate::cdr::ingest::read`]), which tells the form and parses.
//! A new kind of input is a type implementing [`Source`] in a file of its own and the line in
//! [`crate::cdr::sources::spec::discover`] that finds it.

use std::io::Read;
use std::path::Path;

use crate::cdr::sources::mysql::DbTable;

/// What an opened input holds.
pub enum Opened<'a> {
    /// Bytes, perhaps packed (gzip, bzip2, xz, zstd: unpacked by their magic bytes), in a line
    /// or record form told from their first block. `grows` when what comes after its end is
    /// read later (a followed plain file: a last line without its newline is pending).
    Bytes { reader: Box<dyn Read + 'a>, grows: bool },
    /// A workbook's first sheet.
    Sheet(&'a Path),
    /// Rows of a database table, fetched in chunks.
    Table(&'a DbTable),
}

pub trait Source: Send + Sync + std::fmt::Debug {
    /// Opens the input read-only and lends it to `read` (a zip member's bytes borrow its
    /// archive, so the reader is lent rather than returned). An error says why it cannot be
    /// read, for the operator.
    fn open(&self, read: &mut dyn FnMut(Opened<'_>)) -> Result<(), String>;

    /// The file on disk it is read from, if any: a followed directory knows its files by it.
    fn file(&self) -> Option<&Path> {
        None
    }

    /// A plain file that may grow: followed from where reading it ended.
    fn growing_file(&self) -> Option<&Path> {
        None
    }

    /// A database table: followed by flow number, and its times read on the server's clock.
    fn table(&self) -> Option<&DbTable> {
        None
    }
}

/// A database table is read through the same trait; its rows are fetched by
/// [`crate::cdr::sources::mysql::stream`]. (Here rather than in `mysql.rs`: the trait names
/// the table type, so the table's module does not import the trait back.)
impl Source for DbTable {
    fn open(&self, read: &mut dyn FnMut(Opened<'_>)) -> Result<(), String> {
        read(Opened::Table(self));
        Ok(())
    }

    fn table(&self) -> Option<&DbTable> {
        Some(self)
    }
}
