//! The axum integration driven with `tower::ServiceExt::oneshot` and real cookies from a
//! real credentials sign-in: mounting, `Session`, `Option<Session>`, `Claims`, one lookup
//! per request, the rolling cookie, rejections.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use auth_runtime::axum::Claims;
use auth_tests::axum_app::*;
use axum::Router;
use axum::routing::get;
use http::{StatusCode, header};

async fn me(session: Session) -> String {
    format!(
        "{}|{}|{}",
        session.user.id,
        session.user.name.unwrap_or_default(),
        session.user.role
    )
}

async fn maybe(session: Option<Session>) -> String {
    match session {
        Some(s) => format!("signed in as {}", s.user.name.unwrap_or_default()),
        None => "anonymous".to_owned(),
    }
}

async fn claims(Claims(token): Claims<Token>) -> String {
    format!("{}|{}", token.sub.unwrap_or_default(), token.role)
}

/// Several extractors in one handler.
async fn all(a: Session, b: Option<Session>, Claims(t): Claims<Token>, c: Session) -> String {
    assert_eq!(Some(&a), b.as_ref());
    assert_eq!(a, c);
    format!("{}|{}", a.user.id, t.role)
}

async fn plain() -> &'static str {
    "no session read"
}

fn app(counters: &Counters) -> Router {
    let auth = auth(counters);
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .route("/claims", get(claims))
        .route("/all", get(all))
        .route("/plain", get(plain))
        .merge(auth.routes())
        .layer(auth.layer())
}

fn session_cookies<B>(response: &http::Response<B>) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|v| v.starts_with("authjs.session-token"))
        .collect()
}

