//! axum integration: mount the flow, read the typed session in handlers, protect routes.
//!
//! ```
//! mod auth {
//!     auth_runtime::auth! {
//!         session_user: { id: String, role: Option<String> },
//!         providers: [
//!             Credentials { authorize: |c| async move {
//!                 (c.get("password") == Some("pw")).then(|| auth_runtime::User::new("1"))
//!             } },
//!         ],
//!         callbacks: {
//!             session(session, token) {
//!                 session.user.id = token.sub.clone().unwrap_or_default();
//!                 session
//!             },
//!         },
//!     }
//! }
//!
//! use auth_runtime::axum::Claims;
//! use axum::{Router, routing::get};
//!
//! async fn me(session: auth::Session) -> String {
//!     format!("hello {}", session.user.id)
//! }
//! async fn home(session: Option<auth::Session>) -> &'static str {
//!     if session.is_some() { "welcome back" } else { "hello stranger" }
//! }
//! async fn token(Claims(token): Claims<auth::Token>) -> String {
//!     format!("{:?}", token.exp)
//! }
//!
//! # fn main() -> Result<(), auth_runtime::ConfigError> {
//! let config = auth::config()
//!     .with_secrets(["a secret of at least thirty-two characters"]) // or AUTH_SECRET
//!     .with_url("http://127.0.0.1:3000"); // or AUTH_URL
//! let auth = auth_runtime::Auth::new(config)?;
//! let admin = Router::new()
//!     .route("/admin", get(me))
//!     .route_layer(auth.require(|s| s.user.role.as_deref() == Some("admin")));
//! let app: Router = Router::new()
//!     .route("/", get(home))                 // public: `Option<Session>`
//!     .route("/me", get(me))                 // `Session`: 401 JSON, or a redirect to sign in
//!     .route("/token", get(token))           // `Claims<Token>`: the typed token
//!     .merge(admin)                          // `require(..)`: 403 unless the check passes
//!     .merge(auth.routes())                  // the Auth.js flow under the configured base path
//!     .layer(auth.layer());                  // one session lookup per request + rolling cookie
//! # let _ = app;
//! # Ok(())
//! # }
//! ```
//!
//! - [`Auth::routes`](crate::Auth::routes) serves `{base_path}/*` (default `/api/auth`):
//!   `merge` it into the application's router. Do not `nest` it: the flow needs the whole
//!   path and the base path comes from the configuration; the routes are an
//!   [`AuthRoutes`], which `merge` accepts and `nest` does not compile with.
//! - [`Auth::layer`](crate::Auth::layer) must wrap every route that reads the session. It
//!   reads the session lazily, at most once per request however many extractors ask, and
//!   adds the refreshed session cookie (rolling expiry) to the response, as Auth.js's
//!   `auth()` does.
//! - Extractors: [`Session<U>`](crate::Session) (signed in, else [`SessionRejection`]),
//!   `Option<Session<U>>` (never rejects a signed-out request) and [`Claims<T>`] (the typed
//!   token after the `jwt` callback; jwt strategy only).
//! - CSRF for the application's own forms: [`CsrfToken`] (the token for a hidden
//!   `csrfToken` field, its cookie set when missing) and [`CsrfForm<F>`] (checks the field
//!   against the cookie, then deserializes `F`; `403` otherwise).
//! - Server-side operations: [`Auth::sign_in`](crate::Auth::sign_in),
//!   [`Auth::sign_up`](crate::Auth::sign_up), [`Auth::sign_out`](crate::Auth::sign_out) and
//!   [`Auth::update_session`](crate::Auth::update_session) answer a
//!   [`SessionChange`](crate::SessionChange), an `IntoResponseParts` (its cookies); a
//!   [`SessionError`](crate::SessionError) is an `IntoResponse`.
//! - Guards: [`Auth::require_session`](crate::Auth::require_session) and
//!   [`Auth::require`](crate::Auth::require) (or the free [`require`]) are
//!   layers for a group of routes; [`RequireSession::except`] makes single routes public.

mod csrf;
mod extract;
mod guard;
mod layer;
mod routes;
mod server_ops;

pub use crate::integration::{
    Claims, CsrfForm, CsrfRejection, CsrfToken, RequireSession, SessionRejection, require,
};
pub use guard::RequireSessionService;
pub use layer::{AuthLayer, AuthService};
pub use routes::AuthRoutes;
