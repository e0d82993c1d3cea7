//! Auth.js-style authentication for Rust web services.
//!
//! Declare the whole configuration with [`auth!`]; the macro checks it at compile time and
//! emits typed `Token`, `SessionUser` and `Session` types and a `config()` function whose
//! [`AuthConfig`] this crate executes: the Auth.js REST flow under `/api/auth`, cookies,
//! CSRF, JWT sessions compatible with `@auth/core`, and the axum and actix-web integrations.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `axum` | yes | [`Auth::routes`], [`Auth::layer`], the extractors and guards ([`axum`](mod@axum)) |
//! | `actix` | no | actix-web 4: [`Auth::scope`], [`Auth::middleware`], the extractors and guards ([`actix`](mod@actix)) |
//! | `password` | yes | argon2id hashing and enumeration-safe checks for `authorize` ([`password`]) |
//! | `oauth` | yes | OAuth 2.0 / OIDC providers (`GitHub`, `Google`, `Oidc`, `OAuth`): the HTTP client (reqwest on rustls), discovery, JWKS, ID tokens, [`providers::oauth`](mod@providers::oauth), [`providers::refresh`] |
//! | `jws` | yes | the signed session token formats [`jwt::TokenFormat::Hs256`] and [`jwt::TokenFormat::EdDsa`] (`jsonwebtoken`); the default format, Auth.js's JWE, needs no feature |
//! | `sqlite`, `postgres`, `postgres-tls` | no | the database adapters ([`adapter`]) |
//! | `passkey` | no | the `Passkey` provider (WebAuthn ceremonies over `p256`, `ed25519-dalek`, `ciborium`); needs an adapter |
//! | `testing` | no | session cookies and an in-process client for an application's tests |
//!
//! A credentials-only application with the default token format turns `oauth` and `jws`
//! off, and builds without an HTTP client, TLS or the RSA and elliptic-curve crates:
//! `auth-runtime = { version = "0.1", default-features = false, features = ["axum",
//! "password"] }`. An OAuth provider in [`auth!`] is then a compile error naming the
//! feature, and [`Auth::new`] refuses one built by hand ([`ConfigError::OAuthDisabled`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "actix")]
pub mod actix;
pub mod adapter;
mod auth;
#[cfg(feature = "axum")]
pub mod axum;
pub mod clock;
pub mod config;
mod cookies;
mod csrf;
#[cfg(feature = "email")]
pub mod email;
mod error;
mod flow;
#[cfg(any(feature = "axum", feature = "actix"))]
mod integration;
pub mod jwt;
mod limits;
pub mod pages;
#[cfg(feature = "password")]
pub mod password;
pub mod providers;
mod random;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "totp")]
mod totp;
mod url;
mod util;
#[cfg(feature = "passkey")]
mod webauthn;

#[doc(hidden)]
#[path = "__private.rs"]
pub mod __private0_1_0;

/// The shortest secret [`Auth::new`] accepts, in bytes: a shorter one is
/// [`ConfigError::WeakSecret`] at start-up (`openssl rand -base64 33` makes a good one).
pub const MIN_SECRET_BYTES: usize = 32;

