//! The application's own user store: one `app_users` table in SQLite or PostgreSQL through
//! `sqlx`. The query texts are shared (`$1` placeholders work in both); only the pool differs.

use auth_runtime::password;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

/// What a user may do. Stored as text, carried in the session token as `"user"`/`"admin"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Signs up, signs in, sees their own pages.
    #[default]
    User,
    /// Also sees `/admin` and suspends accounts.
    Admin,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Role {
        if text == "admin" {
            Role::Admin
        } else {
            Role::User
        }
    }
}

/// A stored user (the password hash stays in the store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Random hex id: the session token's `sub`.
    pub id: String,
    /// The sign-in name (unique).
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// A suspended account cannot sign in (the sign-in page says so).
    pub suspended: bool,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The name is taken.
    #[error("the name is taken")]
    NameTaken,
    /// The database failed.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// The password could not be hashed.
    #[error(transparent)]
    Password(#[from] password::PasswordError),
}

/// The connection pool: the application state that `auth!` hands to `authorize` and the
/// callbacks (cheap to clone: the pools are `Arc`s inside).
#[derive(Clone, Debug)]
pub enum Db {
    /// A SQLite file, or an in-memory database (tests).
    Sqlite(SqlitePool),
    /// PostgreSQL (`DATABASE_URL=postgres://..`).
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds: sqlx infers the database
/// of each `query` from the pool it is executed on.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS app_users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    suspended BOOLEAN NOT NULL DEFAULT FALSE
)";

type Row = (String, String, String, bool);

fn account((id, name, role, suspended): Row) -> Account {
    Account {
        id,
        name,
        role: Role::parse(&role),
        suspended,
    }
}

impl Db {
    /// Connects to `url` (`postgres://..` or `sqlite://..`) and creates the table.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Db::Postgres(PgPoolOptions::new().connect(url).await?)
        } else {
            let options: SqliteConnectOptions = url.parse()?;
            let options = options.create_if_missing(true);
            Db::Sqlite(SqlitePoolOptions::new().connect_with(options).await?)
        };
        db.migrate().await?;
        Ok(db)
    }

    /// A fresh in-memory SQLite database (one connection, so every query sees the same one).
    pub async fn in_memory() -> Result<Db, DbError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await?;
        let db = Db::Sqlite(pool);
        db.migrate().await?;
        Ok(db)
    }

    /// Which database this is, for the start-up line.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "SQLite",
            Db::Postgres(_) => "PostgreSQL",
        }
    }

    async fn migrate(&self) -> Result<(), DbError> {
        on_pool!(self, |pool| sqlx::query(SCHEMA)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// Stores a new user with the argon2id hash of `password` (hashed on tokio's blocking
    /// pool: tens of milliseconds of CPU).
    pub async fn create_user(
        &self,
        name: &str,
        password: &str,
        role: Role,
    ) -> Result<Account, DbError> {
        let plain = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || password::hash(&plain))
            .await
            .map_err(|_| password::PasswordError::Hashing)??;
        let id = crate::random_hex(16);
        let inserted = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO app_users (id, name, password_hash, role) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(&id)
            .bind(name)
            .bind(&hash)
            .bind(role.as_str())
            .execute(pool)
            .await?
            .rows_affected()
        });
        if inserted == 0 {
            return Err(DbError::NameTaken);
        }
        Ok(Account {
            id,
            name: name.to_owned(),
            role,
            suspended: false,
        })
    }

    /// The user called `name` and their password hash, if any.
    pub async fn find_by_name(&self, name: &str) -> Result<Option<(Account, String)>, DbError> {
        let sql = "SELECT id, name, role, suspended, password_hash FROM app_users WHERE name = $1";
        let row: Option<(String, String, String, bool, String)> = on_pool!(self, |pool| {
            sqlx::query_as(sql).bind(name).fetch_optional(pool).await?
        });
        Ok(row
            .map(|(id, name, role, suspended, hash)| (account((id, name, role, suspended)), hash)))
    }

    /// Every user, by name.
    pub async fn list(&self) -> Result<Vec<Account>, DbError> {
        let sql = "SELECT id, name, role, suspended FROM app_users ORDER BY name";
        let rows: Vec<Row> = on_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(account).collect())
    }

    /// Suspends (or reinstates) a user; `false` when there is no such user.
    pub async fn set_suspended(&self, id: &str, suspended: bool) -> Result<bool, DbError> {
        let sql = "UPDATE app_users SET suspended = $1 WHERE id = $2";
        let changed = on_pool!(self, |pool| {
            let done = sqlx::query(sql)
                .bind(suspended)
                .bind(id)
                .execute(pool)
                .await?;
            done.rows_affected()
        });
        Ok(changed == 1)
    }
}
