//! The OAuth 2.0 / OIDC client: authorization URL, code exchange, ID token and profile.
//!
//! INTERFACE (owned by the OAuth work; the flow calls exactly these items).
//!
//! One [`OAuthClient`] serves every provider of an application: it holds the outbound HTTP
//! client (rustls, 10 s connect and overall timeouts, no redirects followed, bodies capped
//! at 1 MiB) and the per-issuer discovery and JWKS caches. It is cheap to clone.
//!
//! - [`OAuthClient::authorize`] builds the authorization URL (`response_type=code`,
//!   `client_id`, `redirect_uri`, `scope`, `state`, PKCE S256 `code_challenge` and, for
//!   OIDC, `nonce`) and returns the [`Checks`] the flow keeps in cookies.
//! - [`OAuthClient::callback`] checks `state` (constant time) and the RFC 9207 `iss`
//!   parameter, reports an `error=` from the provider, exchanges the code with the PKCE
//!   verifier (`client_secret_basic` or `client_secret_post`), verifies the ID token
//!   (OIDC), fetches the userinfo document when needed and maps it to a [`SignedIn`].
//!
//! Every failure is an [`OAuthError`] whose `Display` is safe to log: it never contains a
//! token, a code, a secret or a check value.

mod discovery;
mod http;
mod id_token;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use http::Endpoint;
pub use id_token::IdTokenError;

pub(crate) use discovery::Endpoints;

use crate::ConfigError;
use crate::config::{Account, AccountType, ClientAuth, OAuthProvider, Profile, User};

/// Shared OAuth state: the HTTP client, the discovery and JWKS caches.
#[derive(Clone, Debug, Default)]
pub struct OAuthClient {
    inner: Arc<Inner>,
}

type Cache<T> = RwLock<HashMap<String, (Instant, Arc<T>)>>;

struct Inner {
    http: Result<reqwest::Client, String>,
    discovery: Cache<discovery::Metadata>,
    jwks: Cache<Vec<id_token::Key>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("http", &self.http.as_ref().map(|_| "reqwest::Client"))
            .finish_non_exhaustive()
    }
}

impl Default for Inner {
    fn default() -> Self {
        Inner::with_http(http::build_client(
            http::DEFAULT_TIMEOUT,
            http::DEFAULT_TIMEOUT,
        ))
    }
}

fn cache_get<T>(cache: &Cache<T>, key: &str, ttl: Duration) -> Option<Arc<T>> {
    let map = cache.read().unwrap_or_else(|e| e.into_inner());
    map.get(key)
        .filter(|(at, _)| at.elapsed() < ttl)
        .map(|(_, v)| v.clone())
}

fn cache_put<T>(cache: &Cache<T>, key: &str, value: Arc<T>, at: Instant) {
    let mut map = cache.write().unwrap_or_else(|e| e.into_inner());
    // A handful of providers per application: bound the map anyway.
    if map.len() >= 64 {
        map.retain(|_, (t, _)| t.elapsed() < Duration::from_secs(60));
    }
    map.insert(key.to_owned(), (at, value));
}

impl Inner {
    fn with_http(http: Result<reqwest::Client, String>) -> Self {
        Inner {
            http,
            discovery: RwLock::default(),
            jwks: RwLock::default(),
        }
    }
    fn discovery_cached(&self, issuer: &str) -> Option<Arc<discovery::Metadata>> {
        cache_get(&self.discovery, issuer, discovery::DISCOVERY_TTL)
    }
    fn discovery_store(&self, issuer: &str, md: Arc<discovery::Metadata>, at: Instant) {
        cache_put(&self.discovery, issuer, md, at);
    }
    fn jwks_cached(&self, uri: &str) -> Option<Arc<Vec<id_token::Key>>> {
        cache_get(&self.jwks, uri, id_token::JWKS_TTL)
    }
    fn jwks_store(&self, uri: &str, keys: Arc<Vec<id_token::Key>>, at: Instant) {
        cache_put(&self.jwks, uri, keys, at);
    }
}

