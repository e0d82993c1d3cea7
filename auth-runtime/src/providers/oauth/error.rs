//! Why an OAuth step failed.

use super::{Endpoint, IdTokenError};
use crate::ConfigError;

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
    /// Microsoft Entra ID: the ID token's tenant (`tid`, shown) is missing or not allowed.
    #[error("the ID token's tenant `{0}` is not allowed to sign in")]
    Tenant(String),
    /// A client secret could not be minted (Apple's key unreadable).
    #[error("cannot mint the client secret: {0}")]
    ClientSecret(String),
    /// The system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
}

/// Text an OAuth server or a callback URL chose (`error`, `error_description`), made fit
/// for a log line and an error message: at most 200 characters, control characters (CR,
/// LF, ESC, ...) and bidirectional overrides escaped, so it can neither forge a log line
/// nor flood one.
pub(crate) fn untrusted_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().take(200) {
        let bidi = matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() {
            out.extend(c.escape_default());
        } else if bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::untrusted_text;

    #[test]
    fn untrusted_text_is_bounded_and_forges_no_line() {
        assert_eq!(untrusted_text(&"x".repeat(10_000)).chars().count(), 200);
        let told = untrusted_text("invalid_grant\r\nERROR forged line\u{1b}[31m\u{202e}");
        assert_eq!(
            told,
            "invalid_grant\\r\\nERROR forged line\\u{1b}[31m\\u{202e}"
        );
        assert!(!told.contains(['\r', '\n', '\u{1b}', '\u{202e}']));
        assert_eq!(untrusted_text("access_denied"), "access_denied");
    }
}
