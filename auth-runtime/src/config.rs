//! The typed configuration that `auth!` emits and the runtime executes.
//!
//! Everything here is data and closures: the macro builds an [`AuthConfig`] with the
//! `#[doc(hidden)]` builder methods, and the runtime ([`crate::Auth`]) owns the flow.
//! Applications normally never build an [`AuthConfig`] by hand, but they may adjust one
//! at start-up with the public `with_*` methods (secrets, base URL, trusted host).

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A boxed, sendable future, the return type of every callback closure.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Bounds every generated token type satisfies (blanket-implemented).
///
/// The runtime works on the token through serde: the standard claims `sub`, `name`,
/// `email`, `picture`, `iat`, `exp` and `jti` are fields of the generated struct, and
/// missing fields take their `Default` (the struct is `#[serde(default)]`).
pub trait TokenData:
    Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}
impl<T> TokenData for T where
    T: Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}

/// Bounds every generated `session.user` type satisfies (blanket-implemented).
///
/// The generated type always has `name`, `email` and `image` (`Option<String>`) and the
/// fields declared in `session_user: { .. }`.
pub trait SessionUserData:
    Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}
impl<T> SessionUserData for T where
    T: Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}

/// Where the session lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SessionStrategy {
    /// The session is an encrypted JWT in a cookie; no database lookup per request (default).
    #[default]
    Jwt,
    /// The cookie holds a session id; the session lives in a database adapter.
    Database,
}

/// A configuration value that is either written in the config or read from the
/// environment when [`crate::Auth::new`] starts (`env("GITHUB_ID")` in `auth!`).
#[derive(Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// A value written in the configuration.
    Literal(String),
    /// The name of an environment variable read at start-up.
    Env(&'static str),
}

impl ConfigValue {
    /// Resolves the value, reading the environment for [`ConfigValue::Env`].
    pub fn resolve(&self) -> Result<String, crate::ConfigError> {
        match self {
            ConfigValue::Literal(v) => Ok(v.clone()),
            ConfigValue::Env(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => Ok(v),
                _ => Err(crate::ConfigError::MissingEnv(name)),
            },
        }
    }
}

impl fmt::Debug for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets: never print a literal.
        match self {
            ConfigValue::Literal(_) => f.write_str("ConfigValue::Literal(..)"),
            ConfigValue::Env(name) => write!(f, "ConfigValue::Env({name:?})"),
        }
    }
}

impl From<&str> for ConfigValue {
    fn from(v: &str) -> Self {
        ConfigValue::Literal(v.to_owned())
    }
}

impl From<String> for ConfigValue {
    fn from(v: String) -> Self {
        ConfigValue::Literal(v)
    }
}

/// `env("NAME")` in `auth!`: a value read from the environment at start-up.
pub fn env(name: &'static str) -> ConfigValue {
    ConfigValue::Env(name)
}

/// A user, as returned by a provider (`authorize`, an OAuth profile) or a database adapter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable identifier; becomes the token's `sub`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL; becomes the token's `picture`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// When the e-mail address was verified (seconds since the epoch), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<i64>,
}

impl User {
    /// A user with this id and nothing else.
    pub fn new(id: impl Into<String>) -> Self {
        User {
            id: id.into(),
            ..User::default()
        }
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the e-mail address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the avatar URL.
    pub fn with_image(mut self, image: impl Into<String>) -> Self {
        self.image = Some(image.into());
        self
    }
}

/// The kind of provider an [`Account`] comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// OAuth 2.0.
    #[default]
    Oauth,
    /// OpenID Connect.
    Oidc,
    /// The credentials provider.
    Credentials,
}

/// The provider account a sign-in came through (Auth.js's `account`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Provider id (`"github"`, `"credentials"`, ...).
    pub provider: String,
    /// The user's id at the provider.
    pub provider_account_id: String,
    /// Provider kind.
    #[serde(rename = "type")]
    pub kind: AccountType,
    /// OAuth access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// OAuth refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Access token expiry, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// Granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Token type (`bearer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// OIDC ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens are secrets: show only whether they are present.
        f.debug_struct("Account")
            .field("provider", &self.provider)
            .field("provider_account_id", &self.provider_account_id)
            .field("kind", &self.kind)
            .field("access_token", &self.access_token.as_ref().map(|_| ".."))
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| ".."))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .field("id_token", &self.id_token.as_ref().map(|_| ".."))
            .finish()
    }
}

