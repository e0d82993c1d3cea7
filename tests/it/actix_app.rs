//! The actix-web integration (feature `actix`) over actix-web's in-process test service:
//! the flow mounted with `auth.scope()`, `Session` / `Option<Session>` / `Claims`, the
//! guards' 401-or-redirect and 403, the rolling cookie, one lookup per request, CSRF (the
//! flow's and the application's own forms). The wiring mistakes are in `app_mistakes`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, web};
use auth_runtime::actix::{Claims, CsrfForm, CsrfToken, request_parts};
use auth_tests::actix_app::*;
use http::{StatusCode, header};
use serde::Deserialize;

async fn me(session: Session) -> String {
    format!(
        "{}|{}|{}",
        session.user.id,
        session.user.name.as_deref().unwrap_or("-"),
        session.user.role
    )
}

async fn maybe(session: Option<Session>) -> String {
    match session {
        Some(s) => format!("signed in as {}", s.user.name.unwrap_or_default()),
        None => "anonymous".to_owned(),
    }
}

async fn all(a: Session, b: Option<Session>, Claims(t): Claims<Token>, c: Session) -> String {
    assert_eq!(Some(&a), b.as_ref());
    assert_eq!(a, c);
    format!("{}|{}", a.user.id, t.role)
}

/// Reads the session (the middleware then has a refreshed cookie to add), then signs out
/// server-side: the response's clearing must win.
async fn logout(
    request: actix_web::HttpRequest,
    session: Session,
    auth: web::Data<auth_runtime::Auth<Token, SessionUser>>,
) -> Result<actix_web::HttpResponse, auth_runtime::SessionError> {
    let change = auth.sign_out(&request_parts(&request)).await?;
    let mut response = actix_web::HttpResponse::Ok().body(format!("bye {}", session.user.id));
    change.apply_to_actix(response.headers_mut());
    Ok(response)
}

async fn plain() -> &'static str {
    "plain"
}

async fn page(CsrfToken(token): CsrfToken, again: CsrfToken) -> String {
    assert_eq!(token, again.0, "one token per request");
    token
}

#[derive(Deserialize)]
struct Rename {
    name: String,
}

async fn rename(CsrfForm(form): CsrfForm<Rename>) -> String {
    format!("renamed to {}", form.name)
}

/// The app: public and protected routes, an admin scope behind `auth.require(..)`, an
/// account scope behind `auth.require_session()` with one public route, the flow, the
/// middleware.
fn app(
    counters: Counters,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let auth = auth(&counters);
    App::new()
        .route("/me", web::get().to(me))
        .route("/maybe", web::get().to(maybe))
        .route("/all", web::get().to(all))
        .route("/plain", web::get().to(plain))
        .route("/form", web::get().to(page))
        .route("/rename", web::post().to(rename))
        .route("/logout", web::post().to(logout))
        .app_data(web::Data::new(auth.clone()))
        .service(
            web::scope("/admin")
                .wrap(auth.require(|s| s.user.role == "admin"))
                .route("", web::get().to(me)),
        )
        .service(
            web::scope("/account")
                .wrap(auth.require_session().except("/account/public"))
                .route("/home", web::get().to(plain))
                .route("/public", web::get().to(plain)),
        )
        .service(auth.scope())
        .wrap(auth.middleware())
}

fn session_cookies(response: &http::Response<String>) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|c| c.starts_with("authjs.session-token"))
        .collect()
}

