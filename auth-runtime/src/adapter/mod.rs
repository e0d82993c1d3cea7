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
//! `AuthJsPostgresAdapter` (feature `postgres`) is the exception, by choice: it reads and
//! writes Auth.js's own tables (`@auth/pg-adapter`'s schema) so a Rust service and a
//! Next.js front end share database sessions, and stores session tokens in clear as Auth.js
//! does ([`SessionTokenStorage::Clear`]).
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
mod session_token;
pub use session_token::{SESSION_TOKEN_MAX_LEN, SessionToken};

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "postgres")]
pub use sql::{AuthJsPostgresAdapter, MIGRATION_LOCK_KEY, PostgresAdapter};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql::{
    KEEP_FOR_READS_MIN_POOL, KEPT_CONNECTION_LIFETIME, SqlAdapter, SqlDatabase, spawn_sweeper,
};
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
    /// The database key (SHA-256 of the id in the cookie; with tokens stored in clear,
    /// [`SessionToken::key`]); a safe handle to revoke it.
    pub key: SessionKey,
    /// The user's id.
    pub user_id: String,
    /// Expiry, seconds since the epoch.
    pub expires: i64,
    /// Creation time (sign-in), seconds since the epoch; `0` when the schema keeps none
    /// (Auth.js's).
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

/// A passkey registered by a user (Auth.js's `Authenticator`), as an adapter stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Authenticator {
    /// The credential id, base64url without padding (unique).
    pub credential_id: String,
    /// The user it signs in.
    pub user_id: String,
    /// The credential public key as the authenticator encoded it (`COSE_Key`).
    pub public_key: Vec<u8>,
    /// The signature counter last seen (`0` for authenticators without one).
    pub counter: i64,
    /// The transports the browser reported (`"internal"`, `"usb"`, `"hybrid"`, ..).
    pub transports: Vec<String>,
    /// A name for the user's list (`"Passkey"` unless renamed).
    pub name: String,
    /// When it was registered, seconds since the epoch.
    pub created_at: i64,
}

