//! The flow's long-lived state: the validated configuration, where the site's origin comes
//! from, where sessions live, and the codecs derived once at start-up.

use std::sync::Arc;

use crate::ConfigError;
use crate::adapter::Adapter;
use crate::clock::{Clock, SystemClock};
use crate::config::{AuthConfig, ConfigValue, Provider, SessionCallback, SessionStrategy};
use crate::cookies::CookieNames;
use crate::jwt::{JwtCodec, Secrets, TokenFormat};
#[cfg(feature = "oauth")]
use crate::providers::oauth::OAuthClient;
use crate::url::{HostError, Origin};

/// How the site's origin is known.
#[derive(Clone, Debug)]
pub(crate) enum HostPolicy {
    /// `AUTH_URL` or the configured `url`.
    Fixed(Origin),
    /// The request's `Host` / `X-Forwarded-Host` (`trust_host`).
    Trusted,
}

/// Where sessions live; the session read, the sign-in tail and the sign-out match on it.
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
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    pub(crate) checks: Option<CheckCodecs>,
    /// The codec of the credentials error message cookie (`credentials_error.rs`).
    pub(crate) credentials_error: JwtCodec,
    /// The codec of the passkey challenge cookie (`passkey.rs`); `None` without a passkey
    /// provider.
    #[cfg_attr(not(feature = "passkey"), allow(dead_code))]
    pub(crate) webauthn_challenge: Option<JwtCodec>,
    /// The codecs of the pending second factor and of the TOTP enrolment cookies
    /// (`second_factor.rs`).
    #[cfg_attr(not(feature = "totp"), allow(dead_code))]
    pub(crate) second_factor: JwtCodec,
    #[cfg_attr(not(feature = "totp"), allow(dead_code))]
    pub(crate) totp_enrolment: JwtCodec,
}

/// The codecs of the three OAuth check cookies.
#[cfg_attr(not(feature = "oauth"), allow(dead_code))]
pub(crate) struct CheckCodecs {
    pub(crate) state: JwtCodec,
    pub(crate) pkce: JwtCodec,
    pub(crate) nonce: JwtCodec,
}

