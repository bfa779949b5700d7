//! The column layout shared by a parsed batch and the store.
//!
//! One `Vec` per field; a row is an index. Text columns hold ids into pools owned by whoever
//! owns the columns (a batch's own pools while parsing, the store's after merging).

use crate::cdr::store::append_vec::AppendVec;
use crate::cdr::store::number::{DerivedNumber, PackedNumber};
use crate::cdr::store::pool::{Remap, Used, mark};
use crate::cdr::store::tail::Tail;

/// No stop time recorded.
pub const NO_STOP: u32 = u32::MAX;
/// No PDD recorded.
pub const NO_PDD: u32 = u32::MAX;
/// No value for a small integer field (end direction, billing mode, ...).
pub const NO_SMALL: i8 = i8::MIN;

/// A column the source had that cdrscope does not interpret (fees, accounts, codecs, call
/// ids, ...), kept so the full record can be shown and exported. Its values are ids into the
/// owner's extra-value pool (0: empty), starting at the first row that had it.
#[derive(Clone, Debug, Default)]
pub struct ExtraColumn {
    pub name: String,
    pub ids: Tail<u32>,
}

impl std::ops::Deref for ExtraColumn {
    type Target = Tail<u32>;
    fn deref(&self) -> &Tail<u32> {
        &self.ids
    }
}

impl std::ops::DerefMut for ExtraColumn {
    fn deref_mut(&mut self) -> &mut Tail<u32> {
        &mut self.ids
    }
}

#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Start of the call, epoch ms UTC. When the source records no start (0 or empty, as some
    /// deployments do for unanswered calls), the stop time stands in.
    pub start_ms: AppendVec<i64>,
    /// Stop minus start in ms; [`NO_STOP`] when no stop is recorded (call still in
    /// progress). A span instead of a second timestamp saves 4 bytes a row.
    pub span_ms: AppendVec<u32>,
    /// Talk time as the source wrote it (ms or s, decided per source): read it with
    /// `Store::hold_ms`, which applies the source's unit.
    pub hold_raw: AppendVec<u32>,
    pub caller_pdd_ms: AppendVec<u32>,
    pub callee_pdd_ms: AppendVec<u32>,
    /// Index into the owner's [`crate::cdr::record::reason::ReasonTable`].
    pub reason: AppendVec<u16>,
    pub end_direction: AppendVec<i8>,
    pub billing_mode: AppendVec<i8>,
    pub callee_billing: AppendVec<i8>,
    pub call_level: AppendVec<i8>,
    /// Ids into the gateway pool.
    pub caller_gw: AppendVec<u32>,
    pub callee_gw: AppendVec<u32>,
    /// Ids into the IP pool.
    pub caller_ip: AppendVec<u32>,
    pub callee_ip: AppendVec<u32>,
    pub caller: AppendVec<PackedNumber>,
    pub callee: AppendVec<PackedNumber>,
    pub caller_access: AppendVec<DerivedNumber>,
    pub callee_access: AppendVec<DerivedNumber>,
    pub caller_to_gw: AppendVec<DerivedNumber>,
    pub callee_to_gw: AppendVec<DerivedNumber>,
    /// Source line numbers as runs: `(first row, its line)`; the rows that follow are on the
    /// following lines until the next run. A clean file needs one run per block instead of
    /// four bytes per row. Use [`Columns::line`].
    pub line_runs: AppendVec<(u32, u32)>,
    /// The switch's flow number (0 = none), from the first row that had one.
    pub flowno: Tail<u64>,
    pub extras: Vec<ExtraColumn>,
    /// Extra column index by name: a hostile line with thousands of fields must not cost a
    /// linear search per new column.
    extra_by_name: std::collections::HashMap<String, usize>,
}

impl Columns {
    pub fn len(&self) -> usize {
        self.start_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.start_ms.is_empty()
    }

    /// Room for `n` more rows, exactly: the store sizes itself from an estimate, and an
    /// amortised `reserve` would double every column when the estimate falls short.
    pub fn reserve(&mut self, n: usize) {
        self.start_ms.reserve_exact(n);
        self.span_ms.reserve_exact(n);
        self.hold_raw.reserve_exact(n);
        self.caller_pdd_ms.reserve_exact(n);
        self.callee_pdd_ms.reserve_exact(n);
        self.reason.reserve_exact(n);
        self.end_direction.reserve_exact(n);
        self.billing_mode.reserve_exact(n);
        self.callee_billing.reserve_exact(n);
        self.call_level.reserve_exact(n);
        self.caller_gw.reserve_exact(n);
        self.callee_gw.reserve_exact(n);
        self.caller_ip.reserve_exact(n);
        self.callee_ip.reserve_exact(n);
        self.caller.reserve_exact(n);
        self.callee.reserve_exact(n);
        self.caller_access.reserve_exact(n);
        self.callee_access.reserve_exact(n);
        self.caller_to_gw.reserve_exact(n);
        self.callee_to_gw.reserve_exact(n);
    }

