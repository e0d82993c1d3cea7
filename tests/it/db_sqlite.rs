//! The database session strategy through `Auth::handle` on SQLite (a temporary file):
//! the shared suite, plus a closed database answering 503.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use auth_runtime::adapter::{Adapter, SqliteAdapter};
use auth_tests::Cleanup as _;
use auth_tests::cookies::CookieJar;
use auth_tests::db_suite::{COOKIE, app};
use auth_tests::flow::Browser;
use auth_tests::sqlite::TempDb;

auth_tests::db_suite!(auth_tests::sqlite::adapter);

/// A closed database: the session read, the sign-in and the sign-out answer 503 with a
/// JSON body; the cookie is kept (not a sign-out).
#[tokio::test]
async fn closed_database_is_503() {
    let file = TempDb::new("closed");
    let sqlite = Arc::new(SqliteAdapter::connect(&file.url()).await.unwrap());
    let db: Arc<dyn Adapter> = sqlite.clone();
    let mut b = Browser::new(app(&db, Arc::default(), Vec::new()));
    assert_eq!(b.sign_in("erin", None).await.status, 302);
    assert_eq!(b.session().await["user"]["name"], "erin");
    sqlite.close().await;

    let res = b.get("/session").await;
    assert_eq!(res.status, 503);
    assert_eq!(res.json()["error"], "ServiceUnavailable");
    assert!(res.set_cookie(COOKIE).is_none(), "not signed out");
    assert!(res.header("retry-after").is_some());

    let csrf = b.csrf().await;
    let res = b.post_form("/signout", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 503);
    assert!(
        b.jar.contains_key(COOKIE),
        "cookie kept until the row is deleted"
    );

    let mut other = Browser::new(b.auth.clone());
    let res = other.sign_in("frank", None).await;
    assert_eq!(res.status, 503);
    assert!(!other.jar.contains_key(COOKIE));
    file.cleanup().await;
}

mod macro_app {
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub static SIGN_INS: AtomicUsize = AtomicUsize::new(0);
    pub static NEW_USERS: AtomicUsize = AtomicUsize::new(0);
    pub static SIGN_OUTS: AtomicUsize = AtomicUsize::new(0);

    auth_runtime::auth! {
        session: { strategy: database, max_age: 3600 },
        session_user: { id: String },
        providers: [
            Credentials {
                authorize: |credentials| async move {
                    let name = credentials.get("username")?.to_owned();
                    credentials.matches("password", "pw").then(|| {
                        auth_runtime::User::default()
                            .with_name(name.clone())
                            .with_email(format!("{name}@example.com"))
                    })
                }
            },
        ],
        callbacks: {
            session(session, user) {
                session.user.id = user.id;
                session
            }
        },
        events: {
            sign_in(is_new_user) {
                SIGN_INS.fetch_add(1, Ordering::SeqCst);
                if is_new_user {
                    NEW_USERS.fetch_add(1, Ordering::SeqCst);
                }
                // A failing event is logged, never fatal.
                Err::<(), _>("sign_in event fails on purpose")
            }
            sign_out(user_id) {
                if user_id.is_some() {
                    SIGN_OUTS.fetch_add(1, Ordering::SeqCst);
                }
            }
        },
    }
}

/// `auth!` with `strategy: database` and `events`: an id-less `authorize` user is created
/// (found by e-mail the next time), `session(session, user)` sees the stored id, and the
/// declared events run (one failing) without changing the answers.
#[tokio::test]
async fn macro_config_with_events() {
    use std::sync::atomic::Ordering;
    let file = TempDb::new("macro");
    let db: Arc<dyn Adapter> = Arc::new(SqliteAdapter::connect(&file.url()).await.unwrap());
    let config = macro_app::config()
        .with_secrets([auth_tests::flow::SECRET])
        .with_url(auth_tests::flow::ORIGIN);
    let auth = auth_runtime::Auth::with_adapter(config, db.clone()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let mut jar = CookieJar::new();
        let csrf = send(&auth, &mut jar, "/csrf", None).await;
        let csrf = csrf.1["csrfToken"].as_str().unwrap().to_owned();
        let (status, _) = send(
            &auth,
            &mut jar,
            "/callback/credentials",
            Some(&[
                ("csrfToken", &csrf),
                ("username", "lena"),
                ("password", "pw"),
            ]),
        )
        .await;
        assert_eq!(status, 302);
        let (_, s) = send(&auth, &mut jar, "/session", None).await;
        assert_eq!(s["user"]["email"], "lena@example.com");
        ids.push(s["user"]["id"].as_str().unwrap().to_owned());
        let (status, _) = send(&auth, &mut jar, "/signout", Some(&[("csrfToken", &csrf)])).await;
        assert_eq!(status, 302);
        assert!(!jar.contains_key(COOKIE));
    }
    assert_eq!(ids[0], ids[1], "found by e-mail the second time");
    assert!(!ids[0].is_empty());
    auth_tests::db_suite::eventually("events", || {
        macro_app::SIGN_INS.load(Ordering::SeqCst) == 2
            && macro_app::SIGN_OUTS.load(Ordering::SeqCst) == 2
    })
    .await;
    assert_eq!(macro_app::NEW_USERS.load(Ordering::SeqCst), 1);
    file.cleanup().await;
}

