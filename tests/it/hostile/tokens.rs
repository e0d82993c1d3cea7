//! Forged, tampered and expired tokens: Auth.js's JWE and both JWS formats, alg and kid
//! games.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

pub(super) fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

pub(super) fn claims() -> serde_json::Map<String, Value> {
    json!({"sub": "id-ada", "name": "ada", "email": "ada@example.com"})
        .as_object()
        .unwrap()
        .clone()
}

pub(super) fn codec(secret: &str, format: TokenFormat) -> JwtCodec {
    JwtCodec::new(
        &Secrets::new(vec![secret.to_owned()]).unwrap(),
        SESSION,
        format,
    )
    .unwrap()
}

/// Expired an hour ago (beyond any clock skew).
pub(super) fn expired(secret: &str, format: TokenFormat) -> String {
    codec(secret, format)
        .encode(&claims(), 60, now() - 3600)
        .unwrap()
}

pub(super) fn fresh(secret: &str, format: TokenFormat) -> String {
    codec(secret, format)
        .encode(&claims(), 3600, now())
        .unwrap()
}

pub(super) fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

/// One character of segment `i` changed (or one added to an empty segment).
pub(super) fn flip(token: &str, i: usize) -> String {
    let mut parts = segments(token);
    let part = &mut parts[i];
    if part.is_empty() {
        part.push_str("AAAA");
    } else {
        let mid = part.len() / 2;
        let c = if &part[mid..=mid] == "A" { "B" } else { "A" };
        part.replace_range(mid..=mid, c);
    }
    parts.join(".")
}

pub(super) fn header_of(token: &str) -> Value {
    serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
}

/// The token with another protected header (the rest untouched).
pub(super) fn with_header(token: &str, header: &Value) -> String {
    let mut parts = segments(token);
    parts[0] = B64.encode(header.to_string());
    parts.join(".")
}

/// The header with `key` set (or removed, for `Null`).
pub(super) fn header_set(token: &str, key: &str, value: Value) -> Value {
    let mut header = header_of(token);
    let map = header.as_object_mut().unwrap();
    if value.is_null() {
        map.remove(key);
    } else {
        map.insert(key.to_owned(), value);
    }
    header
}

/// A JWS signed by `jsonwebtoken` with `alg` and `key`, under `kid`.
pub(super) fn jws(
    alg: jsonwebtoken::Algorithm,
    key: &jsonwebtoken::EncodingKey,
    kid: Option<&str>,
) -> String {
    let mut header = jsonwebtoken::Header::new(alg);
    header.kid = kid.map(str::to_owned);
    let mut claims = claims();
    claims.insert("exp".into(), json!(now() + 3600));
    claims.insert("iat".into(), json!(now()));
    jsonwebtoken::encode(&header, &claims, key).unwrap()
}

/// Another Ed25519 key (PKCS#8 v1 DER: a fixed prefix and a 32-byte seed).
pub(super) fn other_ed_key() -> jsonwebtoken::EncodingKey {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[7; 32]);
    jsonwebtoken::EncodingKey::from_ed_der(&der)
}

/// `header.payload.` with `alg: none`.
pub(super) fn unsigned(header: &Value) -> String {
    let mut claims = claims();
    claims.insert("exp".into(), json!(now() + 3600));
    format!(
        "{}.{}.",
        B64.encode(header.to_string()),
        B64.encode(Value::Object(claims).to_string())
    )
}

/// The payload replaced (the signature kept).
pub(super) fn with_payload(token: &str, claims: &Value) -> String {
    let mut parts = segments(token);
    parts[1] = B64.encode(claims.to_string());
    parts.join(".")
}

/// Each forged token is refused twice: by the flow (`GET /session` is `null`, the cookie
/// at most cleared) and by the application's extractor (`401`).
pub(super) fn token_cases(cases: &mut Vec<Case>, app: App, what: &str, token: &str) {
    cases.push(
        case(
            format!("{app:?} session: {what}"),
            app,
            "GET",
            "/api/auth/session",
        )
        .cookie(format!("{SESSION}={token}"))
        .body_is("null"),
    );
    cases.push(
        case(format!("{app:?} /me: {what}"), app, "GET", "/me")
            .cookie(format!("{SESSION}={token}"))
            .status(401),
    );
}

