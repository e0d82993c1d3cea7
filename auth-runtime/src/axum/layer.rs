//! The per-request layer: a lazily computed, cached session lookup and the rolling cookie.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::extract::{MatchedPath, OriginalUri};
use http::request::Parts;
use http::{Request, Response, header};
use tokio::sync::OnceCell;
use tower::{Layer, Service};

use crate::axum::SessionRejection;
use crate::config::{Session, SessionUserData, TokenData};
use crate::{Auth, SessionLookup};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// The layer every route that reads the session must be inside:
    /// `Router::new().route(..).merge(auth.routes()).layer(auth.layer())`.
    ///
    /// It makes [`Session`], `Option<Session>`, [`Claims`](super::Claims) and the guards
    /// work, runs the session lookup (`jwt` then `session` callbacks) at most once per
    /// request and only when something asks for it, and appends the lookup's `Set-Cookie`
    /// headers (the refreshed session cookie, or the clearing of a bad one) to the response.
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
        let under_base = under_base_path(&request, self.auth.config().base_path());
        let warned = self.warned.clone();
        let context = Arc::new(RequestAuth {
            auth: self.auth.clone(),
            lookup: OnceCell::new(),
            csrf_cookie: std::sync::Mutex::new(None),
        });
        let extensions = request.extensions_mut();
        extensions.insert(SessionHandle::<U>(context.clone()));
        extensions.insert(ClaimsHandle::<T>(context.clone()));
        extensions.insert(CsrfHandle(context.clone()));
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            if let Some(path) = under_base
                && response.status() == http::StatusCode::NOT_FOUND
                && response
                    .extensions()
                    .get::<super::routes::FlowAnswered>()
                    .is_none()
                && !warned.swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                tracing::error!(
                    path,
                    "a request under the auth base path did not reach the auth flow: mount it \
                     with `.merge(auth.routes())` (not `.nest(..)`: the routes already carry the \
                     base path; change it with `base_path` / `with_base_path`)"
                );
            }
            if let Some(lookup) = context.lookup.get() {
                // The response's own cookies win: a sign-in, sign-out or session update
                // served inside this layer must not be undone by the refresh of the
                // session cookie this request arrived with (browsers apply the last one).
                let own: Vec<String> = response
                    .headers()
                    .get_all(header::SET_COOKIE)
                    .iter()
                    .filter_map(cookie_name)
                    .collect();
                for cookie in &lookup.set_cookies {
                    if cookie_name(cookie).is_some_and(|name| own.contains(&name)) {
                        continue;
                    }
                    response
                        .headers_mut()
                        .append(header::SET_COOKIE, cookie.clone());
                }
            }
            // A new CSRF cookie handed out by `CsrfToken`, unless the response sets one.
            let csrf = context
                .csrf_cookie
                .lock()
                .ok()
                .and_then(|mut c| c.take())
                .map(|(_, cookie)| cookie);
            if let Some(cookie) = csrf {
                let name = cookie_name(&cookie);
                let own = response
                    .headers()
                    .get_all(header::SET_COOKIE)
                    .iter()
                    .any(|c| cookie_name(c) == name);
                if !own {
                    response.headers_mut().append(header::SET_COOKIE, cookie);
                }
            }
            Ok(response)
        })
    }
}

/// One request's view of the auth service: the lookup runs once, on first use.
pub(crate) struct RequestAuth<T, U> {
    auth: Auth<T, U>,
    lookup: OnceCell<SessionLookup<T, U>>,
    /// The CSRF cookie `CsrfToken` created for this request, set on its response.
    /// (token, cookie): one token per request however many extractors ask.
    csrf_cookie: std::sync::Mutex<Option<(String, http::HeaderValue)>>,
}

impl<T: TokenData, U: SessionUserData> RequestAuth<T, U> {
    /// The request's session lookup (run on first use); `Err` (503) when the session
    /// store is unreachable.
    async fn lookup(&self, parts: &Parts) -> Result<&SessionLookup<T, U>, SessionRejection> {
        let lookup = self.lookup.get_or_init(|| self.auth.session(parts)).await;
        if lookup.is_unavailable() {
            return Err(SessionRejection::unavailable(parts));
        }
        Ok(lookup)
    }
}

/// What the extractors and guards need, without the token type (`Session<U>` names only `U`).
pub(crate) trait SessionSource<U>: Send + Sync {
    /// `Err` (503) when the session store is unreachable.
    fn session<'a>(
        &'a self,
        parts: &'a Parts,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, SessionRejection>>;
    fn sign_in_url(&self, parts: &Parts) -> String;
    /// How the session was authenticated (RFC 8176 names; empty when signed out or not
    /// recorded); `Err` (503) when the session store is unreachable.
    fn amr<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Vec<String>, SessionRejection>>;
}

/// What [`Claims`](super::Claims) needs, without the session type.
pub(crate) trait TokenSource<T>: Send + Sync {
    fn token<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Option<T>, SessionRejection>>;
    fn sign_in_url(&self, parts: &Parts) -> String;
}

