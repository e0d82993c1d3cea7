//! Extractors: `Session<U>`, `Option<Session<U>>`, `Claims<T>`, and their rejection.

use std::fmt;

use ::axum::extract::{FromRequestParts, OptionalFromRequestParts};
use ::axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};

use super::layer::{ClaimsHandle, SessionHandle};
use crate::config::{Session, SessionUserData, TokenData};

/// The typed token of the signed-in user, after the `jwt` callback (jwt strategy).
///
/// ```ignore
/// async fn handler(Claims(token): Claims<auth::Token>) -> String { token.sub }
/// ```
///
/// Rejects like [`Session`] when signed out; `Option<Claims<T>>` never rejects a signed-out
/// request. Under the database strategy there is no token: a signed-in request is refused
/// with `500` (a wiring mistake: extract [`Session`] instead), never sent to the sign-in
/// page, which would send it back here.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims<T>(pub T);

/// Why a [`Session`] (or [`Claims`], or a guard) refused a request.
///
/// As a response: `401` JSON `{"error":"SessionRequired",..}`, or a `303` redirect to the
/// sign-in page with `callbackUrl` when the request accepts `text/html`; `403` when a
/// [`require`](super::require) check fails; `500` when [`Auth::layer`](crate::Auth::layer)
/// is missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRejection {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    MissingLayer(&'static str),
    SignInRequired {
        sign_in_url: String,
        html: bool,
    },
    Forbidden {
        html: bool,
    },
    Unavailable {
        html: bool,
    },
    /// `Claims<T>` under the database strategy, for a signed-in user: there is no token.
    NoToken(&'static str),
}

impl SessionRejection {
    pub(crate) fn missing_layer(what: &'static str) -> Self {
        SessionRejection {
            kind: Kind::MissingLayer(what),
        }
    }

    pub(crate) fn sign_in_required(sign_in_url: String, parts: &Parts) -> Self {
        SessionRejection {
            kind: Kind::SignInRequired {
                sign_in_url,
                html: wants_html(parts),
            },
        }
    }

    pub(crate) fn no_token(what: &'static str) -> Self {
        SessionRejection {
            kind: Kind::NoToken(what),
        }
    }

    pub(crate) fn forbidden(parts: &Parts) -> Self {
        SessionRejection {
            kind: Kind::Forbidden {
                html: wants_html(parts),
            },
        }
    }

    pub(crate) fn unavailable(parts: &Parts) -> Self {
        SessionRejection {
            kind: Kind::Unavailable {
                html: wants_html(parts),
            },
        }
    }

    /// The response status: 401 (or 303 for a browser), 403, 500, or 503 when the session
    /// database is unreachable (database strategy; not a sign-out).
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            Kind::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Kind::MissingLayer(_) | Kind::NoToken(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::SignInRequired { html: true, .. } => StatusCode::SEE_OTHER,
            Kind::SignInRequired { html: false, .. } => StatusCode::UNAUTHORIZED,
            Kind::Forbidden { .. } => StatusCode::FORBIDDEN,
        }
    }

    /// Where a browser is sent to sign in (with `callbackUrl`), when that is the reason.
    pub fn sign_in_url(&self) -> Option<&str> {
        match &self.kind {
            Kind::SignInRequired { sign_in_url, .. } => Some(sign_in_url),
            _ => None,
        }
    }
}

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            // No type name here: this text is the response body (the log names the type).
            Kind::MissingLayer(_) => f.write_str(
                "no auth context in this request: is `auth.layer()` enabled? add \
                 `.layer(auth.layer())` to the router, after every route that reads the \
                 session, and extract the `Session`/`Claims` types of that same `Auth`",
            ),
            Kind::NoToken(_) => f.write_str(
                "this route reads the session token (`Claims`), but sessions are kept in the \
                 database (`strategy: database`), where there is no token: extract `Session` instead",
            ),
            Kind::SignInRequired { .. } => f.write_str("sign in to access this resource"),
            Kind::Forbidden { .. } => {
                f.write_str("you do not have permission to access this resource")
            }
            Kind::Unavailable { .. } => {
                f.write_str("the session database is unavailable; try again in a moment")
            }
        }
    }
}

impl std::error::Error for SessionRejection {}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    with_content_type(status, body.to_string(), "application/json")
}

fn html(status: StatusCode, page: String) -> Response {
    with_content_type(status, page, "text/html; charset=utf-8")
}