/// The random check values of one authorization request; the flow keeps each in its own
/// short-lived encrypted cookie (`authjs.state`, `authjs.pkce.code_verifier`, `authjs.nonce`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// `state`.
    pub state: Option<String>,
    /// PKCE code verifier.
    pub code_verifier: Option<String>,
    /// OIDC `nonce`.
    pub nonce: Option<String>,
}

impl std::fmt::Debug for Checks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Check values are secrets until the callback: show only their presence.
        f.debug_struct("Checks")
            .field("state", &self.state.as_ref().map(|_| ".."))
            .field("code_verifier", &self.code_verifier.as_ref().map(|_| ".."))
            .field("nonce", &self.nonce.as_ref().map(|_| ".."))
            .finish()
    }
}

/// Where to send the browser, and the checks to remember.
#[derive(Clone, Debug)]
pub struct Authorization {
    /// The provider's authorization URL with every parameter.
    pub url: String,
    /// The check values to store in cookies.
    pub checks: Checks,
}

/// A successful callback.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The user, from the profile.
    pub user: User,
    /// The account, with the provider's tokens.
    pub account: Account,
    /// The profile.
    pub profile: Profile,
}

/// Why an OAuth step failed (shown as `OAuthCallbackError`/`OAuthSignin`, logged in full).
///
/// The messages never contain tokens, codes, secrets or check values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The provider's configuration is incomplete or invalid.
    #[error("OAuth configuration: {0}")]
    Config(String),
    /// An `env(..)` value of the provider is not set.
    #[error(transparent)]
    MissingEnv(#[from] ConfigError),
    /// The callback has no `state` parameter.
    #[error("the callback has no `state` parameter")]
    MissingState,
    /// No `state` was kept for this browser (cookie missing or expired).
    #[error("no state check was kept for this browser (cookie missing or expired)")]
    MissingStateCheck,
    /// The callback's `state` is not the one sent.
    #[error("the callback's `state` does not match")]
    StateMismatch,
    /// No PKCE code verifier was kept for this browser.
    #[error("no PKCE code verifier was kept for this browser (cookie missing or expired)")]
    MissingCodeVerifier,
    /// No `nonce` was kept for this browser (OIDC).
    #[error("no nonce was kept for this browser (cookie missing or expired)")]
    MissingNonce,
    /// A parameter occurs more than once in the callback.
    #[error("the callback repeats the `{0}` parameter")]
    DuplicateParameter(String),
    /// The callback's `iss` parameter (RFC 9207) is missing or not the issuer.
    #[error("the callback's `iss` parameter is missing or not the issuer")]
    IssuerMismatch,
    /// The provider answered the authorization request with `error=`.
    #[error("the provider refused the authorization: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Provider {
        /// `error`, e.g. `access_denied`.
        error: String,
        /// `error_description`.
        description: Option<String>,
    },
    /// The callback has no `code`.
    #[error("the callback has no `code` parameter")]
    MissingCode,
    /// The provider could not be reached (connection refused, DNS, TLS, timeout).
    #[error("{endpoint} unreachable: {reason}")]
    Unreachable {
        /// Which endpoint.
        endpoint: Endpoint,
        /// What went wrong.
        reason: String,
    },
    /// The provider answered with an unexpected HTTP status.
    #[error("{endpoint} answered HTTP {status}")]
    Status {
        /// Which endpoint.
        endpoint: Endpoint,
        /// The status code.
        status: u16,
    },
    /// The provider's answer is not what the protocol requires (HTML, broken JSON, ...).
    #[error("{endpoint} answered garbage: {reason}")]
    InvalidResponse {
        /// Which endpoint.
        endpoint: Endpoint,
        /// What was wrong.
        reason: String,
    },
    /// The token endpoint refused the request (`invalid_grant` for a replayed code or a
    /// wrong PKCE verifier, `invalid_client`, ...).
    #[error("token endpoint refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Token {
        /// The OAuth `error` code.
        error: String,
        /// `error_description`.
        description: Option<String>,
    },
    /// The discovery document is unusable (e.g. its `issuer` is not the configured one).
    #[error("OIDC discovery: {0}")]
    Discovery(String),
    /// The ID token was refused.
    #[error(transparent)]
    IdToken(#[from] IdTokenError),
    /// The profile could not be mapped (e.g. no `id`/`sub`), or userinfo's `sub` differs.
    #[error("profile: {0}")]
    Profile(String),
    /// The system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
}

