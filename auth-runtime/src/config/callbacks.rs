//! The callbacks (`sign_in`, `jwt`, `session`, `redirect`): their arguments, the boxed
//! closures the macro builds, and the return values they accept.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::{
    Account, Credentials, CredentialsError, Profile, RequestInfo, Session, TokenData, Trigger, User,
};

/// A boxed, sendable future, the return type of every callback closure.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What the `sign_in` callback decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInDecision {
    /// Continue the sign-in.
    Allow,
    /// Refuse it (`AccessDenied`).
    Deny,
    /// Refuse it and send the browser here (passed through the `redirect` callback).
    Redirect(String),
}

/// Types a `sign_in` callback may return: `bool`, a redirect URL (`String`/`&str`) or a
/// [`SignInDecision`].
///
/// Named after what it describes, so that a compile error about a `sign_in` callback
/// returning another type reads in the words of `auth!`.
#[diagnostic::on_unimplemented(
    message = "the `sign_in` callback must return `bool`, a redirect URL or `SignInDecision`, not `{Self}`",
    label = "this is the value `sign_in` returns",
    note = "return `true` to allow, `false` to deny, or a URL string to redirect"
)]
pub trait SignInCallbackReturn {
    /// Converts to a [`SignInDecision`].
    fn into_decision(self) -> SignInDecision;
}

#[diagnostic::do_not_recommend]
impl SignInCallbackReturn for bool {
    fn into_decision(self) -> SignInDecision {
        if self {
            SignInDecision::Allow
        } else {
            SignInDecision::Deny
        }
    }
}

#[diagnostic::do_not_recommend]
impl SignInCallbackReturn for SignInDecision {
    fn into_decision(self) -> SignInDecision {
        self
    }
}

#[diagnostic::do_not_recommend]
impl SignInCallbackReturn for String {
    fn into_decision(self) -> SignInDecision {
        SignInDecision::Redirect(self)
    }
}

#[diagnostic::do_not_recommend]
impl SignInCallbackReturn for &str {
    fn into_decision(self) -> SignInDecision {
        SignInDecision::Redirect(self.to_owned())
    }
}

/// Types a `jwt` callback may return: the token, or `Option<Token>` where `None` ends
/// the session (Auth.js's `return null`).
///
/// Named after what it describes, so that a compile error about a `jwt` callback returning
/// another type reads in the words of `auth!`.
#[diagnostic::on_unimplemented(
    message = "the `jwt` callback must return the token (`Token`) or `Option<Token>`, not `{Self}`",
    label = "this is the value `jwt` returns",
    note = "end the callback with `token` (or `None` to sign the user out)"
)]
pub trait JwtCallbackReturn<T> {
    /// Converts to `Some(token)` or `None` (end the session).
    fn into_outcome(self) -> Option<T>;
}

#[diagnostic::do_not_recommend]
impl<T: TokenData> JwtCallbackReturn<T> for T {
    fn into_outcome(self) -> Option<T> {
        Some(self)
    }
}

#[diagnostic::do_not_recommend]
impl<T: TokenData> JwtCallbackReturn<T> for Option<T> {
    fn into_outcome(self) -> Option<T> {
        self
    }
}

/// Types a `session` callback may return: the session.
///
/// Named after what it describes, so that a compile error about a `session` callback
/// returning another type reads in the words of `auth!`.
#[diagnostic::on_unimplemented(
    message = "the `session` callback must return the session (`Session`), not `{Self}`",
    label = "this is the value `session` returns",
    note = "change `session` (it is `mut`) and end the callback with `session`"
)]
pub trait SessionCallbackReturn<U> {
    /// Converts to the session.
    fn into_session(self) -> Session<U>;
}

#[diagnostic::do_not_recommend]
impl<U> SessionCallbackReturn<U> for Session<U> {
    fn into_session(self) -> Session<U> {
        self
    }
}

/// Types a `redirect` callback may return: the URL (`String` or `&str`).
///
/// Named after what it describes, so that a compile error about a `redirect` callback
/// returning another type reads in the words of `auth!`.
#[diagnostic::on_unimplemented(
    message = "the `redirect` callback must return the URL to redirect to (`String`), not `{Self}`",
    label = "this is the value `redirect` returns",
    note = "return `url` to allow it, or `base_url` to go home"
)]
pub trait RedirectCallbackReturn {
    /// Converts to the URL.
    fn into_url(self) -> String;
}

