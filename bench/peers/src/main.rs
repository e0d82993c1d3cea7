//! The servers `scripts/bench` loads beside the quickstart, one per process:
//!
//! ```text
//! bench-peers <server> <port>
//! ```
//!
//! | server | what `GET` answers |
//! | --- | --- |
//! | `bare` | `/api/auth/session`: a constant JSON body, no cookie read (the floor) |
//! | `jsonwebtoken` | `/api/auth/session`: a hand-rolled handler verifying an HS256 JWT cookie with `jsonwebtoken` |
//! | `axum-login` | `/api/auth/session`: the user of an `axum-login` session on `tower-sessions`' in-memory store |
//! | `protected` | `/me` behind `auth-runtime`'s `auth.layer()` with the `Session` extractor |
//! | `protected-reissue` | `protected` with `reissue_after` (one hour): the same routes, the session cookie re-issued at most once an hour (also serves `/api/auth/session`) |
//! | `unprotected` | `/me`: the same route and body without the layer and the extractor |
//!
//! Every server knows one user, `demo` / `demo`, and listens on 127.0.0.1 only. The
//! `jsonwebtoken` and `axum-login` servers sign in with `POST /login` (a form with `username`
//! and `password`); `protected` and `unprotected` serve the Auth.js flow under `/api/auth`
//! (`AUTH_SECRET` from the environment, or a fixed benchmark secret).
#![forbid(unsafe_code)]

mod guarded;
mod jwt;
mod login;

use std::process::ExitCode;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use serde::Deserialize;

/// The one user every server knows.
pub mod demo {
    /// Sign-in name.
    pub const USERNAME: &str = "demo";
    /// Password.
    pub const PASSWORD: &str = "demo";
    /// User id.
    pub const ID: &str = "1";
    /// Display name.
    pub const NAME: &str = "Demo User";
    /// E-mail address.
    pub const EMAIL: &str = "demo@example.com";
    /// Role, as the quickstart gives its demo user.
    pub const ROLE: &str = "admin";
}

/// The sign-in form of the `jsonwebtoken` and `axum-login` servers.
#[derive(Clone, Deserialize)]
pub struct LoginForm {
    /// The submitted user name.
    pub username: String,
    /// The submitted password.
    pub password: String,
}

impl LoginForm {
    /// Whether the form names the demo user with the right password.
    pub fn is_demo(&self) -> bool {
        self.username == demo::USERNAME && self.password == demo::PASSWORD
    }
}

/// What went wrong before a server could start.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(
        "usage: bench-peers <bare|jsonwebtoken|axum-login|protected|protected-reissue|unprotected> <port>"
    )]
    Usage,
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the auth configuration is invalid: {0}")]
    Config(#[from] auth_runtime::ConfigError),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-peers: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let mut args = std::env::args().skip(1);
    let (Some(server), Some(port), None) = (args.next(), args.next(), args.next()) else {
        return Err(StartError::Usage);
    };
    let port: u16 = port.parse().map_err(|_| StartError::Usage)?;
    let app = match server.as_str() {
        "bare" => bare(),
        "jsonwebtoken" => jwt::app(),
        "axum-login" => login::app(),
        "protected" => guarded::app(true, 0)?,
        "protected-reissue" => guarded::app(true, REISSUE_AFTER_SECS)?,
        "unprotected" => guarded::app(false, 0)?,
        _ => return Err(StartError::Usage),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| StartError::Bind { port, source })?;
    println!("{server} listening on http://127.0.0.1:{port}");
    axum::serve(listener, app).await.map_err(StartError::Serve)
}

/// `protected-reissue`'s re-issue interval: one hour, as an application taking the opt-in
/// might set it (the session then rolls forward at most hourly).
const REISSUE_AFTER_SECS: u64 = 3600;

/// The session body the other servers build, as a constant: the cost of axum alone.
const BARE_SESSION: &str = r#"{"user":{"name":"Demo User","email":"demo@example.com","id":"1","role":"admin"},"expires":"2099-01-01T00:00:00.000Z"}"#;

fn bare() -> Router {
    Router::new().route(
        "/api/auth/session",
        get(|| async { ([(CONTENT_TYPE, "application/json")], BARE_SESSION) }),
    )
}
