//! A column that one thread appends to while other threads read snapshots of it.
//!
//! The ingest thread owns the store and publishes immutable snapshots (see
//! [`super::ingest`]). Copying 2 million rows a second to publish would cost more than the
//! rest of the work together, so a column is a buffer shared by every snapshot, each of
//! which sees only its own prefix: cloning is an `Arc` clone and a length. Appending writes
//! past every published length, where no reader looks.
//!
//! Which handle may write a slot is settled by `claimed`: a handle appends in place only
//! when its length equals `claimed` (it holds the longest prefix) and it wins the
//! compare-and-swap that moves `claimed` to the end of the buffer; it then owns the rest of
//! the buffer and appends with no atomic operation until it is full. Any other handle (an
//! older snapshot someone appends to) copies its prefix into a buffer of its own first. So
//! no slot is written by two handles, and no slot is written after a handle that can read
//! it exists.

use std::cell::UnsafeCell;
use std::fmt;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Buf<T> {
    slots: Box<[UnsafeCell<MaybeUninit<T>>]>,
    /// Slots below this are written, or being written by the handle that claimed them.
    claimed: AtomicUsize,
}

// SAFETY: slots are written only by the one handle that claimed them (see the module
// comment) and read only below a handle's length, which covers written slots alone.
unsafe impl<T: Send + Sync> Sync for Buf<T> {}
// SAFETY: `ptr` points into `buf`, which the handle keeps alive; the handle is a shared
// reference to its prefix plus a claim, both safe to move and share (see above).
unsafe impl<T: Copy + Send + Sync> Send for AppendVec<T> {}
// SAFETY: as above; `&AppendVec` only reads below `len`.
unsafe impl<T: Copy + Send + Sync> Sync for AppendVec<T> {}

impl<T: Copy> Buf<T> {
    fn with_capacity(cap: usize) -> Buf<T> {
        let uninit: Box<[MaybeUninit<T>]> = Box::new_uninit_slice(cap);
        // SAFETY: `UnsafeCell<MaybeUninit<T>>` has the layout of `MaybeUninit<T>`
        // (`UnsafeCell` is `repr(transparent)`); the slice metadata (length) is kept.
        let slots = unsafe { Box::from_raw(Box::into_raw(uninit) as *mut [UnsafeCell<MaybeUninit<T>>]) };
        Buf { slots, claimed: AtomicUsize::new(0) }
    }
}

/// The capacity to move to when `need` values must fit after `len`: doubling while small,
/// then an eighth more at a time. A followed store holds millions of rows in each column;
/// doubling them all when a few more calls arrive would make memory grow far faster than the
/// rows kept. An eighth still keeps appending amortised O(1) (each value is copied about
/// eight times at most).
fn grown(len: usize, need: usize) -> usize {
    let step = (len / 8).max(len.min(1 << 16)).max(8);
    need.max(len.saturating_add(step))
}

/// An append-only vector of `Copy` values whose clones are cheap snapshots.
pub struct AppendVec<T: Copy> {
    buf: Option<Arc<Buf<T>>>,
    /// The first slot of `buf` (dangling when there is none): reading through it costs
    /// what reading a `Vec` does, with no trip through the `Arc`.
    ptr: std::ptr::NonNull<T>,
    len: usize,
    /// Slots `len..owned` are this handle's to write (claimed by it); a clone owns none.
    owned: usize,
}

impl<T: Copy> Default for AppendVec<T> {
    fn default() -> Self {
        AppendVec { buf: None, ptr: std::ptr::NonNull::dangling(), len: 0, owned: 0 }
    }
}

impl<T: Copy> Clone for AppendVec<T> {
    fn clone(&self) -> Self {
        AppendVec { buf: self.buf.clone(), ptr: self.ptr, len: self.len, owned: self.len }
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for AppendVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Copy> std::ops::Deref for AppendVec<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: `ptr` is the first slot of `buf` (or dangling with `len` 0); slots below
        // `len` were written before this handle got its length (by this handle, or by the
        // one it was cloned from) and are never written again.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Copy + PartialEq> PartialEq for AppendVec<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<'a, T: Copy> IntoIterator for &'a AppendVec<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Copy> From<Vec<T>> for AppendVec<T> {
    fn from(v: Vec<T>) -> Self {
        let mut a = AppendVec::default();
        a.extend_from_slice(&v);
        a
    }
}

impl<T: Copy> FromIterator<T> for AppendVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut a = AppendVec::default();
        a.extend(iter);
        a
    }
}

impl<T: Copy> Extend<T> for AppendVec<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        let (lower, _) = iter.size_hint();
        self.reserve(lower);
        for v in iter {
            if self.len < self.owned {
                // SAFETY: slot `len` is inside the buffer and claimed by this handle.
                unsafe { self.ptr.as_ptr().add(self.len).write(v) };
                self.len += 1;
            } else {
                self.push(v);
            }
        }
    }
}