    /// Index of an extra column by name; a new one is padded with `rows` empties.
    pub fn extra_index(&mut self, name: &str, rows: usize) -> usize {
        if let Some(&i) = self.extra_by_name.get(name) {
            return i;
        }
        self.extras.push(ExtraColumn { name: name.to_string(), ids: Tail::starting_at(rows) });
        let i = self.extras.len() - 1;
        self.extra_by_name.insert(name.to_string(), i);
        i
    }

    /// Records that row `row` (the next one) starts on `line`.
    pub fn push_line(&mut self, row: usize, line: u32) {
        if let Some(&(r, l)) = self.line_runs.last()
            && u64::from(l) + (row as u64 - u64::from(r)) == u64::from(line)
        {
            return;
        }
        self.line_runs.push((row as u32, line));
    }

    /// The source line a row starts on (1-based).
    pub fn line(&self, row: usize) -> u32 {
        let k = self.line_runs.partition_point(|(r, _)| *r as usize <= row);
        match k.checked_sub(1).and_then(|k| self.line_runs.get(k)) {
            Some(&(r, l)) => l + (row as u32 - r),
            None => 0,
        }
    }

    /// The switch's flow number of a row, if it has one.
    #[inline]
    pub fn flowno_of(&self, i: usize) -> Option<u64> {
        Some(self.flowno.get(i)).filter(|f| *f != 0)
    }

    /// The stop time of a row, if recorded.
    pub fn stop_ms(&self, i: usize) -> Option<i64> {
        let span = self.span_ms[i];
        (span != NO_STOP).then(|| self.start_ms[i] + i64::from(span))
    }

    /// Appends every row of `other`, translating pool ids.
    pub fn append_remapped(&mut self, other: &Columns, map: &Remap) {
        let n = other.len();
        let before = self.len();
        self.start_ms.extend_from_slice(&other.start_ms);
        self.span_ms.extend_from_slice(&other.span_ms);
        self.hold_raw.extend_from_slice(&other.hold_raw);
        self.caller_pdd_ms.extend_from_slice(&other.caller_pdd_ms);
        self.callee_pdd_ms.extend_from_slice(&other.callee_pdd_ms);
        self.reason.extend(other.reason.iter().map(|r| map.reasons.get(*r as usize).copied().unwrap_or(0)));
        self.end_direction.extend_from_slice(&other.end_direction);
        self.billing_mode.extend_from_slice(&other.billing_mode);
        self.callee_billing.extend_from_slice(&other.callee_billing);
        self.call_level.extend_from_slice(&other.call_level);
        let ids = |v: &[u32], m: &[u32]| {
            v.iter().map(|i| m.get(*i as usize).copied().unwrap_or(0)).collect::<Vec<_>>()
        };
        self.caller_gw.extend(ids(&other.caller_gw, &map.gateways));
        self.callee_gw.extend(ids(&other.callee_gw, &map.gateways));
        self.caller_ip.extend(ids(&other.caller_ip, &map.ips));
        self.callee_ip.extend(ids(&other.callee_ip, &map.ips));
        self.caller.extend(other.caller.iter().map(|p| p.remap(&map.numbers)));
        self.callee.extend(other.callee.iter().map(|p| p.remap(&map.numbers)));
        self.caller_access.extend(other.caller_access.iter().map(|d| d.remap(&map.numbers)));
        self.callee_access.extend(other.callee_access.iter().map(|d| d.remap(&map.numbers)));
        self.caller_to_gw.extend(other.caller_to_gw.iter().map(|d| d.remap(&map.numbers)));
        self.callee_to_gw.extend(other.callee_to_gw.iter().map(|d| d.remap(&map.numbers)));
        for &(row, line) in &other.line_runs {
            self.line_runs.push((row + before as u32, line));
        }
        self.flowno.extend_at(before + other.flowno.first, other.flowno.values.iter().copied());
        self.flowno.pad_to(before + n);
        for e in &other.extras {
            let i = self.extra_index(&e.name, before + e.first);
            self.extras[i].extend_at(before + e.first, ids(&e.values, &map.extras));
        }
        for e in &mut self.extras {
            e.pad_to(before + n);
        }
    }