#[test]
fn the_scope_serves_the_flow_under_the_base_path() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let response = send(&app, get("/api/auth/providers", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(body["credentials"]["type"], "credentials");
        let response = send(&app, get("/api/auth/signin", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.body().contains("Sign in"), "{}", response.body());
        let response = send(&app, get("/nowhere", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    });
}

#[test]
fn sign_in_through_the_scope_gives_the_typed_session() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let jar = sign_in(&app, "admin", "admin-pw").await;
        assert!(jar.has_session(), "{jar:?}");
        let response = send(&app, get("/me", &jar)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "1|Ada Admin|admin");
        let response = send(&app, get("/maybe", &jar)).await;
        assert_eq!(response.body(), "signed in as Ada Admin");
        let response = send(&app, get("/api/auth/session", &jar)).await;
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(body["user"]["role"], "admin", "{body}");

        // A wrong password: no session.
        let mut jar = Jar::default();
        let token = csrf(&app, &mut jar).await;
        let response = send(
            &app,
            post_form(
                "/api/auth/callback/credentials",
                &jar,
                &[
                    ("csrfToken", &token),
                    ("username", "alice"),
                    ("password", "wrong"),
                ],
            ),
        )
        .await;
        assert!(response.status().is_redirection());
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        assert!(location.contains("error=CredentialsSignin"), "{location}");
        jar.update(&response);
        assert!(!jar.has_session());
    });
}

#[test]
fn signed_out_session_is_401_json_or_a_redirect_and_option_is_none() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let response = send(&app, get("/me", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(body["error"], "SessionRequired");
        assert_eq!(body["url"], "/api/auth/signin?callbackUrl=%2Fme");

        let response = send(&app, get_html("/me?tab=2", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "/api/auth/signin?callbackUrl=%2Fme%3Ftab%3D2"
        );

        let response = send(&app, get("/maybe", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "anonymous");
    });
}

#[test]
fn guards_answer_401_or_a_redirect_when_signed_out_and_403_when_the_check_fails() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        // Signed out: the API caller gets 401 JSON, the browser the sign-in page.
        let response = send(&app, get("/admin", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response.body().contains("SessionRequired"),
            "{}",
            response.body()
        );
        let response = send(&app, get_html("/account/home", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "/api/auth/signin?callbackUrl=%2Faccount%2Fhome"
        );
        // `except`: the public route of the guarded scope.
        let response = send(&app, get("/account/public", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::OK);

        // Signed in as a user: the account scope opens, the admin scope is 403.
        let alice = sign_in(&app, "alice", "alice-pw").await;
        let response = send(&app, get("/account/home", &alice)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let response = send(&app, get("/admin", &alice)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(body["error"], "AccessDenied");
        let response = send(&app, get_html("/admin", &alice)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );

        // Signed in as the admin: through.
        let admin = sign_in(&app, "admin", "admin-pw").await;
        let response = send(&app, get("/admin", &admin)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "1|Ada Admin|admin");
    });
}

#[test]
fn extractors_and_guard_share_one_lookup_per_request() {
    run(async {
        let counters = Counters::default();
        let app = actix_web::test::init_service(app(counters.clone())).await;
        let jar = sign_in(&app, "alice", "alice-pw").await;
        let (jwt0, session0) = (counters.jwt(), counters.session());
        let response = send(&app, get("/all", &jar)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            session_cookies(&response).len(),
            1,
            "exactly one refreshed session cookie"
        );
        assert_eq!(response.body(), "2|user");
        assert_eq!(
            counters.jwt() - jwt0,
            1,
            "jwt callback runs once per request"
        );
        assert_eq!(
            counters.session() - session0,
            1,
            "session callback runs once per request"
        );

        // The guard and the handler's extractor: still one lookup.
        let admin = sign_in(&app, "admin", "admin-pw").await;
        let (jwt0, session0) = (counters.jwt(), counters.session());
        let response = send(&app, get("/admin", &admin)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            (counters.jwt() - jwt0, counters.session() - session0),
            (1, 1)
        );

        // No reader, no lookup and no cookie.
        let (jwt0, session0) = (counters.jwt(), counters.session());
        let response = send(&app, get("/plain", &jar)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        assert_eq!((counters.jwt(), counters.session()), (jwt0, session0));
    });
}

#[test]
fn reading_the_session_rolls_the_cookie_and_a_bad_cookie_is_cleared() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let mut jar = sign_in(&app, "alice", "alice-pw").await;
        let before = jar.0.clone();
        let response = send(&app, get("/me", &jar)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let cookies = session_cookies(&response);
        assert_eq!(cookies.len(), 1, "{cookies:?}");
        let cookie = cookies[0].to_ascii_lowercase();
        assert!(
            cookie.contains("httponly")
                && cookie.contains("samesite=lax")
                && cookie.contains("path=/"),
            "{cookie}"
        );
        assert!(cookie.contains("expires="), "{cookie}");
        jar.update(&response);
        assert_ne!(jar.0, before, "the session cookie was re-issued");
        let response = send(&app, get("/me", &jar)).await;
        assert_eq!(response.body(), "2|Alice|user");

        let mut bad = Jar::default();
        bad.0
            .insert("authjs.session-token".into(), "not-a-jwe".into());
        let response = send(&app, get("/maybe", &bad)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let cleared = session_cookies(&response);
        assert!(
            cleared
                .iter()
                .any(|c| c.to_ascii_lowercase().contains("max-age=0") || c.contains("1970")),
            "the bad cookie is not cleared: {cleared:?}"
        );
        assert_eq!(response.body(), "anonymous");
    });
}

#[test]
fn a_server_side_sign_out_wins_over_the_rolling_refresh() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let mut jar = sign_in(&app, "alice", "alice-pw").await;
        let response = send(&app, post_form("/logout", &jar, &[])).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "bye 2");
        let cookies = session_cookies(&response);
        assert_eq!(
            cookies.len(),
            1,
            "only the clearing, no refresh: {cookies:?}"
        );
        jar.update(&response);
        assert!(!jar.has_session());
        let response = send(&app, get("/me", &jar)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    });
}