/// Everything a request needs that does not change between requests.
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
    /// The OAuth client (its HTTP client and the discovery and JWKS caches).
    #[cfg(feature = "oauth")]
    pub(crate) oauth: OAuthClient,
    /// The per-user session versions read (revocable JWT sessions): with an adapter under
    /// the jwt strategy, unless the check is turned off.
    pub(crate) versions: Option<super::revocation::SessionVersions>,
    /// The session rows read (database strategy), unless the cache is turned off.
    pub(crate) session_rows: Option<super::database::SessionRows>,
    /// The source of "now" ([`SystemClock`] unless [`crate::Auth::with_clock`] set one).
    pub(crate) clock: Arc<dyn Clock>,
    /// The sign-in rate limits (on the same clock).
    pub(crate) limiter: crate::limits::Limiter,
    /// The second factor (`second_factor: { totp: .. }`): its settings and keys.
    #[cfg(feature = "totp")]
    pub(crate) totp: Option<super::second_factor::Totp>,
    /// The e-mail providers' token keys and SMTP transports (`None` without one).
    #[cfg(feature = "email")]
    pub(crate) email: Option<super::email::EmailState>,
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
    /// Validates `config`, resolves its secrets, site URL and `env(..)` values, and derives
    /// every codec (see [`crate::Auth::new`] for the rules).
    pub(crate) fn new(
        mut config: AuthConfig<T, U>,
        adapter: Option<Arc<dyn Adapter>>,
    ) -> Result<Self, ConfigError> {
        let strategy = match (config.strategy, &adapter) {
            (SessionStrategy::Jwt, _) => Strategy::Jwt,
            (SessionStrategy::Database, Some(db)) => Strategy::Database(db.clone()),
            (SessionStrategy::Database, None) => return Err(ConfigError::MissingAdapter),
        };
        validate(&config, &strategy, adapter.as_ref())?;
        if adapter.is_none()
            && let Some(p) = config
                .providers
                .iter()
                .find(|p| matches!(p, Provider::Email(_)))
        {
            return Err(ConfigError::EmailNeedsAdapter(p.id().to_owned()));
        }
        resolve_provider_env(&mut config)?;
        #[cfg(feature = "oauth")]
        for p in &config.providers {
            if let Provider::OAuth(o) = p {
                crate::providers::oauth::check_provider(o).map_err(|reason| {
                    ConfigError::InvalidProvider {
                        provider: o.id.clone(),
                        reason,
                    }
                })?;
            }
        }
        let secrets = resolve_secrets(&config)?;
        #[cfg(feature = "email")]
        let email = {
            let providers: Vec<&crate::config::EmailProvider> = config
                .providers
                .iter()
                .filter_map(|p| match p {
                    Provider::Email(e) => Some(e),
                    _ => None,
                })
                .collect();
            super::email::EmailState::new(&providers, &secrets)?
        };
        let csrf_secret = crate::csrf::secret_material(&secrets);
        #[cfg(feature = "totp")]
        let totp = super::second_factor::Totp::new(&config, &secrets)?;
        let secrets = Secrets::new(secrets).map_err(ConfigError::InvalidSecret)?;
        let host = resolve_host(&config)?;

        let has_oauth = config
            .providers
            .iter()
            .any(|p| matches!(p, Provider::OAuth(_)));
        let has_passkey = config
            .providers
            .iter()
            .any(|p| matches!(p, Provider::Passkey(_)));
        let derive = |secure| {
            derive_scheme(
                &secrets,
                &config.token_format,
                secure,
                has_oauth,
                has_passkey,
            )
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
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let limiter = crate::limits::Limiter::new(
            config.sign_in_limits.clone(),
            adapter.clone(),
            clock.clone(),
        );
        let versions = super::revocation::versions_for(
            &strategy,
            adapter.as_ref(),
            config.session_check_interval,
        );
        let session_rows = match strategy {
            Strategy::Database(_) => {
                super::database::SessionRows::for_interval(config.session_cache_interval)
            }
            Strategy::Jwt => None,
        };
        Ok(Inner {
            config,
            host,
            strategy,
            adapter,
            csrf_secret,
            http,
            https,
            #[cfg(feature = "oauth")]
            oauth: OAuthClient::default(),
            versions,
            session_rows,
            limiter,
            clock,
            #[cfg(feature = "totp")]
            totp,
            #[cfg(feature = "email")]
            email,
        })
    }

    /// Replaces the clock (the flow's and the limits').
    pub(crate) fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.limiter = crate::limits::Limiter::new(
            self.config.sign_in_limits.clone(),
            self.adapter.clone(),
            clock.clone(),
        );
        self.clock = clock;
    }

    /// The current time of this service's clock.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.clock.now()
    }

    /// The origin and scheme data of a request.
    pub(crate) fn resolve(
        &self,
        headers: &http::HeaderMap,
        uri: &http::Uri,
    ) -> Result<(Origin, &Scheme), HostError> {
        let origin = match &self.host {
            HostPolicy::Fixed(o) => o.clone(),
            HostPolicy::Trusted => crate::url::origin_from_request(headers, uri)?,
        };
        let scheme = if origin.is_https() {
            self.https.as_ref()
        } else {
            self.http.as_ref()
        };
        Ok((origin, scheme.ok_or(HostError::Invalid)?))
    }
}

/// The rules that need no environment: strategy and `session` callback agree, the base
/// path and provider ids fit in URLs, ids are unique.
/// The longest `max_age` accepted: 400 days, the longest cookie lifetime browsers keep
/// (RFC 6265bis caps `Max-Age`/`Expires` there), so a longer session could not outlive its cookie.
pub(crate) const MAX_SESSION_AGE: u64 = 400 * 24 * 60 * 60;

