//! [`Adapter`] for [`SqlAdapter`]: the queries, one text for both databases.
//!
//! The `where` clauses say what sqlx must provide for a database: binding and reading
//! `&str`/`String`, `i64` and bytes (their `Option`s follow), statements on a connection,
//! and columns read by name. `sqlx::Sqlite` and `sqlx::Postgres` provide all of it.

use sqlx::query::Query;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Row as _, Type};

use super::{SqlAdapter, SqlDatabase, kind_from_str, kind_to_str, map_err, token_hash};
use crate::adapter::{
    Adapter, AdapterError, AdapterFuture, AdapterSession, Authenticator, RateLimitHit,
    RateLimitVerdict, SessionKey, TotpEnrolment, VerificationToken,
};
use crate::config::{Account, User};
use crate::util::{unix_now, uuid_v4};

const INSERT_USER: &str = "INSERT INTO auth_users \
     (id, name, email, image, email_verified, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

const INSERT_ACCOUNT: &str = "INSERT INTO auth_accounts (provider, \
     provider_account_id, user_id, kind, access_token, refresh_token, expires_at, scope, \
     token_type, id_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

fn err<DB: SqlDatabase>(what: &'static str) -> impl Fn(sqlx::Error) -> AdapterError {
    move |e| map_err(e, what, DB::transient)
}

/// Whether `e` says the connection itself is gone (closed by the server, reset), so the
/// same read on another connection may succeed.
fn broken_connection(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        // 57P01 admin_shutdown, 57P02 crash_shutdown: the server ended this connection.
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c == "57P01" || c == "57P02"),
        _ => false,
    }
}

/// A user to store: a given id is kept, an empty one becomes a fresh UUID.
fn with_id(user: &User) -> User {
    let mut user = user.clone();
    if user.id.is_empty() {
        user.id = uuid_v4();
    }
    user
}

impl<DB> SqlAdapter<DB>
where
    DB: SqlDatabase,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    &'static str: ColumnIndex<DB::Row>,
{
    /// Inserts `user` (with its id) through `executor`.
    async fn insert_user<'e, E>(executor: E, user: &User) -> Result<(), AdapterError>
    where
        E: Executor<'e, Database = DB>,
    {
        Self::bind_profile(sqlx::query(INSERT_USER).bind(user.id.as_str()), user)
            .bind(unix_now())
            .execute(executor)
            .await
            .map_err(err::<DB>("user"))?;
        Ok(())
    }

    /// Links `account` to `user_id` through `executor`.
    async fn insert_account<'e, E>(
        executor: E,
        user_id: &str,
        account: &Account,
    ) -> Result<(), AdapterError>
    where
        E: Executor<'e, Database = DB>,
    {
        sqlx::query(INSERT_ACCOUNT)
            .bind(account.provider.as_str())
            .bind(account.provider_account_id.as_str())
            .bind(user_id)
            .bind(kind_to_str(account.kind))
            .bind(account.access_token.as_deref())
            .bind(account.refresh_token.as_deref())
            .bind(account.expires_at)
            .bind(account.scope.as_deref())
            .bind(account.token_type.as_deref())
            .bind(account.id_token.as_deref())
            .execute(executor)
            .await
            .map_err(err::<DB>("account"))?;
        Ok(())
    }

    /// Binds the profile fields of `user` (`name`, `email`, `image`, `email_verified`),
    /// the next four parameters after those already bound.
    fn bind_profile<'q>(
        query: Query<'q, DB, DB::Arguments<'q>>,
        user: &'q User,
    ) -> Query<'q, DB, DB::Arguments<'q>> {
        query
            .bind(user.name.as_deref())
            .bind(user.email.as_deref())
            .bind(user.image.as_deref())
            .bind(user.email_verified)
    }

    /// The one user `query` (which selects or returns the user columns) finds.
    pub(super) async fn fetch_user<'q>(
        &self,
        query: Query<'q, DB, DB::Arguments<'q>>,
    ) -> Result<Option<User>, AdapterError> {
        let row = query
            .fetch_optional(&self.pool)
            .await
            .map_err(err::<DB>("user"))?;
        row.as_ref()
            .map(Self::user_from_row)
            .transpose()
            .map_err(err::<DB>("user"))
    }

    /// A user from the columns `id, name, email, image, email_verified` (also what the
    /// Auth.js-schema adapter's queries select).
    pub(super) fn user_from_row(row: &DB::Row) -> Result<User, sqlx::Error> {
        Ok(User {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            image: row.try_get("image")?,
            email_verified: row.try_get("email_verified")?,
            extra: serde_json::Map::new(),
        })
    }

    fn session_from_row(row: &DB::Row) -> Result<AdapterSession, AdapterError> {
        let e = err::<DB>("session");
        let key: Vec<u8> = row.try_get("id_hash").map_err(&e)?;
        Ok(AdapterSession {
            key: SessionKey::from_slice(&key).ok_or(AdapterError::Corrupt("session key"))?,
            user_id: row.try_get("user_id").map_err(&e)?,
            expires: row.try_get("expires").map_err(&e)?,
            created_at: row.try_get("created_at").map_err(&e)?,
        })
    }

    fn authenticator_from_row(row: &DB::Row) -> Result<Authenticator, AdapterError> {
        let e = err::<DB>("authenticator");
        let transports: String = row.try_get("transports").map_err(&e)?;
        Ok(Authenticator {
            credential_id: row.try_get("credential_id").map_err(&e)?,
            user_id: row.try_get("user_id").map_err(&e)?,
            public_key: row.try_get("public_key").map_err(&e)?,
            counter: row.try_get("counter").map_err(&e)?,
            transports: transports
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            name: row.try_get("name").map_err(&e)?,
            created_at: row.try_get("created_at").map_err(&e)?,
        })
    }

    /// The provider accounts linked to a user (tokens included: handle with care).
    pub async fn user_accounts(&self, user_id: &str) -> Result<Vec<Account>, AdapterError> {
        let e = err::<DB>("account");
        let rows = sqlx::query(
            "SELECT provider, provider_account_id, kind, access_token, refresh_token, \
             expires_at, scope, token_type, id_token FROM auth_accounts WHERE user_id = $1 \
             ORDER BY provider, provider_account_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(&e)?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind").map_err(&e)?;
                Ok(Account {
                    provider: row.try_get("provider").map_err(&e)?,
                    provider_account_id: row.try_get("provider_account_id").map_err(&e)?,
                    kind: kind_from_str(&kind)?,
                    access_token: row.try_get("access_token").map_err(&e)?,
                    refresh_token: row.try_get("refresh_token").map_err(&e)?,
                    expires_at: row.try_get("expires_at").map_err(&e)?,
                    scope: row.try_get("scope").map_err(&e)?,
                    token_type: row.try_get("token_type").map_err(&e)?,
                    id_token: row.try_get("id_token").map_err(&e)?,
                })
            })
            .collect()
    }
}

