//! Interop of the session token codec with the real Auth.js (`@auth/core` from npm,
//! pinned in `tests/js/package-lock.json`), both directions, with the same secret:
//! tokens minted by `@auth/core/jwt`'s `encode` are decoded by [`JwtCodec`], and tokens
//! minted by [`JwtCodec`] are decoded by `@auth/core/jwt`'s `decode`. The signed (JWS)
//! formats are verified with `jose`, the library Auth.js builds on.
//!
//! Needs Node and `tests/js/node_modules` (`scripts/setup` installs both).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use auth_runtime::jwt::{JwtCodec, JwtError, KeyMaterial, Secrets, TokenFormat, unix_now};
use serde_json::{Map, Value, json};

const SALT: &str = "authjs.session-token";
const SECURE_SALT: &str = "__Secure-authjs.session-token";
const SECRET: &str = "interop-secret-0123456789abcdef0123456789abcdef";
const OLD_SECRET: &str = "the previous secret, still accepted";
const MAX_AGE: u64 = 30 * 24 * 60 * 60;

/// Runs `node tests/js/<script>` with `input` as JSON on stdin and parses its JSON output.
fn node(script: &str, input: &Value) -> Value {
    auth_tests::node::require("@auth/core");
    auth_tests::node::run(script, input)
}

