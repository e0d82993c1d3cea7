//! A test kit for applications (feature `testing`): mint a session cookie for a user or a
//! token, and drive an axum `Router` in-process like a browser ([`TestClient`]), through
//! Auth.js's CSRF and credentials sign-in.
//!
//! ```
//! # mod auth {
//! #     auth_runtime::auth! {
//! #         providers: [ Credentials { authorize: |c| async move {
//! #             (c.get("password") == Some("pw")).then(|| auth_runtime::User::new("1").with_name("ada"))
//! #         } } ],
//! #     }
//! # }
//! use auth_runtime::testing::{TestClient, session_cookie_for_user};
//! use auth_runtime::{Auth, User};
//! use axum::{Router, routing::get};
//!
//! async fn me(session: auth::Session) -> String {
//!     session.user.name.unwrap_or_default()
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::new(
//!     auth::config()
//!         .with_secrets(["a test secret of at least thirty-two bytes"])
//!         .with_url("http://localhost:3000"),
//! )?;
//! let app = Router::new().route("/me", get(me)).merge(auth.routes()).layer(auth.layer());
//!
//! // A minted cookie: no sign-in round trip.
//! let cookie = session_cookie_for_user(&auth, User::new("1").with_name("ada")).await?;
//! let mut client = TestClient::new(app.clone()).with_cookie_header(&cookie);
//! assert_eq!(client.get("/me").await.into_body(), "ada");
//!
//! // A real sign-in through the flow: GET /csrf, POST /callback/credentials.
//! let mut client = TestClient::new(app);
//! client.sign_in("credentials", &[("password", "pw")]).await?;
//! assert_eq!(client.get("/me").await.status(), 200);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use ::axum::Router;
use ::axum::body::{Body, to_bytes};
use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, header};
use tower::ServiceExt as _;

use crate::config::{SessionUserData, TokenData, User};
use crate::{Auth, SessionError};

/// The largest response body [`TestClient`] reads.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A request the minting functions present to the runtime: host `localhost` (used only
/// under `trust_host`; a configured URL wins).
fn mint_parts() -> http::request::Parts {
    let (parts, ()) = Request::builder()
        .uri("/")
        .header(header::HOST, "localhost")
        .body(())
        .unwrap_or_default()
        .into_parts();
    parts
}

/// The `Cookie` header value (`name=value; ..`) of `Set-Cookie` values.
fn cookie_header(set_cookies: &[http::HeaderValue]) -> String {
    let mut jar = Jar::default();
    for value in set_cookies {
        jar.store_one(value);
    }
    jar.header()
}

/// A `Cookie` header value holding a session for `user`, under either strategy, made as
/// [`Auth::sign_in`] makes it (so the `sign_in` and `jwt` callbacks run; with an adapter
/// the user is found or created and, under the database strategy, a session row written).
pub async fn session_cookie_for_user<T: TokenData, U: SessionUserData>(
    auth: &Auth<T, U>,
    user: User,
) -> Result<String, SessionError> {
    let change = auth.sign_in(&mint_parts(), user).await?;
    Ok(cookie_header(&change.set_cookies))
}

/// A `Cookie` header value holding `token` as the session (jwt strategy; no callback
/// runs, `iat`/`exp`/`jti` are set by the codec). Under the database strategy use
/// [`session_cookie_for_user`].
pub fn session_cookie_for_token<T: TokenData, U: SessionUserData>(
    auth: &Auth<T, U>,
    token: &T,
) -> Result<String, SessionError> {
    let set = auth.mint_token_cookie(&mint_parts(), token)?;
    Ok(cookie_header(&set))
}

/// A clock tests set and advance: install it with [`Auth::with_clock`], keep a clone, and
/// move time forward instead of sleeping (a lockout window, a session's expiry, a
/// token's `exp`). Clones share one time.
///
/// ```
/// use std::time::Duration;
/// use auth_runtime::clock::Clock as _;
/// use auth_runtime::testing::TestClock;
///
/// let clock = TestClock::new();
/// let start = clock.now();
/// clock.advance(Duration::from_secs(15 * 60));
/// assert_eq!(clock.now(), start + Duration::from_secs(15 * 60));
/// // let auth = Auth::new(config)?.with_clock(clock.clone());
/// ```
#[derive(Clone, Debug)]
pub struct TestClock {
    now: std::sync::Arc<std::sync::Mutex<std::time::SystemTime>>,
}

impl TestClock {
    /// A clock reading the system time of its creation, standing still until moved.
    pub fn new() -> Self {
        Self::at(std::time::SystemTime::now())
    }

