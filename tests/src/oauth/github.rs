//! A GitHub-shaped OAuth 2.0 server on loopback (GitHub itself cannot be reached from
//! here): authorize (redirects straight back with a code), the token endpoint (checks the
//! client credentials, the single-use code, the PKCE verifier and the redirect URI;
//! answers errors as GitHub does, with 200 and an `error` member; form-encoded unless JSON
//! is asked for), `/user` (no name, no e-mail, like a private profile) and `/user/emails`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use auth_runtime::config::OAuthProvider;
use auth_runtime::providers;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use sha2::Digest;

use crate::serve;

/// The one registered client.
pub const CLIENT_ID: &str = "local-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "local-secret";

/// The server's state, which a test reads and steers.
#[derive(Default)]
pub struct GitHub {
    /// code -> (PKCE challenge, redirect_uri)
    pub codes: Mutex<HashMap<String, (String, String)>>,
    /// How the client authenticated at the token endpoint, per request.
    pub auth_methods: Mutex<Vec<&'static str>>,
    /// `/user/emails` answers 403.
    pub emails_fail: AtomicBool,
    /// Answer the token request form-encoded even when JSON is asked for.
    pub form_answers: AtomicBool,
    /// Numbers the codes.
    pub counter: AtomicUsize,
}

async fn gh_authorize(
    State(gh): State<Arc<GitHub>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let code = format!("gh-code-{}", gh.counter.fetch_add(1, Ordering::SeqCst));
    gh.codes.lock().unwrap().insert(
        code.clone(),
        (q["code_challenge"].clone(), q["redirect_uri"].clone()),
    );
    let mut back = url::Url::parse(&q["redirect_uri"]).unwrap();
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q["state"]);
    Redirect::to(back.as_str()).into_response()
}

async fn gh_token(
    State(gh): State<Arc<GitHub>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let (method, id, secret) = match basic {
        Some(pair) => {
            let (id, secret) = pair.split_once(':').unwrap_or_default();
            ("client_secret_basic", id.to_owned(), secret.to_owned())
        }
        None => (
            "client_secret_post",
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        ),
    };
    gh.auth_methods.lock().unwrap().push(method);
    // GitHub answers errors with 200 and an `error` member.
    let error = |e: &str| {
        axum::Json(json!({"error": e, "error_description": "refused by the test server"}))
            .into_response()
    };
    if id != CLIENT_ID || secret != CLIENT_SECRET {
        return error("incorrect_client_credentials");
    }
    let Some((challenge, redirect_uri)) = gh
        .codes
        .lock()
        .unwrap()
        .remove(form.get("code").map(String::as_str).unwrap_or(""))
    else {
        return error("bad_verification_code");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes())) != challenge
        || form.get("redirect_uri") != Some(&redirect_uri)
    {
        return error("bad_verification_code");
    }
    let body = [
        ("access_token", "gho_test"),
        ("token_type", "bearer"),
        ("scope", "read:user,user:email"),
    ];
    if headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) == Some("application/json")
        && !gh.form_answers.load(Ordering::SeqCst)
    {
        axum::Json(json!({"access_token": "gho_test", "token_type": "bearer", "scope": "read:user,user:email"})).into_response()
    } else {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(body)
            .finish();
        (
            [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
            form,
        )
            .into_response()
    }
}

fn gh_authorized(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some("Bearer gho_test")
        && headers.contains_key(header::USER_AGENT)
}

async fn gh_user(headers: HeaderMap) -> Response {
    if !gh_authorized(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    axum::Json(json!({
        "login": "octocat", "id": 583231, "name": null, "email": null,
        "avatar_url": "https://avatars.example/u/583231",
    }))
    .into_response()
}

async fn gh_emails(State(gh): State<Arc<GitHub>>, headers: HeaderMap) -> Response {
    if !gh_authorized(&headers) || gh.emails_fail.load(Ordering::SeqCst) {
        return StatusCode::FORBIDDEN.into_response();
    }
    axum::Json(json!([
        {"email": "old@example.test", "primary": false, "verified": true, "visibility": null},
        {"email": "octocat@example.test", "primary": true, "verified": true, "visibility": "public"},
    ]))
    .into_response()
}

/// Starts a server (in the calling test's runtime) and returns its state and a `github`
/// provider pointed at it.
pub async fn github_server() -> (Arc<GitHub>, OAuthProvider) {
    let gh = Arc::new(GitHub::default());
    let router = Router::new()
        .route("/login/oauth/authorize", get(gh_authorize))
        .route("/login/oauth/access_token", post(gh_token))
        .route("/user", get(gh_user))
        .route("/user/emails", get(gh_emails))
        .with_state(gh.clone());
    let base = format!("http://{}", serve(router).await);
    let mut provider = providers::github(CLIENT_ID.into(), CLIENT_SECRET.into());
    provider.authorization_url = Some(format!("{base}/login/oauth/authorize").into());
    provider.token_url = Some(format!("{base}/login/oauth/access_token").into());
    provider.userinfo_url = Some(format!("{base}/user").into());
    provider.github_emails_url = Some(format!("{base}/user/emails").into());
    (gh, provider)
}
