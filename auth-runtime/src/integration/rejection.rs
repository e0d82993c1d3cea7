//! [`SessionRejection`]: why an extractor or a guard refused a request, and its answer (the
//! 401-for-API / redirect-for-browsers split), built once as an `http::Response` that each
//! framework converts.

use std::fmt;

use http::request::Parts;
use http::{HeaderValue, Response, StatusCode, header};

use super::Framework;

/// Why a [`Session`](crate::Session) (or `Claims`, or a guard) refused a request.
///
/// As a response: `401` JSON `{"error":"SessionRequired",..}`, or a `303` redirect to the
/// sign-in page with `callbackUrl` when the request accepts `text/html`; `403` when a
/// [`require`](super::require) check fails; `500` when the per-request layer is missing
/// (`Auth::layer` under axum, `Auth::middleware` under actix-web).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRejection {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    MissingLayer {
        what: &'static str,
        framework: Framework,
    },
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
    pub(crate) fn missing_layer(what: &'static str, framework: Framework) -> Self {
        SessionRejection {
            kind: Kind::MissingLayer { what, framework },
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
            Kind::MissingLayer { .. } | Kind::NoToken(_) => StatusCode::INTERNAL_SERVER_ERROR,
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

    /// Logs a wiring mistake (a missing layer, `Claims` without a token) as an error, with
    /// the type that asked; other refusals are not logged.
    pub(crate) fn log(&self) {
        match &self.kind {
            Kind::MissingLayer { what, .. } | Kind::NoToken(what) => {
                tracing::error!(extractor = what, "{self}");
            }
            _ => {}
        }
    }

    /// The answer, for the framework to convert: a JSON body for API callers, a redirect or
    /// a page for browsers; always `Cache-Control: private, no-cache, no-store`.
    pub(crate) fn to_response(&self) -> Response<String> {
        let status = self.status();
        let message = self.to_string();
        let mut response = match &self.kind {
            Kind::MissingLayer { .. } | Kind::NoToken(_) => json(
                status,
                serde_json::json!({"error": "Configuration", "message": message}),
            ),
            Kind::SignInRequired {
                sign_in_url,
                html: true,
            } => {
                let mut response = Response::new(String::new());
                *response.status_mut() = status;
                match HeaderValue::from_str(sign_in_url) {
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

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            // No type name here: this text is the response body (the log names the type).
            Kind::MissingLayer { framework, .. } => write!(
                f,
                "no auth context in this request: {}, and extract the `Session`/`Claims` \
                 types of that same `Auth`",
                framework.missing_layer_fix()
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

fn json(status: StatusCode, body: serde_json::Value) -> Response<String> {
    with_content_type(status, body.to_string(), "application/json")
}

fn html(status: StatusCode, page: String) -> Response<String> {
    with_content_type(status, page, "text/html; charset=utf-8")
}

fn with_content_type(
    status: StatusCode,
    body: String,
    content_type: &'static str,
) -> Response<String> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
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
