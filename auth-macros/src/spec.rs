//! What `auth!` accepts, one table each: the `session` and `pages` keys, the strategies,
//! the callbacks and events with their parameters, and the providers with their options.
//!
//! `check` validates against these tables and turns the names it finds into the typed keys
//! below (so `expand` matches on enums, never on strings), and the unit tests below keep
//! the tables of `auth_runtime::auth!`'s documentation and of README.md's syntax reference
//! equal to these (the provider table is rendered from [`PROVIDERS`] and compared line by
//! line).
//!
//! Longer than the ~500 lines a file gets: the tables are data, one row a line, and their
//! tests stay inline because `benches/expand.rs` includes this file by path.

/// A name the user writes and the typed key it stands for.
pub type Named<K> = (&'static str, K);

/// The names of a table, in its order (for "did you mean" lists).
pub fn names<K>(table: &[Named<K>]) -> Vec<&'static str> {
    table.iter().map(|(name, _)| *name).collect()
}

/// The typed key of `name`.
pub fn lookup<K: Copy>(table: &[Named<K>], name: &str) -> Option<K> {
    table.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

// ---- session, pages ----

/// Where the session lives (`session: { strategy: .. }`, jwt by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    #[default]
    Jwt,
    Database,
}

pub const STRATEGIES: &[Named<Strategy>] =
    &[("jwt", Strategy::Jwt), ("database", Strategy::Database)];

/// A key of `session: { .. }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKey {
    Strategy,
    MaxAge,
    UpdateAge,
    ReissueAfter,
}

pub const SESSION_KEYS: &[Named<SessionKey>] = &[
    ("strategy", SessionKey::Strategy),
    ("max_age", SessionKey::MaxAge),
    ("update_age", SessionKey::UpdateAge),
    ("reissue_after", SessionKey::ReissueAfter),
];

/// Auth.js's session lifetime, 30 days: what `max_age` is when not written (the runtime's
/// `DEFAULT_MAX_AGE`), against which a literal `reissue_after` is checked.
pub const DEFAULT_MAX_AGE: u64 = 30 * 24 * 60 * 60;

/// A key of `pages: { .. }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKey {
    SignIn,
    SignOut,
    Error,
    VerifyRequest,
}

pub const PAGE_KEYS: &[Named<PageKey>] = &[
    ("sign_in", PageKey::SignIn),
    ("sign_out", PageKey::SignOut),
    ("error", PageKey::Error),
    ("verify_request", PageKey::VerifyRequest),
];

// ---- limits ----

/// A section of `limits: { .. }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitSectionKey {
    SignIn,
}

pub const LIMIT_SECTIONS: &[Named<LimitSectionKey>] = &[("sign_in", LimitSectionKey::SignIn)];

/// A key of `limits: { sign_in: { .. } }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInLimitKey {
    PerIp,
    PerIdentifier,
    Identifier,
    MaxKeys,
}

pub const SIGN_IN_LIMIT_KEYS: &[Named<SignInLimitKey>] = &[
    ("per_ip", SignInLimitKey::PerIp),
    ("per_identifier", SignInLimitKey::PerIdentifier),
    ("identifier", SignInLimitKey::Identifier),
    ("max_keys", SignInLimitKey::MaxKeys),
];

// ---- second factor ----

/// A section of `second_factor: { .. }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactorKey {
    Totp,
}

pub const SECOND_FACTORS: &[Named<SecondFactorKey>] = &[("totp", SecondFactorKey::Totp)];

/// A key of `second_factor: { totp: { .. } }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TotpKey {
    Issuer,
    Digits,
    Period,
}

pub const TOTP_KEYS: &[Named<TotpKey>] = &[
    ("issuer", TotpKey::Issuer),
    ("digits", TotpKey::Digits),
    ("period", TotpKey::Period),
];

/// The digits a TOTP code may have, and the periods (seconds) it may last.
pub const TOTP_DIGITS: std::ops::RangeInclusive<u32> = 6..=8;
pub const TOTP_PERIODS: std::ops::RangeInclusive<u64> = 15..=300;

