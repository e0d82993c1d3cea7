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
#[diagnostic::on_unimplemented(
    message = "the `sign_in` callback must return `bool`, a redirect URL or `SignInDecision`, not `{Self}`",
    label = "this is the value `sign_in` returns",
    note = "return `true` to allow, `false` to deny, or a URL string to redirect"
)]
pub trait IntoSignInDecision {
    /// Converts to a [`SignInDecision`].
    fn into_decision(self) -> SignInDecision;
}

impl IntoSignInDecision for bool {
    fn into_decision(self) -> SignInDecision {
        if self {
            SignInDecision::Allow
        } else {
            SignInDecision::Deny
        }
    }
}

impl IntoSignInDecision for SignInDecision {
    fn into_decision(self) -> SignInDecision {
        self
    }
}

impl IntoSignInDecision for String {
    fn into_decision(self) -> SignInDecision {
        SignInDecision::Redirect(self)
    }
}

impl IntoSignInDecision for &str {
    fn into_decision(self) -> SignInDecision {
        SignInDecision::Redirect(self.to_owned())
    }
}

/// Types a `jwt` callback may return: the token, or `Option<Token>` where `None` ends
/// the session (Auth.js's `return null`).
#[diagnostic::on_unimplemented(
    message = "the `jwt` callback must return the token (`Token`) or `Option<Token>`, not `{Self}`",
    label = "this is the value `jwt` returns",
    note = "end the callback with `token` (or `None` to sign the user out)"
)]
pub trait IntoJwtOutcome<T> {
    /// Converts to `Some(token)` or `None` (end the session).
    fn into_outcome(self) -> Option<T>;
}

impl<T: TokenData> IntoJwtOutcome<T> for T {
    fn into_outcome(self) -> Option<T> {
        Some(self)
    }
}

impl<T: TokenData> IntoJwtOutcome<T> for Option<T> {
    fn into_outcome(self) -> Option<T> {
        self
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
