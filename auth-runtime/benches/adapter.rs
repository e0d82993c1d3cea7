//! Session-read cost of the database adapters: `get_session_and_user` (what every request
//! under the database strategy does) on SQLite and PostgreSQL, measured in one run so the
//! figures can be compared as ratios. Also the id handling alone (parse + SHA-256).
//!
//! `cargo bench -p auth-runtime --features sqlite,postgres --bench adapter`; PostgreSQL
//! needs `AUTH_TEST_DATABASE_URL` (run `scripts/setup`, or use `scripts/test`).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use auth_runtime::User;
use auth_runtime::adapter::{Adapter, PostgresAdapter, SessionId, SqliteAdapter, unix_now};
use criterion::{Criterion, criterion_group, criterion_main};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A user with 1000 sessions; returns the cookie value of one of them.
async fn populate(db: &dyn Adapter) -> String {
    let user = db
        .create_user(
            &User::default()
                .with_email("bench@example.com")
                .with_name("Bench"),
        )
        .await
        .expect("user");
    let mut cookie = String::new();
    for i in 0..1000 {
        let id = SessionId::generate();
        db.create_session(&id.key(), &user.id, unix_now() + 3600)
            .await
            .expect("session");
        if i == 500 {
            cookie = id.to_cookie_value();
        }
    }
    cookie
}

fn read_session(c: &mut Criterion, rt: &tokio::runtime::Runtime, name: &str, db: Arc<dyn Adapter>) {
    let cookie = rt.block_on(populate(&*db));
    c.bench_function(name, |b| {
        b.iter(|| {
            let key = SessionId::parse(black_box(&cookie)).expect("cookie").key();
            let found = rt.block_on(db.get_session_and_user(&key)).expect("read");
            assert!(found.is_some());
            black_box(found)
        })
    });
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    let cookie = SessionId::generate().to_cookie_value();
    c.bench_function("session_id_parse_and_hash", |b| {
        b.iter(|| SessionId::parse(black_box(&cookie)).map(|id| id.key()))
    });

    let file = std::env::temp_dir().join(format!("authrs-bench-{}.db", std::process::id()));
    let sqlite = rt
        .block_on(SqliteAdapter::connect(&format!(
            "sqlite://{}?mode=rwc",
            file.display()
        )))
        .expect("sqlite");
    read_session(c, &rt, "sqlite_get_session_and_user", Arc::new(sqlite));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }

    let url = match std::env::var("AUTH_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "AUTH_TEST_DATABASE_URL is not set: the PostgreSQL bench needs the test cluster; run `scripts/setup`"
        ),
    };
    // A database of its own on the test cluster, dropped afterwards.
    let name = format!("authrs_bench_{}", std::process::id());
    let bench_url = match url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("AUTH_TEST_DATABASE_URL has no database name"),
    };
    let admin = |sql: String| {
        let url = url.clone();
        async move {
            use sqlx::Connection as _;
            let mut conn = sqlx::PgConnection::connect(&url)
                .await
                .expect("admin connection");
            sqlx::query(&sql)
                .execute(&mut conn)
                .await
                .expect("admin statement");
        }
    };
    rt.block_on(admin(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )));
    rt.block_on(admin(format!("CREATE DATABASE \"{name}\"")));
    let postgres = rt
        .block_on(PostgresAdapter::connect(&bench_url))
        .expect("postgres");
    read_session(
        c,
        &rt,
        "postgres_get_session_and_user",
        Arc::new(postgres.clone()),
    );
    rt.block_on(postgres.close());
    rt.block_on(admin(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )));
}

criterion_group!(adapter, benches);
criterion_main!(adapter);
