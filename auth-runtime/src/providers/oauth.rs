//! The OAuth 2.0 / OIDC client: authorization URL, code exchange, ID token and profile.
//!
//! INTERFACE (owned by the OAuth work; the flow calls exactly these items).

use crate::config::{Account, OAuthProvider, Profile, User};

/// Shared OAuth state: the HTTP client, the discovery and JWKS caches.
#[derive(Clone, Debug, Default)]
pub struct OAuthClient {}

/// The random check values of one authorization request; the flow keeps each in its own
/// short-lived encrypted cookie (`authjs.state`, `authjs.pkce.code_verifier`, `authjs.nonce`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checks {
    /// `state`.
    pub state: Option<String>,
    /// PKCE code verifier.
    pub code_verifier: Option<String>,
    /// OIDC `nonce`.
    pub nonce: Option<String>,
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
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// Placeholder.
    #[error("oauth failed")]
    Failed,
}

impl OAuthClient {
    /// Starts an authorization request for `provider`, returning to `callback_url`.
    pub async fn authorize(&self, provider: &OAuthProvider, callback_url: &str) -> Result<Authorization, OAuthError> {
        let _ = (provider, callback_url);
        todo!("oauth branch")
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
        let _ = (provider, callback_url, query, checks);
        todo!("oauth branch")
    }
}