/// One request to `auth.handle` with the jar's cookies; keeps the cookies it sets.
async fn send<T: auth_runtime::config::TokenData, U: auth_runtime::config::SessionUserData>(
    auth: &auth_runtime::Auth<T, U>,
    jar: &mut CookieJar,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> (u16, serde_json::Value) {
    let mut b = http::Request::builder().uri(format!("/api/auth{path}"));
    let cookie = jar.header();
    if !cookie.is_empty() {
        b = b.header("cookie", cookie);
    }
    let body = match form {
        Some(f) => {
            b = b
                .method("POST")
                .header("content-type", "application/x-www-form-urlencoded");
            auth_tests::flow::form(f)
        }
        None => String::new(),
    };
    let res = auth.handle(b.body(bytes::Bytes::from(body)).unwrap()).await;
    jar.store(res.headers());
    let status = res.status().as_u16();
    (
        status,
        serde_json::from_slice(res.body()).unwrap_or(serde_json::Value::Null),
    )
}

/// `Claims<T>` under the database strategy, for a signed-in user: a `500` naming the fix
/// (extract `Session`), never the "sign in required" redirect that would send a browser
/// back to the sign-in page, which sends it back here, forever. `Session` still works and a
/// signed-out request still gets the sign-in redirect.
#[tokio::test]
async fn claims_under_the_database_strategy_does_not_loop_a_signed_in_browser() {
    use auth_runtime::axum::Claims;
    use auth_tests::axum_app::{body_string, get_html, send};
    use auth_tests::flow::{SUser, Tok};
    use axum::routing::get;

    async fn claims(Claims(token): Claims<Tok>) -> String {
        format!("{token:?}")
    }
    async fn maybe_claims(claims: Option<Claims<Tok>>) -> String {
        claims.map_or_else(|| "none".to_owned(), |_| "some".to_owned())
    }
    async fn me(session: auth_runtime::Session<SUser>) -> String {
        session.user.name.unwrap_or_default()
    }

    let file = TempDb::new("claims");
    let db: Arc<dyn Adapter> = Arc::new(SqliteAdapter::connect(&file.url()).await.unwrap());
    let auth = app(&db, Arc::default(), Vec::new());
    let router = axum::Router::new()
        .route("/claims", get(claims))
        .route("/maybe-claims", get(maybe_claims))
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer());
    let mut b = Browser::new(auth.clone());
    assert_eq!(b.sign_in("erin", None).await.status, 302);
    let jar = b.jar.clone();

    let response = send(&router, get_html("/me", &jar)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(body_string(response).await, "erin");
    for path in ["/claims", "/maybe-claims"] {
        let response = send(&router, get_html(path, &jar)).await;
        assert_eq!(response.status(), 500, "{path}");
        assert!(response.headers().get("location").is_none(), "{path}");
        let body = body_string(response).await;
        assert!(body.contains("extract `Session` instead"), "{path}: {body}");
    }
    // Signed out: the usual answers.
    let signed_out = CookieJar::default();
    let response = send(&router, get_html("/claims", &signed_out)).await;
    assert_eq!(response.status(), 303);
    let response = send(&router, get_html("/maybe-claims", &signed_out)).await;
    assert_eq!(body_string(response).await, "none");
    file.cleanup().await;
}

/// The database goes away between the OAuth start and the callback: `503`, and the spent
/// check cookies are cleared all the same (no session cookie).
#[tokio::test]
async fn oauth_callback_503_clears_the_check_cookies() {
    let (_github, provider) = auth_tests::oauth::github::github_server().await;
    let file = TempDb::new("oauth-closed");
    let sqlite = Arc::new(SqliteAdapter::connect(&file.url()).await.unwrap());
    let db: Arc<dyn Adapter> = sqlite.clone();
    let mut b = Browser::new(app(
        &db,
        Arc::default(),
        vec![auth_runtime::Provider::OAuth(provider)],
    ));
    let csrf = b.csrf().await;
    let res = b.post_form("/signin/github", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 302);
    let back = auth_tests::oauth::Browser::default()
        .follow_until(
            res.location(),
            "http://localhost:3000/api/auth/callback/github",
        )
        .await;
    assert!(b.jar.contains_key("authjs.state"));
    sqlite.close().await;
    let res = b
        .get(&format!(
            "/api/auth/callback/github?{}",
            back.query().unwrap()
        ))
        .await;
    assert_eq!(res.status, 503);
    for name in ["authjs.state", "authjs.pkce.code_verifier"] {
        assert!(
            res.set_cookie(name)
                .is_some_and(|c| c.contains("Max-Age=0")),
            "{name} cleared"
        );
    }
    assert!(res.set_cookie(COOKIE).is_none());
    file.cleanup().await;
}
