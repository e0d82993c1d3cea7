//! [`AuthConfig`], the whole configuration, with its defaults and builders.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{
    ConfigValue, CreateUserEventArgs, EventFn, Events, JwtFn, LinkAccountEventArgs, Provider,
    RedirectFn, SessionCallback, SessionEventArgs, SignInEventArgs, SignInFn, SignOutEventArgs,
    User,
};

/// Whether a user's [`User::extra`] fits the `User` type of `auth! { user: { .. } }`
/// (checked before `jwt` sees it); the error says why not.
pub(crate) type UserCheck = Arc<dyn Fn(&User) -> Result<(), String> + Send + Sync>;

/// Where the session lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SessionStrategy {
    /// The session is an encrypted JWT in a cookie; no database lookup per request (default).
    #[default]
    Jwt,
    /// The cookie holds a session id; the session lives in a database adapter.
    Database,
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
    /// The page shown after an e-mail sign-in link was sent (Auth.js's `verifyRequest`);
    /// it receives `?provider={id}&type=email`.
    pub verify_request: Option<String>,
}

/// The whole configuration: what `auth!` emits as `config()`.
pub struct AuthConfig<T, U> {
    pub(crate) strategy: SessionStrategy,
    pub(crate) max_age: u64,
    pub(crate) update_age: u64,
    /// `session: { reissue_after }`: how old (seconds) a JWT session's token gets before a
    /// read writes the cookie again; 0 writes it on every read (Auth.js).
    pub(crate) reissue_after: u64,
    pub(crate) providers: Vec<Provider>,
    pub(crate) sign_in: Option<SignInFn>,
    pub(crate) jwt: Option<JwtFn<T>>,
    pub(crate) session: Option<SessionCallback<T, U>>,
    pub(crate) redirect: Option<RedirectFn>,
    pub(crate) pages: Pages,
    pub(crate) base_path: String,
    pub(crate) trust_host: Option<bool>,
    pub(crate) trust_proxy: bool,
    pub(crate) secrets: Vec<ConfigValue>,
    pub(crate) url: Option<ConfigValue>,
    pub(crate) token_format: crate::jwt::TokenFormat,
    pub(crate) events: Events,
    /// Where `AUTH_*` and `env(..)` are read at start-up (`with_env`).
    pub(crate) env: super::value::Environment,
    pub(crate) session_check_interval: Option<Duration>,
    /// How long a database-strategy session row read is trusted (`None`: not cached).
    pub(crate) session_cache_interval: Option<Duration>,
    pub(crate) user_check: Option<UserCheck>,
    pub(crate) sign_in_limits: super::SignInLimits,
    pub(crate) second_factor: Option<super::SecondFactor>,
}

impl<T, U> Clone for AuthConfig<T, U> {
    fn clone(&self) -> Self {
        AuthConfig {
            strategy: self.strategy,
            max_age: self.max_age,
            update_age: self.update_age,
            reissue_after: self.reissue_after,
            providers: self.providers.clone(),
            sign_in: self.sign_in.clone(),
            jwt: self.jwt.clone(),
            session: self.session.clone(),
            redirect: self.redirect.clone(),
            pages: self.pages.clone(),
            base_path: self.base_path.clone(),
            trust_host: self.trust_host,
            trust_proxy: self.trust_proxy,
            secrets: self.secrets.clone(),
            url: self.url.clone(),
            token_format: self.token_format.clone(),
            events: self.events.clone(),
            env: self.env.clone(),
            session_check_interval: self.session_check_interval,
            session_cache_interval: self.session_cache_interval,
            user_check: self.user_check.clone(),
            sign_in_limits: self.sign_in_limits.clone(),
            second_factor: self.second_factor.clone(),
        }
    }
}

