//! Typed errors.

/// The configuration cannot start.
///
/// `Debug` prints the same text as `Display` (what to set or change), so
/// `fn main() -> Result<(), Box<dyn std::error::Error>>` ending with `Auth::new(..)?` shows
/// the fix rather than a variant name.
#[derive(thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// An `env("NAME")` value (or `AUTH_SECRET`) is not set.
    #[error("environment variable `{0}` is not set (or is empty)")]
    MissingEnv(&'static str),
    /// No secret in the configuration and none of `AUTH_SECRET`, `AUTH_SECRET_1..3` is set.
    #[error(
        "no secret: set AUTH_SECRET (at least 32 random characters, e.g. `openssl rand -base64 33`) or configure `secret`"
    )]
    MissingSecret,
    /// A secret is shorter than [`MIN_SECRET_BYTES`](crate::MIN_SECRET_BYTES) bytes (the
    /// index counts in the order secrets are tried: the configured ones, else
    /// `AUTH_SECRET_3` .. `AUTH_SECRET`).
    #[error(
        "secret #{index} is {len} bytes, too short to protect sessions: use at least 32 random bytes (e.g. `openssl rand -base64 33` for AUTH_SECRET)"
    )]
    WeakSecret {
        /// Which secret (0 = the one that encodes).
        index: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// `session.max_age` is zero or longer than 400 days (browsers keep no cookie longer).
    #[error(
        "session max_age {0} s is out of range: use 1 s to 400 days (34560000 s); browsers keep no cookie longer (Auth.js's default is 30 days)"
    )]
    InvalidMaxAge(u64),
    /// `session.reissue_after` is not below `session.max_age`: the session would expire
    /// before the cookie is re-issued.
    #[error(
        "session reissue_after {reissue_after} s is not below max_age {max_age} s: the session would expire before a read re-issues the cookie; use a value below max_age (an hour, 3600, re-issues it at most hourly), or 0 to re-issue it on every read (Auth.js)"
    )]
    InvalidReissueAfter {
        /// `reissue_after`, in seconds.
        reissue_after: u64,
        /// `max_age`, in seconds.
        max_age: u64,
    },
    /// `session.reissue_after` under the database strategy, which re-issues nothing on a
    /// read: its sessions are extended by `update_age`.
    #[error(
        "session reissue_after applies to JWT sessions only: the database strategy extends a session by `update_age` (set that instead), so remove reissue_after or use the jwt strategy"
    )]
    ReissueAfterWithDatabase,
    /// The secrets were refused by the token codec.
    #[error("the secret cannot be used: {0}")]
    InvalidSecret(crate::jwt::JwtError),
    /// The base path is not of the form `/segment[/segment...]`.
    #[error(
        "base path `{0}` is not valid; it must start with `/`, not end with `/`, and contain no `//`, `?`, `#` or spaces (e.g. `/api/auth`)"
    )]
    InvalidBasePath(String),
    /// No provider is configured.
    #[error(
        "no provider is configured; add at least one (e.g. `Credentials {{ .. }}` or `GitHub {{ .. }}`)"
    )]
    NoProviders,
    /// Two providers share an id.
    #[error("two providers have the id `{0}`; give one of them another `id`")]
    DuplicateProvider(String),
    /// A provider's option cannot be used (Apple's private key unreadable, Entra ID's
    /// `tenant_id` not a tenant).
    #[error("provider `{provider}`: {reason}")]
    InvalidProvider {
        /// The provider's id.
        provider: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A provider id cannot appear in a URL path.
    #[error("provider id `{0}` is not valid; use letters, digits, `-` and `_`")]
    InvalidProviderId(String),
    /// `AUTH_URL` (or the configured `url`) is not an absolute http(s) URL.
    #[error("the site URL is not valid: {0}")]
    InvalidUrl(String),
    /// Neither a site URL nor `trust_host`: the runtime could not build absolute URLs.
    #[error(
        "the site URL is unknown: set AUTH_URL (or `url` in the config), or AUTH_TRUST_HOST=true (`trust_host`) behind a proxy you control"
    )]
    MissingUrl,
    /// `strategy: database` without an adapter.
    #[error(
        "`strategy: database` needs a database adapter: start with `Auth::with_adapter(config, Arc::new(adapter))` (e.g. `SqliteAdapter::connect(\"sqlite://auth.db\")`)"
    )]
    MissingAdapter,
    /// A `session` callback of the wrong strategy's form.
    #[error(
        "the `session` callback takes `user` under the database strategy and `token` under the jwt strategy"
    )]
    SessionCallbackMismatch,
    /// An OAuth/OIDC provider is configured but the runtime was built without its client
    /// (the `oauth` feature).
    #[error(
        "provider `{0}` is an OAuth provider, and auth-runtime was built without the `oauth` feature: enable it (`auth-runtime = {{ version = \"..\", features = [\"oauth\"] }}`, on by default)"
    )]
    OAuthDisabled(String),
    /// A `Passkey` provider in a runtime built without the `passkey` feature.
    #[error(
        "provider `{0}` is a passkey provider, and auth-runtime was built without the `passkey` feature: enable it (`auth-runtime = {{ version = \"..\", features = [\"passkey\"] }}`)"
    )]
    PasskeyDisabled(String),
    /// A `Passkey` provider without an adapter: the passkeys are stored in the database.
    #[error(
        "provider `{0}` is a passkey provider, which stores the passkeys in a database: build the `Auth` with `Auth::with_adapter`"
    )]
    PasskeyWithoutAdapter(String),
    /// A passkey provider's `rp_id` is not a domain name.
    #[error(
        "the passkey `rp_id` `{0}` is not a domain name: write the site's host or a parent domain of it, lowercase, without scheme, port or path (`example.com`)"
    )]
    InvalidRpId(String),
    /// `second_factor` is configured but the runtime was built without the `totp` feature.
    #[error(
        "`second_factor: {{ totp: .. }}` needs auth-runtime's `totp` feature: enable it (`auth-runtime = {{ version = \"..\", features = [\"totp\"] }}`)"
    )]
    TotpDisabled,
    /// `second_factor` without a database adapter to keep the enrolments in.
    #[error(
        "`second_factor` needs a database adapter to store the enrolments: start with `Auth::with_adapter(config, Arc::new(adapter))`"
    )]
    SecondFactorNeedsAdapter,
    /// TOTP settings out of range (digits 6..=8, period 15..=300 seconds, a non-empty issuer
    /// without `:`).
    #[error("the TOTP settings are not valid: {0}")]
    InvalidTotp(String),
    /// An e-mail provider is configured but the runtime was built without the `email` feature.
    #[error(
        "provider `{0}` is an e-mail provider, and auth-runtime was built without the `email` feature: enable it (`auth-runtime = {{ version = \"..\", features = [\"email\"] }}`)"
    )]
    EmailDisabled(String),
    /// An e-mail provider without an adapter (Auth.js's `MissingAdapter`): its tokens and
    /// users live in the database.
    #[error(
        "provider `{0}` signs in by e-mail and needs a database adapter for its one-time tokens and users: start with `Auth::with_adapter(config, Arc::new(adapter))` (e.g. `SqliteAdapter::connect(\"sqlite://auth.db\")`)"
    )]
    EmailNeedsAdapter(String),
    /// The e-mail provider's `server` is not an SMTP URL it can use.
    #[error(
        "the SMTP server of provider `{id}` is not valid: {reason} (use `smtps://user:password@host:465` or `smtp://user:password@host:587?tls=required`)"
    )]
    InvalidEmailServer {
        /// The provider's id.
        id: String,
        /// What is wrong (never the password).
        reason: String,
    },
    /// The e-mail provider's `from` is not a mailbox (`Name <address>` or `address`).
    #[error(
        "the `from` of provider `{id}` is not a mailbox: `{from}` (write `\"Example <no-reply@example.com>\"`)"
    )]
    InvalidEmailFrom {
        /// The provider's id.
        id: String,
        /// The value.
        from: String,
    },
    /// The e-mail provider's `max_age` is zero or longer than the session limit.
    #[error(
        "the `max_age` of provider `{0}` is out of range: use 1 s to 400 days (Auth.js's default is 24 hours)"
    )]
    InvalidEmailMaxAge(String),
}

impl std::fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
