//! Snapshots of a store that one thread fills while others read it: readers take the newest
//! published snapshot and never wait on the writer.

use crate::cdr::store::table::Store;
use arc_swap::ArcSwap;
use std::sync::Arc;
use std::time::Duration;

/// The newest published snapshot of a store that one thread fills while others read it.
/// Readers take a snapshot ([`read`]) and never wait on the writer: the writer appends to
/// its own store and publishes a cheap clone of it (see [`super::append_vec`]).
pub type SharedStore = Arc<ArcSwap<Store>>;

/// A shared store holding `store`.
pub fn shared(store: Store) -> SharedStore {
    Arc::new(ArcSwap::from_pointee(store))
}

/// The newest snapshot: rows, pools and bookkeeping consistent with each other, however
/// long it is held.
pub fn read(shared: &SharedStore) -> Arc<Store> {
    shared.load_full()
}

/// How often a loader publishes while rows arrive.
pub const PUBLISH_EVERY: Duration = Duration::from_millis(200);

/// Publishes the writer's store for readers.
pub fn publish(shared: &SharedStore, store: &Store) {
    shared.store(Arc::new(store.clone()));
}
