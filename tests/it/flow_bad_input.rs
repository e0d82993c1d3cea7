//! Bad input gets the Auth.js answer, never a panic: a null session and cleared cookies,
//! an error redirect, or the base URL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use auth_runtime::config::RedirectArgs;
use auth_runtime::jwt::{JwtCodec, Secrets, TokenFormat};
use auth_tests::flow::*;

const SESSION: &str = "authjs.session-token";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A signed-in browser and its (single-chunk) session token.
async fn signed_in() -> (Browser, String) {
    let mut b = Browser::new(auth(plain_config()));
    b.sign_in("kim", None).await;
    let token = b.jar[SESSION].clone();
    assert_eq!(b.session().await["user"]["name"], "kim");
    (b, token)
}

/// Sends `cookie` as the whole Cookie header to `GET /session`; asserts JSON null and
/// that every session cookie in `cleared` is expired.
async fn assert_rejected(b: &mut Browser, cookie: impl AsRef<[u8]>, cleared: &[&str], what: &str) {
    b.jar.clear();
    let req = http::Request::builder()
        .uri("/api/auth/session")
        .header(
            "cookie",
            http::HeaderValue::from_bytes(cookie.as_ref()).unwrap(),
        )
        .body(bytes::Bytes::new())
        .unwrap();
    let res = b.auth.handle(req).await;
    assert_eq!(res.status(), 200, "{what}");
    assert_eq!(res.body().as_ref(), b"null", "{what}");
    let set: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    for name in cleared {
        assert!(
            set.iter()
                .any(|c| c.starts_with(&format!("{name}=; Max-Age=0; Path=/"))),
            "{what}: {name} not cleared in {set:?}"
        );
    }
    assert_eq!(set.len(), cleared.len(), "{what}: {set:?}");
}

#[tokio::test]
async fn tampered_truncated_reordered_tokens() {
    let (mut b, token) = signed_in().await;
    let segments: Vec<&str> = token.split('.').collect();

    // Tampered: one character changed in the middle.
    let mid = token.len() / 2;
    let flipped = if &token[mid..=mid] == "A" { "B" } else { "A" };
    let tampered = format!("{}{}{}", &token[..mid], flipped, &token[mid + 1..]);
    assert_rejected(
        &mut b,
        &format!("{SESSION}={tampered}"),
        &[SESSION],
        "tampered",
    )
    .await;

    // Truncated.
    let truncated = &token[..token.len() - 10];
    assert_rejected(
        &mut b,
        &format!("{SESSION}={truncated}"),
        &[SESSION],
        "truncated",
    )
    .await;
    let half = &token[..token.len() / 2];
    assert_rejected(&mut b, &format!("{SESSION}={half}"), &[SESSION], "half").await;

    // Re-ordered segments.
    let mut reversed = segments.clone();
    reversed.reverse();
    assert_rejected(
        &mut b,
        &format!("{SESSION}={}", reversed.join(".")),
        &[SESSION],
        "reordered",
    )
    .await;

    // Other alg / enc in the protected header, the rest kept.
    for header in [
        r#"{"alg":"RSA-OAEP","enc":"A256CBC-HS512"}"#,
        r#"{"alg":"dir","enc":"A128CBC-HS256"}"#,
        r#"{"alg":"none"}"#,
        r#"{"alg":"HS256","typ":"JWT"}"#,
    ] {
        use base64::Engine;
        let h = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header);
        let mut forged = segments.clone();
        forged[0] = &h;
        assert_rejected(
            &mut b,
            &format!("{SESSION}={}", forged.join(".")),
            &[SESSION],
            header,
        )
        .await;
    }

    // The original still works (nothing above was accepted by luck).
    b.jar.clear();
    b.jar.insert(SESSION.into(), token.clone());
    assert_eq!(b.session().await["user"]["name"], "kim");
}

