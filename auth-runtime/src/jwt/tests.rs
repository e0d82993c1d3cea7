//! Unit tests of the token codecs: published vectors, values produced by `@auth/core`,
//! round trips, rotation, and bad input of every kind.
//!
//! Test-only, and longer than the ~500 lines a source file gets on purpose: the vectors
//! and the cases built on them (and the few helpers that forge tokens only a key holder
//! could) read best side by side, in the order of the sections below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aes::cipher::KeyInit;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Hmac;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Map, Value, json};
use sha2::{Sha256, Sha512};

use super::jwe::{cbc_hmac_open, cbc_hmac_seal};
use super::*;

const SALT: &str = "authjs.session-token";
const SECURE_SALT: &str = "__Secure-authjs.session-token";
/// A time inside the validity of the stored `@auth/core` tokens below.
const NOW: i64 = 1_795_736_680;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn secrets(list: &[&str]) -> Secrets {
    Secrets::new(list.iter().map(|s| (*s).to_owned()).collect()).unwrap()
}

fn codec(list: &[&str], salt: &str) -> JwtCodec {
    JwtCodec::new(&secrets(list), salt, TokenFormat::AuthJs).unwrap()
}

fn claims(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn header_of(token: &str) -> Value {
    let h = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
}

/// Replaces segment `i` of a token.
fn with_segment(token: &str, i: usize, value: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[i] = value;
    parts.join(".")
}

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

// ---------------------------------------------------------------------------------------
// Published vectors for the AEAD composition

/// RFC 7518 Appendix B.3: AES_256_CBC_HMAC_SHA_512.
#[test]
fn rfc7518_b3_aes_256_cbc_hmac_sha_512() {
    let k = hex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
                 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
    );
    let p = b"A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience";
    let iv: [u8; 16] = hex("1af38c2dc2b96ffdd86694092341bc04").try_into().unwrap();
    let a = b"The second principle of Auguste Kerckhoffs";
    let e = hex(
        "4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd
                 822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b
                 36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3
                 a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b
                 be2638d09dd7a4930930806d0703b1f6",
    );
    let t = hex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5");
    let aes = aes::Aes256::new_from_slice(&k[32..]).unwrap();
    let mac = <Hmac<Sha512> as KeyInit>::new_from_slice(&k[..32]).unwrap();

    let (ct, tag) = cbc_hmac_seal(aes.clone(), mac.clone(), 32, &iv, a, p).unwrap();
    assert_eq!(ct, e, "ciphertext E");
    assert_eq!(tag, t, "tag T");
    assert_eq!(
        cbc_hmac_open(aes.clone(), mac.clone(), 32, &iv, a, &e, &t).unwrap(),
        p
    );

    let mut bad = t.clone();
    bad[31] ^= 1;
    assert_eq!(
        cbc_hmac_open(aes.clone(), mac.clone(), 32, &iv, a, &e, &bad),
        Err(JwtError::BadTag)
    );
    assert_eq!(
        cbc_hmac_open(aes.clone(), mac.clone(), 32, &iv, b"other aad", &e, &t),
        Err(JwtError::BadTag)
    );
    assert_eq!(
        cbc_hmac_open(aes, mac, 32, &iv, a, &e, &t[..16]),
        Err(JwtError::InvalidTagLength)
    );
}

/// RFC 7516 Appendix B (the A.2 JWE): AES_128_CBC_HMAC_SHA_256, through the same generic
/// composition with AES-128 and HMAC-SHA-256.
#[test]
fn rfc7516_b_aes_128_cbc_hmac_sha_256() {
    let cek = [
        4u8, 211, 31, 197, 84, 157, 252, 254, 11, 100, 157, 250, 63, 170, 106, 206, 107, 124, 212,
        45, 111, 107, 9, 219, 200, 177, 0, 240, 143, 156, 44, 207,
    ];
    let iv: [u8; 16] = URL_SAFE_NO_PAD
        .decode("AxY8DCtDaGlsbGljb3RoZQ")
        .unwrap()
        .try_into()
        .unwrap();
    let aad = b"eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0";
    let aes = aes::Aes128::new_from_slice(&cek[16..]).unwrap();
    let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&cek[..16]).unwrap();
    let (ct, tag) = cbc_hmac_seal(
        aes.clone(),
        mac.clone(),
        16,
        &iv,
        aad,
        b"Live long and prosper.",
    )
    .unwrap();
    assert_eq!(
        URL_SAFE_NO_PAD.encode(&ct),
        "KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY"
    );
    assert_eq!(URL_SAFE_NO_PAD.encode(&tag), "9hH0vgRfYgPnAHOd8stkvw");
    assert_eq!(
        cbc_hmac_open(aes.clone(), mac.clone(), 16, &iv, aad, &ct, &tag).unwrap(),
        b"Live long and prosper."
    );
    // RFC 7516 A.3 has the same CEK, IV and plaintext under another header (AAD).
    let aad3 = b"eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0";
    let (ct3, tag3) = cbc_hmac_seal(aes, mac, 16, &iv, aad3, b"Live long and prosper.").unwrap();
    assert_eq!(ct3, ct);
    assert_eq!(URL_SAFE_NO_PAD.encode(&tag3), "U0m_YmjN04DJvceFICbCVQ");
}

// ---------------------------------------------------------------------------------------
// Key derivation and kid against values produced by @auth/core 0.41.3 (@panva/hkdf + jose)

