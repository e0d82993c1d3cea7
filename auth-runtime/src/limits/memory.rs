//! The in-memory limit of one server: `governor`'s GCRA over a store bounded in size.
//!
//! The store keeps one theoretical arrival time (TAT) per key, the SHA-256 of the address
//! or identifier (32 bytes, whatever its length). At [`SignInLimits::max_keys`] keys an
//! insertion first forgets the tenth of the keys with the smallest TAT: those nearest to
//! their full burst (an expired key, whose TAT is past, first; forgetting one changes
//! nothing), so the locked-out keys are the last to go. An attacker rotating identifiers
//! therefore cannot grow memory past the cap; to free a victim's lockout early they would
//! have to push more fresh keys than the cap through the per-address limit first.
//!
//! [`SignInLimits::max_keys`]: crate::config::SignInLimits::max_keys

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, UNIX_EPOCH};

use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::{Quota, RateLimiter};

use crate::clock::Clock;
use crate::config::Rate;

/// A limit's key: SHA-256 of its kind and value.
pub(crate) type Key = [u8; 32];

/// The runtime's [`Clock`] as `governor` reads it: the time since the Unix epoch.
#[derive(Clone, Debug)]
struct GovClock(Arc<dyn Clock>);

impl governor::clock::Clock for GovClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.0.now().duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}

/// The TATs by key, at most `cap` of them.
#[derive(Debug)]
struct Tats {
    map: Mutex<HashMap<Key, u64>>,
    cap: usize,
}

/// The bounded store (shared with the [`MemoryLimit`] that reads its size).
#[derive(Clone, Debug)]
struct BoundedStore(Arc<Tats>);

impl BoundedStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Key, u64>> {
        self.0.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Forgets at least a tenth of `map` (at least one key), the smallest TATs first.
fn evict(map: &mut HashMap<Key, u64>) {
    let drop = (map.len() / 10).max(1);
    let mut tats: Vec<u64> = map.values().copied().collect();
    let (_, threshold, _) = tats.select_nth_unstable(drop - 1);
    let threshold = *threshold;
    map.retain(|_, tat| *tat > threshold);
}

impl StateStore for BoundedStore {
    type Key = Key;

    fn measure_and_replace<T, F, E>(&self, key: &Key, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        // One lock around read, decision and write: the step is atomic.
        let mut map = self.map();
        let (out, tat) = f(map
            .get(key)
            .copied()
            .map(|n| Nanos::from(Duration::from_nanos(n))))?;
        if !map.contains_key(key) && map.len() >= self.0.cap {
            evict(&mut map);
        }
        map.insert(*key, tat.as_u64());
        Ok(out)
    }
}

/// One limit (per address or per identifier) of one server.
pub(crate) struct MemoryLimit {
    limiter: RateLimiter<Key, BoundedStore, GovClock, NoOpMiddleware<Duration>>,
    store: BoundedStore,
    clock: GovClock,
}

impl std::fmt::Debug for MemoryLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryLimit")
            .field("keys", &self.len())
            .field("cap", &self.store.0.cap)
            .finish_non_exhaustive()
    }
}

impl MemoryLimit {
    /// A limit of `rate`, remembering at most `cap` keys, on `clock`.
    pub(crate) fn new(rate: Rate, cap: usize, clock: Arc<dyn Clock>) -> Self {
        let burst = NonZeroU32::new(rate.count()).unwrap_or(NonZeroU32::MIN);
        // `interval` is at least 1 ns, so `with_period` always answers.
        let quota = Quota::with_period(rate.interval())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        let store = BoundedStore(Arc::new(Tats {
            map: Mutex::new(HashMap::new()),
            cap: cap.max(1),
        }));
        let clock = GovClock(clock);
        MemoryLimit {
            limiter: RateLimiter::new(quota, store.clone(), clock.clone()),
            store,
            clock,
        }
    }

    /// Counts one attempt: `Ok` when allowed, else how long until the next one is.
    pub(crate) fn hit(&self, key: &Key) -> Result<(), Duration> {
        use governor::clock::Clock as _;
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets `key`.
    pub(crate) fn reset(&self, key: &Key) {
        self.store.map().remove(key);
    }

    /// How many keys are remembered.
    pub(crate) fn len(&self) -> usize {
        self.store.map().len()
    }

    /// The most keys remembered.
    pub(crate) fn cap(&self) -> usize {
        self.store.0.cap
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Mutex as StdMutex;
    use std::time::SystemTime;

    #[derive(Debug)]
    struct Fixed(StdMutex<SystemTime>);
    impl Clock for Fixed {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    fn key(i: u32) -> Key {
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(&i.to_be_bytes());
        k
    }

    #[test]
    fn gcra_burst_then_refill() {
        let clock = Arc::new(Fixed(StdMutex::new(SystemTime::now())));
        let rate = Rate::new(5, Duration::from_secs(900)).unwrap();
        let limit = MemoryLimit::new(rate, 100, clock.clone());
        for _ in 0..5 {
            assert_eq!(limit.hit(&key(1)), Ok(()));
        }
        let wait = limit.hit(&key(1)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(180));
        assert_eq!(limit.hit(&key(2)), Ok(()), "another key has its own burst");
        *clock.0.lock().unwrap() += Duration::from_secs(900);
        for _ in 0..5 {
            assert_eq!(limit.hit(&key(1)), Ok(()));
        }
        assert!(limit.hit(&key(1)).is_err());
        limit.reset(&key(1));
        assert_eq!(limit.hit(&key(1)), Ok(()));
    }

    #[test]
    fn the_store_stays_bounded_and_keeps_the_locked_out() {
        let clock = Arc::new(Fixed(StdMutex::new(SystemTime::now())));
        let rate = Rate::new(2, Duration::from_secs(60)).unwrap();
        let limit = MemoryLimit::new(rate, 1000, clock.clone());
        limit.hit(&key(0)).unwrap();
        limit.hit(&key(0)).unwrap();
        assert!(limit.hit(&key(0)).is_err(), "key 0 locked out");
        for i in 1..20_000 {
            *clock.0.lock().unwrap() += Duration::from_millis(1);
            limit.hit(&key(i)).unwrap();
            assert!(limit.len() <= 1000);
        }
        assert!(limit.hit(&key(0)).is_err(), "the locked-out key survived");
    }
}
