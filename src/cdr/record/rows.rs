//! Records that arrive split into fields (database rows, spreadsheet rows, JSON objects),
//! packed into one buffer per chunk.
//!
//! Why not a `Vec` of fields per row: a day of a million database rows of two dozen fields
//! would be 25 million small allocations made on the reading thread and freed on a parsing
//! thread, which measured as half of the loading time. Packed, the driver's values are
//! dropped where they were made and a chunk crosses threads as three buffers.

/// Rows of fields; a NULL reads as an empty field (as the parsers take it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldRows {
    data: Vec<u8>,
    /// End of each field in `data`.
    ends: Vec<usize>,
    /// End of each row in `ends`.
    rows: Vec<usize>,
}

impl FieldRows {
    pub fn with_capacity(rows: usize) -> FieldRows {
        FieldRows {
            data: Vec::with_capacity(rows * 160),
            ends: Vec::with_capacity(rows * 24),
            rows: Vec::with_capacity(rows),
        }
    }

    /// Adds the next field of the row being built.
    pub fn push_field(&mut self, value: &[u8]) {
        self.data.extend_from_slice(value);
        self.ends.push(self.data.len());
    }

    /// Ends the row being built.
    pub fn end_row(&mut self) {
        self.rows.push(self.ends.len());
    }

    /// Adds a whole row.
    pub fn push<'a>(&mut self, fields: impl IntoIterator<Item = &'a [u8]>) {
        for f in fields {
            self.push_field(f);
        }
        self.end_row();
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The fields of row `k`.
    pub fn row(&self, k: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let first = if k == 0 { 0 } else { self.rows.get(k - 1).copied().unwrap_or(0) };
        let last = self.rows.get(k).copied().unwrap_or(first);
        (first..last).map(move |f| {
            let start = if f == 0 { 0 } else { self.ends[f - 1] };
            &self.data[start..self.ends[f]]
        })
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = impl Iterator<Item = &[u8]> + '_> + '_ {
        (0..self.len()).map(|k| self.row(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_fields_and_empties() {
        let mut r = FieldRows::default();
        r.push([&b"a"[..], b"", b"ccc"]);
        r.push(std::iter::empty());
        r.push([&b"\xff"[..]]);
        assert_eq!(r.len(), 3);
        assert_eq!(r.row(0).collect::<Vec<_>>(), vec![&b"a"[..], b"", b"ccc"]);
        assert_eq!(r.row(1).count(), 0);
        assert_eq!(r.row(2).collect::<Vec<_>>(), vec![&b"\xff"[..]]);
        assert_eq!(r.row(9).count(), 0, "past the end: nothing");
        assert_eq!(r.iter().map(Iterator::count).collect::<Vec<_>>(), vec![3, 0, 1]);
    }
}
