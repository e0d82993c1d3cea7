//! Database adapters: where users, accounts and sessions live under the database session
//! strategy (Auth.js's adapter interface).
//!
//! [`Adapter`] is the interface; it is always compiled, so an application can write its
//! own. Two implementations ship behind opt-in features, both on `sqlx` (no compile-time
//! query checking: the build needs no database):
//!
//! - `sqlite`: `SqliteAdapter`, a local file, the embedded default (WAL, busy timeout).
//! - `postgres`: `PostgresAdapter`, pooled, shared by many app servers.
//!
//! Both apply the schema migrations that ship with the crate (`migrations/`) when they
//! connect, idempotently, and safely when several app instances start at once.
//!
//! # Differences from Auth.js
//! - The session cookie holds a [`SessionId`] (32 random bytes); the adapter receives and
//!   stores only its [`SessionKey`] (SHA-256). Auth.js stores the token in clear.
//! - Verification tokens are stored as SHA-256 too.
//! - Tables are prefixed `auth_` so they do not collide with an application's own `users`.
//! - Timestamps are seconds since the Unix epoch (`i64`).
//!
//! # Holding an adapter
//! The trait is object safe: hold it as `Arc<dyn Adapter>`. Every method returns an
//! [`AdapterFuture`] (a boxed `Send` future); implement a method as
//! `fn get_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, Option<User>> { Box::pin(async move { .. }) }`.

use std::future::Future;
use std::pin::Pin;

use crate::config::{Account, User};
pub use crate::util::unix_now;

mod session_id;
pub use session_id::{SESSION_ID_COOKIE_LEN, SESSION_ID_LEN, SessionId, SessionKey};

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql::{
    KEEP_FOR_READS_MIN_POOL, KEPT_CONNECTION_LIFETIME, SqlAdapter, SqlDatabase, spawn_sweeper,
};
#[cfg(feature = "postgres")]
pub use sql::{MIGRATION_LOCK_KEY, PostgresAdapter};
#[cfg(feature = "sqlite")]
pub use sql::{SQLITE_BUSY_TIMEOUT, SqliteAdapter};

/// How long one call of the shipped adapters may take before it fails with
/// [`AdapterError::Unavailable`] (change with `with_call_timeout`).
pub const DEFAULT_CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The future every [`Adapter`] method returns.
pub type AdapterFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AdapterError>> + Send + 'a>>;

/// A boxed error source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong in an adapter.
///
/// Messages never contain session ids, tokens or passwords.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// The database cannot be reached right now (connection refused or lost, pool
    /// timeout, server shutting down, database locked). Transient: answer 503 and retry later.
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// A unique constraint refused the write (e-mail already used, account already linked).
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The write refers to a row that does not exist (linking an account to an unknown user).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The database URL or options are invalid.
    #[error("invalid database configuration: {0}")]
    Config(String),
    /// The schema migration failed or the database holds a schema this version does not know.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// A stored value cannot be read back (corrupt row).
    #[error("invalid data in the database: {0}")]
    Corrupt(&'static str),
    /// Any other database error.
    #[error("database error")]
    Backend(#[source] BoxError),
    /// The adapter does not implement this operation (an application's own adapter that
    /// leaves an optional method to its default, e.g. the session versions).
    #[error("this adapter does not support {0}")]
    Unsupported(&'static str),
}

impl AdapterError {
    /// `true` when the database is unreachable for now (the flow answers 503).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AdapterError::Unavailable(_))
    }
}

/// A session row: who it belongs to and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterSession {
    /// The database key (SHA-256 of the id in the cookie); a safe handle to revoke it.
    pub key: SessionKey,
    /// The user's id.
    pub user_id: String,
    /// Expiry, seconds since the epoch.
    pub expires: i64,
    /// Creation time (sign-in), seconds since the epoch.
    pub created_at: i64,
}

impl AdapterSession {
    /// `true` when the session has expired at `now` (seconds since the epoch).
    pub fn is_expired_at(&self, now: i64) -> bool {
        self.expires <= now
    }
}

/// A single-use token (e-mail sign-in), as Auth.js's `VerificationToken`.
///
/// Adapters store SHA-256 of `token`, never the token. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationToken {
    /// Whom the token was sent to (usually the e-mail address).
    pub identifier: String,
    /// The token itself.
    pub token: String,
    /// Expiry, seconds since the epoch.
    pub expires: i64,
}

impl std::fmt::Debug for VerificationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationToken")
            .field("identifier", &self.identifier)
            .field("token", &"..")
            .field("expires", &self.expires)
            .finish()
    }
}

