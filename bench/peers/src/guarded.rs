//! One route with and without `auth-runtime`: `GET /me` behind `auth.layer()` with the
//! `Session` extractor, and the same route, router and body without either. The Auth.js
//! flow is mounted in both, so `scripts/bench` signs in the same way as on the quickstart.
//! `protected-reissue` is `protected` with `reissue_after` set (the opt-in: the session
//! cookie re-issued at most once per interval instead of on every read).

use auth_runtime::Auth;
use axum::Router;
use axum::response::Json;
use axum::routing::get;
use serde::Serialize;

use crate::demo;

mod auth {
    //! The quickstart's configuration: one credentials user, a `role` claim.
    use auth_runtime::{Credentials, User};

    use crate::demo;

    async fn check_password(credentials: Credentials) -> Option<User> {
        let ok = credentials.matches("username", demo::USERNAME)
            & credentials.matches("password", demo::PASSWORD);
        ok.then(|| {
            User::new(demo::ID)
                .with_name(demo::NAME)
                .with_email(demo::EMAIL)
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
}

/// What `GET /me` answers.
#[derive(Serialize)]
struct Me {
    id: String,
    name: Option<String>,
    email: Option<String>,
    role: String,
}

/// The app, with (`protected`) or without the layer and the extractor; `reissue_after`
/// (seconds, 0 = every read as Auth.js) is the configuration's opt-in re-issue interval.
pub fn app(protected: bool, reissue_after: u64) -> Result<Router, auth_runtime::ConfigError> {
    let secret = std::env::var("AUTH_SECRET")
        .unwrap_or_else(|_| "bench-only-secret-not-for-production".to_owned());
    let auth = Auth::new(
        auth::config()
            .with_secrets([secret])
            .with_trust_host(true)
            .with_reissue_after(reissue_after),
    )?;
    Ok(if protected {
        Router::new()
            .route("/me", get(me))
            .merge(auth.routes())
            .layer(auth.layer())
    } else {
        Router::new()
            .route("/me", get(me_unprotected))
            .merge(auth.routes())
    })
}

async fn me(session: auth::Session) -> Json<Me> {
    Json(Me {
        id: session.user.id,
        name: session.user.name,
        email: session.user.email,
        role: session.user.role,
    })
}

async fn me_unprotected() -> Json<Me> {
    Json(Me {
        id: demo::ID.to_owned(),
        name: Some(demo::NAME.to_owned()),
        email: Some(demo::EMAIL.to_owned()),
        role: demo::ROLE.to_owned(),
    })
}
