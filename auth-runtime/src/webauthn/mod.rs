//! The relying party's checks of a WebAuthn ceremony (W3C Web Authentication, §7.1
//! "Registering a New Credential" and §7.2 "Verifying an Authentication Assertion"), for the
//! `Passkey` provider (feature `passkey`).
//!
//! Composed over the RustCrypto generation the tree already has: ES256 (`p256`), EdDSA
//! (`ed25519-dalek`), SHA-256 (`sha2`) and CBOR (`ciborium`); held to the W3C's published
//! test vectors (`tests.rs`, §16 of the specification). No attestation is requested
//! (`attestation: "none"`), so none is trusted: `none` and `packed` statements are accepted,
//! a `packed` self attestation is verified with the credential's own key.
//!
//! - `authdata`: the authenticator data (flags, counter, attested credential).
//! - `cose`: the credential public key (`COSE_Key`) and its signature check.

mod authdata;
mod cose;
#[cfg(test)]
mod tests;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

pub(crate) use authdata::AuthData;
pub(crate) use cose::PublicKey;

/// The COSE algorithms a new passkey may use, in the order the options list them: ES256
/// (every platform authenticator) and EdDSA.
pub(crate) const ALGORITHMS: [i64; 2] = [cose::ES256, cose::EDDSA];

/// The longest credential id accepted (the specification's limit).
pub(crate) const MAX_CREDENTIAL_ID_BYTES: usize = 1023;

/// What a ceremony must match: the challenge this browser was given, the site's origin and
/// the relying party id.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expected<'a> {
    pub(crate) challenge: &'a [u8],
    pub(crate) origin: &'a str,
    pub(crate) rp_id: &'a str,
}

/// Why a ceremony is refused. Each is the visitor's (or an attacker's) doing, never the
/// server's: the flow answers them alike, and logs which.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CeremonyError {
    /// A value is not what WebAuthn sends (bad base64, JSON, CBOR, lengths).
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// `clientDataJSON.type` is not the ceremony's.
    #[error("clientDataJSON.type is not `{0}`")]
    Type(&'static str),
    /// The challenge is not the one this browser was given.
    #[error("the challenge is not the one issued to this browser")]
    Challenge,
    /// The page that ran the ceremony is not the site.
    #[error("the origin `{0}` is not the site's")]
    Origin(String),
    /// The ceremony ran in a frame of another site.
    #[error("the ceremony ran in a cross-origin frame")]
    CrossOrigin,
    /// The authenticator data is for another relying party id.
    #[error("the authenticator data is for another relying party id")]
    RpId,
    /// The user-present flag is not set.
    #[error("the user was not present")]
    UserPresence,
    /// A credential without an attested key, or an attestation format not accepted.
    #[error("unsupported attestation: {0}")]
    Attestation(&'static str),
    /// The key's algorithm is not ES256 or EdDSA (or the key is not valid).
    #[error("unsupported or invalid public key")]
    PublicKey,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Signature,
    /// The signature counter did not grow (a cloned authenticator, or a replay).
    #[error("the signature counter went from {stored} to {received}")]
    Counter {
        /// The counter stored with the credential.
        stored: u32,
        /// The counter of this assertion.
        received: u32,
    },
}

/// A credential registered by a valid attestation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewCredential {
    pub(crate) credential_id: Vec<u8>,
    /// The credential public key, as the authenticator encoded it (`COSE_Key`).
    pub(crate) public_key: Vec<u8>,
    pub(crate) counter: u32,
    /// The user was verified (PIN, biometrics).
    pub(crate) user_verified: bool,
}

/// An assertion that verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Asserted {
    /// The counter to store.
    pub(crate) counter: u32,
    pub(crate) user_verified: bool,
}

/// Base64url without padding (WebAuthn's JSON encoding), a trailing `=` tolerated.
pub(crate) fn b64url_decode(value: &str, what: &'static str) -> Result<Vec<u8>, CeremonyError> {
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map_err(|_| CeremonyError::Malformed(what))
}