/// Where users, provider accounts, sessions and verification tokens live (Auth.js's
/// `Adapter`).
///
/// Reads of something that does not exist are `Ok(None)` (or `Ok(false)` / `Ok(0)` for
/// deletes), never an error. Times are seconds since the epoch.
pub trait Adapter: Send + Sync + 'static {
    /// Creates a user. An empty `user.id` gets a fresh random id (UUID v4 form); a given id
    /// is kept (a credentials `authorize` returning the application's own id). Returns the
    /// stored user. [`AdapterError::Conflict`] when the id or e-mail is taken.
    fn create_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, User>;

    /// The user with this id.
    fn get_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, Option<User>>;

    /// The user with this e-mail address (exact match).
    fn get_user_by_email<'a>(&'a self, email: &'a str) -> AdapterFuture<'a, Option<User>>;

    /// The user a provider account is linked to.
    fn get_user_by_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> AdapterFuture<'a, Option<User>>;

    /// Replaces the stored profile fields (`name`, `email`, `image`, `email_verified`) of the
    /// user `user.id`; `None` clears a field. Returns the stored user, `Ok(None)` when there
    /// is no such user, [`AdapterError::Conflict`] when the e-mail is taken.
    fn update_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, Option<User>>;

    /// Deletes a user with their accounts and sessions. `true` when a user was deleted.
    fn delete_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, bool>;

    /// Links a provider account to a user. [`AdapterError::Conflict`] when this
    /// `(provider, provider_account_id)` is already linked (to anyone),
    /// [`AdapterError::NotFound`] when the user does not exist.
    fn link_account<'a>(&'a self, user_id: &'a str, account: &'a Account) -> AdapterFuture<'a, ()>;

    /// Creates a user and links a provider account to it in one step, so no other request
    /// sees the user without its account (a first OAuth sign-in). The shipped adapters use
    /// one transaction; the default implementation creates, links, and deletes the user
    /// again if linking fails. Errors as [`Adapter::create_user`] and
    /// [`Adapter::link_account`]; on error nothing is stored.
    fn create_user_with_account<'a>(
        &'a self,
        user: &'a User,
        account: &'a Account,
    ) -> AdapterFuture<'a, User> {
        Box::pin(async move {
            let user = self.create_user(user).await?;
            if let Err(e) = self.link_account(&user.id, account).await {
                let _ = self.delete_user(&user.id).await;
                return Err(e);
            }
            Ok(user)
        })
    }

    /// Unlinks a provider account. `true` when one was unlinked.
    fn unlink_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> AdapterFuture<'a, bool>;

    /// Stores a new session under `key` (from [`SessionId::key`]) for `user_id` until
    /// `expires`. [`AdapterError::NotFound`] when the user does not exist.
    fn create_session<'a>(
        &'a self,
        key: &'a SessionKey,
        user_id: &'a str,
        expires: i64,
    ) -> AdapterFuture<'a, AdapterSession>;

    /// The session and its user. An expired session is deleted and reads as `Ok(None)`.
    fn get_session_and_user<'a>(
        &'a self,
        key: &'a SessionKey,
    ) -> AdapterFuture<'a, Option<(AdapterSession, User)>>;

    /// Moves a live session's expiry to `expires` (sliding expiry, `update_age`). `Ok(None)`
    /// when the session does not exist or has already expired (it is not revived).
    fn update_session<'a>(
        &'a self,
        key: &'a SessionKey,
        expires: i64,
    ) -> AdapterFuture<'a, Option<AdapterSession>>;

    /// Deletes a session (sign-out, or revoking one listed session). `true` when one was deleted.
    fn delete_session<'a>(&'a self, key: &'a SessionKey) -> AdapterFuture<'a, bool>;

    /// Stores a verification token (its hash). [`AdapterError::Conflict`] on a duplicate.
    fn create_verification_token<'a>(
        &'a self,
        token: &'a VerificationToken,
    ) -> AdapterFuture<'a, ()>;

    /// Consumes a verification token: deletes it and returns it, once. The caller checks
    /// `expires` (an expired token is returned, and consumed, like Auth.js).
    fn use_verification_token<'a>(
        &'a self,
        identifier: &'a str,
        token: &'a str,
    ) -> AdapterFuture<'a, Option<VerificationToken>>;

    /// A user's live sessions, oldest first ("where am I signed in").
    fn list_user_sessions<'a>(&'a self, user_id: &'a str)
    -> AdapterFuture<'a, Vec<AdapterSession>>;

    /// Deletes every session of a user ("sign out everywhere"). Returns how many.
    fn delete_user_sessions<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, u64>;

    /// Deletes every expired session (and expired verification token). Returns how many
    /// sessions. Run it periodically (`spawn_sweeper`, with a database feature).
    fn delete_expired_sessions(&self) -> AdapterFuture<'_, u64>;

    /// The user's session version (revocable JWT sessions): `0` until their sessions are
    /// first revoked, then the value [`Adapter::bump_session_version`] last returned. A
    /// JWT session whose version claim is lower reads as signed out.
    ///
    /// The default answers [`AdapterError::Unsupported`]: JWT sessions are then not
    /// checked (and cannot be revoked); the shipped adapters implement it.
    fn session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("session versions")) })
    }

    /// Increments the user's session version (from `0` when they have none) and returns
    /// the new value, atomically: every JWT session minted before reads as signed out.
    ///
    /// The default answers [`AdapterError::Unsupported`].
    fn bump_session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("session versions")) })
    }

    /// One sign-in attempt against a shared rate limit (the GCRA of
    /// [`SignInLimits`](crate::config::SignInLimits)), applied atomically: read the key's
    /// theoretical arrival time (TAT), allow when `tat - hit.tolerance_ms <= hit.now_ms`
    /// and then store `max(tat, now) + hit.interval_ms`, else leave it. `Ok(None)` (the
    /// default) means this adapter keeps no limits: the runtime counts in memory, per
    /// server. The SQL adapters keep them in `auth_rate_limits`, so every server sharing
    /// the database enforces one limit.
    fn rate_limit_hit<'a>(
        &'a self,
        hit: &'a RateLimitHit,
    ) -> AdapterFuture<'a, Option<RateLimitVerdict>> {
        let _ = hit;
        Box::pin(async { Ok(None) })
    }

    /// Forgets a rate-limit key (a successful sign-in clears its identifier's count).
    fn rate_limit_reset<'a>(&'a self, key: &'a str) -> AdapterFuture<'a, ()> {
        let _ = key;
        Box::pin(async { Ok(()) })
    }

    /// Deletes the rate-limit keys whose TAT is at or before `now_ms` (they read as
    /// absent). Returns how many.
    fn rate_limit_sweep(&self, now_ms: i64) -> AdapterFuture<'_, u64> {
        let _ = now_ms;
        Box::pin(async { Ok(0) })
    }

    /// How the flow hashes a verification token (an e-mail sign-in link's) before it hands it
    /// to [`Adapter::create_verification_token`] and [`Adapter::use_verification_token`].
    ///
    /// The default is [`VerificationTokenHashing::Hmac`]; an adapter whose tables it shares
    /// with Auth.js answers [`VerificationTokenHashing::AuthJs`], so a link mailed by either
    /// side verifies on the other.
    fn verification_token_hashing(&self) -> VerificationTokenHashing {
        VerificationTokenHashing::Hmac
    }
}