/// A relying party id: a lowercase domain name (`example.com`, `localhost`), no scheme,
/// port or path. Whether it fits the site's host is checked per request (it must be the
/// host or a parent domain of it).
fn valid_rp_id(rp_id: &str) -> bool {
    !rp_id.is_empty()
        && rp_id.len() <= 253
        && rp_id.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn validate<T, U>(
    config: &AuthConfig<T, U>,
    strategy: &Strategy,
    adapter: Option<&Arc<dyn Adapter>>,
) -> Result<(), ConfigError> {
    match (strategy, &config.session) {
        (Strategy::Jwt, Some(SessionCallback::Database(_)))
        | (Strategy::Database(_), Some(SessionCallback::Jwt(_))) => {
            return Err(ConfigError::SessionCallbackMismatch);
        }
        _ => {}
    }
    if config.max_age == 0 || config.max_age > MAX_SESSION_AGE {
        return Err(ConfigError::InvalidMaxAge(config.max_age));
    }
    if config.reissue_after > 0 {
        if matches!(strategy, Strategy::Database(_)) {
            return Err(ConfigError::ReissueAfterWithDatabase);
        }
        if config.reissue_after >= config.max_age {
            return Err(ConfigError::InvalidReissueAfter {
                reissue_after: config.reissue_after,
                max_age: config.max_age,
            });
        }
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
        if cfg!(not(feature = "oauth")) && matches!(p, Provider::OAuth(_)) {
            return Err(ConfigError::OAuthDisabled(p.id().to_owned()));
        }
        if let Provider::Passkey(passkey) = p {
            if cfg!(not(feature = "passkey")) {
                return Err(ConfigError::PasskeyDisabled(p.id().to_owned()));
            }
            if adapter.is_none() {
                return Err(ConfigError::PasskeyWithoutAdapter(p.id().to_owned()));
            }
            if let Some(rp_id) = &passkey.rp_id
                && !valid_rp_id(rp_id)
            {
                return Err(ConfigError::InvalidRpId(rp_id.clone()));
            }
        }
        if let Provider::Email(e) = p {
            if cfg!(not(feature = "email")) {
                return Err(ConfigError::EmailDisabled(e.id.clone()));
            }
            if e.max_age == 0 || e.max_age > MAX_SESSION_AGE {
                return Err(ConfigError::InvalidEmailMaxAge(e.id.clone()));
            }
        }
    }
    if config.second_factor.is_some() {
        if cfg!(not(feature = "totp")) {
            return Err(ConfigError::TotpDisabled);
        }
        if matches!(strategy, Strategy::Jwt) && adapter.is_none() {
            return Err(ConfigError::SecondFactorNeedsAdapter);
        }
    }

    Ok(())
}

/// Every `env(..)` of a provider is read now, from the configuration's environment
/// ([`AuthConfig::with_env`], else the process), and kept as a literal: a missing one is an
/// error at start-up, not at the first sign-in, and requests never read the environment.
fn resolve_provider_env<T, U>(config: &mut AuthConfig<T, U>) -> Result<(), ConfigError> {
    let env = config.env.clone();
    for p in &mut config.providers {
        if let Provider::OAuth(o) = p {
            for v in [&mut o.client_id, &mut o.client_secret]
                .into_iter()
                .chain(
                    [
                        &mut o.issuer,
                        &mut o.authorization_url,
                        &mut o.token_url,
                        &mut o.userinfo_url,
                        &mut o.github_emails_url,
                        &mut o.tenant_id,
                    ]
                    .into_iter()
                    .flatten(),
                )
                .chain(
                    o.client_secret_jwt
                        .iter_mut()
                        .flat_map(|k| [&mut k.team_id, &mut k.key_id, &mut k.private_key]),
                )
            {
                *v = ConfigValue::Literal(v.resolve_in(&env)?);
            }
        }
        if let Provider::Email(e) = p {
            e.server = ConfigValue::Literal(e.server.resolve_in(&env)?);
        }
    }
    Ok(())
}

/// The configured secrets, else `AUTH_SECRET_3` .. `AUTH_SECRET` (Auth.js's order); each
/// at least [`crate::MIN_SECRET_BYTES`] long.
fn resolve_secrets<T, U>(config: &AuthConfig<T, U>) -> Result<Vec<String>, ConfigError> {
    let mut secrets = Vec::new();
    for s in &config.secrets {
        secrets.push(s.resolve_in(&config.env)?);
    }
    secrets.retain(|s| !s.is_empty());
    if secrets.is_empty() {
        secrets.extend(
            crate::jwt::SECRET_ENV_VARS
                .into_iter()
                .filter_map(|name| config.env.var(name)),
        );
    }
    if secrets.is_empty() {
        return Err(ConfigError::MissingSecret);
    }
    if let Some((index, s)) = secrets
        .iter()
        .enumerate()
        .find(|(_, s)| s.len() < crate::MIN_SECRET_BYTES)
    {
        return Err(ConfigError::WeakSecret {
            index,
            len: s.len(),
        });
    }
    Ok(secrets)
}

/// The configured `url`, else `AUTH_URL`; without one, `trust_host` (or `AUTH_TRUST_HOST`).
fn resolve_host<T, U>(config: &AuthConfig<T, U>) -> Result<HostPolicy, ConfigError> {
    let url = match &config.url {
        Some(v) => Some(v.resolve_in(&config.env)?),
        None => config.env.var("AUTH_URL"),
    };
    let trust_host = config.trust_host.unwrap_or_else(|| {
        config
            .env
            .var("AUTH_TRUST_HOST")
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
    });
    match url {
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
            Ok(HostPolicy::Fixed(origin))
        }
        None if trust_host => Ok(HostPolicy::Trusted),
        None => Err(ConfigError::MissingUrl),
    }
}

