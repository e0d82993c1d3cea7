//! The README's complete axum app (keep the two identical):
//! `AUTH_SECRET=$(openssl rand -base64 33) AUTH_URL=http://127.0.0.1:3000 cargo run -p examples --bin axum_app`
//! (sign in as `ada` / `correct horse`).

mod auth {
    use auth_runtime::{Credentials, User};

    async fn check_password(credentials: Credentials) -> Option<User> {
        // A real application verifies a password hash (argon2) from its user store.
        let ok = credentials.matches("username", "ada")
            & credentials.matches("password", "correct horse");
        ok.then(|| {
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
use auth_runtime::axum::{Claims, require};
use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Auth::new(auth::config())?; // reads AUTH_SECRET and AUTH_URL
    let admin = Router::new()
        .route("/admin", get(admin))
        .route_layer(require(|s: &auth::Session| {
            s.user.role.as_deref() == Some("admin")
        }));
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