#[test]
fn sign_out_through_the_scope_ends_the_session() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let mut jar = sign_in(&app, "alice", "alice-pw").await;
        let token = csrf(&app, &mut jar).await;
        let response = send(
            &app,
            post_form(
                "/api/auth/signout",
                &jar,
                &[("csrfToken", &token), ("callbackUrl", "/")],
            ),
        )
        .await;
        assert!(response.status().is_redirection(), "{}", response.status());
        jar.update(&response);
        assert!(!jar.has_session());
        let response = send(&app, get("/me", &jar)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    });
}

#[test]
fn the_flow_checks_csrf_and_so_do_the_application_forms() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        // The flow: a sign-in without the token is refused, no session.
        let mut jar = Jar::default();
        let _ = csrf(&app, &mut jar).await;
        let response = send(
            &app,
            post_form(
                "/api/auth/callback/credentials",
                &jar,
                &[("username", "alice"), ("password", "alice-pw")],
            ),
        )
        .await;
        assert!(response.status().is_redirection());
        assert_eq!(
            response.headers()[header::LOCATION],
            "http://localhost:3000/api/auth/signin?error=MissingCSRF"
        );
        jar.update(&response);
        assert!(!jar.has_session());

        // The application's form: `CsrfToken` sets the cookie once, `CsrfForm` checks it.
        let mut jar = Jar::default();
        let response = send(&app, get("/form", &jar)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let token = response.body().clone();
        assert_eq!(token.len(), 64);
        let cookies: Vec<_> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .collect();
        assert_eq!(cookies.len(), 1, "{cookies:?}");
        assert!(
            cookies[0]
                .to_str()
                .unwrap()
                .starts_with("authjs.csrf-token=")
        );
        jar.update(&response);
        let response = send(&app, get("/form", &jar)).await;
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        assert_eq!(response.body(), &token, "the cookie's token again");
        assert_eq!(csrf(&app, &mut jar).await, token, "GET /api/auth/csrf");

        let response = send(
            &app,
            post_form("/rename", &jar, &[("csrfToken", &token), ("name", "Ada")]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "renamed to Ada");
        for fields in [
            &[("name", "Ada")][..],
            &[("csrfToken", "0".repeat(64).as_str()), ("name", "Ada")][..],
        ] {
            let response = send(&app, post_form("/rename", &jar, fields)).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }
        // The token matches, the form does not: actix-web's form error.
        let response = send(&app, post_form("/rename", &jar, &[("csrfToken", &token)])).await;
        assert!(response.status().is_client_error(), "{}", response.status());
        assert_ne!(response.status(), StatusCode::FORBIDDEN);
    });
}

