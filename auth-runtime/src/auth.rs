//! The runtime handle: executes an [`AuthConfig`] (the flow is in `crate::flow`).
//!
//! INTERFACE (owned by the flow work; the axum integration depends on exactly this surface).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::FutureExt as _;

use crate::ConfigError;
use crate::adapter::{Adapter, AdapterError, AdapterSession};
use crate::config::{
    AuthConfig, Provider, Session, SessionCallback, SessionStrategy, SessionUserData, TokenData,
};
use crate::cookies::{CookieNames, RequestCookies};
use crate::jwt::{JwtCodec, Secrets, TokenFormat};
use crate::providers::oauth::OAuthClient;
use crate::url::Origin;

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
#[derive(Debug)]
pub struct SessionLookup<T, U> {
    /// The session, after the `jwt` and `session` callbacks; `None` when signed out.
    pub session: Option<Session<U>>,
    /// The decoded token after the `jwt` callback (jwt strategy).
    pub token: Option<T>,
    /// `Set-Cookie` values the response must carry (rolling refresh, or clearing a bad cookie).
    pub set_cookies: Vec<http::HeaderValue>,
    /// The session store could not be read (database strategy: the database is down).
    /// `session` is `None` then, but the request is not signed out: answer 503.
    pub unavailable: bool,
}

/// How the site's origin is known.
#[derive(Clone, Debug)]
pub(crate) enum HostPolicy {
    /// `AUTH_URL` or the configured `url`.
    Fixed(Origin),
    /// The request's `Host` / `X-Forwarded-Host` (`trust_host`).
    Trusted,
}

/// Where sessions live; `flow::session`, `flow::callback` (the sign-in tail) and
/// `flow::signout` match on it.
#[derive(Clone)]
pub(crate) enum Strategy {
    /// Encrypted token in the session cookie.
    Jwt,
    /// A session id in the cookie, the session row in the adapter's database.
    Database(Arc<dyn Adapter>),
}

/// The cookie names and codecs of one scheme (the HKDF salt is the full cookie name, so
/// http and https need their own keys).
pub(crate) struct Scheme {
    pub(crate) names: CookieNames,
    pub(crate) session: JwtCodec,
    /// Codecs of the OAuth check cookies (state, PKCE, nonce); `None` without OAuth providers.
    pub(crate) checks: Option<CheckCodecs>,
}

pub(crate) struct CheckCodecs {
    pub(crate) state: JwtCodec,
    pub(crate) pkce: JwtCodec,
    pub(crate) nonce: JwtCodec,
}

