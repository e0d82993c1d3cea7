//! [`Adapter`] for [`AuthJsPostgresAdapter`]: the queries on Auth.js's tables.

use sqlx::Row as _;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;

use super::{AuthJsPostgresAdapter, err, user_key};
use crate::adapter::sql::{PostgresAdapter, kind_to_str};
use crate::adapter::{
    Adapter, AdapterError, AdapterFuture, AdapterSession, RateLimitHit, RateLimitVerdict,
    SessionKey, SessionToken, SessionTokenStorage, VerificationToken, VerificationTokenHashing,
};
use crate::config::{Account, User};
use crate::util::unix_now;

/// The user columns, as [`user_from_row`] reads them (`u` the alias of `users`).
const USER: &str = r#"u.id::text AS id, u.name::text AS name, u.email::text AS email, u.image,
  floor(extract(epoch FROM u."emailVerified"))::int8 AS email_verified"#;
/// The session columns, as [`session_from_row`] reads them (`s` the alias of `sessions`).
const SESSION: &str = r#"s."userId"::text AS user_id,
  floor(extract(epoch FROM s.expires))::int8 AS expires, s."sessionToken"::text AS token"#;

impl AuthJsPostgresAdapter {
    /// The one user `query` (selecting [`USER`]) finds: the default mode's reading, on the
    /// same pool.
    async fn fetch_user(
        &self,
        query: Query<'_, sqlx::Postgres, PgArguments>,
    ) -> Result<Option<User>, AdapterError> {
        self.inner.fetch_user(query).await
    }

    /// The session `bind` names, and its user; an
    /// expired one is deleted and reads as `None` (Auth.js deletes it on read too).
    async fn session_and_user(
        &self,
        bind: Bound<'_>,
    ) -> Result<Option<(AdapterSession, User)>, AdapterError> {
        let filter = bind.filter();
        let sql = format!(
            "SELECT {SESSION}, {USER} FROM sessions s JOIN users u ON u.id = s.\"userId\" \
             WHERE {filter}"
        );
        let row = bind
            .to(sqlx::query(&sql))
            .fetch_optional(self.pool_ref())
            .await
            .map_err(err("session"))?;
        let Some(row) = row else { return Ok(None) };
        let session = session_from_row(&row)?;
        let now = unix_now();
        if session.is_expired_at(now) {
            let sql =
                format!("DELETE FROM sessions s WHERE {filter} AND s.expires <= to_timestamp($2)");
            bind.to(sqlx::query(&sql))
                .bind(now)
                .execute(self.pool_ref())
                .await
                .map_err(err("session"))?;
            return Ok(None);
        }
        let user = user_from_row(&row).map_err(err("user"))?;
        Ok(Some((session, user)))
    }

