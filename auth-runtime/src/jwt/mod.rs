//! Session token formats: Auth.js-compatible JWE (default) and signed JWS.
//!
//! # The default format, as `@auth/core` 0.41 writes it
//!
//! A JWE in compact serialization, `alg: dir`, `enc: A256CBC-HS512`, with the protected
//! header exactly `{"alg":"dir","enc":"A256CBC-HS512","kid":"<kid>"}`:
//!
//! - the 64-byte key is HKDF-SHA256 with the secret (UTF-8) as input key material, the
//!   cookie name (prefix included) as salt and `Auth.js Generated Encryption Key (<salt>)`
//!   as info; the first 32 bytes key HMAC-SHA-512, the last 32 AES-256-CBC (RFC 7518 5.2);
//! - `kid` is the RFC 7638 thumbprint of the key as a JWK, `{"k":"..","kty":"oct"}`
//!   hashed with SHA-512 (SHA-256 for the 32-byte `A256GCM` key), base64url;
//! - the payload carries the claims plus `iat`, `exp = iat + max_age` and a UUID v4 `jti`.
//!
//! Decoding follows `@auth/core`'s `decode` (jose's `jwtDecrypt`): `enc` may also be
//! `A256GCM` (key: the first 32 bytes of the same HKDF output), the key is chosen by `kid`
//! among all secrets (no `kid`: the first secret; an unknown `kid`: rejected), `exp` and
//! `nbf` are checked with 15 s of clock tolerance, `iat` only needs to be a number.
//! Deliberate differences: compressed (`zip`) tokens are refused (Auth.js never writes
//! them), base64url must be canonical and unpadded, and input is capped at
//! [`MAX_TOKEN_LEN`] bytes.
//!
//! # Signed alternatives
//!
//! [`TokenFormat::Hs256`] and [`TokenFormat::EdDsa`] produce a JWS (`jsonwebtoken`) that a
//! service can verify without decrypting; the claims are readable by anyone holding the
//! token. See their documentation for the keys. They need the `jws` feature (on by default;
//! it brings `jsonwebtoken` and its RustCrypto signature algorithms).

mod claims;
mod jwe;
#[cfg(feature = "jws")]
mod jws;
pub(crate) mod keys;
mod raw;
#[cfg(test)]
mod tests;
mod token_json;

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use crate::util::unix_now;
pub use keys::KeyMaterial;
pub(crate) use raw::{Opened, RawClaims, deserialize_entries};
pub(crate) use token_json::TokenJson;

/// Clock tolerance (seconds) applied to `exp` and `nbf`, as `@auth/core`'s `decode`.
pub const CLOCK_SKEW_SECS: i64 = 15;

/// Largest token (in bytes) [`JwtCodec::decode`] looks at. Auth.js splits cookies over
/// 3936 characters into chunks; 64 KiB is sixteen full chunks, far above any session.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The environment variables [`Secrets::from_env`] reads, in `@auth/core`'s precedence
/// (`AUTH_SECRET_3` encodes when set; `AUTH_SECRET` is the oldest).
pub const SECRET_ENV_VARS: [&str; 4] = [
    "AUTH_SECRET_3",
    "AUTH_SECRET_2",
    "AUTH_SECRET_1",
    "AUTH_SECRET",
];

/// The secrets of a deployment: the first encrypts/signs, every one decrypts/verifies.
///
/// `Debug` prints only how many there are.
#[derive(Clone)]
pub struct Secrets(Vec<String>);

impl Secrets {
    /// Secrets in order of preference (the first is used to encode).
    ///
    /// Fails with [`JwtError::MissingSecret`] for an empty list and
    /// [`JwtError::EmptySecret`] when one of them is the empty string.
    pub fn new(secrets: Vec<String>) -> Result<Self, JwtError> {
        if secrets.is_empty() {
            return Err(JwtError::MissingSecret);
        }
        if let Some(index) = secrets.iter().position(String::is_empty) {
            return Err(JwtError::EmptySecret { index });
        }
        Ok(Secrets(secrets))
    }

