//! The server-side session operations in axum: [`SessionChange`] sets its cookies as
//! response parts, [`SessionError`] answers with a status and a body that names no internal
//! type.

use std::convert::Infallible;

use ::axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use http::StatusCode;

use crate::{SessionChange, SessionError};

/// Appends the `Set-Cookie` values: `(change, Redirect::to("/"))` or `(change, body)`.
impl<U> IntoResponseParts for SessionChange<U> {
    type Error = Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.apply_to(res.headers_mut());
        Ok(res)
    }
}

/// `403` (`sign_in` refused), `503` with `Retry-After` (database), `400` (untrusted host),
/// `500` otherwise; a JSON body `{"error": .., "message": ..}`. The detail goes to the log.
impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        let (status, error, message) = match &self {
            SessionError::AccessDenied { .. } => (
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "this account may not sign in",
            ),
            SessionError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the session database is unavailable; try again in a moment",
            ),
            SessionError::UntrustedHost => (
                StatusCode::BAD_REQUEST,
                "UntrustedHost",
                "the request's host is missing or not trusted",
            ),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Configuration",
                "the server could not complete the request; see the server log",
            ),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "server-side session operation failed");
        }
        let mut response = (
            status,
            [(http::header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "error": error, "message": message }).to_string(),
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}
