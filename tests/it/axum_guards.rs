//! `auth.require_session()` (with `except`) and `require(..)` role checks, with real
//! sessions from a real credentials sign-in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use auth_runtime::axum::require;
use auth_tests::axum_app::*;
use axum::Router;
use axum::routing::get;
use http::{StatusCode, header};

async fn ok() -> &'static str {
    "ok"
}

async fn whoami(session: Session) -> String {
    session.user.id
}

fn app(counters: &Counters) -> Router {
    let auth = auth(counters);
    let admin = Router::new()
        .route("/admin", get(whoami))
        .route_layer(require(|s: &Session| s.user.role == "admin"));
    Router::new()
        .route("/private", get(whoami))
        .route("/health", get(ok))
        .route("/items/{id}", get(ok))
        .route_layer(auth.require_session().except("/health"))
        .route("/", get(ok))
        .merge(admin)
        .merge(auth.routes())
        .layer(auth.layer())
}

#[tokio::test]
async fn require_session_refuses_signed_out_requests_to_the_group() {
    let app = app(&Counters::default());
    for path in ["/private", "/items/7"] {
        let response = send(&app, req(path, &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        let response = send(&app, get_html(path, &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        assert!(
            location.starts_with("/api/auth/signin?callbackUrl=%2F"),
            "{location}"
        );
    }
}

#[tokio::test]
async fn except_and_routes_added_after_the_layer_stay_public() {
    let counters = Counters::default();
    let app = app(&counters);
    for path in ["/health", "/"] {
        let response = send(&app, req(path, &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(
        counters.jwt() + counters.session(),
        0,
        "public routes read no session"
    );
}

#[tokio::test]
async fn require_session_lets_a_signed_in_user_through_with_one_lookup() {
    let counters = Counters::default();
    let app = app(&counters);
    let jar = sign_in(&app, "alice", "alice-pw").await;
    let jwt0 = counters.jwt();
    let response = send(&app, req("/private", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "2");
    assert_eq!(
        counters.jwt() - jwt0,
        1,
        "the guard and the extractor share one lookup"
    );
    let response = send(&app, req("/items/7", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn require_checks_the_role_on_the_typed_session() {
    let app = app(&Counters::default());
    let admin = sign_in(&app, "admin", "admin-pw").await;
    let response = send(&app, req("/admin", &admin)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "1");

    let alice = sign_in(&app, "alice", "alice-pw").await;
    let response = send(&app, req("/admin", &alice)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = serde_json::from_str(&body_string(response).await).unwrap();
    assert_eq!(body["error"], "AccessDenied");

    let response = send(&app, get_html("/admin", &alice)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = body_string(response).await;
    assert!(
        html.contains("role=\"alert\"")
            && html.contains("You do not have permission to view this page.")
    );

    let response = send(&app, req("/admin", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// `auth.require(|s| ..)`: the closure's argument type is inferred from the `Auth`.
#[tokio::test]
async fn require_method_infers_the_session_type() {
    let auth = auth(&Counters::default());
    let app = Router::new()
        .route("/admin", get(whoami))
        .route_layer(auth.require(|s| s.user.role == "admin"))
        .merge(auth.routes())
        .layer(auth.layer());
    let admin = sign_in(&app, "admin", "admin-pw").await;
    assert_eq!(
        send(&app, req("/admin", &admin)).await.status(),
        StatusCode::OK
    );
    let alice = sign_in(&app, "alice", "alice-pw").await;
    assert_eq!(
        send(&app, req("/admin", &alice)).await.status(),
        StatusCode::FORBIDDEN
    );
}