#[tokio::test]
async fn foreign_and_expired_tokens() {
    let (mut b, _) = signed_in().await;
    // A token made with another secret.
    let mut other = Browser::new(auth(
        plain_config().with_secrets(["another-secret-another-secret-0123"]),
    ));
    other.sign_in("kim", None).await;
    let foreign = other.jar[SESSION].clone();
    assert_rejected(
        &mut b,
        &format!("{SESSION}={foreign}"),
        &[SESSION],
        "foreign secret",
    )
    .await;

    // A token for another cookie name (the HKDF salt differs).
    let secrets = Secrets::new(vec![SECRET.to_owned()]).unwrap();
    let claims = serde_json::json!({ "sub": "x", "name": "kim" });
    let claims = claims.as_object().unwrap();
    let other_salt = JwtCodec::new(
        &secrets,
        "__Secure-authjs.session-token",
        TokenFormat::default(),
    )
    .unwrap();
    let t = other_salt.encode(claims, 3600, now()).unwrap();
    assert_rejected(&mut b, &format!("{SESSION}={t}"), &[SESSION], "other salt").await;

    // Expired: issued 31 days ago with the 30-day max age (and beyond the 15 s skew).
    let ours = JwtCodec::new(&secrets, SESSION, TokenFormat::default()).unwrap();
    let expired = ours
        .encode(claims, 30 * 24 * 3600, now() - 31 * 24 * 3600)
        .unwrap();
    assert_rejected(
        &mut b,
        &format!("{SESSION}={expired}"),
        &[SESSION],
        "expired",
    )
    .await;
    let just_expired = ours.encode(claims, 60, now() - 60 - 30).unwrap();
    assert_rejected(
        &mut b,
        &format!("{SESSION}={just_expired}"),
        &[SESSION],
        "expired 30 s ago",
    )
    .await;
    // Within the 15 s skew: accepted.
    let in_skew = ours.encode(claims, 60, now() - 60 - 5).unwrap();
    b.jar.clear();
    b.jar.insert(SESSION.into(), in_skew);
    assert_eq!(
        b.session().await["user"]["name"],
        "kim",
        "15 s of clock skew"
    );
    // A valid token with claims of the wrong shape for the Token type.
    let wrong = serde_json::json!({ "sub": 42, "name": ["x"] });
    let t = ours
        .encode(wrong.as_object().unwrap(), 3600, now())
        .unwrap();
    assert_rejected(
        &mut b,
        &format!("{SESSION}={t}"),
        &[SESSION],
        "claims of the wrong type",
    )
    .await;
}

#[tokio::test]
async fn garbage_cookies() {
    let (mut b, token) = signed_in().await;
    for garbage in [
        "garbage",
        "a.b.c.d.e",
        "....",
        "%%%",
        "%E0%A4%A",
        "\"quoted\"",
        "é",
    ] {
        assert_rejected(&mut b, &format!("{SESSION}={garbage}"), &[SESSION], garbage).await;
    }
    // Non-UTF-8 bytes in the header.
    let mut raw = format!("{SESSION}=").into_bytes();
    raw.extend_from_slice(&[0xff, 0xfe, b'x', 0x80]);
    assert_rejected(&mut b, &raw, &[SESSION], "latin-1").await;
    // Garbage chunks next to a valid token: both forms present is refused.
    assert_rejected(
        &mut b,
        &format!("{SESSION}={token}; {SESSION}.0=zzz"),
        &[SESSION, "authjs.session-token.0"],
        "whole + chunk",
    )
    .await;
    // A missing chunk in the middle.
    assert_rejected(
        &mut b,
        &format!("{SESSION}.0=aaa; {SESSION}.2=ccc"),
        &["authjs.session-token.0", "authjs.session-token.2"],
        "gap in chunks",
    )
    .await;
    // Unrelated cookies are left alone.
    assert_rejected(&mut b, "other=1; authjs.session-tokenX=2", &[], "unrelated").await;
}

#[tokio::test]
async fn oversized_cookies() {
    let (mut b, _) = signed_in().await;
    // One chunk, very large: the whole Cookie header is ignored (signed out), and the
    // session cookie cleared, or the browser would send it again on every request.
    let huge = "x".repeat(70 * 1024);
    assert_rejected(
        &mut b,
        &format!("{SESSION}={huge}"),
        &[SESSION],
        "one huge cookie",
    )
    .await;
    // Chunks in a header over the cap (padded by another cookie): every chunk cleared,
    // the other cookie left alone.
    let chunk = "c".repeat(3000);
    assert_rejected(
        &mut b,
        &format!("{SESSION}.0={chunk}; {SESSION}.1={chunk}; padding={huge}"),
        &["authjs.session-token.0", "authjs.session-token.1"],
        "chunks in an oversized header",
    )
    .await;
    // One chunk, large but under the header cap: decode fails, cleared.
    let big = "x".repeat(40 * 1024);
    assert_rejected(
        &mut b,
        &format!("{SESSION}={big}"),
        &[SESSION],
        "one big cookie",
    )
    .await;
    // Many chunks: more than 16 is refused and every one cleared.
    let names: Vec<String> = (0..20).map(|i| format!("{SESSION}.{i}")).collect();
    let header = names
        .iter()
        .map(|n| format!("{n}=yyyy"))
        .collect::<Vec<_>>()
        .join("; ");
    let cleared: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_rejected(&mut b, &header, &cleared, "20 chunks").await;
    // Many chunks of 3 KiB each (60 KiB): under the header cap, over the chunk count.
    let header = names
        .iter()
        .map(|n| format!("{n}={}", "z".repeat(3000)))
        .collect::<Vec<_>>()
        .join("; ");
    assert_rejected(&mut b, &header, &cleared, "20 large chunks").await;
}

