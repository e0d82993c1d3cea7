//! The cost of one session read through `Auth::session` (what every request that reads
//! the session pays) under the jwt strategy and under the database strategy on SQLite and
//! on PostgreSQL, in one run so the figures compare as ratios. Each runs the `session`
//! callback; the jwt read also runs `jwt` and re-encodes the cookie, the database read
//! does one query (`update_age` not yet due). The `_cached` cases read with the session
//! row cache on (`with_session_cache_interval(5 s)`): the row comes from memory. Each read
//! is measured twice: with a `block_on` per read, and `_in_task`, in a loop inside a task
//! on the runtime as a handler runs it.
//!
//! `cargo bench -p auth-runtime --features sqlite,postgres --bench strategies`; PostgreSQL
//! needs `AUTH_TEST_DATABASE_URL` (run `scripts/setup`, or use `scripts/test`).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use auth_runtime::adapter::{Adapter, PostgresAdapter, SessionId, SqliteAdapter, unix_now};
use auth_runtime::config::{
    BoxFuture, DatabaseSessionArgs, JwtArgs, JwtSessionArgs, SessionCallback,
};
use auth_runtime::{Auth, AuthConfig, Credentials, Provider, SessionStrategy, User, providers};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};

const SECRET: &str = "bench-secret-0123456789abcdef0123456789abcdef";
const COOKIE: &str = "authjs.session-token";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Tok {
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    picture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct SUser {
    id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    image: Option<String>,
}

fn boxed<T>(f: impl std::future::Future<Output = T> + Send + 'static) -> BoxFuture<T> {
    Box::pin(f)
}

fn base() -> AuthConfig<Tok, SUser> {
    AuthConfig::<Tok, SUser>::__new()
        .__provider(Provider::Credentials(providers::credentials(Arc::new(
            |_c: Credentials| {
                boxed(async { Err::<User, _>(auth_runtime::CredentialsError::default()) })
            },
        ))))
        .with_secrets([SECRET])
        .with_url("http://localhost:3000")
}

fn parts(cookie_value: &str) -> http::request::Parts {
    http::Request::builder()
        .uri("/")
        .header("cookie", format!("{COOKIE}={cookie_value}"))
        .body(())
        .unwrap()
        .into_parts()
        .0
}

/// One read, measured twice: `<name>` with one `block_on` from the bench's thread per read,
/// and `<name>_in_task` as a server runs it, the loop inside a task on the runtime's worker
/// (as an axum handler is). `block_on` adds a wake-up across threads to each read that waits
/// on a socket or on SQLite's worker, and none to the jwt read, which waits on nothing.
fn measure(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    name: &str,
    auth: &Auth<Tok, SUser>,
    cookie_value: &str,
) {
    let parts = parts(cookie_value);
    // Sanity: the read succeeds (a failed read would be measured as a cheap no-op).
    let lookup = rt.block_on(auth.session(&parts));
    assert!(
        lookup.session.is_some(),
        "{name}: the bench session must be valid"
    );
    c.bench_function(name, |b| {
        b.iter(|| {
            let lookup = rt.block_on(auth.session(black_box(&parts)));
            black_box(lookup.session)
        })
    });
    c.bench_function(&format!("{name}_in_task"), |b| {
        b.iter_custom(|iters| {
            let (auth, parts) = (auth.clone(), parts.clone());
            rt.block_on(async move {
                tokio::spawn(async move {
                    let start = std::time::Instant::now();
                    for _ in 0..iters {
                        let lookup = auth.session(black_box(&parts)).await;
                        black_box(lookup.session);
                    }
                    start.elapsed()
                })
                .await
                .expect("the read task")
            })
        })
    });
}

/// The driver's floor: the adapter's session query (the same SQL, the same bound key) run
/// with sqlx alone, through the pool (`_pool`: what the adapter does) and on one connection
/// held for the whole run (`_conn`: no pool acquire and release, for SQLite no ping of its
/// worker thread on release).
fn driver_floor<DB>(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    name: &str,
    pool: &sqlx::Pool<DB>,
    cookie_value: &str,
) where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as sqlx::Database>::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> &'q [u8]: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    const SQL: &str = "SELECT s.id_hash, s.user_id, s.expires, s.created_at, \
         u.id, u.name, u.email, u.image, u.email_verified \
         FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id \
         WHERE s.id_hash = $1";
    let key = SessionId::parse(cookie_value).expect("cookie").key();
    let bytes = key.as_bytes().to_vec();
    let found = rt
        .block_on(sqlx::query(SQL).bind(&bytes[..]).fetch_optional(pool))
        .expect("query");
    assert!(found.is_some(), "{name}: the row must exist");
    c.bench_function(&format!("{name}_pool"), |b| {
        b.iter(|| {
            rt.block_on(sqlx::query(SQL).bind(&bytes[..]).fetch_optional(pool))
                .expect("query")
                .is_some()
        })
    });
    // The connection goes back to the pool (a spawned task) when dropped: inside the runtime.
    let _runtime = rt.enter();
    let mut conn = rt.block_on(pool.acquire()).expect("connection");
    c.bench_function(&format!("{name}_conn"), |b| {
        b.iter(|| {
            rt.block_on(sqlx::query(SQL).bind(&bytes[..]).fetch_optional(&mut *conn))
                .expect("query")
                .is_some()
        })
    });
}

