//! The hostile-input suite: one table of requests an attacker can send, each with the one
//! safe outcome it must get: the exact status, where `Location` may point (nowhere, one
//! exact URL, or this site's origin), that no response sets a user's session cookie
//! (clearing one is allowed; a refused state-changing request may not even do that), that
//! no page reflects a payload, that no header is injected. Then a burst of 200 concurrent
//! bad requests against a real server on loopback, after which a valid sign-in still works.
//!
//! The apps: the quickstart's shape (credentials, the jwt strategy, a fixed URL) with the
//! session as Auth.js's JWE, as an HS256 JWS and as an EdDSA JWS, and one that trusts the
//! request's host; an application route `/me` extracts the `Session`.
//!
//! The cases, 292 of them, one file a family: `tokens` (forged, tampered and expired JWE,
//! HS256 and EdDSA tokens, alg and kid games), `requests` (chunks, sizes, CSRF on every
//! POST), `pages` (open redirects and CR/LF, reflected XSS, host spoofing, methods and
//! paths); `wire` sends malformed HTTP and the burst to a real server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use auth_runtime::jwt::{JwtCodec, KeyMaterial, Secrets, TokenFormat};
use auth_runtime::{Auth, AuthConfig};
use auth_tests::cookies::CookieJar;
use auth_tests::flow::{ORIGIN, SECRET, SUser, Tok, credentials_provider, form, plain_config};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use http::Request;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tower::ServiceExt as _;

mod pages;
mod requests;
mod tokens;
mod wire;

use self::pages::*;
use self::requests::*;
use self::tokens::*;

const SESSION: &str = "authjs.session-token";
const CSRF: &str = "authjs.csrf-token";
const OTHER_SECRET: &str = "another-secret-0123456789abcdef0123456789";
const MISSING_CSRF: &str = "http://localhost:3000/api/auth/signin?error=MissingCSRF";

/// RFC 8037 Appendix A key pair (Ed25519), as in `flow_jws`.
const ED_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
const ED_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

fn eddsa() -> TokenFormat {
    TokenFormat::EdDsa {
        private_key: Some(KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())),
        public_key: KeyMaterial::Pem(ED_PUBLIC_PEM.to_owned()),
    }
}

// ---------------------------------------------------------------------------------------
// The apps
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum App {
    /// Auth.js's JWE session, fixed URL.
    Jwe,
    /// HS256 JWS session.
    Hs,
    /// EdDSA JWS session.
    Ed,
    /// No URL: the request's host is trusted.
    Trusted,
}

async fn me(session: auth_runtime::Session<SUser>) -> String {
    session.user.name.unwrap_or_default()
}

fn router(config: AuthConfig<Tok, SUser>) -> Router {
    let auth = Auth::new(config).expect("valid configuration");
    Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer())
}

fn routers() -> BTreeMap<App, Router> {
    let trusted = AuthConfig::<Tok, SUser>::__new()
        .__provider(credentials_provider())
        .with_secrets([SECRET])
        .with_trust_host(true);
    BTreeMap::from([
        (App::Jwe, router(plain_config())),
        (
            App::Hs,
            router(plain_config().with_token_format(TokenFormat::Hs256)),
        ),
        (App::Ed, router(plain_config().with_token_format(eddsa()))),
        (App::Trusted, router(trusted)),
    ])
}

async fn send(router: &Router, request: Request<Body>) -> (u16, http::HeaderMap, String) {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), 4 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// A CSRF token and its cookie (`token%7Chash`), from `GET /csrf`.
async fn csrf(router: &Router) -> (String, String) {
    let request = Request::get("/api/auth/csrf").body(Body::empty()).unwrap();
    let (_, headers, body) = send(router, request).await;
    let mut jar = CookieJar::default();
    jar.store(&headers);
    let token: Value = serde_json::from_str(&body).unwrap();
    (
        token["csrfToken"].as_str().unwrap().to_owned(),
        jar[CSRF].clone(),
    )
}