/// The units of a limit's period (`60s`, `15min`, `1h`, `1d`), in seconds.
pub const PERIOD_UNITS: &[Named<u64>] = &[("s", 1), ("min", 60), ("h", 3600), ("d", 86_400)];

// ---- callbacks, events ----

/// A callback or an event: its name, its typed kind and the parameters it may name.
pub struct HandlerSpec<K> {
    pub name: &'static str,
    pub kind: K,
    pub params: &'static [&'static str],
    /// The parameters bound `mut` (the value the body changes and returns).
    pub mutable: &'static [&'static str],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallbackKind {
    SignIn,
    Jwt,
    Session,
    Redirect,
}

pub const CALLBACKS: &[HandlerSpec<CallbackKind>] = &[
    HandlerSpec {
        name: "sign_in",
        kind: CallbackKind::SignIn,
        params: &[
            "user",
            "account",
            "profile",
            "credentials",
            "request",
            "amr",
        ],
        mutable: &[],
    },
    HandlerSpec {
        name: "jwt",
        kind: CallbackKind::Jwt,
        params: &[
            "token",
            "user",
            "account",
            "profile",
            "trigger",
            "is_new_user",
            "session",
        ],
        mutable: &["token", "session"],
    },
    HandlerSpec {
        name: "session",
        kind: CallbackKind::Session,
        params: &["session", "token", "user"],
        mutable: &["session"],
    },
    HandlerSpec {
        name: "redirect",
        kind: CallbackKind::Redirect,
        params: &["url", "base_url"],
        mutable: &[],
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    SignIn,
    SignOut,
    CreateUser,
    LinkAccount,
    Session,
    SignInFailed,
    LockedOut,
}

pub const EVENTS: &[HandlerSpec<EventKind>] = &[
    HandlerSpec {
        name: "sign_in",
        kind: EventKind::SignIn,
        params: &["user", "account", "profile", "is_new_user"],
        mutable: &[],
    },
    HandlerSpec {
        name: "sign_out",
        kind: EventKind::SignOut,
        params: &["user_id"],
        mutable: &[],
    },
    HandlerSpec {
        name: "create_user",
        kind: EventKind::CreateUser,
        params: &["user"],
        mutable: &[],
    },
    HandlerSpec {
        name: "link_account",
        kind: EventKind::LinkAccount,
        params: &["user", "account"],
        mutable: &[],
    },
    HandlerSpec {
        name: "session",
        kind: EventKind::Session,
        params: &["session", "user_id"],
        mutable: &[],
    },
    HandlerSpec {
        name: "sign_in_failed",
        kind: EventKind::SignInFailed,
        params: &["provider", "identifier", "ip", "code"],
        mutable: &[],
    },
    HandlerSpec {
        name: "locked_out",
        kind: EventKind::LockedOut,
        params: &["provider", "identifier", "ip", "limit", "retry_after"],
        mutable: &[],
    },
];

// ---- token and session user ----

/// A standard field of a generated struct: its name, type and doc.
pub struct StandardField {
    pub name: &'static str,
    pub ty: StandardType,
    pub doc: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StandardType {
    String,
    OptionString,
    OptionI64,
    OptionVecString,
}

impl StandardType {
    pub fn as_str(self) -> &'static str {
        match self {
            StandardType::String => "String",
            StandardType::OptionString => "Option<String>",
            StandardType::OptionI64 => "Option<i64>",
            StandardType::OptionVecString => "Option<Vec<String>>",
        }
    }
}

const fn std_field(name: &'static str, ty: StandardType, doc: &'static str) -> StandardField {
    StandardField { name, ty, doc }
}

const NAME: StandardField = std_field(
    "name",
    StandardType::OptionString,
    "The user's display name.",
);
const EMAIL: StandardField = std_field(
    "email",
    StandardType::OptionString,
    "The user's e-mail address.",
);

/// The standard claims every `Token` has (all `Option`).
pub const TOKEN_CLAIMS: &[StandardField] = &[
    std_field("sub", StandardType::OptionString, "Subject: the user id."),
    NAME,
    EMAIL,
    std_field(
        "picture",
        StandardType::OptionString,
        "The user's avatar URL.",
    ),
    std_field(
        "iat",
        StandardType::OptionI64,
        "Issued at (seconds since the epoch).",
    ),
    std_field(
        "exp",
        StandardType::OptionI64,
        "Expires at (seconds since the epoch).",
    ),
    std_field("jti", StandardType::OptionString, "Unique token id."),
];

/// The claim a `Token` has beside [`TOKEN_CLAIMS`] when `second_factor` is declared.
pub const SECOND_FACTOR_CLAIM: StandardField = std_field(
    "amr",
    StandardType::OptionVecString,
    "How the user authenticated (RFC 8176): `[\"pwd\", \"otp\"]` after the second factor.",
);

/// The standard fields every `SessionUser` has.
pub const SESSION_USER_FIELDS: &[StandardField] = &[
    NAME,
    EMAIL,
    std_field(
        "image",
        StandardType::OptionString,
        "The user's avatar URL.",
    ),
];

/// The standard fields of the `User` that `user: { .. }` generates: the runtime `User`'s.
pub const USER_FIELDS: &[StandardField] = &[
    std_field(
        "id",
        StandardType::String,
        "Stable identifier; becomes the token's `sub`.",
    ),
    NAME,
    EMAIL,
    std_field(
        "image",
        StandardType::OptionString,
        "The user's avatar URL; becomes the token's `picture`.",
    ),
    std_field(
        "email_verified",
        StandardType::OptionI64,
        "When the e-mail address was verified (seconds since the epoch), if known.",
    ),
];

// ---- providers ----

/// A provider the DSL knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderKind {
    Credentials,
    GitHub,
    Google,
    MicrosoftEntraId,
    Apple,
    GitLab,
    Discord,
    Keycloak,
    Okta,
    Auth0,
    Facebook,
    Twitter,
    Slack,
    LinkedIn,
    Twitch,
    Oidc,
    OAuth,
    Passkey,
    Email,
}

