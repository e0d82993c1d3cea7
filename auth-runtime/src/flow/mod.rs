//! The Auth.js REST flow under the base path, one module per endpoint.
//!
//! Framework-neutral: `http::Request<Bytes>` in, `http::Response<Bytes>` out.

mod callback;
mod csrf;
mod error;
pub(crate) mod events;
mod providers;
mod session;
mod signin;
mod signout;

use std::panic::AssertUnwindSafe;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::FutureExt as _;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, EXPIRES, LOCATION, PRAGMA, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::auth::{Inner, Scheme};
use crate::config::{RedirectArgs, SessionUserData, TokenData};
use crate::cookies::{RequestCookies, SetCookie};
use crate::url::Origin;

/// The largest request body the flow reads (credentials, session updates).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Per-request state.
pub(crate) struct Ctx<'a> {
    pub(crate) origin: Origin,
    pub(crate) scheme: &'a Scheme,
    pub(crate) cookies: RequestCookies,
    pub(crate) now: SystemTime,
}

impl Ctx<'_> {
    pub(crate) fn now_secs(&self) -> i64 {
        crate::util::unix_secs(self.now)
    }

    pub(crate) fn secure(&self) -> bool {
        self.scheme.names.secure
    }

    /// The base URL Auth.js hands the `redirect` callback: the origin.
    pub(crate) fn base_url(&self) -> &str {
        self.origin.as_str()
    }
}

/// What an endpoint answers, before the `X-Auth-Return-Redirect` rewrite.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) cookies: Vec<SetCookie>,
    pub(crate) body: Bytes,
    pub(crate) redirect: Option<String>,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Reply {
            status,
            headers,
            cookies: Vec::new(),
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec())),
            redirect: None,
        }
    }

    /// Auth.js's `Cache-Control: private, no-cache, no-store`, `Expires: 0`, `Pragma: no-cache`.
    pub(crate) fn no_store(mut self) -> Reply {
        self.headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, no-store"),
        );
        self.headers.insert(EXPIRES, HeaderValue::from_static("0"));
        self.headers
            .insert(PRAGMA, HeaderValue::from_static("no-cache"));
        self
    }

    pub(crate) fn html(status: StatusCode, html: String) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        Reply {
            status,
            headers,
            cookies: Vec::new(),
            body: Bytes::from(html),
            redirect: None,
        }
    }

    pub(crate) fn redirect(url: String) -> Reply {
        Reply {
            status: StatusCode::FOUND,
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            body: Bytes::new(),
            redirect: Some(url),
        }
    }

    pub(crate) fn with_cookies(mut self, cookies: impl IntoIterator<Item = SetCookie>) -> Reply {
        self.cookies.extend(cookies);
        self
    }

    /// A client error with a JSON body `{"error": .., "message": ..}`.
    pub(crate) fn bad_request(status: StatusCode, error: &str, message: &str) -> Reply {
        Reply::json(
            status,
            &serde_json::json!({ "error": error, "message": message }),
        )
    }
}

