//! `axum-login` 0.18 as its documentation sets it up: an `AuthnBackend` over an in-memory
//! user table, `tower-sessions`' `MemoryStore`, the route protected by `login_required!`, and
//! the handler returning the user from `AuthSession`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_login::{AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend, UserId};
use serde::Serialize;
use tower_sessions::{MemoryStore, SessionManagerLayer};

use crate::{LoginForm, demo};

/// A user of the in-memory table.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    name: String,
    email: String,
    id: String,
    role: String,
    #[serde(skip)]
    password_hash: Vec<u8>,
}

impl AuthUser for User {
    type Id = String;

    fn id(&self) -> String {
        self.id.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.password_hash
    }
}

/// The user table: the demo user, by id.
#[derive(Debug, Clone)]
pub struct Backend {
    users: Arc<HashMap<String, User>>,
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = LoginForm;
    type Error = Infallible;

    async fn authenticate(&self, form: LoginForm) -> Result<Option<User>, Infallible> {
        Ok(form
            .is_demo()
            .then(|| self.users.get(demo::ID).cloned())
            .flatten())
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, Infallible> {
        Ok(self.users.get(id).cloned())
    }
}

/// The session body, shaped like Auth.js's `GET /session`.
#[derive(Serialize)]
struct SessionBody {
    user: User,
}

/// `POST /login` and the protected `GET /api/auth/session`.
pub fn app() -> Router {
    let user = User {
        name: demo::NAME.to_owned(),
        email: demo::EMAIL.to_owned(),
        id: demo::ID.to_owned(),
        role: demo::ROLE.to_owned(),
        // Stands in for the stored password hash: changing it ends the user's sessions.
        password_hash: b"demo-password-hash".to_vec(),
    };
    let backend = Backend {
        users: Arc::new(HashMap::from([(user.id.clone(), user)])),
    };
    // Plain HTTP on loopback: a `Secure` cookie would not come back.
    let sessions = SessionManagerLayer::new(MemoryStore::default()).with_secure(false);
    let auth = AuthManagerLayerBuilder::new(backend, sessions).build();
    Router::new()
        .route("/api/auth/session", get(session))
        .route_layer(axum_login::login_required!(Backend))
        .route("/login", post(login))
        .layer(auth)
}

async fn login(mut auth: AuthSession<Backend>, Form(form): Form<LoginForm>) -> Response {
    let user = match auth.authenticate(form).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match auth.login(&user).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn session(auth: AuthSession<Backend>) -> Response {
    match auth.user {
        Some(user) => Json(SessionBody { user }).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
