//! Shared by the `axum_*` tests: a real configuration (credentials provider with two users,
//! counting `jwt`/`session` callbacks), a cookie jar, and a real credentials sign-in through
//! the mounted flow.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_runtime::config::{
    CredentialField, CredentialsProvider, JwtArgs, JwtSessionArgs, SessionCallback,
};
use auth_runtime::{Auth, AuthConfig, Credentials, Provider, User};
use axum::Router;
use axum::body::{Body, to_bytes};
use http::{Request, Response, StatusCode, header};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

pub const SECRET: &str = "axum-tests-secret-0123456789abcdef0123456789abcdef";
pub const ORIGIN: &str = "http://localhost:3000";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Token {
    pub sub: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub picture: Option<String>,
    pub iat: Option<i64>,
    pub exp: Option<i64>,
    pub jti: Option<String>,
    pub role: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionUser {
    pub name: Option<String>,
    pub email: Option<String>,
    pub image: Option<String>,
    pub id: String,
    pub role: String,
}

pub type Session = auth_runtime::Session<SessionUser>;

/// How often each callback ran.
#[derive(Clone, Default)]
pub struct Counters {
    pub jwt: Arc<AtomicUsize>,
    pub session: Arc<AtomicUsize>,
}

impl Counters {
    pub fn jwt(&self) -> usize {
        self.jwt.load(Ordering::SeqCst)
    }
    pub fn session(&self) -> usize {
        self.session.load(Ordering::SeqCst)
    }
}

async fn authorize(credentials: Credentials) -> Option<User> {
    match (credentials.get("username"), credentials.get("password")) {
        (Some("admin"), Some("admin-pw")) => Some(User::new("1").with_name("Ada Admin")),
        (Some("alice"), Some("alice-pw")) => Some(User::new("2").with_name("Alice")),
        _ => None,
    }
}

pub fn config(counters: &Counters) -> AuthConfig<Token, SessionUser> {
    let jwt_count = counters.jwt.clone();
    let session_count = counters.session.clone();
    AuthConfig::__new()
        .__provider(Provider::Credentials(CredentialsProvider {
            id: "credentials".into(),
            name: "Credentials".into(),
            fields: vec![
                CredentialField::new("username", "Username", "text"),
                CredentialField::new("password", "Password", "password"),
            ],
            authorize: Arc::new(|c| Box::pin(authorize(c))),
        }))
        .__jwt(Arc::new(move |args: JwtArgs<Token>| {
            jwt_count.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                let mut token = args.token;
                if let Some(user) = args.user {
                    token.role = if user.id == "1" {
                        "admin".into()
                    } else {
                        "user".into()
                    };
                }
                Some(token)
            })
        }))
        .__session(SessionCallback::Jwt(Arc::new(
            move |args: JwtSessionArgs<Token, SessionUser>| {
                session_count.fetch_add(1, Ordering::SeqCst);
                Box::pin(async move {
                    let mut session = args.session;
                    session.user.id = args.token.sub.clone().unwrap_or_default();
                    session.user.role = args.token.role.clone();
                    session
                })
            },
        )))
        .with_secrets([SECRET])
        .with_url(ORIGIN)
}

pub fn auth(counters: &Counters) -> Auth<Token, SessionUser> {
    Auth::new(config(counters)).expect("valid configuration")
}

/// A minimal cookie jar: applies `Set-Cookie` (including deletions) and renders `Cookie`.
#[derive(Clone, Debug, Default)]
pub struct Jar(pub BTreeMap<String, String>);

impl Jar {
    pub fn update<B>(&mut self, response: &Response<B>) {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let value = value.to_str().expect("ascii Set-Cookie");
            let mut attrs = value.split(';').map(str::trim);
            let (name, val) = attrs.next().unwrap().split_once('=').unwrap();
            let expired = attrs.any(|a| {
                let lower = a.to_ascii_lowercase();
                lower == "max-age=0" || lower.starts_with("expires=thu, 01 jan 1970")
            });
            if expired || val.is_empty() {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), val.to_owned());
            }
        }
    }

    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn has_session(&self) -> bool {
        self.0.keys().any(|k| k.starts_with("authjs.session-token"))
    }
}

pub fn req(path: &str, jar: &Jar) -> Request<Body> {
    let mut builder = Request::builder().uri(path);
    if !jar.0.is_empty() {
        builder = builder.header(header::COOKIE, jar.header());
    }
    builder.body(Body::empty()).unwrap()
}

pub fn get_html(path: &str, jar: &Jar) -> Request<Body> {
    let mut request = req(path, jar);
    request.headers_mut().insert(
        header::ACCEPT,
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            .parse()
            .unwrap(),
    );
    request
}

pub async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.expect("infallible")
}

pub async fn body_string(response: Response<Body>) -> String {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", k, percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub async fn csrf(app: &Router, jar: &mut Jar) -> String {
    let response = send(app, req("/api/auth/csrf", jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    jar.update(&response);
    let body: serde_json::Value = serde_json::from_str(&body_string(response).await).unwrap();
    body["csrfToken"].as_str().expect("csrfToken").to_owned()
}

/// Signs in through the mounted flow (`GET /csrf`, `POST /callback/credentials`) and
/// returns the jar with the real session cookie.
pub async fn sign_in(app: &Router, username: &str, password: &str) -> Jar {
    let mut jar = Jar::default();
    let token = csrf(app, &mut jar).await;
    let request = Request::builder()
        .method("POST")
        .uri("/api/auth/callback/credentials")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, jar.header())
        .body(Body::from(form(&[
            ("csrfToken", &token),
            ("callbackUrl", "/"),
            ("username", username),
            ("password", password),
        ])))
        .unwrap();
    let response = send(app, request).await;
    assert!(
        response.status().is_redirection(),
        "credentials sign-in answered {}",
        response.status()
    );
    jar.update(&response);
    jar
}