    /// Reads `AUTH_SECRET` and `AUTH_SECRET_1`, `AUTH_SECRET_2`, `AUTH_SECRET_3` as
    /// `@auth/core`'s `setEnvDefaults` does: the numbered ones are put *in front* of
    /// `AUTH_SECRET` in the order 1, 2, 3, so the list is
    /// `[AUTH_SECRET_3, AUTH_SECRET_2, AUTH_SECRET_1, AUTH_SECRET]` (unset or empty
    /// variables skipped) and the highest-numbered secret encodes. To rotate, add the new
    /// secret under the next free number and keep the old ones until their tokens expire.
    pub fn from_env() -> Result<Self, JwtError> {
        let mut found = Vec::new();
        for name in SECRET_ENV_VARS {
            match std::env::var(name) {
                Ok(value) if !value.is_empty() => found.push(value),
                Ok(_) | Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(JwtError::SecretNotUnicode { name });
                }
            }
        }
        Self::new(found)
    }

    /// Like [`Secrets::from_env`], with the variables looked up by `lookup` (for tests
    /// and for configurations read from elsewhere).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, JwtError> {
        let found = SECRET_ENV_VARS
            .iter()
            .filter_map(|name| lookup(name))
            .filter(|value| !value.is_empty())
            .collect();
        Self::new(found)
    }

    /// How many secrets there are (at least one).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a `Secrets` holds at least one secret.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets([redacted; {}])", self.0.len())
    }
}

/// Which token format the session cookie carries.
#[derive(Clone, Debug, Default)]
pub enum TokenFormat {
    /// JWE `dir` + `A256CBC-HS512` with the HKDF key, exactly as `@auth/core` (default).
    #[default]
    AuthJs,
    /// JWS `HS256`, header `{"alg":"HS256","typ":"JWT","kid":..}`. Claims are signed, not
    /// encrypted.
    ///
    /// The key of each secret is 32 bytes of HKDF-SHA256 with the secret (UTF-8) as input
    /// key material, the cookie name as salt and `auth-runtime HS256 Signing Key (<salt>)`
    /// as info, so it is distinct from the encryption key derived from the same secret.
    /// A verifier derives it the same way, e.g. in Node
    /// `crypto.hkdfSync("sha256", secret, salt, "auth-runtime HS256 Signing Key (" + salt + ")", 32)`.
    /// `kid` is the RFC 7638 SHA-256 thumbprint of that key (`{"k":..,"kty":"oct"}`) and
    /// selects the secret on decode, as for the default format.
    ///
    /// Needs the `jws` feature (on by default).
    #[cfg(feature = "jws")]
    Hs256,
    /// JWS `EdDSA` (Ed25519), header `{"alg":"EdDSA","typ":"JWT","kid":..}`; `kid` is the
    /// RFC 7638/8037 thumbprint of the public key (`{"crv":"Ed25519","kty":"OKP","x":..}`,
    /// SHA-256). Verifiers need only the public key. The secrets are not used.
    ///
    /// Needs the `jws` feature (on by default).
    #[cfg(feature = "jws")]
    EdDsa {
        /// PKCS#8 private key (`-----BEGIN PRIVATE KEY-----` PEM or DER); `None` for a
        /// service that only verifies ([`JwtCodec::encode`] then fails with
        /// [`JwtError::VerifyOnly`]).
        private_key: Option<KeyMaterial>,
        /// Public key: SPKI (`-----BEGIN PUBLIC KEY-----` PEM or DER) or the raw 32 bytes
        /// as [`KeyMaterial::Der`].
        public_key: KeyMaterial,
    },
}