/// Base64url without padding.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The fields of `clientDataJSON` the relying party checks.
#[derive(serde::Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
    #[serde(rename = "topOrigin", default)]
    top_origin: Option<String>,
}

/// §7.1 steps 5–12 and §7.2 steps 9–14: the client data's type, challenge, origin and
/// frame.
fn check_client_data(
    json: &[u8],
    kind: &'static str,
    expected: &Expected<'_>,
) -> Result<(), CeremonyError> {
    let c: ClientData =
        serde_json::from_slice(json).map_err(|_| CeremonyError::Malformed("clientDataJSON"))?;
    if c.kind != kind {
        return Err(CeremonyError::Type(kind));
    }
    let challenge = b64url_decode(&c.challenge, "challenge")?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        challenge.as_slice(),
        expected.challenge,
    )) {
        return Err(CeremonyError::Challenge);
    }
    if c.origin != expected.origin {
        return Err(CeremonyError::Origin(c.origin));
    }
    if c.cross_origin == Some(true) || c.top_origin.is_some() {
        return Err(CeremonyError::CrossOrigin);
    }
    Ok(())
}

/// The relying party id's hash in the authenticator data, and the user-present flag.
fn check_auth_data(data: &AuthData, rp_id: &str) -> Result<(), CeremonyError> {
    let rp_hash: [u8; 32] = Sha256::digest(rp_id.as_bytes()).into();
    if data.rp_id_hash != rp_hash {
        return Err(CeremonyError::RpId);
    }
    if !data.user_present() {
        return Err(CeremonyError::UserPresence);
    }
    Ok(())
}

/// §7.1: a registration (`navigator.credentials.create`) checked against `expected`.
pub(crate) fn verify_registration(
    client_data_json: &[u8],
    attestation_object: &[u8],
    expected: &Expected<'_>,
) -> Result<NewCredential, CeremonyError> {
    check_client_data(client_data_json, "webauthn.create", expected)?;
    let attestation = authdata::Attestation::parse(attestation_object)?;
    let data = AuthData::parse(&attestation.auth_data)?;
    check_auth_data(&data, expected.rp_id)?;
    let user_verified = data.user_verified();
    let Some(credential) = data.attested else {
        return Err(CeremonyError::Attestation("no attested credential data"));
    };
    let key = PublicKey::from_cose(&credential.public_key)?;
    match attestation.fmt.as_str() {
        "none" if attestation.statement.is_empty() => {}
        "none" => return Err(CeremonyError::Attestation("`none` with a statement")),
        "packed" => {
            let client_hash = Sha256::digest(client_data_json);
            let mut signed = attestation.auth_data.clone();
            signed.extend_from_slice(&client_hash);
            attestation.check_packed(&key, &signed)?;
        }
        _ => return Err(CeremonyError::Attestation("format not accepted")),
    }
    Ok(NewCredential {
        credential_id: credential.credential_id,
        public_key: credential.public_key,
        counter: data.counter,
        user_verified,
    })
}

/// §7.2: an assertion (`navigator.credentials.get`) of the credential whose key is
/// `public_key` (`COSE_Key`) and whose stored counter is `stored_counter`.
pub(crate) fn verify_authentication(
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
    public_key: &[u8],
    stored_counter: u32,
    expected: &Expected<'_>,
) -> Result<Asserted, CeremonyError> {
    check_client_data(client_data_json, "webauthn.get", expected)?;
    let data = AuthData::parse(authenticator_data)?;
    check_auth_data(&data, expected.rp_id)?;
    let key = PublicKey::from_cose(public_key)?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    key.verify(&signed, signature)?;
    // §7.2 step 22: a counter that does not grow (unless both are zero: an authenticator
    // without a counter, as most synced passkeys) may be a cloned authenticator.
    if (data.counter != 0 || stored_counter != 0) && data.counter <= stored_counter {
        return Err(CeremonyError::Counter {
            stored: stored_counter,
            received: data.counter,
        });
    }
    Ok(Asserted {
        counter: data.counter,
        user_verified: data.user_verified(),
    })
}
