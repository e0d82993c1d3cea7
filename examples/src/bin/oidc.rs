//! Sign-in through an OpenID Connect provider (Keycloak, Auth0, Okta, Google, ...).
//!
//! ```sh
//! AUTH_SECRET=$(openssl rand -base64 33) AUTH_URL=http://127.0.0.1:3000 \
//! OIDC_ISSUER=https://sso.example.com OIDC_CLIENT_ID=.. OIDC_CLIENT_SECRET=.. \
//! cargo run -p examples --bin oidc
//! ```
//!
//! Register `http://127.0.0.1:3000/api/auth/callback/corp` as the client's redirect URI.

mod auth {
    auth_runtime::auth! {
        token: { groups: Vec<String> },
        session_user: { id: String, groups: Vec<String> },
        providers: [
            Oidc {
                id: "corp",
                name: "Corporate SSO",
                issuer: env("OIDC_ISSUER"),
                client_id: env("OIDC_CLIENT_ID"),
                client_secret: env("OIDC_CLIENT_SECRET"),
            },
        ],
        callbacks: {
            jwt(token, profile) {
                // The ID token's claims are available on sign-in only.
                if let Some(profile) = profile {
                    token.groups = profile.raw["groups"]
                        .as_array()
                        .map(|g| g.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                        .unwrap_or_default();
                }
                token
            },
            session(session, token) {
                session.user.id = token.sub.clone().unwrap_or_default();
                session.user.groups = token.groups.clone();
                session
            },
        },
    }
}

use auth_runtime::Auth;
use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Auth::new(auth::config())?;
    let app = Router::new()
        .route("/", get(home))
        .merge(auth.routes())
        .layer(auth.layer());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("open http://127.0.0.1:3000/ and sign in with Corporate SSO");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// A browser without a session is sent to the sign-in page (one button: Corporate SSO).
async fn home(session: auth::Session) -> String {
    format!(
        "hello {} ({}), groups: {:?}",
        session.user.name.as_deref().unwrap_or("there"),
        session.user.id,
        session.user.groups
    )
}