/// A real credentials sign-in: the session cookie's value.
async fn sign_in(router: &Router, name: &str) -> String {
    let (token, cookie) = csrf(router).await;
    let request = Request::post("/api/auth/callback/credentials")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("{CSRF}={cookie}"))
        .body(Body::from(form(&[
            ("csrfToken", &token),
            ("username", name),
            ("password", "pw"),
        ])))
        .unwrap();
    let (status, headers, _) = send(router, request).await;
    assert_eq!(status, 302);
    let mut jar = CookieJar::default();
    jar.store(&headers);
    jar[SESSION].clone()
}

// ---------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------

/// Where `Location` may point.
#[derive(Clone, Debug)]
enum Loc {
    /// No `Location`.
    Absent,
    /// Exactly this URL.
    Exact(String),
    /// Somewhere on this site: `http://localhost:3000/..`, or a path.
    SameOrigin,
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    app: App,
    method: &'static str,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    status: u16,
    location: Loc,
    /// The exact body, when it matters (`null` for a refused session).
    body_is: Option<&'static str>,
    /// Text no response may contain (a reflected payload, another origin).
    not_in_body: Vec<String>,
    /// A refused state-changing request sent with a live session must not touch it, not
    /// even clear it.
    session_untouched: bool,
    /// A legitimate sign-in (the case is about its redirect): a session cookie is expected.
    signs_in: bool,
}

fn case(name: impl Into<String>, app: App, method: &'static str, uri: impl Into<String>) -> Case {
    Case {
        name: name.into(),
        app,
        method,
        uri: uri.into(),
        headers: Vec::new(),
        body: Vec::new(),
        status: 200,
        location: Loc::Absent,
        body_is: None,
        not_in_body: Vec::new(),
        session_untouched: false,
        signs_in: false,
    }
}

impl Case {
    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
    fn cookie(self, value: impl Into<String>) -> Self {
        self.header("cookie", value)
    }
    fn form(mut self, fields: &[(&str, &str)]) -> Self {
        self.body = form(fields).into_bytes();
        self.header("content-type", "application/x-www-form-urlencoded")
    }
    fn raw_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.header("content-type", content_type)
    }
    fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
    fn goes(mut self, location: Loc) -> Self {
        self.location = location;
        self
    }
    fn goes_to(self, location: &str) -> Self {
        self.goes(Loc::Exact(location.to_owned()))
    }
    fn body_is(mut self, body: &'static str) -> Self {
        self.body_is = Some(body);
        self
    }
    fn not_in_body(mut self, text: impl Into<String>) -> Self {
        self.not_in_body.push(text.into());
        self
    }
    fn untouched(mut self) -> Self {
        self.session_untouched = true;
        self
    }
    fn signs_in(mut self) -> Self {
        self.signs_in = true;
        self
    }
}

/// `Location` on this site: a path (not `//..` nor `/\..`), or `http://localhost:3000` with
/// nothing before the host.
fn same_origin(location: &str) -> bool {
    if location.starts_with('/') {
        return !location.starts_with("//") && !location.starts_with("/\\");
    }
    let Ok(url) = url::Url::parse(location) else {
        return false;
    };
    url.scheme() == "http"
        && url.host_str() == Some("localhost")
        && url.port() == Some(3000)
        && url.username().is_empty()
        && url.password().is_none()
        && (location == ORIGIN || location.starts_with(&format!("{ORIGIN}/")))
}

