//! Items used only by the code `auth!` generates. Not an API: the module is numbered
//! with the crate version (`__private0_1_0`), so its name changes with every release and
//! nothing can depend on it (thiserror's habit); tests use the public API instead.
//!
//! The generated `config()` fills a [`Parts`] (data and closures) and calls
//! [`Parts::build`]. The generic wrappers box the closures the macro builds into the
//! `Arc<dyn Fn>` types of [`crate::config`]. Nothing here is called on the user's own
//! expressions or types: those go through the public traits of [`crate::config`] that name
//! what they check (`AuthorizeReturn`, `JwtCallbackReturn`, `SecondsValue`,
//! `CallbackState`, ..), so that a compile error never names this module.

use std::future::Future;
use std::sync::Arc;

/// The proc macro behind the `auth!` shim (which passes `$crate` first).
pub use auth_macros::auth;
pub use serde;
pub use serde_json;

use crate::config::CredentialsError;
use crate::config::{
    AuthConfig, AuthorizeFn, CreateUserEventArgs, Credentials, DatabaseSessionArgs,
    DatabaseSessionFn, EventFn, JwtArgs, JwtFn, JwtSessionArgs, JwtSessionFn, LinkAccountEventArgs,
    Pages, Profile, ProfileFn, Provider, RedirectArgs, RedirectFn, Session, SessionCallback,
    SessionEventArgs, SessionStrategy, SignInArgs, SignInDecision, SignInEventArgs, SignInFn,
    SignOutEventArgs, User, UserDataError,
};

/// [`check_user`] for the generated `User`: whether a runtime user converts to it.
pub type UserCheckFn = fn(&User) -> Result<(), String>;
use crate::config::{LockedOutEventArgs, SignInFailedEventArgs, SignInLimits};

/// Everything an `auth!` invocation declares; `None` keeps the runtime's default.
pub struct Parts<T, U> {
    /// `session: { strategy }`.
    pub strategy: SessionStrategy,
    /// `session: { max_age }`.
    pub max_age: Option<u64>,
    /// `session: { update_age }`.
    pub update_age: Option<u64>,
    /// `session: { reissue_after }`.
    pub reissue_after: Option<u64>,
    /// `providers: [..]`, in order.
    pub providers: Vec<Provider>,
    /// `callbacks: { sign_in }`.
    pub sign_in: Option<SignInFn>,
    /// `callbacks: { jwt }`.
    pub jwt: Option<JwtFn<T>>,
    /// `callbacks: { session }`.
    pub session: Option<SessionCallback<T, U>>,
    /// `callbacks: { redirect }`.
    pub redirect: Option<RedirectFn>,
    /// `events: { sign_in }`.
    pub sign_in_event: Option<EventFn<SignInEventArgs>>,
    /// `events: { sign_out }`.
    pub sign_out_event: Option<EventFn<SignOutEventArgs>>,
    /// `events: { create_user }`.
    pub create_user_event: Option<EventFn<CreateUserEventArgs>>,
    /// `events: { link_account }`.
    pub link_account_event: Option<EventFn<LinkAccountEventArgs>>,
    /// `events: { session }`.
    pub session_event: Option<EventFn<SessionEventArgs>>,
    /// `events: { sign_in_failed }`.
    pub sign_in_failed_event: Option<EventFn<SignInFailedEventArgs>>,
    /// `events: { locked_out }`.
    pub locked_out_event: Option<EventFn<LockedOutEventArgs>>,
    /// `limits: { sign_in: .. }`.
    pub sign_in_limits: Option<SignInLimits>,
    /// `second_factor: { totp: .. }`.
    pub second_factor: Option<crate::config::SecondFactor>,
    /// `pages: { .. }`.
    pub pages: Option<Pages>,
    /// `base_path`.
    pub base_path: Option<String>,
    /// `trust_host`.
    pub trust_host: Option<bool>,
    /// `trust_proxy`.
    pub trust_proxy: Option<bool>,
    /// `user: { .. }`: whether a signed-in user fits the generated `User` ([`check_user`]).
    pub user_check: Option<UserCheckFn>,
}

impl<T, U> Default for Parts<T, U> {
    fn default() -> Self {
        Parts {
            strategy: SessionStrategy::default(),
            max_age: None,
            update_age: None,
            reissue_after: None,
            providers: Vec::new(),
            sign_in: None,
            jwt: None,
            session: None,
            redirect: None,
            sign_in_event: None,
            sign_out_event: None,
            create_user_event: None,
            link_account_event: None,
            session_event: None,
            sign_in_failed_event: None,
            locked_out_event: None,
            sign_in_limits: None,
            second_factor: None,
            pages: None,
            base_path: None,
            trust_host: None,
            trust_proxy: None,
            user_check: None,
        }
    }
}

