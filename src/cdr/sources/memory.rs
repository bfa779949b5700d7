//! Bytes already in memory (the embedded demo day, tests): read like a file that never grows.

use std::sync::Arc;

use crate::cdr::sources::source::{Opened, Source};

#[derive(Debug, Clone)]
pub struct Memory(pub Arc<Vec<u8>>);

impl Source for Memory {
    fn open(&self, read: &mut dyn FnMut(Opened<'_>)) -> Result<(), String> {
        read(Opened::Bytes { reader: Box::new(&self.0[..]), grows: false });
        Ok(())
    }
}
