//! Shared by the `axum_*` tests: a real configuration (credentials provider with two users,
//! counting `jwt`/`session` callbacks), a cookie jar, and a real credentials sign-in through
//! the mounted flow.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_runtime::config::OkOrDefault;
use auth_runtime::config::{
    CredentialField, CredentialsProvider, JwtArgs, JwtSessionArgs, SessionCallback,
};
use auth_runtime::{Auth, AuthConfig, Credentials, Provider, User};
use axum::Router;
use axum::body::{Body, to_bytes};
use http::{Request, Response, StatusCode, header};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

pub use crate::cookies::CookieJar as Jar;
pub use crate::flow::form;

/// The app's secret.
pub const SECRET: &str = "axum-tests-secret-0123456789abcdef0123456789abcdef";
/// The app's URL.
pub const ORIGIN: &str = "http://localhost:3000";

/// The token type (what `auth!` would generate), with a `role` claim.
#[allow(missing_docs, reason = "the standard claims, plus `role`")]
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

/// `session.user` with the `id` and `role` the `session` callback adds.
#[allow(missing_docs, reason = "the standard fields, plus `id` and `role`")]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionUser {
    pub name: Option<String>,
    pub email: Option<String>,
    pub image: Option<String>,
    pub id: String,
    pub role: String,
}

/// The typed session the handlers extract.
pub type Session = auth_runtime::Session<SessionUser>;

/// How often each callback ran.
#[derive(Clone, Default)]
pub struct Counters {
    /// `jwt` runs.
    pub jwt: Arc<AtomicUsize>,
    /// `session` runs.
    pub session: Arc<AtomicUsize>,
}

impl Counters {
    /// How often `jwt` ran.
    pub fn jwt(&self) -> usize {
        self.jwt.load(Ordering::SeqCst)
    }
    /// How often `session` ran.
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

/// Credentials for `admin`/`admin-pw` (role `admin`) and `alice`/`alice-pw` (role
/// `user`), with `jwt` and `session` counting.
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
            authorize: Arc::new(|c| Box::pin(async move { authorize(c).await.ok_or_default() })),
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

/// The runtime for [`config`].
pub fn auth(counters: &Counters) -> Auth<Token, SessionUser> {
    Auth::new(config(counters)).expect("valid configuration")
}

/// `GET path` with the jar's cookies.
pub fn req(path: &str, jar: &Jar) -> Request<Body> {
    let mut builder = Request::builder().uri(path);
    if !jar.0.is_empty() {
        builder = builder.header(header::COOKIE, jar.header());
    }
    builder.body(Body::empty()).unwrap()
}

/// [`req`], accepting HTML as a browser does.
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

/// One request through the router.
pub async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.expect("infallible")
}

/// The body as text.
pub async fn body_string(response: Response<Body>) -> String {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// `GET /api/auth/csrf`: the token, its cookie in the jar.
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

/// Serves `app` on `listener` in the background with axum's `ConnectInfo`, so the flow
/// sees each connection's peer address as the client's.
pub fn serve_with_peer_addr(listener: tokio::net::TcpListener, app: Router) {
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
}
