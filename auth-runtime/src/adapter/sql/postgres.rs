//! The PostgreSQL adapter: pooled, shared by many app servers.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::ConnectOptions as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::migrate::{Migration, apply_pending, migration_err};
use super::{SqlAdapter, SqlDatabase, map_err, sealed};
use crate::adapter::{AdapterError, AdapterFuture};

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../../../migrations/postgres/0001_init.sql"),
    },
    SESSION_VERSIONS,
    RATE_LIMITS,
    Migration {
        version: 4,
        name: "authenticators",
        sql: include_str!("../../../migrations/postgres/0004_authenticators.sql"),
    },
    Migration {
        version: 5,
        name: "totp",
        sql: include_str!("../../../migrations/postgres/0005_totp.sql"),
    },
];

const SESSION_VERSIONS: Migration = Migration {
    version: 2,
    name: "session_versions",
    sql: include_str!("../../../migrations/postgres/0002_session_versions.sql"),
};

const RATE_LIMITS: Migration = Migration {
    version: 3,
    name: "rate_limits",
    sql: include_str!("../../../migrations/postgres/0003_rate_limits.sql"),
};

/// The migrations the Auth.js-schema mode applies: only our own tables that Auth.js has no
/// counterpart for (session versions, rate limits), with the same versions and texts as the
/// default mode, so either mode may later open the same database.
pub(super) const AUTHJS_MIGRATIONS: &[Migration] = &[SESSION_VERSIONS, RATE_LIMITS];

/// The advisory lock key serialising migrations across app instances
/// (`pg_advisory_xact_lock`), an arbitrary constant ("authrs-m" in ASCII).
pub const MIGRATION_LOCK_KEY: i64 = 0x6175_7468_7273_2d6d;

/// An [`Adapter`](crate::adapter::Adapter) on PostgreSQL (feature `postgres`; TLS with
/// `postgres-tls`).
///
/// Pooled (10 connections by default); a connection is checked before use, so the pool
/// recovers by itself after the server restarts. While the server is unreachable, calls
/// fail with [`AdapterError::Unavailable`] after the
/// acquire timeout (5 s); a call that gets no answer at all fails the same way after the
/// call timeout ([`DEFAULT_CALL_TIMEOUT`](crate::adapter::DEFAULT_CALL_TIMEOUT), see
/// `with_call_timeout`). Cloning shares the pool.
///
/// TLS (`?sslmode=require` / `verify-full`) needs the `postgres-tls` feature; without it
/// the default `sslmode=prefer` connects in plain text.
pub type PostgresAdapter = SqlAdapter<sqlx::Postgres>;

impl sealed::Sealed for sqlx::Postgres {}

impl SqlDatabase for sqlx::Postgres {
    const ADAPTER: &'static str = "PostgresAdapter";

    fn transient(code: &str) -> bool {
        transient(code)
    }

    const RATE_LIMIT_HIT: &'static str = "INSERT INTO auth_rate_limits (key, tat, allowed) \
         VALUES ($1, $2 + $3, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         allowed = CASE WHEN auth_rate_limits.tat - $4 <= $2 THEN 1 ELSE 0 END, \
         tat = CASE WHEN auth_rate_limits.tat - $4 <= $2 \
         THEN GREATEST(auth_rate_limits.tat, $2) + $3 ELSE auth_rate_limits.tat END \
         RETURNING tat, allowed";

    fn rows_affected(result: &sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }
}

impl PostgresAdapter {
    /// Connects to `postgres://user:password@host:port/database` and applies the schema
    /// migrations (serialised across instances by an advisory lock).
    ///
    /// The pool does not ping a connection before lending it (sqlx's
    /// `test_before_acquire(false)`): that ping is a second round trip on every query,
    /// which doubled the database strategy's session read. A connection that died while
    /// idle (a server restart) fails its query instead; the session read retries such a
    /// failure once on another connection, and sqlx drops the dead one when it comes back.
    pub async fn connect(url: &str) -> Result<Self, AdapterError> {
        let (pool, options) = url_options(url)?;
        Self::connect_with(pool, options).await
    }

    /// Connects with explicit pool and connection options (statement logging is turned
    /// off on top), and applies the migrations.
    pub async fn connect_with(
        pool: PgPoolOptions,
        options: PgConnectOptions,
    ) -> Result<Self, AdapterError> {
        let pool = open(pool, options).await?;
        migrate(&pool).await?;
        Ok(SqlAdapter::new(pool))
    }
}

/// The pool options of [`PostgresAdapter::connect`] and the parsed URL (never echoed: it
/// may hold a password).
pub(super) fn url_options(url: &str) -> Result<(PgPoolOptions, PgConnectOptions), AdapterError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(AdapterError::Config(
            "not a PostgreSQL URL (expected `postgres://user:password@host:port/database`)"
                .to_owned(),
        ));
    }
    let options = PgConnectOptions::from_str(url).map_err(|_| {
        AdapterError::Config(
            "invalid PostgreSQL URL (expected `postgres://user:password@host:port/database`)"
                .to_owned(),
        )
    })?;
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false);
    Ok((pool, options))
}

/// Opens the pool (statement logging off) without migrating.
pub(super) async fn open(
    pool: PgPoolOptions,
    options: PgConnectOptions,
) -> Result<PgPool, AdapterError> {
    pool.connect_with(options.disable_statement_logging())
        .await
        .map_err(|e| map_err(e, "database", transient))
}

/// SQLSTATE classes meaning "not now": 08 connection exception, 53 insufficient
/// resources (too many connections), 57P operator intervention (shutdown, restart).
pub(super) fn transient(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || code.starts_with("57P")
}

/// Applies pending migrations in one transaction holding a transaction-level advisory
/// lock: a second instance starting at the same time waits, then finds everything applied.
// Boxed so the future is checked `Send` here, where it is written (callers spawn
// `connect`; `raw_sql(..).execute(&mut *tx)` is not provably `Send`, hence `Executor::execute`).
fn migrate(pool: &PgPool) -> AdapterFuture<'_, ()> {
    Box::pin(async move {
        let e = |e| migration_err(e, transient);
        let mut tx = pool.begin().await.map_err(e)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(e)?;
        apply_pending::<sqlx::Postgres>(&mut tx, MIGRATIONS).await?;
        tx.commit().await.map_err(e)
    })
}

#[cfg(test)]
mod tests {
    use super::transient;

    #[test]
    fn transient_sqlstates() {
        for code in ["08006", "08001", "57P01", "57P02", "57P03", "53300"] {
            assert!(transient(code), "{code}");
        }
        for code in ["23505", "23503", "42P01", "40001", "22001", "XX000"] {
            assert!(!transient(code), "{code}");
        }
    }
}
