//! Schema migrations: the embedded scripts, the bookkeeping table, and the steps both
//! databases run inside the transaction that holds their migration lock.

use sha2::{Digest as _, Sha256};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{SqlDatabase, map_err};
use crate::adapter::AdapterError;
use crate::util::unix_now;

/// One embedded schema migration.
pub(super) struct Migration {
    pub(super) version: i64,
    pub(super) name: &'static str,
    pub(super) sql: &'static str,
}

/// The bookkeeping table, the same in both databases.
const CREATE_MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS auth_migrations (\
     version BIGINT NOT NULL PRIMARY KEY, \
     name TEXT NOT NULL, \
     checksum TEXT NOT NULL, \
     applied_at BIGINT NOT NULL)";

/// SHA-256 hex of a migration's text, recorded when applied.
fn checksum(sql: &str) -> String {
    crate::util::hex(&Sha256::digest(sql.as_bytes()))
}

/// Which embedded migrations still have to run, given the recorded `(version, checksum)`
/// rows. An applied migration whose text changed is an error; versions this build does
/// not know (a newer instance migrated first, rolling deploy) are tolerated.
fn pending<'m>(
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

/// Applies the pending migrations on `conn`, inside the transaction the caller opened
/// (holding its database's lock) and commits, and records each in `auth_migrations`.
pub(super) async fn apply_pending<DB>(
    conn: &mut DB::Connection,
    migrations: &[Migration],
) -> Result<(), AdapterError>
where
    DB: SqlDatabase,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let e = |e| migration_err(e, DB::transient);
    (&mut *conn)
        .execute(CREATE_MIGRATIONS_TABLE)
        .await
        .map_err(e)?;
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM auth_migrations")
            .fetch_all(&mut *conn)
            .await
            .map_err(e)?;
    for m in pending(migrations, &applied)? {
        (&mut *conn).execute(m.sql).await.map_err(e)?;
        sqlx::query(
            "INSERT INTO auth_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(checksum(m.sql).as_str())
        .bind(unix_now())
        .execute(&mut *conn)
        .await
        .map_err(e)?;
    }
    Ok(())
}

/// Maps a driver error during migration: unavailability stays what it is, anything else
/// is a [`AdapterError::Migration`] carrying the database's message.
pub(super) fn migration_err(e: sqlx::Error, transient: fn(&str) -> bool) -> AdapterError {
    let text = e.to_string();
    match map_err(e, "migration", transient) {
        AdapterError::Unavailable(source) => AdapterError::Unavailable(source),
        AdapterError::Config(msg) => AdapterError::Config(msg),
        _ => AdapterError::Migration(text),
    }
}

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
