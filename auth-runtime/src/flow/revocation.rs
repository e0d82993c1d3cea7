//! Revocable JWT sessions: the user's session version, stamped into the token at sign-in,
//! compared with the adapter's on every read (through a bounded per-user cache), and
//! bumped by "sign out everywhere".
//!
//! A JWT session lives in the browser, so ending it early needs a shared fact the servers
//! can check: the adapter stores one integer per user (`0` until first revoked). A token
//! whose [`SESSION_VERSION_CLAIM`] is lower than the stored version (a token without the
//! claim counts as `0`) reads as signed out and its cookie is cleared. Each server keeps
//! the versions it read for [`AuthConfig::with_session_check_interval`] (30 s by
//! default), so a read costs at most one database round trip per user and interval; the
//! staleness is bounded by that interval (the server that revokes updates its own cache at
//! once).
//!
//! [`AuthConfig::with_session_check_interval`]: crate::AuthConfig::with_session_check_interval

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

#[cfg(test)]
use serde_json::{Map, Value};

use super::{FlowError, Inner, Strategy};
use crate::adapter::{Adapter, AdapterError};

/// The claim holding the user's session version in a JWT session (an integer), named so
/// it cannot clash with Auth.js's claims or an application's token fields. Auth.js reads a
/// cookie carrying it like any other (its callbacks see one more claim). The `jwt`
/// callback never sees it: the runtime takes it out before and puts it back after.
pub const SESSION_VERSION_CLAIM: &str = "authrs_sv";

/// How many users' session versions one [`crate::Auth`] keeps in memory at most; past it
/// the oldest entry is dropped (its next read asks the database again).
pub const SESSION_VERSION_CACHE_CAPACITY: usize = 10_000;

/// What a session read learns from the version check.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum VersionCheck {
    /// Not revoked (or nothing to check: no adapter, no `sub`, check turned off).
    Valid,
    /// The token's version is older than the user's: signed out.
    Revoked,
    /// The database did not answer: neither signed in nor out (503, cookie kept).
    Unavailable,
}

/// One cached version: `None` when the adapter does not store versions.
#[derive(Clone, Copy, Debug)]
struct Cached {
    version: Option<i64>,
    read_at: SystemTime,
}

/// The per-user versions one server read, bounded; dropped oldest-inserted first.
#[derive(Debug, Default)]
struct Entries {
    by_user: HashMap<String, Cached>,
    /// Insertion order of the keys of `by_user` (each exactly once).
    order: VecDeque<String>,
}

/// The session versions a server read, each trusted for `interval`.
#[derive(Debug)]
pub(crate) struct SessionVersions {
    interval: Duration,
    capacity: usize,
    entries: Mutex<Entries>,
}

impl SessionVersions {
    pub(crate) fn new(interval: Duration, capacity: usize) -> Self {
        SessionVersions {
            interval,
            capacity: capacity.max(1),
            entries: Mutex::new(Entries::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // The map stays consistent whatever panicked while holding it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached version of `user_id` when read less than `interval` before `now`.
    fn fresh(&self, user_id: &str, now: SystemTime) -> Option<Option<i64>> {
        let entries = self.lock();
        let cached = entries.by_user.get(user_id)?;
        // A clock that went back makes the entry stale, never fresh for longer.
        let age = now.duration_since(cached.read_at).ok()?;
        (age < self.interval).then_some(cached.version)
    }

    /// Records the version of `user_id` read at `now`.
    fn store(&self, user_id: &str, version: Option<i64>, now: SystemTime) {
        let mut entries = self.lock();
        let cached = Cached {
            version,
            read_at: now,
        };
        if let Some(slot) = entries.by_user.get_mut(user_id) {
            // Never move a version back (a slow read finishing after a bump).
            if slot
                .version
                .is_some_and(|old| version.is_some_and(|v| v < old))
            {
                slot.read_at = now;
            } else {
                *slot = cached;
            }
            return;
        }
        while entries.by_user.len() >= self.capacity {
            match entries.order.pop_front() {
                Some(oldest) => {
                    entries.by_user.remove(&oldest);
                }
                None => break,
            }
        }
        entries.by_user.insert(user_id.to_owned(), cached);
        entries.order.push_back(user_id.to_owned());
    }

    /// How many users are cached.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().by_user.len()
    }
}

/// Takes the session version claim out of decoded claims: `Ok(None)` when absent,
/// `Err` when it is not a non-negative integer. The session read uses
/// [`take_raw_version`]; this `Value` form is what the tests compare it with.
#[cfg(test)]
pub(crate) fn take_version(claims: &mut Map<String, Value>) -> Result<Option<i64>, &'static str> {
    match claims.remove(SESSION_VERSION_CLAIM) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .filter(|v| *v >= 0)
            .map(Some)
            .ok_or("the session version claim is not a non-negative integer"),
    }
}

