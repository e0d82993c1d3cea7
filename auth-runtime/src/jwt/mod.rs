//! Session token formats: Auth.js-compatible JWE (default) and signed JWS.
//!
//! INTERFACE (owned by the crypto work; the flow depends on exactly this surface).

use serde_json::{Map, Value};

/// The secrets of a deployment: the first encrypts/signs, every one decrypts/verifies.
#[derive(Clone)]
pub struct Secrets(Vec<String>);

impl Secrets {
    /// Secrets in order of preference (the first is used to encode).
    pub fn new(secrets: Vec<String>) -> Result<Self, JwtError> {
        let _ = secrets;
        todo!("crypto branch")
    }
}

/// Which token format the session cookie carries.
#[derive(Clone, Debug, Default)]
pub enum TokenFormat {
    /// JWE `dir` + `A256CBC-HS512` with the HKDF key, exactly as `@auth/core` (default).
    #[default]
    AuthJs,
}

/// Errors of encoding or decoding a token. Never contains key material or the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Placeholder.
    #[error("invalid token")]
    Invalid,
}

/// Encodes and decodes tokens for one cookie name (the HKDF salt), with keys derived
/// once at construction.
#[derive(Clone)]
pub struct JwtCodec {}

impl JwtCodec {
    /// Derives the keys for `salt` (the full cookie name, prefix included).
    pub fn new(secrets: &Secrets, salt: &str, format: TokenFormat) -> Result<Self, JwtError> {
        let _ = (secrets, salt, format);
        todo!("crypto branch")
    }

    /// Encodes `claims`, adding `iat = now`, `exp = now + max_age` and a fresh `jti`
    /// (UUID v4) as `@auth/core`'s `encode` does.
    pub fn encode(&self, claims: &Map<String, Value>, max_age: u64, now: i64) -> Result<String, JwtError> {
        let _ = (claims, max_age, now);
        todo!("crypto branch")
    }

    /// Decodes and verifies a token (`exp` with 15 s of clock skew at `now`).
    pub fn decode(&self, token: &str, now: i64) -> Result<Map<String, Value>, JwtError> {
        let _ = (token, now);
        todo!("crypto branch")
    }
}