pub use auth::{
    Auth, SERVER_PROVIDER, SESSION_ROW_CACHE_CAPACITY, SESSION_VERSION_CACHE_CAPACITY,
    SESSION_VERSION_CLAIM, SessionChange, SessionError, SessionLookup, StoreStatus,
};
/// Declares the whole auth configuration, checked at compile time.
///
/// Use it at item position, typically alone in a module (`src/auth.rs`), because your
/// handlers name the types it generates:
///
/// | item | what it is |
/// | --- | --- |
/// | `pub struct Token` | the session token's claims: `sub`, `name`, `email`, `picture`, `iat`, `exp`, `jti` (all `Option`) and the fields of `token: { .. }` |
/// | `pub struct SessionUser` | `session.user`: `name`, `email`, `image` (`Option<String>`) and the fields of `session_user: { .. }` |
/// | `pub struct User` | only with `user: { .. }`: the signed-in user, `id: String`, `name`, `email`, `image` (`Option<String>`), `email_verified` (`Option<i64>`) and the fields of `user: { .. }`; `User::new(id).with_name(..).with_role(..)` (a `with_<field>` per declared field); `TryFrom` to and from [`User`](crate::User) |
/// | `pub type Session` | [`Session<SessionUser>`](Session), what a handler reads |
/// | `pub type Auth` | [`Auth<Token, SessionUser>`](Auth), the service built from `config()` |
/// | `pub fn config()` | the [`AuthConfig<Token, SessionUser>`](AuthConfig) to pass to [`Auth::new`]; `config(state: AppState)` when `state: AppState` is declared |
///
/// Next to them the expansion holds one private `use` of this crate, `__auth_runtime`,
/// through which the generated code names everything it uses.
///
/// Both structs derive `Clone`, `Debug`, `Default`, `PartialEq`, `Serialize` and
/// `Deserialize` (with `#[serde(default)]`, absent standard claims are not serialized), so
/// a declared field's type must implement all six (`String`, `Option<_>`, numbers,
/// `Vec<_>`, your own `#[derive(..)]` types). A declared field may not reuse a standard name.
///
/// # Syntax
///
/// Every key is optional; values are Rust expressions unless noted.
///
/// - `state: AppState` — a type the application owns (a `sqlx` pool, a client, ..), which
///   must be `Clone + Send + Sync + 'static` (an error otherwise points at the type). The
///   generated function becomes `config(state: AppState)`, so forgetting it does not
///   compile (`Auth::new(auth::config(state))`), and every callback, every event and a
///   credentials provider's `authorize` may bind `state` as a parameter: each call gets a
///   clone. Without this key no handler may name `state`.
/// - `session: { strategy: jwt | database, max_age: <seconds>, update_age: <seconds>,
///   reissue_after: <seconds> }` —
///   jwt (the default) keeps the session in an encrypted cookie, database in an adapter;
///   Auth.js's defaults are 30 days and 24 hours; `max_age` may be 1 s to 400 days (the
///   longest cookie browsers keep), else [`Auth::new`] answers [`ConfigError::InvalidMaxAge`].
///   `reissue_after` (jwt only, below `max_age`; default 0, every read, as Auth.js)
///   re-issues the cookie on a read only once its token is that many seconds old, on an
///   update, or when `jwt` changed the token: fewer `Set-Cookie` headers, an expiry that
///   rolls forward at most every `reissue_after` seconds
///   ([`AuthConfig::with_reissue_after`]).
/// - `token: { name: Type, .. }` and `session_user: { name: Type, .. }` — typed extra
///   fields (doc comments allowed). Without them only the standard fields exist.
///   `#[session]` on a `token` field copies it into `session.user` under its name
///   (`#[session(rename = "other")]` under another), adding the field to `SessionUser`
///   with the same type when `session_user` does not declare it; nothing else leaves the
///   token (access and refresh tokens stay there). When `session_user` declares
///   `id: String` or `id: Option<String>`, it is filled from the token's `sub` (the
///   database strategy: the user's id). Both fills happen before the `session` callback
///   runs, which sees them and may change them. `#[session]` needs the jwt strategy;
///   other attributes (`#[serde(..)]`) go through to the generated field.
/// - `user: { name: Type, .. }` — data the signed-in user carries from `authorize` (and
///   from an OAuth `profile` mapping, through [`Profile::extra`](crate::Profile::extra)) to
///   `jwt`, typed, with no second lookup: `auth!` generates a `User` struct (the table
///   above; its fields follow the same rules as `token`'s, `#[session]` aside), which
///   `authorize` returns (`Some(User::new(id).with_role(Role::Admin))`; name the generated
///   `User`, not `auth_runtime::User`, which that module must not import) and `jwt` receives as `user: Option<User>`. The
///   runtime carries the data untyped in [`User::extra`](crate::User::extra) (converted
///   with serde once at sign-in; a value that does not fit answers `Configuration`, never
///   a panic); `sign_in`, the events and the database strategy's `session` see the
///   runtime's `User` with the data in `extra`. The database adapters do not store it: a
///   sign-in with an adapter carries the provider's data on to `jwt`, but a user read
///   back from the database (the database strategy's `session` callback) has none. For
///   [`Auth::sign_in`], convert: `auth.sign_in(&parts, user.try_into()?)`.
/// - `providers: [ .. ]` — each `Kind { option: value, .. }`. A value is `env("NAME")`
///   (read when [`Auth::new`] starts), a string literal or any `Into<String>` expression:
///
///   | provider | required | optional |
///   | --- | --- | --- |
///   | `Credentials` | `authorize: \|credentials, request, state\| async move { .. }` returning `Option<User>` or `Result<User, CredentialsError>` | `id` (default `"credentials"`), `name`, `fields: { email: { label: .., type: .., placeholder: .., required: .. }, .. }` (the form, typed: see below) |
///   | `GitHub` | `client_id`, `client_secret` | `id` (default `"github"`), `name`, `scope`, `allow_dangerous_email_account_linking: bool` |
///   | `Google` | `client_id`, `client_secret` | `id` (default `"google"`), `name`, `scope`, `allow_dangerous_email_account_linking: bool` |
///   | `MicrosoftEntraId` | `client_id`, `client_secret`, `tenant_id` | `id` (default `"microsoft-entra-id"`), `name`, `scope`, `allowed_tenants: ["..", ..]`, `issuer`, `allow_dangerous_email_account_linking: bool` |
///   | `Apple` | `client_id` | `team_id`, `key_id`, `private_key`, `client_secret`, `id` (default `"apple"`), `name`, `scope`, `issuer`, `allow_dangerous_email_account_linking: bool` |
///   | `GitLab` | `client_id`, `client_secret` | `id` (default `"gitlab"`), `name`, `scope`, `authorization_url`, `token_url`, `userinfo_url`, `allow_dangerous_email_account_linking: bool` |
///   | `Discord` | `client_id`, `client_secret` | `id` (default `"discord"`), `name`, `scope`, `authorization_url`, `token_url`, `userinfo_url`, `allow_dangerous_email_account_linking: bool` |
///   | `Keycloak` | `issuer`, `client_id`, `client_secret` | `id` (default `"keycloak"`), `name`, `scope`, `allow_dangerous_email_account_linking: bool` |
///   | `Okta` | `issuer`, `client_id`, `client_secret` | `id` (default `"okta"`), `name`, `scope`, `allow_dangerous_email_account_linking: bool` |
///   | `Auth0` | `issuer`, `client_id`, `client_secret` | `id` (default `"auth0"`), `name`, `scope`, `allow_dangerous_email_account_linking: bool` |
///   | `Facebook` | `client_id`, `client_secret` | `id` (default `"facebook"`), `name`, `scope`, `authorization_url`, `token_url`, `userinfo_url`, `allow_dangerous_email_account_linking: bool` |
///   | `Twitter` | `client_id`, `client_secret` | `id` (default `"twitter"`), `name`, `scope`, `authorization_url`, `token_url`, `userinfo_url`, `allow_dangerous_email_account_linking: bool` |
///   | `Slack` | `client_id`, `client_secret` | `id` (default `"slack"`), `name`, `scope`, `issuer`, `allow_dangerous_email_account_linking: bool` |
///   | `LinkedIn` | `client_id`, `client_secret` | `id` (default `"linkedin"`), `name`, `scope`, `issuer`, `allow_dangerous_email_account_linking: bool` |
///   | `Twitch` | `client_id`, `client_secret` | `id` (default `"twitch"`), `name`, `scope`, `issuer`, `allow_dangerous_email_account_linking: bool` |
///   | `Oidc` | `id`, `issuer`, `client_id`, `client_secret` | `name`, `scope`, `client_auth`, `allow_dangerous_email_account_linking: bool` |
///   | `OAuth` | `id`, `authorization_url`, `token_url`, `userinfo_url`, `client_id`, `client_secret` | `name`, `scope`, `profile: fn(&serde_json::Value) -> Option<Profile>`, `client_auth`, `allow_dangerous_email_account_linking: bool` |
///   | `Passkey` |  | `rp_name`, `rp_id`, `id` (default `"passkey"`), `name` |
///   | `Email` | `server` | `from`, `id` (default `"email"`), `name`, `max_age` (seconds), `send_verification_request: \|request, state\| async move { .. }` (replaces the mail) |
///
///   `id` is a string literal (it appears in URLs such as `/api/auth/signin/<id>`; two
///   providers may not share one). A closure `authorize` binds its parameters by name, in
///   any order, a subset: `credentials: Credentials`, `request: RequestInfo` and `state`
///   (a closure of one parameter with another name, `|c| ..`, receives the credentials);
///   any other expression is a function called with the credentials (which carry the
///   request: [`Credentials::request`]). `None`, or
///   `Err(`[`CredentialsError`]`::new("code"))`, refuses the sign-in with Auth.js 5's
///   `?error=CredentialsSignin&code=<code>` (in the redirect and in the JSON answer); a
///   code outside `[A-Za-z0-9_-]{1,64}` is sent as `credentials`. The message
///   (`.with_message(..)`) never goes into the URL: the built-in sign-in page shows it
///   (escaped, once) from a short-lived encrypted cookie set on the redirect, only when the
///   URL's `code` is the cookie's; a custom `pages.sign_in` does not receive it. `client_auth` is `client_secret_basic` (default) or
///   `client_secret_post`.
///   `Passkey` (feature `passkey`, and an adapter: [`Auth::with_adapter`]) lets a signed-in
///   user register passkeys and a signed-out one sign in with one; `rp_id` is the site's
///   host (the default) or a parent domain of it, `rp_name` the name authenticators show
///   (the host by default). The ceremonies are served at `webauthn-options/<id>` and
///   `callback/<id>`; [`Auth::passkeys`] and [`Auth::remove_passkey`] list and remove them.
///
///   `Email` (feature `email`) mails one-time sign-in links through the SMTP `server`
///   (`smtps://user:pass@host:465`, `smtp://user:pass@host:587?tls=required`) from `from`,
///   valid `max_age` seconds (24 hours by default); it needs an adapter
///   ([`Auth::with_adapter`]), else [`Auth::new`] refuses to start
///   ([`ConfigError::EmailNeedsAdapter`]). `send_verification_request` binds `request` (a
///   [`config::VerificationRequest`]) and `state` by name and returns `()` or
///   `Result<(), E>`; it replaces the mail.
///
///   `fields: { .. }` declares a credentials provider's form instead of the default
///   username/password one (where `authorize` reads `credentials.get("username")`). Each
///   field is `name: { label: "..", type: "..", placeholder: "..", required: bool }`, every
///   option optional: the label defaults to the name (`one_time_code` → "One time code"),
///   `type` to `"text"` (one of `text`, `password`, `email`, `tel`, `number`, `url`,
///   `search`, quoted or bare), no placeholder, `required: true`. The built-in sign-in page
///   shows these fields (escaped), and `auth!` generates a struct named from the provider's
///   id in PascalCase with `Form` appended (`"credentials"` → `CredentialsForm`,
///   `"one-time-code"` → `OneTimeCodeForm`) that `authorize` receives as `credentials`: a
///   required field is a `String`, an optional one an `Option<String>` (`None` when empty),
///   so a misspelt field is rustc's "no field" error with its suggestion. A required field
///   missing or empty refuses the sign-in (`CredentialsSignin`) before `authorize` runs. The
///   struct's `FIELDS` lists the names, as does the provider's
///   [`CredentialsProvider::fields`](config::CredentialsProvider::fields) at run time.
///   A function `authorize` then takes the form (`async fn check(form: PasswordForm)`).
///
///   ```ignore
///   Credentials {
///       id: "password",
///       fields: {
///           email: { label: "E-mail", type: "email", placeholder: "you@example.com" },
///           password: { type: "password" },
///           team: { required: false },
///       },
///       authorize: |credentials| async move {
///           // credentials: PasswordForm { email: String, password: String, team: Option<String> }
///           check(&credentials.email, &credentials.password).await
///       },
///   },
///   ```
/// - `callbacks: { .. }` — `[async] name(param, ..) { body }`, separated by optional commas.
///   Parameters are bound by name, in any order, from the set each callback receives (and
///   `state`, when declared); the body always runs in an `async move` block (so `.await` works with or without `async`):
///
///   | callback | parameters | returns |
///   | --- | --- | --- |
///   | `sign_in` | `user: User`, `account: Account`, `profile: Option<Profile>`, `credentials: Option<Credentials>`, `request: RequestInfo`, `amr: Vec<String>` (`["pwd", "otp"]` after a second factor) | `bool`, a redirect URL, or [`SignInDecision`] |
///   | `jwt` | `mut token: Token`, `user`, `account`, `profile` (`Option`, set on sign-in only), `trigger: Option<Trigger>`, `is_new_user: bool`, `session: Option<serde_json::Value>` (set on update only) | `Token`, or `Option<Token>` (`None` signs out) |
///   | `session` | `mut session: Session`, and `token: Token` (jwt strategy) or `user: User` (database strategy) | `Session` |
///   | `redirect` | `url: String`, `base_url: String` | `String` or `&'static str` |
///
///   An omitted callback keeps Auth.js's behaviour (`redirect`: relative URLs and the same
///   origin only).
/// - `events: { .. }` — the same form as callbacks; the runtime spawns each one after the
///   response's work is done (fire and forget). A body returns `()` or `Result<(), E>`
///   (an `Err` is logged):
///
///   | event | parameters |
///   | --- | --- |
///   | `sign_in` | `user: User`, `account: Account`, `profile: Option<Profile>`, `is_new_user: bool` |
///   | `sign_out` | `user_id: Option<String>` |
///   | `create_user` | `user: User` (adapter only) |
///   | `link_account` | `user: User`, `account: Account` (adapter only) |
///   | `session` | `session: serde_json::Value`, `user_id: Option<String>` |
///   | `sign_in_failed` | `provider: String`, `identifier: Option<String>`, `ip: Option<IpAddr>`, `code: String` (`authorize` refused; no password) |
///   | `locked_out` | `provider: String`, `identifier: Option<String>`, `ip: Option<IpAddr>`, `limit: LimitKind`, `retry_after: Duration` (a rate limit refused) |
/// - `pages: { sign_in: "/login", sign_out: "..", error: "..", verify_request: ".." }` — custom pages.
/// - `base_path: "/api/auth"` and `trust_host: bool`.
/// - `trust_proxy: bool` — read the client's address ([`RequestInfo::client_ip`]) from a
///   reverse proxy's `X-Forwarded-For` (else `Forwarded: for=`), its last hop only (the one
///   the proxy in front of the application wrote; earlier ones can be forged). Off by
///   default: the address is then the connection's peer ([`ClientAddr`], or axum's
///   `ConnectInfo`). Turn it on only when every request comes through that proxy.
/// - `limits: { sign_in: { per_ip: 20 / 60s, per_identifier: 5 / 15min, identifier: "email", max_keys: 50000 } }`
///   — rate limits on every sign-in POST (credentials and OAuth), counted before `authorize`
///   runs, so a correct password inside a lockout is refused too. A rate is
///   `<count> / <period>` with a unit (`s`, `min`, `h`, `d`): a burst of `count`, then one
///   more every `period / count` (GCRA). Without the section the defaults apply (20 per
///   minute per client address, 5 per 15 minutes per identifier); each key left out keeps
///   its default. `per_ip: off` / `per_identifier: off` turn one off, `sign_in: off` (or
///   `limits: off`) both. `identifier` names the credentials field counted per identifier
///   (default: the provider's first field that is not a password, `username`); a
///   successful sign-in clears its count. Over a limit: `429` with `Retry-After` for JSON
///   callers, else the sign-in page with `error=TooManyAttempts`; `locked_out` fires. With
///   an SQL adapter the counts live in its database (shared by every server); otherwise in
///   memory, at most `max_keys` keys per limit. See [`config::SignInLimits`].
/// - `second_factor: { totp: { issuer: "My App", digits: 6, period: 30 } }` — after a
///   credentials provider's `authorize` accepts a user who enrolled TOTP (RFC 6238), a
///   verify step asks for a code (or a one-time recovery code) before any session exists;
///   `sign_in`, then `jwt`, see `amr: ["pwd", "otp"]` (the token's `amr` claim). Users enrol at
///   `{base_path}/totp/enroll`; [`Auth::require_second_factor`] guards routes. Needs the
///   `totp` feature and an adapter; `digits` is 6 to 8 (default 6), `period` 15 to 300
///   seconds (default 30); `issuer` is a string literal.
///
/// # Compile-time rules
///
/// Each error points at the offending tokens and says what to write instead; one
/// compile reports every error of the invocation.
///
/// 1. In `jwt`, `user`, `account` and `profile` exist only on sign-in, and `session` only on
///    an update: read them through `if let Some(x) = user { .. }`,
///    `match user { Some(x) => .., .. }` or `let Some(x) = user else { .. };` (the scrutinee
///    may also be `&user`, `user.as_ref()` or a tuple of these). Any other mention is an
///    error, also inside a closure, a macro call (`format!("{user:?}")`) or an `else`
///    branch; `token.user`, `user_id` and a name rebound by `let user = ..` are fine.
/// 2. `sign_in` has no `token` (it runs before one exists): copy data in `jwt`.
/// 3. `session` takes `token` under the jwt strategy and `user` under the database one.
/// 4. Unknown keys, callbacks, events, parameters, providers and options are errors with a
///    "did you mean"; so are duplicates and missing required options.
/// 5. A callback returning the wrong type is reported on the returned expression.
/// 6. `state` may be bound only when `state: AppState` is declared; a state type that is
///    not `Clone + Send + Sync + 'static` is reported on that type.
/// 7. `#[session]` options are read strictly (an unknown one, or a misspelt `#[session]`,
///    gets a "did you mean"), on `token` fields only.
/// 8. `request` may be bound only by `authorize` and the `sign_in` callback (the request
///    that signs the user in); elsewhere it is an error saying so.
///
/// # Example
///
/// ```
/// mod auth {
///     use auth_runtime::{Credentials, User};
///
///     async fn check_password(credentials: Credentials) -> Option<User> {
///         let ok = credentials.get("password") == Some("correct horse");
///         ok.then(|| User::new("42").with_email("ada@example.com"))
///     }
///
///     auth_runtime::auth! {
///         session: { strategy: jwt, max_age: 30 * 24 * 3600 },
///         token: { id: String, role: Option<String> },
///         session_user: { id: String, role: Option<String> },
///         providers: [
///             Credentials { authorize: |credentials| async move { check_password(credentials).await } },
///             GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
///             Oidc {
///                 id: "corp",
///                 issuer: "https://sso.example.com",
///                 client_id: env("CORP_ID"),
///                 client_secret: env("CORP_SECRET"),
///             },
///         ],
///         callbacks: {
///             sign_in(user) { user.email.as_deref().is_some_and(|e| e.ends_with("@example.com")) },
///             jwt(token, user) {
///                 if let Some(user) = user {
///                     token.id = user.id.clone();
///                 }
///                 token
///             },
///             session(session, token) {
///                 session.user.id = token.id.clone();
///                 session.user.role = token.role.clone();
///                 session
///             },
///         },
///     }
/// }
///
/// // A handler reads typed fields: no casts, no string keys.
/// fn greet(session: &auth::Session) -> String {
///     format!("hello {}", session.user.id)
/// }
///
/// let config = auth::config();
/// assert_eq!(config.providers().len(), 3);
/// let mut session = auth::Session::default();
/// session.user.id = "42".to_owned();
/// assert_eq!(greet(&session), "hello 42");
/// ```
///
/// Reading `user` outside a guard does not compile:
///
/// ```compile_fail
/// auth_runtime::auth! {
///     token: { id: String },
///     callbacks: {
///         jwt(token, user) {
///             token.id = user.unwrap().id; // error: `user` is only set when the user signs in
///             token
///         },
///     },
/// }
/// # fn main() {}
/// ```
///
/// The generated code names this crate through the path it was invoked with, so it also
/// works when the dependency is renamed (`auth = { package = "auth-runtime", .. }`, then
/// `auth::auth! { .. }`).
#[macro_export]
macro_rules! auth {
    ($($config:tt)*) => {
        $crate::__private0_1_0::auth! { [$crate] $($config)* }
    };
}
pub use config::{
    Account, AccountType, AuthConfig, ConfigValue, Credentials, CredentialsError,
    DefaultSessionUser, JwtCallbackReturn, Profile, Provider, RedirectCallbackReturn, RequestInfo,
    Session, SessionCallbackReturn, SessionStrategy, SignInCallbackReturn, SignInDecision, Trigger,
    User, env,
};
pub use error::ConfigError;
pub use flow::ClientAddr;
