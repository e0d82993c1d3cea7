//! The quickstart's auth configuration. (Temporary hand-built config until `auth!` lands.)

use std::sync::Arc;

use auth_runtime::config::{
    CredentialField, CredentialsProvider, JwtArgs, JwtSessionArgs, SessionCallback,
};
use auth_runtime::{AuthConfig, Credentials, Provider, User};
use serde::{Deserialize, Serialize};

/// The demo user's credentials, printed at start-up.
pub const DEMO_USERNAME: &str = "demo";
/// The demo user's password.
pub const DEMO_PASSWORD: &str = "demo";

/// The session token.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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

/// `session.user`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionUser {
    pub name: Option<String>,
    pub email: Option<String>,
    pub image: Option<String>,
    pub id: String,
    pub role: String,
}

/// The typed session.
pub type Session = auth_runtime::Session<SessionUser>;

async fn authorize(credentials: Credentials) -> Option<User> {
    let ok = credentials.get("username") == Some(DEMO_USERNAME)
        && credentials.get("password") == Some(DEMO_PASSWORD);
    ok.then(|| {
        User::new("1")
            .with_name("Demo User")
            .with_email("demo@example.com")
    })
}

fn config() -> AuthConfig<Token, SessionUser> {
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
        .__jwt(Arc::new(|args: JwtArgs<Token>| {
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
            |args: JwtSessionArgs<Token, SessionUser>| {
                Box::pin(async move {
                    let mut session = args.session;
                    session.user.id = args.token.sub.clone().unwrap_or_default();
                    session.user.role = args.token.role.clone();
                    session
                })
            },
        )))
}

/// The configuration, with `AUTH_SECRET` and `AUTH_URL` from the environment as in Auth.js.
/// Without `AUTH_SECRET` a random development secret is generated (sessions end when the
/// server restarts); without `AUTH_URL` the request's host is trusted (the server listens on
/// loopback only).
pub fn config_from_env() -> AuthConfig<Token, SessionUser> {
    let mut config = config();
    if std::env::var_os("AUTH_SECRET").is_none_or(|s| s.is_empty()) {
        eprintln!();
        eprintln!("WARNING: AUTH_SECRET is not set: using a random secret for development only.");
        eprintln!("WARNING: sessions end when the server restarts. In production set AUTH_SECRET,");
        eprintln!("WARNING: e.g. to the output of `openssl rand -base64 33`.");
        eprintln!();
        config = config.with_secrets([dev_secret()]);
    }
    if std::env::var_os("AUTH_URL").is_none_or(|s| s.is_empty()) {
        config = config.with_trust_host(true);
    }
    config
}

fn dev_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