    /// Moves the expiry of the live session `bind` names.
    async fn slide(
        &self,
        bind: Bound<'_>,
        expires: i64,
    ) -> Result<Option<AdapterSession>, AdapterError> {
        let filter = bind.filter();
        let sql = format!(
            "UPDATE sessions s SET expires = to_timestamp($2) \
             WHERE {filter} AND s.expires > to_timestamp($3) RETURNING {SESSION}"
        );
        let row = bind
            .to(sqlx::query(&sql))
            .bind(expires)
            .bind(unix_now())
            .fetch_optional(self.pool_ref())
            .await
            .map_err(err("session"))?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn delete_where(&self, bind: Bound<'_>) -> Result<bool, AdapterError> {
        let filter = bind.filter();
        let sql = format!("DELETE FROM sessions s WHERE {filter}");
        let done = bind
            .to(sqlx::query(&sql))
            .execute(self.pool_ref())
            .await
            .map_err(err("session"))?;
        Ok(done.rows_affected() > 0)
    }

    /// Inserts `account` for `user_id` through `executor`.
    async fn insert_account<'e, E>(
        executor: E,
        user_id: i64,
        account: &Account,
    ) -> Result<(), AdapterError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Postgres>,
    {
        sqlx::query(
            r#"INSERT INTO accounts ("userId", provider, type, "providerAccountId",
               access_token, expires_at, refresh_token, id_token, scope, session_state,
               token_type) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)"#,
        )
        .bind(user_id)
        .bind(account.provider.as_str())
        .bind(kind_to_str(account.kind))
        .bind(account.provider_account_id.as_str())
        .bind(account.access_token.as_deref())
        .bind(account.expires_at)
        .bind(account.refresh_token.as_deref())
        .bind(account.id_token.as_deref())
        .bind(account.scope.as_deref())
        .bind(account.token_type.as_deref())
        .execute(executor)
        .await
        .map_err(err("account"))?;
        Ok(())
    }

    /// Inserts `user` through `conn` (a transaction): with an empty id the `SERIAL` picks
    /// one; a given id must be an integer, and the sequence is moved past it.
    async fn insert_user(conn: &mut sqlx::PgConnection, user: &User) -> Result<User, AdapterError> {
        let row = if user.id.is_empty() {
            sqlx::query(&format!(
                r#"INSERT INTO users AS u (name, email, "emailVerified", image)
                   VALUES ($1, $2, to_timestamp($3), $4) RETURNING {USER}"#
            ))
            .bind(user.name.as_deref())
            .bind(user.email.as_deref())
            .bind(user.email_verified)
            .bind(user.image.as_deref())
            .fetch_one(&mut *conn)
            .await
            .map_err(err("user"))?
        } else {
            let id = user_key(&user.id).ok_or(AdapterError::Unsupported(
                "user ids other than integers (users.id is a SERIAL in Auth.js's schema)",
            ))?;
            let row = sqlx::query(&format!(
                r#"INSERT INTO users AS u (id, name, email, "emailVerified", image)
                   VALUES ($1, $2, $3, to_timestamp($4), $5) RETURNING {USER}"#
            ))
            .bind(id)
            .bind(user.name.as_deref())
            .bind(user.email.as_deref())
            .bind(user.email_verified)
            .bind(user.image.as_deref())
            .fetch_one(&mut *conn)
            .await
            .map_err(err("user"))?;
            sqlx::query(
                "SELECT setval(pg_get_serial_sequence('users', 'id'), \
                 GREATEST((SELECT max(id) FROM users), 1))",
            )
            .execute(&mut *conn)
            .await
            .map_err(err("user"))?;
            row
        };
        user_from_row(&row).map_err(err("user"))
    }
}

/// A session looked up by its token in clear, or by its handle.
#[derive(Clone, Copy)]
enum Bound<'a> {
    Token(&'a SessionToken),
    Key(&'a SessionKey),
}

impl<'a> Bound<'a> {
    /// The condition selecting the session `s`, binding `$1`.
    fn filter(self) -> &'static str {
        match self {
            Bound::Token(_) => r#"s."sessionToken" = $1"#,
            Bound::Key(_) => r#"sha256(convert_to(s."sessionToken", 'UTF8')) = $1"#,
        }
    }

    fn to<'q>(
        self,
        query: Query<'q, sqlx::Postgres, PgArguments>,
    ) -> Query<'q, sqlx::Postgres, PgArguments>
    where
        'a: 'q,
    {
        match self {
            Bound::Token(t) => query.bind(t.as_str()),
            Bound::Key(k) => query.bind(&k.as_bytes()[..]),
        }
    }
}

/// The default mode's reading: [`USER`] selects the same columns under the same names.
fn user_from_row(row: &PgRow) -> Result<User, sqlx::Error> {
    PostgresAdapter::user_from_row(row)
}

fn session_from_row(row: &PgRow) -> Result<AdapterSession, AdapterError> {
    let e = err("session");
    let token: String = row.try_get("token").map_err(&e)?;
    let key = SessionToken::from_cookie(&token)
        .map(|t| t.key())
        .ok_or(AdapterError::Corrupt("session token"))?;
    Ok(AdapterSession {
        key,
        user_id: row.try_get("user_id").map_err(&e)?,
        expires: row.try_get("expires").map_err(&e)?,
        created_at: 0,
    })
}

impl Adapter for AuthJsPostgresAdapter {
    fn create_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, User> {
        self.guard(async move {
            let mut tx = self.pool_ref().begin().await.map_err(err("user"))?;
            let user = Self::insert_user(&mut tx, user).await?;
            tx.commit().await.map_err(err("user"))?;
            Ok(user)
        })
    }

