//! The public façade: [`Auth`] validates an [`AuthConfig`] and delegates every request to
//! the flow (`crate::flow`), which owns the state; the admin helpers reach the adapter.

use std::sync::Arc;

use bytes::Bytes;

use crate::ConfigError;
use crate::adapter::{Adapter, AdapterError, AdapterSession, SessionKey};
use crate::config::{AuthConfig, Session, SessionUserData, TokenData, User};
use crate::flow::Inner;

pub use crate::flow::{
    SERVER_PROVIDER, SESSION_ROW_CACHE_CAPACITY, SESSION_VERSION_CACHE_CAPACITY,
    SESSION_VERSION_CLAIM, SessionChange, SessionError, StoreStatus,
};

/// The running auth service. Cheap to clone (an `Arc` inside).
///
/// [`Auth::handle`] serves Auth.js's REST flow under the base path (default `/api/auth`):
///
/// | request | answer |
/// | --- | --- |
/// | `GET /csrf` | `{"csrfToken": ..}`, sets the CSRF cookie when missing |
/// | `GET /providers` | `{"<id>": {id, name, type, signinUrl, callbackUrl}}` |
/// | `GET /session` | the session JSON (after `jwt` and `session`) or `null`; re-issues the cookie |
/// | `POST /session` | CSRF; `{csrfToken, data}`; `jwt` runs with `trigger: Update` |
/// | `GET /signin` | the sign-in page, or a redirect to `pages.sign_in` |
/// | `POST /signin/:provider` | CSRF; OAuth: redirect to the provider (state/PKCE/nonce cookies) |
/// | `POST /callback/credentials` | CSRF; form or JSON; `authorize`, then the sign-in |
/// | `GET /callback/:provider` | OAuth/OIDC return (`POST` for `form_post`) |
/// | `GET /signout`, `POST /signout` | the confirmation page; CSRF, clears the session |
/// | `GET /error?error=..` | the error page (403 `AccessDenied`/`Verification`, 500 `Configuration`) |
///
/// Failures redirect as Auth.js does (`/signin?error=CredentialsSignin&code=credentials`,
/// `/signin?error=MissingCSRF`, `/error?error=AccessDenied`, `/signin?error=OAuthCallbackError`);
/// `X-Auth-Return-Redirect` turns any redirect into `200 {"url": ..}`. Methods other than
/// GET and POST get `400`, an unknown action `400`, a known action with the wrong method
/// `405` with `Allow` (Auth.js redirects to `?error=Configuration` there), a path outside
/// the base path `404`, a body over 64 KiB `413`.
///
/// Where this deliberately differs from Auth.js: besides the `405` above, a callback URL
/// that cannot be parsed (or carries CR/LF) falls back to the base URL instead of failing the
/// sign-in with `Configuration`; an OAuth provider that cannot be reached when the sign-in
/// starts gives `/signin?error=OAuthSignin` rather than a `Configuration` page; a callback
/// that panics ends its request with `500 Configuration`; and a missing site URL (no
/// `AUTH_URL`, no `trust_host`) is a [`ConfigError`] at start-up rather than an error on
/// every request.
pub struct Auth<T, U> {
    inner: Arc<Inner<T, U>>,
}

impl<T, U> Clone for Auth<T, U> {
    fn clone(&self) -> Self {
        Auth {
            inner: self.inner.clone(),
        }
    }
}

impl<T, U> std::fmt::Debug for Auth<T, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("config", &self.inner.config)
            .field("host", &self.inner.host)
            .finish_non_exhaustive()
    }
}

/// The result of reading the session of a request (what `auth()` gives in Auth.js).
pub struct SessionLookup<T, U> {
    /// The session, after the `jwt` and `session` callbacks; `None` when signed out.
    pub session: Option<Session<U>>,
    /// The decoded token after the `jwt` callback (jwt strategy).
    pub token: Option<T>,
    /// `Set-Cookie` values the response must carry (rolling refresh, or clearing a bad cookie).
    pub set_cookies: Vec<http::HeaderValue>,
    /// How the session was authenticated (RFC 8176 method names): `["pwd", "otp"]` after a
    /// credentials sign-in with its second factor, empty when nothing was recorded.
    pub amr: Vec<String>,
    /// Whether the session store answered: under the database strategy with the database
    /// down, [`StoreStatus::Unavailable`] (`session` is `None`, but the request is not
    /// signed out: answer 503).
    pub store: StoreStatus,
}