/// The Auth.js errors the flow ends with. `type` goes to the client; the detail is logged.
#[derive(Debug)]
pub(crate) enum FlowError {
    /// CSRF check failed (`MissingCSRF`, sign-in page).
    MissingCsrf(&'static str),
    /// `authorize` returned `None` (`CredentialsSignin&code=credentials`, sign-in page).
    CredentialsSignin,
    /// `sign_in` returned false (`AccessDenied`, error page).
    AccessDenied,
    /// An OAuth callback failed (`OAuthCallbackError`, sign-in page); the spent check
    /// cookies to clear.
    OAuthCallback(String, Vec<SetCookie>),
    /// The OAuth account's e-mail belongs to another user and the provider does not allow
    /// linking (`OAuthAccountNotLinked`, sign-in page); the spent check cookies to clear.
    AccountNotLinked(Vec<SetCookie>),
    /// An OAuth sign-in could not start: the provider's discovery document or
    /// configuration is unreachable or broken (`OAuthSignin`, sign-in page).
    OAuthSignin(String),
    /// The database cannot be reached (503 with a JSON body, no redirect).
    Unavailable(String),
    /// Anything else (`Configuration`, error page).
    Configuration(String),
}

/// `503`: the session database is unreachable. The client keeps its cookie and retries.
pub(crate) fn unavailable_reply() -> Reply {
    let mut reply = Reply::bad_request(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        "the session database is unavailable; try again in a moment",
    )
    .no_store();
    reply
        .headers
        .insert(http::header::RETRY_AFTER, HeaderValue::from_static("5"));
    reply
}

impl From<crate::adapter::SignInError> for FlowError {
    fn from(e: crate::adapter::SignInError) -> Self {
        use crate::adapter::SignInError;
        match e {
            SignInError::AccountNotLinked => FlowError::AccountNotLinked(Vec::new()),
            SignInError::Adapter(e) if e.is_unavailable() => FlowError::Unavailable(e.to_string()),
            other => FlowError::Configuration(format!("database sign-in failed: {other}")),
        }
    }
}

impl From<crate::adapter::AdapterError> for FlowError {
    fn from(e: crate::adapter::AdapterError) -> Self {
        if e.is_unavailable() {
            FlowError::Unavailable(e.to_string())
        } else {
            FlowError::Configuration(format!("database error: {e}"))
        }
    }
}

impl FlowError {
    fn kind_and_type(&self) -> (bool, &'static str) {
        // (goes to the sign-in page, error type)
        match self {
            FlowError::MissingCsrf(_) => (true, "MissingCSRF"),
            FlowError::CredentialsSignin => (true, "CredentialsSignin"),
            FlowError::AccessDenied => (false, "AccessDenied"),
            FlowError::OAuthCallback(..) => (true, "OAuthCallbackError"),
            FlowError::OAuthSignin(_) => (true, "OAuthSignin"),
            FlowError::AccountNotLinked(_) => (true, "OAuthAccountNotLinked"),
            FlowError::Unavailable(_) => (false, "ServiceUnavailable"),
            FlowError::Configuration(_) => (false, "Configuration"),
        }
    }

    fn log(&self, action: &str) {
        match self {
            FlowError::MissingCsrf(reason) => {
                tracing::warn!(action, reason, "CSRF check failed (MissingCSRF)")
            }
            FlowError::CredentialsSignin => {
                tracing::info!(
                    action,
                    "sign-in refused: `authorize` returned no user (CredentialsSignin)"
                )
            }
            FlowError::AccessDenied => {
                tracing::info!(
                    action,
                    "sign-in refused: the `sign_in` callback denied it (AccessDenied)"
                )
            }
            FlowError::OAuthCallback(reason, _) => {
                tracing::warn!(action, reason = %reason, "OAuth callback failed (OAuthCallbackError)")
            }
            FlowError::OAuthSignin(reason) => {
                tracing::warn!(action, reason = %reason, "OAuth sign-in could not start (OAuthSignin)")
            }
            FlowError::AccountNotLinked(_) => {
                tracing::info!(
                    action,
                    "sign-in refused: the e-mail belongs to another user and linking is not allowed (OAuthAccountNotLinked)"
                )
            }
            FlowError::Unavailable(reason) => {
                tracing::error!(action, reason = %reason, "request failed: the database is unavailable (503)")
            }
            FlowError::Configuration(reason) => {
                tracing::error!(action, reason = %reason, "request failed (Configuration)")
            }
        }
    }
}

/// The request, parsed: action, provider, query, body.
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) action: Action,
    pub(crate) provider: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Body,
}

impl Req {
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `callbackUrl` from the body, else the query (Auth.js: `body?.callbackUrl ?? query?.callbackUrl`).
    pub(crate) fn callback_url_param(&self) -> Option<&str> {
        self.body
            .get("callbackUrl")
            .or_else(|| self.query("callbackUrl"))
            .filter(|s| !s.is_empty())
    }
}

