//! Auth.js's tables: created when missing, checked when present, never altered.

use sqlx::postgres::PgPool;

use super::super::migrate::{apply_pending, migration_err};
use super::super::postgres::{AUTHJS_MIGRATIONS, MIGRATION_LOCK_KEY};
use super::transient;
use crate::adapter::{AdapterError, AdapterFuture};

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

/// In one transaction holding the migration lock (a second instance starting at the same
/// time waits, then finds everything done): checks the Auth.js tables that exist, creates
/// those missing, and applies our own migrations (session versions, rate limits).
// Boxed so the future is checked `Send` here, where it is written (callers spawn `connect`).
pub(super) fn setup(pool: &PgPool) -> AdapterFuture<'_, ()> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
