//! Signed tokens (JWS compact) through `jsonwebtoken` with its RustCrypto backend:
//! `HS256` with a key derived from each secret, and `EdDSA` (Ed25519).

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{JwtError, KeyMaterial, Opened, Secrets, jwe, keys};

pub(crate) struct JwsKeys {
    salt: String,
    alg: Algorithm,
    /// `kid` and key of the first secret (or of the Ed25519 private key).
    signing: Option<(String, EncodingKey)>,
    /// `kid` and key of every secret (or the Ed25519 public key), in order.
    verifying: Vec<(String, DecodingKey)>,
    /// Signature and algorithm only: the time claims are checked by `claims::validate`
    /// with the caller's `now`, exactly as for the JWE.
    validation: Validation,
}

impl JwsKeys {
    /// Whether a private key (or secret) is present to sign with.
    pub(super) fn can_sign(&self) -> bool {
        self.signing.is_some()
    }

    pub(crate) fn hs256(secrets: &Secrets, salt: &str) -> Result<Self, JwtError> {
        let mut verifying = Vec::with_capacity(secrets.len());
        let mut signing = None;
        for secret in secrets.iter() {
            let mut key = [0u8; 32];
            keys::derive(secret, salt, keys::HS256_INFO, &mut key)?;
            let kid = keys::oct_thumbprint(&key);
            if signing.is_none() {
                signing = Some((kid.clone(), EncodingKey::from_secret(&key)));
            }
            verifying.push((kid, DecodingKey::from_secret(&key)));
        }
        Ok(JwsKeys {
            salt: salt.to_owned(),
            alg: Algorithm::HS256,
            signing,
            verifying,
            validation: validation(Algorithm::HS256),
        })
    }

    pub(crate) fn ed_dsa(
        salt: &str,
        private_key: Option<&KeyMaterial>,
        public_key: &KeyMaterial,
    ) -> Result<Self, JwtError> {
        let public = keys::ed25519_public_raw(&public_key.der("PUBLIC KEY")?)?;
        let kid = keys::ed25519_thumbprint(&public);
        let decoding = DecodingKey::from_ed_der(&public);
        let signing = match private_key {
            None => None,
            Some(private) => Some((
                kid.clone(),
                EncodingKey::from_ed_der(&private.der("PRIVATE KEY")?),
            )),
        };
        let keys = JwsKeys {
            salt: salt.to_owned(),
            alg: Algorithm::EdDSA,
            signing,
            verifying: vec![(kid, decoding)],
            validation: validation(Algorithm::EdDSA),
        };
        keys.self_check()?;
        Ok(keys)
    }

    /// Proves at start-up that the key pair loads and matches: signs and verifies a probe
    /// (with a private key), or checks that the public key is a valid curve point (a
    /// probe with a zero signature must fail as a bad signature, not as a bad key).
    fn self_check(&self) -> Result<(), JwtError> {
        let Some((_, verifying)) = self.verifying.first() else {
            return Err(JwtError::InvalidKey("no public key"));
        };
        let probe = match &self.signing {
            Some((_, signing)) => {
                jsonwebtoken::encode(&Header::new(self.alg), &Map::new(), signing)
                    .map_err(|_| JwtError::InvalidKey("private key is not a PKCS#8 Ed25519 key"))?
            }
            // {"alg":"EdDSA"}.{}.<64 zero bytes>
            None => format!("eyJhbGciOiJFZERTQSJ9.e30.{}", "A".repeat(86)),
        };
        match jsonwebtoken::decode::<Map<String, Value>>(&probe, verifying, &self.validation) {
            Ok(_) if self.signing.is_some() => Ok(()),
            Err(e) if self.signing.is_none() && matches!(e.kind(), ErrorKind::InvalidSignature) => {
                Ok(())
            }
            Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => Err(JwtError::InvalidKey(
                "private key does not match the public key",
            )),
            _ => Err(JwtError::InvalidKey(
                "public key is not a valid Ed25519 point",
            )),
        }
    }

    pub(crate) fn salt(&self) -> &str {
        &self.salt
    }

    pub(crate) fn len(&self) -> usize {
        self.verifying.len()
    }

    pub(crate) fn alg_name(&self) -> &'static str {
        match self.alg {
            Algorithm::EdDSA => "EdDSA",
            _ => "HS256",
        }
    }

    pub(crate) fn encode(&self, claims: &Map<String, Value>) -> Result<String, JwtError> {
        let (kid, key) = self.signing.as_ref().ok_or(JwtError::VerifyOnly)?;
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, claims, key).map_err(|_| JwtError::Encoding)
    }

    /// Signs a JSON payload (written as it is).
    pub(crate) fn encode_payload(&self, payload: &[u8]) -> Result<String, JwtError> {
        let (kid, key) = self.signing.as_ref().ok_or(JwtError::VerifyOnly)?;
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.clone());
        let raw: &RawValue = serde_json::from_slice(payload).map_err(|_| JwtError::Encoding)?;
        jsonwebtoken::encode(&header, &raw, key).map_err(|_| JwtError::Encoding)
    }

    /// Verifies a token's signature without parsing its payload into a `Value`.
    pub(crate) fn open(&self, token: &str) -> Result<Opened, JwtError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header_b64, _, _] = parts[..] else {
            return Err(JwtError::SegmentCount {
                found: parts.len(),
                expected: 3,
            });
        };
        let header = jwe::parse_header(header_b64)?;
        if header.contains_key("crit") {
            return Err(JwtError::Critical);
        }
        if header.get("alg").and_then(Value::as_str) != Some(self.alg_name()) {
            return Err(JwtError::UnsupportedAlg);
        }
        let key = match header.get("kid") {
            None => self.verifying.first(),
            Some(Value::String(kid)) => self.verifying.iter().find(|(k, _)| k == kid),
            Some(_) => None,
        }
        .map(|(_, key)| key)
        .ok_or(JwtError::UnknownKid)?;
        let data = jsonwebtoken::decode::<Box<RawValue>>(token, key, &self.validation).map_err(
            |e| match e.kind() {
                ErrorKind::InvalidSignature => JwtError::BadTag,
                ErrorKind::Base64(_) => JwtError::Base64 {
                    segment: "payload or signature",
                },
                ErrorKind::Json(_) | ErrorKind::Utf8(_) => JwtError::Payload,
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    JwtError::UnsupportedAlg
                }
                ErrorKind::InvalidEddsaKey | ErrorKind::InvalidKeyFormat => {
                    JwtError::InvalidKey("rejected by the verifier")
                }
                _ => JwtError::BadTag,
            },
        )?;
        let current = match (&self.signing, header.get("kid")) {
            (Some((signing, _)), Some(Value::String(kid))) => signing == kid,
            _ => false,
        };
        let payload: Box<str> = data.claims.into();
        Ok(Opened::new(
            payload.into_boxed_bytes().into_vec(),
            header,
            current,
        ))
    }
}

fn validation(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.leeway = 0;
    v
}
