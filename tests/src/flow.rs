//! Shared by the `flow_*` integration tests: a config built with the `#[doc(hidden)]`
//! builder, counting callbacks, and a tiny browser (cookie jar) driving `Auth::handle`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use auth_runtime::config::OkOrDefault;
use auth_runtime::config::{
    BoxFuture, JwtArgs, JwtSessionArgs, RedirectArgs, SessionCallback, SignInArgs, SignInDecision,
};
use auth_runtime::{Auth, AuthConfig, Credentials, Provider, Session, Trigger, User, providers};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::cookies::CookieJar;

/// The secret of [`counting_config`] and [`plain_config`].
pub const SECRET: &str = "flow-test-secret-0123456789abcdef0123456789";
/// Their URL.
pub const ORIGIN: &str = "http://localhost:3000";

/// The token type (what `auth!` would generate), with one custom claim.
#[allow(
    missing_docs,
    reason = "the standard claims (`amr` among them), plus `role` and a large `blob`"
)]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tok {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
}

/// `session.user` with an `id` and a `role` added by the `session` callback.
#[allow(missing_docs, reason = "the standard fields, plus `id` and `role`")]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// What one `jwt` call saw: (trigger, user present, session data).
pub type JwtSeen = (Option<Trigger>, bool, Option<serde_json::Value>);

/// Invocation counters, and what `jwt` saw each time.
#[allow(missing_docs, reason = "one counter per callback")]
#[derive(Default)]
pub struct Calls {
    pub sign_in: AtomicUsize,
    pub jwt: AtomicUsize,
    pub session: AtomicUsize,
    pub redirect: AtomicUsize,
    /// (trigger, user present, session data present) per `jwt` call.
    pub jwt_seen: Mutex<Vec<JwtSeen>>,
}

impl Calls {
    /// `[sign_in, jwt, session, redirect]`.
    pub fn counts(&self) -> [usize; 4] {
        [
            self.sign_in.load(Ordering::SeqCst),
            self.jwt.load(Ordering::SeqCst),
            self.session.load(Ordering::SeqCst),
            self.redirect.load(Ordering::SeqCst),
        ]
    }

    /// What `jwt` saw since the last call, emptying the record.
    pub fn take_jwt_seen(&self) -> Vec<JwtSeen> {
        std::mem::take(&mut *self.jwt_seen.lock().unwrap())
    }
}

/// What the `sign_in` callback decides for a user name.
fn decide(user: &User) -> SignInDecision {
    match user.name.as_deref() {
        Some("banned") => SignInDecision::Deny,
        Some("elsewhere") => SignInDecision::Redirect("/blocked".to_owned()),
        _ => SignInDecision::Allow,
    }
}

/// `authorize`: password must be `pw`; user `big` gets a large claim (chunked cookie).
pub fn authorize(c: Credentials) -> Option<User> {
    let username = c.get("username")?.to_owned();
    if c.get("password") != Some("pw") {
        return None;
    }
    Some(
        User::new(format!("id-{username}"))
            .with_name(username.clone())
            .with_email(format!("{username}@example.com")),
    )
}

/// Boxes a callback's future.
pub fn boxed<T>(f: impl std::future::Future<Output = T> + Send + 'static) -> BoxFuture<T> {
    Box::pin(f)
}

/// The credentials provider of every test (username, password `pw`).
pub fn credentials_provider() -> Provider {
    Provider::Credentials(providers::credentials(Arc::new(|c: Credentials| {
        boxed(async move { authorize(c).ok_or_default() })
    })))
}

