//! The adapters on sqlx: one [`Adapter`] implementation, [`SqlAdapter<DB>`], generic over
//! the database. The queries are one text for both databases (`$N` placeholders work in
//! SQLite and PostgreSQL); what differs is small and lives in [`SqlDatabase`] (which error
//! codes mean "unavailable for now", how a result counts rows) and in `sqlite.rs` /
//! `postgres.rs` (connecting, and how a migration takes its lock).

mod migrate;
mod queries;

#[cfg(feature = "postgres")]
mod authjs;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use super::{Adapter, AdapterError, AdapterFuture};
use crate::config::AccountType;

#[cfg(feature = "postgres")]
pub use authjs::AuthJsPostgresAdapter;
#[cfg(feature = "postgres")]
pub use postgres::{MIGRATION_LOCK_KEY, PostgresAdapter};
#[cfg(feature = "sqlite")]
pub use sqlite::{SQLITE_BUSY_TIMEOUT, SqliteAdapter};

/// An [`Adapter`] on a sqlx connection pool: `SqliteAdapter` (`SqlAdapter<sqlx::Sqlite>`,
/// feature `sqlite`) or `PostgresAdapter` (`SqlAdapter<sqlx::Postgres>`, feature
/// `postgres`). Use those names; they document how each connects.
///
/// Cloning shares the pool. Every call is bounded by the call timeout
/// ([`DEFAULT_CALL_TIMEOUT`](super::DEFAULT_CALL_TIMEOUT), see
/// [`SqlAdapter::with_call_timeout`]).
///
/// The session read (`get_session_and_user`, every request under the database strategy)
/// keeps one pool connection for itself between reads when the pool allows at least
/// [`KEEP_FOR_READS_MIN_POOL`] connections: sqlx tests every connection given back to the
/// pool with a round trip (to PostgreSQL, or to SQLite's worker thread), which doubled the
/// cost of a read. The kept connection goes back to the pool after
/// [`KEPT_CONNECTION_LIFETIME`], after an error, and on [`SqlAdapter::close`].
pub struct SqlAdapter<DB: sqlx::Database> {
    pool: sqlx::Pool<DB>,
    call_timeout: Duration,
    /// The connection kept for session reads (shared by clones).
    kept: Arc<Mutex<KeptSlot<DB>>>,
}

/// The smallest pool (`max_connections`) from which the session read keeps a connection
/// for itself: a smaller pool lends all of its connections to every caller.
pub const KEEP_FOR_READS_MIN_POOL: u32 = 4;

/// How long the session read keeps one connection before giving it back to the pool (which
/// then applies its own lifetime and idle rules to it).
pub const KEPT_CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

/// Where the kept connection waits; `closed` once [`SqlAdapter::close`] began (a read
/// finishing after that gives its connection back instead of keeping it, or the pool's
/// close would wait for it forever).
struct KeptSlot<DB: sqlx::Database> {
    kept: Option<Kept<DB>>,
    closed: bool,
}

/// A pool connection kept between session reads, and since when.
struct Kept<DB: sqlx::Database> {
    /// Always `Some` until dropped.
    conn: Option<sqlx::pool::PoolConnection<DB>>,
    since: Instant,
}

impl<DB: sqlx::Database> Drop for Kept<DB> {
    fn drop(&mut self) {
        // sqlx gives a connection back to its pool in a task spawned on the current tokio
        // runtime, and panics without one: an adapter dropped after its runtime (a static,
        // the end of `main`) closes the kept connection without the pool instead.
        if tokio::runtime::Handle::try_current().is_err()
            && let Some(conn) = self.conn.take()
        {
            drop(conn.leak());
        }
    }
}

/// What differs between the databases [`SqlAdapter`] runs on. Implemented for
/// `sqlx::Sqlite` (feature `sqlite`) and `sqlx::Postgres` (feature `postgres`); sealed.
pub trait SqlDatabase: sqlx::Database + sealed::Sealed {
    /// The adapter's name in `Debug` output.
    const ADAPTER: &'static str;

    /// Whether a database error code means "unavailable for now" (the flow answers 503).
    fn transient(code: &str) -> bool;

    /// The GCRA step of [`Adapter::rate_limit_hit`](crate::adapter::Adapter::rate_limit_hit)
    /// in one statement (`$1` key, `$2` now, `$3` interval, `$4` tolerance; returns
    /// `tat, allowed`): the databases differ only in `MAX` / `GREATEST`.
    const RATE_LIMIT_HIT: &'static str;

    /// How many rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

mod sealed {
    /// Only this crate implements [`SqlDatabase`](super::SqlDatabase).
    pub trait Sealed {}
}

impl<DB: sqlx::Database> Clone for SqlAdapter<DB> {
    fn clone(&self) -> Self {
        SqlAdapter {
            pool: self.pool.clone(),
            call_timeout: self.call_timeout,
            kept: self.kept.clone(),
        }
    }
}

impl<DB: SqlDatabase> std::fmt::Debug for SqlAdapter<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the pool: its options may hold the connection password.
        f.debug_struct(DB::ADAPTER)
            .field("connections", &self.pool.size())
            .field("idle", &self.pool.num_idle())
            .field("closed", &self.pool.is_closed())
            .field("call_timeout", &self.call_timeout)
            .finish()
    }
}

