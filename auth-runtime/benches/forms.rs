//! The cost of an unauthenticated form POST before any check: a 64 KiB body (the flow's
//! limit) with about 17,000 distinct field names, through `Auth::handle`, beside a small form:
//! `cargo bench -p auth-runtime --bench forms`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use auth_runtime::config::{BoxFuture, JwtArgs};
use auth_runtime::{Auth, AuthConfig, Credentials, CredentialsError, Provider, User, providers};
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};

const SECRET: &str = "bench-secret-0123456789abcdef0123456789abcdef";
const LIMIT: usize = 64 * 1024;

fn boxed<T>(f: impl std::future::Future<Output = T> + Send + 'static) -> BoxFuture<T> {
    Box::pin(f)
}

/// `aa&ab&..` with distinct names of two, then three characters, up to `LIMIT` bytes.
fn many_fields() -> (String, usize) {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut body = String::with_capacity(LIMIT);
    let mut count = 0;
    'outer: for len in [2usize, 3] {
        let total = ALPHABET.len().pow(len as u32);
        for mut n in 0..total {
            let mut name = String::new();
            for _ in 0..len {
                name.push(ALPHABET[n % ALPHABET.len()] as char);
                n /= ALPHABET.len();
            }
            if body.len() + name.len() + 1 > LIMIT {
                break 'outer;
            }
            body.push_str(&name);
            body.push('&');
            count += 1;
        }
    }
    (body, count)
}

fn bench(c: &mut Criterion) {
    let config = AuthConfig::<serde_json::Value, serde_json::Value>::__new()
        .__provider(Provider::Credentials(providers::credentials(Arc::new(
            |_c: Credentials| boxed(async { Err::<User, _>(CredentialsError::default()) }),
        ))))
        .__jwt(Arc::new(|args: JwtArgs<serde_json::Value>| {
            let t = args.token;
            boxed(async move { Some(t) })
        }))
        .with_secrets([SECRET])
        .with_url("http://localhost:3000");
    let auth = Auth::new(config).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (big, fields) = many_fields();
    assert!(
        big.len() <= LIMIT && fields > 16_000,
        "{} {fields}",
        big.len()
    );
    let big = Bytes::from(big);
    let small = Bytes::from_static(b"username=ada&password=secret&csrfToken=x");
    let post = |body: &Bytes| {
        http::Request::builder()
            .method("POST")
            .uri("/api/auth/signin/credentials")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .unwrap()
    };
    // Sanity: the request reaches the flow and is refused by the CSRF check (a redirect).
    let res = rt.block_on(auth.handle(post(&big)));
    assert_ne!(res.status(), http::StatusCode::PAYLOAD_TOO_LARGE);

    let mut g = c.benchmark_group("forms");
    g.sample_size(10);
    g.bench_function("post_64k_many_fields", |b| {
        b.iter(|| rt.block_on(auth.handle(black_box(post(&big)))))
    });
    g.bench_function("post_small_form", |b| {
        b.iter(|| rt.block_on(auth.handle(black_box(post(&small)))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
