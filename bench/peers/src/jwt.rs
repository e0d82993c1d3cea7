//! The hand-rolled baseline: an HS256 JWT in a cookie, verified with `jsonwebtoken` on every
//! request (signature, `exp`), and the session body built from its claims. No rolling
//! expiry, no encryption, no callbacks: what a service writes when it skips a library.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::{LoginForm, demo};

/// The cookie holding the token.
const COOKIE_NAME: &str = "token";
/// Token lifetime: 30 days, Auth.js's default session age.
const MAX_AGE: u64 = 30 * 24 * 60 * 60;

/// The token's claims.
#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    name: String,
    email: String,
    role: String,
    iat: u64,
    exp: u64,
}

/// The session body, shaped like Auth.js's `GET /session`.
#[derive(Serialize)]
struct SessionBody<'a> {
    user: SessionUser<'a>,
    expires: u64,
}

#[derive(Serialize)]
struct SessionUser<'a> {
    name: &'a str,
    email: &'a str,
    id: &'a str,
    role: &'a str,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// `POST /login` and `GET /api/auth/session`.
pub fn app() -> Router {
    let secret = std::env::var("AUTH_SECRET")
        .unwrap_or_else(|_| "bench-only-secret-not-for-production".to_owned());
    let keys = Keys {
        encoding: EncodingKey::from_secret(secret.as_bytes()),
        decoding: DecodingKey::from_secret(secret.as_bytes()),
        validation: Validation::new(Algorithm::HS256),
    };
    Router::new()
        .route("/login", post(login))
        .route("/api/auth/session", get(session))
        .with_state(Arc::new(keys))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn login(State(keys): State<Arc<Keys>>, Form(form): Form<LoginForm>) -> Response {
    if !form.is_demo() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let iat = now();
    let claims = Claims {
        sub: demo::ID.to_owned(),
        name: demo::NAME.to_owned(),
        email: demo::EMAIL.to_owned(),
        role: demo::ROLE.to_owned(),
        iat,
        exp: iat + MAX_AGE,
    };
    match jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding) {
        Ok(token) => (
            [(
                SET_COOKIE,
                format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={MAX_AGE}"),
            )],
            StatusCode::NO_CONTENT,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The cookie's value, from any `Cookie` header.
fn token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('='))
}

async fn session(State(keys): State<Arc<Keys>>, headers: HeaderMap) -> Response {
    let Some(token) = token(&headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match jsonwebtoken::decode::<Claims>(token, &keys.decoding, &keys.validation) {
        Ok(data) => {
            let c = &data.claims;
            Json(SessionBody {
                user: SessionUser {
                    name: &c.name,
                    email: &c.email,
                    id: &c.sub,
                    role: &c.role,
                },
                expires: c.exp,
            })
            .into_response()
        }
        Err(_) => StatusCode::UNAUTHORIZED.into_response(),
    }
}
