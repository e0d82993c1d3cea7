//! The registered claims: what `encode` adds and what `decode` checks (jose's
//! `validateClaimsSet` with `clockTolerance: 15`, as `@auth/core` calls it).

use serde_json::{Map, Value};

use super::{CLOCK_SKEW_SECS, JwtError};

/// `claims` plus `iat = now`, `exp = now + max_age` and a fresh `jti`; existing values of
/// these three are replaced, as jose's `setIssuedAt`/`setExpirationTime`/`setJti` do.
pub(crate) fn with_issued(
    claims: Map<String, Value>,
    max_age: u64,
    now: i64,
) -> Result<Map<String, Value>, JwtError> {
    let (iat, exp, jti) = issued(max_age, now)?;
    let mut out = claims;
    out.insert("iat".to_owned(), Value::from(iat));
    out.insert("exp".to_owned(), Value::from(exp));
    out.insert("jti".to_owned(), Value::String(jti));
    Ok(out)
}

/// The `iat`, `exp` and `jti` of a token issued at `now` for `max_age` seconds.
pub(crate) fn issued(max_age: u64, now: i64) -> Result<(i64, i64, String), JwtError> {
    let max_age = i64::try_from(max_age).map_err(|_| JwtError::InvalidMaxAge)?;
    let exp = now.checked_add(max_age).ok_or(JwtError::InvalidMaxAge)?;
    Ok((now, exp, crate::util::uuid_v4()))
}

/// Parses the plaintext and checks the time claims at `now`.
pub(crate) fn parse_and_validate(
    plaintext: &[u8],
    header: &Map<String, Value>,
    now: i64,
) -> Result<Map<String, Value>, JwtError> {
    let value: Value = serde_json::from_slice(plaintext).map_err(|_| JwtError::Payload)?;
    let Value::Object(claims) = value else {
        return Err(JwtError::PayloadNotObject);
    };
    validate(&claims, header, now)?;
    Ok(claims)
}

/// jose's checks: `iat`, `nbf`, `exp` must be numbers when present; `nbf > now + 15` is
/// not yet valid; `exp <= now - 15` is expired; `iss`/`sub`/`aud` copied into the
/// protected header must equal the claims.
pub(crate) fn validate(
    claims: &Map<String, Value>,
    header: &Map<String, Value>,
    now: i64,
) -> Result<(), JwtError> {
    check(
        header,
        now,
        |claim| number(claims, claim),
        |claim, copy| claims.get(claim) == Some(copy),
    )
}

/// [`validate`]'s checks on claims however they are held: `number` reads a claim that must
/// be a number when present (`Value::as_f64`), `equals` compares a claim with its header
/// copy. The one copy of these rules, for the `Value` map and for the raw claims
/// (`super::raw`).
pub(crate) fn check(
    header: &Map<String, Value>,
    now: i64,
    number: impl Fn(&'static str) -> Result<Option<f64>, JwtError>,
    equals: impl Fn(&'static str, &Value) -> bool,
) -> Result<(), JwtError> {
    number("iat")?;
    let nbf = number("nbf")?;
    let exp = number("exp")?;
    // i64 -> f64 is exact for any realistic Unix time (below 2^53).
    let now = now as f64;
    let tolerance = CLOCK_SKEW_SECS as f64;
    if let Some(nbf) = nbf
        && nbf > now + tolerance
    {
        return Err(JwtError::NotYetValid);
    }
    if let Some(exp) = exp
        && exp <= now - tolerance
    {
        return Err(JwtError::Expired);
    }
    for claim in ["iss", "sub", "aud"] {
        if let Some(copy) = header.get(claim)
            && !equals(claim, copy)
        {
            return Err(JwtError::ClaimMismatch { claim });
        }
    }
    Ok(())
}

fn number(claims: &Map<String, Value>, claim: &'static str) -> Result<Option<f64>, JwtError> {
    match claims.get(claim) {
        None => Ok(None),
        Some(v) => v.as_f64().map(Some).ok_or(JwtError::ClaimType { claim }),
    }
}
