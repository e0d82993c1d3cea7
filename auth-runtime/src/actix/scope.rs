//! Mounting the REST flow in an actix-web `App`: [`Auth::scope`].

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::{HttpRequest, HttpResponse, web};

use super::convert::{into_actix, request_parts};
use crate::Auth;
use crate::config::{SessionUserData, TokenData};
use crate::integration::{FlowAnswered, MAX_BODY};

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// The Auth.js flow for actix-web, at the configured base path (default `/api/auth`):
    /// `App::new().service(auth.scope())`.
    ///
    /// Register it on the `App` itself, not inside a `web::scope(..)`: it already carries
    /// the base path, so `web::scope("/api/auth").service(auth.scope())` would serve the
    /// flow at `/api/auth/api/auth/..` (and [`Auth::middleware`] logs an error naming the
    /// fix on the first request under the base path that the flow did not answer). To
    /// serve it elsewhere, set the base path in the configuration (`base_path: "/auth"` in
    /// `auth!`, or [`AuthConfig::with_base_path`](crate::AuthConfig::with_base_path)).
    pub fn scope(&self) -> AuthScope<T, U> {
        AuthScope { auth: self.clone() }
    }
}

/// The Auth.js flow's service factory, [`Auth::scope`]: an actix-web `Scope` at the base
/// path whose every request goes to [`Auth::handle`] (the body buffered, at most 1 MiB:
/// a larger `Content-Length` is answered `413` before reading, a longer body `400`).
#[must_use = "register the flow on the App: `App::new().service(auth.scope())`"]
pub struct AuthScope<T, U> {
    auth: Auth<T, U>,
}

impl<T: TokenData, U: SessionUserData> std::fmt::Debug for AuthScope<T, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthScope")
            .field("base_path", &self.auth.config().base_path())
            .finish()
    }
}

impl<T: TokenData, U: SessionUserData> HttpServiceFactory for AuthScope<T, U> {
    fn register(self, config: &mut AppService) {
        let base = self
            .auth
            .config()
            .base_path()
            .trim_end_matches('/')
            .to_owned();
        let auth = self.auth;
        let handler = move |request: HttpRequest, payload: web::Payload| {
            let auth = auth.clone();
            async move { serve(&auth, request, payload).await }
        };
        if base.is_empty() {
            // The flow at the root: every path is the flow's (register it last).
            web::resource("/{tail:.*}")
                .default_service(web::to(handler))
                .register(config);
        } else {
            web::scope(&base)
                .default_service(web::to(handler))
                .register(config);
        }
    }
}

async fn serve<T: TokenData, U: SessionUserData>(
    auth: &Auth<T, U>,
    request: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let declared = request
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return HttpResponse::PayloadTooLarge()
            .content_type("text/plain; charset=utf-8")
            .body("request body too large");
    }
    let body = match payload.to_bytes_limited(MAX_BODY).await {
        Ok(Ok(bytes)) => bytes,
        _ => {
            return HttpResponse::BadRequest()
                .content_type("text/plain; charset=utf-8")
                .body("could not read the request body (at most 1 MiB)");
        }
    };
    let parts = request_parts(&request);
    let mut response = into_actix(auth.handle(http::Request::from_parts(parts, body)).await);
    response.extensions_mut().insert(FlowAnswered);
    response
}
