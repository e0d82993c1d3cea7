//! Who signs in: the user, the provider account and profile, the submitted credentials.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::RequestInfo;

/// A user, as returned by a provider (`authorize`, an OAuth profile) or a database adapter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable identifier; becomes the token's `sub`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL; becomes the token's `picture`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// When the e-mail address was verified (seconds since the epoch), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<i64>,
    /// The data declared in `auth! { user: { .. } }` (a `role`, ..), untyped: the generated
    /// `User` converts to and from it, so `authorize` and `jwt` see it typed. Serialised
    /// flattened next to the standard fields. The database adapters do not store it: a
    /// user read back from the database has none (the sign-in carries the provider's to
    /// `jwt`).
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl User {
    /// A user with this id and nothing else.
    pub fn new(id: impl Into<String>) -> Self {
        User {
            id: id.into(),
            ..User::default()
        }
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the e-mail address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the avatar URL.
    pub fn with_image(mut self, image: impl Into<String>) -> Self {
        self.image = Some(image.into());
        self
    }

    /// Sets one entry of [`extra`](Self::extra) (prefer the typed `User` that
    /// `auth! { user: { .. } }` generates).
    pub fn with_extra(
        mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }
}

/// A user that does not fit the `User` type `auth! { user: { .. } }` generates (or that
/// type does not fit [`User`]): a declared field holds a value of another type, or a
/// standard field is shadowed. From the generated `TryFrom` conversions.
#[derive(Debug, thiserror::Error)]
#[error("the user does not fit the `User` type of `auth!`: {0}")]
pub struct UserDataError(#[from] serde_json::Error);

/// The kind of provider an [`Account`] comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// OAuth 2.0.
    #[default]
    Oauth,
    /// OpenID Connect.
    Oidc,
    /// The credentials provider.
    Credentials,
    /// A passkey (WebAuthn; Auth.js's `"webauthn"`): `provider_account_id` is the
    /// credential id.
    Webauthn,
    /// An e-mail sign-in link (`Email { .. }`).
    Email,
}

/// The provider account a sign-in came through (Auth.js's `account`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Provider id (`"github"`, `"credentials"`, ...).
    pub provider: String,
    /// The user's id at the provider.
    pub provider_account_id: String,
    /// Provider kind.
    #[serde(rename = "type")]
    pub kind: AccountType,
    /// OAuth access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// OAuth refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Access token expiry, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// Granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Token type (`bearer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// OIDC ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens are secrets: show only whether they are present.
        f.debug_struct("Account")
            .field("provider", &self.provider)
            .field("provider_account_id", &self.provider_account_id)
            .field("kind", &self.kind)
            .field("access_token", &self.access_token.as_ref().map(|_| ".."))
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| ".."))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .field("id_token", &self.id_token.as_ref().map(|_| ".."))
            .finish()
    }
}

/// The profile an OAuth/OIDC provider returned (Auth.js's `profile`), typed where the
/// fields are standard and raw otherwise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The provider's user id (`sub` for OIDC, `id` for GitHub).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Whether the provider says the e-mail address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Data for the fields of `auth! { user: { .. } }`, set by a `profile` mapping: it
    /// becomes the signed-in user's [`User::extra`] (so `jwt` sees it in the typed `user`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The whole profile document as the provider sent it.
    #[serde(default)]
    pub raw: serde_json::Value,
}

/// The fields a credentials sign-in submitted (form or JSON body), minus `csrfToken`
/// and `callbackUrl`, with the request that submitted them ([`request`](Self::request)).
/// `Debug` never prints the values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    fields: BTreeMap<String, String>,
    request: RequestInfo,
}

impl Credentials {
    /// Builds credentials from name/value pairs.
    pub fn new<K: Into<String>, V: Into<String>>(fields: impl IntoIterator<Item = (K, V)>) -> Self {
        Credentials {
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            request: RequestInfo::default(),
        }
    }

    /// The same credentials, submitted by `request`.
    #[must_use]
    pub fn with_request(mut self, request: RequestInfo) -> Self {
        self.request = request;
        self
    }

    /// The request that submitted the credentials (what `authorize` binds as `request`):
    /// its headers, cookies and client address. [`RequestInfo::default`] for credentials
    /// built with [`Credentials::new`].
    pub fn request(&self) -> &RequestInfo {
        &self.request
    }

    /// The submitted value of a field, e.g. `credentials.get("password")`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Whether the submitted `name` field equals `expected`, compared in constant time
    /// (for the length of `expected`), e.g. `credentials.matches("password", &stored)`.
    /// A missing field never matches.
    ///
    /// Prefer verifying a password hash (argon2) where passwords are stored; this is for
    /// shared secrets such as API keys or a demo user.
    pub fn matches(&self, name: &str, expected: &str) -> bool {
        use subtle::ConstantTimeEq;
        match self.get(name) {
            Some(value) => bool::from(value.as_bytes().ct_eq(expected.as_bytes())),
            None => false,
        }
    }

    /// Iterates over field names (values are secrets and are not exposed in bulk).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.fields.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_matches_exactly_and_hides_values() {
        let c = Credentials::new([("username", "ada"), ("password", "correct horse")]);
        assert!(c.matches("password", "correct horse"));
        assert!(!c.matches("password", "correct hors"));
        assert!(!c.matches("password", "correct horse!"));
        assert!(!c.matches("password", ""));
        assert!(!c.matches("otp", ""));
        assert_eq!(format!("{c:?}"), r#"{"password", "username"}"#);
    }
}
