//! Key derivation (HKDF as `@auth/core`), JWK thumbprints (RFC 7638) and key material.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hkdf::Hkdf;
use sha2::{Digest, Sha256, Sha512};

use super::JwtError;

/// HKDF info prefix of `@auth/core`'s `getDerivedEncryptionKey`.
pub(crate) const ENCRYPTION_INFO: &str = "Auth.js Generated Encryption Key";
/// HKDF info prefix of the HS256 signing key (our own; see [`super::TokenFormat::Hs256`]).
#[cfg_attr(not(feature = "jws"), allow(dead_code))]
pub(crate) const HS256_INFO: &str = "auth-runtime HS256 Signing Key";

/// HKDF-SHA256(ikm = `secret`, salt = `salt`, info = `"<info_prefix> (<salt>)"`) into `out`.
pub(crate) fn derive(
    secret: &str,
    salt: &str,
    info_prefix: &str,
    out: &mut [u8],
) -> Result<(), JwtError> {
    let info = format!("{info_prefix} ({salt})");
    Hkdf::<Sha256>::new(Some(salt.as_bytes()), secret.as_bytes())
        .expand(info.as_bytes(), out)
        .map_err(|_| JwtError::Encoding)
}

/// The 64-byte `A256CBC-HS512` key `@auth/core` derives for `secret` and `salt`. Its first
/// 32 bytes are the 32-byte `A256GCM` key (HKDF output is prefix-stable).
pub(crate) fn derive_encryption_key(secret: &str, salt: &str) -> Result<[u8; 64], JwtError> {
    let mut key = [0u8; 64];
    derive(secret, salt, ENCRYPTION_INFO, &mut key)?;
    Ok(key)
}

/// RFC 7638 thumbprint of a symmetric key, `{"k":"<b64url>","kty":"oct"}` hashed with
/// SHA-(8 × key length) as `@auth/core` calls jose's `calculateJwkThumbprint`: SHA-512 for
/// the 64-byte key, SHA-256 for 32 bytes.
pub(crate) fn oct_thumbprint(key: &[u8]) -> String {
    let jwk = format!(r#"{{"k":"{}","kty":"oct"}}"#, URL_SAFE_NO_PAD.encode(key));
    if key.len() == 64 {
        URL_SAFE_NO_PAD.encode(Sha512::digest(jwk.as_bytes()))
    } else {
        URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes()))
    }
}

/// RFC 8037 thumbprint of an Ed25519 public key (SHA-256).
#[cfg_attr(not(feature = "jws"), allow(dead_code))]
pub(crate) fn ed25519_thumbprint(public: &[u8; 32]) -> String {
    let jwk = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes()))
}

/// Key bytes for [`super::TokenFormat::EdDsa`], as PEM text or DER bytes. `Debug` never
/// shows the content.
#[derive(Clone)]
pub enum KeyMaterial {
    /// PEM text (`-----BEGIN PRIVATE KEY-----` / `-----BEGIN PUBLIC KEY-----`).
    Pem(String),
    /// DER bytes (PKCS#8 private key, SPKI public key, or a raw 32-byte public key).
    Der(Vec<u8>),
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyMaterial::Pem(_) => f.write_str("KeyMaterial::Pem(..)"),
            KeyMaterial::Der(_) => f.write_str("KeyMaterial::Der(..)"),
        }
    }
}

impl KeyMaterial {
    /// The DER bytes: decoded PEM (label checked) or the DER as given.
    #[cfg_attr(not(feature = "jws"), allow(dead_code))]
    pub(crate) fn der(&self, label: &str) -> Result<Vec<u8>, JwtError> {
        match self {
            KeyMaterial::Der(der) => Ok(der.clone()),
            KeyMaterial::Pem(pem) => pem_body(pem, label),
        }
    }
}

/// The base64 body of the first `-----BEGIN <label>-----` block.
#[cfg_attr(not(feature = "jws"), allow(dead_code))]
fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, JwtError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin).ok_or(JwtError::InvalidKey(
        "PEM block with the expected label not found",
    ))?;
    let rest = &pem[start + begin.len()..];
    let stop = rest
        .find(&end)
        .ok_or(JwtError::InvalidKey("PEM end line not found"))?;
    let body: String = rest[..stop]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    STANDARD
        .decode(body)
        .map_err(|_| JwtError::InvalidKey("PEM body is not base64"))
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID
/// 1.3.101.112 }, BIT STRING (0 unused bits) } followed by the 32 key bytes.
#[cfg_attr(not(feature = "jws"), allow(dead_code))]
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The raw 32-byte Ed25519 public key from SPKI DER (44 bytes) or raw bytes (32).
#[cfg_attr(not(feature = "jws"), allow(dead_code))]
pub(crate) fn ed25519_public_raw(der: &[u8]) -> Result<[u8; 32], JwtError> {
    let raw = match der.len() {
        32 => der,
        44 if der[..12] == ED25519_SPKI_PREFIX => &der[12..],
        _ => {
            return Err(JwtError::InvalidKey(
                "public key is not an Ed25519 SPKI or raw 32-byte key",
            ));
        }
    };
    let mut out = [0u8; 32];
    out.copy_from_slice(raw);
    Ok(out)
}
