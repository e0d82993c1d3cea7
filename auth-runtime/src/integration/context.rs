//! The per-request auth context both integrations put into a request's extensions: the
//! session lookup, run at most once and only when asked; the CSRF cookie handed out for
//! the application's own forms; and what the response must carry afterwards.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::HeaderValue;
use http::request::Parts;
use tokio::sync::OnceCell;

use super::{Framework, SessionRejection};
use crate::config::{Session, SessionUserData, TokenData};
use crate::{Auth, SessionLookup};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One request's view of the auth service: the lookup runs once, on first use.
pub(crate) struct RequestAuth<T, U> {
    auth: Auth<T, U>,
    lookup: OnceCell<SessionLookup<T, U>>,
    /// The CSRF cookie `CsrfToken` created for this request, set on its response.
    /// (token, cookie): one token per request however many extractors ask.
    csrf_cookie: std::sync::Mutex<Option<(String, HeaderValue)>>,
}

impl<T: TokenData, U: SessionUserData> RequestAuth<T, U> {
    /// A fresh context for one request, and the three handles to put into its extensions.
    pub(crate) fn install(auth: &Auth<T, U>) -> (Arc<Self>, Handles<T, U>) {
        let context = Arc::new(RequestAuth {
            auth: auth.clone(),
            lookup: OnceCell::new(),
            csrf_cookie: std::sync::Mutex::new(None),
        });
        let handles = Handles {
            session: SessionHandle(context.clone()),
            claims: ClaimsHandle(context.clone()),
            csrf: CsrfHandle(context.clone()),
        };
        (context, handles)
    }

    /// The request's session lookup (run on first use); `Err` (503) when the session
    /// store is unreachable.
    async fn lookup(&self, parts: &Parts) -> Result<&SessionLookup<T, U>, SessionRejection> {
        // Boxed: the session read's future is large, and would otherwise be moved into
        // (and copied out of) each future that awaits this one.
        let lookup = self
            .lookup
            .get_or_init(|| Box::pin(self.auth.session(parts)))
            .await;
        if lookup.is_unavailable() {
            return Err(SessionRejection::unavailable(parts));
        }
        Ok(lookup)
    }

    /// The `Set-Cookie` values to append to the response, given the response's own
    /// `Set-Cookie` values (`own`, read only when there is something to add): the
    /// lookup's (the refreshed session cookie, or the clearing of a bad one) and a new CSRF
    /// cookie handed out by `CsrfToken`.
    ///
    /// The response's own cookies win: a sign-in, sign-out or session update served
    /// inside the layer must not be undone by the refresh of the session cookie this
    /// request arrived with (browsers apply the last one).
    pub(crate) fn response_cookies<'v>(
        &self,
        own: impl IntoIterator<Item = &'v [u8]>,
    ) -> Vec<HeaderValue> {
        let csrf = self
            .csrf_cookie
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .map(|(_, cookie)| cookie);
        let session = self.lookup.get().map_or(&[][..], |l| &l.set_cookies[..]);
        if session.is_empty() && csrf.is_none() {
            return Vec::new();
        }
        let own: Vec<String> = own.into_iter().filter_map(cookie_name).collect();
        let theirs = |cookie: &HeaderValue| {
            cookie_name(cookie.as_bytes()).is_some_and(|name| own.contains(&name))
        };
        let mut cookies: Vec<HeaderValue> =
            session.iter().filter(|c| !theirs(c)).cloned().collect();
        cookies.extend(csrf.filter(|c| !theirs(c)));
        cookies
    }
}