impl Authenticator {
    /// An authenticator (for adapters reading one back, and for tests).
    pub fn new(
        credential_id: String,
        user_id: String,
        public_key: Vec<u8>,
        counter: i64,
        transports: Vec<String>,
        name: String,
        created_at: i64,
    ) -> Self {
        Authenticator {
            credential_id,
            user_id,
            public_key,
            counter,
            transports,
            name,
            created_at,
        }
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

    /// How this adapter keys sessions: [`SessionTokenStorage::Hashed`] (the default: the
    /// flow hands it [`SessionKey`]s, through [`Adapter::create_session`] and its siblings)
    /// or [`SessionTokenStorage::Clear`] (Auth.js's way: the flow hands it the cookie's
    /// [`SessionToken`] through [`Adapter::create_session_token`] and its siblings).
    fn session_token_storage(&self) -> SessionTokenStorage {
        SessionTokenStorage::Hashed
    }

    /// Stores a new session under the token in clear (adapters answering
    /// [`SessionTokenStorage::Clear`]; the default answers [`AdapterError::Unsupported`]).
    /// The returned row's `key` is [`SessionToken::key`]. [`AdapterError::NotFound`] when
    /// the user does not exist.
    fn create_session_token<'a>(
        &'a self,
        token: &'a SessionToken,
        user_id: &'a str,
        expires: i64,
    ) -> AdapterFuture<'a, AdapterSession> {
        let _ = (token, user_id, expires);
        Box::pin(async { Err(AdapterError::Unsupported("session tokens in clear")) })
    }

    /// [`Adapter::get_session_and_user`] by the token in clear (the default answers
    /// [`AdapterError::Unsupported`]).
    fn get_session_and_user_by_token<'a>(
        &'a self,
        token: &'a SessionToken,
    ) -> AdapterFuture<'a, Option<(AdapterSession, User)>> {
        let _ = token;
        Box::pin(async { Err(AdapterError::Unsupported("session tokens in clear")) })
    }

    /// [`Adapter::update_session`] by the token in clear (the default answers
    /// [`AdapterError::Unsupported`]).
    fn update_session_token<'a>(
        &'a self,
        token: &'a SessionToken,
        expires: i64,
    ) -> AdapterFuture<'a, Option<AdapterSession>> {
        let _ = (token, expires);
        Box::pin(async { Err(AdapterError::Unsupported("session tokens in clear")) })
    }

    /// [`Adapter::delete_session`] by the token in clear (the default answers
    /// [`AdapterError::Unsupported`]).
    fn delete_session_token<'a>(&'a self, token: &'a SessionToken) -> AdapterFuture<'a, bool> {
        let _ = token;
        Box::pin(async { Err(AdapterError::Unsupported("session tokens in clear")) })
    }

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

    /// Deletes every verification token of `identifier`: a new e-mail sign-in link
    /// replaces the pending ones. Returns how many. The default deletes nothing (`Ok(0)`):
    /// older links then stay valid until used or expired, as in Auth.js; the shipped
    /// adapters delete them.
    fn delete_verification_tokens<'a>(&'a self, identifier: &'a str) -> AdapterFuture<'a, u64> {
        let _ = identifier;
        Box::pin(async { Ok(0) })
    }

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

    /// Stores a newly registered passkey. A credential id already stored is
    /// [`AdapterError::Conflict`].
    ///
    /// The passkey methods default to [`AdapterError::Unsupported`]: a `Passkey` provider
    /// then cannot register or sign in; the shipped adapters implement them.
    fn create_authenticator<'a>(
        &'a self,
        authenticator: &'a Authenticator,
    ) -> AdapterFuture<'a, ()> {
        let _ = authenticator;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// The passkey with this credential id.
    fn get_authenticator<'a>(
        &'a self,
        credential_id: &'a str,
    ) -> AdapterFuture<'a, Option<Authenticator>> {
        let _ = credential_id;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// A user's passkeys, oldest first.
    fn list_authenticators<'a>(
        &'a self,
        user_id: &'a str,
    ) -> AdapterFuture<'a, Vec<Authenticator>> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// Stores the counter of a verified assertion, atomically and only forward: the write
    /// happens when the stored counter is below `counter` (or both are `0`); `Ok(false)`
    /// when it did not (a parallel replay of the same assertion lost the race).
    fn update_authenticator_counter<'a>(
        &'a self,
        credential_id: &'a str,
        counter: i64,
    ) -> AdapterFuture<'a, bool> {
        let _ = (credential_id, counter);
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// Removes one of `user_id`'s passkeys; `Ok(false)` when the user has none with this id.
    fn delete_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
    ) -> AdapterFuture<'a, bool> {
        let _ = (user_id, credential_id);
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// The user's confirmed TOTP enrolment (the second factor), `Ok(None)` when they have
    /// none.
    ///
    /// The default answers [`AdapterError::Unsupported`] (as do the other `totp_*`
    /// methods): `second_factor` then fails at sign-in; the shipped adapters implement them.
    fn totp_enrolment<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, Option<TotpEnrolment>> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("the second factor")) })
    }

    /// Stores `enrolment` (replacing the user's previous one) and its recovery codes (their
    /// hashes, replacing the previous ones), in one step. [`AdapterError::NotFound`] when the
    /// user does not exist.
    fn totp_enrol<'a>(
        &'a self,
        enrolment: &'a TotpEnrolment,
        recovery_code_hashes: &'a [String],
    ) -> AdapterFuture<'a, ()> {
        let _ = (enrolment, recovery_code_hashes);
        Box::pin(async { Err(AdapterError::Unsupported("the second factor")) })
    }

    /// Accepts a code of time step `step` for the user, atomically: `true` (and `step`
    /// stored as the last one) when `step` is after the last step accepted, `false` when it
    /// is not (a code used again within its window) or the user has no enrolment.
    fn totp_use_step<'a>(&'a self, user_id: &'a str, step: i64) -> AdapterFuture<'a, bool> {
        let _ = (user_id, step);
        Box::pin(async { Err(AdapterError::Unsupported("the second factor")) })
    }

    /// Consumes a recovery code (by its hash): `true` once, when the user has it.
    fn totp_use_recovery_code<'a>(
        &'a self,
        user_id: &'a str,
        code_hash: &'a str,
    ) -> AdapterFuture<'a, bool> {
        let _ = (user_id, code_hash);
        Box::pin(async { Err(AdapterError::Unsupported("the second factor")) })
    }

    /// Removes the user's enrolment and recovery codes. `true` when there was one.
    fn totp_remove<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, bool> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("the second factor")) })
    }

    /// Records on a database session how it was authenticated (RFC 8176 method names,
    /// e.g. `["pwd", "otp"]` after a second factor). The default answers
    /// [`AdapterError::Unsupported`].
    fn set_session_amr<'a>(
        &'a self,
        key: &'a SessionKey,
        amr: &'a [String],
    ) -> AdapterFuture<'a, ()> {
        let _ = (key, amr);
        Box::pin(async { Err(AdapterError::Unsupported("the second factor")) })
    }

    /// What [`Adapter::set_session_amr`] recorded on a session (empty when nothing).
    fn session_amr<'a>(&'a self, key: &'a SessionKey) -> AdapterFuture<'a, Vec<String>> {
        let _ = key;
        Box::pin(async { Ok(Vec::new()) })
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

/// How an [`Adapter`] keys sessions ([`Adapter::session_token_storage`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionTokenStorage {
    /// The cookie holds a [`SessionId`]; the adapter sees and stores only its
    /// [`SessionKey`] (SHA-256), so a leaked sessions table hands out no live session (the
    /// default).
    #[default]
    Hashed,
    /// The adapter stores the cookie's token as it is ([`SessionToken`]), as Auth.js's
    /// adapters do, so Auth.js finds the sessions this side starts and the other way round.
    /// The trade-off: anyone who can read the sessions table (a backup, a read-only SQL
    /// injection, a replica) can copy a token into a cookie and act as that user until the
    /// session expires.
    Clear,
}

/// A user's TOTP enrolment as an adapter stores it ([`Adapter::totp_enrolment`]).
///
/// `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TotpEnrolment {
    /// The user's id.
    pub user_id: String,
    /// The shared secret, sealed by the runtime (AES-256-GCM under a key derived from the
    /// auth secret for this purpose): opaque text to the adapter.
    pub secret: String,
    /// The last time step a code was accepted for (codes of this step and earlier ones are
    /// refused).
    pub last_step: i64,
}

impl TotpEnrolment {
    /// An enrolment (for adapters reading one back).
    pub fn new(user_id: impl Into<String>, secret: impl Into<String>, last_step: i64) -> Self {
        TotpEnrolment {
            user_id: user_id.into(),
            secret: secret.into(),
            last_step,
        }
    }
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("user_id", &self.user_id)
            .field("secret", &"..")
            .field("last_step", &self.last_step)
            .finish()
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
