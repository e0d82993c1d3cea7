//! The database strategy's session row cache: the rows (session and user) one server read,
//! each trusted for [`AuthConfig::with_session_cache_interval`] (off unless set), so a
//! session read costs at most one database query per session and interval.
//!
//! Revocation stays bounded: what this server ends (sign-out, `revoke_session`,
//! `sign_out_everywhere`) is forgotten at once; what another server ends is seen when the
//! cached row ages past the interval. A read that was already in flight when something
//! was forgotten does not put its (possibly revoked) row back: every forget moves an epoch,
//! and a row read under an older epoch is not stored.
//!
//! [`AuthConfig::with_session_cache_interval`]: crate::AuthConfig::with_session_cache_interval

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::adapter::{AdapterSession, SessionKey};
use crate::config::User;

/// How many sessions one [`crate::Auth`] keeps in its session row cache (database
/// strategy) at most; past it the oldest entry is dropped (its next read queries the
/// database again).
pub const SESSION_ROW_CACHE_CAPACITY: usize = 10_000;

/// One cached row.
#[derive(Clone, Debug)]
struct Row {
    session: AdapterSession,
    user: User,
    read_at: SystemTime,
    /// Which insertion this is (see [`Rows::order`]).
    seq: u64,
}

#[derive(Debug, Default)]
struct Rows {
    by_key: HashMap<[u8; 32], Row>,
    /// Insertion order: `(key, seq)`; an entry whose `seq` no longer matches the row's
    /// (forgotten, or stored again since) is skipped when evicting.
    order: VecDeque<([u8; 32], u64)>,
    next_seq: u64,
    /// Moved by every forget (see the module documentation).
    epoch: u64,
}

/// The session rows a server read, each trusted for `interval`.
#[derive(Debug)]
pub(crate) struct SessionRows {
    interval: Duration,
    capacity: usize,
    rows: Mutex<Rows>,
}

impl SessionRows {
    /// The cache an `Inner` keeps under the database strategy, unless turned off (`None`
    /// or a zero interval).
    pub(crate) fn for_interval(interval: Option<Duration>) -> Option<Self> {
        interval
            .filter(|i| !i.is_zero())
            .map(|i| Self::new(i, SESSION_ROW_CACHE_CAPACITY))
    }