/// The handles [`RequestAuth::install`] makes, one per extension type.
pub(crate) struct Handles<T, U> {
    pub(crate) session: SessionHandle<U>,
    pub(crate) claims: ClaimsHandle<T>,
    pub(crate) csrf: CsrfHandle,
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

/// What `Claims` needs, without the session type.
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

/// What `CsrfToken` and `CsrfForm` need, with neither type parameter.
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

/// The session of the request, `None` when signed out; refused only when the layer is
/// missing (`handle` is `None`) or the session store is unreachable.
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) async fn session_of<U: SessionUserData>(
    handle: Option<SessionHandle<U>>,
    parts: &Parts,
    framework: Framework,
) -> Result<Option<Session<U>>, SessionRejection> {
    let handle = handle.ok_or_else(|| {
        SessionRejection::missing_layer(std::any::type_name::<Session<U>>(), framework)
    })?;
    handle.0.session(parts).await
}

/// The session of a signed-in request; a signed-out one is refused (401 or a redirect).
pub(crate) async fn require_session_of<U: SessionUserData>(
    handle: Option<SessionHandle<U>>,
    parts: &Parts,
    framework: Framework,
) -> Result<Session<U>, SessionRejection> {
    let handle = handle.ok_or_else(|| {
        SessionRejection::missing_layer(std::any::type_name::<Session<U>>(), framework)
    })?;
    match handle.0.session(parts).await? {
        Some(session) => Ok(session),
        None => Err(SessionRejection::sign_in_required(
            handle.0.sign_in_url(parts),
            parts,
        )),
    }
}

/// The typed token, `None` when signed out; refused only when the layer is missing, the
/// session store is unreachable, or there is no token (database strategy).
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) async fn claims_of<T: TokenData>(
    handle: Option<ClaimsHandle<T>>,
    parts: &Parts,
    framework: Framework,
) -> Result<Option<super::Claims<T>>, SessionRejection> {
    let handle = claims_handle(handle, framework)?;
    Ok(handle.0.token(parts).await?.map(super::Claims))
}

/// The typed token of a signed-in request; a signed-out one is refused (401 or a redirect).
pub(crate) async fn require_claims_of<T: TokenData>(
    handle: Option<ClaimsHandle<T>>,
    parts: &Parts,
    framework: Framework,
) -> Result<super::Claims<T>, SessionRejection> {
    let handle = claims_handle(handle, framework)?;
    match handle.0.token(parts).await? {
        Some(token) => Ok(super::Claims(token)),
        None => Err(SessionRejection::sign_in_required(
            handle.0.sign_in_url(parts),
            parts,
        )),
    }
}

fn claims_handle<T: TokenData>(
    handle: Option<ClaimsHandle<T>>,
    framework: Framework,
) -> Result<ClaimsHandle<T>, SessionRejection> {
    handle.ok_or_else(|| {
        SessionRejection::missing_layer(std::any::type_name::<super::Claims<T>>(), framework)
    })
}

/// The path and query the browser asked for (under axum, before any `nest` stripped a
/// prefix).
pub(crate) fn request_target(parts: &Parts) -> String {
    #[cfg(feature = "axum")]
    let uri = parts
        .extensions
        .get::<::axum::extract::OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    #[cfg(not(feature = "axum"))]
    let uri = &parts.uri;
    uri.path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// `{sign-in page}?callbackUrl={this request}`: the custom page when configured, else
/// `{base_path}/signin`.
fn sign_in_url<T: TokenData, U: SessionUserData>(auth: &Auth<T, U>, parts: &Parts) -> String {
    let config = auth.config();
    let page = match &config.pages().sign_in {
        Some(custom) => custom.clone(),
        None => format!("{}/signin", config.base_path().trim_end_matches('/')),
    };
    let mut callback = request_target(parts);
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

/// The name of a `Set-Cookie` value (`name=value; ...`), from its bytes (either
/// framework's header type).
pub(crate) fn cookie_name(value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?;
    let (name, _) = text.split_once('=')?;
    Some(name.trim().to_owned())
}

/// `path` when it is under the base path (`{base}` or `{base}/..`).
pub(crate) fn under_base_path(path: &str, base_path: &str) -> Option<String> {
    let base = base_path.trim_end_matches('/');
    let inside = path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'));
    inside.then(|| path.to_owned())
}