/// A provider option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opt {
    Id,
    Name,
    Scope,
    ClientId,
    ClientSecret,
    Issuer,
    AuthorizationUrl,
    TokenUrl,
    UserinfoUrl,
    Authorize,
    Profile,
    ClientAuth,
    AllowDangerousEmailAccountLinking,
    Fields,
    RpName,
    RpId,
    TenantId,
    AllowedTenants,
    TeamId,
    KeyId,
    PrivateKey,
    Server,
    From,
    MaxAge,
    SendVerificationRequest,
}

/// How an option's value is written, which decides how `check` reads it and what
/// `expand` turns it into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A string literal, known at compile time (it is part of URLs).
    IdLiteral,
    /// Any `Into<String>` expression.
    Text,
    /// `env("NAME")` (read at start-up) or any `Into<ConfigValue>` expression.
    Config,
    /// A `bool` expression.
    Flag,
    /// `client_secret_basic` or `client_secret_post` (a bare word or a string literal).
    ClientAuth,
    /// `|credentials| async move { .. }` returning `Option<User>`.
    Authorize,
    /// `fn(&serde_json::Value) -> Option<Profile>`.
    Profile,
    /// `{ name: { label: "..", type: "..", placeholder: "..", required: bool }, .. }`: the
    /// credentials form (see [`FIELD_OPTIONS`]).
    Fields,
    /// A list of strings: `["a", "b"]`, a `Vec<String>`, any iterator of `Into<String>`.
    List,
    /// A `u64` expression: seconds.
    Seconds,
    /// `|request, state| async move { .. }` returning `()` or `Result<(), E>`, or a function
    /// taking the `VerificationRequest`.
    SendHook,
}