/// The profile an OAuth/OIDC provider returned (Auth.js's `profile`), typed where the
/// fields are standard and raw otherwise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The provider's user id (`sub` for OIDC, `id` for GitHub).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Whether the provider says the e-mail address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// The whole profile document as the provider sent it.
    #[serde(default)]
    pub raw: serde_json::Value,
}

/// The fields a credentials sign-in submitted (form or JSON body), minus `csrfToken`
/// and `callbackUrl`. `Debug` never prints the values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    fields: BTreeMap<String, String>,
}

impl Credentials {
    /// Builds credentials from name/value pairs.
    pub fn new<K: Into<String>, V: Into<String>>(fields: impl IntoIterator<Item = (K, V)>) -> Self {
        Credentials {
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The submitted value of a field, e.g. `credentials.get("password")`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Whether the submitted `name` field equals `expected`, compared in constant time
    /// (for the length of `expected`), e.g. `credentials.matches("password", &stored)`.
    /// A missing field never matches.
    ///
    /// Prefer verifying a password hash (argon2) where passwords are stored; this is for
    /// shared secrets such as API keys or a demo user.
    pub fn matches(&self, name: &str, expected: &str) -> bool {
        use subtle::ConstantTimeEq;
        match self.get(name) {
            Some(value) => bool::from(value.as_bytes().ct_eq(expected.as_bytes())),
            None => false,
        }
    }

    /// Iterates over field names (values are secrets and are not exposed in bulk).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.fields.keys()).finish()
    }
}

/// Why the `jwt` callback runs (Auth.js's `trigger`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Trigger {
    /// First sign-in of an existing user.
    SignIn,
    /// First sign-in that created the user (database strategy).
    SignUp,
    /// `POST /session` (a client-side session update).
    Update,
}

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

/// The session a client reads from `GET /session`, with the typed `user`.
///
/// Serialises as Auth.js does: `{"user": {..}, "expires": "<ISO 8601>"}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "U: Serialize",
    deserialize = "U: DeserializeOwned + Default"
))]
pub struct Session<U> {
    /// The signed-in user, with the fields declared in `session_user: { .. }`.
    #[serde(default)]
    pub user: U,
    /// When the session expires (ISO 8601, UTC).
    #[serde(default)]
    pub expires: String,
}

/// The default `session.user` when `auth!` declares no `session_user`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultSessionUser {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
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

/// The `authorize` closure of a credentials provider.
pub type AuthorizeFn = Arc<dyn Fn(Credentials) -> BoxFuture<Option<User>> + Send + Sync>;
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

/// What an event body returns: `()` or `Result<(), E>`.
pub trait IntoEventOutcome {
    /// The outcome.
    fn into_event_outcome(self) -> Result<(), EventError>;
}

impl IntoEventOutcome for () {
    fn into_event_outcome(self) -> Result<(), EventError> {
        Ok(())
    }
}

impl<E: Into<EventError>> IntoEventOutcome for Result<(), E> {
    fn into_event_outcome(self) -> Result<(), EventError> {
        self.map_err(Into::into)
    }
}

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

/// A credentials provider (username/password or any form fields).
#[derive(Clone)]
pub struct CredentialsProvider {
    /// Provider id, `"credentials"` by default.
    pub id: String,
    /// Display name on the sign-in page.
    pub name: String,
    /// Fields shown on the built-in sign-in page: (name, label, input type).
    pub fields: Vec<CredentialField>,
    /// Checks the submitted credentials; `None` refuses the sign-in.
    pub authorize: AuthorizeFn,
}

impl fmt::Debug for CredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsProvider")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

/// A form field of a credentials provider's sign-in form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialField {
    /// Form field name (`"username"`).
    pub name: String,
    /// Label shown to the user (`"Username"`).
    pub label: String,
    /// HTML input type (`"text"`, `"password"`, `"email"`).
    pub input_type: String,
}

