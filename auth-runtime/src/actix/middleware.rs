//! The per-request middleware, [`Auth::middleware`]: the request's auth context (one lazy,
//! cached session lookup) in its extensions, and the rolling cookie on its response.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::HttpMessage as _;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, SET_COOKIE};

use crate::Auth;
use crate::config::{SessionUserData, TokenData};
use crate::integration::context::{RequestAuth, under_base_path};
use crate::integration::{FlowAnswered, Framework, log_flow_not_reached};

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// The middleware every route that reads the session must be inside:
    /// `App::new().service(..).service(auth.scope()).wrap(auth.middleware())`.
    ///
    /// It makes [`Session`](crate::Session), `Option<Session>`, [`Claims`](super::Claims),
    /// the CSRF extractors and the guards work, runs the session lookup (`jwt` then
    /// `session` callbacks) at most once per request and only when something asks for it,
    /// and appends the lookup's `Set-Cookie` headers (the refreshed session cookie, or the
    /// clearing of a bad one) to the response, as Auth.js's `auth()` does. Register it
    /// after (outside) the guards: actix-web runs the last `wrap` first.
    pub fn middleware(&self) -> AuthMiddleware<T, U> {
        AuthMiddleware { auth: self.clone() }
    }
}

/// The middleware returned by [`Auth::middleware`] (an actix-web `Transform`).
pub struct AuthMiddleware<T, U> {
    auth: Auth<T, U>,
}

impl<T, U> Clone for AuthMiddleware<T, U> {
    fn clone(&self) -> Self {
        AuthMiddleware {
            auth: self.auth.clone(),
        }
    }
}

impl<T: TokenData, U: SessionUserData> std::fmt::Debug for AuthMiddleware<T, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthMiddleware")
            .field("base_path", &self.auth.config().base_path())
            .finish()
    }
}

impl<S, B, T, U> Transform<S, ServiceRequest> for AuthMiddleware<T, U>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
    T: TokenData,
    U: SessionUserData,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = AuthMiddlewareService<S, T, U>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AuthMiddlewareService {
            service: Rc::new(service),
            auth: self.auth.clone(),
            warned: Arc::default(),
        }))
    }
}

/// The service [`AuthMiddleware`] wraps around the application.
pub struct AuthMiddlewareService<S, T, U> {
    service: Rc<S>,
    auth: Auth<T, U>,
    /// The "flow not reached" error was logged (once per worker).
    warned: Arc<AtomicBool>,
}

impl<S, B, T, U> Service<ServiceRequest> for AuthMiddlewareService<S, T, U>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
    T: TokenData,
    U: SessionUserData,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let under_base = under_base_path(request.path(), self.auth.config().base_path());
        let (context, handles) = RequestAuth::install(&self.auth);
        {
            let mut extensions = request.extensions_mut();
            extensions.insert(handles.session);
            extensions.insert(handles.claims);
            extensions.insert(handles.csrf);
        }
        let warned = self.warned.clone();
        let future = self.service.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            if let Some(path) = under_base
                && response.status() == StatusCode::NOT_FOUND
                && response
                    .response()
                    .extensions()
                    .get::<FlowAnswered>()
                    .is_none()
                && !warned.swap(true, Ordering::Relaxed)
            {
                log_flow_not_reached(&path, Framework::Actix);
            }
            let own = response.headers().get_all(SET_COOKIE);
            for cookie in context.response_cookies(own.map(|c| c.as_bytes())) {
                if let Ok(value) = HeaderValue::from_bytes(cookie.as_bytes()) {
                    response.headers_mut().append(SET_COOKIE, value);
                }
            }
            Ok(response)
        })
    }
}
