//! What the SQLite and PostgreSQL adapters share: the queries (one text for both: `$N`
//! placeholders work in both), error mapping, migration bookkeeping, the sweeper.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::{Adapter, AdapterError};
use crate::config::AccountType;

/// One embedded schema migration.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// The bookkeeping table, the same in both databases.
pub(crate) const CREATE_MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS auth_migrations (\
     version BIGINT NOT NULL PRIMARY KEY, \
     name TEXT NOT NULL, \
     checksum TEXT NOT NULL, \
     applied_at BIGINT NOT NULL)";

/// SHA-256 hex of a migration's text, recorded when applied.
pub(crate) fn checksum(sql: &str) -> String {
    crate::util::hex(&Sha256::digest(sql.as_bytes()))
}

/// Which embedded migrations still have to run, given the recorded `(version, checksum)`
/// rows. An applied migration whose text changed is an error; versions this build does
/// not know (a newer instance migrated first, rolling deploy) are tolerated.
pub(crate) fn pending<'m>(
    migrations: &'m [Migration],
    applied: &[(i64, String)],
) -> Result<Vec<&'m Migration>, AdapterError> {
    let mut out = Vec::new();
    for m in migrations {
        match applied.iter().find(|(v, _)| *v == m.version) {
            Some((_, sum)) if *sum == checksum(m.sql) => {}
            Some(_) => {
                return Err(AdapterError::Migration(format!(
                    "migration {} ({}) was applied with a different text; migrations must not be edited once applied",
                    m.version, m.name
                )));
            }
            None => out.push(m),
        }
    }
    Ok(out)
}

/// SHA-256 of a verification token, the form stored.
pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A fresh user id: a random UUID v4.
pub(crate) use crate::util::uuid_v4 as new_user_id;

pub(crate) const INSERT_USER: &str = "INSERT INTO auth_users \
     (id, name, email, image, email_verified, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

pub(crate) const INSERT_ACCOUNT: &str = "INSERT INTO auth_accounts (provider, \
     provider_account_id, user_id, kind, access_token, refresh_token, expires_at, scope, \
     token_type, id_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(crate) fn kind_to_str(kind: AccountType) -> &'static str {
    match kind {
        AccountType::Oauth => "oauth",
        AccountType::Oidc => "oidc",
        AccountType::Credentials => "credentials",
    }
}

pub(crate) fn kind_from_str(kind: &str) -> Result<AccountType, AdapterError> {
    match kind {
        "oauth" => Ok(AccountType::Oauth),
        "oidc" => Ok(AccountType::Oidc),
        "credentials" => Ok(AccountType::Credentials),
        _ => Err(AdapterError::Corrupt("unknown account kind")),
    }
}

