//! The callback execution matrix (issue 3): which callback runs, how often, with which
//! trigger, in every scenario, counted by the callbacks themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::Trigger;
use auth_tests::flow::*;

/// `[sign_in, jwt, session, redirect]` invoked during `f`.
macro_rules! delta {
    ($calls:expr, $body:expr) => {{
        let before = $calls.counts();
        let out = $body;
        let after = $calls.counts();
        let d = [
            after[0] - before[0],
            after[1] - before[1],
            after[2] - before[2],
            after[3] - before[3],
        ];
        (d, out)
    }};
}

#[tokio::test]
async fn callback_matrix() {
    let calls = Arc::new(Calls::default());
    let mut b = Browser::new(auth(counting_config(calls.clone())));

    // Nothing runs on GET /csrf.
    let (d, _) = delta!(calls, b.csrf().await);
    assert_eq!(d, [0, 0, 0, 0], "GET /csrf");

    // Initial credentials sign-in: sign_in, then jwt with user (trigger signIn); the
    // callbackUrl goes through redirect once; session does not run yet.
    let (d, res) = delta!(calls, b.sign_in("alice", Some("/dashboard")).await);
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://localhost:3000/dashboard");
    assert_eq!(d, [1, 1, 0, 1], "initial sign-in");
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(Some(Trigger::SignIn), true, None)]
    );

    // First session read: jwt (no user, no trigger), then session.
    let (d, s) = delta!(calls, b.session().await);
    assert_eq!(d, [0, 1, 1, 0], "session read");
    assert_eq!(calls.take_jwt_seen(), vec![(None, false, None)]);
    assert_eq!(s["user"]["name"], "alice");
    assert_eq!(s["user"]["email"], "alice@example.com");
    assert_eq!(s["user"]["id"], "id-alice");
    assert_eq!(s["user"]["role"], "user");

    // Later reads: the same, every time.
    let (d, _) = delta!(calls, {
        b.session().await;
        b.session().await
    });
    assert_eq!(d, [0, 2, 2, 0], "two later reads");
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(None, false, None), (None, false, None)]
    );

    // The API check an axum extractor does (`Auth::session`): jwt then session.
    let parts = http::Request::builder()
        .uri("/protected")
        .header("cookie", b.cookie_header())
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let (d, lookup) = delta!(calls, b.auth.session(&parts).await);
    assert_eq!(d, [0, 1, 1, 0], "Auth::session");
    assert_eq!(
        lookup.session.map(|s| s.user.name),
        Some(Some("alice".to_owned()))
    );
    assert_eq!(lookup.token.and_then(|t| t.role), Some("user".to_owned()));
    assert!(!lookup.set_cookies.is_empty(), "rolling refresh cookie");
    calls.take_jwt_seen();

    // POST /session: jwt with trigger update and the data, then session.
    let csrf = b.csrf().await;
    let (d, res) = delta!(
        calls,
        b.post_json(
            "/session",
            &serde_json::json!({ "csrfToken": csrf, "data": { "name": "Alice B." } })
        )
        .await
    );
    assert_eq!(res.status, 200);
    assert_eq!(d, [0, 1, 1, 0], "POST /session update");
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(
            Some(Trigger::Update),
            false,
            Some(serde_json::json!({ "name": "Alice B." }))
        )]
    );
    assert_eq!(res.json()["user"]["name"], "Alice B.");
    assert_eq!(
        b.session().await["user"]["name"],
        "Alice B.",
        "the update persisted"
    );
    calls.take_jwt_seen();

    // Sign-out: no callback but redirect (for the callback URL).
    let csrf = b.csrf().await;
    let (d, res) = delta!(
        calls,
        b.post_form("/signout", &[("csrfToken", &csrf), ("callbackUrl", "/bye")])
            .await
    );
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://localhost:3000/bye");
    assert_eq!(d, [0, 0, 0, 1], "sign-out");
    assert!(b.session_cookie_names().is_empty());

    // Signed out: a read runs nothing.
    let (d, s) = delta!(calls, b.session().await);
    assert_eq!(s, serde_json::Value::Null);
    assert_eq!(d, [0, 0, 0, 0], "read when signed out");

    // Denied sign-in: sign_in only, then AccessDenied.
    let (d, res) = delta!(calls, b.sign_in("banned", Some("/dashboard")).await);
    assert_eq!(
        res.location(),
        "http://localhost:3000/api/auth/error?error=AccessDenied"
    );
    assert_eq!(d, [1, 0, 0, 0], "denied sign-in");
    assert!(b.session_cookie_names().is_empty());

    // sign_in returning a URL: sign_in, then redirect for that URL; no session.
    let (d, res) = delta!(calls, b.sign_in("elsewhere", None).await);
    assert_eq!(res.location(), "http://localhost:3000/blocked");
    assert_eq!(d, [1, 0, 0, 1], "redirect-returning sign_in");
    assert!(b.session_cookie_names().is_empty());

    // Wrong password: authorize refuses before any callback.
    let csrf = b.csrf().await;
    let (d, res) = delta!(
        calls,
        b.post_form(
            "/callback/credentials",
            &[
                ("csrfToken", &csrf),
                ("username", "alice"),
                ("password", "nope")
            ]
        )
        .await
    );
    assert_eq!(
        res.location(),
        "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials"
    );
    assert_eq!(d, [0, 0, 0, 0], "refused credentials");
    assert_eq!(calls.take_jwt_seen(), vec![]);
}

