//! The authorization request: URL, `state`, PKCE and `nonce`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::{OAuthClient, OAuthError};
use crate::config::{AccountType, OAuthProvider};

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
#[derive(Clone)]
pub struct Authorization {
    /// The provider's authorization URL with every parameter.
    pub url: String,
    /// The check values to store in cookies.
    pub checks: Checks,
}

/// The URL's query carries the `state`, the PKCE challenge and the `nonce`: only the
/// endpoint is shown.
impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let endpoint = self
            .url
            .split_once('?')
            .map_or(self.url.as_str(), |(e, _)| e);
        f.debug_struct("Authorization")
            .field("url", &format_args!("{endpoint}?.."))
            .field("checks", &self.checks)
            .finish()
    }
}

fn random_token() -> Result<String, OAuthError> {
    let mut bytes = [0u8; 32];
    crate::random::try_fill(&mut bytes).map_err(|e| OAuthError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The parameters the client sets itself, never taken from
/// [`OAuthProvider::authorization_params`].
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "response_mode",
];

/// The PKCE S256 challenge of a verifier: `BASE64URL(SHA256(verifier))`.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl OAuthClient {
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
        let code_verifier = if provider.pkce {
            Some(random_token()?)
        } else {
            None
        };
        let nonce = match provider.kind {
            AccountType::Oidc if provider.nonce => Some(random_token()?),
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
            q.append_pair("state", &state);
            if let Some(code_verifier) = &code_verifier {
                q.append_pair("code_challenge", &pkce_challenge(code_verifier))
                    .append_pair("code_challenge_method", "S256");
            }
            if let Some(nonce) = &nonce {
                q.append_pair("nonce", nonce);
            }
            if provider.form_post {
                q.append_pair("response_mode", "form_post");
            }
            for (name, value) in &provider.authorization_params {
                if !RESERVED.contains(&name.as_str()) {
                    q.append_pair(name, value);
                }
            }
        }
        Ok(Authorization {
            url: url.into(),
            checks: Checks {
                state: Some(state),
                code_verifier,
                nonce,
            },
        })
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
    fn debug_does_not_show_the_checks_in_the_url() {
        let a = super::Authorization {
            url: "https://idp.example/authorize?state=s3cr3t&nonce=n0nce".to_owned(),
            checks: super::Checks {
                state: Some("s3cr3t".to_owned()),
                code_verifier: None,
                nonce: Some("n0nce".to_owned()),
            },
        };
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("s3cr3t") && !dbg.contains("n0nce"), "{dbg}");
        assert!(dbg.contains("https://idp.example/authorize"), "{dbg}");
    }
}