impl CredentialField {
    /// A field with a name, a label and an HTML input type.
    pub fn new(name: &str, label: &str, input_type: &str) -> Self {
        CredentialField {
            name: name.to_owned(),
            label: label.to_owned(),
            input_type: input_type.to_owned(),
        }
    }
}

/// How an OAuth client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic with client id and secret (Auth.js's default).
    #[default]
    ClientSecretBasic,
    /// Client id and secret in the form body.
    ClientSecretPost,
}

/// Maps a provider's raw profile document to a [`Profile`].
pub type ProfileFn = Arc<dyn Fn(&serde_json::Value) -> Option<Profile> + Send + Sync>;

/// An OAuth 2.0 or OpenID Connect provider (generic, or a preset such as GitHub).
#[derive(Clone)]
pub struct OAuthProvider {
    /// Provider id (`"github"`, `"google"`, `"corp"`).
    pub id: String,
    /// Display name on the sign-in page.
    pub name: String,
    /// OAuth 2.0 or OIDC.
    pub kind: AccountType,
    /// OIDC issuer; endpoints are discovered from `{issuer}/.well-known/openid-configuration`.
    pub issuer: Option<ConfigValue>,
    /// Authorization endpoint (OAuth 2.0, or an override for OIDC).
    pub authorization_url: Option<ConfigValue>,
    /// Token endpoint.
    pub token_url: Option<ConfigValue>,
    /// Userinfo endpoint.
    pub userinfo_url: Option<ConfigValue>,
    /// Client id.
    pub client_id: ConfigValue,
    /// Client secret.
    pub client_secret: ConfigValue,
    /// Requested scope, space separated.
    pub scope: String,
    /// Token endpoint authentication.
    pub client_auth: ClientAuth,
    /// Maps the raw profile to a [`Profile`].
    pub profile: ProfileFn,
    /// Link this provider's account to an existing user with the same e-mail.
    pub allow_dangerous_email_account_linking: bool,
    /// GitHub: fetch the primary e-mail from `/user/emails` when the profile has none.
    pub github_emails_url: Option<ConfigValue>,
}

impl fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// A configured provider.
#[derive(Clone, Debug)]
pub enum Provider {
    /// Credentials (`Credentials { authorize: .. }`).
    Credentials(CredentialsProvider),
    /// OAuth 2.0 / OIDC (`GitHub { .. }`, `Google { .. }`, `Oidc { .. }`, `OAuth { .. }`).
    OAuth(OAuthProvider),
}

impl Provider {
    /// The provider id.
    pub fn id(&self) -> &str {
        match self {
            Provider::Credentials(p) => &p.id,
            Provider::OAuth(p) => &p.id,
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        match self {
            Provider::Credentials(p) => &p.name,
            Provider::OAuth(p) => &p.name,
        }
    }

    /// Auth.js's provider type: `"credentials"`, `"oauth"` or `"oidc"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Provider::Credentials(_) => "credentials",
            Provider::OAuth(p) if p.kind == AccountType::Oidc => "oidc",
            Provider::OAuth(_) => "oauth",
        }
    }
}

/// Custom page paths (`pages: { sign_in: "/login" }`); `None` keeps the built-in page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pages {
    /// Sign-in page.
    pub sign_in: Option<String>,
    /// Sign-out confirmation page.
    pub sign_out: Option<String>,
    /// Error page.
    pub error: Option<String>,
}

/// The whole configuration: what `auth!` emits as `config()`.
pub struct AuthConfig<T, U> {
    pub(crate) strategy: SessionStrategy,
    pub(crate) max_age: u64,
    pub(crate) update_age: u64,
    pub(crate) providers: Vec<Provider>,
    pub(crate) sign_in: Option<SignInFn>,
    pub(crate) jwt: Option<JwtFn<T>>,
    pub(crate) session: Option<SessionCallback<T, U>>,
    pub(crate) redirect: Option<RedirectFn>,
    pub(crate) pages: Pages,
    pub(crate) base_path: String,
    pub(crate) trust_host: Option<bool>,
    pub(crate) secrets: Vec<ConfigValue>,
    pub(crate) url: Option<ConfigValue>,
    pub(crate) token_format: crate::jwt::TokenFormat,
    pub(crate) events: Events,
}