#[diagnostic::do_not_recommend]
impl RedirectCallbackReturn for String {
    fn into_url(self) -> String {
        self
    }
}

#[diagnostic::do_not_recommend]
impl RedirectCallbackReturn for &str {
    fn into_url(self) -> String {
        self.to_owned()
    }
}

/// Arguments of the `sign_in` callback.
#[derive(Clone, Debug)]
pub struct SignInArgs {
    /// The user the provider returned.
    pub user: User,
    /// The provider account.
    pub account: Account,
    /// The OAuth/OIDC profile (`None` for credentials).
    pub profile: Option<Profile>,
    /// The submitted credentials (`None` for OAuth/OIDC).
    pub credentials: Option<Credentials>,
    /// The request that signs the user in: the credentials' `POST`, the OAuth provider's
    /// return, or the application's own request for [`Auth::sign_in`](crate::Auth::sign_in).
    pub request: RequestInfo,
    /// How the user authenticated, as RFC 8176 method names: `["pwd", "otp"]` when a
    /// credentials sign-in passed its second factor (`second_factor: { totp: .. }`), else
    /// empty.
    pub amr: Vec<String>,
}

/// Arguments of the `jwt` callback.
#[derive(Clone, Debug)]
pub struct JwtArgs<T> {
    /// The current token (on sign-in: the default token built from `user`).
    pub token: T,
    /// Present on sign-in only.
    pub user: Option<User>,
    /// Present on sign-in only.
    pub account: Option<Account>,
    /// Present on OAuth/OIDC sign-in only.
    pub profile: Option<Profile>,
    /// Why the callback runs; `None` on a plain session read.
    pub trigger: Option<Trigger>,
    /// `true` when the sign-in created the user.
    pub is_new_user: bool,
    /// The `data` of a `POST /session` update (`trigger == Some(Update)`).
    pub session: Option<serde_json::Value>,
}

/// Arguments of the `session` callback under the jwt strategy.
#[derive(Clone, Debug)]
pub struct JwtSessionArgs<T, U> {
    /// The default session built from the token.
    pub session: Session<U>,
    /// The decoded token, after the `jwt` callback.
    pub token: T,
}

/// Arguments of the `session` callback under the database strategy.
#[derive(Clone, Debug)]
pub struct DatabaseSessionArgs<U> {
    /// The default session built from the database user.
    pub session: Session<U>,
    /// The database user.
    pub user: User,
}

/// Arguments of the `redirect` callback.
#[derive(Clone, Debug)]
pub struct RedirectArgs {
    /// The requested URL (absolute or relative).
    pub url: String,
    /// The site's base URL (origin, without the auth base path).
    pub base_url: String,
}

/// The `authorize` closure of a credentials provider: the user, or why it is refused.
pub type AuthorizeFn =
    Arc<dyn Fn(Credentials) -> BoxFuture<Result<User, CredentialsError>> + Send + Sync>;
/// The `sign_in` callback.
pub type SignInFn = Arc<dyn Fn(SignInArgs) -> BoxFuture<SignInDecision> + Send + Sync>;
/// The `jwt` callback; `None` ends the session.
pub type JwtFn<T> = Arc<dyn Fn(JwtArgs<T>) -> BoxFuture<Option<T>> + Send + Sync>;
/// The `session` callback under the jwt strategy.
pub type JwtSessionFn<T, U> =
    Arc<dyn Fn(JwtSessionArgs<T, U>) -> BoxFuture<Session<U>> + Send + Sync>;
/// The `session` callback under the database strategy.
pub type DatabaseSessionFn<U> =
    Arc<dyn Fn(DatabaseSessionArgs<U>) -> BoxFuture<Session<U>> + Send + Sync>;
/// The `redirect` callback; returns the URL to send the browser to.
pub type RedirectFn = Arc<dyn Fn(RedirectArgs) -> BoxFuture<String> + Send + Sync>;

/// The `session` callback, in the form matching the strategy.
pub enum SessionCallback<T, U> {
    /// `session(session, token)`.
    Jwt(JwtSessionFn<T, U>),
    /// `session(session, user)`.
    Database(DatabaseSessionFn<U>),
}

impl<T, U> Clone for SessionCallback<T, U> {
    fn clone(&self) -> Self {
        match self {
            SessionCallback::Jwt(f) => SessionCallback::Jwt(f.clone()),
            SessionCallback::Database(f) => SessionCallback::Database(f.clone()),
        }
    }
}