fn random_token() -> Result<String, OAuthError> {
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| OAuthError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The PKCE S256 challenge of a verifier: `BASE64URL(SHA256(verifier))`.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The one value of a parameter; a repeated parameter is an error.
fn single<'q>(query: &'q [(String, String)], name: &str) -> Result<Option<&'q str>, OAuthError> {
    let mut found = query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(OAuthError::DuplicateParameter(name.to_owned()));
    }
    Ok(first)
}

/// At most 200 characters of untrusted text.
fn bounded(text: &str) -> String {
    text.chars().take(200).collect()
}

fn ct_eq(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A token endpoint's successful answer.
pub(crate) struct TokenResponse {
    pub access_token: String,
    pub token_type: Option<String>,
    pub expires_at: Option<i64>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    pub id_token: Option<String>,
}

fn str_member(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl OAuthClient {
    /// A client with the default timeouts (10 s to connect, 10 s per request).
    pub fn new() -> Result<Self, OAuthError> {
        Self::with_timeouts(http::DEFAULT_TIMEOUT, http::DEFAULT_TIMEOUT)
    }

    /// A client with these connect and overall per-request timeouts.
    pub fn with_timeouts(connect: Duration, total: Duration) -> Result<Self, OAuthError> {
        let http = http::build_client(connect, total)
            .map_err(|e| OAuthError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(OAuthClient {
            inner: Arc::new(Inner::with_http(Ok(http))),
        })
    }

    fn http(&self) -> Result<&reqwest::Client, OAuthError> {
        self.inner
            .http
            .as_ref()
            .map_err(|e| OAuthError::Config(format!("cannot build the HTTP client: {e}")))
    }

    /// Starts an authorization request for `provider`, returning to `callback_url`.
    pub async fn authorize(
        &self,
        provider: &OAuthProvider,
        callback_url: &str,
    ) -> Result<Authorization, OAuthError> {
        let endpoints = self.endpoints(provider).await?;
        let client_id = provider.client_id.resolve()?;
        let mut url = url::Url::parse(&endpoints.authorization).map_err(|e| {
            OAuthError::Config(format!(
                "provider `{}`: authorization endpoint is not a URL: {e}",
                provider.id
            ))
        })?;
        let state = random_token()?;
        let code_verifier = random_token()?;
        let nonce = match provider.kind {
            AccountType::Oidc => Some(random_token()?),
            _ => None,
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &client_id)
                .append_pair("redirect_uri", callback_url);
            if !provider.scope.is_empty() {
                q.append_pair("scope", &provider.scope);
            }
            q.append_pair("state", &state)
                .append_pair("code_challenge", &pkce_challenge(&code_verifier))
                .append_pair("code_challenge_method", "S256");
            if let Some(nonce) = &nonce {
                q.append_pair("nonce", nonce);
            }
        }
        Ok(Authorization {
            url: url.into(),
            checks: Checks {
                state: Some(state),
                code_verifier: Some(code_verifier),
                nonce,
            },
        })
    }

    /// Finishes it: validates `state`, exchanges the code (with the PKCE verifier),
    /// verifies the ID token (OIDC) and fetches the profile.
    pub async fn callback(
        &self,
        provider: &OAuthProvider,
        callback_url: &str,
        query: &[(String, String)],
        checks: &Checks,
    ) -> Result<SignedIn, OAuthError> {
        let expected_state = checks
            .state
            .as_deref()
            .ok_or(OAuthError::MissingStateCheck)?;
        let state = single(query, "state")?.ok_or(OAuthError::MissingState)?;
        if !ct_eq(state, expected_state) {
            return Err(OAuthError::StateMismatch);
        }
        let endpoints = self.endpoints(provider).await?;
        match (single(query, "iss")?, endpoints.issuer.as_deref()) {
            (Some(iss), Some(issuer)) if iss != issuer => return Err(OAuthError::IssuerMismatch),
            (None, Some(_)) if endpoints.iss_param_required => {
                return Err(OAuthError::IssuerMismatch);
            }
            _ => {}
        }
        if let Some(error) = single(query, "error")? {
            // Text from the query string: bounded before it reaches a log line.
            return Err(OAuthError::Provider {
                error: bounded(error),
                description: single(query, "error_description")?.map(bounded),
            });
        }
        let code = single(query, "code")?.ok_or(OAuthError::MissingCode)?;
        let code_verifier = checks
            .code_verifier
            .as_deref()
            .ok_or(OAuthError::MissingCodeVerifier)?;
        let oidc = provider.kind == AccountType::Oidc;
        let nonce = if oidc {
            Some(checks.nonce.as_deref().ok_or(OAuthError::MissingNonce)?)
        } else {
            None
        };

        let tokens = self
            .token_request(
                provider,
                &endpoints,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", callback_url),
                    ("code_verifier", code_verifier),
                ],
            )
            .await?;
        let client_id = provider.client_id.resolve()?;

        let mut raw = if oidc {
            let id_token = tokens.id_token.as_deref().ok_or(IdTokenError::Missing)?;
            let mut claims = self
                .verify_id_token(id_token, &endpoints, &client_id, nonce)
                .await?;
            let wants_userinfo = claims.get("email").is_none() || claims.get("name").is_none();
            if let (true, Some(userinfo_url)) = (wants_userinfo, endpoints.userinfo.as_deref()) {
                let info = self.userinfo(userinfo_url, &tokens.access_token).await?;
                if info.get("sub") != claims.get("sub") {
                    return Err(OAuthError::Profile(
                        "userinfo `sub` differs from the ID token's".to_owned(),
                    ));
                }
                if let (Value::Object(claims), Value::Object(info)) = (&mut claims, info) {
                    for (k, v) in info {
                        claims.entry(k).or_insert(v);
                    }
                }
            }
            claims
        } else {
            let userinfo_url = endpoints.userinfo.as_deref().ok_or_else(|| {
                OAuthError::Config(format!("provider `{}`: no userinfo endpoint", provider.id))
            })?;
            self.userinfo(userinfo_url, &tokens.access_token).await?
        };

        if raw.get("email").is_none_or(Value::is_null)
            && let Some(emails_url) = &provider.github_emails_url
        {
            let emails_url = emails_url.resolve()?;
            if let Some(email) = self
                .github_primary_email(&emails_url, &tokens.access_token)
                .await
                && let Value::Object(map) = &mut raw
            {
                map.insert("email".to_owned(), Value::String(email));
            }
        }

        let profile = (provider.profile)(&raw).ok_or_else(|| {
            OAuthError::Profile(format!(
                "provider `{}`: the profile mapping found no user id in the profile",
                provider.id
            ))
        })?;
        let user = User {
            id: profile.id.clone(),
            name: profile.name.clone(),
            email: profile.email.clone(),
            image: profile.image.clone(),
            email_verified: None,
        };
        let account = Account {
            provider: provider.id.clone(),
            provider_account_id: profile.id.clone(),
            kind: provider.kind,
            access_token: Some(tokens.access_token),
            refresh_token: tokens.refresh_token,
            expires_at: tokens.expires_at,
            scope: tokens.scope,
            token_type: tokens.token_type,
            id_token: tokens.id_token,
        };
        Ok(SignedIn {
            user,
            account,
            profile,
        })
    }

    /// POSTs a grant to the token endpoint with the provider's client authentication.
    pub(crate) async fn token_request(
        &self,
        provider: &OAuthProvider,
        endpoints: &Endpoints,
        params: &[(&str, &str)],
    ) -> Result<TokenResponse, OAuthError> {
        let client_id = provider.client_id.resolve()?;
        let client_secret = provider.client_secret.resolve()?;
        let mut form: Vec<(&str, &str)> = params.to_vec();
        let mut request = self.http()?.post(&endpoints.token);
        match provider.client_auth {
            ClientAuth::ClientSecretBasic => {
                // RFC 6749 2.3.1: both parts form-urlencoded before base64.
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let basic = STANDARD.encode(format!("{}:{}", enc(&client_id), enc(&client_secret)));
                request = request.header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"));
            }
            ClientAuth::ClientSecretPost => {
                form.push(("client_id", &client_id));
                form.push(("client_secret", &client_secret));
            }
        }
        let received = http::send(request.form(&form), Endpoint::Token).await?;
        // An OAuth error answer (400 `invalid_grant`, or GitHub's 200 with `error`).
        let body = received.json_object(Endpoint::Token);
        if let Ok(body) = &body
            && let Some(error) = str_member(body, "error")
        {
            return Err(OAuthError::Token {
                error,
                description: str_member(body, "error_description"),
            });
        }
        received.ensure_success(Endpoint::Token)?;
        let body = body?;
        let access_token =
            str_member(&body, "access_token").ok_or_else(|| OAuthError::InvalidResponse {
                endpoint: Endpoint::Token,
                reason: "no `access_token`".to_owned(),
            })?;
        let expires_in = match body.get("expires_in") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse::<i64>().ok(),
            _ => None,
        };
        Ok(TokenResponse {
            access_token,
            token_type: str_member(&body, "token_type").map(|t| t.to_ascii_lowercase()),
            expires_at: expires_in.map(|e| crate::util::unix_now().saturating_add(e)),
            refresh_token: str_member(&body, "refresh_token"),
            scope: str_member(&body, "scope"),
            id_token: str_member(&body, "id_token"),
        })
    }

    async fn userinfo(&self, url: &str, access_token: &str) -> Result<Value, OAuthError> {
        let received = http::send(
            self.http()?.get(url).bearer_auth(access_token),
            Endpoint::Userinfo,
        )
        .await?;
        received.ensure_success(Endpoint::Userinfo)?;
        received.json_object(Endpoint::Userinfo)
    }

    /// GitHub's primary e-mail (or the first one). Auth.js ignores a failure here, and so
    /// do we: the sign-in goes on without an e-mail, and the reason is logged.
    async fn github_primary_email(&self, url: &str, access_token: &str) -> Option<String> {
        let result = async {
            let received = http::send(
                self.http()?.get(url).bearer_auth(access_token),
                Endpoint::Emails,
            )
            .await?;
            received.ensure_success(Endpoint::Emails)?;
            serde_json::from_slice::<Vec<Value>>(&received.body).map_err(|e| {
                OAuthError::InvalidResponse {
                    endpoint: Endpoint::Emails,
                    reason: e.to_string(),
                }
            })
        }
        .await;
        match result {
            Ok(emails) => emails
                .iter()
                .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
                .or_else(|| emails.first())
                .and_then(|e| str_member(e, "email")),
            Err(err) => {
                tracing::warn!(error = %err, "could not read the GitHub e-mail addresses");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pkce_challenge_is_base64url_sha256() {
        // Expected value from `openssl dgst -sha256 -binary | base64` (url-safe, no padding).
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mJ0kq7wX0MJQEOdGqx0nIbgsDM8ycvQ"),
            "g4tg9krjewsnraupPZx6Zq-DoyzAg0j9Pu-GzOxKFeU"
        );
    }

    #[test]
    fn random_tokens_are_43_chars_and_distinct() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let q = vec![
            ("code".to_owned(), "a".to_owned()),
            ("code".to_owned(), "b".to_owned()),
        ];
        assert!(
            matches!(single(&q, "code"), Err(OAuthError::DuplicateParameter(p)) if p == "code")
        );
        assert_eq!(single(&q, "state").unwrap(), None);
    }

    #[test]
    fn debug_output_hides_check_values() {
        let checks = Checks {
            state: Some("secret-state".to_owned()),
            code_verifier: Some("secret-verifier".to_owned()),
            nonce: None,
        };
        let shown = format!("{checks:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn provider_error_text_is_bounded() {
        assert_eq!(bounded(&"x".repeat(1000)).len(), 200);
    }
}