impl Opt {
    /// The name the user writes.
    pub const fn name(self) -> &'static str {
        match self {
            Opt::Id => "id",
            Opt::Name => "name",
            Opt::Scope => "scope",
            Opt::ClientId => "client_id",
            Opt::ClientSecret => "client_secret",
            Opt::Issuer => "issuer",
            Opt::AuthorizationUrl => "authorization_url",
            Opt::TokenUrl => "token_url",
            Opt::UserinfoUrl => "userinfo_url",
            Opt::Authorize => "authorize",
            Opt::Profile => "profile",
            Opt::ClientAuth => "client_auth",
            Opt::AllowDangerousEmailAccountLinking => "allow_dangerous_email_account_linking",
            Opt::Fields => "fields",
            Opt::RpName => "rp_name",
            Opt::RpId => "rp_id",
            Opt::TenantId => "tenant_id",
            Opt::AllowedTenants => "allowed_tenants",
            Opt::TeamId => "team_id",
            Opt::KeyId => "key_id",
            Opt::PrivateKey => "private_key",
            Opt::Server => "server",
            Opt::From => "from",
            Opt::MaxAge => "max_age",
            Opt::SendVerificationRequest => "send_verification_request",
        }
    }

    /// How its value is written.
    pub const fn value(self) -> ValueKind {
        match self {
            Opt::Id => ValueKind::IdLiteral,
            Opt::Name | Opt::Scope | Opt::RpName | Opt::RpId | Opt::From => ValueKind::Text,
            Opt::ClientId
            | Opt::ClientSecret
            | Opt::Issuer
            | Opt::AuthorizationUrl
            | Opt::TokenUrl
            | Opt::UserinfoUrl
            | Opt::TenantId
            | Opt::TeamId
            | Opt::KeyId
            | Opt::PrivateKey
            | Opt::Server => ValueKind::Config,
            Opt::AllowedTenants => ValueKind::List,
            Opt::Authorize => ValueKind::Authorize,
            Opt::Profile => ValueKind::Profile,
            Opt::ClientAuth => ValueKind::ClientAuth,
            Opt::AllowDangerousEmailAccountLinking => ValueKind::Flag,
            Opt::Fields => ValueKind::Fields,
            Opt::MaxAge => ValueKind::Seconds,
            Opt::SendVerificationRequest => ValueKind::SendHook,
        }
    }

    /// An example value for a "missing option" help, for provider `kind`.
    pub fn example(self, kind: &str) -> String {
        // The prefix of the example's variables (`GITHUB_ID`; `ENTRA_ID` for Entra ID).
        let upper = match kind {
            "MicrosoftEntraId" => "ENTRA".to_owned(),
            _ => kind.to_uppercase(),
        };
        match self {
            Opt::ClientId => format!("client_id: env(\"{upper}_ID\")"),
            Opt::ClientSecret => format!("client_secret: env(\"{upper}_SECRET\")"),
            Opt::Authorize => "authorize: |credentials| async move { .. }".to_owned(),
            Opt::Id => "id: \"my-provider\"".to_owned(),
            Opt::Issuer => "issuer: \"https://sso.example.com\"".to_owned(),
            Opt::TenantId => format!("tenant_id: env(\"{upper}_TENANT_ID\")"),
            Opt::TeamId => format!("team_id: env(\"{upper}_TEAM_ID\")"),
            Opt::KeyId => format!("key_id: env(\"{upper}_KEY_ID\")"),
            Opt::PrivateKey => format!("private_key: env(\"{upper}_PRIVATE_KEY\")"),
            Opt::AllowedTenants => "allowed_tenants: [\"..\"]".to_owned(),
            Opt::Server => "server: env(\"EMAIL_SERVER\")".to_owned(),
            other => format!("{}: \"https://..\"", other.name()),
        }
    }
}

/// One option of a provider.
pub struct OptionSpec {
    pub opt: Opt,
    pub required: bool,
}

const fn required(opt: Opt) -> OptionSpec {
    OptionSpec {
        opt,
        required: true,
    }
}

const fn optional(opt: Opt) -> OptionSpec {
    OptionSpec {
        opt,
        required: false,
    }
}

/// What a provider accepts.
pub struct ProviderSpec {
    pub name: &'static str,
    pub kind: ProviderKind,
    /// The id when none is given (`None`: `id` is required).
    pub default_id: Option<&'static str>,
    /// Required options first, in the order the help lists them.
    pub options: &'static [OptionSpec],
}

impl ProviderSpec {
    /// The options as a name table.
    pub fn option_names(&self) -> Vec<Named<Opt>> {
        self.options.iter().map(|o| (o.opt.name(), o.opt)).collect()
    }
}