/// The token (which may hold provider access tokens) and the `Set-Cookie` values (the
/// session token) are secrets: only their presence and number are shown.
impl<T, U: std::fmt::Debug> std::fmt::Debug for SessionLookup<T, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLookup")
            .field("session", &self.session)
            .field("token", &self.token.as_ref().map(|_| ".."))
            .field(
                "set_cookies",
                &format_args!("<{} values>", self.set_cookies.len()),
            )
            .field("store", &self.store)
            .field("amr", &self.amr)
            .finish()
    }
}

impl<T, U> SessionLookup<T, U> {
    /// `true` when the session store could not be read ([`StoreStatus::Unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        self.store == StoreStatus::Unavailable
    }
}

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// Validates the configuration and resolves secrets and `env(..)` values.
    ///
    /// Secrets: the configured ones, else `AUTH_SECRET_3`, `AUTH_SECRET_2`, `AUTH_SECRET_1`,
    /// `AUTH_SECRET` in that order (Auth.js's order: the first encodes, any decodes).
    /// Each must be at least [`MIN_SECRET_BYTES`](crate::MIN_SECRET_BYTES) (32) bytes long
    /// ([`ConfigError::WeakSecret`] otherwise; the examples' development path generates
    /// 64 random hex characters when `AUTH_SECRET` is unset).
    /// Site URL: the configured `url`, else `AUTH_URL`; without one, `trust_host` (or
    /// `AUTH_TRUST_HOST=true`) must be set.
    /// Every variable (these and the providers' `env(..)`) is read here, once, from the
    /// process environment or from [`AuthConfig::with_env`].
    ///
    /// A `strategy: database` configuration needs an adapter: use [`Auth::with_adapter`]
    /// (`new` answers [`ConfigError::MissingAdapter`]).
    pub fn new(config: AuthConfig<T, U>) -> Result<Self, ConfigError> {
        Self::build(config, None)
    }

    /// Like [`Auth::new`], with the [`Adapter`] where users, accounts and (under
    /// `strategy: database`) sessions live.
    ///
    /// - `strategy: database`: the session cookie holds only a session id; the session
    ///   is a row of the adapter (listed and revoked with [`Auth::user_sessions`] and
    ///   [`Auth::sign_out_everywhere`]). Credentials and OAuth sign-ins find or create
    ///   the user in the database; `jwt` never runs; `session(session, user)` receives
    ///   the stored user. When the database is unreachable the flow answers `503`.
    /// - `strategy: jwt` with an adapter: the session stays an encrypted cookie, but
    ///   sign-ins find or create the user (and link the OAuth account) in the database
    ///   as Auth.js does, so the token's `sub` is the stored user's id. JWT sessions become
    ///   revocable: each carries the user's session version, which reads compare with the
    ///   database's (cached per user for [`AuthConfig::with_session_check_interval`]), so
    ///   [`Auth::sign_out_everywhere`] ends them. Without an adapter a JWT session cannot
    ///   be ended before it expires (as in Auth.js).
    ///
    /// ```no_run
    /// # async fn doc(config: auth_runtime::AuthConfig<serde_json::Value, auth_runtime::DefaultSessionUser>) -> Result<(), Box<dyn std::error::Error>> {
    /// # #[cfg(feature = "sqlite")] {
    /// use std::sync::Arc;
    /// let db = auth_runtime::adapter::SqliteAdapter::connect("sqlite://auth.db").await?;
    /// let auth = auth_runtime::Auth::with_adapter(config, Arc::new(db))?;
    /// # let _ = auth; }
    /// # Ok(()) }
    /// ```
    pub fn with_adapter(
        config: AuthConfig<T, U>,
        adapter: Arc<dyn Adapter>,
    ) -> Result<Self, ConfigError> {
        Self::build(config, Some(adapter))
    }

    fn build(
        config: AuthConfig<T, U>,
        adapter: Option<Arc<dyn Adapter>>,
    ) -> Result<Self, ConfigError> {
        Ok(Auth {
            inner: Arc::new(Inner::new(config, adapter)?),
        })
    }

    /// Replaces the service's [`Clock`](crate::clock::Clock) (the system clock by default):
    /// every "now" of the flow (token `iat`/`exp`, cookie and session expiry, the sign-in
    /// rate limits) reads it. Tests install `auth_runtime::testing::TestClock` (feature
    /// `testing`) and advance it instead of sleeping.
    ///
    /// Call it on the `Auth` that [`Auth::new`] or [`Auth::with_adapter`] returned, before
    /// cloning it (before [`Auth::routes`](crate::Auth) or [`Auth::layer`](crate::Auth)):
    ///
    /// ```
    /// # fn doc(config: auth_runtime::AuthConfig<serde_json::Value, auth_runtime::DefaultSessionUser>) -> Result<(), auth_runtime::ConfigError> {
    /// let auth = auth_runtime::Auth::new(config)?.with_clock(auth_runtime::clock::SystemClock);
    /// # let _ = auth; Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// When this `Auth` has been cloned already (a clone would keep the old clock).
    #[must_use]
    pub fn with_clock(mut self, clock: impl crate::clock::Clock) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.set_clock(Arc::new(clock)),
            None => panic!("Auth::with_clock: call it before cloning the Auth"),
        }
        self
    }

    /// The sizes of the in-memory sign-in limits (how many addresses and identifiers they
    /// remember, and the cap each stays under), for monitoring. With an adapter that keeps
    /// the limits (the SQL adapters) the counts are in its database and these stay 0.
    pub fn sign_in_limit_stats(&self) -> crate::config::SignInLimitStats {
        self.inner.limiter.stats()
    }

    /// Serves one request of the REST flow (its path under the base path).
    pub async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        crate::flow::handle(&self.inner, request).await
    }

    /// Reads (and refreshes) the session of a request, running `jwt` then `session`.
    /// Under the jwt strategy the refreshed cookie is in every lookup, unless
    /// [`AuthConfig::with_reissue_after`](crate::AuthConfig::with_reissue_after) finds it
    /// not due.
    ///
    /// A request whose host cannot be trusted, or whose `jwt` or `session` callback
    /// panics, reads as signed out and keeps its cookie.
    ///
    /// With an adapter under the jwt strategy, the token's session version is checked
    /// first (see [`Auth::sign_out_everywhere`]): a revoked session reads as signed out
    /// and its cookie is cleared; a database that does not answer (when the cached
    /// version is older than the check interval) gives [`StoreStatus::Unavailable`] and
    /// keeps the cookie.
    pub async fn session(&self, parts: &http::request::Parts) -> SessionLookup<T, U> {
        let read = crate::flow::read_request_session(&self.inner, parts).await;
        SessionLookup {
            session: read.session,
            token: read.token,
            set_cookies: read
                .cookies
                .iter()
                .filter_map(|c| c.to_header_value())
                .collect(),
            store: read.store,
            amr: read.amr,
        }
    }

    /// Signs `user` in from the application's own handler (no credentials: after its own
    /// sign-up form, an invitation link, an admin "log in as"), answering the cookies to set.
    ///
    /// Callbacks, in order (the matrix `tests/it/flow_matrix.rs` and the database suite
    /// assert):
    ///
    /// | strategy | `sign_in` | `jwt` | `session` | `redirect` | events |
    /// | --- | --- | --- | --- | --- | --- |
    /// | jwt | once, the guard | once: `user` set, trigger `SignIn` | no | no | `sign_in` |
    /// | database | once, the guard | no | no | no | `sign_in` (and `create_user` when the adapter creates the user) |
    ///
    /// `sign_in` receives `account.provider == "`[`SERVER_PROVIDER`]`"` (kind
    /// `Credentials`), no profile and no credentials; a refusal is
    /// [`SessionError::AccessDenied`] (with the URL it returned, if any) and changes
    /// nothing. With an adapter the user is found or created as a credentials sign-in does
    /// (by id, else by e-mail). No `redirect`: the application answers the request. A
    /// `jwt` returning `None` clears the session cookie. Use [`Auth::sign_up`] when the
    /// user is new.
    ///
    /// ```ignore
    /// async fn register(State(auth): State<Auth<auth::Token, auth::SessionUser>>, parts: Parts)
    ///     -> Result<impl IntoResponse, SessionError> {
    ///     let user = User::new("42").with_email("ada@example.com");
    ///     let change = auth.sign_up(&parts, user).await?;
    ///     Ok((change, Redirect::to("/welcome")))
    /// }
    /// ```
    pub async fn sign_in(
        &self,
        parts: &http::request::Parts,
        user: User,
    ) -> Result<SessionChange<U>, SessionError> {
        self.inner.server_sign_in(parts, user, false).await
    }

    /// [`Auth::sign_in`] for a user the application just created: `is_new_user` is `true`
    /// for `jwt` (trigger `SignUp`) and the `sign_in` event.
    pub async fn sign_up(
        &self,
        parts: &http::request::Parts,
        user: User,
    ) -> Result<SessionChange<U>, SessionError> {
        self.inner.server_sign_in(parts, user, true).await
    }

    /// Signs the request's user out from the application's own handler, answering the
    /// cookies that clear the session.
    ///
    /// | strategy | callbacks | events |
    /// | --- | --- | --- |
    /// | jwt | none | `sign_out` (when the request carried a session cookie) |
    /// | database | none (the session row is deleted) | `sign_out` (idem) |
    ///
    /// An unreachable database is [`SessionError::Unavailable`]: the row and the cookie
    /// stay, so the sign-out can be retried.
    pub async fn sign_out(
        &self,
        parts: &http::request::Parts,
    ) -> Result<SessionChange<U>, SessionError> {
        self.inner.server_sign_out(parts).await
    }

    /// Updates the request's session with `data`, as `POST /session` does, from the
    /// application's own handler (after a profile form saved the new name, say).
    ///
    /// | strategy | `sign_in` | `jwt` | `session` | `redirect` |
    /// | --- | --- | --- | --- | --- |
    /// | jwt | no | once: trigger `Update`, `session` = `data`, no user | once | no |
    /// | database | no | no (no token) | once (`data` is not used) | no |
    ///
    /// [`SessionChange::session`] is the session after the update (`None` when the request
    /// is signed out, or `jwt` returned `None`, which clears the cookie). The cookie is
    /// re-issued (jwt) or its expiry extended past `update_age` (database).
    pub async fn update_session(
        &self,
        parts: &http::request::Parts,
        data: serde_json::Value,
    ) -> Result<SessionChange<U>, SessionError> {
        self.inner.server_update(parts, data).await
    }

    /// The request's CSRF token for the application's own forms, and the CSRF cookie to set
    /// when the request has none; `None` when its host cannot be trusted.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn app_csrf_token(
        &self,
        parts: &http::request::Parts,
    ) -> Option<(String, Option<http::HeaderValue>)> {
        self.inner.app_csrf_token(parts)
    }

    /// Checks a form's `csrfToken` against the request's CSRF cookie.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn app_verify_csrf(
        &self,
        parts: &http::request::Parts,
        submitted: Option<&str>,
    ) -> Result<(), &'static str> {
        self.inner.app_verify_csrf(parts, submitted)
    }

    /// The session cookie for `token` (jwt strategy), for the test kit.
    #[cfg(feature = "testing")]
    pub(crate) fn mint_token_cookie(
        &self,
        parts: &http::request::Parts,
        token: &T,
    ) -> Result<Vec<http::HeaderValue>, SessionError> {
        self.inner.mint_token_cookie(parts, token)
    }

    /// The adapter given to [`Auth::with_adapter`], if any.
    pub fn adapter(&self) -> Option<&Arc<dyn Adapter>> {
        self.inner.adapter.as_ref()
    }

    fn require_adapter(&self) -> Result<&Arc<dyn Adapter>, AdapterError> {
        self.inner.adapter.as_ref().ok_or_else(|| {
            AdapterError::Config("this Auth has no adapter (use Auth::with_adapter)".to_owned())
        })
    }

    /// A user's live sessions, oldest first ("where am I signed in"). Needs an adapter.
    pub async fn user_sessions(&self, user_id: &str) -> Result<Vec<AdapterSession>, AdapterError> {
        self.require_adapter()?.list_user_sessions(user_id).await
    }

    /// "Sign out everywhere": ends every session of a user, on every app server that
    /// shares the database. Needs an adapter. Returns how many database session rows were
    /// deleted (JWT sessions are not counted: they live in browsers).
    ///
    /// - jwt strategy: the user's session version is incremented, so every JWT session
    ///   minted before reads as signed out (its cookie cleared) on the next read: at once
    ///   on this server, within the session check interval on the others
    ///   ([`AuthConfig::with_session_check_interval`], 30 s by default). A sign-in after
    ///   the call is stamped with the new version and works.
    /// - database strategy: the user's session rows are deleted (and the version bumped
    ///   too, when the adapter stores versions).
    ///
    /// Call it after a password change (see [`crate::password`]), when an account is
    /// compromised, or from a "sign out of all devices" button; to keep the current browser
    /// signed in, sign it in again with [`Auth::sign_in`] after the call.
    ///
    /// Errors: no adapter ([`AdapterError::Config`]); the database did not answer
    /// ([`AdapterError::Unavailable`]); under the jwt strategy, an application adapter that
    /// stores no session versions ([`AdapterError::Unsupported`]).
    ///
    /// ```ignore
    /// // After storing the new password hash:
    /// auth.sign_out_everywhere(&user_id).await?;
    /// let change = auth.sign_in(&parts, user).await?; // this browser stays signed in
    /// ```
    pub async fn sign_out_everywhere(&self, user_id: &str) -> Result<u64, AdapterError> {
        self.inner.sign_out_everywhere(user_id).await
    }

    /// Whether the user enrolled a second factor (`second_factor: { totp: .. }`), for an
    /// account page offering to turn it on or off.
    ///
    /// Errors: no adapter ([`AdapterError::Config`]); the database did not answer; an
    /// application adapter without the second factor ([`AdapterError::Unsupported`]).
    pub async fn has_second_factor(&self, user_id: &str) -> Result<bool, AdapterError> {
        Ok(self
            .require_adapter()?
            .totp_enrolment(user_id)
            .await?
            .is_some())
    }

    /// Turns the user's second factor off: removes the TOTP enrolment and the recovery
    /// codes (`true` when there was one). Their next credentials sign-in needs the password
    /// only; sessions already open are left as they are. Ask for a current code (or a
    /// session that passed the second factor, `SessionLookup::amr`) before calling it.
    ///
    /// Errors as [`Auth::has_second_factor`].
    pub async fn remove_second_factor(&self, user_id: &str) -> Result<bool, AdapterError> {
        let removed = self.require_adapter()?.totp_remove(user_id).await?;
        if removed {
            tracing::info!("second factor removed");
        }
        Ok(removed)
    }

    /// Revokes one session (a key from [`Auth::user_sessions`]). `true` when it existed.
    pub async fn revoke_session(&self, key: &SessionKey) -> Result<bool, AdapterError> {
        let db = self.require_adapter()?;
        if let Some(rows) = &self.inner.session_rows {
            rows.forget(key);
        }
        let deleted = db.delete_session(key).await;
        if let Some(rows) = &self.inner.session_rows {
            rows.forget(key);
        }
        deleted
    }

    /// A user's passkeys (a `Passkey` provider's), oldest first: for an account page listing
    /// them, each with its name, transports and creation time. Needs an adapter.
    pub async fn passkeys(
        &self,
        user_id: &str,
    ) -> Result<Vec<crate::adapter::Authenticator>, AdapterError> {
        self.require_adapter()?.list_authenticators(user_id).await
    }

    /// Removes one of a user's passkeys (a `credential_id` from [`Auth::passkeys`]): it no
    /// longer signs in. `true` when the user had it. Needs an adapter. (The authenticator
    /// itself keeps the credential until the user deletes it there.)
    pub async fn remove_passkey(
        &self,
        user_id: &str,
        credential_id: &str,
    ) -> Result<bool, AdapterError> {
        self.require_adapter()?
            .delete_authenticator(user_id, credential_id)
            .await
    }

    /// The configuration.
    pub fn config(&self) -> &AuthConfig<T, U> {
        &self.inner.config
    }
}
