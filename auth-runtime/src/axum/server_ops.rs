//! The server-side session operations in axum: [`SessionChange`] sets its cookies as
//! response parts, [`SessionError`] answers with a status and a body that names no internal
//! type.

use std::convert::Infallible;

use ::axum::body::Body;
use ::axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};

use crate::integration::server_ops::session_error_response;
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
        session_error_response(&self).map(Body::from)
    }
}