/// GitHub's and Google's options.
const PRESET_OPTIONS: &[OptionSpec] = &[
    required(Opt::ClientId),
    required(Opt::ClientSecret),
    optional(Opt::Id),
    optional(Opt::Name),
    optional(Opt::Scope),
    optional(Opt::AllowDangerousEmailAccountLinking),
];

/// The OIDC presets at a fixed issuer (Slack, LinkedIn, Twitch): `issuer` points one
/// elsewhere (a test server).
const OIDC_PRESET_OPTIONS: &[OptionSpec] = &[
    required(Opt::ClientId),
    required(Opt::ClientSecret),
    optional(Opt::Id),
    optional(Opt::Name),
    optional(Opt::Scope),
    optional(Opt::Issuer),
    optional(Opt::AllowDangerousEmailAccountLinking),
];

/// The OIDC presets whose issuer is the customer's (Keycloak with its realm, Okta, Auth0).
const ISSUER_PRESET_OPTIONS: &[OptionSpec] = &[
    required(Opt::Issuer),
    required(Opt::ClientId),
    required(Opt::ClientSecret),
    optional(Opt::Id),
    optional(Opt::Name),
    optional(Opt::Scope),
    optional(Opt::AllowDangerousEmailAccountLinking),
];

/// The OAuth 2.0 presets (GitLab, Discord, Facebook, Twitter): the endpoint URLs point one
/// elsewhere (a self-hosted GitLab, a test server).
const OAUTH_PRESET_OPTIONS: &[OptionSpec] = &[
    required(Opt::ClientId),
    required(Opt::ClientSecret),
    optional(Opt::Id),
    optional(Opt::Name),
    optional(Opt::Scope),
    optional(Opt::AuthorizationUrl),
    optional(Opt::TokenUrl),
    optional(Opt::UserinfoUrl),
    optional(Opt::AllowDangerousEmailAccountLinking),
];

/// The options of the Apple preset whose client secret is minted from a key: all three or
/// none, and then `client_secret` (checked in `check/providers.rs`).
pub const APPLE_KEY: [Opt; 3] = [Opt::TeamId, Opt::KeyId, Opt::PrivateKey];

