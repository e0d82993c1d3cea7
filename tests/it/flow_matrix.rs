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

/// The server-side operations under the jwt strategy (`Auth::sign_in`, `sign_up`,
/// `sign_out`, `update_session`): the rows of their rustdoc.
#[tokio::test]
async fn server_operations_matrix() {
    let calls = Arc::new(Calls::default());
    let mut b = Browser::new(auth(counting_config(calls.clone())));
    let user = || {
        auth_runtime::User::new("id-sam")
            .with_name("sam")
            .with_email("sam@example.com")
    };

    // Sign-in: sign_in (the guard), jwt with user and trigger SignIn; no session, no
    // redirect.
    let parts = b.app_request("/register");
    let (d, change) = delta!(calls, b.auth.sign_in(&parts, user()).await.unwrap());
    assert_eq!(d, [1, 1, 0, 0], "server sign-in");
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(Some(Trigger::SignIn), true, None)]
    );
    assert!(change.session.is_none());
    b.keep(&change);
    assert!(!b.session_cookie_names().is_empty());
    let s = b.session().await;
    assert_eq!(s["user"]["name"], "sam");
    assert_eq!(s["user"]["id"], "id-sam");
    assert_eq!(s["user"]["role"], "user", "jwt saw the user");
    calls.take_jwt_seen();

    // Sign-up: the same, with trigger SignUp.
    let mut other = Browser::new(b.auth.clone());
    let parts = other.app_request("/register");
    let (d, change) = delta!(calls, other.auth.sign_up(&parts, user()).await.unwrap());
    assert_eq!(d, [1, 1, 0, 0], "server sign-up");
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(Some(Trigger::SignUp), true, None)]
    );
    other.keep(&change);
    assert_eq!(other.session().await["user"]["name"], "sam");
    calls.take_jwt_seen();

    // Update: jwt with trigger Update and the data (no user), then session; no sign_in,
    // no redirect. The new session comes back and the re-issued cookie keeps it.
    let parts = b.app_request("/profile");
    let (d, change) = delta!(
        calls,
        b.auth
            .update_session(&parts, serde_json::json!({ "name": "Samuel" }))
            .await
            .unwrap()
    );
    assert_eq!(d, [0, 1, 1, 0], "server update");
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(
            Some(Trigger::Update),
            false,
            Some(serde_json::json!({ "name": "Samuel" }))
        )]
    );
    assert_eq!(
        change.session.as_ref().and_then(|s| s.user.name.as_deref()),
        Some("Samuel")
    );
    assert!(!change.set_cookies.is_empty(), "re-issued cookie");
    b.keep(&change);
    assert_eq!(b.session().await["user"]["name"], "Samuel");
    calls.take_jwt_seen();

    // Sign-out: no callback at all; the cookies are cleared.
    let parts = b.app_request("/leave");
    let (d, change) = delta!(calls, b.auth.sign_out(&parts).await.unwrap());
    assert_eq!(d, [0, 0, 0, 0], "server sign-out");
    assert!(
        change
            .set_cookies
            .iter()
            .any(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );
    b.keep(&change);
    assert!(b.session_cookie_names().is_empty());
    assert_eq!(b.session().await, serde_json::Value::Null);

    // Update while signed out: nothing runs, no session.
    let parts = b.app_request("/profile");
    let (d, change) = delta!(
        calls,
        b.auth
            .update_session(&parts, serde_json::json!({}))
            .await
            .unwrap()
    );
    assert_eq!(d, [0, 0, 0, 0], "update when signed out");
    assert!(change.session.is_none());

    // A refused sign-in: sign_in only; nothing set. A URL from sign_in comes back, not
    // through redirect.
    let parts = b.app_request("/register");
    let (d, e) = delta!(
        calls,
        b.auth
            .sign_in(&parts, auth_runtime::User::new("x").with_name("banned"))
            .await
            .unwrap_err()
    );
    assert_eq!(d, [1, 0, 0, 0], "refused server sign-in");
    assert!(matches!(
        e,
        auth_runtime::SessionError::AccessDenied { redirect: None }
    ));
    let (d, e) = delta!(
        calls,
        b.auth
            .sign_in(&parts, auth_runtime::User::new("x").with_name("elsewhere"))
            .await
            .unwrap_err()
    );
    assert_eq!(d, [1, 0, 0, 0], "redirect-returning sign_in");
    match e {
        auth_runtime::SessionError::AccessDenied { redirect } => {
            assert_eq!(redirect.as_deref(), Some("/blocked"))
        }
        other => panic!("{other:?}"),
    }
    calls.take_jwt_seen();

    // jwt returning None on a server sign-in: the cookie is cleared, not set.
    let (d, change) = delta!(
        calls,
        b.auth
            .sign_in(&parts, auth_runtime::User::new("g").with_name("ghost"))
            .await
            .unwrap()
    );
    assert_eq!(d, [1, 1, 0, 0]);
    b.keep(&change);
    assert!(b.session_cookie_names().is_empty());
}