/// A config with every callback counting, like a user writing all four.
pub fn counting_config(calls: Arc<Calls>) -> AuthConfig<Tok, SUser> {
    let c1 = calls.clone();
    let c2 = calls.clone();
    let c3 = calls.clone();
    let c4 = calls;
    AuthConfig::<Tok, SUser>::__new()
        .__provider(credentials_provider())
        .__sign_in(Arc::new(move |args: SignInArgs| {
            c1.sign_in.fetch_add(1, Ordering::SeqCst);
            let d = decide(&args.user);
            boxed(async move { d })
        }))
        .__jwt(Arc::new(move |args: JwtArgs<Tok>| {
            c2.jwt.fetch_add(1, Ordering::SeqCst);
            c2.jwt_seen.lock().unwrap().push((
                args.trigger,
                args.user.is_some(),
                args.session.clone(),
            ));
            let mut token = args.token;
            if args.user.as_ref().and_then(|u| u.name.as_deref()) == Some("ghost") {
                return boxed(async { None });
            }
            if let Some(user) = &args.user {
                token.role = Some(
                    if user.id == "id-admin" {
                        "admin"
                    } else {
                        "user"
                    }
                    .to_owned(),
                );
                if user.id == "id-big" {
                    token.blob = Some("b".repeat(6000));
                }
            }
            if let Some(data) = &args.session {
                if let Some(name) = data.get("name").and_then(|v| v.as_str()) {
                    token.name = Some(name.to_owned());
                }
                if data.get("signOut").is_some() {
                    return boxed(async { None });
                }
            }
            boxed(async move { Some(token) })
        }))
        .__session(SessionCallback::Jwt(Arc::new(
            move |args: JwtSessionArgs<Tok, SUser>| {
                c3.session.fetch_add(1, Ordering::SeqCst);
                let mut session = args.session;
                session.user.id = args.token.sub.clone();
                session.user.role = args.token.role.clone();
                boxed(async move { session })
            },
        )))
        .__redirect(Arc::new(move |args: RedirectArgs| {
            c4.redirect.fetch_add(1, Ordering::SeqCst);
            // Auth.js's default rule, written out.
            let to = if args.url.starts_with('/') {
                format!("{}{}", args.base_url, args.url)
            } else if args.url == args.base_url
                || args.url.starts_with(&format!("{}/", args.base_url))
            {
                args.url
            } else {
                args.base_url
            };
            boxed(async move { to })
        }))
        .with_secrets([SECRET])
        .with_url(ORIGIN)
}

/// A config with no callbacks at all (Auth.js's defaults).
pub fn plain_config() -> AuthConfig<Tok, SUser> {
    AuthConfig::<Tok, SUser>::__new()
        .__provider(credentials_provider())
        .with_secrets([SECRET])
        .with_url(ORIGIN)
}

/// A response, with the parts the tests look at.
#[derive(Debug)]
pub struct Res {
    /// The status code.
    pub status: u16,
    /// Every header.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Res {
    /// The body as JSON (fails the test when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// The `Location` header (fails the test when there is none).
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no Location; status {} body {:?}", self.status, self.body))
    }

    /// The header `name`, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The `Set-Cookie` for `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.split_once('=').map(|(n, _)| n) == Some(name))
    }
}

/// A browser: keeps cookies, sends them back.
pub struct Browser {
    /// The app.
    pub auth: Auth<Tok, SUser>,
    /// The cookies it keeps.
    pub jar: CookieJar,
    /// The base path a path starting with `/` is put under (`/api/auth`).
    pub base: String,
    /// Headers sent with every request.
    pub extra_headers: Vec<(String, String)>,
}

impl Browser {
    /// A browser with an empty jar.
    pub fn new(auth: Auth<Tok, SUser>) -> Self {
        Browser {
            auth,
            jar: CookieJar::new(),
            base: "/api/auth".to_owned(),
            extra_headers: Vec::new(),
        }
    }

    /// The `Cookie` header it sends.
    pub fn cookie_header(&self) -> String {
        self.jar.header()
    }