#[test]
fn the_peer_address_reaches_the_flow_as_the_client_address() {
    let parts = {
        let request = actix_web::test::TestRequest::get()
            .uri("/x?y=1")
            .peer_addr("192.0.2.7:4000".parse().unwrap())
            .insert_header(("x-custom", "1"))
            .to_http_request();
        auth_runtime::actix::request_parts(&request)
    };
    assert_eq!(parts.uri, "/x?y=1");
    assert_eq!(parts.headers["x-custom"], "1");
    assert_eq!(
        parts.extensions.get::<auth_runtime::ClientAddr>(),
        Some(&auth_runtime::ClientAddr("192.0.2.7".parse().unwrap()))
    );
}

/// The README's actix-web block is a part of the `actix` example (compiled by
/// `cargo build -p examples --bin actix`, driven by the browser test).
#[test]
fn readme_block_is_part_of_the_example() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = std::fs::read_to_string(root.join("examples/src/bin/actix/main.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("\n## actix-web\n")
        .nth(1)
        .expect("README has an `## actix-web` section");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the section has a rust code block");
    assert!(
        block.lines().count() > 10 && example.contains(block),
        "README's actix-web block is not part of examples/src/bin/actix/main.rs"
    );
}

/// The connection's peer reaches the flow as the client address: the per-address sign-in
/// limit (20 a minute by default) counts one peer, not another.
#[test]
fn the_sign_in_limit_counts_the_actix_peer() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let mut jar = Jar::default();
        let token = csrf(&app, &mut jar).await;
        let attempt = |peer: &str, n: usize| {
            let username = format!("nobody-{n}");
            post_form(
                "/api/auth/callback/credentials",
                &jar,
                &[
                    ("csrfToken", &token),
                    ("username", &username),
                    ("password", "wrong"),
                ],
            )
            .peer_addr(peer.parse().unwrap())
        };
        let location = |response: &http::Response<String>| {
            response.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .to_owned()
        };
        for n in 0..20 {
            let response = send(&app, attempt("192.0.2.1:5000", n)).await;
            assert!(
                location(&response).contains("error=CredentialsSignin"),
                "attempt {n}"
            );
        }
        let response = send(&app, attempt("192.0.2.1:5001", 20)).await;
        assert!(
            location(&response).contains("error=TooManyAttempts"),
            "{}",
            location(&response)
        );
        let response = send(&app, attempt("198.51.100.2:5000", 21)).await;
        assert!(
            location(&response).contains("error=CredentialsSignin"),
            "another peer is not limited: {}",
            location(&response)
        );
    });
}

/// The scope buffers at most 1 MiB (a larger declared body is refused before reading);
/// the flow itself refuses more than 64 KiB.
#[test]
fn oversized_bodies_are_refused() {
    run(async {
        let app = actix_web::test::init_service(app(Counters::default())).await;
        let huge = "a".repeat(1536 * 1024);
        let response = send(
            &app,
            post_form(
                "/api/auth/callback/credentials",
                &Jar::default(),
                &[("x", &huge)],
            ),
        )
        .await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.body(), "request body too large");
        let large = "a".repeat(100 * 1024);
        let response = send(
            &app,
            post_form(
                "/api/auth/callback/credentials",
                &Jar::default(),
                &[("x", &large)],
            ),
        )
        .await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    });
}
