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
    /// E-mail sign-in links (`Email { .. }`).
    Email(super::EmailProvider),
}

impl Provider {
    /// The provider id.
    pub fn id(&self) -> &str {
        match self {
            Provider::Credentials(p) => &p.id,
            Provider::OAuth(p) => &p.id,
            Provider::Email(p) => &p.id,
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        match self {
            Provider::Credentials(p) => &p.name,
            Provider::OAuth(p) => &p.name,
            Provider::Email(p) => &p.name,
        }
    }

    /// Auth.js's provider type: `"credentials"`, `"oauth"`, `"oidc"` or `"email"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Provider::Credentials(_) => "credentials",
            Provider::OAuth(p) if p.kind == AccountType::Oidc => "oidc",
            Provider::OAuth(_) => "oauth",
            Provider::Email(_) => "email",
        }
    }
}
