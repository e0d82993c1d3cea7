//! The Auth.js-schema mode of the PostgreSQL adapter: Auth.js's own tables
//! (`@auth/pg-adapter` 1.11: `users`, `accounts`, `sessions`, `verification_token`, quoted
//! camelCase columns), so a Rust service and a Next.js front end share database sessions.

mod queries;
mod schema;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::postgres::{open, transient, url_options};
use super::{PostgresAdapter, SqlAdapter, map_err};
use crate::adapter::{AdapterError, AdapterFuture};

/// An [`Adapter`](crate::adapter::Adapter) on PostgreSQL that reads and writes Auth.js's
/// own tables: the schema of `@auth/pg-adapter` 1.11 (`users` with a `SERIAL` id,
/// `accounts`, `sessions`, `verification_token`, quoted camelCase columns such as
/// `"userId"` and `"sessionToken"`). A Next.js front end running Auth.js with the database
/// strategy and this service then share users, linked accounts, sessions (the same cookie
/// reads as signed in on both sides; a sign-out on either ends it for both) and e-mail
/// sign-in tokens. Chosen explicitly, never guessed: [`AuthJsPostgresAdapter::connect`] or
/// [`PostgresAdapter::connect_authjs`].
///
/// Connecting creates the four tables when they are missing (`CREATE TABLE IF NOT EXISTS`,
/// in one transaction under the [`MIGRATION_LOCK_KEY`](super::MIGRATION_LOCK_KEY) advisory
/// lock), never alters a table it did not create, and refuses ([`AdapterError::Migration`])
/// tables that lack a column it uses. What Auth.js has no table for lives in this crate's
/// own tables beside them, created by its migrations and named `auth_*`: the session
/// versions (revocable JWT sessions) and the sign-in rate limits (`auth_session_versions`,
/// `auth_rate_limits`, with `auth_migrations`).
///
/// # What differs from the default mode
/// - **Session tokens are stored in clear**
///   ([`SessionTokenStorage::Clear`](crate::adapter::SessionTokenStorage::Clear)), because
///   Auth.js looks sessions up by the cookie's value. The default `PostgresAdapter` stores
///   only a SHA-256, so a copy of its tables hands out no live session; here anyone who can
///   read the `sessions` table (a leaked backup, a read-only SQL injection, a replica or a
///   log of it) can put a token into a cookie and be that user until the session expires.
///   Use it when sharing sessions with Auth.js is the point, restrict who can read
///   `sessions`, and keep `max_age` short.
/// - User ids are Auth.js's `SERIAL` integers, shown to this side as their decimal string
///   (`"42"`). An id that is not one reads as no user; a credentials `authorize` returns
///   the stored user's id or none (the user is then found, or created, by e-mail).
/// - Verification tokens are hashed as Auth.js hashes them
///   ([`VerificationTokenHashing::AuthJs`](crate::adapter::VerificationTokenHashing::AuthJs):
///   hex SHA-256 of the token followed by the secret) and stored as the flow hands them, so
///   a link mailed by either side verifies on the other.
/// - `sessions` has no creation time:
///   [`AdapterSession::created_at`](crate::adapter::AdapterSession::created_at) reads `0`,
///   and a user's sessions are listed in the order they were created (`sessions.id`).
/// - Revoking by [`SessionKey`](crate::adapter::SessionKey) (`Auth::revoke_session`)
///   compares the SHA-256 of every stored token (PostgreSQL's `sha256()`, 11 and later): a
///   scan, fine for an administrator's action, not for a request path.
///
/// The database strategy's rules are Auth.js's on both sides: the expiry slides only past
/// `update_age`, an expired session reads as signed out and is deleted, a sign-out deletes
/// the row.
#[derive(Clone)]
pub struct AuthJsPostgresAdapter {
    /// The pool, the call timeout, and our own tables (session versions, rate limits).
    inner: PostgresAdapter,
}

impl std::fmt::Debug for AuthJsPostgresAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the pool: its options may hold the connection password.
        f.debug_struct("AuthJsPostgresAdapter")
            .field("connections", &self.inner.pool.size())
            .field("idle", &self.inner.pool.num_idle())
            .field("closed", &self.inner.pool.is_closed())
            .field("call_timeout", &self.inner.call_timeout)
            .finish()
    }
}