/// The providers and their options: the one place that says what each provider takes.
pub const PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        name: "Credentials",
        kind: ProviderKind::Credentials,
        default_id: Some("credentials"),
        options: &[
            required(Opt::Authorize),
            optional(Opt::Id),
            optional(Opt::Name),
            optional(Opt::Fields),
        ],
    },
    ProviderSpec {
        name: "GitHub",
        kind: ProviderKind::GitHub,
        default_id: Some("github"),
        options: PRESET_OPTIONS,
    },
    ProviderSpec {
        name: "Google",
        kind: ProviderKind::Google,
        default_id: Some("google"),
        options: PRESET_OPTIONS,
    },
    ProviderSpec {
        name: "MicrosoftEntraId",
        kind: ProviderKind::MicrosoftEntraId,
        default_id: Some("microsoft-entra-id"),
        options: &[
            required(Opt::ClientId),
            required(Opt::ClientSecret),
            required(Opt::TenantId),
            optional(Opt::Id),
            optional(Opt::Name),
            optional(Opt::Scope),
            optional(Opt::AllowedTenants),
            optional(Opt::Issuer),
            optional(Opt::AllowDangerousEmailAccountLinking),
        ],
    },
    ProviderSpec {
        name: "Apple",
        kind: ProviderKind::Apple,
        default_id: Some("apple"),
        options: &[
            required(Opt::ClientId),
            optional(Opt::TeamId),
            optional(Opt::KeyId),
            optional(Opt::PrivateKey),
            optional(Opt::ClientSecret),
            optional(Opt::Id),
            optional(Opt::Name),
            optional(Opt::Scope),
            optional(Opt::Issuer),
            optional(Opt::AllowDangerousEmailAccountLinking),
        ],
    },
    preset(
        "GitLab",
        ProviderKind::GitLab,
        "gitlab",
        OAUTH_PRESET_OPTIONS,
    ),
    preset(
        "Discord",
        ProviderKind::Discord,
        "discord",
        OAUTH_PRESET_OPTIONS,
    ),
    preset(
        "Keycloak",
        ProviderKind::Keycloak,
        "keycloak",
        ISSUER_PRESET_OPTIONS,
    ),
    preset("Okta", ProviderKind::Okta, "okta", ISSUER_PRESET_OPTIONS),
    preset("Auth0", ProviderKind::Auth0, "auth0", ISSUER_PRESET_OPTIONS),
    preset(
        "Facebook",
        ProviderKind::Facebook,
        "facebook",
        OAUTH_PRESET_OPTIONS,
    ),
    preset(
        "Twitter",
        ProviderKind::Twitter,
        "twitter",
        OAUTH_PRESET_OPTIONS,
    ),
    preset("Slack", ProviderKind::Slack, "slack", OIDC_PRESET_OPTIONS),
    preset(
        "LinkedIn",
        ProviderKind::LinkedIn,
        "linkedin",
        OIDC_PRESET_OPTIONS,
    ),
    preset(
        "Twitch",
        ProviderKind::Twitch,
        "twitch",
        OIDC_PRESET_OPTIONS,
    ),
    ProviderSpec {
        name: "Oidc",
        kind: ProviderKind::Oidc,
        default_id: None,
        options: &[
            required(Opt::Id),
            required(Opt::Issuer),
            required(Opt::ClientId),
            required(Opt::ClientSecret),
            optional(Opt::Name),
            optional(Opt::Scope),
            optional(Opt::ClientAuth),
            optional(Opt::AllowDangerousEmailAccountLinking),
        ],
    },
    ProviderSpec {
        name: "OAuth",
        kind: ProviderKind::OAuth,
        default_id: None,
        options: &[
            required(Opt::Id),
            required(Opt::AuthorizationUrl),
            required(Opt::TokenUrl),
            required(Opt::UserinfoUrl),
            required(Opt::ClientId),
            required(Opt::ClientSecret),
            optional(Opt::Name),
            optional(Opt::Scope),
            optional(Opt::Profile),
            optional(Opt::ClientAuth),
            optional(Opt::AllowDangerousEmailAccountLinking),
        ],
    },
    ProviderSpec {
        name: "Passkey",
        kind: ProviderKind::Passkey,
        default_id: Some("passkey"),
        options: &[
            optional(Opt::RpName),
            optional(Opt::RpId),
            optional(Opt::Id),
            optional(Opt::Name),
        ],
    },
    ProviderSpec {
        name: "Email",
        kind: ProviderKind::Email,
        default_id: Some("email"),
        options: &[
            required(Opt::Server),
            optional(Opt::From),
            optional(Opt::Id),
            optional(Opt::Name),
            optional(Opt::MaxAge),
            optional(Opt::SendVerificationRequest),
        ],
    },
];

const fn preset(
    name: &'static str,
    kind: ProviderKind,
    id: &'static str,
    options: &'static [OptionSpec],
) -> ProviderSpec {
    ProviderSpec {
        name,
        kind,
        default_id: Some(id),
        options,
    }
}

/// The names of the providers, in table order.
pub fn provider_names() -> Vec<&'static str> {
    PROVIDERS.iter().map(|p| p.name).collect()
}

/// How a client authenticates at the token endpoint (`client_auth: ..`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    ClientSecretBasic,
    ClientSecretPost,
}

pub const CLIENT_AUTH: &[Named<ClientAuth>] = &[
    ("client_secret_basic", ClientAuth::ClientSecretBasic),
    ("client_secret_post", ClientAuth::ClientSecretPost),
];

// ---- credentials form fields ----

/// An option of a declared credentials field (`fields: { email: { label: .. } }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldOpt {
    Label,
    Type,
    Placeholder,
    Required,
}

pub const FIELD_OPTIONS: &[Named<FieldOpt>] = &[
    ("label", FieldOpt::Label),
    ("type", FieldOpt::Type),
    ("placeholder", FieldOpt::Placeholder),
    ("required", FieldOpt::Required),
];

/// The HTML input types a credentials field may have (`type: "email"`; `text` by default).
pub const INPUT_TYPES: &[&str] = &[
    "text", "password", "email", "tel", "number", "url", "search",
];

