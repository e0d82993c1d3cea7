//! Endpoint-level interop with the real Auth.js (`@auth/core` from npm, driven by
//! `tests/js/flow-interop.mjs` under node): session cookies minted by Auth.js's own
//! sign-in are read by our `GET /session`, ours by Auth.js's `GET /session` and `decode`;
//! with `__Secure-` names, a rotated secret and chunked cookies. Also Auth.js's CSRF
//! cookie and its answers to hostile callback URLs.
//!
//! Needs node and `tests/js/node_modules` (run `scripts/setup`); fails without them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_runtime::AuthConfig;
use auth_tests::flow::*;
use auth_tests::node;
use serde_json::{Value, json};

const OLD: &str = "interop-old-secret-0123456789abcdef0123";
const NEW: &str = "interop-new-secret-0123456789abcdef0123";

/// Runs one command through real Auth.js.
fn authjs(input: Value) -> Value {
    node::require("@auth/core");
    node::run("flow-interop.mjs", &input)
}

/// The session cookies of an Auth.js sign-in, as a jar.
fn authjs_sign_in(secret: Value, url: &str, username: &str) -> Vec<(String, String)> {
    let out = authjs(json!({ "op": "signin", "secret": secret, "url": url, "username": username }));
    assert_eq!(out["status"], 302, "{out}");
    out["cookies"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.contains("authjs.session-token"))
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn config(secrets: &[&str], url: &str) -> AuthConfig<Tok, SUser> {
    counting_config(Default::default())
        .with_secrets(secrets.iter().copied())
        .with_url(url)
}

/// Auth.js signs in; our `GET /session` reads its cookie.
async fn authjs_to_us(
    authjs_secret: Value,
    our_secrets: &[&str],
    url: &str,
    username: &str,
    chunks: usize,
) {
    let jar = authjs_sign_in(authjs_secret, url, username);
    assert_eq!(
        jar.len(),
        chunks,
        "Auth.js cookies: {:?}",
        jar.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    let mut b = Browser::new(auth(config(our_secrets, url)));
    b.jar.extend(jar);
    let s = b.session().await;
    assert_eq!(s["user"]["name"], username, "{s}");
    assert_eq!(s["user"]["email"], format!("{username}@example.com"));
    assert_eq!(s["user"]["id"], format!("id-{username}"), "sub");
    assert_eq!(
        s["user"]["role"], "user",
        "custom claim from Auth.js's jwt callback"
    );
    // The cookie we re-issued is still readable by Auth.js.
    let cookie = b.cookie_header();
    let out =
        authjs(json!({ "op": "session", "secret": our_secrets, "url": url, "cookie": cookie }));
    assert_eq!(out["body"]["user"]["name"], username, "{out}");
}

/// We sign in; Auth.js's `GET /session` and `decode` read our cookie.
async fn us_to_authjs(
    our_secrets: &[&str],
    authjs_secret: Value,
    url: &str,
    username: &str,
    chunks: usize,
) {
    let mut b = Browser::new(auth(config(our_secrets, url)));
    b.sign_in(username, None).await;
    let names = b.session_cookie_names();
    assert_eq!(names.len(), chunks, "{names:?}");
    let cookie = b.cookie_header();
    let out =
        authjs(json!({ "op": "session", "secret": authjs_secret, "url": url, "cookie": cookie }));
    assert_eq!(out["status"], 200);
    let user = &out["body"]["user"];
    assert_eq!(user["name"], username, "Auth.js read our cookie: {out}");
    assert_eq!(user["email"], format!("{username}@example.com"));
    assert_eq!(user["id"], format!("id-{username}"));
    assert_eq!(user["role"], "user");
    // And `decode` gives the same claims.
    let salt = names[0].trim_end_matches(".0");
    let token: String = names.iter().map(|n| b.jar[n].as_str()).collect();
    let decoded =
        authjs(json!({ "op": "decode", "secret": authjs_secret, "salt": salt, "token": token }));
    let payload = &decoded["payload"];
    assert_eq!(payload["sub"], format!("id-{username}"), "{decoded}");
    assert_eq!(payload["name"], username);
    assert_eq!(payload["role"], "user");
    assert!(payload["iat"].is_i64() && payload["exp"].is_i64() && payload["jti"].is_string());
    assert_eq!(
        payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(),
        30 * 24 * 3600
    );
}

#[tokio::test]
async fn authjs_cookie_read_by_us() {
    authjs_to_us(json!(OLD), &[OLD], "http://localhost:3000", "ada", 1).await;
}

#[tokio::test]
async fn our_cookie_read_by_authjs() {
    us_to_authjs(&[OLD], json!(OLD), "http://localhost:3000", "ada", 1).await;
}

#[tokio::test]
async fn secure_names_both_ways() {
    authjs_to_us(json!(OLD), &[OLD], "https://app.example.com", "bea", 1).await;
    us_to_authjs(&[OLD], json!(OLD), "https://app.example.com", "bea", 1).await;
}

#[tokio::test]
async fn rotated_secret_both_ways() {
    // Auth.js still on the old secret; we encode with the new one and accept the old.
    authjs_to_us(json!(OLD), &[NEW, OLD], "http://localhost:3000", "cy", 1).await;
    // We are still on the old secret; Auth.js rotated to [new, old].
    us_to_authjs(&[OLD], json!([NEW, OLD]), "http://localhost:3000", "cy", 1).await;
    // A token from the new secret is refused by a deployment that only knows the old one.
    let jar = authjs_sign_in(json!(NEW), "http://localhost:3000", "cy");
    let mut b = Browser::new(auth(config(&[OLD], "http://localhost:3000")));
    b.jar.extend(jar);
    assert_eq!(b.session().await, Value::Null);
}

#[tokio::test]
async fn chunked_cookie_both_ways() {
    authjs_to_us(json!(OLD), &[OLD], "http://localhost:3000", "big", 3).await;
    us_to_authjs(&[OLD], json!(OLD), "http://localhost:3000", "big", 3).await;
    authjs_to_us(json!(OLD), &[OLD], "https://app.example.com", "big", 3).await;
}

/// Auth.js's CSRF cookie and token (same secret) pass our double-submit check.
#[tokio::test]
async fn authjs_csrf_cookie_is_ours() {
    let out = authjs(
        json!({ "op": "signin", "secret": OLD, "url": "http://localhost:3000", "username": "dee" }),
    );
    let csrf_cookie = out["cookies"]["authjs.csrf-token"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = out["csrfToken"].as_str().unwrap().to_owned();
    let mut b = Browser::new(auth(config(&[OLD], "http://localhost:3000")));
    b.jar
        .insert("authjs.csrf-token".into(), csrf_cookie.clone());
    assert_eq!(b.csrf().await, token, "we hand out the same token");
    let res = b
        .post_form(
            "/callback/credentials",
            &[
                ("csrfToken", &token),
                ("username", "dee"),
                ("password", "pw"),
            ],
        )
        .await;
    assert_eq!(res.location(), "http://localhost:3000");
    // With two secrets Auth.js hashes `token + "new,old"`; so do we.
    let out = authjs(
        json!({ "op": "signin", "secret": [NEW, OLD], "url": "http://localhost:3000", "username": "dee" }),
    );
    let mut b = Browser::new(auth(config(&[NEW, OLD], "http://localhost:3000")));
    b.jar.insert(
        "authjs.csrf-token".into(),
        out["cookies"]["authjs.csrf-token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    assert_eq!(b.csrf().await, out["csrfToken"].as_str().unwrap());
}

/// Hostile callback URLs: where Auth.js signs in and redirects, we redirect to the same
/// place; where Auth.js fails the whole sign-in with `Configuration` (URLs it cannot
/// parse, CR/LF), we keep the sign-in and send the base URL.
#[tokio::test]
async fn hostile_callback_urls_like_authjs() {
    let urls = [
        "/dashboard",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "http://localhost:3000@evil.example/",
        "javascript:alert(1)",
        "http://localhost:3000/ok?x=1",
        "http://localhost:3000.evil.example/",
        "/ok\r\nSet-Cookie: pwned=1",
        "not a url",
    ];
    for url in urls {
        let theirs = authjs(json!({
            "op": "signin", "secret": OLD, "url": "http://localhost:3000", "username": "eve", "callbackUrl": url
        }));
        // Auth.js's default `redirect` against ours (no redirect callback configured).
        let mut b = Browser::new(auth(plain_config().with_secrets([OLD])));
        let ours = b.sign_in("eve", Some(url)).await;
        let their_location = theirs["location"].as_str().unwrap();
        if their_location.contains("error=Configuration") {
            assert_eq!(ours.location(), "http://localhost:3000", "{url:?}");
        } else {
            assert_eq!(ours.location(), their_location, "{url:?}");
        }
        assert_eq!(b.session().await["user"]["name"], "eve", "{url:?}");
    }
}
