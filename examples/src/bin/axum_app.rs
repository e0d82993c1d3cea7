//! The README's complete axum app (keep the two identical):
//! `AUTH_SECRET=$(openssl rand -base64 33) AUTH_URL=http://127.0.0.1:3000 cargo run -p examples --bin axum_app`
//! (sign in as `ada` / `correct horse`).

mod auth {
    use auth_runtime::{Credentials, User, password};

    /// The user store: one user, with the argon2id hash of `correct horse`
    /// (`auth_runtime::password::hash` made it at sign-up).
    const ADA_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$GPFwIWw3x3yEUZtqKWznZQ$QTwBOjrrS+lSoJ4j46FPSE5ZKkUqYnqZDTYm4ECRl/0";

    async fn check_password(credentials: Credentials) -> Option<User> {
        let stored = (credentials.get("username") == Some("ada")).then(|| ADA_HASH.to_owned());
        let password = credentials.get("password").unwrap_or_default().to_owned();
        // An unknown name costs the same argon2 check: timing does not tell who has an account.
        password::check_async(password, stored).await.then(|| {
            User::new("42")
                .with_name("Ada")
                .with_email("ada@example.com")
        })
    }

    auth_runtime::auth! {
        token: { role: Option<String> },
        session_user: { id: String, role: Option<String> },
        providers: [
            Credentials { authorize: |credentials| async move { check_password(credentials).await } },
        ],
        callbacks: {
            jwt(token, user) {
                if let Some(user) = user {
                    token.role = (user.id == "42").then(|| "admin".to_owned());
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
}

use auth_runtime::Auth;
use auth_runtime::axum::Claims;
use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Auth::new(auth::config())?; // reads AUTH_SECRET and AUTH_URL
    let admin = Router::new()
        .route("/admin", get(admin))
        .route_layer(auth.require(|s| s.user.role.as_deref() == Some("admin")));
    let app = Router::new()
        .route("/", get(home)) // public: Option<Session>
        .route("/me", get(me)) // Session: 401 JSON, or the sign-in page for a browser
        .route("/token", get(token)) // Claims<Token>: the typed JWT after the `jwt` callback
        .merge(admin)
        .merge(auth.routes()) // the Auth.js REST flow and pages under /api/auth
        .layer(auth.layer()); // one session read per request, rolling session cookie
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn home(session: Option<auth::Session>) -> String {
    match session {
        Some(session) => format!("signed in as {}", session.user.id),
        None => "signed out: visit /api/auth/signin".to_owned(),
    }
}

async fn me(session: auth::Session) -> String {
    format!("hello {} ({:?})", session.user.id, session.user.role)
}

async fn token(Claims(token): Claims<auth::Token>) -> String {
    format!(
        "sub={:?} role={:?} exp={:?}",
        token.sub, token.role, token.exp
    )
}

async fn admin(session: auth::Session) -> String {
    format!("welcome to the admin area, {}", session.user.id)
}