/// Auth.js's `encode` for each job; returns the tokens.
fn authjs_encode(jobs: Vec<Value>) -> Vec<String> {
    let out = node("authjs-encode.mjs", &Value::Array(jobs));
    out.as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

/// Auth.js's `decode` for each job; `Ok(payload)` or `Err(message)`.
fn authjs_decode(jobs: Vec<Value>) -> Vec<Result<Map<String, Value>, String>> {
    let out = node("authjs-decode.mjs", &Value::Array(jobs));
    out.as_array()
        .unwrap()
        .iter()
        .map(|r| match (&r["payload"], &r["error"]) {
            (Value::Object(p), _) => Ok(p.clone()),
            (_, Value::String(e)) => Err(e.clone()),
            other => panic!("unexpected decode result {other:?}"),
        })
        .collect()
}

fn codec(secrets: &[&str], salt: &str) -> JwtCodec {
    let secrets = Secrets::new(secrets.iter().map(|s| (*s).to_owned()).collect()).unwrap();
    JwtCodec::new(&secrets, salt, TokenFormat::AuthJs).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

/// The claims of a signed-in user, as Auth.js's sign-in sets them.
fn user_claims() -> Map<String, Value> {
    obj(
        json!({"name": "Ada Lovelace", "email": "ada@example.com", "picture": "https://example.com/ada.png", "sub": "user-1"}),
    )
}

/// Claims with non-ASCII text in several scripts, emoji and escapes.
fn unicode_claims() -> Map<String, Value> {
    obj(json!({
        "name": "Zoë Ångström-Øre 李小龍 Łukasz ﷽ 🦀👩‍💻",
        "email": "zoë@exämple.com",
        "sub": "ユーザー-2",
        "note": "quotes \" backslash \\ newline \n tab \t nul \u{0}",
    }))
}

/// Claims big enough that the token needs Auth.js's cookie chunking (> 3936 characters).
fn large_claims() -> Map<String, Value> {
    let groups: Vec<String> = (0..200).map(|i| format!("group-{i:04}-éà")).collect();
    obj(json!({"sub": "user-3", "name": "Large", "groups": groups, "blob": "x".repeat(2000)}))
}

/// `decoded` has every claim of `sent` with the same value, plus iat/exp/jti.
fn assert_claims(decoded: &Map<String, Value>, sent: &Map<String, Value>, what: &str) {
    for (k, v) in sent {
        assert_eq!(decoded.get(k), Some(v), "{what}: claim `{k}`");
    }
    assert!(decoded["iat"].is_i64(), "{what}: iat");
    assert!(decoded["exp"].is_i64(), "{what}: exp");
    assert!(
        decoded["jti"].as_str().is_some_and(|j| j.len() == 36),
        "{what}: jti"
    );
}

/// (case, claims, salt, Auth.js's `secret`, our secrets)
type IntoRust = (
    &'static str,
    Map<String, Value>,
    &'static str,
    Value,
    Vec<&'static str>,
);
/// (case, claims, salt, our secrets, Auth.js's `secret`)
type IntoAuthJs = (
    &'static str,
    Map<String, Value>,
    &'static str,
    Vec<&'static str>,
    Value,
);

#[test]
fn authjs_tokens_decode_in_rust() {
    let cases: Vec<IntoRust> = vec![
        (
            "plain salt",
            user_claims(),
            SALT,
            json!(SECRET),
            vec![SECRET],
        ),
        (
            "__Secure- salt",
            user_claims(),
            SECURE_SALT,
            json!(SECRET),
            vec![SECRET],
        ),
        (
            "rotated: Auth.js [new, old], Rust [new, old]",
            user_claims(),
            SALT,
            json!([SECRET, OLD_SECRET]),
            vec![SECRET, OLD_SECRET],
        ),
        (
            "rotated: Auth.js old only, Rust [new, old]",
            user_claims(),
            SALT,
            json!(OLD_SECRET),
            vec![SECRET, OLD_SECRET],
        ),
        (
            "unicode claims",
            unicode_claims(),
            SALT,
            json!(SECRET),
            vec![SECRET],
        ),
        (
            "large token",
            large_claims(),
            SECURE_SALT,
            json!(SECRET),
            vec![SECRET],
        ),
    ];
    let jobs = cases
        .iter()
        .map(
            |(_, claims, salt, secret, _)| json!({"token": claims, "secret": secret, "salt": salt}),
        )
        .collect();
    let tokens = authjs_encode(jobs);
    let now = unix_now();
    for ((what, claims, salt, _, rust_secrets), token) in cases.iter().zip(&tokens) {
        let ours = codec(rust_secrets, salt);
        let decoded = ours
            .decode(token, now)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_claims(&decoded, claims, what);
        let exp = decoded["exp"].as_i64().unwrap();
        let iat = decoded["iat"].as_i64().unwrap();
        assert_eq!(
            exp - iat,
            MAX_AGE as i64,
            "{what}: Auth.js's default maxAge"
        );
        // Our header for the same first secret and salt is byte-identical (same kid).
        let our_token = ours.encode(&Map::new(), 60, now).unwrap();
        if rust_secrets[0] == SECRET && !what.contains("old only") {
            assert_eq!(
                our_token.split('.').next(),
                token.split('.').next(),
                "{what}: header"
            );
        }
    }
    let large = &tokens[5];
    assert!(
        large.len() > 3936,
        "the large token has {} characters",
        large.len()
    );

    // Only the old secret in Rust: Auth.js's [new, old] token has the new kid.
    assert_eq!(
        codec(&[OLD_SECRET], SALT).decode(&tokens[2], now),
        Err(JwtError::UnknownKid)
    );
    // Other secret, other cookie name.
    assert_eq!(
        codec(&["not the secret"], SALT).decode(&tokens[0], now),
        Err(JwtError::UnknownKid)
    );
    assert_eq!(
        codec(&[SECRET], SECURE_SALT).decode(&tokens[0], now),
        Err(JwtError::UnknownKid)
    );
}

#[test]
fn rust_tokens_decode_in_authjs() {
    let now = unix_now();
    let cases: Vec<IntoAuthJs> = vec![
        (
            "plain salt",
            user_claims(),
            SALT,
            vec![SECRET],
            json!(SECRET),
        ),
        (
            "__Secure- salt",
            user_claims(),
            SECURE_SALT,
            vec![SECRET],
            json!(SECRET),
        ),
        (
            "rotated: Rust [new, old], Auth.js [new, old]",
            user_claims(),
            SALT,
            vec![SECRET, OLD_SECRET],
            json!([SECRET, OLD_SECRET]),
        ),
        (
            "rotated: Rust old only, Auth.js [new, old]",
            user_claims(),
            SALT,
            vec![OLD_SECRET],
            json!([SECRET, OLD_SECRET]),
        ),
        (
            "unicode claims",
            unicode_claims(),
            SALT,
            vec![SECRET],
            json!(SECRET),
        ),
        (
            "large token",
            large_claims(),
            SECURE_SALT,
            vec![SECRET],
            json!(SECRET),
        ),
    ];
    let mut tokens = Vec::new();
    let mut jobs = Vec::new();
    for (_, claims, salt, rust_secrets, authjs_secret) in &cases {
        let token = codec(rust_secrets, salt)
            .encode(claims, MAX_AGE, now)
            .unwrap();
        jobs.push(json!({"token": token, "secret": authjs_secret, "salt": salt}));
        tokens.push(token);
    }
    assert!(
        tokens[5].len() > 3936,
        "the large token has {} characters",
        tokens[5].len()
    );
    // Negative controls, decoded by Auth.js in the same run.
    jobs.push(json!({"token": tokens[0], "secret": "not the secret", "salt": SALT}));
    jobs.push(json!({"token": tokens[0], "secret": SECRET, "salt": SECURE_SALT}));
    jobs.push(json!({"token": tokens[2], "secret": OLD_SECRET, "salt": SALT}));
    let results = authjs_decode(jobs);
    for (i, (what, claims, _, _, _)) in cases.iter().enumerate() {
        let decoded = results[i]
            .as_ref()
            .unwrap_or_else(|e| panic!("{what}: Auth.js refused our token: {e}"));
        assert_claims(decoded, claims, what);
        // Auth.js sees exactly our registered claims.
        let ours = codec(&[SECRET, OLD_SECRET], cases[i].2)
            .decode(&tokens[i], now)
            .unwrap();
        for claim in ["iat", "exp", "jti"] {
            assert_eq!(decoded[claim], ours[claim], "{what}: {claim}");
        }
        assert_eq!(
            decoded["exp"].as_i64(),
            Some(now + MAX_AGE as i64),
            "{what}: exp"
        );
    }
    for (i, what) in [
        (6, "other secret"),
        (7, "other salt"),
        (8, "retired secret"),
    ] {
        let err = results[i].as_ref().expect_err(what);
        assert!(
            err.contains("no matching decryption secret"),
            "{what}: {err}"
        );
    }
}

/// `exp` and the 15 s clock tolerance mean the same on both sides.
#[test]
fn expiry_semantics_match_authjs() {
    let now = unix_now();
    let c = codec(&[SECRET], SALT);
    // exp 10 s ago (inside the tolerance) and 60 s ago (outside), minted by us.
    let recent = c.encode(&user_claims(), 50, now - 60).unwrap();
    let stale = c.encode(&user_claims(), 60, now - 120).unwrap();
    let results = authjs_decode(vec![
        json!({"token": recent, "secret": SECRET, "salt": SALT}),
        json!({"token": stale, "secret": SECRET, "salt": SALT}),
    ]);
    assert!(results[0].is_ok(), "Auth.js: {:?}", results[0]);
    assert!(
        results[1].as_ref().is_err_and(|e| e.contains("JWTExpired")),
        "Auth.js: {:?}",
        results[1]
    );
    assert!(c.decode(&recent, now).is_ok());
    assert_eq!(c.decode(&stale, now), Err(JwtError::Expired));

    // Minted by Auth.js with maxAge 5: still valid for us 5 + 14 s later, not 5 + 15 s.
    let token = &authjs_encode(vec![
        json!({"token": user_claims(), "secret": SECRET, "salt": SALT, "maxAge": 5}),
    ])[0];
    let exp = c.decode(token, now).unwrap()["exp"].as_i64().unwrap();
    assert!(c.decode(token, exp + 14).is_ok());
    assert_eq!(c.decode(token, exp + 15), Err(JwtError::Expired));
}

/// The `A256GCM` encryption `@auth/core`'s `decode` also accepts.
#[test]
fn authjs_a256gcm_tokens_decode_in_rust() {
    let tokens = authjs_encode(vec![
        json!({"token": user_claims(), "secret": SECRET, "salt": SALT, "enc": "A256GCM"}),
        json!({"token": unicode_claims(), "secret": [SECRET, OLD_SECRET], "salt": SECURE_SALT, "enc": "A256GCM"}),
    ]);
    // Auth.js itself accepts them (the script writes what Auth.js reads).
    let checks = authjs_decode(vec![
        json!({"token": tokens[0], "secret": SECRET, "salt": SALT}),
        json!({"token": tokens[1], "secret": [OLD_SECRET, SECRET], "salt": SECURE_SALT}),
    ]);
    assert!(checks.iter().all(Result::is_ok), "{checks:?}");
    let now = unix_now();
    assert_claims(
        &codec(&[SECRET], SALT).decode(&tokens[0], now).unwrap(),
        &user_claims(),
        "gcm",
    );
    let rotated = codec(&[OLD_SECRET, SECRET], SECURE_SALT);
    assert_claims(
        &rotated.decode(&tokens[1], now).unwrap(),
        &unicode_claims(),
        "gcm rotated",
    );
    assert_eq!(
        codec(&[OLD_SECRET], SECURE_SALT).decode(&tokens[1], now),
        Err(JwtError::UnknownKid)
    );
}

/// RFC 8037 A.1 key pair.
const ED_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
const ED_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";

/// The signed formats verify with jose (HS256 with the documented key derivation).
#[test]
fn jws_tokens_verify_with_jose() {
    let now = unix_now();
    let secrets = Secrets::new(vec![SECRET.to_owned()]).unwrap();
    let hs = JwtCodec::new(&secrets, SALT, TokenFormat::Hs256).unwrap();
    let ed = JwtCodec::new(
        &secrets,
        SALT,
        TokenFormat::EdDsa {
            private_key: Some(KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())),
            public_key: KeyMaterial::Pem(ED_PUBLIC_PEM.to_owned()),
        },
    )
    .unwrap();
    let hs_token = hs.encode(&unicode_claims(), 3600, now).unwrap();
    let ed_token = ed.encode(&user_claims(), 3600, now).unwrap();
    let other_salt = JwtCodec::new(&secrets, SECURE_SALT, TokenFormat::Hs256)
        .unwrap()
        .encode(&user_claims(), 3600, now)
        .unwrap();
    let out = node(
        "authjs-jws-verify.mjs",
        &json!([
            {"token": hs_token, "alg": "HS256", "secret": SECRET, "salt": SALT},
            {"token": ed_token, "alg": "EdDSA", "publicKeyPem": ED_PUBLIC_PEM},
            {"token": other_salt, "alg": "HS256", "secret": SECRET, "salt": SALT},
            {"token": hs_token, "alg": "EdDSA", "publicKeyPem": ED_PUBLIC_PEM},
        ]),
    );
    let out = out.as_array().unwrap();
    let hs_payload = obj(out[0]["payload"].clone());
    assert_claims(&hs_payload, &unicode_claims(), "HS256");
    assert_eq!(out[0]["header"]["alg"], "HS256");
    let ed_payload = obj(out[1]["payload"].clone());
    assert_claims(&ed_payload, &user_claims(), "EdDSA");
    assert_eq!(
        out[1]["header"]["kid"],
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert!(
        out[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("signature")),
        "{:?}",
        out[2]
    );
    assert!(out[3]["error"].is_string(), "{:?}", out[3]);
}