/// The name of the form type generated for the credentials provider `id`: its words in
/// PascalCase and `Form` (`"credentials"` → `CredentialsForm`, `"one-time-code"` →
/// `OneTimeCodeForm`).
pub fn form_type_name(id: &str) -> String {
    let mut out = String::new();
    for word in id.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out.push_str("Form");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The provider table of `auth_runtime::auth!`'s documentation, rendered from
    /// [`PROVIDERS`] (one markdown row per provider, without the rustdoc `///` prefix).
    fn provider_doc_table() -> Vec<String> {
        let mut rows = vec![
            "| provider | required | optional |".to_owned(),
            "| --- | --- | --- |".to_owned(),
        ];
        for p in PROVIDERS {
            let cell = |required: bool| {
                p.options
                    .iter()
                    .filter(|o| o.required == required)
                    .map(|o| option_doc(o.opt, p.default_id))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            rows.push(format!(
                "| `{}` | {} | {} |",
                p.name,
                cell(true),
                cell(false)
            ));
        }
        rows
    }

    fn option_doc(opt: Opt, default_id: Option<&str>) -> String {
        let name = opt.name();
        match (opt.value(), default_id) {
            (ValueKind::IdLiteral, Some(id)) => format!("`{name}` (default `\"{id}\"`)"),
            (ValueKind::Flag, _) => format!("`{name}: bool`"),
            (ValueKind::Authorize, _) => {
                format!(
                    "`{name}: \\|credentials, request, state\\| async move {{ .. }}` returning `Option<User>` or `Result<User, CredentialsError>`"
                )
            }
            (ValueKind::List, _) => format!("`{name}: [\"..\", ..]`"),
            (ValueKind::Profile, _) => {
                format!("`{name}: fn(&serde_json::Value) -> Option<Profile>`")
            }
            (ValueKind::Fields, _) => format!(
                "`{name}: {{ email: {{ {} }}, .. }}` (the form, typed: see below)",
                FIELD_OPTIONS
                    .iter()
                    .map(|(n, _)| format!("{n}: .."))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (ValueKind::Seconds, _) => format!("`{name}` (seconds)"),
            (ValueKind::SendHook, _) => {
                format!("`{name}: \\|request, state\\| async move {{ .. }}` (replaces the mail)")
            }
            (ValueKind::IdLiteral, None)
            | (ValueKind::Text | ValueKind::Config | ValueKind::ClientAuth, _) => {
                format!("`{name}`")
            }
        }
    }

    /// The `///` lines of the rustdoc of `auth_runtime::auth!`, without the prefix.
    fn runtime_doc() -> Vec<String> {
        include_str!("../../auth-runtime/src/lib.rs")
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("///"))
            .map(|l| l.trim().to_owned())
            .collect()
    }

    /// The rows of the documented markdown table whose header starts with `header`.
    fn doc_table(header: &str) -> Vec<String> {
        let doc = runtime_doc();
        let start = doc
            .iter()
            .position(|l| l.starts_with(header))
            .unwrap_or(doc.len());
        doc[start..]
            .iter()
            .take_while(|l| l.starts_with('|'))
            .cloned()
            .collect()
    }

    #[test]
    fn the_documented_provider_table_is_the_table() {
        let expected = provider_doc_table();
        assert!(
            doc_table("| provider |") == expected,
            "the provider table in auth-runtime/src/lib.rs differs from spec::PROVIDERS; \
             it should read:\n{}",
            expected.join("\n")
        );
    }

    /// Each documented row names the handler and every parameter it receives, in order.
    fn assert_documented<K>(header: &str, table: &[HandlerSpec<K>]) {
        let rows = doc_table(header);
        assert_eq!(rows.len(), table.len() + 2, "{header}");
        for (row, spec) in rows[2..].iter().zip(table) {
            assert!(row.starts_with(&format!("| `{}` |", spec.name)), "{row}");
            for p in spec.params {
                assert!(
                    row.contains(&format!("`{p}")) || row.contains(&format!("`mut {p}")),
                    "`{p}` of `{}` is not documented: {row}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn every_top_level_key_is_documented() {
        let doc = runtime_doc().join("\n");
        for key in crate::ast::TOP_LEVEL_KEYS {
            assert!(
                doc.contains(&format!("`{key}:")),
                "`{key}:` is not documented in auth-runtime/src/lib.rs"
            );
        }
    }

    #[test]
    fn the_documented_callbacks_and_events_are_the_tables() {
        assert_documented("| callback |", CALLBACKS);
        assert_documented("| event |", EVENTS);
    }

    /// The lines of README.md's "`auth!` syntax reference" section, trimmed.
    fn readme_reference() -> Vec<String> {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("\n## `auth!` syntax reference\n")
            .nth(1)
            .unwrap_or_default();
        let section = section.split("\n## ").next().unwrap_or_default();
        section.lines().map(|l| l.trim().to_owned()).collect()
    }

    /// The rows of the README table whose header starts with `header`.
    fn readme_table(header: &str) -> Vec<String> {
        let lines = readme_reference();
        let start = lines
            .iter()
            .position(|l| l.starts_with(header))
            .unwrap_or(lines.len());
        lines[start..]
            .iter()
            .take_while(|l| l.starts_with('|'))
            .cloned()
            .collect()
    }

    /// README.md's syntax reference has a row for every top-level key (with the `session`
    /// and `pages` keys in theirs), the provider table rendered from [`PROVIDERS`], and
    /// every callback and event with every parameter.
    #[test]
    fn the_readme_reference_is_the_tables() {
        let keys = readme_table("| key |");
        let row = |key: &str| {
            let start = format!("| `{key}:` |");
            keys.iter().find(|r| r.starts_with(&start)).cloned()
        };
        for key in crate::ast::TOP_LEVEL_KEYS {
            assert!(
                row(key).is_some(),
                "README.md's syntax reference has no row for `{key}:`"
            );
        }
        let session = row("session").unwrap_or_default();
        for name in names(SESSION_KEYS).into_iter().chain(names(STRATEGIES)) {
            assert!(session.contains(name), "`{name}` missing: {session}");
        }
        let pages = row("pages").unwrap_or_default();
        for name in names(PAGE_KEYS) {
            assert!(
                pages.contains(&format!("{name}:")),
                "`{name}` missing: {pages}"
            );
        }
        let expected = provider_doc_table();
        assert!(
            readme_table("| provider |") == expected,
            "README.md's provider table differs from spec::PROVIDERS; it should read:\n{}",
            expected.join("\n")
        );
        for (header, rows, params) in [
            (
                "| callback |",
                readme_table("| callback |"),
                CALLBACKS
                    .iter()
                    .map(|c| (c.name, c.params))
                    .collect::<Vec<_>>(),
            ),
            (
                "| event |",
                readme_table("| event |"),
                EVENTS.iter().map(|e| (e.name, e.params)).collect(),
            ),
        ] {
            assert_eq!(rows.len(), params.len() + 2, "README.md {header}");
            for (row, (name, params)) in rows[2..].iter().zip(params) {
                assert!(row.starts_with(&format!("| `{name}` |")), "{row}");
                for p in params {
                    assert!(
                        row.contains(&format!("`{p}")) || row.contains(&format!("`mut {p}")),
                        "`{p}` of `{name}` is not in README.md: {row}"
                    );
                }
            }
        }
    }

    #[test]
    fn form_type_names() {
        assert_eq!(form_type_name("credentials"), "CredentialsForm");
        assert_eq!(form_type_name("one-time-code"), "OneTimeCodeForm");
        assert_eq!(form_type_name("password"), "PasswordForm");
        assert_eq!(form_type_name("otp_v2"), "OtpV2Form");
    }

    #[test]
    fn option_names_are_unique_per_provider_and_required_come_first() {
        for p in PROVIDERS {
            let names = names(&p.option_names());
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{}", p.name);
            let first_optional = p.options.iter().position(|o| !o.required);
            assert!(
                first_optional.is_none_or(|i| p.options[i..].iter().all(|o| !o.required)),
                "{}",
                p.name
            );
            let id_required = p.options.iter().any(|o| o.opt == Opt::Id && o.required);
            assert_eq!(id_required, p.default_id.is_none(), "{}", p.name);
        }
    }
}