/// The actions Auth.js serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Csrf,
    Providers,
    Session,
    SignIn,
    Callback,
    SignOut,
    Error,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "csrf" => Action::Csrf,
            "providers" => Action::Providers,
            "session" => Action::Session,
            "signin" => Action::SignIn,
            "callback" => Action::Callback,
            "signout" => Action::SignOut,
            "error" => Action::Error,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Action::Csrf => "csrf",
            Action::Providers => "providers",
            Action::Session => "session",
            Action::SignIn => "signin",
            Action::Callback => "callback",
            Action::SignOut => "signout",
            Action::Error => "error",
        }
    }
}

/// A parsed request body (form or JSON); `None` fields when absent.
#[derive(Debug, Default)]
pub(crate) struct Body {
    /// String fields in order (JSON strings, numbers and booleans as text).
    pub(crate) fields: Vec<(String, String)>,
    /// The JSON document, when the body was JSON.
    pub(crate) json: Option<serde_json::Value>,
}

impl Body {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn parse(headers: &HeaderMap, bytes: &[u8]) -> Body {
        let ct = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ct.contains("application/json") {
            let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
                tracing::debug!("request body is not valid JSON; ignored");
                return Body::default();
            };
            let mut fields = Vec::new();
            if let serde_json::Value::Object(map) = &value {
                for (k, v) in map {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        _ => continue,
                    };
                    fields.push((k.clone(), text));
                }
            }
            Body {
                fields,
                json: Some(value),
            }
        } else if ct.contains("application/x-www-form-urlencoded") {
            let mut fields: Vec<(String, String)> = Vec::new();
            for (k, v) in url::form_urlencoded::parse(bytes) {
                // URLSearchParams -> Object.fromEntries: the last value of a name wins.
                fields.retain(|(n, _)| *n != k);
                fields.push((k.into_owned(), v.into_owned()));
            }
            Body { fields, json: None }
        } else {
            Body::default()
        }
    }
}

fn parse_query(uri: &http::Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Serves one request.
pub(crate) async fn handle<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    request: http::Request<Bytes>,
) -> http::Response<Bytes> {
    let return_redirect = request.headers().contains_key("x-auth-return-redirect");
    let reply = match AssertUnwindSafe(route(inner, request)).catch_unwind().await {
        Ok(reply) => reply,
        Err(_) => {
            // A user callback (or `authorize`) panicked: answer like Auth.js answers a
            // callback that throws, and keep serving.
            tracing::error!("request failed (Configuration): a callback panicked");
            Reply::bad_request(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Configuration",
                "the server could not complete the request; see the server log",
            )
        }
    };
    finish(reply, return_redirect)
}