#[test]
fn key_derivation_matches_authjs() {
    let key = keys::derive_encryption_key("s3cret", SALT).unwrap();
    assert_eq!(
        key.to_vec(),
        hex(
            "1dc90fd176a58bc12769dde2b0d9163e84f795f32a22add04a8be4a432af37e0e8960b25d8210aa435d512b839e4103c120de25dde86a128a6bfe0c0ce42e9ca"
        )
    );
    assert_eq!(
        keys::oct_thumbprint(&key),
        "62dXDHNnWYfJ6CEqNaq4I5IRayLCxmM5HpRX4vnA_dJ8BFP9cZ6ltA_ODj5HKp81w8nmJCtYvkLLO4r155TxvQ"
    );
    // The A256GCM key is the 32-byte HKDF output, i.e. the prefix; its kid uses SHA-256.
    let mut key32 = [0u8; 32];
    keys::derive("s3cret", SALT, keys::ENCRYPTION_INFO, &mut key32).unwrap();
    assert_eq!(key32, key[..32]);
    assert_eq!(
        keys::oct_thumbprint(&key32),
        "RI5qJtL83KZhDGZE2D754vvpmfocnvbWkyL_OHLas6Y"
    );

    let secure = keys::derive_encryption_key("s3cret", SECURE_SALT).unwrap();
    assert_eq!(
        secure.to_vec(),
        hex(
            "8f0f9f7d226fc43e7c36f8d233d4eacf9541c2682f7b846e07b749197272290793211c4a7a0795bdd184d3ccbbb5b15b3a0fc8a43d707ce84f8e441e3cc78319"
        )
    );
    assert_eq!(
        keys::oct_thumbprint(&secure),
        "nHHuj1LTTUkgU-TT80yXJ569Pdh7pqPb2GTlcKS_8n1qoGOmm7aOpQGcM9DfEw5Sk5OZaFuY_mrE_Rf2k3vOdw"
    );
    assert_eq!(
        keys::oct_thumbprint(&secure[..32]),
        "namP6WyePgwFx0VAdzct98PXU4OZG0EtgiaLbocgdT0"
    );
}

/// A token minted by `@auth/core`'s `encode({token: {name: "Ada", sub: "1"}, secret:
/// "s3cret", salt: "authjs.session-token"})`.
const AUTHJS_CBC_TOKEN: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiNjJkWERITm5XWWZKNkNFcU5hcTRJNUlSYXlMQ3htTTVIcFJYNHZuQV9kSjhCRlA5Y1o2bHRBX09EajVIS3A4MXc4bm1KQ3RZdmtMTE80cjE1NVR4dlEifQ..8aUqoUmV8wDMtkbbeI9W5A.DZM40b5LYM29H26TtTZfJJlLSUUEsgPiBJrg84x9K1_LImEWZlMaL0JCi0cvJ9si4o7VcanA17rmPOUEnSPsf0udoXm8dB5uVaZbfWZUf3DILdM1eH8oIPFmKDdmcbxg2PFMpmx_6HyL-LJ0BXi7HA.5C960FiJV8pxIOd333yxbPxKSD_ey0m1F1vLTO-9cr8";

/// An `A256GCM` token as `@auth/core`'s `decode` accepts it (jose `EncryptJWT`, the 32-byte
/// HKDF key, SHA-256 kid), claims `{name: "Ada"}`.
const AUTHJS_GCM_TOKEN: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiUkk1cUp0TDgzS1poREdaRTJENzU0dnZwbWZvY252YldreUxfT0hMYXM2WSJ9..a9xWiYtZvzTOoiTP.Lmc1oyGTjTlhyULvG0f2m6lv_Sp7-Fe5eAFwzpHJ4exOHpvD_ZOHGtABJ5FPaHWY9Mjezl9MA79PhjPhaVXzyS_zMeRPQ_k-wslcprkKwiybuN1bcX6X3sdV1UUW.vsl4LGG1IbkeZYsNfSy-2w";

#[test]
fn decodes_stored_authjs_cbc_token() {
    let c = codec(&["s3cret"], SALT);
    let got = c.decode(AUTHJS_CBC_TOKEN, NOW).unwrap();
    assert_eq!(got["name"], "Ada");
    assert_eq!(got["sub"], "1");
    assert_eq!(got["iat"], 1_795_736_680);
    assert_eq!(got["exp"], 1_798_328_680);
    assert_eq!(got["jti"], "b3d73ab1-6990-4902-9e35-bab84003d7ed");
    // Our header for the same secret is byte-identical to Auth.js's.
    let ours = c.encode(&Map::new(), 60, NOW).unwrap();
    assert_eq!(ours.split('.').next(), AUTHJS_CBC_TOKEN.split('.').next());
    // Same secret, other cookie name: other key, other kid.
    assert_eq!(
        codec(&["s3cret"], SECURE_SALT).decode(AUTHJS_CBC_TOKEN, NOW),
        Err(JwtError::UnknownKid)
    );
}

#[test]
fn decodes_stored_authjs_gcm_token() {
    let got = codec(&["s3cret"], SALT)
        .decode(AUTHJS_GCM_TOKEN, NOW)
        .unwrap();
    assert_eq!(got["name"], "Ada");
    // Rotation finds the GCM kid among several secrets too.
    let got = codec(&["newer", "s3cret"], SALT)
        .decode(AUTHJS_GCM_TOKEN, NOW)
        .unwrap();
    assert_eq!(got["name"], "Ada");
    // Tampered GCM tag.
    let mut parts: Vec<String> = AUTHJS_GCM_TOKEN.split('.').map(str::to_owned).collect();
    parts[4] = URL_SAFE_NO_PAD.encode([0u8; 16]);
    assert_eq!(
        codec(&["s3cret"], SALT).decode(&parts.join("."), NOW),
        Err(JwtError::BadTag)
    );
    parts[4] = URL_SAFE_NO_PAD.encode([0u8; 8]);
    assert_eq!(
        codec(&["s3cret"], SALT).decode(&parts.join("."), NOW),
        Err(JwtError::InvalidTagLength)
    );
    let iv_16 = with_segment(AUTHJS_GCM_TOKEN, 2, &URL_SAFE_NO_PAD.encode([0u8; 16]));
    assert_eq!(
        codec(&["s3cret"], SALT).decode(&iv_16, NOW),
        Err(JwtError::InvalidIv)
    );
}

// ---------------------------------------------------------------------------------------
// Encoding