    fn get_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let Some(id) = user_key(id) else {
                return Ok(None);
            };
            let sql = format!("SELECT {USER} FROM users u WHERE u.id = $1");
            self.fetch_user(sqlx::query(&sql).bind(id)).await
        })
    }

    fn get_user_by_email<'a>(&'a self, email: &'a str) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let sql = format!("SELECT {USER} FROM users u WHERE u.email = $1");
            self.fetch_user(sqlx::query(&sql).bind(email)).await
        })
    }

    fn get_user_by_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let sql = format!(
                "SELECT {USER} FROM users u JOIN accounts a ON u.id = a.\"userId\" \
                 WHERE a.provider = $1 AND a.\"providerAccountId\" = $2"
            );
            self.fetch_user(sqlx::query(&sql).bind(provider).bind(provider_account_id))
                .await
        })
    }

    fn update_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let Some(id) = user_key(&user.id) else {
                return Ok(None);
            };
            let sql = format!(
                "UPDATE users u SET name = $2, email = $3, \"emailVerified\" = to_timestamp($4), \
                 image = $5 WHERE u.id = $1 RETURNING {USER}"
            );
            let query = sqlx::query(&sql)
                .bind(id)
                .bind(user.name.as_deref())
                .bind(user.email.as_deref())
                .bind(user.email_verified)
                .bind(user.image.as_deref());
            self.fetch_user(query).await
        })
    }

    fn delete_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            let Some(id) = user_key(id) else {
                return Ok(false);
            };
            // Like @auth/pg-adapter: sessions and accounts too, whatever the foreign keys say.
            let mut tx = self.pool_ref().begin().await.map_err(err("user"))?;
            for sql in [
                "DELETE FROM sessions WHERE \"userId\" = $1",
                "DELETE FROM accounts WHERE \"userId\" = $1",
            ] {
                sqlx::query(sql)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(err("user"))?;
            }
            let done = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(err("user"))?;
            tx.commit().await.map_err(err("user"))?;
            Ok(done.rows_affected() > 0)
        })
    }

    fn link_account<'a>(&'a self, user_id: &'a str, account: &'a Account) -> AdapterFuture<'a, ()> {
        self.guard(async move {
            let id = user_key(user_id).ok_or(AdapterError::NotFound("user"))?;
            Self::insert_account(self.pool_ref(), id, account).await
        })
    }

    fn create_user_with_account<'a>(
        &'a self,
        user: &'a User,
        account: &'a Account,
    ) -> AdapterFuture<'a, User> {
        self.guard(async move {
            let mut tx = self.pool_ref().begin().await.map_err(err("user"))?;
            let user = Self::insert_user(&mut tx, user).await?;
            let id = user_key(&user.id).ok_or(AdapterError::Corrupt("user id"))?;
            Self::insert_account(&mut *tx, id, account).await?;
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
                "DELETE FROM accounts WHERE \"providerAccountId\" = $1 AND provider = $2",
            )
            .bind(provider_account_id)
            .bind(provider)
            .execute(self.pool_ref())
            .await
            .map_err(err("account"))?;
            Ok(done.rows_affected() > 0)
        })
    }

    fn session_token_storage(&self) -> SessionTokenStorage {
        SessionTokenStorage::Clear
    }

    /// Sessions are keyed by their token in clear here: [`Adapter::create_session_token`].
    /// This answers [`AdapterError::Unsupported`] (a [`SessionKey`] cannot be turned
    /// back into a token Auth.js could look up).
    fn create_session<'a>(
        &'a self,
        key: &'a SessionKey,
        user_id: &'a str,
        expires: i64,
    ) -> AdapterFuture<'a, AdapterSession> {
        let _ = (key, user_id, expires);
        Box::pin(async {
            Err(AdapterError::Unsupported(
                "sessions keyed by a hash (Auth.js's schema stores the token in clear)",
            ))
        })
    }

    fn get_session_and_user<'a>(
        &'a self,
        key: &'a SessionKey,
    ) -> AdapterFuture<'a, Option<(AdapterSession, User)>> {
        let bound = Bound::Key(key);
        self.guard(async move { self.session_and_user(bound).await })
    }

    fn update_session<'a>(
        &'a self,
        key: &'a SessionKey,
        expires: i64,
    ) -> AdapterFuture<'a, Option<AdapterSession>> {
        let bound = Bound::Key(key);
        self.guard(async move { self.slide(bound, expires).await })
    }

    fn delete_session<'a>(&'a self, key: &'a SessionKey) -> AdapterFuture<'a, bool> {
        let bound = Bound::Key(key);
        self.guard(async move { self.delete_where(bound).await })
    }

    fn create_session_token<'a>(
        &'a self,
        token: &'a SessionToken,
        user_id: &'a str,
        expires: i64,
    ) -> AdapterFuture<'a, AdapterSession> {
        self.guard(async move {
            let id = user_key(user_id).ok_or(AdapterError::NotFound("user"))?;
            sqlx::query(
                "INSERT INTO sessions (\"userId\", expires, \"sessionToken\") \
                 VALUES ($1, to_timestamp($2), $3)",
            )
            .bind(id)
            .bind(expires)
            .bind(token.as_str())
            .execute(self.pool_ref())
            .await
            .map_err(err("session"))?;
            Ok(AdapterSession {
                key: token.key(),
                user_id: user_id.to_owned(),
                expires,
                created_at: 0,
            })
        })
    }

    fn get_session_and_user_by_token<'a>(
        &'a self,
        token: &'a SessionToken,
    ) -> AdapterFuture<'a, Option<(AdapterSession, User)>> {
        let bound = Bound::Token(token);
        self.guard(async move { self.session_and_user(bound).await })
    }

    fn update_session_token<'a>(
        &'a self,
        token: &'a SessionToken,
        expires: i64,
    ) -> AdapterFuture<'a, Option<AdapterSession>> {
        let bound = Bound::Token(token);
        self.guard(async move { self.slide(bound, expires).await })
    }

    fn delete_session_token<'a>(&'a self, token: &'a SessionToken) -> AdapterFuture<'a, bool> {
        let bound = Bound::Token(token);
        self.guard(async move { self.delete_where(bound).await })
    }

    fn create_verification_token<'a>(
        &'a self,
        token: &'a VerificationToken,
    ) -> AdapterFuture<'a, ()> {
        self.guard(async move {
            // Stored as handed over: the flow hashed it Auth.js's way
            // (`verification_token_hashing`).
            sqlx::query(
                "INSERT INTO verification_token (identifier, expires, token) \
                 VALUES ($1, to_timestamp($2), $3)",
            )
            .bind(token.identifier.as_str())
            .bind(token.expires)
            .bind(token.token.as_str())
            .execute(self.pool_ref())
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
            let e = err("verification token");
            let row = sqlx::query(
                "DELETE FROM verification_token WHERE identifier = $1 AND token = $2 \
                 RETURNING floor(extract(epoch FROM expires))::int8 AS expires",
            )
            .bind(identifier)
            .bind(token)
            .fetch_optional(self.pool_ref())
            .await
            .map_err(&e)?;
            let Some(row) = row else { return Ok(None) };
            Ok(Some(VerificationToken {
                identifier: identifier.to_owned(),
                token: token.to_owned(),
                expires: row.try_get("expires").map_err(&e)?,
            }))
        })
    }

    fn list_user_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> AdapterFuture<'a, Vec<AdapterSession>> {
        self.guard(async move {
            let Some(id) = user_key(user_id) else {
                return Ok(Vec::new());
            };
            let rows = sqlx::query(&format!(
                "SELECT {SESSION} FROM sessions s WHERE s.\"userId\" = $1 \
                 AND s.expires > to_timestamp($2) ORDER BY s.id"
            ))
            .bind(id)
            .bind(unix_now())
            .fetch_all(self.pool_ref())
            .await
            .map_err(err("session"))?;
            rows.iter().map(session_from_row).collect()
        })
    }

    fn delete_user_sessions<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, u64> {
        self.guard(async move {
            let Some(id) = user_key(user_id) else {
                return Ok(0);
            };
            let done = sqlx::query("DELETE FROM sessions WHERE \"userId\" = $1")
                .bind(id)
                .execute(self.pool_ref())
                .await
                .map_err(err("session"))?;
            Ok(done.rows_affected())
        })
    }

    fn delete_expired_sessions(&self) -> AdapterFuture<'_, u64> {
        self.guard(async move {
            let now = unix_now();
            let done = sqlx::query("DELETE FROM sessions WHERE expires <= to_timestamp($1)")
                .bind(now)
                .execute(self.pool_ref())
                .await
                .map_err(err("session"))?;
            sqlx::query("DELETE FROM verification_token WHERE expires <= to_timestamp($1)")
                .bind(now)
                .execute(self.pool_ref())
                .await
                .map_err(err("verification token"))?;
            Ok(done.rows_affected())
        })
    }

    fn session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        self.inner.session_version(user_id)
    }

    fn bump_session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        self.inner.bump_session_version(user_id)
    }

    fn rate_limit_hit<'a>(
        &'a self,
        hit: &'a RateLimitHit,
    ) -> AdapterFuture<'a, Option<RateLimitVerdict>> {
        self.inner.rate_limit_hit(hit)
    }

    fn rate_limit_reset<'a>(&'a self, key: &'a str) -> AdapterFuture<'a, ()> {
        self.inner.rate_limit_reset(key)
    }

    fn rate_limit_sweep(&self, now_ms: i64) -> AdapterFuture<'_, u64> {
        self.inner.rate_limit_sweep(now_ms)
    }

    fn verification_token_hashing(&self) -> VerificationTokenHashing {
        VerificationTokenHashing::AuthJs
    }
}