    pub(crate) fn new(interval: Duration, capacity: usize) -> Self {
        SessionRows {
            interval,
            capacity: capacity.max(1),
            rows: Mutex::new(Rows::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rows> {
        // The map stays consistent whatever panicked while holding it.
        self.rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The row of `key` when read less than `interval` before `now`.
    pub(crate) fn fresh(
        &self,
        key: &SessionKey,
        now: SystemTime,
    ) -> Option<(AdapterSession, User)> {
        let rows = self.lock();
        let row = rows.by_key.get(key.as_bytes())?;
        // A clock that went back makes the entry stale, never fresh for longer.
        let age = now.duration_since(row.read_at).ok()?;
        (age < self.interval).then(|| (row.session.clone(), row.user.clone()))
    }

    /// The epoch to pass to [`SessionRows::store`] for a database read starting now.
    pub(crate) fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    /// Records the row of `key` read at `now`, unless something was forgotten since the
    /// read began (`epoch`, from [`SessionRows::epoch`] before the query).
    pub(crate) fn store(
        &self,
        key: &SessionKey,
        session: &AdapterSession,
        user: &User,
        now: SystemTime,
        epoch: u64,
    ) {
        let mut rows = self.lock();
        if rows.epoch != epoch {
            return;
        }
        let seq = rows.next_seq;
        rows.next_seq += 1;
        let row = Row {
            session: session.clone(),
            user: user.clone(),
            read_at: now,
            seq,
        };
        let key = *key.as_bytes();
        if rows.by_key.insert(key, row).is_none() {
            while rows.by_key.len() > self.capacity {
                let Some((oldest, oldest_seq)) = rows.order.pop_front() else {
                    break;
                };
                if rows
                    .by_key
                    .get(&oldest)
                    .is_some_and(|r| r.seq == oldest_seq)
                {
                    rows.by_key.remove(&oldest);
                }
            }
        }
        rows.order.push_back((key, seq));
        // Stale order entries (rows stored again or forgotten) are dropped when they
        // outnumber the live ones, so the queue stays within twice the capacity.
        if rows.order.len() > 2 * self.capacity {
            let Rows { by_key, order, .. } = &mut *rows;
            order.retain(|(k, s)| by_key.get(k).is_some_and(|r| r.seq == *s));
        }
    }

    /// Forgets the session of `key` (signed out or revoked through this server).
    pub(crate) fn forget(&self, key: &SessionKey) {
        let mut rows = self.lock();
        rows.epoch += 1;
        rows.by_key.remove(key.as_bytes());
    }

    /// Forgets every session of `user_id` (signed out everywhere, or the user's profile
    /// changed through this server).
    pub(crate) fn forget_user(&self, user_id: &str) {
        let mut rows = self.lock();
        rows.epoch += 1;
        rows.by_key.retain(|_, row| row.user.id != user_id);
    }

    /// How many sessions are cached.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn key(n: u8) -> SessionKey {
        SessionKey::from_bytes([n; 32])
    }

    fn row(user: &str) -> (AdapterSession, User) {
        (
            AdapterSession {
                key: key(0),
                user_id: user.to_owned(),
                expires: 1_000_000,
                created_at: 0,
            },
            User::new(user),
        )
    }

    fn put(c: &SessionRows, k: u8, user: &str, now: SystemTime) {
        let (s, u) = row(user);
        c.store(&key(k), &s, &u, now, c.epoch());
    }

    #[test]
    fn rows_expire_after_the_interval() {
        let c = SessionRows::new(Duration::from_secs(5), 10);
        assert!(c.fresh(&key(1), at(100)).is_none());
        put(&c, 1, "u", at(100));
        assert_eq!(c.fresh(&key(1), at(104)).map(|r| r.1.id), Some("u".into()));
        assert!(c.fresh(&key(1), at(105)).is_none());
        // A clock that went back reads as stale.
        assert!(c.fresh(&key(1), at(99)).is_none());
    }

    #[test]
    fn a_zero_interval_is_no_cache() {
        assert!(SessionRows::for_interval(Some(Duration::ZERO)).is_none());
        assert!(SessionRows::for_interval(None).is_none());
        assert!(SessionRows::for_interval(Some(Duration::from_secs(1))).is_some());
    }

    #[test]
    fn forgetting_a_session_or_a_user() {
        let c = SessionRows::new(Duration::from_secs(5), 10);
        put(&c, 1, "a", at(100));
        put(&c, 2, "a", at(100));
        put(&c, 3, "b", at(100));
        c.forget(&key(1));
        assert!(c.fresh(&key(1), at(100)).is_none());
        assert!(c.fresh(&key(2), at(100)).is_some());
        c.forget_user("a");
        assert!(c.fresh(&key(2), at(100)).is_none());
        assert!(c.fresh(&key(3), at(100)).is_some());
    }

    #[test]
    fn a_read_in_flight_during_a_forget_is_not_stored() {
        let c = SessionRows::new(Duration::from_secs(5), 10);
        let epoch = c.epoch();
        c.forget(&key(1));
        let (s, u) = row("a");
        c.store(&key(1), &s, &u, at(100), epoch);
        assert!(c.fresh(&key(1), at(100)).is_none());
        // A read that starts after the forget is stored.
        c.store(&key(1), &s, &u, at(100), c.epoch());
        assert!(c.fresh(&key(1), at(100)).is_some());
    }

    #[test]
    fn the_cache_is_bounded_and_drops_the_oldest() {
        let c = SessionRows::new(Duration::from_secs(5), 3);
        for k in 1..=4 {
            put(&c, k, "u", at(100));
        }
        assert_eq!(c.len(), 3);
        assert!(c.fresh(&key(1), at(100)).is_none());
        assert!(c.fresh(&key(4), at(100)).is_some());
        // Storing a cached session again does not grow the cache or its queue past bounds.
        for _ in 0..1000 {
            put(&c, 2, "u", at(101));
            c.forget(&key(3));
            put(&c, 3, "u", at(101));
        }
        assert_eq!(c.len(), 3);
        assert!(c.lock().order.len() <= 6);
        for k in 10..200 {
            put(&c, k, "u", at(100));
        }
        assert_eq!(c.len(), 3);
        assert!(c.fresh(&key(199), at(100)).is_some());
    }
}
