//! The configured providers: credentials and OAuth 2.0 / OpenID Connect.

use std::fmt;
use std::sync::Arc;

use super::{AccountType, AuthorizeFn, ConfigValue, Profile};

/// A credentials provider (username/password or any form fields).
#[derive(Clone)]
pub struct CredentialsProvider {
    /// Provider id, `"credentials"` by default.
    pub id: String,
    /// Display name on the sign-in page.
    pub name: String,
    /// The form's fields, in order: the built-in sign-in page shows them, and a
    /// [`required`](CredentialField::required) one missing or empty refuses the sign-in
    /// (`CredentialsSignin`) before `authorize` runs.
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
    /// Placeholder text shown in the empty input.
    pub placeholder: Option<String>,
    /// Whether the sign-in is refused (`CredentialsSignin`, before `authorize` runs) when
    /// the field is missing or empty; the page marks the input `required`.
    pub required: bool,
}

impl CredentialField {
    /// An optional field with a name, a label and an HTML input type, without placeholder.
    pub fn new(name: &str, label: &str, input_type: &str) -> Self {
        CredentialField {
            name: name.to_owned(),
            label: label.to_owned(),
            input_type: input_type.to_owned(),
            placeholder: None,
            required: false,
        }
    }

    /// Sets the placeholder text.
    #[must_use]
    pub fn with_placeholder(mut self, placeholder: &str) -> Self {
        self.placeholder = Some(placeholder.to_owned());
        self
    }

    /// Sets whether the field is required.
    #[must_use]
    pub fn with_required(mut self, required: bool) -> Self {
        self.required = required;
        self
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
    /// Send PKCE (S256), on by default. Off only for providers that refuse it from a
    /// confidential client (Apple, Slack, LinkedIn); `state` is always sent.
    pub pkce: bool,
    /// OIDC: send a `nonce` and require it in the ID token, on by default. Off only for a
    /// provider whose ID token never carries it (LinkedIn).
    pub nonce: bool,
    /// Further parameters of the authorization request (Twitch's `claims`). The ones the
    /// client sets itself (`response_type`, `client_id`, `redirect_uri`, `scope`, `state`,
    /// `code_challenge`, `code_challenge_method`, `nonce`, `response_mode`) are skipped.
    pub authorization_params: Vec<(String, String)>,
    /// The provider returns with `response_mode=form_post` (Apple): the browser POSTs the
    /// callback from the provider's site, so the check cookies are `SameSite=None; Secure`,
    /// and a `user` field of the callback's form (Apple's name, sent once, unsigned) is
    /// kept in the raw profile as `user`.
    pub form_post: bool,
    /// Microsoft Entra ID: the tenant (a tenant id, or `common`, `organizations`,
    /// `consumers`). The issuer is `https://login.microsoftonline.com/{tenant}/v2.0` unless
    /// [`issuer`](Self::issuer) is set; a multi-tenant issuer's `{tenantid}` template is
    /// filled from the ID token's verified `tid`, and the token needs a `tid`.
    pub tenant_id: Option<ConfigValue>,
    /// Microsoft Entra ID: the tenants (`tid`) allowed to sign in; empty allows every
    /// tenant the issuer accepts (with `common`: every Entra tenant and personal accounts).
    pub allowed_tenants: Vec<String>,
    /// A client secret minted for each token request as an ES256 JWT (Apple), instead of
    /// [`client_secret`](Self::client_secret).
    pub client_secret_jwt: Option<ClientSecretJwt>,
}

/// What a client secret minted as a JWT is made of (Apple's "Sign in with Apple" key): an
/// ES256 token `{iss: team_id, sub: client_id, aud: issuer, iat, exp: iat + 5 min}` with
/// the header's `kid`, signed by the private key.
#[derive(Clone)]
pub struct ClientSecretJwt {
    /// The team id (`iss`).
    pub team_id: ConfigValue,
    /// The key id (`kid`).
    pub key_id: ConfigValue,
    /// The P-256 private key, PKCS#8 PEM (Apple's `.p8` file; `\n` escapes are read as
    /// line breaks, for keys kept in one-line environment variables).
    pub private_key: ConfigValue,
}

impl fmt::Debug for ClientSecretJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretJwt")
            .field("team_id", &self.team_id)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
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

/// A passkey provider (WebAuthn, `Passkey { .. }`; Auth.js's experimental `Passkey`): a
/// signed-in user registers passkeys, a signed-out one signs in with one. The ceremonies
/// need the feature `passkey` and an adapter (where the authenticators live).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyProvider {
    /// Provider id, `"passkey"` by default.
    pub id: String,
    /// Display name on the sign-in page.
    pub name: String,
    /// The relying party's name the authenticator shows when a passkey is created; the
    /// site's host when `None`.
    pub rp_name: Option<String>,
    /// The relying party id (a domain): the site URL's host when `None`. A parent domain
    /// of the site's host lets passkeys work across its subdomains.
    pub rp_id: Option<String>,
}

