//! [`RequireSession`] (`auth.require_session()`, `auth.require(..)`, shared with actix-web)
//! as a tower layer protecting a group of routes.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service};

use super::layer::route_path;
use crate::config::SessionUserData;
use crate::integration::context::SessionHandle;
use crate::integration::{Framework, RequireSession};

impl<S, U> Layer<S> for RequireSession<U> {
    type Service = RequireSessionService<S, U>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireSessionService {
            inner,
            guard: self.clone(),
        }
    }
}

/// The service of [`RequireSession`].
pub struct RequireSessionService<S, U> {
    inner: S,
    guard: RequireSession<U>,
}

impl<S: Clone, U> Clone for RequireSessionService<S, U> {
    fn clone(&self) -> Self {
        RequireSessionService {
            inner: self.inner.clone(),
            guard: self.guard.clone(),
        }
    }
}

impl<S, U, B> Service<Request<B>> for RequireSessionService<S, U>
where
    S: Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    U: SessionUserData,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone is not ready; the one that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let handle = parts.extensions.get::<SessionHandle<U>>().cloned();
            let route = || route_path(&parts);
            if let Err(rejection) = guard.admit(handle, &parts, route, Framework::Axum).await {
                return Ok(rejection.into_response());
            }
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}