/// Runs one case; every way it differs from its safe outcome.
async fn check(router: &Router, case: &Case) -> Vec<String> {
    let mut builder = Request::builder().method(case.method).uri(&case.uri);
    for (k, v) in &case.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let request = match builder.body(Body::from(case.body.clone())) {
        Ok(r) => r,
        Err(e) => return vec![format!("cannot build the request: {e}")],
    };
    let (status, headers, body) = send(router, request).await;
    let mut wrong = Vec::new();
    if status != case.status {
        wrong.push(format!("status {status}, expected {}", case.status));
    }
    let location = headers
        .get("location")
        .map(|v| v.to_str().unwrap_or("<not text>").to_owned());
    match (&case.location, &location) {
        (Loc::Absent, None) => {}
        (Loc::Exact(want), Some(got)) if want == got => {}
        (Loc::SameOrigin, Some(got)) if same_origin(got) => {}
        (want, got) => wrong.push(format!("Location {got:?}, expected {want:?}")),
    }
    if let Some(want) = case.body_is
        && body != want
    {
        wrong.push(format!("body {body:?}, expected {want:?}"));
    }
    for text in &case.not_in_body {
        if body.contains(text.as_str()) {
            wrong.push(format!("the body contains {text:?}"));
        }
    }
    for (name, _) in headers.iter() {
        if name.as_str().starts_with("x-injected") {
            wrong.push(format!("injected header {name}"));
        }
    }
    for cookie in headers.get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap_or_default();
        let (name, rest) = cookie.split_once('=').unwrap_or((cookie, ""));
        let cleared = rest.starts_with(';') && cookie.contains("Max-Age=0");
        if name.starts_with("injected") {
            wrong.push(format!("injected cookie {cookie}"));
        }
        if name.starts_with(SESSION) {
            if case.session_untouched {
                wrong.push(format!("the session cookie is touched: {cookie}"));
            } else if !cleared && !case.signs_in {
                wrong.push(format!("a session cookie is set: {cookie}"));
            }
        }
        if name == "authjs.callback-url" && !cleared {
            let value = rest.split(';').next().unwrap_or_default();
            let url = percent_decode(value);
            if !same_origin(&url) {
                wrong.push(format!("callback-url cookie off the site: {url:?}"));
            }
        }
    }
    if case.signs_in
        && !headers.get_all("set-cookie").iter().any(|c| {
            c.to_str()
                .unwrap_or_default()
                .starts_with(&format!("{SESSION}=ey"))
        })
    {
        wrong.push("no session cookie for a legitimate sign-in".to_owned());
    }
    wrong
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Percent-encodes a query value.
fn q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The live sessions of the three formats and a good CSRF pair.
struct Live {
    jwe: String,
    hs: String,
    ed: String,
    csrf_token: String,
    csrf_cookie: String,
}

// ---------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn hostile_requests_get_their_safe_outcome() {
    let routers = routers();
    let (csrf_token, csrf_cookie) = csrf(&routers[&App::Jwe]).await;
    let live = Live {
        jwe: sign_in(&routers[&App::Jwe], "ada").await,
        hs: sign_in(&routers[&App::Hs], "ada").await,
        ed: sign_in(&routers[&App::Ed], "ada").await,
        csrf_token,
        csrf_cookie,
    };
    // Controls: the live sessions and the CSRF pair are good, so a refusal below is the
    // attack's doing.
    for app in [App::Jwe, App::Hs, App::Ed] {
        let token = match app {
            App::Jwe => &live.jwe,
            App::Hs => &live.hs,
            _ => &live.ed,
        };
        let request = Request::get("/me")
            .header("cookie", format!("{SESSION}={token}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&routers[&app], request).await;
        assert_eq!((status, body.as_str()), (200, "ada"), "{app:?} control");
    }

    let mut cases = Vec::new();
    forged_tokens(&mut cases, &live);
    chunk_cases(&mut cases, &live);
    size_cases(&mut cases, &live);
    csrf_cases(&mut cases, &live);
    redirect_cases(&mut cases, &live);
    xss_cases(&mut cases);
    host_cases(&mut cases, &live);
    method_and_path_cases(&mut cases, &live);

    let mut report = String::new();
    let mut failed = 0;
    for c in &cases {
        let wrong = check(&routers[&c.app], c).await;
        if !wrong.is_empty() {
            failed += 1;
            let _ = writeln!(report, "{}: {}", c.name, wrong.join("; "));
        }
    }
    assert!(cases.len() >= 100, "{} cases", cases.len());
    assert_eq!(
        failed,
        0,
        "{failed} of {} cases unsafe:\n{report}",
        cases.len()
    );
}