fn with_content_type(status: StatusCode, body: String, content_type: &'static str) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.to_string();
        let mut response = match self.kind {
            Kind::MissingLayer(what) => {
                tracing::error!(extractor = what, "{message}");
                json(
                    status,
                    serde_json::json!({"error": "Configuration", "message": message}),
                )
            }
            Kind::NoToken(what) => {
                tracing::error!(extractor = what, "{message}");
                json(
                    status,
                    serde_json::json!({"error": "Configuration", "message": message}),
                )
            }
            Kind::SignInRequired {
                sign_in_url,
                html: true,
            } => {
                let mut response = status.into_response();
                match HeaderValue::from_str(&sign_in_url) {
                    Ok(location) => {
                        response.headers_mut().insert(header::LOCATION, location);
                    }
                    // Unreachable in practice: the URL is percent-encoded.
                    Err(_) => *response.status_mut() = StatusCode::UNAUTHORIZED,
                }
                response
            }
            Kind::SignInRequired {
                sign_in_url,
                html: false,
            } => json(
                status,
                serde_json::json!({"error": "SessionRequired", "message": message, "url": sign_in_url}),
            ),
            Kind::Forbidden { html: true } => html(status, crate::pages::forbidden("/")),
            Kind::Forbidden { html: false } => json(
                status,
                serde_json::json!({"error": "AccessDenied", "message": message}),
            ),
            Kind::Unavailable { html: true } => html(
                status,
                format!(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Service unavailable</title></head>\
                     <body><h1>Service unavailable</h1><p>{message}.</p></body></html>"
                ),
            ),
            Kind::Unavailable { html: false } => json(
                status,
                serde_json::json!({"error": "ServiceUnavailable", "message": message}),
            ),
        };
        if matches!(status, StatusCode::SERVICE_UNAVAILABLE) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, no-store"),
        );
        response
    }
}

/// A browser navigation (`Accept: text/html`) gets a redirect or a page, not JSON.
fn wants_html(parts: &Parts) -> bool {
    parts
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"))
}

pub(crate) async fn session_of<U: SessionUserData>(
    parts: &Parts,
) -> Result<Option<Session<U>>, SessionRejection> {
    let handle = parts
        .extensions
        .get::<SessionHandle<U>>()
        .cloned()
        .ok_or_else(|| SessionRejection::missing_layer(std::any::type_name::<Session<U>>()))?;
    handle.0.session(parts).await
}

/// How the request's session was authenticated (`SessionLookup::amr`).
pub(crate) async fn session_amr_of<U: SessionUserData>(
    parts: &Parts,
) -> Result<Vec<String>, SessionRejection> {
    let handle = parts
        .extensions
        .get::<SessionHandle<U>>()
        .cloned()
        .ok_or_else(|| SessionRejection::missing_layer(std::any::type_name::<Session<U>>()))?;
    handle.0.amr(parts).await
}

pub(crate) async fn require_session_of<U: SessionUserData>(
    parts: &Parts,
) -> Result<Session<U>, SessionRejection> {
    let handle = parts
        .extensions
        .get::<SessionHandle<U>>()
        .cloned()
        .ok_or_else(|| SessionRejection::missing_layer(std::any::type_name::<Session<U>>()))?;
    match handle.0.session(parts).await? {
        Some(session) => Ok(session),
        None => Err(SessionRejection::sign_in_required(
            handle.0.sign_in_url(parts),
            parts,
        )),
    }
}

/// The signed-in user's session; a signed-out request is refused with
/// [`SessionRejection`] (401 JSON, or a redirect to the sign-in page for a browser).
impl<S: Send + Sync, U: SessionUserData> FromRequestParts<S> for Session<U> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        require_session_of(parts).await
    }
}

/// `Option<Session>`: `None` when signed out (rejects only when the layer is missing).
impl<S: Send + Sync, U: SessionUserData> OptionalFromRequestParts<S> for Session<U> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        session_of(parts).await
    }
}

fn claims_handle<T: TokenData>(parts: &Parts) -> Result<ClaimsHandle<T>, SessionRejection> {
    parts
        .extensions
        .get::<ClaimsHandle<T>>()
        .cloned()
        .ok_or_else(|| SessionRejection::missing_layer(std::any::type_name::<Claims<T>>()))
}

impl<S: Send + Sync, T: TokenData> FromRequestParts<S> for Claims<T> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let handle = claims_handle::<T>(parts)?;
        match handle.0.token(parts).await? {
            Some(token) => Ok(Claims(token)),
            None => Err(SessionRejection::sign_in_required(
                handle.0.sign_in_url(parts),
                parts,
            )),
        }
    }
}

impl<S: Send + Sync, T: TokenData> OptionalFromRequestParts<S> for Claims<T> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let handle = claims_handle::<T>(parts)?;
        Ok(handle.0.token(parts).await?.map(Claims))
    }
}
