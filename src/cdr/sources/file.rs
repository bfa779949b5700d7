//! Inputs read from files on disk: a file as it is (plain or packed), one member of a zip
//! archive, the first sheet of a workbook, and a file that cannot be read as CDRs.

use std::path::{Path, PathBuf};

use crate::cdr::sources::source::{Opened, Source};

/// A file read as it is: plain text, or packed (gzip, bzip2, xz, zstd).
#[derive(Debug, Clone)]
pub struct PlainFile(pub PathBuf);

impl Source for PlainFile {
    fn open(&self, read: &mut dyn FnMut(Opened<'_>)) -> Result<(), String> {
        let f = std::fs::File::open(&self.0).map_err(|e| format!("cannot open: {e}"))?;
        read(Opened::Bytes { reader: Box::new(f), grows: true });
        Ok(())
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.0)
    }

    fn growing_file(&self) -> Option<&Path> {
        Some(&self.0)
    }
}

/// One member of a zip archive (the portal's download): each member is a source of its own.
#[derive(Debug, Clone)]
pub struct ZipMember {
    pub path: PathBuf,
    pub index: usize,
}

impl Source for ZipMember {
    fn open(&self, read: &mut dyn FnMut(Opened<'_>)) -> Result<(), String> {
        let f = std::fs::File::open(&self.path).map_err(|e| format!("cannot open: {e}"))?;
        let mut archive =
            zip::ZipArchive::new(f).map_err(|e| format!("cannot open: damaged zip archive: {e}"))?;
        let member = archive.by_index(self.index).map_err(|e| format!("cannot read this member: {e}"))?;
        read(Opened::Bytes { reader: Box::new(member), grows: false });
        Ok(())
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.path)
    }
}

/// The first sheet of a workbook (`.xlsx`).
#[derive(Debug, Clone)]
pub struct Workbook(pub PathBuf);

impl Source for Workbook {
    fn open(&self, read: &mut dyn FnMut(Opened<'_>)) -> Result<(), String> {
        read(Opened::Sheet(&self.0));
        Ok(())
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.0)
    }
}

/// An input named explicitly that cannot be read as CDRs, and why (a tar archive, a damaged
/// zip): reported as that source's problem; the others are read.
#[derive(Debug, Clone)]
pub struct Unreadable(pub String);

impl Source for Unreadable {
    fn open(&self, _read: &mut dyn FnMut(Opened<'_>)) -> Result<(), String> {
        Err(self.0.clone())
    }
}
