//! Events (Auth.js's `events`): fire-and-forget handlers and their arguments.

use std::fmt;
use std::sync::Arc;

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
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("sign_in", &self.sign_in.is_some())
            .field("sign_out", &self.sign_out.is_some())
            .field("create_user", &self.create_user.is_some())
            .field("link_account", &self.link_account.is_some())
            .field("session", &self.session.is_some())
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
