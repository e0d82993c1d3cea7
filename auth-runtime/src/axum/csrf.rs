//! CSRF for the application's own forms: [`CsrfToken`] hands out Auth.js's double-submit
//! token (setting its cookie when missing), [`CsrfForm`] checks it before deserializing the
//! form. One implementation (`crate::csrf`), shared with the flow's own POSTs.

use std::fmt;

use ::axum::body::{Body, to_bytes};
use ::axum::extract::{Form, FromRequest, FromRequestParts, Request};
use ::axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::layer::CsrfHandle;

/// The largest form body [`CsrfForm`] reads (the flow's own limit).
const MAX_FORM: usize = 64 * 1024;

/// The request's CSRF token, to render in the form's hidden `csrfToken` field:
///
/// ```ignore
/// async fn settings(CsrfToken(token): CsrfToken) -> Html<String> {
///     Html(format!(r#"<form method="post" action="/settings">
///         <input type="hidden" name="csrfToken" value="{token}"> ..</form>"#))
/// }
/// ```
///
/// The same token `GET /api/auth/csrf` answers. When the request has no valid CSRF cookie a
/// new token is made and [`Auth::layer`](crate::Auth::layer) sets its cookie on the
/// response (one token per request, however many extractors ask). The token is 64 hex
/// characters: safe in HTML without escaping.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken(..)")
    }
}

/// A form posted by the application's own page, its `csrfToken` field checked against the
/// CSRF cookie (Auth.js's double submit, constant time) before `F` is deserialized from it:
///
/// ```ignore
/// #[derive(Deserialize)]
/// struct Revoke { device: String }          // `csrfToken` is ignored by serde
///
/// async fn revoke(session: auth::Session, CsrfForm(form): CsrfForm<Revoke>) -> Redirect { .. }
/// ```
///
/// Refused with [`CsrfRejection`]: `403` when the token is missing or does not match,
/// `400`/`415`/`422` when the body is not the form `F` expects.
#[derive(Clone, Debug)]
pub struct CsrfForm<F>(pub F);

/// Why [`CsrfToken`] or [`CsrfForm`] refused a request.
#[derive(Debug)]
pub struct CsrfRejection {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    MissingLayer,
    UntrustedHost,
    Forbidden(&'static str),
    TooLarge,
    Form(Box<Response>),
}

impl CsrfRejection {
    /// The response status.
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            Kind::MissingLayer => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::UntrustedHost => StatusCode::BAD_REQUEST,
            Kind::Forbidden(_) => StatusCode::FORBIDDEN,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Form(response) => response.status(),
        }
    }
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::MissingLayer => f.write_str(
                "no auth context for the CSRF extractors in this request: is `auth.layer()` \
                 enabled? add `.layer(auth.layer())` to the router, after this route",
            ),
            Kind::UntrustedHost => f.write_str("the request's host is missing or not trusted"),
            Kind::Forbidden(_) => f.write_str(
                "the form's CSRF token is missing or does not match; reload the page and submit \
                 the form again",
            ),
            Kind::TooLarge => write!(f, "the form is larger than {MAX_FORM} bytes"),
            Kind::Form(_) => f.write_str("the form could not be read"),
        }
    }
}

impl std::error::Error for CsrfRejection {}

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        let message = self.to_string();
        match self.kind {
            Kind::Form(response) => *response,
            Kind::MissingLayer => {
                tracing::error!("{message}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server could not complete the request; see the server log",
                )
                    .into_response()
            }
            Kind::Forbidden(reason) => {
                tracing::info!(reason, "form refused: CSRF check failed (403)");
                (StatusCode::FORBIDDEN, message).into_response()
            }
            kind => (CsrfRejection { kind }.status(), message).into_response(),
        }
    }
}

fn handle(parts: &Parts) -> Result<CsrfHandle, CsrfRejection> {
    parts
        .extensions
        .get::<CsrfHandle>()
        .cloned()
        .ok_or(CsrfRejection {
            kind: Kind::MissingLayer,
        })
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        handle(parts)?
            .0
            .token(parts)
            .map(CsrfToken)
            .ok_or(CsrfRejection {
                kind: Kind::UntrustedHost,
            })
    }
}

impl<S, F> FromRequest<S> for CsrfForm<F>
where
    S: Send + Sync,
    F: DeserializeOwned + Send,
{
    type Rejection = CsrfRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let csrf = handle(&parts)?;
        let bytes = to_bytes(body, MAX_FORM).await.map_err(|_| CsrfRejection {
            kind: Kind::TooLarge,
        })?;
        let submitted = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrfToken")
            .map(|(_, v)| v.into_owned());
        csrf.0
            .verify(&parts, submitted.as_deref())
            .map_err(|reason| CsrfRejection {
                kind: Kind::Forbidden(reason),
            })?;
        let request = Request::from_parts(parts, Body::from(bytes));
        match Form::<F>::from_request(request, state).await {
            Ok(Form(form)) => Ok(CsrfForm(form)),
            Err(e) => Err(CsrfRejection {
                kind: Kind::Form(Box::new(e.into_response())),
            }),
        }
    }
}