    /// Drops the first `k` rows (a follow's oldest calls): every column keeps its tail in a
    /// buffer of its own, and line numbers stay with their rows.
    pub fn drop_front(&mut self, k: usize) {
        let k = k.min(self.len());
        if k == 0 {
            return;
        }
        self.start_ms = self.start_ms.split_from(k);
        self.span_ms = self.span_ms.split_from(k);
        self.hold_raw = self.hold_raw.split_from(k);
        self.caller_pdd_ms = self.caller_pdd_ms.split_from(k);
        self.callee_pdd_ms = self.callee_pdd_ms.split_from(k);
        self.reason = self.reason.split_from(k);
        self.end_direction = self.end_direction.split_from(k);
        self.billing_mode = self.billing_mode.split_from(k);
        self.callee_billing = self.callee_billing.split_from(k);
        self.call_level = self.call_level.split_from(k);
        self.caller_gw = self.caller_gw.split_from(k);
        self.callee_gw = self.callee_gw.split_from(k);
        self.caller_ip = self.caller_ip.split_from(k);
        self.callee_ip = self.callee_ip.split_from(k);
        self.caller = self.caller.split_from(k);
        self.callee = self.callee.split_from(k);
        self.caller_access = self.caller_access.split_from(k);
        self.callee_access = self.callee_access.split_from(k);
        self.caller_to_gw = self.caller_to_gw.split_from(k);
        self.callee_to_gw = self.callee_to_gw.split_from(k);
        self.flowno.drop_front(k);
        for e in &mut self.extras {
            e.drop_front(k);
        }
        // The run covering row k starts the new list at row 0, on the line row k was on.
        let k32 = u32::try_from(k).unwrap_or(u32::MAX);
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for (n, &(row, line)) in self.line_runs.iter().enumerate() {
            let next = self.line_runs.get(n + 1).map_or(u32::MAX, |r| r.0);
            if next <= k32 {
                continue;
            }
            if row <= k32 {
                runs.push((0, line.saturating_add(k32 - row)));
            } else {
                runs.push((row - k32, line));
            }
        }
        self.line_runs = runs.into();
    }

    /// Marks the pool ids the rows refer to.
    pub fn mark_used(&self, used: &mut Used) {
        for &g in self.caller_gw.iter().chain(self.callee_gw.iter()) {
            mark(&mut used.gateways, g);
        }
        for &ip in self.caller_ip.iter().chain(self.callee_ip.iter()) {
            mark(&mut used.ips, ip);
        }
        for n in self.caller.iter().chain(self.callee.iter()) {
            if let Some(id) = n.pooled() {
                mark(&mut used.numbers, id);
            }
        }
        let derived = [&self.caller_access, &self.callee_access, &self.caller_to_gw, &self.callee_to_gw];
        for d in derived.into_iter().flat_map(|c| c.iter()) {
            mark(&mut used.numbers, d.pool_id());
        }
        for e in &self.extras {
            for &id in e.values.iter() {
                mark(&mut used.extras, id);
            }
        }
    }

    /// Bytes the columns' values take. Room reserved ahead for more rows is left out: it is
    /// never written until rows come, so it takes no memory (`check` on 49 rows of a
    /// spreadsheet said 80 MB while the process held 10).
    pub fn heap_bytes(&self) -> usize {
        fn b<T: Copy>(v: &AppendVec<T>) -> usize {
            v.len() * std::mem::size_of::<T>()
        }
        b(&self.start_ms)
            + b(&self.span_ms)
            + b(&self.hold_raw)
            + b(&self.caller_pdd_ms)
            + b(&self.callee_pdd_ms)
            + b(&self.reason)
            + b(&self.end_direction)
            + b(&self.billing_mode)
            + b(&self.callee_billing)
            + b(&self.call_level)
            + b(&self.caller_gw)
            + b(&self.callee_gw)
            + b(&self.caller_ip)
            + b(&self.callee_ip)
            + b(&self.caller)
            + b(&self.callee)
            + b(&self.caller_access)
            + b(&self.callee_access)
            + b(&self.caller_to_gw)
            + b(&self.callee_to_gw)
            + b(&self.line_runs)
            + self.flowno.heap_bytes()
            + self.extras.iter().map(|e| e.heap_bytes() + e.name.len()).sum::<usize>()
    }
}

#[cfg(test)]
mod extra_tests {
    use super::*;

    #[test]
    fn an_extra_column_starts_where_its_first_row_is() {
        let mut c = Columns::default();
        let k = c.extra_index("callerproductid", 2_000_000);
        let e = &mut c.extras[k];
        assert_eq!((e.first, e.values.len()), (2_000_000, 0), "no empties stored before it");
        e.push_at(2_000_002, 7);
        assert_eq!((e.get(0), e.get(2_000_001), e.get(2_000_002), e.get(9_999_999)), (0, 0, 7, 0));
    }

    #[test]
    fn a_flowno_arriving_late_costs_no_earlier_row() {
        let mut a = Columns::default();
        a.start_ms.resize(1000, 0);
        let mut b = Columns::default();
        b.start_ms.resize(2, 0);
        b.flowno.push_at(1, 42);
        a.append_remapped(&b, &crate::cdr::store::pool::Pools::default().absorb(&Default::default()));
        assert_eq!((a.flowno.first, a.flowno.values.len()), (1001, 1));
        assert_eq!((a.flowno.get(1000), a.flowno.get(1001)), (0, 42));
    }
}