impl PostgresAdapter {
    /// Connects in the Auth.js-schema mode: [`AuthJsPostgresAdapter::connect`].
    pub async fn connect_authjs(url: &str) -> Result<AuthJsPostgresAdapter, AdapterError> {
        AuthJsPostgresAdapter::connect(url).await
    }
}

impl AuthJsPostgresAdapter {
    /// Connects to `postgres://user:password@host:port/database` (the pool of
    /// `PostgresAdapter::connect`), creates Auth.js's tables when missing and checks those
    /// that exist, and applies this crate's own migrations for the session versions and
    /// rate limits, all under one advisory lock.
    pub async fn connect(url: &str) -> Result<Self, AdapterError> {
        let (pool, options) = url_options(url)?;
        Self::connect_with(pool, options).await
    }

    /// Connects with explicit pool and connection options (statement logging is turned
    /// off on top), then as [`AuthJsPostgresAdapter::connect`].
    pub async fn connect_with(
        pool: PgPoolOptions,
        options: PgConnectOptions,
    ) -> Result<Self, AdapterError> {
        let pool = open(pool, options).await?;
        if let Err(e) = schema::setup(&pool).await {
            pool.close().await;
            return Err(e);
        }
        Ok(AuthJsPostgresAdapter {
            inner: SqlAdapter::new(pool),
        })
    }

    /// The connection pool (for the application's own queries).
    pub fn pool(&self) -> &PgPool {
        &self.inner.pool
    }

    /// Closes every connection; later calls fail with `Unavailable`.
    pub async fn close(&self) {
        self.inner.close().await;
    }

    /// Sets the longest time one call may take before failing with
    /// [`AdapterError::Unavailable`] ([`DEFAULT_CALL_TIMEOUT`](crate::adapter::DEFAULT_CALL_TIMEOUT)
    /// by default).
    pub fn with_call_timeout(self, timeout: std::time::Duration) -> Self {
        AuthJsPostgresAdapter {
            inner: self.inner.with_call_timeout(timeout),
        }
    }

    fn guard<'a, T: Send + 'a>(
        &self,
        fut: impl std::future::Future<Output = Result<T, AdapterError>> + Send + 'a,
    ) -> AdapterFuture<'a, T> {
        self.inner.guard(fut)
    }

    fn pool_ref(&self) -> &PgPool {
        &self.inner.pool
    }
}

fn err(what: &'static str) -> impl Fn(sqlx::Error) -> AdapterError {
    move |e| map_err(e, what, transient)
}

/// A user id of this side (`"42"`) as `users.id`; `None` unless the canonical decimal form
/// of an integer.
fn user_key(id: &str) -> Option<i64> {
    id.parse::<i64>().ok().filter(|n| n.to_string() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_canonical_integers() {
        assert_eq!(user_key("42"), Some(42));
        assert_eq!(user_key("0"), Some(0));
        for bad in [
            "",
            "042",
            "+42",
            " 42",
            "4.2",
            "id-alice",
            "99999999999999999999",
        ] {
            assert_eq!(user_key(bad), None, "{bad:?}");
        }
    }
}

/// Generated cases (`proptest`, a fixed number, listed in the README).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::adapter::SessionToken;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

        /// Every `users.id` round-trips through its decimal string, and a string reads as an
        /// id only when it is that string exactly (one id, one spelling); a cookie value
        /// reads as a session token exactly when the column can hold it.
        #[test]
        fn user_ids_and_tokens_read_one_way(
            n in any::<i64>(),
            s in prop_oneof![any::<String>(), "[-+ 0-9]{0,22}"],
        ) {
            prop_assert_eq!(user_key(&n.to_string()), Some(n));
            match user_key(&s) {
                Some(id) => prop_assert_eq!(id.to_string(), s.clone()),
                None => prop_assert!(s.parse::<i64>().map_or(true, |n| n.to_string() != s)),
            }
            let token = SessionToken::from_cookie(&s);
            let fits = !s.is_empty() && s.len() <= crate::adapter::SESSION_TOKEN_MAX_LEN;
            prop_assert_eq!(token.is_some(), fits);
            if let Some(token) = token {
                prop_assert_eq!(token.as_str(), s.as_str());
            }
        }
    }
}