impl<T: Copy> AppendVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// `n` copies of `v`.
    pub fn from_elem(v: T, n: usize) -> Self {
        let mut a = AppendVec::default();
        a.resize(n, v);
        a
    }

    pub fn capacity(&self) -> usize {
        self.buf.as_ref().map_or(0, |b| b.slots.len())
    }

    /// Makes sure `n` slots after `len` are this handle's to write: already owned, or the
    /// rest of the buffer claimed now.
    #[inline]
    fn claim(&mut self, n: usize) -> bool {
        let Some(end) = self.len.checked_add(n) else { return false };
        if end <= self.owned {
            return true;
        }
        let Some(b) = &self.buf else { return false };
        let cap = b.slots.len();
        if end <= cap
            && b.claimed.compare_exchange(self.len, cap, Ordering::AcqRel, Ordering::Relaxed).is_ok()
        {
            self.owned = cap;
            return true;
        }
        false
    }

    /// Full, or an older snapshot: a buffer of our own, then the claim is ours.
    #[cold]
    fn grow_for_push(&mut self) {
        // Grown from the length, not the buffer: a handle that keeps losing its claim must
        // not double a buffer it never fills.
        self.regrow(grown(self.len, self.len.saturating_add(1)));
        if !self.claim(1) {
            unreachable!("a fresh buffer is claimed by its only handle");
        }
    }

    /// Moves this handle's prefix into a buffer of its own with room for `cap` values.
    fn regrow(&mut self, cap: usize) {
        let fresh = Buf::with_capacity(cap.max(self.len));
        // SAFETY: the new buffer has room for `len` values and nobody else sees it yet.
        unsafe {
            std::ptr::copy_nonoverlapping(self.as_ptr(), fresh.slots.as_ptr() as *mut T, self.len);
        }
        fresh.claimed.store(self.len, Ordering::Relaxed);
        let fresh = Arc::new(fresh);
        self.ptr =
            std::ptr::NonNull::new(fresh.slots.as_ptr() as *mut T).unwrap_or(std::ptr::NonNull::dangling());
        self.buf = Some(fresh);
        self.owned = self.len;
    }

    /// Room for `additional` more values written in place (exactly: the store sizes itself
    /// from an estimate, and doubling past it would leave half of every column unused).
    pub fn reserve_exact(&mut self, additional: usize) {
        let want = self.len.saturating_add(additional);
        if want > self.capacity() {
            self.regrow(want);
        }
    }

    /// Room for `additional` more values, growing by doubling.
    pub fn reserve(&mut self, additional: usize) {
        let want = self.len.saturating_add(additional);
        if want > self.capacity() {
            self.regrow(grown(self.len, want));
        }
    }

    #[inline]
    pub fn push(&mut self, v: T) {
        if self.len >= self.owned && !self.claim(1) {
            self.grow_for_push();
        }
        // SAFETY: slot `len` (inside the buffer: claim checked the capacity) was claimed by
        // this handle; no handle reads it yet. Writing through the `UnsafeCell`'s memory is
        // what the cell permits.
        unsafe { self.ptr.as_ptr().add(self.len).write(v) };
        self.len += 1;
    }

    #[inline]
    pub fn extend_from_slice(&mut self, vs: &[T]) {
        if vs.is_empty() {
            return;
        }
        if !self.claim(vs.len()) {
            self.regrow(grown(self.len, self.len.saturating_add(vs.len())));
            if !self.claim(vs.len()) {
                unreachable!("a fresh buffer is claimed by its only handle");
            }
        }
        // SAFETY: slots `len..len + vs.len()` (inside the buffer) were claimed by this handle.
        unsafe { std::ptr::copy_nonoverlapping(vs.as_ptr(), self.ptr.as_ptr().add(self.len), vs.len()) };
        self.len += vs.len();
    }

    /// Grows to `n` values with copies of `v`, or shortens this handle's view to `n`.
    pub fn resize(&mut self, n: usize, v: T) {
        if n == self.len {
            return;
        }
        if n < self.len {
            // Other handles keep their view of the cut values: give up the claim, so a
            // later push from here copies first instead of writing over them.
            self.len = n;
            self.owned = n;
            return;
        }
        self.reserve(n - self.len);
        while self.len < n {
            self.push(v);
        }
    }

    /// The values from `start` on, in a buffer of their own (for dropping the oldest rows).
    pub fn split_from(&self, start: usize) -> AppendVec<T> {
        let mut a = AppendVec::default();
        a.extend_from_slice(self.get(start..).unwrap_or(&[]));
        a
    }

    /// The values, mutable: the buffer is copied first unless this handle is its only one.
    pub fn make_mut(&mut self) -> &mut [T] {
        let unique = self.buf.as_mut().and_then(Arc::get_mut).is_some();
        if !unique {
            self.regrow(self.len);
        }
        match self.buf.as_mut().and_then(Arc::get_mut) {
            Some(b) => {
                *b.claimed.get_mut() = self.len;
                self.owned = self.len;
                // SAFETY: this handle is the buffer's only owner, and slots below `len` are
                // written.
                unsafe { std::slice::from_raw_parts_mut(b.slots.as_mut_ptr().cast::<T>(), self.len) }
            }
            None => &mut [],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_keep_their_prefix_while_the_writer_appends() {
        let mut w: AppendVec<u64> = AppendVec::new();
        w.extend(0..10);
        let snap = w.clone();
        w.extend(10..1000);
        assert_eq!(snap.len(), 10);
        assert_eq!(&snap[..], &(0..10).collect::<Vec<_>>()[..]);
        assert_eq!(w.len(), 1000);
        assert!(w.iter().copied().eq(0..1000));
    }

    #[test]
    fn appending_to_an_old_snapshot_copies_it_and_never_touches_the_writer() {
        let mut w: AppendVec<u32> = AppendVec::new();
        w.reserve_exact(100);
        w.extend(0..10);
        let mut old = w.clone();
        w.push(10);
        old.push(99);
        assert_eq!(w[10], 10);
        assert_eq!(old[10], 99);
        assert_eq!(old.len(), 11);
        // The writer still appends in place.
        let cap = w.capacity();
        w.push(11);
        assert_eq!(w.capacity(), cap);
        assert_eq!(&w[9..], &[9, 10, 11]);
    }

    #[test]
    fn a_shortened_view_copies_before_it_writes() {
        let mut w: AppendVec<u8> = AppendVec::from(vec![1, 2, 3, 4]);
        let keep = w.clone();
        w.resize(2, 0);
        w.push(9);
        assert_eq!(&keep[..], &[1, 2, 3, 4]);
        assert_eq!(&w[..], &[1, 2, 9]);
    }

    #[test]
    fn make_mut_never_changes_a_snapshot() {
        let mut w: AppendVec<u16> = AppendVec::from(vec![1, 2, 3]);
        let snap = w.clone();
        w.make_mut()[0] = 7;
        assert_eq!(&snap[..], &[1, 2, 3]);
        assert_eq!(&w[..], &[7, 2, 3]);
        let unique_ptr = w.as_ptr();
        w.make_mut()[1] = 8;
        assert_eq!(w.as_ptr(), unique_ptr, "a unique buffer is changed in place");
    }

    #[test]
    fn readers_on_other_threads_see_stable_prefixes() {
        let mut w: AppendVec<u64> = AppendVec::new();
        let (tx, rx) = std::sync::mpsc::sync_channel::<AppendVec<u64>>(4);
        let reader = std::thread::spawn(move || {
            let mut seen = 0;
            for snap in rx {
                assert!(snap.iter().enumerate().all(|(i, v)| *v == i as u64 * 3));
                seen = snap.len();
            }
            seen
        });
        for i in 0..200_000u64 {
            w.push(i * 3);
            if i % 997 == 0 {
                let _ = tx.send(w.clone());
            }
        }
        let _ = tx.send(w.clone());
        drop(tx);
        assert_eq!(reader.join().ok(), Some(200_000));
    }

    #[test]
    fn resizing_to_the_same_length_keeps_the_claim() {
        let mut w: AppendVec<u64> = AppendVec::new();
        for i in 0..10_000u64 {
            w.resize(w.len(), 0);
            w.extend_from_slice(&[i]);
        }
        assert_eq!(w.len(), 10_000);
        assert!(w.capacity() < 40_000, "capacity {} for 10,000 values", w.capacity());
        // Growing one value at a time copies the column a logarithmic number of times.
        let mut v: AppendVec<u32> = AppendVec::new();
        let mut moves = 0;
        for n in 1..=100_000 {
            let before = v.as_ptr();
            v.resize(n, 0);
            moves += usize::from(v.as_ptr() != before);
        }
        assert!(moves < 40, "{moves} copies");
    }

    #[test]
    fn a_handle_that_keeps_losing_its_claim_grows_with_its_length() {
        let mut w: AppendVec<u32> = AppendVec::new();
        for i in 0..2_000u32 {
            w.resize(w.len().saturating_sub(1), 0);
            w.push(i);
            w.push(i);
        }
        assert!(w.capacity() < 20_000, "capacity {}", w.capacity());
    }

    #[test]
    fn split_from_keeps_the_tail() {
        let w: AppendVec<i64> = (0..10).collect();
        let t = w.split_from(7);
        assert_eq!(&t[..], &[7, 8, 9]);
        assert!(w.split_from(20).is_empty());
    }

    #[test]
    fn a_large_column_grows_by_an_eighth_not_by_doubling() {
        let mut w: AppendVec<u8> = AppendVec::new();
        w.reserve_exact(2_000_000);
        w.resize(2_000_000, 0);
        w.push(1);
        assert_eq!(w.capacity(), 2_250_000);
        let mut small: AppendVec<u8> = AppendVec::new();
        small.resize(1000, 0);
        small.reserve_exact(0);
        let cap = small.capacity();
        small.resize(cap + 1, 0);
        assert!(small.capacity() >= 2 * cap, "small columns still double: {cap} -> {}", small.capacity());
    }
}
