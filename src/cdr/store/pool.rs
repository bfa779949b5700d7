//! Interned strings for the store's low-cardinality text columns (gateways, IPs, end-reason
//! names, extra columns). Each distinct string is kept once and rows hold a `u32` id. Id 0 is
//! always the empty string, so a column can be padded with zeros for rows that lack it.

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::cdr::store::append_vec::AppendVec;

use crate::cdr::record::reason::ReasonTable;

/// Every pool a set of columns refers to. A parsed batch has its own; merging it into the
/// store absorbs them and translates the batch's ids.
#[derive(Debug, Default, Clone)]
pub struct Pools {
    pub gateways: Pool,
    pub ips: Pool,
    /// Phone numbers that do not pack into 64 bits, and number prefixes.
    pub numbers: Pool,
    /// Values of the extra (uninterpreted) columns.
    pub extra_values: Pool,
    /// Shared with snapshots; copied only when a new value arrives after one was taken.
    pub reasons: Arc<ReasonTable>,
}

/// Which ids of each pool some row refers to (index = id).
#[derive(Debug, Default)]
pub struct Used {
    pub gateways: Vec<bool>,
    pub ips: Vec<bool>,
    pub numbers: Vec<bool>,
    pub extras: Vec<bool>,
}

impl Used {
    /// Nothing used yet, sized for `pools`.
    pub fn none(pools: &Pools) -> Used {
        Used {
            gateways: vec![false; pools.gateways.len()],
            ips: vec![false; pools.ips.len()],
            numbers: vec![false; pools.numbers.len()],
            extras: vec![false; pools.extra_values.len()],
        }
    }

    /// Strings no row refers to, out of all.
    pub fn unused(&self) -> (usize, usize) {
        let all = [&self.gateways, &self.ips, &self.numbers, &self.extras];
        let unused = all.iter().map(|v| v.iter().skip(1).filter(|u| !**u).count()).sum();
        (unused, all.iter().map(|v| v.len().saturating_sub(1)).sum())
    }
}

/// Marks `id` used.
#[inline]
pub fn mark(used: &mut [bool], id: u32) {
    if let Some(u) = used.get_mut(id as usize) {
        *u = true;
    }
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
            reasons: other
                .reasons
                .iter()
                .map(|(_, r)| match self.reasons.lookup(r) {
                    Some(id) => id,
                    None => Arc::make_mut(&mut self.reasons).intern(r.clone()).unwrap_or(0),
                })
                .collect(),
        }
    }

    /// Pools of only the strings `used` marks, and how ids translate (end-reason values are
    /// kept whole: their table is capped and small).
    pub fn keep_only(&self, used: &Used) -> (Pools, Remap) {
        let (gateways, gw) = self.gateways.keep_only(&used.gateways);
        let (ips, ip) = self.ips.keep_only(&used.ips);
        let (numbers, nums) = self.numbers.keep_only(&used.numbers);
        let (extra_values, extras) = self.extra_values.keep_only(&used.extras);
        let reasons = self.reasons.iter().map(|(id, _)| id).collect();
        let pools = Pools { gateways, ips, numbers, extra_values, reasons: self.reasons.clone() };
        (pools, Remap { gateways: gw, ips: ip, numbers: nums, extras, reasons })
    }

    pub fn heap_bytes(&self) -> usize {
        self.gateways.heap_bytes()
            + self.ips.heap_bytes()
            + self.numbers.heap_bytes()
            + self.extra_values.heap_bytes()
    }
}

/// One pool of strings. The strings live in append-only buffers, so a clone (a store
/// snapshot) costs two `Arc` clones however many strings there are; the hash index that
/// finds a string's id is the writer's alone and is not cloned (a clone that interns
/// rebuilds it first).
pub struct Pool {
    bytes: AppendVec<u8>,
    /// End offset of each string in `bytes` (string `id` is `ends[id-1]..ends[id]`; id 0,
    /// the empty string, is `0..ends[0]`).
    ends: AppendVec<u32>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl Clone for Pool {
    fn clone(&self) -> Self {
        Pool {
            bytes: self.bytes.clone(),
            ends: self.ends.clone(),
            index: HashTable::new(),
            hasher: self.hasher.clone(),
        }
    }
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("strings", &self.len()).field("bytes", &self.bytes.len()).finish()
    }
}

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
}