impl<T, U> Clone for AuthConfig<T, U> {
    fn clone(&self) -> Self {
        AuthConfig {
            strategy: self.strategy,
            max_age: self.max_age,
            update_age: self.update_age,
            providers: self.providers.clone(),
            sign_in: self.sign_in.clone(),
            jwt: self.jwt.clone(),
            session: self.session.clone(),
            redirect: self.redirect.clone(),
            pages: self.pages.clone(),
            base_path: self.base_path.clone(),
            trust_host: self.trust_host,
            secrets: self.secrets.clone(),
            url: self.url.clone(),
            token_format: self.token_format.clone(),
            events: self.events.clone(),
        }
    }
}

impl<T, U> fmt::Debug for AuthConfig<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("strategy", &self.strategy)
            .field("max_age", &self.max_age)
            .field("update_age", &self.update_age)
            .field("providers", &self.providers)
            .field("sign_in", &self.sign_in.is_some())
            .field("jwt", &self.jwt.is_some())
            .field("session", &self.session.is_some())
            .field("redirect", &self.redirect.is_some())
            .field("pages", &self.pages)
            .field("base_path", &self.base_path)
            .field("trust_host", &self.trust_host)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// 30 days, Auth.js's default session lifetime.
pub const DEFAULT_MAX_AGE: u64 = 30 * 24 * 60 * 60;
/// 24 hours, Auth.js's default `updateAge`.
pub const DEFAULT_UPDATE_AGE: u64 = 24 * 60 * 60;
/// `/api/auth`, Auth.js's default base path.
pub const DEFAULT_BASE_PATH: &str = "/api/auth";

impl<T, U> Default for AuthConfig<T, U> {
    fn default() -> Self {
        AuthConfig {
            strategy: SessionStrategy::Jwt,
            max_age: DEFAULT_MAX_AGE,
            update_age: DEFAULT_UPDATE_AGE,
            providers: Vec::new(),
            sign_in: None,
            jwt: None,
            session: None,
            redirect: None,
            pages: Pages::default(),
            base_path: DEFAULT_BASE_PATH.to_owned(),
            trust_host: None,
            secrets: Vec::new(),
            url: None,
            token_format: crate::jwt::TokenFormat::AuthJs,
            events: Events::default(),
        }
    }
}

impl<T, U> AuthConfig<T, U> {
    /// Uses these secrets instead of `AUTH_SECRET` (and `AUTH_SECRET_1..3`) from the
    /// environment. The first encrypts; every one decrypts (rotation).
    pub fn with_secrets<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.secrets = secrets
            .into_iter()
            .map(|s| ConfigValue::Literal(s.into()))
            .collect();
        self
    }

    /// The site's public URL (like `AUTH_URL`), e.g. `https://app.example.com`.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(ConfigValue::Literal(url.into()));
        self
    }

    /// Trust the request's `Host` (and `X-Forwarded-Host`/`-Proto`) to build URLs
    /// (like `AUTH_TRUST_HOST`). Only behind a proxy you control.
    pub fn with_trust_host(mut self, trust: bool) -> Self {
        self.trust_host = Some(trust);
        self
    }

    /// The session cookie's token format: Auth.js's JWE (the default, shared with a Next.js
    /// front end), or a signed JWS ([`TokenFormat::Hs256`](crate::jwt::TokenFormat::Hs256),
    /// [`TokenFormat::EdDsa`](crate::jwt::TokenFormat::EdDsa)) for services that must verify
    /// the session without decrypting it. A JWS's claims are readable by whoever holds the
    /// cookie. The OAuth check cookies stay encrypted whatever this says.
    pub fn with_token_format(mut self, format: crate::jwt::TokenFormat) -> Self {
        self.token_format = format;
        self
    }

    /// Mounts the flow under another base path than `/api/auth`.
    pub fn with_base_path(mut self, base_path: impl Into<String>) -> Self {
        self.base_path = base_path.into();
        self
    }

    /// The session strategy.
    pub fn strategy(&self) -> SessionStrategy {
        self.strategy
    }

    /// The configured providers, in declaration order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// The session lifetime in seconds.
    pub fn max_age(&self) -> u64 {
        self.max_age
    }

    /// The base path the flow is served under.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Custom page paths.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }
}

