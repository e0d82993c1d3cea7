//! CSRF for the application's own forms: `CsrfToken` hands out the flow's token (setting
//! the cookie when missing), `CsrfForm<F>` checks it (403) before deserializing `F`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_runtime::axum::{CsrfForm, CsrfToken};
use auth_tests::axum_app::*;
use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use http::{Request, StatusCode, header};

#[derive(serde::Deserialize)]
struct Rename {
    name: String,
}

async fn page(CsrfToken(token): CsrfToken, again: CsrfToken) -> String {
    assert_eq!(token, again.0, "one token per request");
    token
}

async fn rename(CsrfForm(form): CsrfForm<Rename>) -> String {
    format!("renamed to {}", form.name)
}

fn app() -> (Router, auth_runtime::Auth<Token, SessionUser>) {
    let auth = auth(&Counters::default());
    let app = Router::new()
        .route("/settings", get(page))
        .route("/rename", post(rename))
        .merge(auth.routes())
        .layer(auth.layer());
    (app, auth)
}

fn post_form(path: &str, jar: &Jar, fields: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !jar.0.is_empty() {
        builder = builder.header(header::COOKIE, jar.header());
    }
    builder.body(Body::from(form(fields))).unwrap()
}

#[tokio::test]
async fn token_sets_cookie_and_form_is_checked() {
    let (app, _auth) = app();
    let mut jar = Jar::default();

    // No cookie yet: a new token, its cookie set by the layer.
    let response = send(&app, req("/settings", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].starts_with("authjs.csrf-token="), "{cookies:?}");
    jar.update(&response);
    let token = body_string(response).await;
    assert_eq!(token.len(), 64);

    // With the cookie: the same token, no new cookie; and the flow agrees.
    let response = send(&app, req("/settings", &jar)).await;
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(body_string(response).await, token);
    assert_eq!(csrf(&app, &mut jar).await, token, "GET /api/auth/csrf");

    // The right token: the form is read.
    let response = send(
        &app,
        post_form("/rename", &jar, &[("csrfToken", &token), ("name", "Ada")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "renamed to Ada");

    // Missing, wrong, or without the cookie: 403 with a clear body.
    let wrong = "0".repeat(64);
    for (jar, fields) in [
        (&jar, vec![("name", "Ada")]),
        (&jar, vec![("csrfToken", wrong.as_str()), ("name", "Ada")]),
        (
            &Jar::default(),
            vec![("csrfToken", token.as_str()), ("name", "Ada")],
        ),
    ] {
        let response = send(&app, post_form("/rename", jar, &fields)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body = body_string(response).await;
        assert!(
            body.contains("CSRF token is missing or does not match"),
            "{body}"
        );
    }

    // The right token but not the form `F` expects: axum's form rejection.
    let response = send(&app, post_form("/rename", &jar, &[("csrfToken", &token)])).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn without_the_layer_names_no_internal_type() {
    let app: Router = Router::new().route("/settings", get(page));
    let response = send(&app, req("/settings", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = body_string(response).await;
    assert!(!body.contains("auth_runtime"), "{body}");
}