impl Pool {
    pub fn new() -> Self {
        let mut p = Pool {
            bytes: AppendVec::new(),
            ends: AppendVec::new(),
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        };
        p.intern("");
        p
    }

    fn hash(&self, s: &[u8]) -> u64 {
        self.hasher.hash_one(s)
    }

    /// Indexes strings the index does not cover yet (after a clone).
    fn catch_up(&mut self) {
        let have = self.index.len();
        for id in have..self.len() {
            let id = id as u32;
            let h = self.hash(raw(&self.bytes, &self.ends, id));
            let (bytes, ends) = (&self.bytes, &self.ends);
            let hasher = &self.hasher;
            self.index.insert_unique(h, id, |&k| hasher.hash_one(raw(bytes, ends, k)));
        }
    }

    pub fn intern(&mut self, s: &str) -> u32 {
        if self.index.len() < self.len() {
            self.catch_up();
        }
        let h = self.hash(s.as_bytes());
        if let Some(&id) = self.index.find(h, |&k| raw(&self.bytes, &self.ends, k) == s.as_bytes()) {
            return id;
        }
        let id = self.len() as u32;
        // Past 4 GiB of text a new string is stored empty (its bytes are not kept), so every
        // range stays a whole string.
        match u32::try_from(self.bytes.len() + s.len()) {
            Ok(end) => {
                self.bytes.extend_from_slice(s.as_bytes());
                self.ends.push(end);
            }
            Err(_) => {
                let last = self.ends.last().copied().unwrap_or(0);
                self.ends.push(last);
            }
        }
        let (bytes, ends, hasher) = (&self.bytes, &self.ends, &self.hasher);
        self.index.insert_unique(h, id, |&k| hasher.hash_one(raw(bytes, ends, k)));
        id
    }

    /// The id of a string already in the pool.
    pub fn get(&self, s: &str) -> Option<u32> {
        if self.index.len() == self.len() {
            let h = self.hash(s.as_bytes());
            return self.index.find(h, |&k| raw(&self.bytes, &self.ends, k) == s.as_bytes()).copied();
        }
        // A snapshot has no index: look through the strings (only filters ask, once each).
        self.iter().find(|(_, v)| *v == s).map(|(id, _)| id)
    }

    /// The string for an id; ids come from this pool, so an unknown id reads as empty.
    pub fn resolve(&self, id: u32) -> &str {
        slice(&self.bytes, &self.ends, id)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() <= 1
    }

    /// All strings with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        (0..self.len() as u32).map(|id| (id, self.resolve(id)))
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

    /// A pool of the strings `keep` marks (by id; the empty string always stays) and how ids
    /// translate. Ids keep their order, so none grows.
    pub fn keep_only(&self, keep: &[bool]) -> (Pool, Vec<u32>) {
        let mut p = Pool::new();
        let mut map = vec![0u32; self.len()];
        for (id, s) in self.iter().skip(1) {
            if keep.get(id as usize).copied().unwrap_or(false) {
                map[id as usize] = p.intern(s);
            }
        }
        (p, map)
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        // String bytes, one end offset per string, and the hash table (id + control byte,
        // at most 7/8 full).
        self.bytes.capacity() + self.ends.capacity() * 4 + self.index.capacity() * 5
    }
}

/// The bytes of string `id` of a pool's buffers (empty for an unknown id or a cut-off range).
#[inline]
fn raw<'a>(bytes: &'a [u8], ends: &[u32], id: u32) -> &'a [u8] {
    let id = id as usize;
    let Some(&end) = ends.get(id) else { return &[] };
    let start = if id == 0 { 0 } else { ends.get(id - 1).copied().unwrap_or(0) };
    bytes.get(start as usize..end as usize).unwrap_or(&[])
}

/// String `id` of a pool's buffers ("" for an unknown id or a cut-off range).
#[inline]
fn slice<'a>(bytes: &'a [u8], ends: &[u32], id: u32) -> &'a str {
    let r = raw(bytes, ends, id);
    // SAFETY: only whole `&str`s are appended to `bytes`, and `ends` holds the offset after
    // each, so every `raw` range (a whole string, or empty) is valid UTF-8. Checking it on
    // every read cost a tenth of a filter over 2 million rows.
    unsafe { std::str::from_utf8_unchecked(r) }
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