/// How a verification token is hashed before it is stored
/// ([`Adapter::verification_token_hashing`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerificationTokenHashing {
    /// HMAC-SHA-256 under a key derived from the auth secret for this purpose alone (the
    /// default).
    #[default]
    Hmac,
    /// Auth.js's: the hex SHA-256 of the token followed by the secret (`token + secret`), for
    /// tables shared with Auth.js.
    AuthJs,
}

/// One attempt against a shared rate limit ([`Adapter::rate_limit_hit`]); times are
/// milliseconds since the Unix epoch (the runtime's clock).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitHit {
    /// The key: a hex SHA-256 of the limit's kind and the address or identifier (so no
    /// identifier is stored in clear).
    pub key: String,
    /// Now.
    pub now_ms: i64,
    /// The emission interval: `period / count`.
    pub interval_ms: i64,
    /// The tolerance: `interval * (count - 1)`.
    pub tolerance_ms: i64,
}

/// What [`Adapter::rate_limit_hit`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitVerdict {
    /// The attempt is allowed (and counted).
    pub allowed: bool,
    /// The key's TAT after the attempt; when refused, the next attempt is allowed at
    /// `tat - tolerance_ms`.
    pub tat_ms: i64,
}

impl RateLimitVerdict {
    /// A verdict (for adapters implementing [`Adapter::rate_limit_hit`]).
    pub fn new(allowed: bool, tat_ms: i64) -> Self {
        RateLimitVerdict { allowed, tat_ms }
    }
}

impl RateLimitHit {
    /// An attempt on `key` at `now_ms`, with the GCRA's interval and tolerance.
    pub fn new(key: String, now_ms: i64, interval_ms: i64, tolerance_ms: i64) -> Self {
        RateLimitHit {
            key,
            now_ms,
            interval_ms,
            tolerance_ms,
        }
    }
}
