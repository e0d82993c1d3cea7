//! Sign in with GitHub or an OpenID Connect provider, refreshing (and rotating) the OIDC
//! access token in the `jwt` callback.
//!
//! ```text
//! AUTH_SECRET=$(openssl rand -base64 33) AUTH_URL=http://127.0.0.1:3000 \
//! GITHUB_ID=.. GITHUB_SECRET=.. \
//! OIDC_ISSUER=https://sso.example.com OIDC_ID=.. OIDC_SECRET=.. \
//! cargo run -p examples --bin oauth_refresh
//! ```
//!
//! Register `http://127.0.0.1:3000/api/auth/callback/github` and
//! `http://127.0.0.1:3000/api/auth/callback/corp` as redirect URIs at the providers.
//! Every variable is read at start-up, so all of them must be set. To try the OIDC side
//! without an account anywhere, start the test provider:
//! `cd tests/js && npm ci && OIDC_REDIRECT_URI=http://127.0.0.1:3000/api/auth/callback/corp node oidc-provider.mjs 4000`
//! (issuer `http://127.0.0.1:4000`, client `test-client` / `test-secret`, any login).

mod auth {
    use std::sync::LazyLock;

    use auth_runtime::config::OAuthProvider;
    use auth_runtime::providers::oauth::OAuthClient;
    use auth_runtime::providers::refresh::{is_expired, refresh_access_token};
    use auth_runtime::{env, providers};

    /// One client for the refreshes (it caches the issuer's discovery document and keys).
    static OAUTH: LazyLock<OAuthClient> = LazyLock::new(OAuthClient::default);

    /// The provider to refresh with: the same settings as in `auth!` below.
    fn corp() -> OAuthProvider {
        providers::oidc(
            "corp",
            env("OIDC_ISSUER"),
            env("OIDC_ID"),
            env("OIDC_SECRET"),
        )
    }

    auth_runtime::auth! {
        token: {
            provider: Option<String>,
            access_token: Option<String>,
            refresh_token: Option<String>,
            expires_at: Option<i64>,
            error: Option<String>,
        },
        session_user: { id: String, error: Option<String> },
        providers: [
            GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
            Oidc {
                id: "corp",
                issuer: env("OIDC_ISSUER"),
                client_id: env("OIDC_ID"),
                client_secret: env("OIDC_SECRET"),
                scope: "openid profile email offline_access",
            },
        ],
        callbacks: {
            async jwt(token, account) {
                if let Some(account) = account {
                    // Sign-in: keep the provider's tokens in the (encrypted) session token.
                    token.provider = Some(account.provider.clone());
                    token.access_token = account.access_token.clone();
                    token.refresh_token = account.refresh_token.clone();
                    token.expires_at = account.expires_at;
                    return token;
                }
                // GitHub's tokens do not expire; refresh the OIDC one a minute early.
                if token.provider.as_deref() != Some("corp") || !is_expired(token.expires_at, 60) {
                    return token;
                }
                let Some(refresh_token) = token.refresh_token.clone() else {
                    token.error = Some("RefreshTokenError".to_owned());
                    return token;
                };
                match refresh_access_token(&OAUTH, &corp(), &refresh_token).await {
                    Ok(fresh) => {
                        token.access_token = Some(fresh.access_token);
                        token.refresh_token = Some(fresh.refresh_token); // rotated
                        token.expires_at = fresh.expires_at;
                        token.error = None;
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "refreshing the access token failed");
                        token.error = Some("RefreshTokenError".to_owned());
                    }
                }
                token
            },
            session(session, token) {
                session.user.id = token.sub.clone().unwrap_or_default();
                session.user.error = token.error.clone();
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
    tracing_subscriber::fmt().init();
    let auth = Auth::new(auth::config())?; // reads AUTH_SECRET, AUTH_URL and the provider variables
    let app = Router::new()
        .route("/", get(home))
        .merge(auth.routes())
        .layer(auth.layer());
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
        Some(s) if s.user.error.is_some() => {
            "your session expired at the provider: sign in again at /api/auth/signin".to_owned()
        }
        Some(s) => format!("signed in as {} ({:?})", s.user.id, s.user.email),
        None => "signed out: visit /api/auth/signin".to_owned(),
    }
}