#[test]
fn encode_header_and_claims() {
    let c = codec(&["s3cret"], SALT);
    let input = claims(
        json!({"name": "Ada", "email": "ada@example.com", "iat": 1, "exp": 2, "jti": "mine"}),
    );
    let token = c.encode(&input, 3600, NOW).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 5);
    assert_eq!(parts[1], "", "dir has an empty encrypted key");
    assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 16, "IV");
    assert_eq!(URL_SAFE_NO_PAD.decode(parts[4]).unwrap().len(), 32, "tag");
    let header = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(
        header,
        r#"{"alg":"dir","enc":"A256CBC-HS512","kid":"62dXDHNnWYfJ6CEqNaq4I5IRayLCxmM5HpRX4vnA_dJ8BFP9cZ6ltA_ODj5HKp81w8nmJCtYvkLLO4r155TxvQ"}"#
    );
    let got = c.decode(&token, NOW).unwrap();
    assert_eq!(got["name"], "Ada");
    assert_eq!(got["email"], "ada@example.com");
    assert_eq!(got["iat"], NOW, "iat replaced by now");
    assert_eq!(got["exp"], NOW + 3600, "exp = iat + max_age");
    let jti = got["jti"].as_str().unwrap();
    assert_ne!(jti, "mine");
    assert_uuid_v4(jti);
    // Fresh IV and jti every time.
    let again = c.encode(&input, 3600, NOW).unwrap();
    assert_ne!(again.split('.').nth(2), token.split('.').nth(2));
    assert_ne!(c.decode(&again, NOW).unwrap()["jti"], got["jti"]);
}

fn assert_uuid_v4(s: &str) {
    let b = s.as_bytes();
    assert_eq!(b.len(), 36, "{s}");
    for (i, c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            assert_eq!(*c, b'-', "{s}");
        } else {
            assert!(c.is_ascii_hexdigit() && !c.is_ascii_uppercase(), "{s}");
        }
    }
    assert_eq!(b[14], b'4', "version nibble of {s}");
    assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'), "variant of {s}");
}

#[test]
fn uuid_v4_format_and_uniqueness() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1000 {
        let u = crate::util::uuid_v4();
        assert_uuid_v4(&u);
        assert!(seen.insert(u));
    }
}

#[test]
fn encode_rejects_overflowing_max_age() {
    let c = codec(&["s3cret"], SALT);
    assert_eq!(
        c.encode(&Map::new(), u64::MAX, NOW),
        Err(JwtError::InvalidMaxAge)
    );
    assert_eq!(
        c.encode(&Map::new(), i64::MAX as u64, NOW),
        Err(JwtError::InvalidMaxAge)
    );
}

#[test]
fn unicode_and_large_claims_round_trip() {
    let c = codec(&["s3cret"], SALT);
    let big = "x".repeat(5000);
    let input = claims(
        json!({"name": "Zoë Ångström 李小龍 🦀", "bio": big, "nested": {"a": [1, 2.5, null, true]}}),
    );
    let token = c.encode(&input, 60, NOW).unwrap();
    assert!(token.len() > 3936);
    let got = c.decode(&token, NOW).unwrap();
    assert_eq!(got["name"], "Zoë Ångström 李小龍 🦀");
    assert_eq!(got["bio"].as_str().unwrap().len(), 5000);
    assert_eq!(got["nested"], json!({"a": [1, 2.5, null, true]}));
}

// ---------------------------------------------------------------------------------------
// Rotation

#[test]
fn rotation_encodes_with_first_and_decodes_with_any() {
    let old = codec(&["old"], SALT);
    let rotated = codec(&["new", "old"], SALT);
    let new_only = codec(&["new"], SALT);
    let old_token = old.encode(&claims(json!({"sub": "1"})), 60, NOW).unwrap();
    assert_eq!(rotated.decode(&old_token, NOW).unwrap()["sub"], "1");
    let new_token = rotated
        .encode(&claims(json!({"sub": "2"})), 60, NOW)
        .unwrap();
    assert_eq!(
        header_of(&new_token),
        header_of(&new_only.encode(&Map::new(), 60, NOW).unwrap())
    );
    assert_eq!(new_only.decode(&new_token, NOW).unwrap()["sub"], "2");
    assert_eq!(
        old.decode(&new_token, NOW),
        Err(JwtError::UnknownKid),
        "retired secret"
    );
}

#[test]
fn missing_kid_uses_first_secret_and_unknown_kid_fails() {
    let rotated = codec(&["new", "old"], SALT);
    let new_keys = codec(&["new"], SALT);
    let old_keys = codec(&["old"], SALT);
    let payload = br#"{"sub":"1"}"#;
    let no_kid = r#"{"alg":"dir","enc":"A256CBC-HS512"}"#;
    // No kid: the first secret, as @auth/core.
    assert_eq!(
        rotated
            .decode(&new_keys.jwe_keys().seal_raw(no_kid, payload), NOW)
            .unwrap()["sub"],
        "1"
    );
    // ... and only the first: an old-secret token without kid fails authentication.
    assert_eq!(
        rotated.decode(&old_keys.jwe_keys().seal_raw(no_kid, payload), NOW),
        Err(JwtError::BadTag)
    );
    // An unknown kid is refused even if the first secret would decrypt it.
    let other_kid = r#"{"alg":"dir","enc":"A256CBC-HS512","kid":"nope"}"#;
    assert_eq!(
        rotated.decode(&new_keys.jwe_keys().seal_raw(other_kid, payload), NOW),
        Err(JwtError::UnknownKid)
    );
    let numeric_kid = r#"{"alg":"dir","enc":"A256CBC-HS512","kid":7}"#;
    assert_eq!(
        rotated.decode(&new_keys.jwe_keys().seal_raw(numeric_kid, payload), NOW),
        Err(JwtError::UnknownKid)
    );
}

// ---------------------------------------------------------------------------------------
// Secrets

