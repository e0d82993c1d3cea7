//! The credentials-only app `scripts/build-weight` builds from clean: one `auth!` with a
//! credentials provider (an argon2id password check), the Auth.js routes, the session layer
//! and one protected route. No OAuth provider, no database.

use auth_runtime::{Credentials, User, password};
use axum::Router;
use axum::routing::get;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$n7ThGivaJNU+9ojLPX2qcA$6d/M+qsXCeFFzGcksPnLuEwwcpAmfxBl4kExo0PTSFw";

async fn check(credentials: Credentials) -> Option<User> {
    let stored = (credentials.get("username") == Some("demo")).then(|| HASH.to_owned());
    let password = credentials.get("password").unwrap_or_default().to_owned();
    password::check_async(password, stored)
        .await
        .then(|| User::new("1").with_name("Demo User"))
}

auth_runtime::auth! {
    session_user: { id: String },
    providers: [
        Credentials { authorize: |credentials| async move { check(credentials).await } },
    ],
}

async fn me(session: Session) -> String {
    format!("hello, {}", session.user.id)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `Auth` and `Session` are the types `auth!` declares.
    let auth = Auth::new(config())?;
    let app = Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 3000)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
