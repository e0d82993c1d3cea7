//! The Auth.js REST flow under the base path, one module per endpoint.
//!
//! Framework-neutral: `http::Request<Bytes>` in, `http::Response<Bytes>` out.
//!
//! - `state`: [`Inner`], what lives as long as the [`crate::Auth`]: the validated
//!   configuration, the host policy, the session strategy, the derived codecs.
//! - `request`, `context`, `reply`, `error`: a request parsed, its per-request context,
//!   what an endpoint answers, and how a failed one is answered.
//! - the endpoints: `csrf`, `providers`, `session`, `signin`, `callback`, `signout`,
//!   `error_page`; `sign_in_tail` ends every sign-in; `server` the application's own
//!   sign-in, sign-out and update (`Auth::sign_in`, ..); `database` holds the database strategy's steps,
//!   `revocation` the session versions that end JWT sessions early, and
//!   `events` the fire-and-forget events.

mod callback;
mod client;
mod context;
mod credentials_error;
mod csrf;
mod database;
#[cfg(feature = "email")]
pub(crate) mod email;
mod error;
mod error_page;
mod events;
#[cfg(feature = "passkey")]
mod passkey;
mod providers;
mod reissue;
mod reply;
mod request;
mod revocation;
#[cfg(feature = "totp")]
mod second_factor;
mod server;
mod session;
mod sign_in_limits;
mod sign_in_tail;
mod signin;
mod signout;
mod state;

use std::panic::AssertUnwindSafe;

use bytes::Bytes;
use futures_util::FutureExt as _;
use http::{Method, StatusCode};

use crate::config::{SessionUserData, TokenData};

use context::Ctx;
use error::FlowError;
use reply::Reply;
use request::{Action, Req};

pub use client::ClientAddr;
pub(crate) use client::client_ip;
pub use database::SESSION_ROW_CACHE_CAPACITY;
pub use revocation::{SESSION_VERSION_CACHE_CAPACITY, SESSION_VERSION_CLAIM};
pub use server::{SERVER_PROVIDER, SessionChange, SessionError};
pub(crate) use session::SessionRead;
pub use session::StoreStatus;
pub(crate) use state::{Inner, Scheme, Strategy};

/// Serves one request.
pub(crate) async fn handle<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    request: http::Request<Bytes>,
) -> http::Response<Bytes> {
    let return_redirect = request.headers().contains_key(&request::RETURN_REDIRECT);
    let spent = spent_check_cookies(inner, &request);
    let reply = match AssertUnwindSafe(route(inner, request)).catch_unwind().await {
        Ok(reply) => reply,
        Err(_) => {
            // A user callback (or `authorize`) panicked: answer like Auth.js answers a
            // callback that throws, and keep serving. An OAuth callback's check cookies
            // were read: spent, cleared as on every other failure.
            tracing::error!("request failed (Configuration): a callback panicked");
            Reply::bad_request(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Configuration",
                "the server could not complete the request; see the server log",
            )
            .with_cookies(spent)
        }
    };
    reply.into_response(return_redirect)
}

/// The clearing of the OAuth check cookies (state, PKCE, nonce) and the passkey challenge a
/// callback request carries, for the answer to a callback that panicked; empty for any
/// other request.
fn spent_check_cookies<T, U>(
    inner: &Inner<T, U>,
    request: &http::Request<Bytes>,
) -> Vec<crate::cookies::SetCookie> {
    let is_callback = request
        .uri()
        .path()
        .strip_prefix(inner.config.base_path.as_str())
        .is_some_and(|rest| rest.starts_with("/callback/"));
    if !is_callback {
        return Vec::new();
    }
    let Ok((_, scheme)) = inner.resolve(request.headers(), request.uri()) else {
        return Vec::new();
    };
    let cookies = crate::cookies::RequestCookies::from_headers(request.headers());
    let names = &scheme.names;
    [
        &names.state,
        &names.pkce_code_verifier,
        &names.nonce,
        &names.webauthn_challenge,
    ]
    .into_iter()
    .filter(|name| cookies.get(name).is_some_and(|v| !v.is_empty()))
    .map(|name| crate::cookies::SetCookie::clear(name, names.secure))
    .collect()
}

async fn route<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    request: http::Request<Bytes>,
) -> Reply {
    let (parts, body) = request.into_parts();
    let base = inner.config.base_path.as_str();
    let req = match Req::parse(base, &parts, &body) {
        Ok(req) => req,
        Err(reply) => return *reply,
    };
    let ctx = match inner.context(&parts) {
        Ok(ctx) => ctx,
        Err(e) => {
            tracing::warn!(error = %e, "cannot build the site URL from the request");
            return Reply::bad_request(StatusCode::BAD_REQUEST, "UntrustedHost", &e.to_string());
        }
    };
    let result = match inner.verify_csrf_first(&ctx, &req) {
        Err(e) => Err(e),
        Ok(()) => dispatch(inner, &ctx, &req).await,
    };
    result.unwrap_or_else(|e| e.into_reply(&req, &inner.config.pages, base, &ctx.origin))
}

/// Runs the endpoint of `req`.
async fn dispatch<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    match (req.action, req.method == Method::POST) {
        (Action::Csrf, _) => Ok(csrf::get(inner, ctx)),
        (Action::Providers, _) => Ok(providers::get(inner, ctx)),
        (Action::Session, false) => Ok(session::get(inner, ctx).await),
        (Action::Session, true) => session::post(inner, ctx, req).await,
        (Action::SignIn, false) => signin::get(inner, ctx, req).await,
        (Action::SignIn, true) => signin::post(inner, ctx, req).await,
        (Action::Callback, _) => callback::handle(inner, ctx, req).await,
        (Action::SignOut, false) => signout::get(inner, ctx, req).await,
        (Action::SignOut, true) => signout::post(inner, ctx, req).await,
        (Action::Error, _) => Ok(error_page::get(inner, ctx, req)),
        #[cfg(feature = "passkey")]
        (Action::WebauthnOptions, _) => passkey::options(inner, ctx, req).await,
        // No passkey provider can be configured without the feature.
        #[cfg(not(feature = "passkey"))]
        (Action::WebauthnOptions, _) => Ok(Reply::unknown_provider(
            req.provider.as_deref().unwrap_or_default(),
        )),
        #[cfg(feature = "totp")]
        (Action::Totp, _) => second_factor::handle(inner, ctx, req).await,
        #[cfg(not(feature = "totp"))]
        (Action::Totp, _) => Ok(Reply::bad_request(
            StatusCode::NOT_FOUND,
            "UnknownAction",
            "the second factor is not enabled (auth-runtime's `totp` feature)",
        )),
        (Action::VerifyRequest, _) => Ok(error_page::verify_request(inner, ctx)),
    }
}

/// Reads (and refreshes) the session of a request outside the REST flow (the
/// extractors, `Auth::session`), running `jwt` then `session`.
///
/// A request whose host cannot be trusted, or whose `jwt` or `session` callback panics,
/// reads as signed out and keeps its cookie (the session is not lost).
pub(crate) async fn read_request_session<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    parts: &http::request::Parts,
) -> SessionRead<T, U> {
    let Ok(ctx) = inner.context(parts) else {
        tracing::warn!(
            "session read: the request's host is missing or invalid; treated as signed out"
        );
        return SessionRead::signed_out(Vec::new());
    };
    match AssertUnwindSafe(inner.read_session(&ctx, None))
        .catch_unwind()
        .await
    {
        Ok(read) => read,
        Err(_) => {
            tracing::error!("session read failed: a callback panicked; treated as signed out");
            SessionRead::signed_out(Vec::new())
        }
    }
}
