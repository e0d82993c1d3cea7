//! Extractors: `Session<U>`, `Claims<T>`, `CsrfToken`, `CsrfForm<F>` (and actix-web's own
//! `Option<T>` over them); their rejections answer as actix-web errors.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode as ActixStatus;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, HttpResponse, ResponseError, web};
use serde::de::DeserializeOwned;

use super::convert::{into_actix, request_parts};
use crate::config::{Session, SessionUserData, TokenData};
use crate::integration::context::{
    ClaimsHandle, CsrfHandle, SessionHandle, require_claims_of, require_session_of,
};
use crate::integration::{
    Claims, CsrfForm, CsrfRejection, CsrfToken, Framework, MAX_FORM, SessionRejection,
};

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

fn actix_status(status: http::StatusCode) -> ActixStatus {
    ActixStatus::from_u16(status.as_u16()).unwrap_or(ActixStatus::INTERNAL_SERVER_ERROR)
}

/// 401 JSON or a redirect to the sign-in page (browsers), 403, 500 (a wiring mistake), 503.
impl ResponseError for SessionRejection {
    fn status_code(&self) -> ActixStatus {
        actix_status(self.status())
    }

    fn error_response(&self) -> HttpResponse {
        into_actix(self.to_response())
    }
}

/// 403 (the token is missing or does not match), 400/413/415 (the body), 500 (no middleware).
impl ResponseError for CsrfRejection {
    fn status_code(&self) -> ActixStatus {
        actix_status(self.status())
    }

    fn error_response(&self) -> HttpResponse {
        into_actix(self.to_response())
    }
}

/// The signed-in user's session; a signed-out request is refused with
/// [`SessionRejection`] (401 JSON, or a redirect to the sign-in page for a browser).
///
/// `Option<Session>` is actix-web's own `Option<T>` extractor: `None` whenever `Session`
/// is refused, that is when signed out, but also when the session database is unavailable
/// or [`Auth::middleware`](crate::Auth::middleware) is missing (both logged as errors, as
/// they are not a sign-out).
impl<U: SessionUserData> FromRequest for Session<U> {
    type Error = SessionRejection;
    type Future = LocalBoxFuture<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let handle = request.extensions().get::<SessionHandle<U>>().cloned();
        let parts = request_parts(request);
        Box::pin(async move {
            require_session_of(handle, &parts, Framework::Actix)
                .await
                .inspect_err(log_unless_signed_out)
        })
    }
}

/// The typed token of the signed-in user, after the `jwt` callback (jwt strategy); refused
/// like [`Session`].
impl<T: TokenData> FromRequest for Claims<T> {
    type Error = SessionRejection;
    type Future = LocalBoxFuture<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let handle = request.extensions().get::<ClaimsHandle<T>>().cloned();
        let parts = request_parts(request);
        Box::pin(async move {
            require_claims_of(handle, &parts, Framework::Actix)
                .await
                .inspect_err(log_unless_signed_out)
        })
    }
}

/// Logs what `Option<Session>` would otherwise hide: a missing middleware, a token-less
/// `Claims`, an unavailable database. A signed-out request is not logged.
fn log_unless_signed_out(rejection: &SessionRejection) {
    rejection.log();
    if rejection.status() == http::StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!("the session could not be read: {rejection}");
    }
}

fn csrf_handle(request: &HttpRequest) -> Result<CsrfHandle, CsrfRejection> {
    request
        .extensions()
        .get::<CsrfHandle>()
        .cloned()
        .ok_or(CsrfRejection::missing_layer(Framework::Actix))
}

/// The request's CSRF token for the application's own form (its cookie set by
/// [`Auth::middleware`](crate::Auth::middleware) when the request has none).
impl FromRequest for CsrfToken {
    type Error = CsrfRejection;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(csrf_handle(request).and_then(|handle| {
            handle
                .0
                .token(&request_parts(request))
                .map(CsrfToken)
                .ok_or(CsrfRejection::untrusted_host())
        }))
    }
}

/// A form whose `csrfToken` field is checked against the CSRF cookie before actix-web's
/// `web::Form<F>` deserializes it.
impl<F: DeserializeOwned + 'static> FromRequest for CsrfForm<F> {
    type Error = CsrfRejection;
    type Future = LocalBoxFuture<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let payload = web::Payload::from_request(&request, payload);
        Box::pin(async move {
            let csrf = csrf_handle(&request)?;
            let read = match payload.await {
                Ok(payload) => payload.to_bytes_limited(MAX_FORM).await,
                Err(_) => Ok(Err(actix_web::error::ErrorBadRequest("no body"))),
            };
            let bytes: bytes::Bytes = match read {
                Ok(Ok(bytes)) => bytes,
                Ok(Err(_)) => {
                    return Err(CsrfRejection::form(
                        http::StatusCode::BAD_REQUEST,
                        "could not read the form".to_owned(),
                    ));
                }
                Err(_) => return Err(CsrfRejection::too_large()),
            };
            let submitted = url::form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrfToken")
                .map(|(_, v)| v.into_owned());
            let parts = request_parts(&request);
            csrf.0
                .verify(&parts, submitted.as_deref())
                .map_err(CsrfRejection::forbidden)?;
            let mut body = Payload::from(bytes);
            match web::Form::<F>::from_request(&request, &mut body).await {
                Ok(web::Form(form)) => Ok(CsrfForm(form)),
                Err(e) => {
                    let status = e.as_response_error().status_code().as_u16();
                    Err(CsrfRejection::form(
                        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST),
                        e.to_string(),
                    ))
                }
            }
        })
    }
}
