//! The server-side session operations in axum handlers: `SessionChange` sets its cookies
//! as response parts, `SessionError` answers without internal detail.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_runtime::{Auth, SessionError, User};
use auth_tests::axum_app::*;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use http::StatusCode;
use http::request::Parts;

type AppAuth = Auth<Token, SessionUser>;

async fn register(
    State(auth): State<AppAuth>,
    parts: Parts,
) -> Result<impl IntoResponse, SessionError> {
    let name = parts.uri.query().unwrap_or("newcomer").to_owned();
    let user = User::new(format!("id-{name}")).with_name(name);
    let change = auth.sign_up(&parts, user).await?;
    Ok((change, Redirect::to("/me")))
}

async fn leave(
    State(auth): State<AppAuth>,
    parts: Parts,
) -> Result<impl IntoResponse, SessionError> {
    Ok((auth.sign_out(&parts).await?, "bye"))
}

async fn rename(
    State(auth): State<AppAuth>,
    parts: Parts,
) -> Result<impl IntoResponse, SessionError> {
    let change = auth
        .update_session(&parts, serde_json::json!({ "name": "ignored" }))
        .await?;
    let name = change
        .session
        .as_ref()
        .and_then(|s| s.user.name.clone())
        .unwrap_or_default();
    Ok((change, name))
}

async fn me(session: Session) -> String {
    format!(
        "{}:{}",
        session.user.id,
        session.user.name.unwrap_or_default()
    )
}

fn app(auth: &AppAuth) -> Router {
    Router::new()
        .route("/register", post(register))
        .route("/leave", post(leave))
        .route("/rename", post(rename))
        .route("/me", get(me))
        .with_state(auth.clone())
        .merge(auth.routes())
        .layer(auth.layer())
}

fn post_req(path: &str, jar: &Jar) -> http::Request<axum::body::Body> {
    let mut request = req(path, jar);
    *request.method_mut() = http::Method::POST;
    request
}

#[tokio::test]
async fn sign_up_update_and_sign_out_from_handlers() {
    let counters = Counters::default();
    let auth = auth(&counters);
    let app = app(&auth);
    let mut jar = Jar::default();

    let response = send(&app, post_req("/register?newt", &jar)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    jar.update(&response);
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, "id-newt:newt");

    // This config's `jwt` ignores the data: the update runs `jwt` and `session` once each
    // (the layer's own lookup does not run: nothing extracts the session) and re-issues
    // the cookie.
    let (jwt, session) = (counters.jwt(), counters.session());
    let response = send(&app, post_req("/rename", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!((counters.jwt() - jwt, counters.session() - session), (1, 1));
    assert!(
        response
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("authjs.session-token="))
    );
    jar.update(&response);
    assert_eq!(body_string(response).await, "newt");
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(body_string(response).await, "id-newt:newt");

    let response = send(&app, post_req("/leave", &jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    jar.update(&response);
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_errors_answer_without_internals() {
    let cases = [
        (
            SessionError::AccessDenied { redirect: None },
            StatusCode::FORBIDDEN,
            "AccessDenied",
        ),
        (
            SessionError::Unavailable("pool timed out".to_owned()),
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
        ),
        (
            SessionError::Failed("the default token does not fit Tok".to_owned()),
            StatusCode::INTERNAL_SERVER_ERROR,
            "Configuration",
        ),
    ];
    for (error, status, kind) in cases {
        let response = error.into_response();
        assert_eq!(response.status(), status);
        let body = body_string(response).await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["error"], kind);
        assert!(
            !body.contains("pool timed out") && !body.contains("Tok"),
            "{body}"
        );
    }
}