    /// A clock standing at `time`.
    pub fn at(time: std::time::SystemTime) -> Self {
        TestClock {
            now: std::sync::Arc::new(std::sync::Mutex::new(time)),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut std::time::SystemTime) -> R) -> R {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut now)
    }

    /// Sets the time (backwards too).
    pub fn set(&self, time: std::time::SystemTime) {
        self.with(|now| *now = time);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        self.with(|now| *now += by);
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

impl crate::clock::Clock for TestClock {
    fn now(&self) -> std::time::SystemTime {
        self.with(|now| *now)
    }
}

/// Why [`TestClient::sign_in`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// `GET {base}/csrf` did not answer a token.
    #[error("GET {0}/csrf answered {1}: is `auth.routes()` merged into the router?")]
    Csrf(String, StatusCode),
    /// The sign-in was refused (the redirect carries `?error=`, or no session cookie came).
    #[error("the sign-in was refused: {0}")]
    Refused(String),
}

#[derive(Clone, Debug, Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn store_one(&mut self, value: &http::HeaderValue) {
        let Ok(text) = value.to_str() else { return };
        let mut attributes = text.split(';');
        let Some((name, value)) = attributes.next().and_then(|kv| kv.split_once('=')) else {
            return;
        };
        let expired = attributes.any(|a| {
            let a = a.trim().to_ascii_lowercase();
            a == "max-age=0" || a.starts_with("max-age=-")
        });
        if expired {
            self.0.remove(name.trim());
        } else {
            self.0
                .insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }

    fn store(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            self.store_one(value);
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A browser for tests: sends requests to an axum `Router` in-process
/// (`tower::ServiceExt::oneshot`), keeps the cookies the answers set and sends them back.
/// Redirects are not followed.
#[derive(Clone, Debug)]
pub struct TestClient {
    app: Router,
    jar: Jar,
    base_path: String,
    host: String,
}

impl TestClient {
    /// A client with no cookies; the flow is at `/api/auth`
    /// ([`with_base_path`](Self::with_base_path) otherwise).
    pub fn new(app: Router) -> Self {
        TestClient {
            app,
            jar: Jar::default(),
            base_path: "/api/auth".to_owned(),
            host: "localhost".to_owned(),
        }
    }

    /// Where the flow is mounted (the configured `base_path`).
    pub fn with_base_path(mut self, base_path: impl Into<String>) -> Self {
        self.base_path = base_path.into();
        self
    }

    /// Adds the cookies of a `Cookie` header value (e.g. from [`session_cookie_for_user`]).
    pub fn with_cookie_header(mut self, cookie: &str) -> Self {
        for pair in cookie.split(';') {
            if let Some((k, v)) = pair.split_once('=') {
                self.jar.0.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        self
    }

    /// The `Cookie` header it sends.
    pub fn cookie_header(&self) -> String {
        self.jar.header()
    }

    /// Sends `request` (with the jar's cookies and a `Host`), keeps the cookies of the
    /// answer, and returns it with its body read.
    pub async fn send(&mut self, mut request: Request<Body>) -> Response<Bytes> {
        let headers = request.headers_mut();
        if !self.jar.0.is_empty()
            && let Ok(value) = self.jar.header().parse()
        {
            headers.insert(header::COOKIE, value);
        }
        if !headers.contains_key(header::HOST)
            && let Ok(value) = self.host.parse()
        {
            headers.insert(header::HOST, value);
        }
        let response = match self.app.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        self.jar.store(response.headers());
        let (parts, body) = response.into_parts();
        let body = to_bytes(body, MAX_BODY).await.unwrap_or_default();
        Response::from_parts(parts, body)
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Response<Bytes> {
        let request = Request::get(path).body(Body::empty()).unwrap_or_default();
        self.send(request).await
    }

    /// `POST path` with a form body.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response<Bytes> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap_or_default();
        self.send(request).await
    }

    /// The CSRF token (`GET {base}/csrf`), its cookie kept.
    pub async fn csrf_token(&mut self) -> Result<String, TestError> {
        let path = format!("{}/csrf", self.base_path);
        let response = self.get(&path).await;
        let token = serde_json::from_slice::<serde_json::Value>(response.body())
            .ok()
            .and_then(|v| v.get("csrfToken")?.as_str().map(str::to_owned));
        token.ok_or_else(|| TestError::Csrf(self.base_path.clone(), response.status()))
    }

    /// Signs in with a credentials provider: `GET {base}/csrf`, then
    /// `POST {base}/callback/{provider}` with `fields` and the token. `Ok` when a session
    /// cookie was set.
    pub async fn sign_in(
        &mut self,
        provider: &str,
        fields: &[(&str, &str)],
    ) -> Result<Response<Bytes>, TestError> {
        let token = self.csrf_token().await?;
        let mut all = vec![("csrfToken", token.as_str())];
        all.extend_from_slice(fields);
        let path = format!("{}/callback/{provider}", self.base_path);
        let response = self.post_form(&path, &all).await;
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let session_set = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("session-token") && !v.contains("Max-Age=0"));
        if location.contains("error=") || !session_set {
            return Err(TestError::Refused(if location.is_empty() {
                format!("status {}", response.status())
            } else {
                location
            }));
        }
        Ok(response)
    }
}
