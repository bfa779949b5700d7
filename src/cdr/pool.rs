//! Interned strings for the store's low-cardinality text columns (gateways, IPs, end-reason
//! names, extra columns). Each distinct string is kept once and rows hold a `u32` id. Id 0 is
//! always the empty string, so a column can be padded with zeros for rows that lack it.

use string_interner::backend::StringBackend;
use string_interner::symbol::SymbolU32;
use string_interner::{StringInterner, Symbol};

use super::reason::ReasonTable;

/// Every pool a set of columns refers to. A parsed batch has its own; merging it into the
/// store absorbs them and translates the batch's ids.
#[derive(Debug, Default)]
pub struct Pools {
    pub gateways: Pool,
    pub ips: Pool,
    /// Phone numbers that do not pack into 64 bits, and number prefixes.
    pub numbers: Pool,
    /// Values of the extra (uninterpreted) columns.
    pub extra_values: Pool,
    pub reasons: ReasonTable,
}

/// Id translation tables from one set of pools to another (index = old id).
pub struct Remap {
    pub gateways: Vec<u32>,
    pub ips: Vec<u32>,
    pub numbers: Vec<u32>,
    pub extras: Vec<u32>,
    pub reasons: Vec<u16>,
}

impl Pools {
    /// Takes in every value of `other` and returns how its ids translate to ours.
    pub fn absorb(&mut self, other: &Pools) -> Remap {
        Remap {
            gateways: self.gateways.absorb(&other.gateways),
            ips: self.ips.absorb(&other.ips),
            numbers: self.numbers.absorb(&other.numbers),
            extras: self.extra_values.absorb(&other.extra_values),
            // Both tables are capped at 65,536 values; past that, values read as empty.
            reasons: other.reasons.iter().map(|(_, r)| self.reasons.intern(r.clone()).unwrap_or(0)).collect(),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.gateways.heap_bytes()
            + self.ips.heap_bytes()
            + self.numbers.heap_bytes()
            + self.extra_values.heap_bytes()
    }
}

#[derive(Debug, Clone)]
pub struct Pool {
    inner: StringInterner<StringBackend<SymbolU32>>,
}

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
}

impl Pool {
    pub fn new() -> Self {
        let mut inner = StringInterner::new();
        inner.get_or_intern("");
        Pool { inner }
    }

    pub fn intern(&mut self, s: &str) -> u32 {
        self.inner.get_or_intern(s).to_usize() as u32
    }

    /// The id of a string already in the pool.
    pub fn get(&self, s: &str) -> Option<u32> {
        self.inner.get(s).map(|sym| sym.to_usize() as u32)
    }

    /// The string for an id; ids come from this pool, so an unknown id reads as empty.
    pub fn resolve(&self, id: u32) -> &str {
        SymbolU32::try_from_usize(id as usize).and_then(|sym| self.inner.resolve(sym)).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() <= 1
    }

    /// All strings with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.inner.iter().map(|(sym, s)| (sym.to_usize() as u32, s))
    }

    /// Interns every string of `other` here and returns the id translation table
    /// (index = id in `other`, value = id here).
    pub fn absorb(&mut self, other: &Pool) -> Vec<u32> {
        let mut map = vec![0u32; other.len()];
        for (id, s) in other.iter() {
            map[id as usize] = self.intern(s);
        }
        map
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        let strings: usize = self.inner.iter().map(|(_, s)| s.len()).sum();
        // String bytes, one end offset per string, and the hash table (id + control byte,
        // at most 7/8 full).
        strings + self.len() * 4 + self.len() * 5 * 8 / 7
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_zero_and_absorb_translates() {
        let mut a = Pool::new();
        assert_eq!(a.intern(""), 0);
        let x = a.intern("对接线路");
        let mut b = Pool::new();
        b.intern("GW1");
        let map = b.absorb(&a);
        assert_eq!(b.resolve(map[x as usize]), "对接线路");
        assert_eq!(map[0], 0);
        assert_eq!(b.resolve(999), "");
    }
}