#[test]
fn secrets_validation_and_env_order() {
    assert_eq!(Secrets::new(vec![]).err(), Some(JwtError::MissingSecret));
    assert_eq!(
        Secrets::new(vec!["a".into(), String::new()]).err(),
        Some(JwtError::EmptySecret { index: 1 })
    );
    let env = |name: &str| match name {
        "AUTH_SECRET" => Some("base".to_owned()),
        "AUTH_SECRET_1" => Some("one".to_owned()),
        "AUTH_SECRET_2" => Some(String::new()),
        "AUTH_SECRET_3" => Some("three".to_owned()),
        _ => None,
    };
    let s = Secrets::from_lookup(env).unwrap();
    assert_eq!(s.iter().collect::<Vec<_>>(), ["three", "one", "base"]);
    assert_eq!(s.len(), 3);
    assert!(!s.is_empty());
    assert_eq!(
        Secrets::from_lookup(|_| None).err(),
        Some(JwtError::MissingSecret)
    );
    assert_eq!(
        Secrets::from_lookup(|n| (n == "AUTH_SECRET_1").then(|| "x".to_owned()))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let secret = "hunter2-very-secret";
    let s = secrets(&[secret]);
    assert!(!format!("{s:?}").contains(secret));
    let c = JwtCodec::new(&s, SALT, TokenFormat::AuthJs).unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains(secret), "{dbg}");
    assert!(dbg.contains("AuthJs") && dbg.contains(SALT), "{dbg}");
    let token = c
        .encode(&claims(json!({"email": "ada@example.com"})), 60, NOW)
        .unwrap();
    let tampered = with_segment(&token, 4, &URL_SAFE_NO_PAD.encode([1u8; 32]));
    let err = c.decode(&tampered, NOW).unwrap_err();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains(secret) && !text.contains(&tampered[..40]) && !text.contains("ada@"),
            "{text}"
        );
    }
    let pem = KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned());
    let format = TokenFormat::EdDsa {
        private_key: Some(pem),
        public_key: KeyMaterial::Der(vec![1, 2, 3]),
    };
    let dbg = format!("{format:?}");
    assert!(
        !dbg.contains("MC4CAQAw") && !dbg.contains("[1, 2, 3]"),
        "{dbg}"
    );
}

// ---------------------------------------------------------------------------------------
// Time claims (jose's jwtDecrypt with clockTolerance 15)

