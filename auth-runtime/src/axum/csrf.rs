//! CSRF for the application's own forms: [`CsrfToken`] hands out Auth.js's double-submit
//! token (setting its cookie when missing), [`CsrfForm`] checks it before deserializing the
//! form. One implementation (`crate::csrf`), shared with the flow's own POSTs and with
//! actix-web.

use ::axum::body::{Body, to_bytes};
use ::axum::extract::{Form, FromRequest, FromRequestParts, Request};
use ::axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::integration::context::CsrfHandle;
use crate::integration::{CsrfForm, CsrfRejection, CsrfToken, Framework, MAX_FORM};

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        self.to_response().map(Body::from)
    }
}

fn handle(parts: &Parts) -> Result<CsrfHandle, CsrfRejection> {
    parts
        .extensions
        .get::<CsrfHandle>()
        .cloned()
        .ok_or(CsrfRejection::missing_layer(Framework::Axum))
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        handle(parts)?
            .0
            .token(parts)
            .map(CsrfToken)
            .ok_or(CsrfRejection::untrusted_host())
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
        let bytes = to_bytes(body, MAX_FORM)
            .await
            .map_err(|_| CsrfRejection::too_large())?;
        let submitted = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrfToken")
            .map(|(_, v)| v.into_owned());
        csrf.0
            .verify(&parts, submitted.as_deref())
            .map_err(CsrfRejection::forbidden)?;
        let request = Request::from_parts(parts, Body::from(bytes));
        match Form::<F>::from_request(request, state).await {
            Ok(Form(form)) => Ok(CsrfForm(form)),
            Err(e) => Err(CsrfRejection::form(e.status(), e.body_text())),
        }
    }
}