/// The cookie names and codecs of the http (`secure == false`) or https scheme.
fn derive_scheme(
    secrets: &Secrets,
    format: &TokenFormat,
    secure: bool,
    has_oauth: bool,
    has_passkey: bool,
) -> Result<Scheme, ConfigError> {
    let names = CookieNames::new(secure);
    let codec_as = |salt: &str, format: TokenFormat| {
        JwtCodec::new(secrets, salt, format).map_err(ConfigError::InvalidSecret)
    };
    let codec = |salt: &str| codec_as(salt, TokenFormat::AuthJs);
    let session = codec_as(&names.session_token, format.clone())?;
    let checks = if has_oauth {
        Some(CheckCodecs {
            state: codec(&names.state)?,
            pkce: codec(&names.pkce_code_verifier)?,
            nonce: codec(&names.nonce)?,
        })
    } else {
        None
    };
    let credentials_error = codec(&names.credentials_error)?;
    let webauthn_challenge = if has_passkey {
        Some(codec(&names.webauthn_challenge)?)
    } else {
        None
    };
    let second_factor = codec(&names.second_factor)?;
    let totp_enrolment = codec(&names.totp_enrolment)?;
    Ok(Scheme {
        names,
        session,
        checks,
        credentials_error,
        webauthn_challenge,
        second_factor,
        totp_enrolment,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::valid_rp_id;

    #[test]
    fn relying_party_ids_are_domain_names() {
        for ok in [
            "localhost",
            "example.com",
            "auth.example.co.uk",
            "xn--bcher-kva.example",
            "a-b.c1",
        ] {
            assert!(valid_rp_id(ok), "{ok}");
        }
        for bad in [
            "",
            "https://example.com",
            "example.com:8443",
            "example.com/login",
            "Example.com",
            "example..com",
            ".example.com",
            "example.com.",
            "-example.com",
            "exa mple.com",
            "exämple.com",
        ] {
            assert!(!valid_rp_id(bad), "{bad}");
        }
    }

    proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]
        /// Lowercase labels joined by dots are accepted.
        #[test]
        fn lowercase_labels_are_accepted(labels in proptest::collection::vec("[a-z0-9]{1,20}", 1..5)) {
            prop_assert!(valid_rp_id(&labels.join(".")));
        }

        /// Nothing with a scheme, port, path, uppercase letter or space is.
        #[test]
        fn urls_and_odd_characters_are_refused(s in ".{0,40}", c in "[:/A-Z _@?#]") {
            let with = format!("{s}{c}");
            prop_assert!(!valid_rp_id(&with));
        }
    }
}