    /// A request under [`Browser::base`] (`path` starts with `/`), or to `path` as given;
    /// keeps the cookies the answer sets.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Res {
        self.send_with(method, path, content_type, body, &[]).await
    }

    /// [`Browser::send`] with more headers.
    pub async fn send_with(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Res {
        let uri = if path.starts_with('/') && !path.starts_with(&self.base) {
            format!("{}{}", self.base, path)
        } else {
            path.to_owned()
        };
        let mut b = http::Request::builder().method(method).uri(uri);
        if !self.jar.is_empty() {
            b = b.header("cookie", self.cookie_header());
        }
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        for (k, v) in &self.extra_headers {
            b = b.header(k.as_str(), v.as_str());
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let response = self.auth.handle(b.body(Bytes::from(body)).unwrap()).await;
        let res = Res {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.into_body(),
        };
        self.jar.store(&res.headers);
        res
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Res {
        self.send("GET", path, None, Vec::new()).await
    }

    /// `POST path` with a form body.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Res {
        let body = form(fields);
        self.send(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
        )
        .await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&mut self, path: &str, value: &serde_json::Value) -> Res {
        self.send(
            "POST",
            path,
            Some("application/json"),
            serde_json::to_vec(value).unwrap(),
        )
        .await
    }

    /// `GET /csrf`, returning the token.
    pub async fn csrf(&mut self) -> String {
        let res = self.get("/csrf").await;
        assert_eq!(res.status, 200);
        res.json()["csrfToken"].as_str().unwrap().to_owned()
    }

    /// Credentials sign-in as `username`/`pw` (form body), returning the response.
    pub async fn sign_in(&mut self, username: &str, callback_url: Option<&str>) -> Res {
        let csrf = self.csrf().await;
        let mut fields = vec![
            ("csrfToken", csrf.as_str()),
            ("username", username),
            ("password", "pw"),
        ];
        if let Some(cb) = callback_url {
            fields.push(("callbackUrl", cb));
        }
        self.post_form("/callback/credentials", &fields).await
    }

    /// `GET /session` (status 200), as JSON.
    pub async fn session(&mut self) -> serde_json::Value {
        let res = self.get("/session").await;
        assert_eq!(res.status, 200);
        res.json()
    }

    /// The session cookie names in the jar.
    pub fn session_cookie_names(&self) -> Vec<String> {
        self.jar
            .keys()
            .filter(|k| k.contains("authjs.session-token"))
            .cloned()
            .collect()
    }
}

/// `application/x-www-form-urlencoded`.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds the runtime, failing the test with the error's message.
pub fn auth(config: AuthConfig<Tok, SUser>) -> Auth<Tok, SUser> {
    Auth::new(config).unwrap_or_else(|e| panic!("Auth::new: {e}"))
}

/// The typed session, for tests that prefer it.
pub fn typed(value: &serde_json::Value) -> Option<Session<SUser>> {
    serde_json::from_value(value.clone()).ok()
}

/// The application's side of a request: what a handler sees (for the server-side session
/// operations, `Auth::sign_in` and its siblings).
impl Browser {
    /// The parts of `GET path` (an application route) carrying the jar's cookies.
    pub fn app_request(&self, path: &str) -> http::request::Parts {
        let mut b = http::Request::builder().uri(path);
        if !self.jar.is_empty() {
            b = b.header("cookie", self.cookie_header());
        }
        b.body(()).unwrap().into_parts().0
    }

    /// Keeps the cookies of a server-side operation's answer, as the browser would.
    pub fn keep<U>(&mut self, change: &auth_runtime::SessionChange<U>) {
        let mut headers = http::HeaderMap::new();
        change.apply_to(&mut headers);
        self.jar.store(&headers);
    }
}

/// Sends one request to `auth`'s flow under `/api/auth` with `jar`'s cookies (a form body
/// when given) and keeps the cookies the answer sets: for any `Token`/`SessionUser` pair.
#[allow(clippy::unwrap_used)]
pub async fn send_with_jar<
    T: auth_runtime::config::TokenData,
    U: auth_runtime::config::SessionUserData,
>(
    auth: &auth_runtime::Auth<T, U>,
    jar: &mut CookieJar,
    method: &str,
    path: &str,
    form: Option<String>,
) -> http::Response<Bytes> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(format!("/api/auth{path}"))
        .header("cookie", jar.header());
    if form.is_some() {
        b = b.header("content-type", "application/x-www-form-urlencoded");
    }
    let res = auth
        .handle(b.body(Bytes::from(form.unwrap_or_default())).unwrap())
        .await;
    jar.store(res.headers());
    res
}

/// `GET /csrf` through [`send_with_jar`]: the token, its cookie kept in `jar`.
pub async fn csrf_with_jar<
    T: auth_runtime::config::TokenData,
    U: auth_runtime::config::SessionUserData,
>(
    auth: &auth_runtime::Auth<T, U>,
    jar: &mut CookieJar,
) -> String {
    let res = send_with_jar(auth, jar, "GET", "/csrf", None).await;
    let csrf: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
    csrf["csrfToken"].as_str().unwrap().to_owned()
}
