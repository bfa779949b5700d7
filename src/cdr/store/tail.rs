//! A column that starts at the first row that has it.
//!
//! Rows before `first` read as the default (absent). A column only some sources bring — the
//! feed's `flowno` and its two dozen extra fields, joining two million rows read from text
//! files — costs what its own rows need, not millions of stored empties.

use crate::cdr::store::append_vec::AppendVec;

#[derive(Clone, Debug, Default)]
pub struct Tail<T: Copy> {
    /// Rows before this one lack the column.
    pub first: usize,
    /// Values of rows `first..`; the default for rows whose source lacks it.
    pub values: AppendVec<T>,
}

impl<T: Copy + Default + PartialEq> Tail<T> {
    /// A column whose first `rows` rows lack it.
    pub fn starting_at(rows: usize) -> Self {
        Tail { first: rows, values: AppendVec::default() }
    }

    /// The value of row `i` (the default when absent).
    #[inline]
    pub fn get(&self, i: usize) -> T {
        i.checked_sub(self.first).and_then(|k| self.values.get(k)).copied().unwrap_or_default()
    }

    /// Whether no row has a value (every row reads as the default).
    pub fn is_absent(&self) -> bool {
        self.values.is_empty()
    }

    /// Defaults up to (not including) row `rows`. Nothing is stored while no row has a
    /// value: the column just starts later.
    pub fn pad_to(&mut self, rows: usize) {
        if self.values.is_empty() {
            self.first = self.first.max(rows);
            return;
        }
        let want = rows.saturating_sub(self.first);
        if self.values.len() < want {
            self.values.resize(want, T::default());
        }
    }

    /// Sets row `row` (at or past the end); the rows between read as the default.
    pub fn push_at(&mut self, row: usize, v: T) {
        self.pad_to(row);
        self.values.push(v);
    }

    /// Sets rows `row..` (at or past the end) to `vs`.
    pub fn extend_at(&mut self, row: usize, vs: impl IntoIterator<Item = T>) {
        self.pad_to(row);
        self.values.extend(vs);
    }

    /// Drops the first `k` rows.
    pub fn drop_front(&mut self, k: usize) {
        if k <= self.first {
            self.first -= k;
        } else {
            self.values = self.values.split_from((k - self.first).min(self.values.len()));
            self.first = 0;
        }
    }

    /// Bytes of heap held (capacity).
    pub fn heap_bytes(&self) -> usize {
        // Written values only, as for the other columns.
        self.values.len() * std::mem::size_of::<T>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_starts_where_its_first_value_is() {
        let mut t: Tail<u64> = Tail::starting_at(2_000_000);
        t.pad_to(2_000_001);
        assert!(t.is_absent(), "no empties stored before the first value");
        t.push_at(2_000_002, 7);
        assert_eq!((t.first, t.values.len()), (2_000_002, 1));
        t.push_at(2_000_004, 9);
        assert_eq!(t.values.len(), 3);
        assert_eq!(
            (t.get(0), t.get(2_000_001), t.get(2_000_002), t.get(2_000_003), t.get(2_000_004)),
            (0, 0, 7, 0, 9)
        );
        assert_eq!(t.get(usize::MAX), 0);
        t.drop_front(1_500_000);
        assert_eq!((t.first, t.get(500_002)), (500_002, 7));
        t.drop_front(500_003);
        assert_eq!((t.first, t.values.len(), t.get(0), t.get(1)), (0, 2, 0, 9));
        t.extend_at(5, [4, 5]);
        assert_eq!((t.get(2), t.get(4), t.get(5), t.get(6)), (0, 0, 4, 5));
    }
}
