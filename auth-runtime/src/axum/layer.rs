//! The per-request layer: the request's auth context (`crate::integration::context`: a
//! lazily computed, cached session lookup) in the extensions, and the rolling cookie.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::extract::MatchedPath;
use http::request::Parts;
use http::{Request, Response, header};
use tower::{Layer, Service};

use crate::Auth;
use crate::config::{SessionUserData, TokenData};
use crate::integration::context::{RequestAuth, under_base_path};
use crate::integration::{FlowAnswered, Framework, log_flow_not_reached};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// The layer every route that reads the session must be inside:
    /// `Router::new().route(..).merge(auth.routes()).layer(auth.layer())`.
    ///
    /// It makes [`Session`](crate::Session), `Option<Session>`, [`Claims`](super::Claims)
    /// and the guards work, runs the session lookup (`jwt` then `session` callbacks) at
    /// most once per request and only when something asks for it, and appends the
    /// lookup's `Set-Cookie` headers (the refreshed session cookie, or the clearing of a
    /// bad one) to the response.
    pub fn layer(&self) -> AuthLayer<T, U> {
        AuthLayer { auth: self.clone() }
    }
}

/// The layer returned by [`Auth::layer`].
pub struct AuthLayer<T, U> {
    auth: Auth<T, U>,
}

impl<T, U> Clone for AuthLayer<T, U> {
    fn clone(&self) -> Self {
        AuthLayer {
            auth: self.auth.clone(),
        }
    }
}

impl<S, T, U> Layer<S> for AuthLayer<T, U> {
    type Service = AuthService<S, T, U>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            auth: self.auth.clone(),
            warned: Arc::default(),
        }
    }
}

/// The service [`AuthLayer`] wraps around the application.
pub struct AuthService<S, T, U> {
    inner: S,
    auth: Auth<T, U>,
    /// The "flow not reached" error was logged (once per service).
    warned: Arc<std::sync::atomic::AtomicBool>,
}

impl<S: Clone, T, U> Clone for AuthService<S, T, U> {
    fn clone(&self) -> Self {
        AuthService {
            inner: self.inner.clone(),
            auth: self.auth.clone(),
            warned: self.warned.clone(),
        }
    }
}

impl<S, T, U, ReqBody, ResBody> Service<Request<ReqBody>> for AuthService<S, T, U>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    T: TokenData,
    U: SessionUserData,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let under_base = under_base_path(request.uri().path(), self.auth.config().base_path());
        let warned = self.warned.clone();
        let (context, handles) = RequestAuth::install(&self.auth);
        let extensions = request.extensions_mut();
        extensions.insert(handles.session);
        extensions.insert(handles.claims);
        extensions.insert(handles.csrf);
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            if let Some(path) = under_base
                && response.status() == http::StatusCode::NOT_FOUND
                && response.extensions().get::<FlowAnswered>().is_none()
                && !warned.swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                log_flow_not_reached(&path, Framework::Axum);
            }
            let own = response.headers().get_all(header::SET_COOKIE);
            for cookie in context.response_cookies(own.iter().map(http::HeaderValue::as_bytes)) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        })
    }
}

/// The route pattern (`MatchedPath`, nest prefix included) or else the original path.
pub(crate) fn route_path(parts: &Parts) -> String {
    if let Some(matched) = parts.extensions.get::<MatchedPath>() {
        return matched.as_str().to_owned();
    }
    let uri = parts
        .extensions
        .get::<::axum::extract::OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    uri.path().to_owned()
}
