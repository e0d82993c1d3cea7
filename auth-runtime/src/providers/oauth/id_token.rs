//! ID token verification: signature from the issuer's JWKS (cached, refetched once on an
//! unknown `kid`), then `iss`, `aud`, `exp`, `iat`, `azp` and `nonce`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::discovery::Endpoints;
use super::http::{self, Endpoint};
use super::{OAuthClient, OAuthError};

/// How long a JWKS is reused before it is fetched again.
pub(crate) const JWKS_TTL: Duration = Duration::from_secs(60 * 60);
/// Clock skew allowed on `exp` (Auth.js's 15 seconds).
const LEEWAY: u64 = 15;

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The token response of an OIDC provider had no `id_token`.
    #[error("the token response has no id_token")]
    Missing,
    /// Not a JWS compact token, or its JSON is broken.
    #[error("malformed ID token: {0}")]
    Malformed(String),
    /// Signed with an algorithm the issuer does not advertise or this client refuses.
    #[error("ID token algorithm not accepted: {0}")]
    Algorithm(String),
    /// No key of the issuer's JWKS matches the token's `kid` (after one refetch).
    #[error("no key in the issuer's JWKS matches the ID token (kid {0:?})")]
    UnknownKey(Option<String>),
    /// The signature does not verify.
    #[error("ID token signature is invalid")]
    Signature,
    /// `iss` is not the issuer.
    #[error("ID token `iss` is not the issuer")]
    Issuer,
    /// `aud` does not contain the client id (or `azp` names another client).
    #[error("ID token `aud`/`azp` is not this client")]
    Audience,
    /// `exp` is in the past.
    #[error("ID token has expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("ID token is not valid yet")]
    NotYetValid,
    /// `nonce` is missing or differs from the one sent.
    #[error("ID token `nonce` does not match")]
    Nonce,
    /// A required claim is missing or has the wrong type.
    #[error("ID token claims invalid: {0}")]
    Claims(String),
}

/// A key of a JWKS with the members the selection needs.
#[derive(Debug)]
pub(crate) struct Key {
    kid: Option<String>,
    alg: Option<String>,
    use_: Option<String>,
    jwk: Jwk,
}

fn parse_jwks(value: &Value) -> Result<Vec<Key>, OAuthError> {
    let keys =
        value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| OAuthError::InvalidResponse {
                endpoint: Endpoint::Jwks,
                reason: "no `keys` array".to_owned(),
            })?;
    let str_of = |k: &Value, name: &str| k.get(name).and_then(Value::as_str).map(str::to_owned);
    // Keys this library cannot read (other curves, encryption keys) are skipped, not fatal.
    Ok(keys
        .iter()
        .filter_map(|k| {
            let jwk: Jwk = serde_json::from_value(k.clone()).ok()?;
            Some(Key {
                kid: str_of(k, "kid"),
                alg: str_of(k, "alg"),
                use_: str_of(k, "use"),
                jwk,
            })
        })
        .collect())
}

/// Does this key fit the algorithm (type and curve, and its own `alg`/`use` if set)?
fn key_fits(key: &Key, alg: Algorithm, alg_name: &str) -> bool {
    if key.use_.as_deref().is_some_and(|u| u != "sig") {
        return false;
    }
    if key.alg.as_deref().is_some_and(|a| a != alg_name) {
        return false;
    }
    match (&key.jwk.algorithm, alg) {
        (
            AlgorithmParameters::RSA(_),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
        ) => true,
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => p.curve == EllipticCurve::P256,
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES384) => p.curve == EllipticCurve::P384,
        (AlgorithmParameters::OctetKeyPair(p), Algorithm::EdDSA) => {
            p.curve == EllipticCurve::Ed25519
        }
        _ => false,
    }
}

fn select<'k>(
    keys: &'k [Key],
    kid: Option<&str>,
    alg: Algorithm,
    alg_name: &str,
) -> Option<&'k Key> {
    let mut candidates = keys
        .iter()
        .filter(|k| key_fits(k, alg, alg_name))
        .filter(|k| kid.is_none_or(|kid| k.kid.as_deref() == Some(kid)));
    let first = candidates.next()?;
    // Without a `kid` the choice must be unambiguous.
    if kid.is_none() && candidates.next().is_some() {
        return None;
    }
    Some(first)
}

fn map_jwt_error(err: jsonwebtoken::errors::Error) -> IdTokenError {
    match err.kind() {
        ErrorKind::InvalidSignature => IdTokenError::Signature,
        ErrorKind::ExpiredSignature => IdTokenError::Expired,
        ErrorKind::InvalidIssuer => IdTokenError::Issuer,
        ErrorKind::InvalidAudience => IdTokenError::Audience,
        ErrorKind::ImmatureSignature => IdTokenError::NotYetValid,
        ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => {
            IdTokenError::Algorithm(err.to_string())
        }
        ErrorKind::MissingRequiredClaim(c) => IdTokenError::Claims(format!("missing `{c}`")),
        ErrorKind::InvalidClaimFormat(c) => {
            IdTokenError::Claims(format!("`{c}` has the wrong type"))
        }
        _ => IdTokenError::Malformed(err.to_string()),
    }
}

