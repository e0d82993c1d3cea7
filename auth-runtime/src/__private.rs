//! Items used only by the code `auth!` generates. Not a stable API.
//!
//! The generic wrappers box the closures the macro builds into the `Arc<dyn Fn>` types of
//! [`crate::config`]; the `*_outcome` functions convert what a callback body returns, and
//! are called on the user's own expression so a type error is reported there.

use std::future::Future;
use std::sync::Arc;

pub use serde;
pub use serde_json;

use crate::config::{
    AuthConfig, AuthorizeFn, ConfigValue, Credentials, DatabaseSessionArgs, DatabaseSessionFn,
    IntoJwtOutcome, IntoSignInDecision, JwtArgs, JwtFn, JwtSessionArgs, JwtSessionFn, Profile,
    ProfileFn, RedirectArgs, RedirectFn, Session, SessionCallback, SignInArgs, SignInDecision,
    SignInFn, User,
};

/// Boxes a credentials `authorize` closure.
pub fn authorize<F, Fut>(f: F) -> AuthorizeFn
where
    F: Fn(Credentials) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<User>> + Send + 'static,
{
    Arc::new(move |c| Box::pin(f(c)))
}

/// Boxes an OAuth `profile` mapping.
pub fn profile<F>(f: F) -> ProfileFn
where
    F: Fn(&serde_json::Value) -> Option<Profile> + Send + Sync + 'static,
{
    Arc::new(f)
}

/// Boxes the `sign_in` callback.
pub fn sign_in<F, Fut>(f: F) -> SignInFn
where
    F: Fn(SignInArgs) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = SignInDecision> + Send + 'static,
{
    Arc::new(move |a| Box::pin(f(a)))
}

/// Boxes the `jwt` callback.
pub fn jwt<T, F, Fut>(f: F) -> JwtFn<T>
where
    F: Fn(JwtArgs<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<T>> + Send + 'static,
{
    Arc::new(move |a| Box::pin(f(a)))
}

/// Boxes the `session` callback of the jwt strategy.
pub fn jwt_session<T, U, F, Fut>(f: F) -> SessionCallback<T, U>
where
    F: Fn(JwtSessionArgs<T, U>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Session<U>> + Send + 'static,
{
    let f: JwtSessionFn<T, U> = Arc::new(move |a| Box::pin(f(a)));
    SessionCallback::Jwt(f)
}

/// Boxes the `session` callback of the database strategy.
pub fn database_session<T, U, F, Fut>(f: F) -> SessionCallback<T, U>
where
    F: Fn(DatabaseSessionArgs<U>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Session<U>> + Send + 'static,
{
    let f: DatabaseSessionFn<U> = Arc::new(move |a| Box::pin(f(a)));
    SessionCallback::Database(f)
}

/// Boxes the `redirect` callback.
pub fn redirect<F, Fut>(f: F) -> RedirectFn
where
    F: Fn(RedirectArgs) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = String> + Send + 'static,
{
    Arc::new(move |a| Box::pin(f(a)))
}

/// Boxes an event handler (`events: { sign_in(user) { .. } }`).
pub fn event<A, F, Fut>(f: F) -> crate::config::EventFn<A>
where
    F: Fn(A) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), crate::config::EventError>> + Send + 'static,
{
    Arc::new(move |a| Box::pin(f(a)))
}

/// What an event body returned (`()` or `Result<(), E>`).
pub fn event_outcome<R: crate::config::IntoEventOutcome>(
    r: R,
) -> Result<(), crate::config::EventError> {
    r.into_event_outcome()
}

/// A provider option given as a literal or any `Into<ConfigValue>`.
pub fn config_value(v: impl Into<ConfigValue>) -> ConfigValue {
    v.into()
}

/// A boolean option (`allow_dangerous_email_account_linking`).
pub fn flag(v: bool) -> bool {
    v
}

/// A string option (`name`, `scope`, pages).
pub fn string(v: impl Into<String>) -> String {
    v.into()
}

/// What `sign_in` returned.
pub fn sign_in_decision<R: IntoSignInDecision>(r: R) -> SignInDecision {
    r.into_decision()
}

/// Converts what a callback returned, for the token type `T` (or session user type).
///
/// The type is fixed on the struct, not on the function, so the only inferred generic of
/// the call is the returned value's type and rustc reports a mismatch on the whole
/// returned expression.
pub struct Outcome<T>(std::marker::PhantomData<T>);

impl<T> Outcome<T> {
    /// What `jwt` returned.
    pub fn jwt<R: IntoJwtOutcome<T>>(r: R) -> Option<T> {
        r.into_outcome()
    }

    /// What `session` returned (`T` is the session user type).
    pub fn session<R: IntoSessionOutcome<T>>(r: R) -> Session<T> {
        r.into_session()
    }
}

/// Types a `session` callback may return: the session.
#[diagnostic::on_unimplemented(
    message = "the `session` callback must return the session (`Session`), not `{Self}`",
    label = "this is the value `session` returns",
    note = "change `session` (it is `mut`) and end the callback with `session`"
)]
pub trait IntoSessionOutcome<U> {
    /// Converts to the session.
    fn into_session(self) -> Session<U>;
}

impl<U> IntoSessionOutcome<U> for Session<U> {
    fn into_session(self) -> Session<U> {
        self
    }
}

/// Types a `redirect` callback may return: the URL.
#[diagnostic::on_unimplemented(
    message = "the `redirect` callback must return the URL to redirect to (`String`), not `{Self}`",
    label = "this is the value `redirect` returns",
    note = "return `url` to allow it, or `base_url` to go home"
)]
pub trait IntoRedirectUrl {
    /// Converts to the URL.
    fn into_url(self) -> String;
}

impl IntoRedirectUrl for String {
    fn into_url(self) -> String {
        self
    }
}

impl IntoRedirectUrl for &str {
    fn into_url(self) -> String {
        self.to_owned()
    }
}

/// What `redirect` returned.
pub fn redirect_url<R: IntoRedirectUrl>(r: R) -> String {
    r.into_url()
}

/// The callbacks a configuration holds (the flow reads the fields directly; this is for
/// tests of the code `auth!` generates).
pub struct Callbacks<T, U> {
    /// `sign_in`.
    pub sign_in: Option<SignInFn>,
    /// `jwt`.
    pub jwt: Option<JwtFn<T>>,
    /// `session`.
    pub session: Option<SessionCallback<T, U>>,
    /// `redirect`.
    pub redirect: Option<RedirectFn>,
}

/// The callbacks of `config`.
pub fn callbacks<T, U>(config: &AuthConfig<T, U>) -> Callbacks<T, U> {
    Callbacks {
        sign_in: config.sign_in.clone(),
        jwt: config.jwt.clone(),
        session: config.session.clone(),
        redirect: config.redirect.clone(),
    }
}