#[test]
fn exp_nbf_iat_with_clock_skew() {
    let c = codec(&["s3cret"], SALT);
    let token = c.encode(&Map::new(), 100, NOW).unwrap();
    // exp = NOW + 100: valid while exp > now - 15.
    assert!(c.decode(&token, NOW + 100).is_ok());
    assert!(c.decode(&token, NOW + 114).is_ok());
    assert_eq!(c.decode(&token, NOW + 115), Err(JwtError::Expired));
    assert_eq!(c.decode(&token, NOW + 1_000_000), Err(JwtError::Expired));

    let keys = c.jwe_keys();
    let h = &String::from_utf8(
        URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let t = |payload: Value| keys.seal_raw(h, payload.to_string().as_bytes());
    assert!(c.decode(&t(json!({"nbf": NOW + 15})), NOW).is_ok());
    assert_eq!(
        c.decode(&t(json!({"nbf": NOW + 16})), NOW),
        Err(JwtError::NotYetValid)
    );
    // iat in the future is accepted (jose checks it only with maxTokenAge).
    assert!(c.decode(&t(json!({"iat": NOW + 3600})), NOW).is_ok());
    // No exp at all is accepted, as by @auth/core.
    assert!(c.decode(&t(json!({"sub": "1"})), NOW).is_ok());
    assert!(
        c.decode(&t(json!({"exp": (NOW as f64) + 0.5})), NOW)
            .is_ok(),
        "fractional NumericDate"
    );
    for claim in ["exp", "nbf", "iat"] {
        let mut m = Map::new();
        m.insert(claim.to_owned(), json!("1"));
        assert_eq!(
            c.decode(&t(Value::Object(m)), NOW),
            Err(JwtError::ClaimType { claim }),
            "{claim}"
        );
    }
    assert_eq!(
        c.decode(&t(json!({"exp": null})), NOW),
        Err(JwtError::ClaimType { claim: "exp" })
    );
}

#[test]
fn replicated_header_claims_must_match() {
    let c = codec(&["s3cret"], SALT);
    let h = r#"{"alg":"dir","enc":"A256CBC-HS512","sub":"1"}"#;
    assert!(
        c.decode(&c.jwe_keys().seal_raw(h, br#"{"sub":"1"}"#), NOW)
            .is_ok()
    );
    assert_eq!(
        c.decode(&c.jwe_keys().seal_raw(h, br#"{"sub":"2"}"#), NOW),
        Err(JwtError::ClaimMismatch { claim: "sub" })
    );
}

// ---------------------------------------------------------------------------------------
// Bad input

#[test]
fn tampered_segments_are_rejected() {
    let c = codec(&["s3cret"], SALT);
    let token = c.encode(&claims(json!({"sub": "1"})), 60, NOW).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let flip = |seg: &str| {
        let mut bytes = URL_SAFE_NO_PAD.decode(seg).unwrap();
        bytes[0] ^= 0x01;
        URL_SAFE_NO_PAD.encode(bytes)
    };
    assert_eq!(
        c.decode(&with_segment(&token, 2, &flip(parts[2])), NOW),
        Err(JwtError::BadTag),
        "IV"
    );
    assert_eq!(
        c.decode(&with_segment(&token, 3, &flip(parts[3])), NOW),
        Err(JwtError::BadTag),
        "ciphertext"
    );
    assert_eq!(
        c.decode(&with_segment(&token, 4, &flip(parts[4])), NOW),
        Err(JwtError::BadTag),
        "tag"
    );
    // The header is the AAD: an equivalent header with other bytes fails the tag.
    let spaced = b(
        r#"{"alg":"dir", "enc":"A256CBC-HS512","kid":"62dXDHNnWYfJ6CEqNaq4I5IRayLCxmM5HpRX4vnA_dJ8BFP9cZ6ltA_ODj5HKp81w8nmJCtYvkLLO4r155TxvQ"}"#,
    );
    assert_eq!(
        c.decode(&with_segment(&token, 0, &spaced), NOW),
        Err(JwtError::BadTag),
        "header"
    );
    // A ciphertext cut by one block, and a tag cut short.
    let ct = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
    let short = URL_SAFE_NO_PAD.encode(&ct[..ct.len() - 16]);
    assert_eq!(
        c.decode(&with_segment(&token, 3, &short), NOW),
        Err(JwtError::BadTag)
    );
    let tag = URL_SAFE_NO_PAD.decode(parts[4]).unwrap();
    assert_eq!(
        c.decode(
            &with_segment(&token, 4, &URL_SAFE_NO_PAD.encode(&tag[..31])),
            NOW
        ),
        Err(JwtError::InvalidTagLength)
    );
    // Swapped IV/ciphertext, swapped ciphertext/tag.
    let swapped = [parts[0], parts[1], parts[3], parts[2], parts[4]].join(".");
    assert_eq!(c.decode(&swapped, NOW), Err(JwtError::InvalidIv));
    let swapped = [parts[0], parts[1], parts[2], parts[4], parts[3]].join(".");
    assert!(matches!(
        c.decode(&swapped, NOW),
        Err(JwtError::InvalidTagLength | JwtError::BadTag)
    ));
    // The payload and header segments exchanged.
    let swapped = [parts[3], parts[1], parts[2], parts[0], parts[4]].join(".");
    assert!(c.decode(&swapped, NOW).is_err());
}

fn b(s: &str) -> String {
    b64(s)
}

#[test]
fn truncated_and_extra_segments_are_rejected() {
    let c = codec(&["s3cret"], SALT);
    let token = c.encode(&claims(json!({"sub": "1"})), 60, NOW).unwrap();
    let cut = &token[..token.rfind('.').unwrap()];
    assert_eq!(
        c.decode(cut, NOW),
        Err(JwtError::SegmentCount {
            found: 4,
            expected: 5
        })
    );
    assert_eq!(
        c.decode(&format!("{token}.x"), NOW),
        Err(JwtError::SegmentCount {
            found: 6,
            expected: 5
        })
    );
    assert_eq!(
        c.decode(&format!("{token}."), NOW),
        Err(JwtError::SegmentCount {
            found: 6,
            expected: 5
        })
    );
    // Cut inside the last segment: the tag is shorter, or not canonical base64url.
    for n in 1..=4 {
        let r = c.decode(&token[..token.len() - n], NOW);
        assert!(
            matches!(r, Err(JwtError::InvalidTagLength | JwtError::Base64 { .. })),
            "cut {n}: {r:?}"
        );
    }
    // Empty IV / tag segments.
    assert_eq!(
        c.decode(&with_segment(&token, 2, ""), NOW),
        Err(JwtError::InvalidIv)
    );
    assert_eq!(
        c.decode(&with_segment(&token, 4, ""), NOW),
        Err(JwtError::InvalidTagLength)
    );
}

#[test]
fn bad_base64_is_rejected() {
    let c = codec(&["s3cret"], SALT);
    let token = c.encode(&Map::new(), 60, NOW).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let padded = format!("{}==", parts[4]);
    assert_eq!(
        c.decode(&with_segment(&token, 4, &padded), NOW),
        Err(JwtError::Base64 {
            segment: "authentication tag"
        })
    );
    let std_alphabet = parts[3].replace('-', "+").replace('_', "/");
    if std_alphabet != parts[3] {
        assert_eq!(
            c.decode(&with_segment(&token, 3, &std_alphabet), NOW),
            Err(JwtError::Base64 {
                segment: "ciphertext"
            })
        );
    }
    assert_eq!(
        c.decode(&with_segment(&token, 2, "AxY8DCtDaGlsbGljb3RoZ!"), NOW),
        Err(JwtError::Base64 {
            segment: "initialization vector"
        })
    );
    assert_eq!(
        c.decode(&with_segment(&token, 0, "e30="), NOW),
        Err(JwtError::Base64 {
            segment: "protected header"
        })
    );
    // Non-canonical trailing bits ("AB" and "AA" would both decode to 0x00).
    assert_eq!(
        c.decode(&with_segment(&token, 2, "AB"), NOW),
        Err(JwtError::Base64 {
            segment: "initialization vector"
        })
    );
}

#[test]
fn other_alg_enc_zip_crit_are_rejected() {
    let c = codec(&["s3cret"], SALT);
    let keys = c.jwe_keys();
    let p = br#"{"sub":"1"}"#;
    let kid =
        "62dXDHNnWYfJ6CEqNaq4I5IRayLCxmM5HpRX4vnA_dJ8BFP9cZ6ltA_ODj5HKp81w8nmJCtYvkLLO4r155TxvQ";
    let h = |extra: &str| format!(r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{kid}"{extra}}}"#);
    assert!(c.decode(&keys.seal_raw(&h(""), p), NOW).is_ok(), "control");
    for alg in [
        "A256KW",
        "RSA-OAEP",
        "none",
        "PBES2-HS256+A128KW",
        "HS256",
        "DIR",
    ] {
        let header = format!(r#"{{"alg":"{alg}","enc":"A256CBC-HS512","kid":"{kid}"}}"#);
        assert_eq!(
            c.decode(&keys.seal_raw(&header, p), NOW),
            Err(JwtError::UnsupportedAlg),
            "{alg}"
        );
    }
    assert_eq!(
        c.decode(&keys.seal_raw(r#"{"enc":"A256CBC-HS512"}"#, p), NOW),
        Err(JwtError::UnsupportedAlg)
    );
    for enc in [
        "A128CBC-HS256",
        "A192CBC-HS384",
        "A128GCM",
        "A192GCM",
        "a256gcm",
    ] {
        let header = format!(r#"{{"alg":"dir","enc":"{enc}","kid":"{kid}"}}"#);
        assert_eq!(
            c.decode(&keys.seal_raw(&header, p), NOW),
            Err(JwtError::UnsupportedEnc),
            "{enc}"
        );
    }
    assert_eq!(
        c.decode(&keys.seal_raw(r#"{"alg":"dir"}"#, p), NOW),
        Err(JwtError::UnsupportedEnc)
    );
    assert_eq!(
        c.decode(&keys.seal_raw(&h(r#","zip":"DEF""#), p), NOW),
        Err(JwtError::Compressed)
    );
    assert_eq!(
        c.decode(&keys.seal_raw(&h(r#","crit":["exp"],"exp":1"#), p), NOW),
        Err(JwtError::Critical)
    );
    // Other header parameters are ignored, as by jose.
    assert!(
        c.decode(&keys.seal_raw(&h(r#","typ":"JWT","cty":"x""#), p), NOW)
            .is_ok()
    );
    // An encrypted key segment has no place in `dir`.
    let token = keys.seal_raw(&h(""), p);
    let with_key = with_segment(&token, 1, &URL_SAFE_NO_PAD.encode([1u8; 40]));
    assert_eq!(
        c.decode(&with_key, NOW),
        Err(JwtError::UnexpectedEncryptedKey)
    );
}

#[test]
fn header_and_payload_must_be_json_objects() {
    let c = codec(&["s3cret"], SALT);
    let token = c.encode(&Map::new(), 60, NOW).unwrap();
    for header in [
        "[]",
        "\"dir\"",
        "{",
        "",
        "null",
        "{\"alg\":\"dir\"",
        "\u{fffd}",
    ] {
        assert_eq!(
            c.decode(&with_segment(&token, 0, &b(header)), NOW),
            Err(JwtError::Header),
            "{header:?}"
        );
    }
    let invalid_utf8 = URL_SAFE_NO_PAD.encode([b'{', b'"', 0xff, b'"', b':', b'1', b'}']);
    assert_eq!(
        c.decode(&with_segment(&token, 0, &invalid_utf8), NOW),
        Err(JwtError::Header)
    );

    let keys = c.jwe_keys();
    let h = r#"{"alg":"dir","enc":"A256CBC-HS512"}"#;
    for payload in ["[1,2]", "\"str\"", "42", "null", "true"] {
        assert_eq!(
            c.decode(&keys.seal_raw(h, payload.as_bytes()), NOW),
            Err(JwtError::PayloadNotObject),
            "{payload}"
        );
    }
    for payload in [&b"{"[..], b"", b"not json", b"{\"a\":1}x", &[0xff, 0xfe]] {
        assert_eq!(
            c.decode(&keys.seal_raw(h, payload), NOW),
            Err(JwtError::Payload),
            "{payload:?}"
        );
    }
    // Deep nesting hits serde_json's recursion limit: an error, not a stack overflow.
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        c.decode(&keys.seal_raw(h, deep.as_bytes()), NOW),
        Err(JwtError::Payload)
    );
}

#[test]
fn bad_padding_under_a_valid_tag_is_a_typed_error() {
    let c = codec(&["s3cret"], SALT);
    assert_eq!(
        c.decode(&c.jwe_keys().seal_bad_padding(), NOW),
        Err(JwtError::Padding)
    );
}

#[test]
fn foreign_tokens_are_rejected() {
    let c = codec(&["s3cret"], SALT);
    // A JWE of another deployment (another secret): its kid is unknown here.
    let other = codec(&["another secret"], SALT)
        .encode(&claims(json!({"sub": "1"})), 60, NOW)
        .unwrap();
    assert_eq!(c.decode(&other, NOW), Err(JwtError::UnknownKid));
    // The same without its kid: the first secret is tried and the tag fails.
    let stripped = with_segment(&other, 0, &b(r#"{"alg":"dir","enc":"A256CBC-HS512"}"#));
    assert_eq!(c.decode(&stripped, NOW), Err(JwtError::BadTag));
    // Another deployment's token with our kid pasted in.
    let ours_header = c.encode(&Map::new(), 60, NOW).unwrap();
    let pasted = with_segment(&other, 0, ours_header.split('.').next().unwrap());
    assert_eq!(c.decode(&pasted, NOW), Err(JwtError::BadTag));
    // A JWS (HS256), e.g. from another framework.
    let jws = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    assert_eq!(
        c.decode(jws, NOW),
        Err(JwtError::SegmentCount {
            found: 3,
            expected: 5
        })
    );
    // Our own HS256 token for the same secret is not a session JWE.
    let hs = JwtCodec::new(&secrets(&["s3cret"]), SALT, TokenFormat::Hs256).unwrap();
    let hs_token = hs.encode(&Map::new(), 60, NOW).unwrap();
    assert_eq!(
        c.decode(&hs_token, NOW),
        Err(JwtError::SegmentCount {
            found: 3,
            expected: 5
        })
    );
    assert_eq!(
        hs.decode(&c.encode(&Map::new(), 60, NOW).unwrap(), NOW),
        Err(JwtError::SegmentCount {
            found: 5,
            expected: 3
        })
    );
}

#[test]
fn garbage_and_oversize_are_rejected() {
    let c = codec(&["s3cret"], SALT);
    for garbage in [
        "",
        ".",
        "....",
        "not a token",
        "a.b.c.d.e",
        "....x",
        "\u{0}\u{1}.\u{2}...",
        "🦀.🦀.🦀.🦀.🦀",
        "%7B%7D....",
        "null",
    ] {
        assert!(c.decode(garbage, NOW).is_err(), "{garbage:?}");
    }
    let big = "A".repeat(MAX_TOKEN_LEN + 1);
    assert_eq!(
        c.decode(&big, NOW),
        Err(JwtError::Oversize {
            len: MAX_TOKEN_LEN + 1,
            max: MAX_TOKEN_LEN
        })
    );
    let many_dots = ".".repeat(MAX_TOKEN_LEN);
    assert_eq!(
        c.decode(&many_dots, NOW),
        Err(JwtError::SegmentCount {
            found: MAX_TOKEN_LEN + 1,
            expected: 5
        })
    );
    // A valid token grown past the cap with a huge ciphertext.
    let huge = c
        .encode(&claims(json!({"blob": "y".repeat(MAX_TOKEN_LEN)})), 60, NOW)
        .unwrap();
    assert!(matches!(
        c.decode(&huge, NOW),
        Err(JwtError::Oversize { .. })
    ));
}

/// Random single-byte mutations of a valid token never panic and never decode.
#[test]
fn random_mutations_never_panic() {
    let c = codec(&["s3cret"], SALT);
    let token = c
        .encode(&claims(json!({"sub": "1", "name": "Ada"})), 60, NOW)
        .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x00";
    for _ in 0..3000 {
        let mut bytes = token.clone().into_bytes();
        let i = rng.gen_range(0..bytes.len());
        let replacement = alphabet[rng.gen_range(0..alphabet.len())];
        if bytes[i] == replacement {
            continue;
        }
        bytes[i] = replacement;
        let mutated = String::from_utf8(bytes).unwrap();
        // Canonical base64url rejects even a change in a last character's unused bits,
        // so every mutation must fail.
        assert!(c.decode(&mutated, NOW).is_err(), "accepted mutation at {i}");
    }
    for _ in 0..300 {
        let n = rng.gen_range(0..token.len());
        let cut = rng.gen_range(n..=token.len());
        let _ = c.decode(&token[n..cut], NOW);
    }
}

// ---------------------------------------------------------------------------------------
// JWS formats

/// RFC 8037 Appendix A.1 key pair (Ed25519), as PKCS#8 / SPKI PEM.
const ED_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
const ED_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
/// RFC 8037 A.2 `x` and A.3 thumbprint.
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const ED_KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

fn ed_format(private: bool) -> TokenFormat {
    TokenFormat::EdDsa {
        private_key: private.then(|| KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())),
        public_key: KeyMaterial::Pem(ED_PUBLIC_PEM.to_owned()),
    }
}

/// jsonwebtoken panics at runtime when no crypto backend is installed; this proves the
/// `rust_crypto` backend is active for both HMAC and EdDSA.
#[test]
fn jsonwebtoken_backend_signs_and_verifies_at_runtime() {
    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "1"}),
        &EncodingKey::from_secret(b"k"),
    )
    .unwrap();
    let data = jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_secret(b"k"), &validation)
        .unwrap();
    assert_eq!(data.claims["sub"], "1");
    assert!(
        jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_secret(b"other"), &validation)
            .is_err()
    );

    let der = keys::KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())
        .der("PRIVATE KEY")
        .unwrap();
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        &json!({"sub": "2"}),
        &EncodingKey::from_ed_der(&der),
    )
    .unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    let key = DecodingKey::from_ed_components(ED_X).unwrap();
    assert_eq!(
        jsonwebtoken::decode::<Value>(&token, &key, &validation)
            .unwrap()
            .claims["sub"],
        "2"
    );
}

#[test]
fn hs256_round_trip_key_and_rotation() {
    let c = JwtCodec::new(&secrets(&["s3cret"]), SALT, TokenFormat::Hs256).unwrap();
    let token = c.encode(&claims(json!({"sub": "1"})), 60, NOW).unwrap();
    let header = header_of(&token);
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["typ"], "JWT");
    let got = c.decode(&token, NOW).unwrap();
    assert_eq!(
        (got["sub"].as_str(), got["exp"].as_i64()),
        (Some("1"), Some(NOW + 60))
    );
    assert_uuid_v4(got["jti"].as_str().unwrap());
    // The documented key: HKDF-SHA256(secret, salt, "auth-runtime HS256 Signing Key (<salt>)"),
    // value computed with Node's crypto.hkdfSync.
    let key = hex("e8c7e6c9a4db6049bf41b5cfa9c45bb441a5f6625975991ae511b3841163cbaa");
    assert_eq!(header["kid"], keys::oct_thumbprint(&key));
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.validate_exp = false;
    let plain =
        jsonwebtoken::decode::<Value>(&token, &jsonwebtoken::DecodingKey::from_secret(&key), &v)
            .unwrap();
    assert_eq!(plain.claims["sub"], "1");
    // Rotation, tampering, expiry.
    let rotated = JwtCodec::new(&secrets(&["new", "s3cret"]), SALT, TokenFormat::Hs256).unwrap();
    assert_eq!(rotated.decode(&token, NOW).unwrap()["sub"], "1");
    let other = JwtCodec::new(&secrets(&["other"]), SALT, TokenFormat::Hs256).unwrap();
    assert_eq!(other.decode(&token, NOW), Err(JwtError::UnknownKid));
    let mut sig = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(2).unwrap())
        .unwrap();
    sig[0] ^= 1;
    assert_eq!(
        c.decode(&with_segment(&token, 2, &URL_SAFE_NO_PAD.encode(sig)), NOW),
        Err(JwtError::BadTag)
    );
    let forged_payload = with_segment(&token, 1, &b(r#"{"sub":"admin"}"#));
    assert_eq!(c.decode(&forged_payload, NOW), Err(JwtError::BadTag));
    assert_eq!(c.decode(&token, NOW + 75), Err(JwtError::Expired));
    assert!(c.decode(&token, NOW + 74).is_ok());
}

#[test]
fn jws_rejects_other_algorithms() {
    let c = JwtCodec::new(&secrets(&["s3cret"]), SALT, TokenFormat::Hs256).unwrap();
    let token = c.encode(&claims(json!({"sub": "1"})), 60, NOW).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    // alg: none with an empty signature.
    let none = format!("{}.{}.", b(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    assert_eq!(c.decode(&none, NOW), Err(JwtError::UnsupportedAlg));
    for alg in ["HS512", "EdDSA", "RS256", "hs256"] {
        let t = with_segment(&token, 0, &b(&format!(r#"{{"alg":"{alg}"}}"#)));
        assert_eq!(c.decode(&t, NOW), Err(JwtError::UnsupportedAlg), "{alg}");
    }
    let crit = with_segment(
        &token,
        0,
        &b(r#"{"alg":"HS256","crit":["b64"],"b64":false}"#),
    );
    assert_eq!(c.decode(&crit, NOW), Err(JwtError::Critical));
    // An HS256 token presented to an EdDSA verifier (key confusion) is refused by alg.
    let ed = JwtCodec::new(&secrets(&["unused"]), SALT, ed_format(false)).unwrap();
    assert_eq!(ed.decode(&token, NOW), Err(JwtError::UnsupportedAlg));
    for garbage in ["", "..", "a.b.c", "e30.e30.", "🦀.🦀.🦀"] {
        assert!(c.decode(garbage, NOW).is_err(), "{garbage:?}");
        assert!(ed.decode(garbage, NOW).is_err(), "{garbage:?}");
    }
}

#[test]
fn eddsa_sign_verify_only_and_key_errors() {
    let s = secrets(&["unused"]);
    let signer = JwtCodec::new(&s, SALT, ed_format(true)).unwrap();
    let token = signer
        .encode(&claims(json!({"sub": "1", "name": "Zoë"})), 60, NOW)
        .unwrap();
    let header = header_of(&token);
    assert_eq!(
        (header["alg"].as_str(), header["kid"].as_str()),
        (Some("EdDSA"), Some(ED_KID))
    );
    // A verify-only service (public key as SPKI PEM, SPKI DER or raw bytes).
    let raw = URL_SAFE_NO_PAD.decode(ED_X).unwrap();
    let spki = keys::KeyMaterial::Pem(ED_PUBLIC_PEM.to_owned())
        .der("PUBLIC KEY")
        .unwrap();
    for public_key in [
        KeyMaterial::Pem(ED_PUBLIC_PEM.to_owned()),
        KeyMaterial::Der(spki),
        KeyMaterial::Der(raw.clone()),
    ] {
        let verifier = JwtCodec::new(
            &s,
            SALT,
            TokenFormat::EdDsa {
                private_key: None,
                public_key,
            },
        )
        .unwrap();
        assert_eq!(verifier.decode(&token, NOW).unwrap()["name"], "Zoë");
        assert_eq!(
            verifier.encode(&Map::new(), 60, NOW),
            Err(JwtError::VerifyOnly)
        );
        assert_eq!(verifier.decode(&token, NOW + 75), Err(JwtError::Expired));
    }
    // Private key as DER.
    let der = keys::KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())
        .der("PRIVATE KEY")
        .unwrap();
    let der_signer = JwtCodec::new(
        &s,
        SALT,
        TokenFormat::EdDsa {
            private_key: Some(KeyMaterial::Der(der)),
            public_key: KeyMaterial::Der(raw.clone()),
        },
    )
    .unwrap();
    assert!(
        signer
            .decode(&der_signer.encode(&Map::new(), 60, NOW).unwrap(), NOW)
            .is_ok()
    );
    // Tampered signature and payload.
    let mut sig = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(2).unwrap())
        .unwrap();
    sig[5] ^= 1;
    assert_eq!(
        signer.decode(&with_segment(&token, 2, &URL_SAFE_NO_PAD.encode(&sig)), NOW),
        Err(JwtError::BadTag)
    );
    assert_eq!(
        signer.decode(&with_segment(&token, 1, &b(r#"{"sub":"2"}"#)), NOW),
        Err(JwtError::BadTag)
    );
    let short_sig = with_segment(&token, 2, &URL_SAFE_NO_PAD.encode(&sig[..10]));
    assert_eq!(signer.decode(&short_sig, NOW), Err(JwtError::BadTag));

    // Key errors at construction.
    // The RFC 8032 test 2 public key: a valid point, but not ours.
    let mismatched = hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    let bad = |private_key: Option<KeyMaterial>, public_key: KeyMaterial| {
        JwtCodec::new(
            &s,
            SALT,
            TokenFormat::EdDsa {
                private_key,
                public_key,
            },
        )
        .unwrap_err()
    };
    assert!(matches!(
        bad(
            Some(KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())),
            KeyMaterial::Der(mismatched.clone())
        ),
        JwtError::InvalidKey("private key does not match the public key")
    ));
    assert!(matches!(
        bad(None, KeyMaterial::Der(vec![0u8; 31])),
        JwtError::InvalidKey(_)
    ));
    assert!(matches!(
        bad(None, KeyMaterial::Pem("garbage".into())),
        JwtError::InvalidKey(_)
    ));
    assert!(matches!(
        bad(None, KeyMaterial::Pem(ED_PRIVATE_PEM.to_owned())),
        JwtError::InvalidKey(_)
    ));
    assert!(matches!(
        bad(
            Some(KeyMaterial::Der(vec![1, 2, 3])),
            KeyMaterial::Pem(ED_PUBLIC_PEM.to_owned())
        ),
        JwtError::InvalidKey(_)
    ));
    // y = 2 is not the y coordinate of any curve point: refused at start-up.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    assert_eq!(
        bad(None, KeyMaterial::Der(not_a_point.to_vec())),
        JwtError::InvalidKey("public key is not a valid Ed25519 point")
    );
}

// ---------------------------------------------------------------------------------------
// Generated cases (`proptest`, a fixed number each, listed in the README).

mod properties {
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    /// The three formats over the same secret: JWE (default), JWS HS256, JWS EdDSA.
    fn codecs() -> [JwtCodec; 3] {
        [
            codec(&["s3cret"], SALT),
            JwtCodec::new(&secrets(&["s3cret"]), SALT, TokenFormat::Hs256).unwrap(),
            JwtCodec::new(&secrets(&["s3cret"]), SALT, ed_format(true)).unwrap(),
        ]
    }

    fn segments() -> impl Strategy<Value = String> {
        proptest::collection::vec("[A-Za-z0-9_=+/-]{0,80}", 0..7).prop_map(|s| s.join("."))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// Decoding any string, or any dotted base64url-ish segments, returns (an error)
        /// without a panic, in each format.
        #[test]
        fn decode_never_panics(s in any::<String>(), dotted in segments(), which in 0..3usize) {
            let c = &codecs()[which];
            prop_assert!(c.decode(&s, NOW).is_err());
            let _ = c.decode(&dotted, NOW);
        }

        /// A token with one character changed, removed or inserted (anywhere: header, key,
        /// IV, ciphertext, tag or signature) never decodes, in each format.
        #[test]
        fn mutated_tokens_are_rejected(
            which in 0..3usize,
            at in any::<Index>(),
            ch in prop_oneof![proptest::char::range('!', '~'), any::<char>()],
            op in 0..3u8,
        ) {
            let c = &codecs()[which];
            let token = c.encode(&claims(json!({"sub": "ada", "name": "Ada"})), 3600, NOW).unwrap();
            prop_assert!(c.decode(&token, NOW).is_ok());
            let mut chars: Vec<char> = token.chars().collect();
            let i = at.index(chars.len());
            match op {
                0 => chars[i] = ch,
                1 => {
                    chars.remove(i);
                }
                _ => chars.insert(i, ch),
            }
            let mutated: String = chars.into_iter().collect();
            if mutated != token {
                prop_assert!(c.decode(&mutated, NOW).is_err(), "accepted {mutated}");
            }
        }
    }
}