/// `jwt` returning `None` ends the session: signed out, cookies cleared.
#[tokio::test]
async fn jwt_returning_none_signs_out() {
    let calls = Arc::new(Calls::default());
    let mut b = Browser::new(auth(counting_config(calls.clone())));
    b.sign_in("carol", None).await;
    assert!(!b.session_cookie_names().is_empty());
    let csrf = b.csrf().await;
    let res = b
        .post_json(
            "/session",
            &serde_json::json!({ "csrfToken": csrf, "data": { "signOut": true } }),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), serde_json::Value::Null);
    let cleared = res.set_cookie("authjs.session-token").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(b.session_cookie_names().is_empty());
    let (d, s) = delta!(calls, b.session().await);
    assert_eq!(s, serde_json::Value::Null);
    assert_eq!(d, [0, 0, 0, 0]);
}

/// `jwt` returning `None` on sign-in: no session, the cookies cleared, the redirect kept
/// (Auth.js).
#[tokio::test]
async fn jwt_returning_none_on_sign_in() {
    let calls = Arc::new(Calls::default());
    let mut b = Browser::new(auth(counting_config(calls.clone())));
    b.sign_in("alice", None).await;
    assert!(!b.session_cookie_names().is_empty());
    let (d, res) = delta!(calls, b.sign_in("ghost", Some("/x")).await);
    assert_eq!(d, [1, 1, 0, 1]);
    assert_eq!(res.location(), "http://localhost:3000/x");
    assert!(
        res.set_cookie("authjs.session-token")
            .unwrap()
            .contains("Max-Age=0")
    );
    assert!(b.session_cookie_names().is_empty());
    assert_eq!(b.session().await, serde_json::Value::Null);
}

/// Without callbacks, Auth.js's defaults: the token is kept, the session is
/// `{user: {name, email, image}, expires}`, the callback URL must be of the same origin.
#[tokio::test]
async fn default_callbacks() {
    let mut b = Browser::new(auth(plain_config()));
    let res = b.sign_in("dora", Some("https://evil.example/x")).await;
    assert_eq!(
        res.location(),
        "http://localhost:3000",
        "foreign callbackUrl -> base URL"
    );
    let s = b.session().await;
    assert_eq!(s["user"]["name"], "dora");
    assert_eq!(s["user"]["email"], "dora@example.com");
    assert!(s["user"].get("id").is_none(), "no id by default: {s}");
    assert!(
        s["user"].get("image").is_none(),
        "absent image omitted: {s}"
    );
    let expires = s["expires"].as_str().unwrap();
    assert_eq!(expires.len(), 24, "ISO 8601 with millis: {expires}");
    assert!(expires.ends_with('Z'));
}
