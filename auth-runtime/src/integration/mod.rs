//! What the framework integrations ([`axum`](crate::axum), [`actix`](crate::actix)) share,
//! written once over `http` types: the per-request auth context (one session lookup per
//! request, the rolling cookie and a new CSRF cookie merged into the response), the
//! refusals and their 401-or-redirect split ([`SessionRejection`]), the guard
//! ([`RequireSession`]) and the extracted types ([`Claims`], [`CsrfToken`], [`CsrfForm`]).
//! Each framework module only adapts its request and response types and implements its
//! extractor and middleware traits on these.

pub(crate) mod context;
mod csrf;
mod guard;
mod rejection;
pub(crate) mod server_ops;

pub use csrf::CsrfRejection;
pub use guard::{RequireSession, require};
pub use rejection::SessionRejection;

/// Which integration is asking: the refusal of a missing layer names that framework's fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framework {
    /// [`crate::axum`]: `.layer(auth.layer())`.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    Axum,
    /// [`crate::actix`]: `.wrap(auth.middleware())`.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    Actix,
}

impl Framework {
    /// The per-request layer that was missing, and how to add it.
    pub(crate) fn missing_layer_fix(self) -> &'static str {
        match self {
            Framework::Axum => {
                "is `auth.layer()` enabled? add `.layer(auth.layer())` to the router, after \
                 every route that reads the session"
            }
            Framework::Actix => {
                "is `auth.middleware()` enabled? add `.wrap(auth.middleware())` to the `App`, \
                 after (outside) any `.wrap(auth.require_session())` or `.wrap(auth.require(..))`"
            }
        }
    }
}

/// The typed token of the signed-in user, after the `jwt` callback (jwt strategy).
///
/// ```ignore
/// async fn handler(Claims(token): Claims<auth::Token>) -> String { token.sub }
/// ```
///
/// Rejects like [`Session`](crate::Session) when signed out; `Option<Claims<T>>` never
/// rejects a signed-out request. Under the database strategy there is no token: a
/// signed-in request is refused with `500` (a wiring mistake: extract
/// [`Session`](crate::Session) instead), never sent to the sign-in page, which would send
/// it back here.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims<T>(pub T);

/// The request's CSRF token, to render in the form's hidden `csrfToken` field:
///
/// ```ignore
/// async fn settings(CsrfToken(token): CsrfToken) -> Html<String> {
///     Html(format!(r#"<form method="post" action="/settings">
///         <input type="hidden" name="csrfToken" value="{token}"> ..</form>"#))
/// }
/// ```
///
/// The same token `GET /api/auth/csrf` answers. When the request has no valid CSRF cookie a
/// new token is made and the per-request layer ([`Auth::layer`](crate::Auth) under axum,
/// `Auth::middleware` under actix-web) sets its cookie on the response (one token per
/// request, however many extractors ask). The token is 64 hex characters: safe in HTML
/// without escaping.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken(..)")
    }
}

/// A form posted by the application's own page, its `csrfToken` field checked against the
/// CSRF cookie (Auth.js's double submit, constant time) before `F` is deserialized from it:
///
/// ```ignore
/// #[derive(Deserialize)]
/// struct Revoke { device: String }          // `csrfToken` is ignored by serde
///
/// async fn revoke(session: auth::Session, CsrfForm(form): CsrfForm<Revoke>) -> Redirect { .. }
/// ```
///
/// Refused with a `CsrfRejection`: `403` when the token is missing or does not match,
/// `400`/`415`/`422` when the body is not the form `F` expects.
#[derive(Clone, Debug)]
pub struct CsrfForm<F>(pub F);

/// The largest form body `CsrfForm` reads (the flow's own limit).
pub(crate) const MAX_FORM: usize = 64 * 1024;

/// The largest request body the mounted flow buffers; the flow then refuses anything over
/// 64 KiB with `413` (forms and `POST /session` JSON are far smaller).
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// Marks a response of the flow, so that the per-request layer can tell a request under
/// the base path that never reached the mounted flow (a `nest`/nested scope, or none).
/// Only a `404` is looked at, so the axum routes mark only their `404`s.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FlowAnswered;

/// The error the per-request layer logs (once) when a request under the base path was
/// answered 404 by something other than the flow.
pub(crate) fn log_flow_not_reached(path: &str, framework: Framework) {
    match framework {
        Framework::Axum => tracing::error!(
            path,
            "a request under the auth base path did not reach the auth flow: mount it \
             with `.merge(auth.routes())` (not `.nest(..)`: the routes already carry the \
             base path; change it with `base_path` / `with_base_path`)"
        ),
        Framework::Actix => tracing::error!(
            path,
            "a request under the auth base path did not reach the auth flow: mount it \
             with `.service(auth.scope())` on the `App` itself (not inside a \
             `web::scope(..)`: the scope already carries the base path; change it with \
             `base_path` / `with_base_path`)"
        ),
    }
}
