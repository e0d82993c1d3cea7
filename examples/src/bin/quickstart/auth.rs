//! The quickstart's whole auth configuration: one `auth!` invocation, plus how the
//! environment completes it (`AUTH_SECRET`, `AUTH_URL`), as in Auth.js.

use auth_runtime::{AuthConfig, Credentials, User, password};

/// The demo user's name, printed at start-up.
pub const DEMO_USERNAME: &str = "demo";
/// The demo user's password, printed at start-up.
pub const DEMO_PASSWORD: &str = "demo";
/// What a user store keeps instead of the password: its argon2id hash
/// (made by [`password::hash`]).
const DEMO_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$n7ThGivaJNU+9ojLPX2qcA$6d/M+qsXCeFFzGcksPnLuEwwcpAmfxBl4kExo0PTSFw";

/// Checks the submitted credentials as a real application does: find the user by name,
/// verify the password against the stored hash, and spend the same time when the name is
/// unknown, so the answer's timing does not reveal which accounts exist.
async fn check_password(credentials: Credentials) -> Option<User> {
    let stored =
        (credentials.get("username") == Some(DEMO_USERNAME)).then(|| DEMO_PASSWORD_HASH.to_owned());
    let password = credentials.get("password").unwrap_or_default().to_owned();
    password::check_async(password, stored).await.then(|| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_hash_is_the_printed_demo_password() {
        assert_eq!(
            password::verify(DEMO_PASSWORD, DEMO_PASSWORD_HASH),
            Ok(true)
        );
    }
}
