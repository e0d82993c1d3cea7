//! The server-side session operations in actix-web: [`SessionChange::apply_to_actix`] sets
//! the change's cookies on a response, [`SessionError`] is a `ResponseError`.

use actix_web::http::StatusCode as ActixStatus;
use actix_web::{HttpResponse, ResponseError};

use super::convert::{append_headers, into_actix};
use crate::integration::server_ops::session_error_response;
use crate::{SessionChange, SessionError};

impl<U> SessionChange<U> {
    /// Appends the `Set-Cookie` values to an actix-web response's headers
    /// (`change.apply_to_actix(response.headers_mut())`); [`SessionChange::apply_to`] for
    /// `http` 1 headers.
    pub fn apply_to_actix(&self, headers: &mut actix_web::http::header::HeaderMap) {
        let mut cookies = http::HeaderMap::new();
        self.apply_to(&mut cookies);
        append_headers(headers, &cookies);
    }
}

/// `403` (`sign_in` refused), `503` with `Retry-After` (database), `400` (untrusted host),
/// `500` otherwise; a JSON body `{"error": .., "message": ..}`. The detail goes to the log.
impl ResponseError for SessionError {
    fn status_code(&self) -> ActixStatus {
        let status = session_error_response(self).status().as_u16();
        ActixStatus::from_u16(status).unwrap_or(ActixStatus::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        into_actix(session_error_response(self))
    }
}
