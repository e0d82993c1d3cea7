//! The per-request cost of a session read (decode + `jwt` + `session` + re-encode + cookie),
//! beside the bare codec encode/decode, in one run:
//! `cargo bench -p auth-runtime --bench session`.
//!
//! With the database features (`cargo bench -p auth-runtime --features sqlite,postgres
//! --bench session`), also the group `session_version`: the same read with an adapter, so
//! the session version is checked (revocable JWT sessions), on SQLite and PostgreSQL, from
//! the per-user cache (`hit`: a 1 h interval) and from the database on every read (`miss`:
//! a zero interval), beside the plain read on the same runtime. PostgreSQL needs
//! `AUTH_TEST_DATABASE_URL` (run `scripts/setup`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use auth_runtime::config::{BoxFuture, JwtArgs, JwtSessionArgs, SessionCallback};
use auth_runtime::jwt::{JwtCodec, Secrets, TokenFormat, unix_now as now};
use auth_runtime::{Auth, AuthConfig, Credentials, Provider, User, providers};
use bytes::Bytes;
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
    role: Option<String>,
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
    role: Option<String>,
}

fn boxed<T>(f: impl std::future::Future<Output = T> + Send + 'static) -> BoxFuture<T> {
    Box::pin(f)
}

fn claims() -> serde_json::Map<String, serde_json::Value> {
    serde_json::json!({
        "sub": "4a1c1f0e-7d0b-4b8e-9a51-0c9a3b6f2e11",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "picture": "https://example.com/ada.png",
        "role": "admin",
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn config() -> AuthConfig<Tok, SUser> {
    AuthConfig::<Tok, SUser>::__new()
        .__provider(Provider::Credentials(providers::credentials(Arc::new(
            |_c: Credentials| {
                boxed(async { Err::<User, _>(auth_runtime::CredentialsError::default()) })
            },
        ))))
        .__jwt(Arc::new(|args: JwtArgs<Tok>| {
            let t = args.token;
            boxed(async move { Some(t) })
        }))
        .__session(SessionCallback::Jwt(Arc::new(
            |args: JwtSessionArgs<Tok, SUser>| {
                let mut s = args.session;
                s.user.id = args.token.sub.clone();
                s.user.role = args.token.role.clone();
                boxed(async move { s })
            },
        )))
        .with_secrets([SECRET])
        .with_url("http://localhost:3000")
}

fn bench(c: &mut Criterion) {
    let secrets = Secrets::new(vec![SECRET.to_owned()]).unwrap();
    let codec = JwtCodec::new(&secrets, COOKIE, TokenFormat::default()).unwrap();
    let claims = claims();
    let token = codec.encode(&claims, 30 * 24 * 3600, now()).unwrap();

    let auth = Auth::new(config()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let cookie = format!("{COOKIE}={token}");
    let parts = http::Request::builder()
        .uri("/")
        .header("cookie", cookie.as_str())
        .body(())
        .unwrap()
        .into_parts()
        .0;
    // Sanity: the read succeeds (a failed read would be measured as a cheap no-op).
    let lookup = rt.block_on(auth.session(&parts));
    assert!(lookup.session.is_some(), "the bench session must be valid");
    assert_eq!(lookup.set_cookies.len(), 1);

    let mut g = c.benchmark_group("session");
    // What driving one ready future costs here (part of every `auth_session_read` sample).
    g.bench_function("block_on_baseline", |b| {
        b.iter(|| rt.block_on(async { black_box(1) }))
    });
    g.bench_function("codec_encode", |b| {
        b.iter(|| {
            codec
                .encode(black_box(&claims), 30 * 24 * 3600, now())
                .unwrap()
        })
    });
    g.bench_function("codec_decode", |b| {
        b.iter(|| codec.decode(black_box(&token), now()).unwrap())
    });
    g.bench_function("auth_session_read", |b| {
        b.iter(|| {
            let l = rt.block_on(auth.session(black_box(&parts)));
            assert!(l.session.is_some());
            l
        })
    });
    let session_request = || {
        http::Request::builder()
            .uri("/api/auth/session")
            .header("cookie", cookie.as_str())
            .body(Bytes::new())
            .unwrap()
    };
    g.bench_function("get_session_endpoint", |b| {
        b.iter(|| rt.block_on(auth.handle(black_box(session_request()))))
    });
    // `session: { reissue_after: 3600 }`: the token is younger, and `jwt` returns it
    // unchanged, so the read re-encodes nothing and sets no cookie.
    let reissue = Auth::new(config().with_reissue_after(3600)).unwrap();
    let lookup = rt.block_on(reissue.session(&parts));
    assert!(lookup.session.is_some() && lookup.set_cookies.is_empty());
    g.bench_function("get_session_endpoint_reissue_after", |b| {
        b.iter(|| rt.block_on(reissue.handle(black_box(session_request()))))
    });
    g.finish();
}

#[cfg(all(feature = "sqlite", feature = "postgres"))]
mod versioned {
    //! The `session_version` group: one JWT session read with the version check.

    use std::time::Duration;

    use auth_runtime::adapter::{Adapter, PostgresAdapter, SqliteAdapter};

    use super::*;

    /// One read through `Auth::session`, asserting it is signed in.
    fn read(rt: &tokio::runtime::Runtime, auth: &Auth<Tok, SUser>, parts: &http::request::Parts) {
        let l = rt.block_on(auth.session(black_box(parts)));
        assert!(l.session.is_some());
        black_box(l);
    }

    fn checked(db: &Arc<dyn Adapter>, interval: Duration) -> Auth<Tok, SUser> {
        Auth::with_adapter(config().with_session_check_interval(interval), db.clone()).unwrap()
    }

    /// The admin URL, and the URL and name of a database of its own on the test cluster.
    fn postgres_urls() -> (String, String, String) {
        let url = match std::env::var("AUTH_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => panic!(
                "AUTH_TEST_DATABASE_URL is not set: the PostgreSQL cases need the test cluster; run `scripts/setup`"
            ),
        };
        let db_name = format!("authrs_bench_session_{}", std::process::id());
        let bench_url = match url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{db_name}"),
            None => panic!("AUTH_TEST_DATABASE_URL has no database name"),
        };
        (url, bench_url, db_name)
    }

    async fn admin(url: &str, sql: String) {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(url)
            .await
            .expect("admin connection");
        sqlx::query(&sql)
            .execute(&mut conn)
            .await
            .expect("admin statement");
    }

    pub(super) fn bench(c: &mut Criterion) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let secrets = Secrets::new(vec![SECRET.to_owned()]).unwrap();
        let codec = JwtCodec::new(&secrets, COOKIE, TokenFormat::default()).unwrap();
        let mut claims = claims();
        claims.insert(
            auth_runtime::SESSION_VERSION_CLAIM.to_owned(),
            serde_json::Value::from(0),
        );
        let token = codec.encode(&claims, 30 * 24 * 3600, now()).unwrap();
        let parts = http::Request::builder()
            .uri("/")
            .header("cookie", format!("{COOKIE}={token}"))
            .body(())
            .unwrap()
            .into_parts()
            .0;

        let file =
            std::env::temp_dir().join(format!("authrs-bench-session-{}.db", std::process::id()));
        let sqlite: Arc<dyn Adapter> = Arc::new(
            rt.block_on(SqliteAdapter::connect(&format!(
                "sqlite://{}?mode=rwc",
                file.display()
            )))
            .expect("sqlite"),
        );
        let (admin_url, bench_url, db_name) = postgres_urls();
        rt.block_on(admin(
            &admin_url,
            format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"),
        ));
        rt.block_on(admin(&admin_url, format!("CREATE DATABASE \"{db_name}\"")));
        let postgres = rt
            .block_on(PostgresAdapter::connect(&bench_url))
            .expect("postgres");
        let pg: Arc<dyn Adapter> = Arc::new(postgres.clone());

        let plain = Auth::new(config()).unwrap();
        let cases = [
            ("jwt_plain", plain),
            (
                "jwt_checked_sqlite_hit",
                checked(&sqlite, Duration::from_secs(3600)),
            ),
            ("jwt_checked_sqlite_miss", checked(&sqlite, Duration::ZERO)),
            (
                "jwt_checked_postgres_hit",
                checked(&pg, Duration::from_secs(3600)),
            ),
            ("jwt_checked_postgres_miss", checked(&pg, Duration::ZERO)),
        ];
        let mut g = c.benchmark_group("session_version");
        for (name, auth) in &cases {
            read(&rt, auth, &parts); // warms the cache of the `hit` cases
            g.bench_function(*name, |b| b.iter(|| read(&rt, auth, &parts)));
        }
        g.finish();

        rt.block_on(postgres.close());
        rt.block_on(admin(
            &admin_url,
            format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"),
        ));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
}

#[cfg(all(feature = "sqlite", feature = "postgres"))]
criterion_group!(benches, bench, versioned::bench);
#[cfg(not(all(feature = "sqlite", feature = "postgres")))]
criterion_group!(benches, bench);
criterion_main!(benches);