async fn route<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    request: http::Request<Bytes>,
) -> Reply {
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    if method != Method::GET && method != Method::POST {
        tracing::debug!(method = %method, "method not supported");
        return Reply::bad_request(
            StatusCode::BAD_REQUEST,
            "UnknownAction",
            "only GET and POST requests are supported",
        );
    }
    let path = parts.uri.path();
    let base = inner.config.base_path.as_str();
    let rest = match path.strip_prefix(base) {
        Some(rest) if rest.starts_with('/') => rest,
        _ => {
            return Reply::bad_request(
                StatusCode::NOT_FOUND,
                "UnknownAction",
                &format!("not an auth route; the auth routes are under `{base}/`"),
            );
        }
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let unknown = || {
        Reply::bad_request(
            StatusCode::BAD_REQUEST,
            "UnknownAction",
            "unknown auth action; expected csrf, providers, session, signin[/provider], callback/provider, signout or error",
        )
    };
    let (action, provider) = match segments.as_slice() {
        [a] => match Action::parse(a) {
            Some(a) => (a, None),
            None => return unknown(),
        },
        [a, p] => match Action::parse(a) {
            Some(a @ (Action::SignIn | Action::Callback)) => (a, Some((*p).to_owned())),
            _ => return unknown(),
        },
        _ => return unknown(),
    };

    let allowed: &[Method] = match (action, &provider) {
        (Action::Csrf | Action::Providers | Action::Error, _) => &[Method::GET],
        (Action::Session | Action::SignOut, _) => &[Method::GET, Method::POST],
        (Action::SignIn, None) => &[Method::GET],
        (Action::SignIn, Some(_)) => &[Method::POST],
        (Action::Callback, None) => return unknown(),
        (Action::Callback, Some(_)) => &[Method::GET, Method::POST],
    };
    if !allowed.contains(&method) {
        let allow = allowed
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let mut reply = Reply::bad_request(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &format!("{method} is not supported on {base}{rest}; use {allow}"),
        );
        if let Ok(v) = HeaderValue::from_str(&allow) {
            reply.headers.insert(http::header::ALLOW, v);
        }
        return reply;
    }

    if body.len() > MAX_BODY_BYTES {
        return Reply::bad_request(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            &format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        );
    }
    let body = if method == Method::POST {
        Body::parse(&parts.headers, &body)
    } else {
        Body::default()
    };

    let (origin, scheme) = match inner.resolve(&parts.headers, &parts.uri) {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(error = %e, "cannot build the site URL from the request");
            return Reply::bad_request(StatusCode::BAD_REQUEST, "UntrustedHost", &e.to_string());
        }
    };
    let ctx = Ctx {
        origin,
        scheme,
        cookies: RequestCookies::from_headers(&parts.headers),
        now: SystemTime::now(),
    };
    let req = Req {
        method,
        action,
        provider,
        query: parse_query(&parts.uri),
        body,
    };
    let result = match (req.action, req.method == Method::POST) {
        (Action::Csrf, _) => Ok(csrf::get(inner, &ctx)),
        (Action::Providers, _) => Ok(providers::get(inner, &ctx)),
        (Action::Session, false) => Ok(session::get(inner, &ctx).await),
        (Action::Session, true) => session::post(inner, &ctx, &req).await,
        (Action::SignIn, false) => signin::get(inner, &ctx, &req).await,
        (Action::SignIn, true) => signin::post(inner, &ctx, &req).await,
        (Action::Callback, _) => callback::handle(inner, &ctx, &req).await,
        (Action::SignOut, false) => signout::get(inner, &ctx, &req).await,
        (Action::SignOut, true) => signout::post(inner, &ctx, &req).await,
        (Action::Error, _) => Ok(error::get(inner, &ctx, &req)),
    };
    match result {
        Ok(reply) => reply,
        Err(e) => {
            e.log(req.action.name());
            if matches!(e, FlowError::Unavailable(_)) {
                return unavailable_reply();
            }
            if req.action == Action::Session && req.method == Method::POST {
                // Auth.js: a failed POST /session is an API error, not a page redirect.
                return Reply::json(StatusCode::BAD_REQUEST, &serde_json::Value::Null);
            }
            let (to_sign_in, kind) = e.kind_and_type();
            let page = if to_sign_in {
                inner
                    .config
                    .pages
                    .sign_in
                    .clone()
                    .unwrap_or_else(|| format!("{base}/signin"))
            } else {
                inner
                    .config
                    .pages
                    .error
                    .clone()
                    .unwrap_or_else(|| format!("{base}/error"))
            };
            let mut pairs = vec![("error", kind)];
            if matches!(e, FlowError::CredentialsSignin) {
                pairs.push(("code", "credentials"));
            }
            let page = if page.starts_with('/') {
                format!("{}{page}", ctx.origin.as_str())
            } else {
                page
            };
            let cookies = match e {
                FlowError::OAuthCallback(_, cookies) | FlowError::AccountNotLinked(cookies) => {
                    cookies
                }
                _ => Vec::new(),
            };
            Reply::redirect(crate::url::with_query(&page, &pairs)).with_cookies(cookies)
        }
    }
}