impl<T, U> Parts<T, U> {
    /// The configuration: the runtime's defaults with every declared part set.
    pub fn build(self) -> AuthConfig<T, U> {
        let mut config = self
            .providers
            .into_iter()
            .fold(AuthConfig::__new().__strategy(self.strategy), |c, p| {
                c.__provider(p)
            });
        macro_rules! set {
            ($($part:expr => $method:ident),* $(,)?) => {
                $(if let Some(v) = $part {
                    config = config.$method(v);
                })*
            };
        }
        set! {
            self.max_age => __max_age,
            self.update_age => __update_age,
            self.reissue_after => __reissue_after,
            self.sign_in => __sign_in,
            self.jwt => __jwt,
            self.session => __session,
            self.redirect => __redirect,
            self.sign_in_event => __event_sign_in,
            self.sign_out_event => __event_sign_out,
            self.create_user_event => __event_create_user,
            self.link_account_event => __event_link_account,
            self.session_event => __event_session,
            self.sign_in_failed_event => __event_sign_in_failed,
            self.locked_out_event => __event_locked_out,
            self.sign_in_limits => __sign_in_limits,
            self.second_factor => __second_factor,
            self.pages => __pages,
            self.base_path.as_deref() => __base_path,
            self.trust_host => __trust_host,
            self.trust_proxy => __trust_proxy,
            self.user_check => __user_check,
        }
        config
    }
}

/// Boxes a credentials `authorize` closure. What the user's `authorize` returns was
/// converted already, on the user's own expression, by [`crate::config::AuthorizeReturn`].
pub fn authorize<F, Fut>(f: F) -> AuthorizeFn
where
    F: Fn(Credentials) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<User, CredentialsError>> + Send + 'static,
{
    Arc::new(move |c| Box::pin(f(c)))
}

/// `auth!`'s typed `User` (`user: { .. }`) as the runtime's [`User`], the declared fields
/// in [`User::extra`].
pub fn to_runtime_user<V: serde::Serialize>(user: &V) -> Result<User, UserDataError> {
    Ok(serde_json::from_value(serde_json::to_value(user)?)?)
}

/// The runtime's [`User`] as `auth!`'s typed `User`; an absent declared field is its
/// `Default`.
pub fn from_runtime_user<V: serde::de::DeserializeOwned>(user: &User) -> Result<V, UserDataError> {
    Ok(serde_json::from_value(serde_json::to_value(user)?)?)
}

/// `Parts::user_check`: whether `user` converts to the typed `V`. The sign-in runs it
/// before `jwt`, so that [`typed_user`] cannot fail there.
pub fn check_user<V: serde::de::DeserializeOwned>(user: &User) -> Result<(), String> {
    from_runtime_user::<V>(user)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// `jwt`'s `user` as the typed `V`. The sign-in checked it ([`check_user`]); should it
/// still not convert, it is logged and `jwt` sees no user.
pub fn typed_user<V: serde::de::DeserializeOwned>(user: Option<User>) -> Option<V> {
    match from_runtime_user(&user?) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::error!(error = %e, "the `jwt` callback's user does not fit the `User` type");
            None
        }
    }
}

/// A typed `authorize`'s outcome (`auth! { user: { .. } }`) as the runtime's: the typed
/// user converted once, here; a user that does not convert is a fault (`Configuration`),
/// not a refusal.
pub fn runtime_outcome<V: serde::Serialize>(
    outcome: Result<V, CredentialsError>,
) -> Result<User, CredentialsError> {
    to_runtime_user(&outcome?)
        .map_err(|e| CredentialsError::fault(format!("`authorize`'s user: {e}")))
}

/// A required field of a generated credentials form (`fields: { .. }`): the flow refused
/// the sign-in before `authorize` when it is missing or empty, so the fallback is unseen.
pub fn form_text(credentials: &Credentials, name: &str) -> String {
    credentials.get(name).unwrap_or_default().to_owned()
}

/// An optional field of a generated credentials form: `None` when missing or empty.
pub fn form_option(credentials: &Credentials, name: &str) -> Option<String> {
    credentials
        .get(name)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Implemented by the credentials forms `auth!` generates: built from the submitted
/// credentials.
pub trait CredentialsForm: Sized {
    /// The form's fields from the submitted credentials.
    fn from_credentials(credentials: &Credentials) -> Self;
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

/// Boxes an e-mail provider's `send_verification_request` (its output already converted
/// by `SendVerificationRequestReturn`, on the user's expression).
pub fn send_verification_request<F, Fut>(f: F) -> crate::config::SendVerificationRequestFn
where
    F: Fn(crate::config::VerificationRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), crate::config::EventError>> + Send + 'static,
{
    Arc::new(move |a| Box::pin(f(a)))
}

#[cfg(test)]
mod tests {
    /// The module is named after the crate version, as `auth-macros` (pinned to the same
    /// version) expects.
    #[test]
    fn the_module_name_follows_the_version() {
        let expected = format!(
            "auth_runtime::__private{}",
            env!("CARGO_PKG_VERSION").replace(['.', '-', '+'], "_")
        );
        assert_eq!(
            module_path!().strip_suffix("::tests"),
            Some(expected.as_str())
        );
    }
}