/// Errors of encoding or decoding a token. Never contains key material or the token.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// No secret configured.
    #[error("no secret configured; set AUTH_SECRET (e.g. `openssl rand -base64 33`)")]
    MissingSecret,
    /// One of the secrets is the empty string.
    #[error("secret #{index} is empty")]
    EmptySecret {
        /// Position in the list.
        index: usize,
    },
    /// A secret environment variable is not valid UTF-8.
    #[error("environment variable `{name}` is not valid UTF-8")]
    SecretNotUnicode {
        /// The variable.
        name: &'static str,
    },
    /// The EdDSA key pair could not be loaded (bad PEM/DER, wrong key type, or the
    /// private key does not match the public key).
    #[error("invalid EdDSA key: {0}")]
    InvalidKey(&'static str),
    /// `encode` with a verify-only EdDSA configuration.
    #[error("cannot encode: no private key configured (verify-only)")]
    VerifyOnly,
    /// `iat + max_age` does not fit.
    #[error("max_age is too large")]
    InvalidMaxAge,
    /// Internal failure of a cryptographic primitive or of serialization.
    #[error("token encoding failed")]
    Encoding,
    /// The token is longer than [`MAX_TOKEN_LEN`].
    #[error("token is too long ({len} bytes, at most {max})")]
    Oversize {
        /// Length of the input.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// Wrong number of `.`-separated segments (5 for JWE, 3 for JWS).
    #[error("malformed token: {found} segments, expected {expected}")]
    SegmentCount {
        /// Segments found.
        found: usize,
        /// Segments the format has.
        expected: usize,
    },
    /// A segment is not canonical unpadded base64url.
    #[error("malformed token: the {segment} is not valid base64url")]
    Base64 {
        /// Which segment.
        segment: &'static str,
    },
    /// The protected header is not a JSON object.
    #[error("malformed token: the header is not a JSON object")]
    Header,
    /// `alg` is missing or not the one of the configured format.
    #[error("unsupported or missing `alg`")]
    UnsupportedAlg,
    /// `enc` is missing or neither `A256CBC-HS512` nor `A256GCM`.
    #[error("unsupported or missing `enc`")]
    UnsupportedEnc,
    /// The header has `zip` (compressed plaintext is refused).
    #[error("compressed tokens (`zip`) are not accepted")]
    Compressed,
    /// The header has `crit` (no extension is understood).
    #[error("critical header extensions (`crit`) are not supported")]
    Critical,
    /// A `dir` JWE carries a non-empty encrypted-key segment.
    #[error("malformed token: unexpected encrypted key for `alg: dir`")]
    UnexpectedEncryptedKey,
    /// The initialization vector is missing or has the wrong length.
    #[error("malformed token: bad initialization vector")]
    InvalidIv,
    /// The authentication tag is missing or has the wrong length.
    #[error("malformed token: bad authentication tag length")]
    InvalidTagLength,
    /// `kid` matches none of the secrets (a token of another deployment or a retired
    /// secret).
    #[error("no secret matches the token's `kid`")]
    UnknownKid,
    /// The authentication tag or signature does not verify (tampered, or another key).
    #[error("token authentication failed")]
    BadTag,
    /// The tag verified but the CBC padding is wrong (only a key holder can produce this).
    #[error("token decryption failed: bad padding")]
    Padding,
    /// The payload is not UTF-8 JSON.
    #[error("token payload is not valid JSON")]
    Payload,
    /// The payload is JSON but not an object.
    #[error("token payload is not a JSON object")]
    PayloadNotObject,
    /// `exp`, `nbf` or `iat` is present but not a number.
    #[error("claim `{claim}` must be a number")]
    ClaimType {
        /// The claim.
        claim: &'static str,
    },
    /// `iss`, `sub` or `aud` is replicated in the header with another value.
    #[error("claim `{claim}` differs from its header copy")]
    ClaimMismatch {
        /// The claim.
        claim: &'static str,
    },
    /// `exp` is at or before `now - 15 s`.
    #[error("token expired")]
    Expired,
    /// `nbf` is after `now + 15 s`.
    #[error("token not yet valid")]
    NotYetValid,
}

/// Encodes and decodes tokens for one cookie name (the HKDF salt), with keys derived
/// once at construction.
///
/// Cloning is cheap (the keys are shared). `Debug` shows the format, the salt and the
/// number of keys, never key material.
#[derive(Clone)]
pub struct JwtCodec {
    inner: Arc<Inner>,
}

enum Inner {
    Jwe(Box<jwe::JweKeys>),
    #[cfg(feature = "jws")]
    Jws(Box<jws::JwsKeys>),
}

impl JwtCodec {
    /// Derives the keys for `salt` (the full cookie name, prefix included).
    pub fn new(secrets: &Secrets, salt: &str, format: TokenFormat) -> Result<Self, JwtError> {
        let inner = match format {
            TokenFormat::AuthJs => Inner::Jwe(Box::new(jwe::JweKeys::new(secrets, salt)?)),
            #[cfg(feature = "jws")]
            TokenFormat::Hs256 => Inner::Jws(Box::new(jws::JwsKeys::hs256(secrets, salt)?)),
            #[cfg(feature = "jws")]
            TokenFormat::EdDsa {
                private_key,
                public_key,
            } => Inner::Jws(Box::new(jws::JwsKeys::ed_dsa(
                salt,
                private_key.as_ref(),
                &public_key,
            )?)),
        };
        Ok(JwtCodec {
            inner: Arc::new(inner),
        })
    }

    /// Encodes `claims`, adding `iat = now`, `exp = now + max_age` and a fresh `jti`
    /// (UUID v4) as `@auth/core`'s `encode` does.
    pub fn encode(
        &self,
        claims: &Map<String, Value>,
        max_age: u64,
        now: i64,
    ) -> Result<String, JwtError> {
        self.encode_owned(claims.clone(), max_age, now)
    }

    /// [`JwtCodec::encode`] of claims the caller no longer needs (no copy of the map).
    pub(crate) fn encode_owned(
        &self,
        claims: Map<String, Value>,
        max_age: u64,
        now: i64,
    ) -> Result<String, JwtError> {
        let claims = claims::with_issued(claims, max_age, now)?;
        match &*self.inner {
            Inner::Jwe(keys) => keys.encode(&claims),
            #[cfg(feature = "jws")]
            Inner::Jws(keys) => keys.encode(&claims),
        }
    }

    /// Decodes and verifies a token (`exp` with 15 s of clock skew at `now`).
    pub fn decode(&self, token: &str, now: i64) -> Result<Map<String, Value>, JwtError> {
        self.open(token)?.into_map(now)
    }

    /// The first half of [`JwtCodec::decode`]: the token decrypted or its signature
    /// verified, the payload not yet parsed ([`Opened::claims`] parses and checks it
    /// without a `Value` tree).
    pub(crate) fn open(&self, token: &str) -> Result<Opened, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Oversize {
                len: token.len(),
                max: MAX_TOKEN_LEN,
            });
        }
        match &*self.inner {
            Inner::Jwe(keys) => keys.open(token),
            #[cfg(feature = "jws")]
            Inner::Jws(keys) => keys.open(token),
        }
    }

    /// [`JwtCodec::encode`] of a serialised token with `spliced` (name, JSON) claims put
    /// in: the claims `encode` writes for the `Map` holding them (the same bytes for a
    /// flat token; see [`TokenJson`] for nested values).
    pub(crate) fn encode_json(
        &self,
        claims: &TokenJson,
        spliced: &[(&str, &[u8])],
        max_age: u64,
        now: i64,
    ) -> Result<String, JwtError> {
        let (iat, exp, jti) = claims::issued(max_age, now)?;
        let iat = iat.to_string();
        let exp = exp.to_string();
        let jti = serde_json::to_vec(&jti).map_err(|_| JwtError::Encoding)?;
        let mut all: Vec<(&str, &[u8])> = Vec::with_capacity(spliced.len() + 3);
        all.extend(
            spliced
                .iter()
                .filter(|(name, _)| !matches!(*name, "iat" | "exp" | "jti")),
        );
        all.extend([
            ("iat", iat.as_bytes()),
            ("exp", exp.as_bytes()),
            ("jti", jti.as_slice()),
        ]);
        let payload = claims.payload(&all);
        match &*self.inner {
            Inner::Jwe(keys) => keys.encode_payload(&payload),
            #[cfg(feature = "jws")]
            Inner::Jws(keys) => keys.encode_payload(&payload),
        }
    }

    /// Whether this codec can encode: `false` only for a verify-only
    /// [`TokenFormat::EdDsa`] (no private key).
    pub fn can_encode(&self) -> bool {
        match &*self.inner {
            Inner::Jwe(_) => true,
            #[cfg(feature = "jws")]
            Inner::Jws(keys) => keys.can_sign(),
        }
    }

    /// The salt (cookie name) the keys were derived for.
    pub fn salt(&self) -> &str {
        match &*self.inner {
            Inner::Jwe(keys) => keys.salt(),
            #[cfg(feature = "jws")]
            Inner::Jws(keys) => keys.salt(),
        }
    }
}

#[cfg(test)]
impl JwtCodec {
    /// The JWE keys (tests craft tokens only a key holder can make).
    pub(crate) fn jwe_keys(&self) -> &jwe::JweKeys {
        match &*self.inner {
            Inner::Jwe(keys) => keys,
            #[cfg(feature = "jws")]
            Inner::Jws(_) => panic!("not a JWE codec"),
        }
    }
}

impl fmt::Debug for JwtCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.inner {
            Inner::Jwe(keys) => f
                .debug_struct("JwtCodec")
                .field("format", &"AuthJs")
                .field("salt", &keys.salt())
                .field("keys", &keys.len())
                .finish(),
            #[cfg(feature = "jws")]
            Inner::Jws(keys) => f
                .debug_struct("JwtCodec")
                .field("format", &keys.alg_name())
                .field("salt", &keys.salt())
                .field("keys", &keys.len())
                .finish(),
        }
    }
}