#[tokio::test]
async fn chunked_cookie_round_trip_in_any_order() {
    let mut b = Browser::new(auth(counting_config(Arc::default())));
    b.sign_in("big", None).await;
    let names = b.session_cookie_names();
    assert!(names.len() >= 2);
    // The Cookie header in reverse order: still joined by the numeric suffix.
    let header = names
        .iter()
        .rev()
        .map(|n| format!("{n}={}", b.jar[n]))
        .collect::<Vec<_>>()
        .join("; ");
    let req = http::Request::builder()
        .uri("/api/auth/session")
        .header("cookie", header)
        .body(bytes::Bytes::new())
        .unwrap();
    let res = b.auth.handle(req).await;
    let body: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
    assert_eq!(body["user"]["name"], "big");
    assert_eq!(body["user"]["role"], "user");
    // Re-issued as chunks again.
    let set: Vec<_> = res.headers().get_all("set-cookie").iter().collect();
    assert_eq!(set.len(), names.len());
    // Shrinking the token expires the stale chunks: a token without the blob.
    let csrf = b.csrf().await;
    b.post_form("/signout", &[("csrfToken", &csrf)]).await;
    assert!(b.session_cookie_names().is_empty());
    // Chunks left from an old session + a new small sign-in: the rewrite clears them.
    for n in &names {
        b.jar.insert(n.clone(), "stale".into());
    }
    let res = b.sign_in("small", None).await;
    for n in &names {
        let c = res.set_cookie(n).unwrap();
        assert!(c.contains("Max-Age=0"), "{c}");
    }
    assert_eq!(b.session_cookie_names(), vec![SESSION.to_owned()]);
    assert_eq!(b.session().await["user"]["name"], "small");
}

