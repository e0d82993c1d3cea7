//! The credential public key (`COSE_Key`, RFC 9052/9053) of the two algorithms accepted,
//! and its signature check.

use ciborium::Value;
use p256::ecdsa::signature::Verifier as _;

use super::CeremonyError;

/// COSE algorithm ES256 (ECDSA on P-256 with SHA-256).
pub(crate) const ES256: i64 = -7;
/// COSE algorithm EdDSA (here Ed25519).
pub(crate) const EDDSA: i64 = -8;

/// A credential public key.
#[derive(Debug)]
pub(crate) enum PublicKey {
    Es256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

fn int(v: &Value) -> Option<i64> {
    v.as_integer().and_then(|i| i64::try_from(i).ok())
}

impl PublicKey {
    /// Reads a `COSE_Key`: EC2 on P-256 with ES256, or OKP on Ed25519 with EdDSA.
    pub(crate) fn from_cose(bytes: &[u8]) -> Result<PublicKey, CeremonyError> {
        let (value, used) = super::authdata::cbor_item(bytes, "credential public key")?;
        let Value::Map(entries) = value else {
            return Err(CeremonyError::PublicKey);
        };
        if used != bytes.len() {
            return Err(CeremonyError::PublicKey);
        }
        let get = |label: i64| {
            entries
                .iter()
                .find(|(k, _)| int(k) == Some(label))
                .map(|(_, v)| v)
        };
        let bytes_of = |label: i64| match get(label) {
            Some(Value::Bytes(b)) => Some(b.as_slice()),
            _ => None,
        };
        let (kty, alg, crv) = (
            get(1).and_then(int),
            get(3).and_then(int),
            get(-1).and_then(int),
        );
        match (kty, alg, crv) {
            // kty EC2, crv P-256
            (Some(2), Some(ES256), Some(1)) => {
                let (Some(x), Some(y)) = (bytes_of(-2), bytes_of(-3)) else {
                    return Err(CeremonyError::PublicKey);
                };
                if x.len() != 32 || y.len() != 32 {
                    return Err(CeremonyError::PublicKey);
                }
                let mut sec1 = Vec::with_capacity(65);
                sec1.push(0x04);
                sec1.extend_from_slice(x);
                sec1.extend_from_slice(y);
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                    .map(PublicKey::Es256)
                    .map_err(|_| CeremonyError::PublicKey)
            }
            // kty OKP, crv Ed25519
            (Some(1), Some(EDDSA), Some(6)) => {
                let x: [u8; 32] = bytes_of(-2)
                    .and_then(|x| x.try_into().ok())
                    .ok_or(CeremonyError::PublicKey)?;
                ed25519_dalek::VerifyingKey::from_bytes(&x)
                    .map(PublicKey::Ed25519)
                    .map_err(|_| CeremonyError::PublicKey)
            }
            _ => Err(CeremonyError::PublicKey),
        }
    }

    /// The key's COSE algorithm.
    pub(crate) fn alg(&self) -> i64 {
        match self {
            PublicKey::Es256(_) => ES256,
            PublicKey::Ed25519(_) => EDDSA,
        }
    }

    /// Verifies `signature` over `message`: ES256 signatures are DER (§6.5.5), Ed25519 ones
    /// 64 raw bytes, checked strictly.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CeremonyError> {
        match self {
            PublicKey::Es256(key) => {
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| CeremonyError::Signature)?;
                key.verify(message, &sig)
                    .map_err(|_| CeremonyError::Signature)
            }
            PublicKey::Ed25519(key) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| CeremonyError::Signature)?;
                key.verify_strict(message, &sig)
                    .map_err(|_| CeremonyError::Signature)
            }
        }
    }
}