/// [`take_version`] of claims read without a `Value` tree.
pub(crate) fn take_raw_version(
    claims: &mut crate::jwt::RawClaims<'_>,
) -> Result<Option<i64>, &'static str> {
    match claims.remove(SESSION_VERSION_CLAIM) {
        None => Ok(None),
        Some(raw) => serde_json::from_str::<serde_json::Number>(raw.get())
            .ok()
            .and_then(|n| n.as_i64())
            .filter(|v| *v >= 0)
            .map(Some)
            .ok_or("the session version claim is not a non-negative integer"),
    }
}

/// Puts the session version claim (when there is one) into claims about to be encoded.
/// The session's cookies splice it in ([`super::Inner::encode_token_json`]); this `Value`
/// form is what the tests compare with.
#[cfg(test)]
pub(crate) fn put_version(claims: &mut Map<String, Value>, version: Option<i64>) {
    if let Some(v) = version {
        claims.insert(SESSION_VERSION_CLAIM.to_owned(), Value::from(v));
    }
}

/// The `sub` claim, when it is a non-empty string ([`raw_subject`] and [`json_subject`] are
/// what the flow reads; the tests compare with this).
#[cfg(test)]
pub(crate) fn subject(claims: &Map<String, Value>) -> Option<&str> {
    claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The `sub` claim of a serialised token, when it is a non-empty string.
pub(crate) fn json_subject(claims: &crate::jwt::TokenJson) -> Option<String> {
    claims.str("sub").filter(|s| !s.is_empty())
}

/// [`subject`] of claims read without a `Value` tree.
pub(crate) fn raw_subject<'a>(
    claims: &crate::jwt::RawClaims<'a>,
) -> Option<std::borrow::Cow<'a, str>> {
    claims.str("sub").filter(|s| !s.is_empty())
}

/// The cache an [`Inner`] keeps: with an adapter, under the jwt strategy, unless turned off.
pub(crate) fn versions_for(
    strategy: &Strategy,
    adapter: Option<&std::sync::Arc<dyn Adapter>>,
    interval: Option<Duration>,
) -> Option<SessionVersions> {
    match (strategy, adapter, interval) {
        (Strategy::Jwt, Some(_), Some(interval)) => Some(SessionVersions::new(
            interval,
            SESSION_VERSION_CACHE_CAPACITY,
        )),
        _ => None,
    }
}

impl<T, U> Inner<T, U> {
    /// The stored version of `user_id`, read from the database (and cached): `None` when
    /// the adapter does not store versions.
    async fn read_version(
        &self,
        db: &dyn Adapter,
        versions: &SessionVersions,
        user_id: &str,
        now: SystemTime,
    ) -> Result<Option<i64>, AdapterError> {
        let version = match db.session_version(user_id).await {
            Ok(v) => Some(v),
            Err(AdapterError::Unsupported(what)) => {
                tracing::debug!(
                    what,
                    "the adapter stores no session versions; JWT sessions are not checked"
                );
                None
            }
            Err(e) => return Err(e),
        };
        versions.store(user_id, version, now);
        Ok(version)
    }

    /// Checks a decoded token's version (taken out of its claims) against the version of
    /// its user, `user_id` (the token's non-empty `sub`, see [`subject`]).
    pub(crate) async fn check_session_version(
        &self,
        user_id: Option<&str>,
        token_version: Option<i64>,
        now: SystemTime,
    ) -> VersionCheck {
        let (Some(versions), Some(db)) = (&self.versions, &self.adapter) else {
            return VersionCheck::Valid;
        };
        let Some(user_id) = user_id else {
            return VersionCheck::Valid;
        };
        let stored = match versions.fresh(user_id, now) {
            Some(cached) => cached,
            None => match self.read_version(&**db, versions, user_id, now).await {
                Ok(v) => v,
                Err(e) => {
                    tracing::error!(error = %e, unavailable = e.is_unavailable(), "session version check failed: the database did not answer");
                    return VersionCheck::Unavailable;
                }
            },
        };
        match stored {
            Some(stored) if token_version.unwrap_or(0) < stored => VersionCheck::Revoked,
            _ => VersionCheck::Valid,
        }
    }