/// The declared callbacks, so that a unit test of a configuration can call them (the flow
/// calls them itself).
impl<T, U> AuthConfig<T, U> {
    /// The `sign_in` callback, if declared.
    pub fn sign_in_callback(&self) -> Option<&SignInFn> {
        self.sign_in.as_ref()
    }

    /// The `jwt` callback, if declared.
    pub fn jwt_callback(&self) -> Option<&JwtFn<T>> {
        self.jwt.as_ref()
    }

    /// The `session` callback, if declared (its form follows the strategy).
    pub fn session_callback(&self) -> Option<&SessionCallback<T, U>> {
        self.session.as_ref()
    }

    /// The `redirect` callback, if declared.
    pub fn redirect_callback(&self) -> Option<&RedirectFn> {
        self.redirect.as_ref()
    }
}

/// Builder methods used by the code `auth!` generates. Not a stable API.
#[doc(hidden)]
impl<T, U> AuthConfig<T, U> {
    pub fn __new() -> Self {
        Self::default()
    }
    pub fn __event_sign_in(mut self, f: EventFn<SignInEventArgs>) -> Self {
        self.events.sign_in = Some(f);
        self
    }
    pub fn __event_sign_out(mut self, f: EventFn<SignOutEventArgs>) -> Self {
        self.events.sign_out = Some(f);
        self
    }
    pub fn __event_create_user(mut self, f: EventFn<CreateUserEventArgs>) -> Self {
        self.events.create_user = Some(f);
        self
    }
    pub fn __event_link_account(mut self, f: EventFn<LinkAccountEventArgs>) -> Self {
        self.events.link_account = Some(f);
        self
    }
    pub fn __event_session(mut self, f: EventFn<SessionEventArgs>) -> Self {
        self.events.session = Some(f);
        self
    }
    pub fn __strategy(mut self, strategy: SessionStrategy) -> Self {
        self.strategy = strategy;
        self
    }
    pub fn __max_age(mut self, seconds: u64) -> Self {
        self.max_age = seconds;
        self
    }
    pub fn __update_age(mut self, seconds: u64) -> Self {
        self.update_age = seconds;
        self
    }
    pub fn __provider(mut self, provider: Provider) -> Self {
        self.providers.push(provider);
        self
    }
    pub fn __sign_in(mut self, f: SignInFn) -> Self {
        self.sign_in = Some(f);
        self
    }
    pub fn __jwt(mut self, f: JwtFn<T>) -> Self {
        self.jwt = Some(f);
        self
    }
    pub fn __session(mut self, f: SessionCallback<T, U>) -> Self {
        self.session = Some(f);
        self
    }
    pub fn __redirect(mut self, f: RedirectFn) -> Self {
        self.redirect = Some(f);
        self
    }
    pub fn __pages(mut self, pages: Pages) -> Self {
        self.pages = pages;
        self
    }
    pub fn __base_path(mut self, base_path: &str) -> Self {
        self.base_path = base_path.to_owned();
        self
    }
    pub fn __trust_host(mut self, trust: bool) -> Self {
        self.trust_host = Some(trust);
        self
    }
    pub fn __secret(mut self, secret: ConfigValue) -> Self {
        self.secrets.push(secret);
        self
    }
    pub fn __url(mut self, url: ConfigValue) -> Self {
        self.url = Some(url);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_matches_exactly_and_hides_values() {
        let c = Credentials::new([("username", "ada"), ("password", "correct horse")]);
        assert!(c.matches("password", "correct horse"));
        assert!(!c.matches("password", "correct hors"));
        assert!(!c.matches("password", "correct horse!"));
        assert!(!c.matches("password", ""));
        assert!(!c.matches("otp", ""));
        assert_eq!(format!("{c:?}"), r#"{"password", "username"}"#);
    }

    #[test]
    fn default_session_user_omits_absent_fields_like_authjs() {
        let user = DefaultSessionUser {
            name: Some("Ada".into()),
            ..DefaultSessionUser::default()
        };
        assert_eq!(
            serde_json::to_string(&user).unwrap_or_default(),
            r#"{"name":"Ada"}"#
        );
    }
}