pub(super) fn forged_tokens(cases: &mut Vec<Case>, live: &Live) {
    use jsonwebtoken::{Algorithm, EncodingKey};

    // JWE (Auth.js): wrong key, expiry, every segment tampered, shapes, header games.
    let jwe = &live.jwe;
    let mut list: Vec<(String, String)> = vec![
        (
            "JWE of another secret".into(),
            fresh(OTHER_SECRET, TokenFormat::AuthJs),
        ),
        (
            "JWE expired an hour ago".into(),
            expired(SECRET, TokenFormat::AuthJs),
        ),
        (
            "JWE truncated (no tag)".into(),
            segments(jwe)[..4].join("."),
        ),
        ("JWE with a sixth segment".into(), format!("{jwe}.AAAA")),
        ("JWE cut in half".into(), jwe[..jwe.len() / 2].to_owned()),
        ("empty value".into(), String::new()),
        ("not a token".into(), "garbage".into()),
        ("5 empty segments".into(), "....".into()),
        ("3000 characters of noise".into(), "x".repeat(3000)),
        (
            "an HS256 JWS of the same secret".into(),
            fresh(SECRET, TokenFormat::Hs256),
        ),
        (
            "an HS256 JWS signed with the secret itself".into(),
            jws(
                Algorithm::HS256,
                &EncodingKey::from_secret(SECRET.as_bytes()),
                None,
            ),
        ),
    ];
    for (i, part) in ["header", "encrypted key", "iv", "ciphertext", "tag"]
        .iter()
        .enumerate()
    {
        list.push((format!("JWE {part} tampered"), flip(jwe, i)));
    }
    for (what, key, value) in [
        ("alg none", "alg", json!("none")),
        ("alg RSA-OAEP", "alg", json!("RSA-OAEP")),
        ("alg A256KW", "alg", json!("A256KW")),
        ("enc A256GCM", "enc", json!("A256GCM")),
        ("enc A128CBC-HS256", "enc", json!("A128CBC-HS256")),
        ("kid removed", "kid", Value::Null),
        (
            "kid of another key",
            "kid",
            json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ),
        ("kid path traversal", "kid", json!("../../../../etc/passwd")),
        ("kid SQL", "kid", json!("' OR 1=1 --")),
        ("kid a number", "kid", json!(7)),
        ("zip DEF", "zip", json!("DEF")),
        ("crit header", "crit", json!(["exp"])),
    ] {
        list.push((
            format!("JWE {what}"),
            with_header(jwe, &header_set(jwe, key, value)),
        ));
    }
    for (what, token) in list {
        token_cases(cases, App::Jwe, &what, &token);
    }

    // HS256 JWS: alg games (none, HS512, RS256, EdDSA), kid games, tampering, expiry.
    let hs = &live.hs;
    let kid = header_of(hs)["kid"].as_str().unwrap().to_owned();
    let mut list: Vec<(String, String)> = vec![
        (
            "HS256 of another secret".into(),
            fresh(OTHER_SECRET, TokenFormat::Hs256),
        ),
        (
            "HS256 expired an hour ago".into(),
            expired(SECRET, TokenFormat::Hs256),
        ),
        (
            "HS256 payload changed, signature kept".into(),
            with_payload(
                hs,
                &json!({"sub": "id-admin", "name": "admin", "exp": now() + 3600}),
            ),
        ),
        (
            "HS256 signature stripped".into(),
            format!("{}.{}.", segments(hs)[0], segments(hs)[1]),
        ),
        ("HS256 two segments".into(), segments(hs)[..2].join(".")),
        (
            "HS256 signature of another token".into(),
            format!(
                "{}.{}.{}",
                segments(hs)[0],
                segments(hs)[1],
                segments(&fresh(OTHER_SECRET, TokenFormat::Hs256))[2]
            ),
        ),
        ("HS256 signature tampered".into(), flip(hs, 2)),
        (
            "alg none, kid kept".into(),
            unsigned(&json!({"alg": "none", "typ": "JWT", "kid": kid})),
        ),
        (
            "alg None".into(),
            unsigned(&json!({"alg": "None", "typ": "JWT", "kid": kid})),
        ),
        (
            "HS256 signed with the secret itself (no HKDF), real kid".into(),
            jws(
                Algorithm::HS256,
                &EncodingKey::from_secret(SECRET.as_bytes()),
                Some(&kid),
            ),
        ),
        (
            "HS512 signed with the secret, real kid".into(),
            jws(
                Algorithm::HS512,
                &EncodingKey::from_secret(SECRET.as_bytes()),
                Some(&kid),
            ),
        ),
        (
            "a JWE presented to the JWS service".into(),
            live.jwe.clone(),
        ),
    ];
    for (what, key, value) in [
        ("header alg HS512", "alg", json!("HS512")),
        ("header alg RS256", "alg", json!("RS256")),
        ("header alg EdDSA", "alg", json!("EdDSA")),
        ("kid removed", "kid", Value::Null),
        (
            "kid of another key",
            "kid",
            json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ),
        ("kid path traversal", "kid", json!("../../../../dev/null")),
        ("kid 10 KB", "kid", json!("k".repeat(10_000))),
        (
            "jku to another site",
            "jku",
            json!("https://evil.example/jwks.json"),
        ),
        (
            "embedded jwk",
            "jwk",
            json!({"kty": "oct", "k": B64.encode(b"attacker")}),
        ),
    ] {
        list.push((
            format!("HS256 {what}"),
            with_header(hs, &header_set(hs, key, value)),
        ));
    }
    for (what, token) in list {
        token_cases(cases, App::Hs, &what, &token);
    }

    // EdDSA JWS: the public key as an HMAC secret (HS/RS confusion), another key, none.
    let ed = &live.ed;
    let kid = header_of(ed)["kid"].as_str().unwrap().to_owned();
    let x = B64.decode(ED_X).unwrap();
    let list: Vec<(String, String)> = vec![
        (
            "HS256 keyed with the public key PEM, real kid".into(),
            jws(
                Algorithm::HS256,
                &EncodingKey::from_secret(ED_PUBLIC_PEM.as_bytes()),
                Some(&kid),
            ),
        ),
        (
            "HS256 keyed with the raw public key, real kid".into(),
            jws(Algorithm::HS256, &EncodingKey::from_secret(&x), Some(&kid)),
        ),
        (
            "HS256 keyed with the JWK x, real kid".into(),
            jws(
                Algorithm::HS256,
                &EncodingKey::from_secret(ED_X.as_bytes()),
                Some(&kid),
            ),
        ),
        (
            "signed by another Ed25519 key, real kid".into(),
            jws(Algorithm::EdDSA, &other_ed_key(), Some(&kid)),
        ),
        (
            "signed by another Ed25519 key, no kid".into(),
            jws(Algorithm::EdDSA, &other_ed_key(), None),
        ),
        (
            "alg none, real kid".into(),
            unsigned(&json!({"alg": "none", "kid": kid})),
        ),
        ("EdDSA expired an hour ago".into(), expired(SECRET, eddsa())),
        (
            "EdDSA payload changed, signature kept".into(),
            with_payload(
                ed,
                &json!({"sub": "id-admin", "name": "admin", "exp": now() + 3600}),
            ),
        ),
        ("EdDSA signature tampered".into(), flip(ed, 2)),
        (
            "EdDSA header alg HS256, signature kept".into(),
            with_header(ed, &header_set(ed, "alg", json!("HS256"))),
        ),
        (
            "EdDSA kid removed".into(),
            with_header(ed, &header_set(ed, "kid", Value::Null)),
        ),
        (
            "an HS256 token of the shared secret".into(),
            fresh(SECRET, TokenFormat::Hs256),
        ),
    ];
    for (what, token) in list {
        token_cases(cases, App::Ed, &what, &token);
    }
}
