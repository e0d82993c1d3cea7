//! The per-request cost of a session read (decode + `jwt` + `session` + re-encode + cookie),
//! beside the bare codec encode/decode, in one run:
//! `cargo bench -p auth-runtime --bench session`.
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

fn bench(c: &mut Criterion) {
    let secrets = Secrets::new(vec![SECRET.to_owned()]).unwrap();
    let codec = JwtCodec::new(&secrets, COOKIE, TokenFormat::default()).unwrap();
    let claims = claims();
    let token = codec.encode(&claims, 30 * 24 * 3600, now()).unwrap();

    let config = AuthConfig::<Tok, SUser>::__new()
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
        .with_url("http://localhost:3000");
    let auth = Auth::new(config).unwrap();
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
    g.bench_function("get_session_endpoint", |b| {
        b.iter(|| {
            let req = http::Request::builder()
                .uri("/api/auth/session")
                .header("cookie", cookie.as_str())
                .body(Bytes::new())
                .unwrap();
            rt.block_on(auth.handle(black_box(req)))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
