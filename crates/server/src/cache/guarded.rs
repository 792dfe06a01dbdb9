//! A cache that never keeps a value read before a change it has been told of.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::events::Barrier;

/// A bounded, expiring map that also counts invalidations (its epoch). A value loaded while an
/// invalidation happened may predate it, so it is handed back but not kept: a load notes the
/// epoch before reading and keeps its value only if the epoch has not moved since. The check and
/// the insert happen under the same lock as the invalidation, so none slips in between.
///
/// Misses of one key load one at a time: after a change, the many requests waiting for the same
/// page make one query, not one each. A waiter then takes the value its predecessor kept, which
/// is never older than the last invalidation.
pub struct Guarded<K, V> {
    barrier: Barrier,
    entries: Option<moka::sync::Cache<K, V>>,
    epoch: Mutex<u64>,
    live: AtomicBool,
    loading: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

/// Keys with a load lock kept before the idle ones are dropped.
const LOADING_KEYS: usize = 1024;

impl<K, V> Guarded<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// At most `capacity` entries, each for at most `ttl`; `ttl` zero keeps nothing. What it holds
    /// is served only once `barrier` says every change made before the read has been heard.
    pub fn new(capacity: u64, ttl: Duration, barrier: Barrier) -> Self {
        let entries = (!ttl.is_zero())
            .then(|| moka::sync::Cache::builder().max_capacity(capacity).time_to_live(ttl).support_invalidation_closures().build());
        Self::build(entries, barrier)
    }

    /// As [`Guarded::new`], bounded by the sum of `weigh` over the entries instead of their number.
    pub fn weighted(capacity: u64, weigh: fn(&K, &V) -> u32, ttl: Duration, barrier: Barrier) -> Self {
        let entries = (!ttl.is_zero()).then(|| {
            moka::sync::Cache::builder().max_capacity(capacity).weigher(weigh).time_to_live(ttl).support_invalidation_closures().build()
        });
        Self::build(entries, barrier)
    }

    fn build(entries: Option<moka::sync::Cache<K, V>>, barrier: Barrier) -> Self {
        Guarded { barrier, entries, epoch: Mutex::new(0), live: AtomicBool::new(true), loading: Mutex::default() }
    }

    /// Whether what this cache holds may be served: every change made before the call has been
    /// heard. A caller reading many keys asks once, then reads them with [`Guarded::get`].
    pub async fn caught_up(&self) -> bool {
        self.barrier.caught_up().await
    }

    pub fn get(&self, key: &K) -> Option<V> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        self.entries.as_ref()?.get(key)
    }

    /// The cached value, or `load`'s, kept if nothing was invalidated meanwhile. Until this
    /// process has heard every change made before the call, what it holds is passed over; what
    /// `load` reads is still kept, as a change not yet heard invalidates it on arrival.
    pub async fn get_or_load<E, F, Fut>(&self, key: K, load: F) -> Result<V, E>
    where
        K: Clone,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        self.get_or_load_where(key, |_| true, |_| load()).await
    }

    /// As [`Guarded::get_or_load`], where a kept value that is not `enough` counts as missing;
    /// `load` is given it (trusted or not) to build on.
    pub async fn get_or_load_where<E, F, Fut>(&self, key: K, enough: impl Fn(&V) -> bool, load: F) -> Result<V, E>
    where
        K: Clone,
        F: FnOnce(Option<V>) -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        if self.entries.is_none() {
            return load(None).await;
        }
        let trusted = self.barrier.caught_up().await;
        let kept = || self.get(&key).filter(|_| trusted);
        if let Some(value) = kept().filter(&enough) {
            return Ok(value);
        }
        let turn = self.load_lock(&key);
        let _turn = turn.lock().await;
        let before = kept();
        if let Some(value) = before.clone().filter(&enough) {
            return Ok(value);
        }
        let ticket = self.ticket();
        let value = load(before).await?;
        self.keep(ticket, key, value.clone());
        Ok(value)
    }

    fn load_lock(&self, key: &K) -> Arc<tokio::sync::Mutex<()>>
    where
        K: Clone,
    {
        let mut loading = self.loading.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if loading.len() >= LOADING_KEYS {
            loading.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        loading.entry(key.clone()).or_default().clone()
    }

    /// Notes the epoch before a read whose result may be kept with [`Guarded::keep`].
    pub fn ticket(&self) -> u64 {
        *self.lock()
    }

    /// Keeps `value` unless something was invalidated since `ticket` was taken.
    pub fn keep(&self, ticket: u64, key: K, value: V) {
        let epoch = self.lock();
        if *epoch == ticket && self.live.load(Ordering::Acquire) {
            if let Some(entries) = &self.entries {
                entries.insert(key, value);
            }
        }
    }

    pub fn forget(&self, key: &K) {
        self.invalidate(|entries| entries.invalidate(key));
    }

    pub fn forget_if(&self, predicate: impl Fn(&K, &V) -> bool + Send + Sync + 'static) {
        self.invalidate(|entries| {
            if entries.invalidate_entries_if(predicate).is_err() {
                entries.invalidate_all();
            }
        });
    }

    pub fn forget_all(&self) {
        self.invalidate(|entries| entries.invalidate_all());
    }

    /// Events may have been missed: forget everything; keep nothing until `live`.
    pub fn gap(&self, live: bool) {
        self.invalidate(|entries| entries.invalidate_all());
        self.live.store(live, Ordering::Release);
    }

    fn invalidate(&self, apply: impl FnOnce(&moka::sync::Cache<K, V>)) {
        let mut epoch = self.lock();
        *epoch += 1;
        if let Some(entries) = &self.entries {
            apply(entries);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        self.epoch.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