/// A configured provider.
#[derive(Clone, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "built once at start-up, a handful per application; never moved on a hot path"
)]
pub enum Provider {
    /// Credentials (`Credentials { authorize: .. }`).
    Credentials(CredentialsProvider),
    /// OAuth 2.0 / OIDC (`GitHub { .. }`, `Google { .. }`, the other presets, `Oidc { .. }`,
    /// `OAuth { .. }`).
    OAuth(OAuthProvider),
    /// Passkeys (`Passkey { .. }`).
    Passkey(PasskeyProvider),
    /// E-mail sign-in links (`Email { .. }`).
    Email(super::EmailProvider),
}

impl Provider {
    /// The provider id.
    pub fn id(&self) -> &str {
        match self {
            Provider::Credentials(p) => &p.id,
            Provider::OAuth(p) => &p.id,
            Provider::Passkey(p) => &p.id,
            Provider::Email(p) => &p.id,
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        match self {
            Provider::Credentials(p) => &p.name,
            Provider::OAuth(p) => &p.name,
            Provider::Passkey(p) => &p.name,
            Provider::Email(p) => &p.name,
        }
    }

    /// Auth.js's provider type: `"credentials"`, `"oauth"`, `"oidc"`, `"webauthn"` or `"email"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Provider::Credentials(_) => "credentials",
            Provider::OAuth(p) if p.kind == AccountType::Oidc => "oidc",
            Provider::OAuth(_) => "oauth",
            Provider::Passkey(_) => "webauthn",
            Provider::Email(_) => "email",
        }
    }
}

/// Implemented for [`OAuthProvider`] when auth-runtime is built with its `oauth` feature (on
/// by default). `auth!` requires it of every OAuth provider it declares, on the provider's
/// name, so that without the feature the one compile error says which feature to enable.
#[diagnostic::on_unimplemented(
    message = "OAuth providers need auth-runtime's `oauth` feature",
    label = "an OAuth provider, and auth-runtime was built without the `oauth` feature",
    note = "enable it: `auth-runtime = {{ version = \"..\", features = [\"oauth\"] }}` (on by default; `default-features = false` turns it off)"
)]
pub trait OAuthSupport {
    /// Does nothing: naming it is the check.
    fn supported() {}
}

#[cfg(feature = "oauth")]
impl OAuthSupport for OAuthProvider {}

/// Implemented for [`PasskeyProvider`] when auth-runtime is built with its `passkey`
/// feature. `auth!` requires it of a `Passkey` provider, on the provider's name, so that
/// without the feature the one compile error says which feature to enable.
#[diagnostic::on_unimplemented(
    message = "the `Passkey` provider needs auth-runtime's `passkey` feature",
    label = "a passkey provider, and auth-runtime was built without the `passkey` feature",
    note = "enable it: `auth-runtime = {{ version = \"..\", features = [\"passkey\"] }}`"
)]
pub trait PasskeySupport {
    /// Does nothing: naming it is the check.
    fn supported() {}
}

#[cfg(feature = "passkey")]
impl PasskeySupport for PasskeyProvider {}