/// Maps a driver error. `what` names the row for `Conflict`; `transient` recognises the
/// database's error codes that mean "unavailable for now".
pub(crate) fn map_err(
    e: sqlx::Error,
    what: &'static str,
    transient: fn(&str) -> bool,
) -> AdapterError {
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

/// Maps a driver error during migration: unavailability stays what it is, anything else
/// is a [`AdapterError::Migration`] carrying the database's message.
pub(crate) fn migration_err(e: sqlx::Error, transient: fn(&str) -> bool) -> AdapterError {
    let text = e.to_string();
    match map_err(e, "migration", transient) {
        AdapterError::Unavailable(source) => AdapterError::Unavailable(source),
        AdapterError::Config(msg) => AdapterError::Config(msg),
        _ => AdapterError::Migration(text),
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

/// Implements [`Adapter`] for a struct with a `pool: sqlx::Pool<DB>` field. The query text
/// is shared; the row type and the transient-error test are the database's.
macro_rules! impl_sql_adapter {
    ($adapter:ty, $row:ty, $transient:path) => {
        use sqlx::Row as _;
        use $crate::adapter::sql::{kind_from_str, kind_to_str, map_err, new_user_id, token_hash};
        use $crate::adapter::{
            Adapter, AdapterError, AdapterFuture, AdapterSession, SessionKey, VerificationToken,
            unix_now,
        };
        use $crate::config::{Account, User};

        fn err(what: &'static str) -> impl Fn(sqlx::Error) -> AdapterError {
            move |e| map_err(e, what, $transient)
        }

        fn user_from_row(row: &$row) -> Result<User, sqlx::Error> {
            Ok(User {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                image: row.try_get("image")?,
                email_verified: row.try_get("email_verified")?,
            })
        }

        fn session_from_row(row: &$row) -> Result<AdapterSession, AdapterError> {
            let key: Vec<u8> = row.try_get("id_hash").map_err(err("session"))?;
            Ok(AdapterSession {
                key: SessionKey::from_slice(&key).ok_or(AdapterError::Corrupt("session key"))?,
                user_id: row.try_get("user_id").map_err(err("session"))?,
                expires: row.try_get("expires").map_err(err("session"))?,
                created_at: row.try_get("created_at").map_err(err("session"))?,
            })
        }

        impl Adapter for $adapter {
            fn create_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, User> {
                self.guard(async move {
                    let mut user = user.clone();
                    if user.id.is_empty() {
                        user.id = new_user_id();
                    }
                    sqlx::query($crate::adapter::sql::INSERT_USER)
                    .bind(&user.id)
                    .bind(&user.name)
                    .bind(&user.email)
                    .bind(&user.image)
                    .bind(user.email_verified)
                    .bind(unix_now())
                    .execute(&self.pool)
                    .await
                    .map_err(err("user"))?;
                    Ok(user)
                })
            }

            fn get_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, Option<User>> {
                self.guard(async move {
                    let row = sqlx::query(
                        "SELECT id, name, email, image, email_verified FROM auth_users WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(err("user"))?;
                    row.as_ref().map(user_from_row).transpose().map_err(err("user"))
                })
            }

            fn get_user_by_email<'a>(&'a self, email: &'a str) -> AdapterFuture<'a, Option<User>> {
                self.guard(async move {
                    let row = sqlx::query(
                        "SELECT id, name, email, image, email_verified FROM auth_users WHERE email = $1",
                    )
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(err("user"))?;
                    row.as_ref().map(user_from_row).transpose().map_err(err("user"))
                })
            }

            fn get_user_by_account<'a>(
                &'a self,
                provider: &'a str,
                provider_account_id: &'a str,
            ) -> AdapterFuture<'a, Option<User>> {
                self.guard(async move {
                    let row = sqlx::query(
                        "SELECT u.id, u.name, u.email, u.image, u.email_verified \
                         FROM auth_accounts a JOIN auth_users u ON u.id = a.user_id \
                         WHERE a.provider = $1 AND a.provider_account_id = $2",
                    )
                    .bind(provider)
                    .bind(provider_account_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(err("user"))?;
                    row.as_ref().map(user_from_row).transpose().map_err(err("user"))
                })
            }

            fn update_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, Option<User>> {
                self.guard(async move {
                    let row = sqlx::query(
                        "UPDATE auth_users SET name = $2, email = $3, image = $4, email_verified = $5 \
                         WHERE id = $1 RETURNING id, name, email, image, email_verified",
                    )
                    .bind(&user.id)
                    .bind(&user.name)
                    .bind(&user.email)
                    .bind(&user.image)
                    .bind(user.email_verified)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(err("user"))?;
                    row.as_ref().map(user_from_row).transpose().map_err(err("user"))
                })
            }

            fn delete_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, bool> {
                self.guard(async move {
                    let done = sqlx::query("DELETE FROM auth_users WHERE id = $1")
                        .bind(id)
                        .execute(&self.pool)
                        .await
                        .map_err(err("user"))?;
                    Ok(done.rows_affected() > 0)
                })
            }

            fn link_account<'a>(
                &'a self,
                user_id: &'a str,
                account: &'a Account,
            ) -> AdapterFuture<'a, ()> {
                self.guard(async move {
                    sqlx::query($crate::adapter::sql::INSERT_ACCOUNT)
                    .bind(&account.provider)
                    .bind(&account.provider_account_id)
                    .bind(user_id)
                    .bind(kind_to_str(account.kind))
                    .bind(&account.access_token)
                    .bind(&account.refresh_token)
                    .bind(account.expires_at)
                    .bind(&account.scope)
                    .bind(&account.token_type)
                    .bind(&account.id_token)
                    .execute(&self.pool)
                    .await
                    .map_err(err("account"))?;
                    Ok(())
                })
            }

            fn create_user_with_account<'a>(
                &'a self,
                user: &'a User,
                account: &'a Account,
            ) -> AdapterFuture<'a, User> {
                self.guard(async move {
                    let mut user = user.clone();
                    if user.id.is_empty() {
                        user.id = new_user_id();
                    }
                    let mut tx = self.pool.begin().await.map_err(err("user"))?;
                    sqlx::query($crate::adapter::sql::INSERT_USER)
                        .bind(&user.id)
                        .bind(&user.name)
                        .bind(&user.email)
                        .bind(&user.image)
                        .bind(user.email_verified)
                        .bind(unix_now())
                        .execute(&mut *tx)
                        .await
                        .map_err(err("user"))?;
                    sqlx::query($crate::adapter::sql::INSERT_ACCOUNT)
                        .bind(&account.provider)
                        .bind(&account.provider_account_id)
                        .bind(&user.id)
                        .bind(kind_to_str(account.kind))
                        .bind(&account.access_token)
                        .bind(&account.refresh_token)
                        .bind(account.expires_at)
                        .bind(&account.scope)
                        .bind(&account.token_type)
                        .bind(&account.id_token)
                        .execute(&mut *tx)
                        .await
                        .map_err(err("account"))?;
                    tx.commit().await.map_err(err("user"))?;
                    Ok(user)
                })
            }

            fn unlink_account<'a>(
                &'a self,
                provider: &'a str,
                provider_account_id: &'a str,
            ) -> AdapterFuture<'a, bool> {
                self.guard(async move {
                    let done = sqlx::query(
                        "DELETE FROM auth_accounts WHERE provider = $1 AND provider_account_id = $2",
                    )
                    .bind(provider)
                    .bind(provider_account_id)
                    .execute(&self.pool)
                    .await
                    .map_err(err("account"))?;
                    Ok(done.rows_affected() > 0)
                })
            }

            fn create_session<'a>(
                &'a self,
                key: &'a SessionKey,
                user_id: &'a str,
                expires: i64,
            ) -> AdapterFuture<'a, AdapterSession> {
                self.guard(async move {
                    let created_at = unix_now();
                    sqlx::query(
                        "INSERT INTO auth_sessions (id_hash, user_id, expires, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&key.as_bytes()[..])
                    .bind(user_id)
                    .bind(expires)
                    .bind(created_at)
                    .execute(&self.pool)
                    .await
                    .map_err(err("session"))?;
                    Ok(AdapterSession {
                        key: *key,
                        user_id: user_id.to_owned(),
                        expires,
                        created_at,
                    })
                })
            }

            fn get_session_and_user<'a>(
                &'a self,
                key: &'a SessionKey,
            ) -> AdapterFuture<'a, Option<(AdapterSession, User)>> {
                self.guard(async move {
                    let row = sqlx::query(
                        "SELECT s.id_hash, s.user_id, s.expires, s.created_at, \
                         u.id, u.name, u.email, u.image, u.email_verified \
                         FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id \
                         WHERE s.id_hash = $1",
                    )
                    .bind(&key.as_bytes()[..])
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(err("session"))?;
                    let Some(row) = row else { return Ok(None) };
                    let session = session_from_row(&row)?;
                    let now = unix_now();
                    if session.is_expired_at(now) {
                        sqlx::query("DELETE FROM auth_sessions WHERE id_hash = $1 AND expires <= $2")
                            .bind(&key.as_bytes()[..])
                            .bind(now)
                            .execute(&self.pool)
                            .await
                            .map_err(err("session"))?;
                        return Ok(None);
                    }
                    let user = user_from_row(&row).map_err(err("user"))?;
                    Ok(Some((session, user)))
                })
            }

            fn update_session<'a>(
                &'a self,
                key: &'a SessionKey,
                expires: i64,
            ) -> AdapterFuture<'a, Option<AdapterSession>> {
                self.guard(async move {
                    let row = sqlx::query(
                        "UPDATE auth_sessions SET expires = $2 WHERE id_hash = $1 AND expires > $3 \
                         RETURNING id_hash, user_id, expires, created_at",
                    )
                    .bind(&key.as_bytes()[..])
                    .bind(expires)
                    .bind(unix_now())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(err("session"))?;
                    row.as_ref().map(session_from_row).transpose()
                })
            }

            fn delete_session<'a>(&'a self, key: &'a SessionKey) -> AdapterFuture<'a, bool> {
                self.guard(async move {
                    let done = sqlx::query("DELETE FROM auth_sessions WHERE id_hash = $1")
                        .bind(&key.as_bytes()[..])
                        .execute(&self.pool)
                        .await
                        .map_err(err("session"))?;
                    Ok(done.rows_affected() > 0)
                })
            }

            fn create_verification_token<'a>(
                &'a self,
                token: &'a VerificationToken,
            ) -> AdapterFuture<'a, ()> {
                self.guard(async move {
                    sqlx::query(
                        "INSERT INTO auth_verification_tokens (identifier, token_hash, expires) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(&token.identifier)
                    .bind(token_hash(&token.token))
                    .bind(token.expires)
                    .execute(&self.pool)
                    .await
                    .map_err(err("verification token"))?;
                    Ok(())
                })
            }

            fn use_verification_token<'a>(
                &'a self,
                identifier: &'a str,
                token: &'a str,
            ) -> AdapterFuture<'a, Option<VerificationToken>> {
                self.guard(async move {
                    let row = sqlx::query(
                        "DELETE FROM auth_verification_tokens WHERE identifier = $1 AND token_hash = $2 \
                         RETURNING expires",
                    )
                    .bind(identifier)
                    .bind(token_hash(token))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(err("verification token"))?;
                    let Some(row) = row else { return Ok(None) };
                    Ok(Some(VerificationToken {
                        identifier: identifier.to_owned(),
                        token: token.to_owned(),
                        expires: row.try_get("expires").map_err(err("verification token"))?,
                    }))
                })
            }

            fn list_user_sessions<'a>(
                &'a self,
                user_id: &'a str,
            ) -> AdapterFuture<'a, Vec<AdapterSession>> {
                self.guard(async move {
                    let rows = sqlx::query(
                        "SELECT id_hash, user_id, expires, created_at FROM auth_sessions \
                         WHERE user_id = $1 AND expires > $2 ORDER BY created_at, id_hash",
                    )
                    .bind(user_id)
                    .bind(unix_now())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(err("session"))?;
                    rows.iter().map(session_from_row).collect()
                })
            }

            fn delete_user_sessions<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, u64> {
                self.guard(async move {
                    let done = sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
                        .bind(user_id)
                        .execute(&self.pool)
                        .await
                        .map_err(err("session"))?;
                    Ok(done.rows_affected())
                })
            }

            fn delete_expired_sessions(&self) -> AdapterFuture<'_, u64> {
                self.guard(async move {
                    let now = unix_now();
                    let done = sqlx::query("DELETE FROM auth_sessions WHERE expires <= $1")
                        .bind(now)
                        .execute(&self.pool)
                        .await
                        .map_err(err("session"))?;
                    sqlx::query("DELETE FROM auth_verification_tokens WHERE expires <= $1")
                        .bind(now)
                        .execute(&self.pool)
                        .await
                        .map_err(err("verification token"))?;
                    Ok(done.rows_affected())
                })
            }
        }

        // Accounts are written through the adapter but read back only by tests and tools;
        // keep the decoder next to the encoder so the two cannot drift.
        impl $adapter {
            /// Bounds every call by the adapter's call timeout (a database that stops
            /// answering without closing the connection must not hang the request).
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

            /// Sets the longest time one call may take before failing with
            /// [`AdapterError::Unavailable`] ([`DEFAULT_CALL_TIMEOUT`](crate::adapter::DEFAULT_CALL_TIMEOUT) by default).
            pub fn with_call_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.call_timeout = timeout;
                self
            }

            /// The provider accounts linked to a user (tokens included: handle with care).
            pub async fn user_accounts(&self, user_id: &str) -> Result<Vec<Account>, AdapterError> {
                let rows = sqlx::query(
                    "SELECT provider, provider_account_id, kind, access_token, refresh_token, \
                     expires_at, scope, token_type, id_token FROM auth_accounts WHERE user_id = $1 \
                     ORDER BY provider, provider_account_id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(err("account"))?;
                rows.iter()
                    .map(|row| {
                        let kind: String = row.try_get("kind").map_err(err("account"))?;
                        Ok(Account {
                            provider: row.try_get("provider").map_err(err("account"))?,
                            provider_account_id: row
                                .try_get("provider_account_id")
                                .map_err(err("account"))?,
                            kind: kind_from_str(&kind)?,
                            access_token: row.try_get("access_token").map_err(err("account"))?,
                            refresh_token: row.try_get("refresh_token").map_err(err("account"))?,
                            expires_at: row.try_get("expires_at").map_err(err("account"))?,
                            scope: row.try_get("scope").map_err(err("account"))?,
                            token_type: row.try_get("token_type").map_err(err("account"))?,
                            id_token: row.try_get("id_token").map_err(err("account"))?,
                        })
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use impl_sql_adapter;

/// Applies the pending migrations inside the open transaction `$tx` and records each in
/// `auth_migrations`, mapping errors with `$e`. The caller opens the transaction (and
/// takes its database's lock) and commits it; the steps in between are shared.
macro_rules! apply_pending {
    ($tx:expr, $migrations:expr, $e:expr) => {{
        sqlx::Executor::execute(&mut *$tx, $crate::adapter::sql::CREATE_MIGRATIONS_TABLE)
            .await
            .map_err($e)?;
        let applied: Vec<(i64, String)> =
            sqlx::query_as("SELECT version, checksum FROM auth_migrations")
                .fetch_all(&mut *$tx)
                .await
                .map_err($e)?;
        for m in $crate::adapter::sql::pending($migrations, &applied)? {
            sqlx::Executor::execute(&mut *$tx, m.sql).await.map_err($e)?;
            sqlx::query(
                "INSERT INTO auth_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind($crate::adapter::sql::checksum(m.sql))
            .bind($crate::adapter::unix_now())
            .execute(&mut *$tx)
            .await
            .map_err($e)?;
        }
    }};
}
pub(crate) use apply_pending;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_skips_applied_and_refuses_edited() {
        let ms = [
            Migration {
                version: 1,
                name: "a",
                sql: "CREATE TABLE a (x INT)",
            },
            Migration {
                version: 2,
                name: "b",
                sql: "CREATE TABLE b (x INT)",
            },
        ];
        let none = pending(&ms, &[]).map(|p| p.len()).ok();
        assert_eq!(none, Some(2));
        let one = pending(&ms, &[(1, checksum(ms[0].sql))])
            .map(|p| p.iter().map(|m| m.version).collect::<Vec<_>>())
            .ok();
        assert_eq!(one, Some(vec![2]));
        // Versions this build does not know (newer instance) are tolerated.
        let newer = pending(
            &ms,
            &[
                (1, checksum(ms[0].sql)),
                (2, checksum(ms[1].sql)),
                (3, "x".into()),
            ],
        )
        .map(|p| p.len())
        .ok();
        assert_eq!(newer, Some(0));
        assert!(matches!(
            pending(&ms, &[(1, checksum("CREATE TABLE a (y INT)"))]),
            Err(AdapterError::Migration(_))
        ));
    }
}