/// A user with 1000 sessions (one table, realistic index depth); the cookie of one.
async fn populate(db: &dyn Adapter) -> String {
    let user = db
        .create_user(
            &User::default()
                .with_email("ada@example.com")
                .with_name("Ada Lovelace")
                .with_image("https://example.com/ada.png"),
        )
        .await
        .expect("user");
    let mut cookie = String::new();
    for i in 0..1000 {
        let id = SessionId::generate();
        db.create_session(&id.key(), &user.id, unix_now() + 30 * 24 * 3600)
            .await
            .expect("session");
        if i == 500 {
            cookie = id.to_cookie_value();
        }
    }
    cookie
}

fn database_auth(db: Arc<dyn Adapter>, cache: bool) -> Auth<Tok, SUser> {
    let base = if cache {
        base().with_session_cache_interval(std::time::Duration::from_secs(5))
    } else {
        base()
    };
    let config = base
        .__strategy(SessionStrategy::Database)
        .__session(SessionCallback::Database(Arc::new(
            |args: DatabaseSessionArgs<SUser>| {
                let mut s = args.session;
                s.user.id = Some(args.user.id.clone());
                boxed(async move { s })
            },
        )));
    Auth::with_adapter(config, db).expect("database config")
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");

    // jwt: decode, `jwt`, `session`, re-encode, Set-Cookie.
    let jwt = Auth::new(
        base()
            .__jwt(Arc::new(|args: JwtArgs<Tok>| {
                let t = args.token;
                boxed(async move { Some(t) })
            }))
            .__session(SessionCallback::Jwt(Arc::new(
                |args: JwtSessionArgs<Tok, SUser>| {
                    let mut s = args.session;
                    s.user.id = args.token.sub.clone();
                    boxed(async move { s })
                },
            ))),
    )
    .expect("jwt config");
    let codec = auth_runtime::jwt::JwtCodec::new(
        &auth_runtime::jwt::Secrets::new(vec![SECRET.to_owned()]).unwrap(),
        COOKIE,
        auth_runtime::jwt::TokenFormat::default(),
    )
    .unwrap();
    let claims = serde_json::json!({
        "sub": "4a1c1f0e-7d0b-4b8e-9a51-0c9a3b6f2e11",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "picture": "https://example.com/ada.png",
    });
    let token = codec
        .encode(claims.as_object().unwrap(), 30 * 24 * 3600, unix_now())
        .unwrap();
    measure(c, &rt, "auth_session_jwt", &jwt, &token);

    let file = std::env::temp_dir().join(format!("authrs-bench-strat-{}.db", std::process::id()));
    let sqlite_adapter = rt
        .block_on(SqliteAdapter::connect(&format!(
            "sqlite://{}?mode=rwc",
            file.display()
        )))
        .expect("sqlite");
    let sqlite: Arc<dyn Adapter> = Arc::new(sqlite_adapter.clone());
    let cookie = rt.block_on(populate(&*sqlite));
    driver_floor(c, &rt, "sqlx_sqlite_query", sqlite_adapter.pool(), &cookie);
    measure(
        c,
        &rt,
        "auth_session_database_sqlite",
        &database_auth(sqlite.clone(), false),
        &cookie,
    );
    measure(
        c,
        &rt,
        "auth_session_database_sqlite_cached",
        &database_auth(sqlite, true),
        &cookie,
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }

    let url = match std::env::var("AUTH_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "AUTH_TEST_DATABASE_URL is not set: the PostgreSQL bench needs the test cluster; run `scripts/setup`"
        ),
    };
    let name = format!("authrs_bench_strat_{}", std::process::id());
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
    let pg: Arc<dyn Adapter> = Arc::new(postgres.clone());
    let cookie = rt.block_on(populate(&*pg));
    driver_floor(c, &rt, "sqlx_postgres_query", postgres.pool(), &cookie);
    measure(
        c,
        &rt,
        "auth_session_database_postgres",
        &database_auth(pg.clone(), false),
        &cookie,
    );
    measure(
        c,
        &rt,
        "auth_session_database_postgres_cached",
        &database_auth(pg, true),
        &cookie,
    );
    rt.block_on(postgres.close());
    rt.block_on(admin(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )));
}

criterion_group!(strategies, benches);
criterion_main!(strategies);