/// Turns a [`Reply`] into the response; redirects become `200 {"url": ..}` when the
/// request asked with `X-Auth-Return-Redirect`.
fn finish(reply: Reply, return_redirect: bool) -> http::Response<Bytes> {
    let Reply {
        status,
        mut headers,
        cookies,
        body,
        redirect,
    } = reply;
    let (status, body) = match redirect {
        Some(url) => {
            let url = match crate::url::location(&url) {
                Some(_) => url,
                None => {
                    tracing::warn!("redirect URL cannot be sent in a Location header; using `/`");
                    "/".to_owned()
                }
            };
            if return_redirect {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                let body =
                    serde_json::to_vec(&serde_json::json!({ "url": url })).unwrap_or_default();
                (StatusCode::OK, Bytes::from(body))
            } else {
                if let Some(v) = crate::url::location(&url) {
                    headers.insert(LOCATION, v);
                }
                (StatusCode::FOUND, body)
            }
        }
        None => (status, body),
    };
    for c in &cookies {
        match c.to_header_value() {
            Some(v) => {
                headers.append(SET_COOKIE, v);
            }
            None => tracing::error!(cookie = %c.name, "cookie cannot be serialised; dropped"),
        }
    }
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// Runs the `redirect` callback (or Auth.js's default rule).
    pub(crate) async fn run_redirect(&self, ctx: &Ctx<'_>, url: &str) -> String {
        let base_url = ctx.base_url().to_owned();
        match &self.config.redirect {
            Some(f) => {
                tracing::debug!(callback = "redirect", "callback ran");
                f(RedirectArgs {
                    url: url.to_owned(),
                    base_url,
                })
                .await
            }
            None => crate::url::default_redirect(url, &base_url),
        }
    }

    /// Auth.js's `createCallbackUrl`: the `callbackUrl` parameter, else the callback-url
    /// cookie, each through `redirect`; else the origin. Returns the cookie to set when the
    /// value changed.
    pub(crate) async fn callback_url(
        &self,
        ctx: &Ctx<'_>,
        param: Option<&str>,
    ) -> (String, Option<SetCookie>) {
        let name = &ctx.scheme.names.callback_url;
        let cookie = ctx.cookies.get(name).filter(|v| !v.is_empty());
        let url = if let Some(p) = param {
            self.run_redirect(ctx, p).await
        } else if let Some(c) = cookie {
            self.run_redirect(ctx, c).await
        } else {
            ctx.origin.as_str().to_owned()
        };
        let set =
            (Some(url.as_str()) != cookie).then(|| SetCookie::new(name, url.clone(), ctx.secure()));
        (url, set)
    }

    /// `{origin}{base_path}/{path}`.
    pub(crate) fn action_url(&self, ctx: &Ctx<'_>, path: &str) -> String {
        format!("{}{}/{path}", ctx.origin.as_str(), self.config.base_path)
    }

    /// The CSRF token of the request (and the cookie to set when it is new).
    pub(crate) fn csrf(&self, ctx: &Ctx<'_>) -> (String, Option<SetCookie>) {
        let name = &ctx.scheme.names.csrf_token;
        let c = crate::csrf::token(ctx.cookies.get(name), &self.csrf_secret);
        let set = c.new_cookie.map(|v| SetCookie::new(name, v, ctx.secure()));
        (c.token, set)
    }

    /// Verifies the CSRF double submit of a POST.
    pub(crate) fn verify_csrf(&self, ctx: &Ctx<'_>, req: &Req) -> Result<(), FlowError> {
        let name = &ctx.scheme.names.csrf_token;
        crate::csrf::verify(
            ctx.cookies.get(name),
            req.body.get("csrfToken"),
            &self.csrf_secret,
        )
        .map_err(|f| FlowError::MissingCsrf(f.reason()))
    }
}