#[tokio::test]
async fn routes_serve_the_flow_under_the_base_path() {
    let app = app(&Counters::default());
    let response = send(&app, req("/api/auth/providers", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&body_string(response).await).unwrap();
    assert_eq!(body["credentials"]["type"], "credentials");
    assert_eq!(
        body["credentials"]["callbackUrl"],
        "http://localhost:3000/api/auth/callback/credentials"
    );

    let response = send(&app, get_html("/api/auth/signin", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = body_string(response).await;
    assert!(
        html.contains("<label for=\"input-username-for-credentials-provider\">Username</label>")
    );

    // Routes outside the base path are the application's.
    let response = send(&app, req("/auth/providers", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn routes_honour_a_configured_base_path() {
    let counters = Counters::default();
    let auth = auth_runtime::Auth::new(config(&counters).with_base_path("/auth")).unwrap();
    let app: Router = Router::new().merge(auth.routes()).layer(auth.layer());
    let response = send(&app, req("/auth/csrf", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body_string(response).await.contains("csrfToken"));
    let response = send(&app, req("/api/auth/csrf", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn session_extractor_gives_the_typed_session_after_a_real_sign_in() {
    let app = app(&Counters::default());
    let jar = sign_in(&app, "admin", "admin-pw").await;
    assert!(
        jar.has_session(),
        "no session cookie after sign-in: {jar:?}"
    );
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "1|Ada Admin|admin");

    let response = send(&app, req("/claims", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "1|admin");

    let response = send(&app, req("/maybe", &jar)).await;
    assert_eq!(body_string(response).await, "signed in as Ada Admin");
}

#[tokio::test]
async fn wrong_password_gives_no_session() {
    let app = app(&Counters::default());
    let jar = sign_in(&app, "admin", "wrong").await;
    assert!(!jar.has_session());
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signed_out_api_request_gets_401_json() {
    let app = app(&Counters::default());
    for path in ["/me", "/claims", "/all"] {
        let response = send(&app, req(path, &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body: serde_json::Value = serde_json::from_str(&body_string(response).await).unwrap();
        assert_eq!(body["error"], "SessionRequired", "{path}");
    }
}

#[tokio::test]
async fn signed_out_browser_is_redirected_to_sign_in_with_callback_url() {
    let app = app(&Counters::default());
    let response = send(&app, get_html("/me?tab=a&x=1", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/api/auth/signin?callbackUrl=%2Fme%3Ftab%3Da%26x%3D1"
    );
}

#[tokio::test]
async fn redirect_keeps_the_nest_prefix_and_uses_a_custom_sign_in_page() {
    let counters = Counters::default();
    let pages = auth_runtime::config::Pages {
        sign_in: Some("/login".into()),
        ..Default::default()
    };
    let auth = auth_runtime::Auth::new(config(&counters).__pages(pages)).unwrap();
    let app = Router::new()
        .nest("/app", Router::new().route("/me", get(me)))
        .merge(auth.routes())
        .layer(auth.layer());
    let response = send(&app, get_html("/app/me", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/login?callbackUrl=%2Fapp%2Fme"
    );
}

#[tokio::test]
async fn optional_session_is_none_when_signed_out() {
    let app = app(&Counters::default());
    let response = send(&app, req("/maybe", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "anonymous");
}

#[tokio::test]
async fn several_extractors_share_one_lookup_per_request() {
    let counters = Counters::default();
    let app = app(&counters);
    let jar = sign_in(&app, "alice", "alice-pw").await;
    let (jwt0, session0) = (counters.jwt(), counters.session());
    let response = send(&app, req("/all", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        session_cookies(&response).len(),
        1,
        "exactly one refreshed session cookie"
    );
    assert_eq!(body_string(response).await, "2|user");
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

    // A second request is a second lookup.
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(counters.jwt() - jwt0, 2);
}

#[tokio::test]
async fn no_lookup_and_no_cookie_when_no_handler_reads_the_session() {
    let counters = Counters::default();
    let app = app(&counters);
    let jar = sign_in(&app, "alice", "alice-pw").await;
    let (jwt0, session0) = (counters.jwt(), counters.session());
    let response = send(&app, req("/plain", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert_eq!((counters.jwt(), counters.session()), (jwt0, session0));
}

#[tokio::test]
async fn reading_the_session_refreshes_the_cookie_and_the_new_cookie_works() {
    let app = app(&Counters::default());
    let mut jar = sign_in(&app, "alice", "alice-pw").await;
    let before = jar.0.clone();
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = session_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = cookies[0].to_ascii_lowercase();
    assert!(
        cookie.contains("httponly") && cookie.contains("samesite=lax") && cookie.contains("path=/"),
        "{cookie}"
    );
    assert!(
        cookie.contains("expires=") || cookie.contains("max-age="),
        "{cookie}"
    );
    jar.update(&response);
    assert_ne!(jar.0, before, "the session cookie was re-issued");
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(body_string(response).await, "2|Alice|user");
}

#[tokio::test]
async fn a_garbage_session_cookie_is_treated_as_signed_out_and_cleared() {
    let app = app(&Counters::default());
    let mut jar = Jar::default();
    jar.0
        .insert("authjs.session-token".into(), "not-a-jwe".into());
    let response = send(&app, req("/maybe", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cleared = session_cookies(&response);
    assert!(
        cleared
            .iter()
            .any(|c| c.to_ascii_lowercase().contains("max-age=0") || c.contains("1970")),
        "the bad cookie is not cleared: {cleared:?}"
    );
    assert_eq!(body_string(response).await, "anonymous");
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_out_through_the_mounted_flow_ends_the_session() {
    let app = app(&Counters::default());
    let mut jar = sign_in(&app, "alice", "alice-pw").await;
    let token = csrf(&app, &mut jar).await;
    let request = http::Request::builder()
        .method("POST")
        .uri("/api/auth/signout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, jar.header())
        .body(axum::body::Body::from(form(&[
            ("csrfToken", &token),
            ("callbackUrl", "/"),
        ])))
        .unwrap();
    let response = send(&app, request).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    jar.update(&response);
    assert!(!jar.has_session());
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_layer_is_a_500_that_names_the_fix() {
    let counters = Counters::default();
    let auth = auth(&counters);
    let app: Router = Router::new().route("/me", get(me)).merge(auth.routes());
    let response = send(&app, req("/me", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = body_string(response).await;
    assert!(body.contains("auth.layer()"), "{body}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_the_flow() {
    let app = app(&Counters::default());
    let request = http::Request::builder()
        .method("POST")
        .uri("/api/auth/callback/credentials")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(vec![b'a'; 2 * 1024 * 1024]))
        .unwrap();
    let response = send(&app, request).await;
    assert!(
        response.status() == StatusCode::PAYLOAD_TOO_LARGE
            || response.status() == StatusCode::BAD_REQUEST,
        "{}",
        response.status()
    );
}

#[tokio::test]
async fn a_protocol_relative_request_target_never_becomes_the_callback_url() {
    let auth = auth(&Counters::default());
    // A fallback handler so that any request target reaches the extractor.
    let app = Router::new().fallback(me).layer(auth.layer());
    for (target, callback) in [
        ("//evil.example/me", "%2F"),
        ("/\\evil.example/me", "%2F"),
        ("/ok/me?a=b", "%2Fok%2Fme%3Fa%3Db"),
    ] {
        let mut request = req("/", &Jar::default());
        *request.uri_mut() = http::Uri::builder().path_and_query(target).build().unwrap();
        request
            .headers_mut()
            .insert(header::ACCEPT, "text/html".parse().unwrap());
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{target}");
        assert_eq!(
            response.headers()[header::LOCATION],
            format!("/api/auth/signin?callbackUrl={callback}").as_str(),
            "{target}"
        );
    }
}

#[tokio::test]
async fn optional_claims_is_none_when_signed_out_and_the_token_when_signed_in() {
    async fn maybe_claims(claims: Option<Claims<Token>>) -> String {
        claims.map_or_else(|| "none".to_owned(), |Claims(t)| t.role)
    }
    let counters = Counters::default();
    let auth = auth(&counters);
    let app = Router::new()
        .route("/maybe-claims", get(maybe_claims))
        .merge(auth.routes())
        .layer(auth.layer());
    let response = send(&app, req("/maybe-claims", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "none");
    let jar = sign_in(&app, "admin", "admin-pw").await;
    let response = send(&app, req("/maybe-claims", &jar)).await;
    assert_eq!(body_string(response).await, "admin");
}

/// A middleware inside the layer that reads the session on every request (as a template
/// or logging middleware does) also runs on `/api/auth/*`: the refreshed cookie of the
/// incoming session must not undo the sign-out the flow answers with.
#[tokio::test]
async fn session_reading_middleware_does_not_undo_a_sign_out() {
    async fn peek(
        session: Option<Session>,
        request: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> axum::response::Response {
        let _ = session;
        next.run(request).await
    }
    let auth = auth(&Counters::default());
    let app = Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(axum::middleware::from_fn(peek))
        .layer(auth.layer());
    let mut jar = sign_in(&app, "alice", "alice-pw").await;
    assert!(jar.has_session());
    let token = csrf(&app, &mut jar).await;
    let request = http::Request::builder()
        .method("POST")
        .uri("/api/auth/signout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, jar.header())
        .body(axum::body::Body::from(form(&[
            ("csrfToken", &token),
            ("callbackUrl", "/"),
        ])))
        .unwrap();
    let response = send(&app, request).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    for cookie in session_cookies(&response) {
        assert!(
            cookie.contains("Max-Age=0") || cookie.contains("Expires=Thu, 01 Jan 1970"),
            "only clearing session cookies after a sign-out: {cookie}"
        );
    }
    jar.update(&response);
    assert!(!jar.has_session());
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