pub(crate) struct Inner<T, U> {
    pub(crate) config: AuthConfig<T, U>,
    pub(crate) host: HostPolicy,
    pub(crate) strategy: Strategy,
    /// The adapter (database strategy; with the jwt strategy it stores users and accounts).
    pub(crate) adapter: Option<Arc<dyn Adapter>>,
    /// `${secret}` as Auth.js stringifies it for the CSRF hash.
    pub(crate) csrf_secret: String,
    pub(crate) http: Option<Scheme>,
    pub(crate) https: Option<Scheme>,
    pub(crate) oauth: OAuthClient,
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn valid_base_path(p: &str) -> bool {
    p.starts_with('/')
        && p.len() > 1
        && !p.ends_with('/')
        && !p.contains("//")
        && !p
            .chars()
            .any(|c| c == '?' || c == '#' || c.is_whitespace() || c.is_control())
}

fn valid_provider_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl<T, U> Inner<T, U> {
    fn scheme_for(&self, https: bool) -> Option<&Scheme> {
        if https {
            self.https.as_ref()
        } else {
            self.http.as_ref()
        }
    }

    /// The origin and scheme data of a request.
    pub(crate) fn resolve(
        &self,
        headers: &http::HeaderMap,
        uri: &http::Uri,
    ) -> Result<(Origin, &Scheme), crate::url::HostError> {
        let origin = match &self.host {
            HostPolicy::Fixed(o) => o.clone(),
            HostPolicy::Trusted => crate::url::origin_from_request(headers, uri)?,
        };
        let scheme = self
            .scheme_for(origin.is_https())
            .ok_or(crate::url::HostError::Invalid)?;
        Ok((origin, scheme))
    }
}

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// Validates the configuration and resolves secrets and `env(..)` values.
    ///
    /// Secrets: the configured ones, else `AUTH_SECRET_3`, `AUTH_SECRET_2`, `AUTH_SECRET_1`,
    /// `AUTH_SECRET` in that order (Auth.js's order: the first encodes, any decodes).
    /// Site URL: the configured `url`, else `AUTH_URL`; without one, `trust_host` (or
    /// `AUTH_TRUST_HOST=true`) must be set.
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
    ///   [`Auth::revoke_user_sessions`]). Credentials and OAuth sign-ins find or create
    ///   the user in the database; `jwt` never runs; `session(session, user)` receives
    ///   the stored user. When the database is unreachable the flow answers `503`.
    /// - `strategy: jwt` with an adapter: the session stays an encrypted cookie, but
    ///   sign-ins find or create the user (and link the OAuth account) in the database
    ///   as Auth.js does, so the token's `sub` is the stored user's id.
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
        let strategy = match (config.strategy, &adapter) {
            (SessionStrategy::Jwt, _) => Strategy::Jwt,
            (SessionStrategy::Database, Some(db)) => Strategy::Database(db.clone()),
            (SessionStrategy::Database, None) => return Err(ConfigError::MissingAdapter),
        };
        match (&strategy, &config.session) {
            (Strategy::Jwt, Some(SessionCallback::Database(_)))
            | (Strategy::Database(_), Some(SessionCallback::Jwt(_))) => {
                return Err(ConfigError::SessionCallbackMismatch);
            }
            _ => {}
        }
        if !valid_base_path(&config.base_path) {
            return Err(ConfigError::InvalidBasePath(config.base_path.clone()));
        }
        if config.providers.is_empty() {
            return Err(ConfigError::NoProviders);
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &config.providers {
            if !valid_provider_id(p.id()) {
                return Err(ConfigError::InvalidProviderId(p.id().to_owned()));
            }
            if !seen.insert(p.id()) {
                return Err(ConfigError::DuplicateProvider(p.id().to_owned()));
            }
        }

        // Every `env(..)` of a provider must be set now, not at the first sign-in.
        for p in &config.providers {
            if let Provider::OAuth(o) = p {
                o.client_id.resolve()?;
                o.client_secret.resolve()?;
                for v in [
                    &o.issuer,
                    &o.authorization_url,
                    &o.token_url,
                    &o.userinfo_url,
                    &o.github_emails_url,
                ]
                .into_iter()
                .flatten()
                {
                    v.resolve()?;
                }
            }
        }

        let mut secrets = Vec::new();
        for s in &config.secrets {
            secrets.push(s.resolve()?);
        }
        secrets.retain(|s| !s.is_empty());
        if secrets.is_empty() {
            for name in [
                "AUTH_SECRET_3",
                "AUTH_SECRET_2",
                "AUTH_SECRET_1",
                "AUTH_SECRET",
            ] {
                if let Some(v) = env_nonempty(name) {
                    secrets.push(v);
                }
            }
        }
        if secrets.is_empty() {
            return Err(ConfigError::MissingSecret);
        }
        let csrf_secret = crate::csrf::secret_material(&secrets);
        let secrets =
            Secrets::new(secrets).map_err(|e| ConfigError::InvalidSecret(e.to_string()))?;

        let url = match &config.url {
            Some(v) => Some(v.resolve()?),
            None => env_nonempty("AUTH_URL"),
        };
        let trust_host = config.trust_host.unwrap_or_else(|| {
            env_nonempty("AUTH_TRUST_HOST")
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
        });
        let host = match url {
            Some(u) => {
                let origin = Origin::parse(&u).map_err(ConfigError::InvalidUrl)?;
                if let Ok(parsed) = url::Url::parse(&u) {
                    let path = parsed.path().trim_end_matches('/');
                    if !path.is_empty() && path != config.base_path {
                        tracing::warn!(
                            url_path = path,
                            base_path = %config.base_path,
                            "the site URL has a path that differs from the base path; only its origin is used"
                        );
                    }
                }
                HostPolicy::Fixed(origin)
            }
            None if trust_host => HostPolicy::Trusted,
            None => return Err(ConfigError::MissingUrl),
        };

        let has_oauth = config
            .providers
            .iter()
            .any(|p| matches!(p, Provider::OAuth(_)));
        let derive = |secure: bool| -> Result<Scheme, ConfigError> {
            let names = CookieNames::new(secure);
            let codec_as = |salt: &str, format: TokenFormat| {
                JwtCodec::new(&secrets, salt, format)
                    .map_err(|e| ConfigError::InvalidSecret(e.to_string()))
            };
            let codec = |salt: &str| codec_as(salt, TokenFormat::AuthJs);
            let session = codec_as(&names.session_token, config.token_format.clone())?;
            let checks = if has_oauth {
                Some(CheckCodecs {
                    state: codec(&names.state)?,
                    pkce: codec(&names.pkce_code_verifier)?,
                    nonce: codec(&names.nonce)?,
                })
            } else {
                None
            };
            Ok(Scheme {
                names,
                session,
                checks,
            })
        };
        let (http, https) = match &host {
            HostPolicy::Fixed(o) if o.is_https() => (None, Some(derive(true)?)),
            HostPolicy::Fixed(_) => (Some(derive(false)?), None),
            HostPolicy::Trusted => (Some(derive(false)?), Some(derive(true)?)),
        };
        tracing::debug!(
            providers = config.providers.len(),
            base_path = %config.base_path,
            trust_host = matches!(host, HostPolicy::Trusted),
            "auth runtime configured"
        );
        Ok(Auth {
            inner: Arc::new(Inner {
                config,
                host,
                strategy,
                adapter,
                csrf_secret,
                http,
                https,
                oauth: OAuthClient::default(),
            }),
        })
    }