impl<T, U> fmt::Debug for AuthConfig<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("strategy", &self.strategy)
            .field("max_age", &self.max_age)
            .field("update_age", &self.update_age)
            .field("reissue_after", &self.reissue_after)
            .field("providers", &self.providers)
            .field("sign_in", &self.sign_in.is_some())
            .field("jwt", &self.jwt.is_some())
            .field("session", &self.session.is_some())
            .field("redirect", &self.redirect.is_some())
            .field("pages", &self.pages)
            .field("base_path", &self.base_path)
            .field("trust_host", &self.trust_host)
            .field("trust_proxy", &self.trust_proxy)
            .field("events", &self.events)
            .field("env", &self.env)
            .field("session_check_interval", &self.session_check_interval)
            .field("session_cache_interval", &self.session_cache_interval)
            .field("sign_in_limits", &self.sign_in_limits)
            .field("second_factor", &self.second_factor)
            .finish_non_exhaustive()
    }
}

/// 30 days, Auth.js's default session lifetime.
pub const DEFAULT_MAX_AGE: u64 = 30 * 24 * 60 * 60;
/// 24 hours, Auth.js's default `updateAge`.
pub const DEFAULT_UPDATE_AGE: u64 = 24 * 60 * 60;
/// `/api/auth`, Auth.js's default base path.
pub const DEFAULT_BASE_PATH: &str = "/api/auth";
/// 30 seconds: how long an app server trusts the session version it last read for a user
/// (revocable JWT sessions, see [`AuthConfig::with_session_check_interval`]).
pub const DEFAULT_SESSION_CHECK_INTERVAL: Duration = Duration::from_secs(30);

