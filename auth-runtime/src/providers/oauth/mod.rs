//! The OAuth 2.0 / OIDC client: authorization URL, code exchange, ID token and profile.
//!
//! One [`OAuthClient`] serves every provider of an application: it holds the outbound HTTP
//! client (rustls, 10 s connect and overall timeouts, no redirects followed, bodies capped
//! at 1 MiB) and the per-issuer discovery and JWKS caches. It is cheap to clone.
//!
//! - [`OAuthClient::authorize`] builds the authorization URL (`response_type=code`,
//!   `client_id`, `redirect_uri`, `scope`, `state`, PKCE S256 `code_challenge` and, for
//!   OIDC, `nonce`) and returns the [`Checks`] the flow keeps in cookies.
//! - [`OAuthClient::callback`] checks `state` (constant time) and the RFC 9207 `iss`
//!   parameter, reports an `error=` from the provider, exchanges the code with the PKCE
//!   verifier (`client_secret_basic` or `client_secret_post`), verifies the ID token
//!   (OIDC), fetches the userinfo document when needed and maps it to a [`SignedIn`].
//!
//! Every failure is an [`OAuthError`] whose `Display` is safe to log: it never contains a
//! token, a code, a secret or a check value.

mod authorize;
mod callback;
mod client;
mod client_secret;
mod discovery;
mod error;
mod http;
mod id_token;
mod token;

pub use authorize::{Authorization, Checks, pkce_challenge};
pub use callback::SignedIn;
pub use client::OAuthClient;
pub use error::OAuthError;
pub use http::Endpoint;
pub use id_token::IdTokenError;

pub(crate) use discovery::Endpoints;

/// What can be checked of a provider before any request, its `env(..)` values resolved:
/// Entra ID's `tenant_id` is a tenant, Apple's private key signs. The reason says what to
/// fix.
pub(crate) fn check_provider(provider: &crate::config::OAuthProvider) -> Result<(), String> {
    if let Some(tenant) = &provider.tenant_id {
        let tenant = tenant.resolve().map_err(|e| e.to_string())?;
        if !discovery::is_tenant(&tenant) {
            return Err(format!(
                "`tenant_id` `{}` is not a tenant: use a tenant id (a GUID), a domain, `common`, `organizations` or `consumers`",
                error::untrusted_text(&tenant)
            ));
        }
    }
    if let Some(key) = &provider.client_secret_jwt {
        client_secret::check_key(key).map_err(|e| {
            format!("{e}; `private_key` is the \"Sign in with Apple\" key's .p8 file (PKCS#8 PEM, P-256)")
        })?;
    }
    Ok(())
}
