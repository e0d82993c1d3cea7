//! axum integration: mount the flow, read the typed session in handlers, protect routes.
//!
//! ```ignore
//! use auth_runtime::axum::require;
//! use axum::{Router, routing::get};
//!
//! let auth = auth_runtime::Auth::new(auth::config())?;
//! let app = Router::new()
//!     .route("/admin", get(admin))
//!     .route_layer(require(|s: &auth::Session| s.user.role.as_deref() == Some("admin")))
//!     .route("/me", get(me))                 // `Session` extractor: 401 JSON or a redirect
//!     .route("/", get(home))                 // `Option<Session>`: public
//!     .merge(auth.routes())                  // the Auth.js flow under the configured base path
//!     .layer(auth.layer());                  // one session lookup per request + rolling cookie
//!
//! async fn me(session: auth::Session) -> String {
//!     format!("hello {}", session.user.name.unwrap_or_default())
//! }
//! ```
//!
//! - [`Auth::routes`](crate::Auth::routes) serves `{base_path}/*` (default `/api/auth`):
//!   `merge` it into the application's router. Do not `nest` it: the flow needs the whole
//!   path and the base path comes from the configuration.
//! - [`Auth::layer`](crate::Auth::layer) must wrap every route that reads the session. It
//!   reads the session lazily, at most once per request however many extractors ask, and
//!   adds the refreshed session cookie (rolling expiry) to the response, as Auth.js's
//!   `auth()` does.
//! - Extractors: [`Session<U>`](crate::Session) (signed in, else [`SessionRejection`]),
//!   `Option<Session<U>>` (never rejects a signed-out request) and [`Claims<T>`] (the typed
//!   token after the `jwt` callback; jwt strategy only).
//! - Guards: [`Auth::require_session`](crate::Auth::require_session) and [`require`] are
//!   layers for a group of routes; [`RequireSession::except`] makes single routes public.

mod extract;
mod guard;
mod layer;
mod routes;

pub use extract::{Claims, SessionRejection};
pub use guard::{RequireSession, RequireSessionService, require};
pub use layer::{AuthLayer, AuthService};