impl<T, U> Default for AuthConfig<T, U> {
    fn default() -> Self {
        AuthConfig {
            strategy: SessionStrategy::Jwt,
            max_age: DEFAULT_MAX_AGE,
            update_age: DEFAULT_UPDATE_AGE,
            reissue_after: 0,
            providers: Vec::new(),
            sign_in: None,
            jwt: None,
            session: None,
            redirect: None,
            pages: Pages::default(),
            base_path: DEFAULT_BASE_PATH.to_owned(),
            trust_host: None,
            trust_proxy: false,
            secrets: Vec::new(),
            url: None,
            token_format: crate::jwt::TokenFormat::AuthJs,
            events: Events::default(),
            env: super::value::Environment::default(),
            session_check_interval: Some(DEFAULT_SESSION_CHECK_INTERVAL),
            session_cache_interval: None,
            user_check: None,
            sign_in_limits: super::SignInLimits::default(),
            second_factor: None,
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

    /// Reads the environment from `vars` instead of the process: `AUTH_SECRET`,
    /// `AUTH_SECRET_1..3`, `AUTH_URL`, `AUTH_TRUST_HOST` and every `env("..")` value of the
    /// configuration (OAuth client ids and secrets, issuers, URLs) come from here, all read
    /// once by [`Auth::new`](crate::Auth::new). A variable absent from `vars` (or empty) is
    /// unset, whatever the process has. Values written in the configuration
    /// ([`with_secrets`](Self::with_secrets), [`with_url`](Self::with_url), ..) still win.
    ///
    /// For tests that need several environments in one process (`std::env::set_var` would
    /// race with the other tests), or variables that come from elsewhere (a secret store):
    ///
    /// ```
    /// # use auth_runtime::AuthConfig;
    /// # fn config() -> AuthConfig<(), ()> { AuthConfig::default() }
    /// let config = config().with_env([
    ///     ("AUTH_SECRET", "a-secret-of-at-least-32-bytes-0123456789"),
    ///     ("AUTH_URL", "https://app.example.com"),
    /// ]);
    /// ```
    pub fn with_env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.env = super::value::Environment::Vars(std::sync::Arc::new(vars));
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

    /// Read the client's address from a reverse proxy's `X-Forwarded-For` (else
    /// `Forwarded: for=`) header instead of the connection's peer (`trust_proxy: true` in
    /// `auth!`; off by default). Only the last hop is used, the one the proxy in front of
    /// the application appended; earlier hops can be forged by the client. Turn it on only
    /// when every request comes through that proxy: without one, a client can write any
    /// address into these headers. See [`ClientAddr`](crate::ClientAddr).
    pub fn with_trust_proxy(mut self, trust: bool) -> Self {
        self.trust_proxy = trust;
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

    /// How long an app server may answer JWT session reads from the session version it last
    /// read for a user ([`DEFAULT_SESSION_CHECK_INTERVAL`], 30 s, by default). Applies with an
    /// adapter under the jwt strategy only.
    ///
    /// With an adapter, every JWT session carries the user's session version (the claim
    /// [`SESSION_VERSION_CLAIM`](crate::SESSION_VERSION_CLAIM)), and a read compares it with
    /// the version in the database, so [`Auth::sign_out_everywhere`](crate::Auth::sign_out_everywhere)
    /// ends every JWT session of the user. Each server caches the version per user (at most
    /// [`SESSION_VERSION_CACHE_CAPACITY`](crate::SESSION_VERSION_CACHE_CAPACITY) users): a
    /// read costs at most one database round trip per user and `interval`, and a revocation
    /// made on another server is seen within `interval` (on the server that revoked, at
    /// once). `Duration::ZERO` checks the database on every read.
    pub fn with_session_check_interval(mut self, interval: Duration) -> Self {
        self.session_check_interval = Some(interval);
        self
    }

    /// Turns the session version check off: with an adapter, JWT sessions are neither
    /// stamped nor checked, so they cannot be revoked before they expire (the behaviour
    /// without an adapter, and Auth.js's).
    pub fn without_session_check(mut self) -> Self {
        self.session_check_interval = None;
        self
    }

    /// Lets an app server answer database-strategy session reads from the session row (and
    /// its user) it read for that cookie less than `interval` ago. Off by default: every
    /// read queries the database, as in Auth.js. Applies under the database strategy only.
    ///
    /// Without the cache every read is one database query (a round trip to PostgreSQL, a
    /// trip to SQLite's worker thread), several times the cost of a JWT read (BENCHMARKS.md
    /// has the figures). With it, a session is read from the database at most once per
    /// `interval` on each server (at
    /// most [`SESSION_ROW_CACHE_CAPACITY`](crate::SESSION_ROW_CACHE_CAPACITY) sessions are
    /// kept, the oldest dropped first). What the staleness means:
    ///
    /// - a sign-out, [`Auth::revoke_session`](crate::Auth::revoke_session) or
    ///   [`Auth::sign_out_everywhere`](crate::Auth::sign_out_everywhere) made through this
    ///   `Auth` ends the session on this server at once;
    /// - a session deleted by another server (its sign-out, a revocation) or directly in the
    ///   database still reads as signed in here for at most `interval` after this server
    ///   last read it; a user's profile changed elsewhere shows within `interval` too;
    /// - the expiry is still checked on every read against this server's clock, and the
    ///   `update_age` extension is written to the database when due, as without the cache;
    /// - a database that stops answering is noticed (`503`) only once a session's cached
    ///   row is older than `interval`.
    ///
    /// A few seconds (say `Duration::from_secs(5)`) keep the bound short while a page's
    /// burst of requests reads the database once. `Duration::ZERO` (or
    /// [`AuthConfig::without_session_cache`], the default) reads the database on every
    /// request.
    pub fn with_session_cache_interval(mut self, interval: Duration) -> Self {
        self.session_cache_interval = Some(interval);
        self
    }

    /// Turns the database strategy's session row cache off (the default): every session
    /// read queries the database (Auth.js's behaviour), so a revocation anywhere is seen on
    /// the next read.
    pub fn without_session_cache(mut self) -> Self {
        self.session_cache_interval = None;
        self
    }

    /// Re-issues a JWT session's cookie on a read only once its token is `seconds` old
    /// (`session: { reissue_after: .. }` in `auth!`). Applies under the jwt strategy only;
    /// `0`, the default, re-issues it on every read, as Auth.js does.
    ///
    /// By default every read of the session (`GET /api/auth/session`, [`Auth::session`],
    /// a handler behind the axum layer that reads it) re-encrypts the token and sends a
    /// fresh `Set-Cookie`: a rolling expiry, `max_age` after the last request. With
    /// `seconds > 0`, a read re-encodes the token and sets the cookie only when
    ///
    /// - the token was issued (`iat`) `seconds` ago or more, or carries no `iat`;
    /// - the read is an update (`POST /api/auth/session`, the `jwt` callback's trigger
    ///   `update`);
    /// - the `jwt` callback returned a token other than the one it was given.
    ///
    /// Otherwise the response has no `Set-Cookie`, and the session's `expires` is the
    /// token's own `exp`. What this trades: fewer `Set-Cookie` headers and less CPU per read
    /// (no encryption), for an expiry that rolls forward at most every `seconds`: a session
    /// never ends earlier than `max_age - seconds` after the last request (exactly
    /// `max_age` after it with the default).
    ///
    /// `seconds` must be below `max_age`, and the strategy jwt (the database strategy
    /// extends its sessions by `update_age`): [`Auth::new`](crate::Auth::new) refuses
    /// anything else ([`ConfigError::InvalidReissueAfter`](crate::ConfigError::InvalidReissueAfter),
    /// [`ConfigError::ReissueAfterWithDatabase`](crate::ConfigError::ReissueAfterWithDatabase)).
    ///
    /// [`Auth::session`]: crate::Auth::session
    pub fn with_reissue_after(mut self, seconds: u64) -> Self {
        self.reissue_after = seconds;
        self
    }

    /// Mounts the flow under another base path than `/api/auth`.
    pub fn with_base_path(mut self, base_path: impl Into<String>) -> Self {
        self.base_path = base_path.into();
        self
    }

    /// The sign-in rate limits (`limits: { sign_in: { .. } }` in `auth!`;
    /// [`SignInLimits::default`](super::SignInLimits::default) when not declared,
    /// [`SignInLimits::off`](super::SignInLimits::off) turns them off).
    pub fn with_sign_in_limits(mut self, limits: super::SignInLimits) -> Self {
        self.sign_in_limits = limits;
        self
    }

    /// The sign-in rate limits.
    pub fn sign_in_limits(&self) -> &super::SignInLimits {
        &self.sign_in_limits
    }

    /// Asks a second factor after a credentials sign-in of a user who enrolled one
    /// (`second_factor: { totp: { .. } }` in `auth!`; feature `totp`, and an adapter to
    /// store the enrolments).
    pub fn with_second_factor(mut self, second_factor: super::SecondFactor) -> Self {
        self.second_factor = Some(second_factor);
        self
    }

    /// The second factor, if any.
    pub fn second_factor(&self) -> Option<&super::SecondFactor> {
        self.second_factor.as_ref()
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

    /// How old (seconds) a JWT session's token gets before a read re-issues the cookie
    /// ([`with_reissue_after`](Self::with_reissue_after); 0: on every read).
    pub fn reissue_after(&self) -> u64 {
        self.reissue_after
    }

    /// Whether the client address is read from a trusted proxy's headers
    /// ([`with_trust_proxy`](Self::with_trust_proxy)).
    pub fn trust_proxy(&self) -> bool {
        self.trust_proxy
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
    pub fn __event_sign_in_failed(mut self, f: EventFn<super::SignInFailedEventArgs>) -> Self {
        self.events.sign_in_failed = Some(f);
        self
    }
    pub fn __event_locked_out(mut self, f: EventFn<super::LockedOutEventArgs>) -> Self {
        self.events.locked_out = Some(f);
        self
    }
    pub fn __event_session(mut self, f: EventFn<SessionEventArgs>) -> Self {
        self.events.session = Some(f);
        self
    }
    pub fn __second_factor(mut self, second_factor: super::SecondFactor) -> Self {
        self.second_factor = Some(second_factor);
        self
    }
    pub fn __sign_in_limits(mut self, limits: super::SignInLimits) -> Self {
        self.sign_in_limits = limits;
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
    pub fn __reissue_after(mut self, seconds: u64) -> Self {
        self.reissue_after = seconds;
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
    pub fn __trust_proxy(mut self, trust: bool) -> Self {
        self.trust_proxy = trust;
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
    pub fn __user_check(
        mut self,
        check: impl Fn(&User) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.user_check = Some(Arc::new(check));
        self
    }
}
