//! A client secret minted as an ES256 JWT for each token request (Apple).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::{Endpoints, OAuthError};
use crate::config::ClientSecretJwt;

/// How long a minted secret is valid: one token request needs seconds.
const LIFETIME_SECS: i64 = 300;

/// The DER of a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`); `\n` escapes, as
/// a one-line environment variable carries them, are line breaks.
pub(crate) fn pkcs8_der(pem: &str) -> Result<Vec<u8>, OAuthError> {
    let pem = pem.replace("\\n", "\n");
    let body = pem
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .and_then(|rest| rest.split("-----END PRIVATE KEY-----").next())
        .ok_or_else(|| {
            OAuthError::ClientSecret(
                "the private key is not a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`)".to_owned(),
            )
        })?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(b64)
        .map_err(|e| OAuthError::ClientSecret(format!("the private key's base64: {e}")))
}

/// Whether the key signs (at start-up, so a bad key is an error there, not at a sign-in).
pub(crate) fn check_key(key: &ClientSecretJwt) -> Result<(), OAuthError> {
    let der = pkcs8_der(&key.private_key.resolve()?)?;
    jsonwebtoken::encode(
        &Header::new(Algorithm::ES256),
        &json!({}),
        &EncodingKey::from_ec_der(&der),
    )
    .map(drop)
    .map_err(|e| OAuthError::ClientSecret(format!("not a P-256 private key: {e}")))
}

/// `{iss: team_id, sub: client_id, aud: issuer, iat, exp}` signed ES256 with `kid`.
pub(crate) fn mint(
    key: &ClientSecretJwt,
    client_id: &str,
    endpoints: &Endpoints,
) -> Result<String, OAuthError> {
    let team_id = key.team_id.resolve()?;
    let key_id = key.key_id.resolve()?;
    let der = pkcs8_der(&key.private_key.resolve()?)?;
    let audience = endpoints.issuer.as_deref().ok_or_else(|| {
        OAuthError::Config("a client secret JWT needs the provider's issuer".to_owned())
    })?;
    let now = crate::util::unix_now();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key_id);
    let claims = json!({
        "iss": team_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + LIFETIME_SECS,
    });
    // `from_ec_der` takes any bytes; a key that is not P-256 PKCS#8 fails here.
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_der(&der))
        .map_err(|e| OAuthError::ClientSecret(format!("not a P-256 private key: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2w/Q3K7h4LwF83Lj\nfG13C2AODCa7y2d1pf3yl8QD1CqhRANCAAQ+Qai/tWyUn2rTlhyvYKbeVp50o06L\n/eiC7EpvN9+TGYjtYp4B+zlnjvf+mJo4tpADSc9uoGVtMIB8dcLDwGYG\n-----END PRIVATE KEY-----\n";

    fn endpoints() -> Endpoints {
        Endpoints {
            issuer: Some("https://appleid.apple.com".to_owned()),
            issuer_template: None,
            authorization: String::new(),
            token: String::new(),
            userinfo: None,
            jwks_uri: None,
            id_token_algs: Vec::new(),
            iss_param_required: false,
        }
    }

    fn key(pem: &str) -> ClientSecretJwt {
        ClientSecretJwt {
            team_id: "TEAM123456".into(),
            key_id: "KEY1234567".into(),
            private_key: pem.into(),
        }
    }

    #[test]
    fn mints_an_es256_token_with_apple_claims() {
        // One line with `\n` escapes, as in an environment variable.
        let one_line = KEY.replace('\n', "\\n");
        let jwt = mint(&key(&one_line), "com.example.web", &endpoints()).unwrap();
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        assert_eq!(header.kid.as_deref(), Some("KEY1234567"));
        let payload = jwt.split('.').nth(1).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["iss"], "TEAM123456");
        assert_eq!(claims["sub"], "com.example.web");
        assert_eq!(claims["aud"], "https://appleid.apple.com");
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            300
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]

        /// Any text as a key is a typed error or a DER, never a panic.
        #[test]
        fn any_pem_text_decodes_or_fails_typed(text in ".{0,200}", body in "[A-Za-z0-9+/=\\n ]{0,120}") {
            let _ = pkcs8_der(&text);
            let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----");
            if let Err(e) = mint(&key(&pem), "c", &endpoints()) {
                proptest::prop_assert!(matches!(e, OAuthError::ClientSecret(_)));
            }
        }
    }

    #[test]
    fn a_bad_key_is_a_typed_error() {
        for pem in [
            "not a key",
            "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----",
        ] {
            assert!(matches!(
                mint(&key(pem), "c", &endpoints()),
                Err(OAuthError::ClientSecret(_))
            ));
        }
        let wrong = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
        assert!(matches!(
            mint(&key(wrong), "c", &endpoints()),
            Err(OAuthError::ClientSecret(_))
        ));
    }
}
