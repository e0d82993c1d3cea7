//! The signed (JWS) session formats through the whole flow: a service signs sessions with
//! HS256 or EdDSA, a third party verifies the cookie with `jsonwebtoken` without any
//! decryption key, and a verify-only service (EdDSA public key alone) reads the sessions the
//! signer issued without re-issuing the cookie.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_runtime::jwt::{KeyMaterial, TokenFormat};
use auth_tests::flow::*;
use base64::Engine as _;

/// RFC 8037 Appendix A key pair (Ed25519).
const ED_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
const ED_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

fn eddsa(private: bool) -> TokenFormat {
    TokenFormat::EdDsa {
        private_key: private.then(|| KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())),
        public_key: KeyMaterial::Pem(ED_PUBLIC_PEM.to_owned()),
    }
}

fn session_cookie(b: &Browser) -> String {
    let names = b.session_cookie_names();
    assert_eq!(names.len(), 1, "one unchunked session cookie: {names:?}");
    b.jar[&names[0]].clone()
}

fn header(token: &str) -> serde_json::Value {
    let h = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(h)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn hs256_sessions_are_signed_jws_and_round_trip() {
    let mut b = Browser::new(auth(plain_config().with_token_format(TokenFormat::Hs256)));
    assert_eq!(b.sign_in("ada", None).await.status, 302);
    let token = session_cookie(&b);
    assert_eq!(token.split('.').count(), 3, "a JWS, not a 5-part JWE");
    assert_eq!(header(&token)["alg"], "HS256");
    assert_eq!(b.session().await["user"]["name"], "ada");

    // Tampering with the payload is refused: signed out and the cookie cleared.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&parts[1])
        .unwrap();
    let forged = String::from_utf8(claims).unwrap().replace("ada", "eve");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
    let name = b.session_cookie_names()[0].clone();
    b.jar.insert(name, parts.join("."));
    assert_eq!(b.session().await, serde_json::Value::Null);
    assert!(
        b.session_cookie_names().is_empty(),
        "the forged cookie is cleared"
    );
}

#[tokio::test]
async fn eddsa_sessions_verify_with_the_public_key_alone() {
    let mut signer = Browser::new(auth(plain_config().with_token_format(eddsa(true))));
    assert_eq!(signer.sign_in("ada", None).await.status, 302);
    let token = session_cookie(&signer);
    assert_eq!(header(&token)["alg"], "EdDSA");

    // A third party verifies the cookie with jsonwebtoken and the public key only.
    let key = jsonwebtoken::DecodingKey::from_ed_components(ED_X).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).unwrap();
    assert_eq!(data.claims["name"], "ada");
    assert_eq!(data.claims["sub"], "id-ada");

    // A verify-only service reads the signer's session and does not re-issue the cookie,
    // so the session keeps the token's own expiry.
    let mut reader = Browser::new(auth(plain_config().with_token_format(eddsa(false))));
    reader.jar = signer.jar.clone();
    let res = reader.get("/session").await;
    assert_eq!(res.status, 200);
    let session = res.json();
    assert_eq!(session["user"]["name"], "ada");
    assert!(
        res.set_cookie(&signer.session_cookie_names()[0]).is_none(),
        "verify-only: no Set-Cookie for the session"
    );
    let exp = data.claims["exp"].as_i64().unwrap();
    let expires = session["expires"].as_str().unwrap();
    assert_eq!(
        expires,
        auth_runtime_iso(exp),
        "the session's expiry is the token's"
    );

    // The verify-only service cannot sign anyone in, and says so instead of panicking.
    let mut reader2 = Browser::new(auth(plain_config().with_token_format(eddsa(false))));
    let res = reader2.sign_in("ada", None).await;
    assert_ne!(res.status, 200);
    assert!(reader2.session_cookie_names().is_empty());
}

/// ISO 8601 as the flow writes `expires` (UTC, milliseconds).
fn auth_runtime_iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
