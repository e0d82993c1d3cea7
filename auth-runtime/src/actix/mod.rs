//! actix-web integration (feature `actix`): mount the flow, read the typed session in
//! handlers, protect scopes. The same flow ([`Auth::handle`](crate::Auth::handle)), lookup
//! ([`Auth::session`](crate::Auth::session)), refusals and guard as the axum integration.
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
//! use actix_web::{App, web};
//!
//! async fn me(session: auth::Session) -> String {
//!     format!("hello {}", session.user.id)
//! }
//! async fn home(session: Option<auth::Session>) -> &'static str {
//!     if session.is_some() { "welcome back" } else { "hello stranger" }
//! }
//!
//! # fn main() -> Result<(), auth_runtime::ConfigError> {
//! let config = auth::config()
//!     .with_secrets(["a secret of at least thirty-two characters"]) // or AUTH_SECRET
//!     .with_url("http://127.0.0.1:3000"); // or AUTH_URL
//! let auth = auth::Auth::new(config)?;
//! let app = App::new()
//!     .route("/", web::get().to(home))            // public: `Option<Session>`
//!     .route("/me", web::get().to(me))            // `Session`: 401 JSON, or a redirect to sign in
//!     .service(
//!         web::scope("/admin")                    // `require(..)`: 403 unless the check passes
//!             .wrap(auth.require(|s| s.user.role.as_deref() == Some("admin")))
//!             .route("", web::get().to(me)),
//!     )
//!     .service(auth.scope())                      // the Auth.js flow under the base path
//!     .wrap(auth.middleware());                   // one session lookup per request + rolling cookie
//! # let _ = app;
//! # Ok(())
//! # }
//! ```
//!
//! - [`Auth::scope`](crate::Auth::scope) serves `{base_path}/*` (default `/api/auth`):
//!   register it on the `App` (`.service(auth.scope())`), not inside a `web::scope`.
//! - [`Auth::middleware`](crate::Auth::middleware) must wrap every route that reads the
//!   session (`.wrap(auth.middleware())`, the last `wrap`, so that it runs first). It
//!   reads the session lazily, at most once per request however many extractors and
//!   guards ask, and adds the refreshed session cookie (rolling expiry) to the response.
//! - Extractors: [`Session<U>`](crate::Session) (signed in, else [`SessionRejection`]: 401
//!   JSON, or a `303` to the sign-in page with `callbackUrl` for a browser),
//!   `Option<Session<U>>` (actix-web's `Option<T>`: `None` when signed out) and
//!   [`Claims<T>`] (the typed token after the `jwt` callback; jwt strategy only).
//! - CSRF for the application's own forms: [`CsrfToken`] and [`CsrfForm<F>`] (`403`
//!   unless the form's `csrfToken` matches the cookie).
//! - Guards: [`Auth::require_session`](crate::Auth::require_session) and
//!   [`Auth::require`](crate::Auth::require) (or the free [`require`]) are middleware for
//!   a scope: `.wrap(auth.require_session())`; [`RequireSession::except`] leaves single
//!   routes public (by their pattern, scope prefix included).
//! - Server-side operations: [`request_parts`] gives [`Auth::sign_in`](crate::Auth::sign_in)
//!   and the others the request; [`SessionChange::apply_to_actix`](crate::SessionChange::apply_to_actix)
//!   puts the change's cookies on the response; a [`SessionError`](crate::SessionError) is
//!   an actix-web `ResponseError`.
//! - The client address that `authorize` and the sign-in limits see is the connection's
//!   peer (`HttpRequest::peer_addr`), or a trusted proxy's header with `trust_proxy`.

mod convert;
mod extract;
mod guard;
mod middleware;
mod scope;
mod server_ops;

pub use crate::integration::{
    Claims, CsrfForm, CsrfRejection, CsrfToken, RequireSession, SessionRejection, require,
};
pub use convert::request_parts;
pub use guard::RequireSessionMiddleware;
pub use middleware::{AuthMiddleware, AuthMiddlewareService};
pub use scope::AuthScope;