    /// Serves one request of the REST flow (its path under the base path).
    pub async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        crate::flow::handle(&self.inner, request).await
    }

    /// Reads (and refreshes) the session of a request, running `jwt` then `session`.
    pub async fn session(&self, parts: &http::request::Parts) -> SessionLookup<T, U> {
        let inner = &*self.inner;
        let Ok((origin, scheme)) = inner.resolve(&parts.headers, &parts.uri) else {
            tracing::warn!(
                "session read: the request's host is missing or invalid; treated as signed out"
            );
            return SessionLookup {
                session: None,
                token: None,
                set_cookies: Vec::new(),
                unavailable: false,
            };
        };
        let cookies = RequestCookies::from_headers(&parts.headers);
        let ctx = crate::flow::Ctx {
            origin,
            scheme,
            cookies,
            now: SystemTime::now(),
        };
        let read = match AssertUnwindSafe(inner.read_session(&ctx, None))
            .catch_unwind()
            .await
        {
            Ok(read) => read,
            Err(_) => {
                // A `jwt` or `session` callback panicked: this request reads as signed out,
                // and the cookie is left as it is (the session is not lost).
                tracing::error!("session read failed: a callback panicked; treated as signed out");
                return SessionLookup {
                    session: None,
                    token: None,
                    set_cookies: Vec::new(),
                    unavailable: false,
                };
            }
        };
        SessionLookup {
            session: read.session,
            token: read.token,
            set_cookies: read
                .cookies
                .iter()
                .filter_map(|c| c.to_header_value())
                .collect(),
            unavailable: read.unavailable,
        }
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

    /// "Sign out everywhere": deletes every session of a user, on every app server that
    /// shares the database. Returns how many were deleted. Needs an adapter.
    pub async fn revoke_user_sessions(&self, user_id: &str) -> Result<u64, AdapterError> {
        let n = self
            .require_adapter()?
            .delete_user_sessions(user_id)
            .await?;
        tracing::info!(sessions = n, "user signed out everywhere");
        Ok(n)
    }

    /// Revokes one session (a key from [`Auth::user_sessions`]). `true` when it existed.
    pub async fn revoke_session(
        &self,
        key: &crate::adapter::SessionKey,
    ) -> Result<bool, AdapterError> {
        self.require_adapter()?.delete_session(key).await
    }

    /// The configuration.
    pub fn config(&self) -> &AuthConfig<T, U> {
        &self.inner.config
    }
}
