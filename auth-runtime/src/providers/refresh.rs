//! Refresh-token rotation, the opt-in helper Auth.js leaves to its users.
//!
//! The pattern, in the `jwt` callback of a JWT-strategy configuration:
//!
//! 1. On sign-in (`account` is present) copy `access_token`, `refresh_token` and
//!    `expires_at` from the [`Account`](crate::Account) into fields of the typed token.
//! 2. On every later call, if the access token has not expired ([`is_expired`]), return
//!    the token unchanged.
//! 3. Otherwise call [`refresh_access_token`] and write the new values back into the
//!    token (the provider may rotate the refresh token: always store the returned one).
//! 4. If refreshing fails (the refresh token was revoked, reused or expired), set an
//!    `error` field on the token (e.g. `"RefreshTokenError"`) so that the `session`
//!    callback can expose it and the client can ask the user to sign in again.
//!
//! ```no_run
//! use auth_runtime::providers::oauth::OAuthClient;
//! use auth_runtime::providers::refresh::{is_expired, refresh_access_token};
//! use auth_runtime::{Account, config::OAuthProvider};
//!
//! #[derive(Clone, Debug, Default)]
//! struct Token {
//!     access_token: Option<String>,
//!     refresh_token: Option<String>,
//!     expires_at: Option<i64>,
//!     error: Option<String>,
//! }
//!
//! async fn jwt(
//!     client: &OAuthClient,
//!     provider: &OAuthProvider,
//!     mut token: Token,
//!     account: Option<Account>,
//! ) -> Token {
//!     if let Some(account) = account {
//!         // Sign-in: keep the provider's tokens.
//!         token.access_token = account.access_token;
//!         token.refresh_token = account.refresh_token;
//!         token.expires_at = account.expires_at;
//!         return token;
//!     }
//!     if !is_expired(token.expires_at, 60) {
//!         return token;
//!     }
//!     let Some(refresh_token) = token.refresh_token.clone() else {
//!         token.error = Some("RefreshTokenError".into());
//!         return token;
//!     };
//!     match refresh_access_token(client, provider, &refresh_token).await {
//!         Ok(fresh) => {
//!             token.access_token = Some(fresh.access_token);
//!             token.refresh_token = Some(fresh.refresh_token);
//!             token.expires_at = fresh.expires_at;
//!             token.error = None;
//!         }
//!         Err(err) => {
//!             tracing::warn!(error = %err, "refreshing the access token failed");
//!             token.error = Some("RefreshTokenError".into());
//!         }
//!     }
//!     token
//! }
//! # let _ = jwt;
//! ```

use std::fmt;

use crate::config::{AccountType, OAuthProvider};

use super::oauth::{OAuthClient, OAuthError};
use crate::util::unix_now;

/// The provider's answer to a refresh.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshedTokens {
    /// The new access token.
    pub access_token: String,
    /// The refresh token to store from now on: the rotated one if the provider issued a
    /// new one, otherwise the one that was used.
    pub refresh_token: String,
    /// `true` when the provider rotated the refresh token.
    pub rotated: bool,
    /// Expiry of the new access token, seconds since the epoch.
    pub expires_at: Option<i64>,
    /// Token type (`bearer`).
    pub token_type: Option<String>,
    /// Granted scope, if the provider says.
    pub scope: Option<String>,
    /// A new ID token (OIDC), already verified (signature, `iss`, `aud`, `exp`).
    pub id_token: Option<String>,
}

impl fmt::Debug for RefreshedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshedTokens")
            .field("access_token", &"..")
            .field("refresh_token", &"..")
            .field("rotated", &self.rotated)
            .field("expires_at", &self.expires_at)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .field("id_token", &self.id_token.as_ref().map(|_| ".."))
            .finish()
    }
}

/// `true` when an access token expiring at `expires_at` (seconds since the epoch) expires
/// within `leeway_secs` from now. An unknown expiry never counts as expired.
pub fn is_expired(expires_at: Option<i64>, leeway_secs: i64) -> bool {
    expires_at.is_some_and(|at| unix_now().saturating_add(leeway_secs) >= at)
}

/// Exchanges `refresh_token` at the provider's token endpoint (`grant_type=refresh_token`)
/// with the provider's client authentication, and returns the new tokens.
///
/// For an OIDC provider a returned ID token is verified (signature, `iss`, `aud`, `exp`;
/// no `nonce`, which refreshed ID tokens do not carry). A refused refresh is
/// [`OAuthError::Token`] (`invalid_grant` when the refresh token is revoked, expired or
/// was already used).
pub async fn refresh_access_token(
    client: &OAuthClient,
    provider: &OAuthProvider,
    refresh_token: &str,
) -> Result<RefreshedTokens, OAuthError> {
    let endpoints = client.endpoints(provider).await?;
    let tokens = client
        .token_request(
            provider,
            &endpoints,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await?;
    if provider.kind == AccountType::Oidc
        && let Some(id_token) = &tokens.id_token
    {
        let client_id = provider.client_id.resolve()?;
        client
            .verify_id_token(id_token, &endpoints, &client_id, None)
            .await?;
    }
    let rotated = tokens
        .refresh_token
        .as_deref()
        .is_some_and(|t| t != refresh_token);
    Ok(RefreshedTokens {
        access_token: tokens.access_token,
        refresh_token: tokens
            .refresh_token
            .unwrap_or_else(|| refresh_token.to_owned()),
        rotated,
        expires_at: tokens.expires_at,
        token_type: tokens.token_type,
        scope: tokens.scope,
        id_token: tokens.id_token,
    })
}