async fn post(b: &mut Browser, fields: Vec<(&'static str, String)>) -> Res {
    let body = form(
        &fields
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    b.send(
        "POST",
        "/callback/credentials",
        Some("application/x-www-form-urlencoded"),
        body.into_bytes(),
    )
    .await
}

#[tokio::test]
async fn csrf_missing_stale_forged() {
    let mut b = Browser::new(auth(plain_config()));
    let missing_csrf = "http://localhost:3000/api/auth/signin?error=MissingCSRF";
    let creds = |t: &str| {
        vec![
            ("csrfToken", t.to_owned()),
            ("username", "x".into()),
            ("password", "pw".into()),
        ]
    };
    // Missing: no cookie and no token.
    let res = post(&mut b, creds("")).await;
    assert_eq!(res.location(), missing_csrf);
    // Token in the body, cookie missing.
    let token = b.csrf().await;
    let cookie = b.jar.remove("authjs.csrf-token").unwrap();
    let res = post(&mut b, creds(&token)).await;
    assert_eq!(res.location(), missing_csrf, "cookie missing");
    // Stale: a cookie made with another secret.
    let mut other = Browser::new(auth(
        plain_config().with_secrets(["another-secret-another-secret-0123"]),
    ));
    let other_token = other.csrf().await;
    b.jar.insert(
        "authjs.csrf-token".into(),
        other.jar["authjs.csrf-token"].clone(),
    );
    let res = post(&mut b, creds(&other_token)).await;
    assert_eq!(res.location(), missing_csrf, "stale");
    // Forged: a cookie of the attacker's choosing.
    b.jar.insert(
        "authjs.csrf-token".into(),
        format!("{}%7C{}", "a".repeat(64), "0".repeat(64)),
    );
    let res = post(&mut b, creds(&"a".repeat(64))).await;
    assert_eq!(res.location(), missing_csrf, "forged");
    b.jar.insert("authjs.csrf-token".into(), "a".repeat(64));
    let res = post(&mut b, creds(&"a".repeat(64))).await;
    assert_eq!(res.location(), missing_csrf, "no hash");
    // Our cookie, another token in the body.
    b.jar.insert("authjs.csrf-token".into(), cookie.clone());
    let res = post(&mut b, creds(&"b".repeat(64))).await;
    assert_eq!(res.location(), missing_csrf, "mismatch");
    // Our cookie and token: accepted.
    let res = post(&mut b, creds(&token)).await;
    assert_eq!(res.location(), "http://localhost:3000");
    assert_eq!(b.session().await["user"]["name"], "x");
}

#[tokio::test]
async fn evil_callback_urls() {
    let cases = [
        ("//evil.example", "http://localhost:3000//evil.example"),
        ("https://evil.example", "http://localhost:3000"),
        ("https://evil.example/api/auth", "http://localhost:3000"),
        (
            "http://localhost:3000.evil.example/",
            "http://localhost:3000",
        ),
        (
            "http://localhost:3000@evil.example/",
            "http://localhost:3000",
        ),
        ("/\\evil.example", "http://localhost:3000/\\evil.example"),
        ("javascript:alert(1)", "http://localhost:3000"),
        (
            "data:text/html,<script>alert(1)</script>",
            "http://localhost:3000",
        ),
        ("/ok\r\nSet-Cookie: pwned=1", "http://localhost:3000"),
        ("https://evil.example\n/", "http://localhost:3000"),
    ];
    for (evil, expected) in cases {
        // Credentials sign-in.
        let mut b = Browser::new(auth(plain_config()));
        let res = b.sign_in("lee", Some(evil)).await;
        assert_eq!(res.status, 302, "{evil:?}");
        let location = res.location().to_owned();
        assert_eq!(location, expected, "sign-in with {evil:?}");
        let parsed = url_host(&location);
        assert_eq!(
            parsed, "localhost:3000",
            "{evil:?} left the origin: {location}"
        );
        assert!(res.set_cookie("pwned").is_none());
        // Sign-out.
        let csrf = b.csrf().await;
        let res = b
            .post_form("/signout", &[("csrfToken", &csrf), ("callbackUrl", evil)])
            .await;
        assert_eq!(res.location(), expected, "sign-out with {evil:?}");
    }
}

/// What a browser takes as the host of a Location (backslashes are slashes).
fn url_host(location: &str) -> String {
    let l = location.replace('\\', "/");
    let rest = l.split_once("://").map(|(_, r)| r).unwrap_or("");
    let authority = rest.split('/').next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_redirect_callback_returning_an_unsendable_url() {
    let config = plain_config().__redirect(Arc::new(|_args: RedirectArgs| {
        boxed(async { "http://localhost:3000/x\r\nSet-Cookie: pwned=1".to_owned() })
    }));
    let mut b = Browser::new(auth(config));
    let res = b.sign_in("max", Some("/x")).await;
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "/");
    assert!(res.set_cookie("pwned").is_none());
    assert_eq!(
        b.session().await["user"]["name"],
        "max",
        "the sign-in itself succeeded"
    );
}

/// An unknown provider in the path is the visitor's mistake: `404`, never `Configuration`
/// (whose page answers `500`), for the sign-in POST and the callback, GET or POST.
#[tokio::test]
async fn unknown_provider_is_not_found() {
    let mut b = Browser::new(auth(plain_config()));
    let csrf = b.csrf().await;
    let res = b.post_form("/signin/nope", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 404, "{:?}", res.body);
    assert_eq!(res.json()["error"], "InvalidProvider");
    let res = b.get("/callback/nope?code=x&state=y").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["error"], "InvalidProvider");
    let res = b.post_form("/callback/nope", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 404);
    // A configuration fault still ends on the `Configuration` page, which answers 500.
    let res = b.get("/error?error=Configuration").await;
    assert_eq!(res.status, 500);
}

/// A `max_age` reaching past year 9999 (where HTTP dates end) signs in and reads the
/// session; the cookie's `Expires` is the last HTTP date, not a panic.
#[tokio::test]
async fn far_future_max_age_does_not_panic() {
    // The longest accepted session (400 days) signs in and reads back.
    let mut b = Browser::new(auth(plain_config().__max_age(400 * 24 * 3600)));
    let res = b.sign_in("kim", None).await;
    assert_eq!(res.status, 302, "{:?}", res.headers);
    assert!(!res.location().contains("error="), "{}", res.location());
    assert_eq!(b.session().await["user"]["name"], "kim");
}

/// A `max_age` no cookie can keep (or zero) is refused at start-up, with the range.
#[test]
fn max_age_out_of_range_is_refused_at_start_up() {
    for seconds in [0, 400 * 24 * 3600 + 1, 300_000_000_000] {
        let err = auth_runtime::Auth::new(plain_config().__max_age(seconds))
            .err()
            .unwrap_or_else(|| panic!("max_age {seconds} was accepted"));
        assert_eq!(err, auth_runtime::ConfigError::InvalidMaxAge(seconds));
        assert!(err.to_string().contains("400 days"), "{err}");
    }
}

/// `SessionLookup`'s `Debug` (as an application might log it) shows neither the token nor
/// the `Set-Cookie` values carrying it.
#[tokio::test]
async fn session_lookup_debug_is_redacted() {
    let (b, token) = signed_in().await;
    let parts = http::Request::builder()
        .uri("/")
        .header("cookie", format!("{SESSION}={token}"))
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let lookup = b.auth.session(&parts).await;
    assert!(lookup.session.is_some() && !lookup.set_cookies.is_empty());
    let dbg = format!("{lookup:?}");
    assert!(!dbg.contains(&token[..40]) && dbg.contains("kim"), "{dbg}");
}
