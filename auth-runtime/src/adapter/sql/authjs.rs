//! The Auth.js-schema mode of the PostgreSQL adapter: Auth.js's own tables
//! (`@auth/pg-adapter` 1.11: `users`, `accounts`, `sessions`, `verification_token`, quoted
//! camelCase columns), so a Rust service and a Next.js front end share database sessions.

use sqlx::Row as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};

use super::migrate::{apply_pending, migration_err};
use super::postgres::{AUTHJS_MIGRATIONS, MIGRATION_LOCK_KEY, open, transient, url_options};
use super::{PostgresAdapter, SqlAdapter, kind_to_str, map_err};
use crate::adapter::{
    Adapter, AdapterError, AdapterFuture, AdapterSession, RateLimitHit, RateLimitVerdict,
    SessionKey, SessionToken, SessionTokenStorage, VerificationToken, VerificationTokenHashing,
};
use crate::config::{Account, User};
use crate::util::unix_now;

/// `@auth/pg-adapter`'s schema (its `schema.sql`, 1.11), each table created only when
/// missing. Tables that exist are never altered; [`schema_problem`] checks their columns
/// first.
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS users (
  id SERIAL,
  name VARCHAR(255),
  email VARCHAR(255) UNIQUE,
  "emailVerified" TIMESTAMPTZ,
  image TEXT,
  PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS accounts (
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  type VARCHAR(255) NOT NULL,
  provider VARCHAR(255) NOT NULL,
  "providerAccountId" VARCHAR(255) NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at BIGINT,
  id_token TEXT,
  scope TEXT,
  session_state TEXT,
  token_type TEXT,
  PRIMARY KEY (id),
  UNIQUE (provider, "providerAccountId")
);
CREATE TABLE IF NOT EXISTS sessions (
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  expires TIMESTAMPTZ NOT NULL,
  "sessionToken" VARCHAR(255) UNIQUE NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS verification_token (
  identifier TEXT NOT NULL,
  expires TIMESTAMPTZ NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (identifier, token)
);
"#;

/// A column this mode uses, with the types it accepts (`None`: any type that reads as text).
type Column = (&'static str, Option<&'static [&'static str]>);

/// The columns this mode reads and writes, per table, with the types it needs where it
/// converts (ids are integers, times `timestamptz`).
const COLUMNS: &[(&str, &[Column])] = &[
    (
        "users",
        &[
            ("id", Some(INTEGER)),
            ("name", None),
            ("email", None),
            ("emailVerified", Some(TIMESTAMPTZ)),
            ("image", None),
        ],
    ),
    (
        "accounts",
        &[
            ("userId", Some(INTEGER)),
            ("type", None),
            ("provider", None),
            ("providerAccountId", None),
            ("refresh_token", None),
            ("access_token", None),
            ("expires_at", Some(INTEGER)),
            ("id_token", None),
            ("scope", None),
            ("session_state", None),
            ("token_type", None),
        ],
    ),
    (
        "sessions",
        &[
            ("userId", Some(INTEGER)),
            ("expires", Some(TIMESTAMPTZ)),
            ("sessionToken", None),
        ],
    ),
    (
        "verification_token",
        &[
            ("identifier", None),
            ("expires", Some(TIMESTAMPTZ)),
            ("token", None),
        ],
    ),
];
const INTEGER: &[&str] = &["integer", "bigint"];
const TIMESTAMPTZ: &[&str] = &["timestamp with time zone"];

/// The user columns, as [`user_from_row`] reads them (`u` the alias of `users`).
const USER: &str = r#"u.id::text AS id, u.name::text AS name, u.email::text AS email, u.image,
  floor(extract(epoch FROM u."emailVerified"))::int8 AS email_verified"#;
/// The session columns, as [`session_from_row`] reads them (`s` the alias of `sessions`).
const SESSION: &str = r#"s."userId"::text AS user_id,
  floor(extract(epoch FROM s.expires))::int8 AS expires, s."sessionToken"::text AS token"#;

/// An [`Adapter`] on PostgreSQL that reads and writes Auth.js's own tables: the schema of
/// `@auth/pg-adapter` 1.11 (`users` with a `SERIAL` id, `accounts`, `sessions`,
/// `verification_token`, quoted camelCase columns such as `"userId"` and
/// `"sessionToken"`). A Next.js front end running Auth.js with the database strategy and
/// this service then share users, linked accounts, sessions (the same cookie reads as
/// signed in on both sides; a sign-out on either ends it for both) and e-mail sign-in
/// tokens. Chosen explicitly, never guessed: [`AuthJsPostgresAdapter::connect`] or
/// [`PostgresAdapter::connect_authjs`].
///
/// Connecting creates the four tables when they are missing (`CREATE TABLE IF NOT EXISTS`,
/// in one transaction under the [`MIGRATION_LOCK_KEY`](super::MIGRATION_LOCK_KEY) advisory
/// lock), never alters a table it did not create, and refuses
/// ([`AdapterError::Migration`]) tables that lack a column it uses. What Auth.js has no
/// table for lives in this crate's own tables beside them, created by its migrations and
/// named `auth_*`: the session versions (revocable JWT sessions) and the sign-in rate
/// limits (`auth_session_versions`, `auth_rate_limits`, with `auth_migrations`).
///
/// # What differs from the default mode
/// - **Session tokens are stored in clear** ([`SessionTokenStorage::Clear`]), because
///   Auth.js looks sessions up by the cookie's value. The default `PostgresAdapter` stores
///   only a SHA-256, so a copy of its tables hands out no live session; here anyone who
///   can read the `sessions` table (a leaked backup, a read-only SQL injection, a replica
///   or a log of it) can put a token into a cookie and be that user until the session
///   expires. Use it when sharing sessions with Auth.js is the point, restrict who can
///   read `sessions`, and keep `max_age` short.
/// - User ids are Auth.js's `SERIAL` integers, shown to this side as their decimal string
///   (`"42"`). An id that is not one reads as no user; a credentials `authorize` returns
///   the stored user's id or none (the user is then found, or created, by e-mail).
/// - Verification tokens are hashed as Auth.js hashes them
///   ([`VerificationTokenHashing::AuthJs`]: hex SHA-256 of the token followed by the
///   secret) and stored as the flow hands them, so a link mailed by either side verifies on
///   the other.
/// - `sessions` has no creation time: [`AdapterSession::created_at`] reads `0`, and a
///   user's sessions are listed in the order they were created (`sessions.id`).
/// - Revoking by [`SessionKey`] (`Auth::revoke_session`) compares the SHA-256 of every
///   stored token (PostgreSQL's `sha256()`, 11 and later): a scan, fine for an
///   administrator's action, not for a request path.
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
        if let Err(e) = setup(&pool).await {
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

    /// The one user `sql` (selecting [`USER`]) finds for the bound id.
    async fn fetch_user(
        &self,
        query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> Result<Option<User>, AdapterError> {
        let row = query
            .fetch_optional(self.pool_ref())
            .await
            .map_err(err("user"))?;
        row.as_ref()
            .map(user_from_row)
            .transpose()
            .map_err(err("user"))
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
        query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>
    where
        'a: 'q,
    {
        match self {
            Bound::Token(t) => query.bind(t.as_str()),
            Bound::Key(k) => query.bind(&k.as_bytes()[..]),
        }
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

fn user_from_row(row: &PgRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        image: row.try_get("image")?,
        email_verified: row.try_get("email_verified")?,
        extra: serde_json::Map::new(),
    })
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

/// In one transaction holding the migration lock (a second instance starting at the same
/// time waits, then finds everything done): checks the Auth.js tables that exist, creates
/// those missing, and applies our own migrations (session versions, rate limits).
// Boxed so the future is checked `Send` here, where it is written (callers spawn `connect`).
fn setup(pool: &PgPool) -> AdapterFuture<'_, ()> {
    Box::pin(async move {
        let e = |e| migration_err(e, transient);
        let mut tx = pool.begin().await.map_err(e)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(e)?;
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text, data_type::text \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name IN ('users', 'accounts', 'sessions', 'verification_token')",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(e)?;
        if let Some(problem) = schema_problem(&rows) {
            return Err(AdapterError::Migration(problem));
        }
        sqlx::Executor::execute(&mut *tx, SCHEMA).await.map_err(e)?;
        apply_pending::<sqlx::Postgres>(&mut tx, AUTHJS_MIGRATIONS).await?;
        tx.commit().await.map_err(e)
    })
}

/// What is wrong with the `(table, column, data_type)` rows of the tables that exist, if
/// anything (a table with no rows does not exist yet: it will be created).
fn schema_problem(rows: &[(String, String, String)]) -> Option<String> {
    for (table, columns) in COLUMNS {
        if !rows.iter().any(|(t, _, _)| t == table) {
            continue;
        }
        for (column, types) in *columns {
            let found = rows.iter().find(|(t, c, _)| t == table && c == column);
            match (found, types) {
                (None, _) => {
                    return Some(format!(
                        "table `{table}` has no column `{column}`: the Auth.js mode expects the schema of @auth/pg-adapter and never alters a table it did not create"
                    ));
                }
                (Some((_, _, ty)), Some(types)) if !types.contains(&ty.as_str()) => {
                    return Some(format!(
                        "column `{table}.{column}` is `{ty}`, the Auth.js mode expects {}",
                        types.join(" or ")
                    ));
                }
                _ => {}
            }
        }
    }
    None
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

    fn rows(spec: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        spec.iter()
            .map(|(t, c, ty)| ((*t).to_owned(), (*c).to_owned(), (*ty).to_owned()))
            .collect()
    }

    /// The rows of pg-adapter's schema, as information_schema describes them.
    fn authjs_rows() -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for (table, columns) in COLUMNS {
            for (column, types) in *columns {
                let ty = types.map_or("character varying", |t| t[0]);
                out.push(((*table).to_owned(), (*column).to_owned(), ty.to_owned()));
            }
        }
        out
    }

    #[test]
    fn schema_check_names_what_is_missing_or_mistyped() {
        assert_eq!(schema_problem(&authjs_rows()), None);
        assert_eq!(schema_problem(&[]), None, "nothing yet: all created");
        let without: Vec<_> = authjs_rows()
            .into_iter()
            .filter(|(t, c, _)| !(t == "sessions" && c == "sessionToken"))
            .collect();
        let problem = schema_problem(&without).unwrap_or_default();
        assert!(
            problem.contains("`sessions` has no column `sessionToken`"),
            "{problem}"
        );
        // A text id (a Drizzle or Prisma schema with the same table names) is refused.
        let mut text_ids = authjs_rows();
        text_ids.retain(|(t, c, _)| !(t == "users" && c == "id"));
        text_ids.extend(rows(&[("users", "id", "text")]));
        let problem = schema_problem(&text_ids).unwrap_or_default();
        assert!(problem.contains("`users.id` is `text`"), "{problem}");
    }
}

/// Generated cases (`proptest`, a fixed number, listed in the README).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

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
            prop_assert_eq!(token.is_some(), !s.is_empty() && s.len() <= crate::adapter::SESSION_TOKEN_MAX_LEN);
            if let Some(token) = token {
                prop_assert_eq!(token.as_str(), s.as_str());
            }
        }
    }
}