impl<DB: SqlDatabase> SqlAdapter<DB> {
    fn new(pool: sqlx::Pool<DB>) -> Self {
        SqlAdapter {
            pool,
            call_timeout: super::DEFAULT_CALL_TIMEOUT,
            kept: Arc::new(Mutex::new(KeptSlot {
                kept: None,
                closed: false,
            })),
        }
    }

    fn kept_slot(&self) -> std::sync::MutexGuard<'_, KeptSlot<DB>> {
        // The slot stays consistent whatever panicked while holding it.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The connection kept for session reads (taken out: a parallel read gets its own from
    /// the pool), if there is one that is not too old.
    fn take_kept(&self) -> Option<Kept<DB>> {
        let kept = self.kept_slot().kept.take()?;
        // Too old: dropped here, so it goes back to the pool.
        (kept.since.elapsed() < KEPT_CONNECTION_LIFETIME).then_some(kept)
    }

    /// A connection for a session read: the kept one, or one from the pool (kept
    /// afterwards, see [`SqlAdapter::keep`], only when the pool is large enough).
    async fn read_connection(&self) -> Result<Kept<DB>, sqlx::Error> {
        if let Some(kept) = self.take_kept() {
            return Ok(kept);
        }
        Ok(Kept {
            conn: Some(self.pool.acquire().await?),
            since: Instant::now(),
        })
    }

    /// Keeps `conn` for the next session read, when the slot is free and the pool large
    /// enough; otherwise it goes back to the pool.
    fn keep(&self, conn: Kept<DB>) {
        if self.pool.options().get_max_connections() < KEEP_FOR_READS_MIN_POOL
            || self.pool.is_closed()
        {
            return;
        }
        let mut slot = self.kept_slot();
        if !slot.closed && slot.kept.is_none() {
            slot.kept = Some(conn);
        }
    }

    /// The connection pool (for the application's own queries).
    pub fn pool(&self) -> &sqlx::Pool<DB> {
        &self.pool
    }

    /// Closes every connection; later calls fail with `Unavailable`.
    pub async fn close(&self) {
        // The kept connection first: the pool waits for every lent connection to return.
        let kept = {
            let mut slot = self.kept_slot();
            slot.closed = true;
            slot.kept.take()
        };
        drop(kept);
        self.pool.close().await;
    }

    /// Sets the longest time one call may take before failing with
    /// [`AdapterError::Unavailable`] ([`DEFAULT_CALL_TIMEOUT`](super::DEFAULT_CALL_TIMEOUT)
    /// by default).
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Bounds every call by the adapter's call timeout (a database that stops answering
    /// without closing the connection must not hang the request).
    fn guard<'a, T: Send + 'a>(
        &self,
        fut: impl std::future::Future<Output = Result<T, AdapterError>> + Send + 'a,
    ) -> AdapterFuture<'a, T> {
        let limit = self.call_timeout;
        Box::pin(async move {
            match tokio::time::timeout(limit, fut).await {
                Ok(result) => result,
                Err(_) => Err(AdapterError::Unavailable(
                    "the database did not answer within the call timeout".into(),
                )),
            }
        })
    }
}

/// SHA-256 of a verification token, the form stored.
fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn kind_to_str(kind: AccountType) -> &'static str {
    match kind {
        AccountType::Oauth => "oauth",
        AccountType::Oidc => "oidc",
        AccountType::Credentials => "credentials",
        AccountType::Webauthn => "webauthn",
        AccountType::Email => "email",
    }
}

fn kind_from_str(kind: &str) -> Result<AccountType, AdapterError> {
    match kind {
        "oauth" => Ok(AccountType::Oauth),
        "oidc" => Ok(AccountType::Oidc),
        "credentials" => Ok(AccountType::Credentials),
        "webauthn" => Ok(AccountType::Webauthn),
        "email" => Ok(AccountType::Email),
        _ => Err(AdapterError::Corrupt("unknown account kind")),
    }
}

/// Maps a driver error. `what` names the row for `Conflict`; `transient` recognises the
/// database's error codes that mean "unavailable for now".
fn map_err(e: sqlx::Error, what: &'static str, transient: fn(&str) -> bool) -> AdapterError {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => AdapterError::Unavailable(Box::new(e)),
        sqlx::Error::Database(db) => {
            if db.is_unique_violation() {
                AdapterError::Conflict(what)
            } else if db.is_foreign_key_violation() {
                AdapterError::NotFound("user")
            } else if db.code().is_some_and(|c| transient(&c)) {
                AdapterError::Unavailable(Box::new(sqlx::Error::Database(db)))
            } else {
                AdapterError::Backend(Box::new(sqlx::Error::Database(db)))
            }
        }
        sqlx::Error::Configuration(_) => {
            // The message may quote the URL (with its password): keep only the kind.
            AdapterError::Config("invalid database URL or options".to_owned())
        }
        other => AdapterError::Backend(Box::new(other)),
    }
}

/// Runs [`Adapter::delete_expired_sessions`] every `every` on the tokio runtime, logging
/// failures (never fatal). Abort the returned handle to stop it.
pub fn spawn_sweeper(adapter: Arc<dyn Adapter>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match adapter.delete_expired_sessions().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(deleted = n, "swept expired sessions"),
                Err(e) => tracing::warn!(error = %e, "sweeping expired sessions failed"),
            }
        }
    })
}
