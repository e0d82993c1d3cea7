//! The answer to a failed server-side session operation ([`SessionError`]), shared by the
//! frameworks: a status and a body that names no internal type.

use http::{HeaderValue, Response, StatusCode, header};

use crate::SessionError;

/// `403` (`sign_in` refused), `503` with `Retry-After` (database), `400` (untrusted host),
/// `500` otherwise; a JSON body `{"error": .., "message": ..}`. The detail goes to the log.
pub(crate) fn session_error_response(error: &SessionError) -> Response<String> {
    let (status, code, message) = match error {
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
        tracing::error!(error = %error, "server-side session operation failed");
    }
    let mut response =
        Response::new(serde_json::json!({ "error": code, "message": message }).to_string());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}
