//! Cost of the session token codec beside the bare primitives it is built from, measured
//! in one run so the report can give ratios:
//!
//! - `codec/encode`, `codec/decode`: a typical Auth.js session token (name, email,
//!   picture, sub + iat/exp/jti) through [`JwtCodec`] (JWE `dir` + `A256CBC-HS512`);
//! - `codec/decode_then_encode`: a session read with rolling expiry (decode, re-encode);
//! - `codec/new`: key setup for one secret (HKDF, two thumbprints, AES/HMAC/GCM keying);
//! - `primitives/*`: HKDF-SHA256 to 64 bytes, AES-256-CBC encrypt/decrypt of a buffer the
//!   size of the token's plaintext, HMAC-SHA-512 over the size the codec MACs (keyed per
//!   call, and pre-keyed as the codec does), and the serde_json round trip of the claims.
//!
//! Run: `cargo bench -p auth-runtime --bench crypto` (add `-- --measurement-time 2` for a
//! short run).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use aes::Aes256;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use auth_runtime::jwt::{JwtCodec, Secrets, TokenFormat};
use criterion::{Criterion, criterion_group, criterion_main};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::{Sha256, Sha512};

const SALT: &str = "__Secure-authjs.session-token";
const SECRET: &str = "a-32-byte-or-longer-deployment-secret-value";
const NOW: i64 = 1_795_736_680;
const MAX_AGE: u64 = 30 * 24 * 60 * 60;

fn session_claims() -> Map<String, Value> {
    match json!({
        "name": "Ada Lovelace",
        "email": "ada.lovelace@example.com",
        "picture": "https://avatars.example.com/u/1815?v=4",
        "sub": "0b9c7f4e-5a47-4c56-9d0e-2f7d3c1b8a61",
    }) {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fn bench(c: &mut Criterion) {
    let secrets = Secrets::new(vec![SECRET.to_owned()]).unwrap();
    let codec = JwtCodec::new(&secrets, SALT, TokenFormat::AuthJs).unwrap();
    let claims = session_claims();
    let token = codec.encode(&claims, MAX_AGE, NOW).unwrap();
    let decoded = codec.decode(&token, NOW).unwrap();
    let plaintext = serde_json::to_vec(&decoded).unwrap();
    let header_len = token.split('.').next().unwrap().len();
    let ct_len = plaintext.len() + 16 - plaintext.len() % 16;
    // What the codec MACs: AAD (the header's base64url) || IV || ciphertext || AL.
    let mac_input = vec![0x5au8; header_len + 16 + ct_len + 8];
    eprintln!(
        "token: {} chars, plaintext {} bytes, ciphertext {} bytes, MAC input {} bytes",
        token.len(),
        plaintext.len(),
        ct_len,
        mac_input.len()
    );

    let mut g = c.benchmark_group("codec");
    g.bench_function("encode", |b| {
        b.iter(|| codec.encode(black_box(&claims), MAX_AGE, NOW).unwrap())
    });
    g.bench_function("decode", |b| {
        b.iter(|| codec.decode(black_box(&token), NOW).unwrap())
    });
    // A session read with rolling expiry: decode the cookie, then re-encode its claims.
    g.bench_function("decode_then_encode", |b| {
        b.iter(|| {
            let claims = codec.decode(black_box(&token), NOW).unwrap();
            codec.encode(&claims, MAX_AGE, NOW).unwrap()
        })
    });
    g.bench_function("new", |b| {
        b.iter(|| JwtCodec::new(black_box(&secrets), SALT, TokenFormat::AuthJs).unwrap())
    });
    g.finish();

    let key = [7u8; 32];
    let iv = [9u8; 16];
    let mut ct = vec![0u8; ct_len];
    let len = cbc::Encryptor::<Aes256>::new(&key.into(), &iv.into())
        .encrypt_padded_b2b_mut::<Pkcs7>(&plaintext, &mut ct)
        .unwrap()
        .len();
    assert_eq!(len, ct_len);

    let mut g = c.benchmark_group("primitives");
    g.bench_function("hkdf_sha256_64", |b| {
        b.iter(|| {
            let mut okm = [0u8; 64];
            let info = format!("Auth.js Generated Encryption Key ({SALT})");
            Hkdf::<Sha256>::new(Some(SALT.as_bytes()), black_box(SECRET).as_bytes())
                .expand(info.as_bytes(), &mut okm)
                .unwrap();
            okm
        })
    });
    g.bench_function("aes256cbc_encrypt", |b| {
        let mut out = vec![0u8; ct_len];
        b.iter(|| {
            cbc::Encryptor::<Aes256>::new(&key.into(), &iv.into())
                .encrypt_padded_b2b_mut::<Pkcs7>(black_box(&plaintext), &mut out)
                .unwrap()
                .len()
        })
    });
    g.bench_function("aes256cbc_decrypt", |b| {
        let mut out = vec![0u8; ct_len];
        b.iter(|| {
            cbc::Decryptor::<Aes256>::new(&key.into(), &iv.into())
                .decrypt_padded_b2b_mut::<Pkcs7>(black_box(&ct), &mut out)
                .unwrap()
                .len()
        })
    });
    g.bench_function("hmac_sha512", |b| {
        b.iter(|| {
            let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(&key).unwrap();
            mac.update(black_box(&mac_input));
            mac.finalize().into_bytes()
        })
    });
    // What the codec does: clone an HMAC state keyed once at start-up.
    let keyed = <Hmac<Sha512> as Mac>::new_from_slice(&key).unwrap();
    g.bench_function("hmac_sha512_prekeyed", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(&mac_input));
            mac.finalize().into_bytes()
        })
    });
    g.bench_function("json_roundtrip", |b| {
        b.iter(|| {
            let bytes = serde_json::to_vec(black_box(&decoded)).unwrap();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