    /// The version to stamp into a token being minted at sign-in for `user_id` (the
    /// token's `sub` after `jwt`), read from the database, never from the cache (a
    /// revocation another server made a moment ago must not be stamped stale). `None`:
    /// nothing to stamp.
    pub(crate) async fn sign_in_version(
        &self,
        user_id: Option<&str>,
        now: SystemTime,
    ) -> Result<Option<i64>, FlowError> {
        let (Some(versions), Some(db)) = (&self.versions, &self.adapter) else {
            return Ok(None);
        };
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        Ok(self.read_version(&**db, versions, user_id, now).await?)
    }

    /// See `crate::Auth::sign_out_everywhere`.
    pub(crate) async fn sign_out_everywhere(&self, user_id: &str) -> Result<u64, AdapterError> {
        let db = self.adapter.as_ref().ok_or_else(|| {
            AdapterError::Config("this Auth has no adapter (use Auth::with_adapter)".to_owned())
        })?;
        match db.bump_session_version(user_id).await {
            Ok(version) => {
                if let Some(versions) = &self.versions {
                    versions.store(user_id, Some(version), self.now());
                }
            }
            // The database strategy has no JWT sessions to end: deleting the rows is all.
            Err(AdapterError::Unsupported(_)) if matches!(self.strategy, Strategy::Database(_)) => {
            }
            Err(e) => return Err(e),
        }
        if self.versions.is_none() && matches!(self.strategy, Strategy::Jwt) {
            tracing::warn!(
                "the session check is turned off (`without_session_check`): JWT sessions of this user keep working until they expire"
            );
        }
        if let Some(cached) = &self.session_rows {
            cached.forget_user(user_id);
        }
        let rows = db.delete_user_sessions(user_id).await;
        // Again after: a read in flight during the delete cannot keep a row (see
        // `SessionRows`).
        if let Some(cached) = &self.session_rows {
            cached.forget_user(user_id);
        }
        let rows = rows?;
        tracing::info!(sessions = rows, "user signed out everywhere");
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn cached_versions_expire_after_the_interval() {
        let v = SessionVersions::new(Duration::from_secs(30), 10);
        assert_eq!(v.fresh("u", at(100)), None);
        v.store("u", Some(2), at(100));
        assert_eq!(v.fresh("u", at(100)), Some(Some(2)));
        assert_eq!(v.fresh("u", at(129)), Some(Some(2)));
        assert_eq!(v.fresh("u", at(130)), None);
        // A clock that went back reads as stale.
        assert_eq!(v.fresh("u", at(99)), None);
    }

    #[test]
    fn a_zero_interval_never_caches() {
        let v = SessionVersions::new(Duration::ZERO, 10);
        v.store("u", Some(1), at(100));
        assert_eq!(v.fresh("u", at(100)), None);
    }

    #[test]
    fn the_cache_is_bounded_and_drops_the_oldest() {
        let v = SessionVersions::new(Duration::from_secs(30), 3);
        for (i, user) in ["a", "b", "c", "d"].into_iter().enumerate() {
            v.store(user, Some(i as i64), at(100));
        }
        assert_eq!(v.len(), 3);
        assert_eq!(v.fresh("a", at(100)), None);
        assert_eq!(v.fresh("d", at(100)), Some(Some(3)));
        // Refreshing a cached user does not grow the cache.
        v.store("b", Some(5), at(101));
        assert_eq!(v.len(), 3);
        for i in 0..1000 {
            v.store(&format!("x{i}"), Some(0), at(100));
        }
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn a_late_read_never_moves_a_version_back() {
        let v = SessionVersions::new(Duration::from_secs(30), 3);
        v.store("u", Some(3), at(100));
        v.store("u", Some(2), at(101));
        assert_eq!(v.fresh("u", at(101)), Some(Some(3)));
    }

    #[test]
    fn the_claim_is_taken_out_and_put_back() {
        let mut claims = Map::new();
        assert_eq!(take_version(&mut claims), Ok(None));
        claims.insert(SESSION_VERSION_CLAIM.to_owned(), Value::from(4));
        assert_eq!(take_version(&mut claims), Ok(Some(4)));
        assert!(claims.is_empty());
        for bad in [Value::from(-1), Value::from("4"), Value::from(1.5)] {
            claims.insert(SESSION_VERSION_CLAIM.to_owned(), bad);
            assert!(take_version(&mut claims).is_err());
        }
        put_version(&mut claims, None);
        assert!(claims.is_empty());
        put_version(&mut claims, Some(7));
        assert_eq!(claims.get(SESSION_VERSION_CLAIM), Some(&Value::from(7)));
    }
}
