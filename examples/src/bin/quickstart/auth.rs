//! The quickstart's whole auth configuration: one `auth!` invocation, plus how the
//! environment completes it (`AUTH_SECRET`, `AUTH_URL`), as in Auth.js.

use auth_runtime::{AuthConfig, Credentials, User};

/// The demo user's name, printed at start-up.
pub const DEMO_USERNAME: &str = "demo";
/// The demo user's password, printed at start-up.
pub const DEMO_PASSWORD: &str = "demo";

/// Checks the submitted credentials. A real application looks the user up and verifies a
/// password hash (argon2); this demo knows one user and compares in constant time.
async fn check_password(credentials: Credentials) -> Option<User> {
    let ok = credentials.matches("username", DEMO_USERNAME)
        & credentials.matches("password", DEMO_PASSWORD);
    ok.then(|| {
        User::new("1")
            .with_name("Demo User")
            .with_email("demo@example.com")
    })
}

auth_runtime::auth! {
    token: { role: String },
    session_user: { id: String, role: String },
    providers: [
        Credentials { authorize: |credentials| async move { check_password(credentials).await } },
    ],
    callbacks: {
        jwt(token, user) {
            if let Some(user) = user {
                token.role = if user.id == "1" { "admin".into() } else { "user".into() };
            }
            token
        },
        session(session, token) {
            session.user.id = token.sub.clone().unwrap_or_default();
            session.user.role = token.role.clone();
            session
        },
    },
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
