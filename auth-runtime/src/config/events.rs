//! Events (Auth.js's `events`): fire-and-forget handlers and their arguments.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{Account, BoxFuture, Profile, User};

/// What an event handler may fail with (logged, never fatal).
pub type EventError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An event handler (Auth.js's `events`): fire and forget, spawned after the response's
/// work is done; an `Err` or a panic is logged and changes nothing.
pub type EventFn<A> = Arc<dyn Fn(A) -> BoxFuture<Result<(), EventError>> + Send + Sync>;

/// The `sign_in` event: a sign-in succeeded.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInEventArgs {
    /// The user (the stored user when an adapter is configured).
    pub user: User,
    /// The provider account.
    pub account: Account,
    /// The OAuth/OIDC profile (`None` for credentials).
    pub profile: Option<Profile>,
    /// The sign-in created the user (needs an adapter; `false` otherwise).
    pub is_new_user: bool,
}

/// The `sign_out` event: a session ended through `POST /signout`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignOutEventArgs {
    /// Whose session it was, when known (the session row's user, or the token's `sub`).
    pub user_id: Option<String>,
}

/// The `create_user` event: a sign-in stored a new user (adapter only).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreateUserEventArgs {
    /// The stored user.
    pub user: User,
}

/// The `link_account` event: a provider account was linked to a user (adapter only).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LinkAccountEventArgs {
    /// The user.
    pub user: User,
    /// The linked account.
    pub account: Account,
}

/// The `session` event: a session was read (`GET /session`, [`crate::Auth::session`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionEventArgs {
    /// The session as the client receives it (after the `session` callback).
    pub session: serde_json::Value,
    /// The user's id (database strategy: the stored user; jwt: the token's `sub`).
    pub user_id: Option<String>,
}

/// The `sign_in_failed` event: a credentials sign-in was refused by `authorize`. Carries
/// no password and no token: only who tried, from where, and the refusal's code.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInFailedEventArgs {
    /// The provider's id (`"credentials"`).
    pub provider: String,
    /// The identifier the attempt named (the limits' identifier field, as sent), if any.
    pub identifier: Option<String>,
    /// The client's address, when known.
    pub ip: Option<IpAddr>,
    /// The refusal's code (`"credentials"` unless `authorize` gave another).
    pub code: String,
}

/// Which sign-in limit refused an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// The per-address limit (`per_ip`).
    PerIp,
    /// The per-identifier limit (`per_identifier`).
    PerIdentifier,
}

/// The `locked_out` event: a sign-in POST was refused by a rate limit (each refused
/// attempt fires it, before `authorize` would have run). No password, no token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LockedOutEventArgs {
    /// The provider's id.
    pub provider: String,
    /// The identifier the attempt named, if any.
    pub identifier: Option<String>,
    /// The client's address, when known.
    pub ip: Option<IpAddr>,
    /// The limit that refused.
    pub limit: LimitKind,
    /// How long until the next attempt is allowed (the `Retry-After`).
    pub retry_after: Duration,
}

/// The configured event handlers.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Events {
    /// `sign_in(user, account, profile, is_new_user)`.
    pub sign_in: Option<EventFn<SignInEventArgs>>,
    /// `sign_out(user_id)`.
    pub sign_out: Option<EventFn<SignOutEventArgs>>,
    /// `create_user(user)`.
    pub create_user: Option<EventFn<CreateUserEventArgs>>,
    /// `link_account(user, account)`.
    pub link_account: Option<EventFn<LinkAccountEventArgs>>,
    /// `session(session, user_id)`.
    pub session: Option<EventFn<SessionEventArgs>>,
    /// `sign_in_failed(provider, identifier, ip, code)`.
    pub sign_in_failed: Option<EventFn<SignInFailedEventArgs>>,
    /// `locked_out(provider, identifier, ip, limit, retry_after)`.
    pub locked_out: Option<EventFn<LockedOutEventArgs>>,
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("sign_in", &self.sign_in.is_some())
            .field("sign_out", &self.sign_out.is_some())
            .field("create_user", &self.create_user.is_some())
            .field("link_account", &self.link_account.is_some())
            .field("session", &self.session.is_some())
            .field("sign_in_failed", &self.sign_in_failed.is_some())
            .field("locked_out", &self.locked_out.is_some())
            .finish()
    }
}

/// What an event body returns: `()` or `Result<(), E>` (the error is logged).
///
/// Named after what it describes, so that a compile error about an event handler returning
/// another type reads in the words of `auth!`.
#[diagnostic::on_unimplemented(
    message = "an event handler must return `()` or `Result<(), E>`, not `{Self}`",
    label = "this is the value the event handler returns",
    note = "events only observe: end the body with a statement (`;`), or return `Ok(())` / `Err(e)` to log a failure"
)]
pub trait EventReturn {
    /// The outcome.
    fn into_event_outcome(self) -> Result<(), EventError>;
}

#[diagnostic::do_not_recommend]
impl EventReturn for () {
    fn into_event_outcome(self) -> Result<(), EventError> {
        Ok(())
    }
}

#[diagnostic::do_not_recommend]
impl<E: Into<EventError>> EventReturn for Result<(), E> {
    fn into_event_outcome(self) -> Result<(), EventError> {
        self.map_err(Into::into)
    }
}