impl OAuthClient {
    /// The keys of a JWKS, cached; `refresh` forces a fetch.
    async fn jwks(&self, uri: &str, refresh: bool) -> Result<Arc<Vec<Key>>, OAuthError> {
        if !refresh && let Some(hit) = self.inner.jwks_cached(uri) {
            return Ok(hit);
        }
        let received = http::send(self.http()?.get(uri), Endpoint::Jwks).await?;
        received.ensure_success(Endpoint::Jwks)?;
        let keys = Arc::new(parse_jwks(&received.json_object(Endpoint::Jwks)?)?);
        self.inner.jwks_store(uri, keys.clone(), Instant::now());
        Ok(keys)
    }

    /// Verifies an ID token and returns its claims. `nonce` is `None` only for tokens from
    /// a refresh, which carry none.
    pub(crate) async fn verify_id_token(
        &self,
        id_token: &str,
        endpoints: &Endpoints,
        client_id: &str,
        nonce: Option<&str>,
    ) -> Result<Value, OAuthError> {
        let header = jsonwebtoken::decode_header(id_token)
            .map_err(|e| IdTokenError::Malformed(e.to_string()))?;
        let alg = header.alg;
        let alg_name = format!("{alg:?}");
        if !endpoints.id_token_algs.contains(&alg) {
            return Err(IdTokenError::Algorithm(format!(
                "{alg_name} is not advertised by the issuer (or not an accepted asymmetric algorithm)"
            ))
            .into());
        }
        let issuer = endpoints.issuer.as_deref().ok_or_else(|| {
            OAuthError::Config("an ID token needs a configured issuer".to_owned())
        })?;
        let jwks_uri = endpoints.jwks_uri.as_deref().ok_or_else(|| {
            OAuthError::Discovery("the discovery document has no jwks_uri".to_owned())
        })?;
        let kid = header.kid.as_deref();
        let mut keys = self.jwks(jwks_uri, false).await?;
        if select(&keys, kid, alg, &alg_name).is_none() {
            // The issuer may have rotated its keys: fetch once more.
            keys = self.jwks(jwks_uri, true).await?;
        }
        let key = select(&keys, kid, alg, &alg_name)
            .ok_or_else(|| IdTokenError::UnknownKey(header.kid.clone()))?;
        let decoding = DecodingKey::from_jwk(&key.jwk)
            .map_err(|e| IdTokenError::Algorithm(format!("unusable key: {e}")))?;

        let mut validation = Validation::new(alg);
        validation.leeway = LEEWAY;
        // A multi-tenant issuer is checked below, once `tid` is known.
        if endpoints.issuer_template.is_none() {
            validation.set_issuer(&[issuer]);
        }
        validation.set_audience(&[client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Value>(id_token, &decoding, &validation)
            .map_err(map_jwt_error)?;
        let claims = data.claims;

        if !claims.get("iat").is_some_and(Value::is_number) {
            return Err(IdTokenError::Claims("missing `iat`".to_owned()).into());
        }
        if let Some(template) = &endpoints.issuer_template {
            // Signed by the issuer's key: `tid` names the tenant, and `iss` must be that
            // tenant's issuer (a token of one tenant cannot pass as another's).
            let tid = claims
                .get("tid")
                .and_then(Value::as_str)
                .filter(|t| super::discovery::is_tenant(t))
                .ok_or(IdTokenError::Issuer)?;
            let expected = template.replace(super::discovery::TENANT_PLACEHOLDER, tid);
            if claims.get("iss").and_then(Value::as_str) != Some(expected.as_str()) {
                return Err(IdTokenError::Issuer.into());
            }
        }
        if !claims.get("sub").is_some_and(Value::is_string) {
            return Err(IdTokenError::Claims("`sub` is not a string".to_owned()).into());
        }
        let several_audiences = claims
            .get("aud")
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() > 1);
        match claims.get("azp") {
            Some(Value::String(azp)) if azp != client_id => {
                return Err(IdTokenError::Audience.into());
            }
            None if several_audiences => return Err(IdTokenError::Audience.into()),
            _ => {}
        }
        if let Some(expected) = nonce {
            let got = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
            if !bool::from(got.as_bytes().ct_eq(expected.as_bytes())) {
                return Err(IdTokenError::Nonce.into());
            }
        }
        Ok(claims)
    }
}
