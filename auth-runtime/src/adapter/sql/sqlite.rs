//! The SQLite adapter: a local file, the embedded default.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions as _, Connection as _};

use super::migrate::{Migration, apply_pending, migration_err};
use super::{SqlAdapter, SqlDatabase, map_err, sealed};
use crate::adapter::{AdapterError, AdapterFuture};

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "session_versions",
        sql: include_str!("../../../migrations/sqlite/0002_session_versions.sql"),
    },
    Migration {
        version: 3,
        name: "rate_limits",
        sql: include_str!("../../../migrations/sqlite/0003_rate_limits.sql"),
    },
    Migration {
        version: 4,
        name: "authenticators",
        sql: include_str!("../../../migrations/sqlite/0004_authenticators.sql"),
    },
    Migration {
        version: 5,
        name: "totp",
        sql: include_str!("../../../migrations/sqlite/0005_totp.sql"),
    },
];

/// How long a write waits for another connection's write lock before giving up
/// ([`AdapterError::Unavailable`]).
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An [`Adapter`](crate::adapter::Adapter) on a SQLite file (feature `sqlite`, bundled libsqlite3).
///
/// The file is opened in WAL mode (readers never wait for the writer), with foreign keys
/// on, `synchronous = NORMAL` and a busy timeout of [`SQLITE_BUSY_TIMEOUT`]. Several
/// processes on one machine may share the file; several machines need
/// `PostgresAdapter` (feature `postgres`). Cloning shares the pool.
pub type SqliteAdapter = SqlAdapter<sqlx::Sqlite>;

impl sealed::Sealed for sqlx::Sqlite {}

impl SqlDatabase for sqlx::Sqlite {
    const ADAPTER: &'static str = "SqliteAdapter";

    fn transient(code: &str) -> bool {
        transient(code)
    }

    const RATE_LIMIT_HIT: &'static str = "INSERT INTO auth_rate_limits (key, tat, allowed) \
         VALUES ($1, $2 + $3, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         allowed = CASE WHEN auth_rate_limits.tat - $4 <= $2 THEN 1 ELSE 0 END, \
         tat = CASE WHEN auth_rate_limits.tat - $4 <= $2 \
         THEN MAX(auth_rate_limits.tat, $2) + $3 ELSE auth_rate_limits.tat END \
         RETURNING tat, allowed";

    fn rows_affected(result: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

impl SqliteAdapter {
    /// Opens (`?mode=rwc`: creates) the database, e.g. `sqlite://auth.db?mode=rwc`, and
    /// applies the schema migrations.
    ///
    /// The pool does not ping a connection before lending it (sqlx's
    /// `test_before_acquire(false)`): a SQLite connection is a file handle on a worker
    /// thread that does not go stale, and the ping was a second trip to that thread on
    /// every query.
    pub async fn connect(url: &str) -> Result<Self, AdapterError> {
        if !url.starts_with("sqlite:") {
            return Err(AdapterError::Config(
                "not a SQLite URL (expected `sqlite://path?mode=rwc`)".to_owned(),
            ));
        }
        let options = SqliteConnectOptions::from_str(url).map_err(|_| {
            AdapterError::Config(
                "invalid SQLite URL (expected `sqlite://path?mode=rwc`)".to_owned(),
            )
        })?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false);
        Self::connect_with(pool, options).await
    }

    /// Opens the database with explicit pool and connection options (WAL, foreign keys,
    /// busy timeout and statement logging are set on top), and applies the migrations.
    pub async fn connect_with(
        pool: SqlitePoolOptions,
        options: SqliteConnectOptions,
    ) -> Result<Self, AdapterError> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .disable_statement_logging();
        let pool = pool.acquire_timeout(Duration::from_secs(10));
        // Processes opening a new file at the same moment race to switch it to WAL, which
        // SQLite answers with SQLITE_BUSY without waiting: retry that (bounded).
        let mut attempt = 0u32;
        let pool = loop {
            match open(pool.clone(), options.clone()).await {
                Err(e) if e.is_unavailable() && attempt < OPEN_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(25 * u64::from(attempt))).await;
                }
                other => break other?,
            }
        };
        Ok(SqlAdapter::new(pool))
    }
}

/// How many times opening retries when the file is busy (see `connect_with`).
const OPEN_ATTEMPTS: u32 = 8;

/// Opens the pool and migrates.
async fn open(
    pool: SqlitePoolOptions,
    options: SqliteConnectOptions,
) -> Result<SqlitePool, AdapterError> {
    let pool = pool.connect_with(options).await.map_err(|e| match e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("14") => AdapterError::Config(
            "cannot open the SQLite file (does its directory exist? `?mode=rwc` creates the file)"
                .to_owned(),
        ),
        e => map_err(e, "database", transient),
    })?;
    if let Err(e) = migrate(&pool).await {
        pool.close().await;
        return Err(e);
    }
    Ok(pool)
}

/// SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
fn transient(code: &str) -> bool {
    code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
}

/// Applies pending migrations in one `BEGIN IMMEDIATE` transaction: the write lock makes a
/// second process wait (busy timeout), then find everything applied.
// Boxed so the future is checked `Send` here, where it is written (callers spawn
// `connect`; `raw_sql(..).execute(&mut *tx)` is not provably `Send`, hence `Executor::execute`).
fn migrate(pool: &SqlitePool) -> AdapterFuture<'_, ()> {
    Box::pin(async move {
        let e = |e| migration_err(e, transient);
        let mut conn = pool.acquire().await.map_err(e)?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(e)?;
        apply_pending::<sqlx::Sqlite>(&mut tx, MIGRATIONS).await?;
        tx.commit().await.map_err(e)
    })
}

#[cfg(test)]
mod tests {
    use super::transient;

    #[test]
    fn transient_codes() {
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT (517), SQLITE_LOCKED, SQLITE_LOCKED_SHAREDCACHE (262)
        for code in ["5", "517", "6", "262"] {
            assert!(transient(code), "{code}");
        }
        // SQLITE_CONSTRAINT_UNIQUE (2067), SQLITE_CANTOPEN (14), SQLITE_CORRUPT (11), garbage
        for code in ["2067", "14", "11", "x"] {
            assert!(!transient(code), "{code}");
        }
    }
}