impl<DB> Adapter for SqlAdapter<DB>
where
    DB: SqlDatabase,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    &'static str: ColumnIndex<DB::Row>,
{
    fn create_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, User> {
        self.guard(async move {
            let user = with_id(user);
            Self::insert_user(&self.pool, &user).await?;
            Ok(user)
        })
    }

    fn get_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let sql = "SELECT id, name, email, image, email_verified FROM auth_users WHERE id = $1";
            self.fetch_user(sqlx::query(sql).bind(id)).await
        })
    }

    fn get_user_by_email<'a>(&'a self, email: &'a str) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let sql =
                "SELECT id, name, email, image, email_verified FROM auth_users WHERE email = $1";
            self.fetch_user(sqlx::query(sql).bind(email)).await
        })
    }

    fn get_user_by_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let sql = "SELECT u.id, u.name, u.email, u.image, u.email_verified \
                       FROM auth_accounts a JOIN auth_users u ON u.id = a.user_id \
                       WHERE a.provider = $1 AND a.provider_account_id = $2";
            self.fetch_user(sqlx::query(sql).bind(provider).bind(provider_account_id))
                .await
        })
    }

    fn update_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, Option<User>> {
        self.guard(async move {
            let sql = "UPDATE auth_users SET name = $2, email = $3, image = $4, \
                       email_verified = $5 WHERE id = $1 \
                       RETURNING id, name, email, image, email_verified";
            let query = Self::bind_profile(sqlx::query(sql).bind(user.id.as_str()), user);
            self.fetch_user(query).await
        })
    }

    fn delete_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            let done = sqlx::query("DELETE FROM auth_users WHERE id = $1")
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("user"))?;
            Ok(DB::rows_affected(&done) > 0)
        })
    }

    fn link_account<'a>(&'a self, user_id: &'a str, account: &'a Account) -> AdapterFuture<'a, ()> {
        self.guard(Self::insert_account(&self.pool, user_id, account))
    }

    fn create_user_with_account<'a>(
        &'a self,
        user: &'a User,
        account: &'a Account,
    ) -> AdapterFuture<'a, User> {
        self.guard(async move {
            let user = with_id(user);
            let mut tx = self.pool.begin().await.map_err(err::<DB>("user"))?;
            Self::insert_user(&mut *tx, &user).await?;
            Self::insert_account(&mut *tx, &user.id, account).await?;
            tx.commit().await.map_err(err::<DB>("user"))?;
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
            .map_err(err::<DB>("account"))?;
            Ok(DB::rows_affected(&done) > 0)
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
            .map_err(err::<DB>("session"))?;
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
            let select = || {
                sqlx::query(
                    "SELECT s.id_hash, s.user_id, s.expires, s.created_at, \
                     u.id, u.name, u.email, u.image, u.email_verified \
                     FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id \
                     WHERE s.id_hash = $1",
                )
                .bind(&key.as_bytes()[..])
            };
            // On the connection kept for session reads (see `SqlAdapter`), kept again
            // after a good answer; after an error it goes back to the pool (which tests
            // it, and drops it when broken).
            let first = match self.read_connection().await {
                Ok(mut kept) => match kept.conn.as_mut() {
                    Some(conn) => {
                        let row = select().fetch_optional(&mut **conn).await;
                        if row.is_ok() {
                            self.keep(kept);
                        }
                        row
                    }
                    None => select().fetch_optional(&self.pool).await,
                },
                Err(e) => Err(e),
            };
            // The pools of `connect` lend connections unpinged: a connection that died
            // while idle (or while kept) fails here once; ask another.
            let row = match first {
                Err(e) if broken_connection(&e) => select().fetch_optional(&self.pool).await,
                other => other,
            }
            .map_err(err::<DB>("session"))?;
            let Some(row) = row else { return Ok(None) };
            let session = Self::session_from_row(&row)?;
            let now = unix_now();
            if session.is_expired_at(now) {
                sqlx::query("DELETE FROM auth_sessions WHERE id_hash = $1 AND expires <= $2")
                    .bind(&key.as_bytes()[..])
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(err::<DB>("session"))?;
                return Ok(None);
            }
            let user = Self::user_from_row(&row).map_err(err::<DB>("user"))?;
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
            .map_err(err::<DB>("session"))?;
            row.as_ref().map(Self::session_from_row).transpose()
        })
    }

    fn delete_session<'a>(&'a self, key: &'a SessionKey) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            let done = sqlx::query("DELETE FROM auth_sessions WHERE id_hash = $1")
                .bind(&key.as_bytes()[..])
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("session"))?;
            Ok(DB::rows_affected(&done) > 0)
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
            .bind(token.identifier.as_str())
            .bind(&token_hash(&token.token)[..])
            .bind(token.expires)
            .execute(&self.pool)
            .await
            .map_err(err::<DB>("verification token"))?;
            Ok(())
        })
    }

    fn use_verification_token<'a>(
        &'a self,
        identifier: &'a str,
        token: &'a str,
    ) -> AdapterFuture<'a, Option<VerificationToken>> {
        self.guard(async move {
            let e = err::<DB>("verification token");
            let row = sqlx::query(
                "DELETE FROM auth_verification_tokens WHERE identifier = $1 AND token_hash = $2 \
                 RETURNING expires",
            )
            .bind(identifier)
            .bind(&token_hash(token)[..])
            .fetch_optional(&self.pool)
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

    fn delete_verification_tokens<'a>(&'a self, identifier: &'a str) -> AdapterFuture<'a, u64> {
        self.guard(async move {
            let done = sqlx::query("DELETE FROM auth_verification_tokens WHERE identifier = $1")
                .bind(identifier)
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("verification token"))?;
            Ok(DB::rows_affected(&done))
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
            .map_err(err::<DB>("session"))?;
            rows.iter().map(Self::session_from_row).collect()
        })
    }

    fn delete_user_sessions<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, u64> {
        self.guard(async move {
            let done = sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("session"))?;
            Ok(DB::rows_affected(&done))
        })
    }

    fn delete_expired_sessions(&self) -> AdapterFuture<'_, u64> {
        self.guard(async move {
            let now = unix_now();
            let done = sqlx::query("DELETE FROM auth_sessions WHERE expires <= $1")
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("session"))?;
            sqlx::query("DELETE FROM auth_verification_tokens WHERE expires <= $1")
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("verification token"))?;
            Ok(DB::rows_affected(&done))
        })
    }

    fn session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        self.guard(async move {
            let e = err::<DB>("session version");
            let row = sqlx::query("SELECT version FROM auth_session_versions WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(&e)?;
            match row {
                Some(row) => row.try_get("version").map_err(&e),
                None => Ok(0),
            }
        })
    }

    fn bump_session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        self.guard(async move {
            let e = err::<DB>("session version");
            // One statement: concurrent bumps each get their own value.
            let row = sqlx::query(
                "INSERT INTO auth_session_versions (user_id, version) VALUES ($1, 1) \
                 ON CONFLICT (user_id) DO UPDATE \
                 SET version = auth_session_versions.version + 1 RETURNING version",
            )
            .bind(user_id)
            .fetch_one(&self.pool)
            .await
            .map_err(&e)?;
            row.try_get("version").map_err(&e)
        })
    }

    fn rate_limit_hit<'a>(
        &'a self,
        hit: &'a RateLimitHit,
    ) -> AdapterFuture<'a, Option<RateLimitVerdict>> {
        self.guard(async move {
            let row = sqlx::query(DB::RATE_LIMIT_HIT)
                .bind(hit.key.as_str())
                .bind(hit.now_ms)
                .bind(hit.interval_ms)
                .bind(hit.tolerance_ms)
                .fetch_one(&self.pool)
                .await
                .map_err(err::<DB>("rate limit"))?;
            let tat: i64 = row.try_get("tat").map_err(err::<DB>("rate limit"))?;
            let allowed: i64 = row.try_get("allowed").map_err(err::<DB>("rate limit"))?;
            Ok(Some(RateLimitVerdict::new(allowed != 0, tat)))
        })
    }

    fn rate_limit_reset<'a>(&'a self, key: &'a str) -> AdapterFuture<'a, ()> {
        self.guard(async move {
            sqlx::query("DELETE FROM auth_rate_limits WHERE key = $1")
                .bind(key)
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("rate limit"))?;
            Ok(())
        })
    }

    fn create_authenticator<'a>(&'a self, a: &'a Authenticator) -> AdapterFuture<'a, ()> {
        self.guard(async move {
            let transports = a.transports.join(",");
            sqlx::query(
                "INSERT INTO auth_authenticators (credential_id, user_id, public_key, counter, \
                 transports, name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.credential_id.as_str())
            .bind(a.user_id.as_str())
            .bind(a.public_key.as_slice())
            .bind(a.counter)
            .bind(transports.as_str())
            .bind(a.name.as_str())
            .bind(a.created_at)
            .execute(&self.pool)
            .await
            .map_err(err::<DB>("authenticator"))?;
            Ok(())
        })
    }

    fn get_authenticator<'a>(
        &'a self,
        credential_id: &'a str,
    ) -> AdapterFuture<'a, Option<Authenticator>> {
        self.guard(async move {
            let row = sqlx::query(
                "SELECT credential_id, user_id, public_key, counter, transports, name, created_at \
                 FROM auth_authenticators WHERE credential_id = $1",
            )
            .bind(credential_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(err::<DB>("authenticator"))?;
            row.as_ref().map(Self::authenticator_from_row).transpose()
        })
    }

    fn list_authenticators<'a>(
        &'a self,
        user_id: &'a str,
    ) -> AdapterFuture<'a, Vec<Authenticator>> {
        self.guard(async move {
            let rows = sqlx::query(
                "SELECT credential_id, user_id, public_key, counter, transports, name, created_at \
                 FROM auth_authenticators WHERE user_id = $1 ORDER BY created_at, credential_id",
            )
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(err::<DB>("authenticator"))?;
            rows.iter().map(Self::authenticator_from_row).collect()
        })
    }

    fn update_authenticator_counter<'a>(
        &'a self,
        credential_id: &'a str,
        counter: i64,
    ) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            // Only forward, in one statement: of two parallel uses of one assertion, one wins.
            let done = sqlx::query(
                "UPDATE auth_authenticators SET counter = $2 WHERE credential_id = $1 \
                 AND (counter < $2 OR (counter = 0 AND $2 = 0))",
            )
            .bind(credential_id)
            .bind(counter)
            .execute(&self.pool)
            .await
            .map_err(err::<DB>("authenticator"))?;
            Ok(DB::rows_affected(&done) > 0)
        })
    }

    fn delete_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
    ) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            let done = sqlx::query(
                "DELETE FROM auth_authenticators WHERE user_id = $1 AND credential_id = $2",
            )
            .bind(user_id)
            .bind(credential_id)
            .execute(&self.pool)
            .await
            .map_err(err::<DB>("authenticator"))?;
            Ok(DB::rows_affected(&done) > 0)
        })
    }

    fn totp_enrolment<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, Option<TotpEnrolment>> {
        self.guard(async move {
            let e = err::<DB>("second factor");
            let row = sqlx::query("SELECT secret, last_step FROM auth_totp WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(&e)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let secret: String = row.try_get("secret").map_err(&e)?;
            let last_step: i64 = row.try_get("last_step").map_err(&e)?;
            Ok(Some(TotpEnrolment::new(user_id, secret, last_step)))
        })
    }

    fn totp_enrol<'a>(
        &'a self,
        enrolment: &'a TotpEnrolment,
        recovery_code_hashes: &'a [String],
    ) -> AdapterFuture<'a, ()> {
        self.guard(async move {
            let e = err::<DB>("second factor");
            let user_id = enrolment.user_id.as_str();
            let mut tx = self.pool.begin().await.map_err(&e)?;
            sqlx::query("DELETE FROM auth_recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(&e)?;
            sqlx::query(
                "INSERT INTO auth_totp (user_id, secret, last_step, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE \
                 SET secret = excluded.secret, last_step = excluded.last_step, \
                 created_at = excluded.created_at",
            )
            .bind(user_id)
            .bind(enrolment.secret.as_str())
            .bind(enrolment.last_step)
            .bind(unix_now())
            .execute(&mut *tx)
            .await
            .map_err(&e)?;
            for hash in recovery_code_hashes {
                sqlx::query("INSERT INTO auth_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user_id)
                    .bind(hash.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(&e)?;
            }
            tx.commit().await.map_err(&e)?;
            Ok(())
        })
    }

    fn totp_use_step<'a>(&'a self, user_id: &'a str, step: i64) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            // One statement: of two requests with the same code, one wins.
            let result = sqlx::query(
                "UPDATE auth_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2",
            )
            .bind(user_id)
            .bind(step)
            .execute(&self.pool)
            .await
            .map_err(err::<DB>("second factor"))?;
            Ok(DB::rows_affected(&result) == 1)
        })
    }

    fn totp_use_recovery_code<'a>(
        &'a self,
        user_id: &'a str,
        code_hash: &'a str,
    ) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            let result = sqlx::query(
                "DELETE FROM auth_recovery_codes WHERE user_id = $1 AND code_hash = $2",
            )
            .bind(user_id)
            .bind(code_hash)
            .execute(&self.pool)
            .await
            .map_err(err::<DB>("second factor"))?;
            Ok(DB::rows_affected(&result) == 1)
        })
    }

    fn totp_remove<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, bool> {
        self.guard(async move {
            let e = err::<DB>("second factor");
            let mut tx = self.pool.begin().await.map_err(&e)?;
            sqlx::query("DELETE FROM auth_recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(&e)?;
            let result = sqlx::query("DELETE FROM auth_totp WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(&e)?;
            tx.commit().await.map_err(&e)?;
            Ok(DB::rows_affected(&result) == 1)
        })
    }

    fn set_session_amr<'a>(
        &'a self,
        key: &'a SessionKey,
        amr: &'a [String],
    ) -> AdapterFuture<'a, ()> {
        self.guard(async move {
            sqlx::query("UPDATE auth_sessions SET amr = $2 WHERE id_hash = $1")
                .bind(key.as_bytes().as_slice())
                .bind(amr.join(" ").as_str())
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("session"))?;
            Ok(())
        })
    }

    fn session_amr<'a>(&'a self, key: &'a SessionKey) -> AdapterFuture<'a, Vec<String>> {
        self.guard(async move {
            let e = err::<DB>("session");
            let row = sqlx::query("SELECT amr FROM auth_sessions WHERE id_hash = $1")
                .bind(key.as_bytes().as_slice())
                .fetch_optional(&self.pool)
                .await
                .map_err(&e)?;
            let amr: Option<String> = match row {
                Some(row) => row.try_get("amr").map_err(&e)?,
                None => None,
            };
            Ok(amr
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect())
        })
    }

    fn rate_limit_sweep(&self, now_ms: i64) -> AdapterFuture<'_, u64> {
        self.guard(async move {
            let done = sqlx::query("DELETE FROM auth_rate_limits WHERE tat <= $1")
                .bind(now_ms)
                .execute(&self.pool)
                .await
                .map_err(err::<DB>("rate limit"))?;
            Ok(DB::rows_affected(&done))
        })
    }
}