impl<T: TokenData, U: SessionUserData> SessionSource<U> for RequestAuth<T, U> {
    fn session<'a>(
        &'a self,
        parts: &'a Parts,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, SessionRejection>> {
        Box::pin(async move { Ok(self.lookup(parts).await?.session.clone()) })
    }

    fn sign_in_url(&self, parts: &Parts) -> String {
        sign_in_url(&self.auth, parts)
    }

    fn amr<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Vec<String>, SessionRejection>> {
        Box::pin(async move { Ok(self.lookup(parts).await?.amr.clone()) })
    }
}

impl<T: TokenData, U: SessionUserData> TokenSource<T> for RequestAuth<T, U> {
    fn token<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Option<T>, SessionRejection>> {
        Box::pin(async move {
            let lookup = self.lookup(parts).await?;
            if lookup.token.is_none() && lookup.session.is_some() {
                // Signed in without a token: the database strategy. Refusing as "sign in
                // required" would loop a browser between the sign-in page and this route.
                return Err(SessionRejection::no_token(std::any::type_name::<T>()));
            }
            Ok(lookup.token.clone())
        })
    }

    fn sign_in_url(&self, parts: &Parts) -> String {
        sign_in_url(&self.auth, parts)
    }
}

/// What [`CsrfToken`](super::CsrfToken) and [`CsrfForm`](super::CsrfForm) need, with
/// neither type parameter.
pub(crate) trait CsrfSource: Send + Sync {
    /// The request's CSRF token (a new cookie is remembered for the response); `None`
    /// when the host cannot be trusted.
    fn token(&self, parts: &Parts) -> Option<String>;
    /// Checks a submitted token against the cookie; `Err(reason)` for the log.
    fn verify(&self, parts: &Parts, submitted: Option<&str>) -> Result<(), &'static str>;
}

impl<T: TokenData, U: SessionUserData> CsrfSource for RequestAuth<T, U> {
    fn token(&self, parts: &Parts) -> Option<String> {
        if let Ok(slot) = self.csrf_cookie.lock()
            && let Some((token, _)) = &*slot
        {
            return Some(token.clone());
        }
        let (token, cookie) = self.auth.app_csrf_token(parts)?;
        if let Some(cookie) = cookie
            && let Ok(mut slot) = self.csrf_cookie.lock()
        {
            *slot = Some((token.clone(), cookie));
        }
        Some(token)
    }

    fn verify(&self, parts: &Parts, submitted: Option<&str>) -> Result<(), &'static str> {
        self.auth.app_verify_csrf(parts, submitted)
    }
}

/// Request extension through which the CSRF extractors find the request's auth context.
#[derive(Clone)]
pub(crate) struct CsrfHandle(pub(crate) Arc<dyn CsrfSource>);

/// Request extension through which `Session<U>` finds the request's auth context.
pub(crate) struct SessionHandle<U>(pub(crate) Arc<dyn SessionSource<U>>);

impl<U> Clone for SessionHandle<U> {
    fn clone(&self) -> Self {
        SessionHandle(self.0.clone())
    }
}

/// Request extension through which `Claims<T>` finds the request's auth context.
pub(crate) struct ClaimsHandle<T>(pub(crate) Arc<dyn TokenSource<T>>);

impl<T> Clone for ClaimsHandle<T> {
    fn clone(&self) -> Self {
        ClaimsHandle(self.0.clone())
    }
}

/// The path and query the browser asked for (before any `nest` stripped a prefix).
pub(crate) fn original_path_and_query(parts: &Parts) -> String {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    uri.path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// The route pattern (`MatchedPath`, nest prefix included) or else the original path.
pub(crate) fn route_path(parts: &Parts) -> String {
    if let Some(matched) = parts.extensions.get::<MatchedPath>() {
        return matched.as_str().to_owned();
    }
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    uri.path().to_owned()
}

/// `{sign-in page}?callbackUrl={this request}`: the custom page when configured, else
/// `{base_path}/signin`.
fn sign_in_url<T: TokenData, U: SessionUserData>(auth: &Auth<T, U>, parts: &Parts) -> String {
    let config = auth.config();
    let page = match &config.pages().sign_in {
        Some(custom) => custom.clone(),
        None => format!("{}/signin", config.base_path().trim_end_matches('/')),
    };
    let mut callback = original_path_and_query(parts);
    // A request target like `//evil.example/x` must not become a protocol-relative
    // callback URL (the flow's `redirect` check refuses it too; this is defence in depth).
    if !callback.starts_with('/') || callback.starts_with("//") || callback.starts_with("/\\") {
        callback = "/".to_owned();
    }
    let separator = if page.contains('?') { '&' } else { '?' };
    format!(
        "{page}{separator}callbackUrl={}",
        percent_encoding::utf8_percent_encode(&callback, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// The name of a `Set-Cookie` value (`name=value; ...`).
fn cookie_name(value: &http::HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let (name, _) = text.split_once('=')?;
    Some(name.trim().to_owned())
}

/// The request's path when it is under the base path (`{base}` or `{base}/..`).
fn under_base_path<B>(request: &Request<B>, base_path: &str) -> Option<String> {
    let path = request.uri().path();
    let base = base_path.trim_end_matches('/');
    let inside = path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'));
    inside.then(|| path.to_owned())
}
