//! The session's `Value`-free path ([`RawClaims`], [`TokenJson`],
//! [`JwtCodec::encode_json`]) against the `Value`-based one it replaces (the public
//! [`JwtCodec::decode`] and `encode`, `to_value`, `from_value`): for generated payloads
//! and tokens, the same answers, the same errors, the same claims (the same bytes for a
//! flat token; nested values as the token type writes them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::super::revocation::{
    SESSION_VERSION_CLAIM, put_version, raw_subject, subject, take_raw_version, take_version,
};
use super::{token_claims, token_json};
use crate::jwt::{JwtCodec, RawClaims, Secrets, TokenFormat, TokenJson};

const SALT: &str = "authjs.session-token";
const NOW: i64 = 1_795_736_680;

/// A token type with the registered claims and a few typed fields (what `auth!` makes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct Tok {
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    picture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<String>,
    role: Option<Role>,
    level: Option<u8>,
    score: Option<f32>,
    tags: Vec<String>,
    amr: Option<Vec<String>>,
    extra: Option<Value>,
    address: Option<Address>,
    counts: HashMap<String, i32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Role {
    Admin,
    User(String),
    Guest { since: i64, note: Option<String> },
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct Address {
    street: String,
    city: String,
    zip: Option<u32>,
}

/// A token type that keeps every claim it does not name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct Open {
    sub: Option<String>,
    name: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

/// The session user of `auth!` without `session_user`.
type User = crate::config::DefaultSessionUser;

fn codecs() -> Vec<JwtCodec> {
    let secrets = Secrets::new(vec!["s3cret".to_owned()]).unwrap();
    let mut all = vec![JwtCodec::new(&secrets, SALT, TokenFormat::AuthJs).unwrap()];
    #[cfg(feature = "jws")]
    all.push(JwtCodec::new(&secrets, SALT, TokenFormat::Hs256).unwrap());
    all
}

// --- generated JSON text (not `Value`s: duplicate keys, escapes, odd numbers) ---------

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (NOW - 100..NOW + 100).prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        Just("1e400".to_owned()),
        Just("-1e400".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("-0".to_owned()),
        Just("1.0".to_owned()),
        Just("1E2".to_owned()),
        Just("0.1e-2".to_owned()),
        Just("255".to_owned()),
        Just("256".to_owned()),
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        "[a-z]{0,6}".prop_map(|s| format!("\"{s}\"")),
        Just(r#""Admin""#.to_owned()),
        Just(r#""a\u00e9\n\"b""#.to_owned()),
        Just(r#""\ud83d\ude00""#.to_owned()),
        Just(r#""\ud800""#.to_owned()),
        Just(r#""\x""#.to_owned()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "iat", "nbf", "exp", "iss", "sub", "aud", "jti", "name", "email", "picture", "role",
            "level", "score", "tags", "amr", "extra", "address", "counts", "street", "city", "zip",
            "Guest", "User", "since", "note",
        ])
        .prop_map(|k| format!("\"{k}\"")),
        Just(format!("\"{SESSION_VERSION_CLAIM}\"")),
        Just(r#""\u0073ub""#.to_owned()),
        Just(r#""n\u0061me""#.to_owned()),
        string(),
    ]
}

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        number(),
        string(),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("null".to_owned()),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key(), inner), 0..4).prop_map(|v| object(&v)),
        ]
    })
}

fn object(entries: &[(String, String)]) -> String {
    let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{{{}}}", body.join(","))
}

/// A payload: mostly an object of claims, sometimes something else.
fn payload() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec((key(), json_text()), 0..10).prop_map(|v| object(&v)),
        1 => json_text(),
        1 => (prop::collection::vec((key(), json_text()), 0..4), "[ \\]}x,]{0,2}")
            .prop_map(|(v, tail)| format!(" {} {tail}", object(&v))),
    ]
}

fn header() -> impl Strategy<Value = Map<String, Value>> {
    prop_oneof![
        3 => Just(Map::new()),
        1 => (prop::sample::select(vec!["iss", "sub", "aud"]), json_text())
            .prop_filter_map("valid", |(k, v)| {
                let v: Value = serde_json::from_str(&v).ok()?;
                let mut m = Map::new();
                m.insert(k.to_owned(), v);
                Some(m)
            }),
    ]
}

/// What the old session read got out of a payload: the claims checked (or the error),
/// the version taken out (or why not), `amr`, the user id and `T`, or that `T` does not
/// fit (the texts of serde's errors may differ: the session is cleared either way, and
/// the log keeps only the kind of mistake, see `claims_error`).
type Read<T> = Result<(Option<i64>, Option<Value>, Option<String>, Result<T, ()>), String>;

/// A JWE of `payload` (any bytes) under the codec's key, with the claim copies of
/// `header` in its protected header.
fn seal(codec: &JwtCodec, payload: &[u8], header: &Map<String, Value>) -> String {
    let mut full = header.clone();
    full.insert("alg".to_owned(), json!("dir"));
    full.insert("enc".to_owned(), json!("A256CBC-HS512"));
    codec
        .jwe_keys()
        .seal_raw(&serde_json::to_string(&full).unwrap(), payload)
}

fn old_read<T: serde::de::DeserializeOwned>(codec: &JwtCodec, token: &str, now: i64) -> Read<T> {
    let mut claims = codec.decode(token, now).map_err(|e| format!("{e:?}"))?;
    let version = take_version(&mut claims).map_err(str::to_owned)?;
    let amr = claims.get("amr").cloned();
    let sub = subject(&claims).map(str::to_owned);
    let token = serde_json::from_value::<T>(Value::Object(claims)).map_err(|_| ());
    Ok((version, amr, sub, token))
}

fn new_read<T: serde::de::DeserializeOwned>(codec: &JwtCodec, token: &str, now: i64) -> Read<T> {
    let opened = codec.open(token).map_err(|e| format!("{e:?}"))?;
    let mut claims = opened.claims(now).map_err(|e| format!("{e:?}"))?;
    let version = take_raw_version(&mut claims).map_err(str::to_owned)?;
    let amr = claims.value("amr");
    let sub = raw_subject(&claims).map(|s| s.into_owned());
    let token = claims.deserialize::<T>().map_err(|_| ());
    Ok((version, amr, sub, token))
}

/// The old session write: `to_value`, the version and `amr` put back, `iat`/`exp`/`jti`
/// set, `to_vec`.
fn old_payload<T: crate::config::TokenData>(
    token: &T,
    version: Option<i64>,
    amr: Option<&Value>,
    jti: &str,
) -> Result<Vec<u8>, String> {
    let mut claims = token_claims(token)?;
    put_version(&mut claims, version);
    if let Some(amr) = amr {
        claims.insert("amr".to_owned(), amr.clone());
    }
    claims.insert("iat".to_owned(), Value::from(NOW));
    claims.insert("exp".to_owned(), Value::from(NOW + 3600));
    claims.insert("jti".to_owned(), Value::from(jti));
    Ok(serde_json::to_vec(&claims).unwrap())
}

fn new_payload(json: &TokenJson, version: Option<i64>, amr: Option<&Value>, jti: &str) -> Vec<u8> {
    let version = version.map(|v| v.to_string());
    let amr = amr.map(|a| serde_json::to_vec(a).unwrap());
    let jti = serde_json::to_vec(jti).unwrap();
    let (iat, exp) = (NOW.to_string(), (NOW + 3600).to_string());
    let mut spliced: Vec<(&str, &[u8])> = vec![
        ("iat", iat.as_bytes()),
        ("exp", exp.as_bytes()),
        ("jti", &jti),
    ];
    if let Some(v) = &version {
        spliced.push((SESSION_VERSION_CLAIM, v.as_bytes()));
    }
    if let Some(a) = &amr {
        spliced.push(("amr", a));
    }
    json.payload(&spliced)
}

/// The top-level names of a JSON object, in the order written.
fn names(payload: &[u8]) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'de> Deserialize<'de> for Names {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Names;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Names, A::Error> {
                    let mut names = Vec::new();
                    while let Some((name, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                        names.push(name);
                    }
                    Ok(Names(names))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_slice::<Names>(payload).unwrap().0
}

/// `token` without what `to_value` writes otherwise than the token type does: nested
/// struct fields (sorted there), a map of more than one entry (sorted there), an `f32`
/// (widened there).
fn flat(token: &Tok) -> Tok {
    let mut flat = token.clone();
    flat.score = None;
    flat.address = None;
    if let Some(Role::Guest { .. }) = flat.role {
        flat.role = Some(Role::Admin);
    }
    let first = flat.counts.drain().next();
    flat.counts.extend(first);
    flat
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Admin),
        any::<String>().prop_map(Role::User),
        (any::<i64>(), any::<Option<String>>())
            .prop_map(|(since, note)| Role::Guest { since, note }),
    ]
}

fn tok() -> impl Strategy<Value = Tok> {
    (
        (
            any::<Option<String>>(),
            any::<Option<String>>(),
            any::<Option<String>>(),
            any::<Option<String>>(),
            any::<Option<i64>>(),
            any::<Option<f64>>(),
            any::<Option<String>>(),
        ),
        (
            prop::option::of(role()),
            any::<Option<u8>>(),
            any::<Option<f32>>(),
            prop::collection::vec(any::<String>(), 0..3),
            prop::option::of(prop::collection::vec("[a-z]{1,4}", 0..3)),
            prop::option::of(
                json_text().prop_filter_map("valid", |t| serde_json::from_str::<Value>(&t).ok()),
            ),
            prop::option::of(("[a-z ]{0,8}", "[a-z]{0,8}", any::<Option<u32>>())),
            prop::collection::hash_map("[a-z]{1,3}", any::<i32>(), 0..4),
        ),
    )
        .prop_map(
            |(
                (sub, name, email, picture, iat, exp, jti),
                (role, level, score, tags, amr, extra, address, counts),
            )| Tok {
                sub,
                name,
                email,
                picture,
                iat,
                exp,
                jti,
                role,
                level,
                score,
                tags,
                amr,
                extra,
                address: address.map(|(street, city, zip)| Address { street, city, zip }),
                counts,
            },
        )
}

fn amr_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(json!(["pwd", "otp"]))),
        json_text().prop_filter_map("valid", |t| serde_json::from_str::<Value>(&t)
            .ok()
            .map(Some)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any payload reads the same through the raw claims as through the `Value` map: the
    /// same check errors, the same version, `amr` and user id, and the same token (or the
    /// same error), for a typed token, one keeping unknown claims and a plain map.
    #[test]
    fn raw_claims_read_as_the_value_map(
        payload in payload(),
        header in header(),
        skew in -2_000_000_000i64..2_000_000_000,
        near in any::<bool>(),
    ) {
        let now = if near { NOW } else { NOW + skew };
        let codec = &codecs()[0];
        let token = seal(codec, payload.as_bytes(), &header);
        prop_assert_eq!(new_read::<Tok>(codec, &token, now), old_read::<Tok>(codec, &token, now));
        prop_assert_eq!(new_read::<Open>(codec, &token, now), old_read::<Open>(codec, &token, now));
        prop_assert_eq!(
            new_read::<Map<String, Value>>(codec, &token, now),
            old_read::<Map<String, Value>>(codec, &token, now)
        );
        prop_assert_eq!(new_read::<User>(codec, &token, now), old_read::<User>(codec, &token, now));
    }

    /// A token serialised once writes the claims `to_value` + `to_vec` wrote, with the
    /// session version and `amr` spliced in: the same `Value`s (an `f32`, written with its
    /// own text rather than widened, the same `f32`), the top-level names sorted and
    /// unique; the same bytes for a token without nested structs, multi-entry maps and
    /// `f32`s.
    #[test]
    fn token_json_writes_the_value_claims(
        token in tok(),
        version in prop::option::of(0i64..1_000_000),
        amr in amr_value(),
    ) {
        let jti = crate::util::uuid_v4();
        let old = old_payload(&token, version, amr.as_ref(), &jti).unwrap();
        let json = TokenJson::of(&token).unwrap().unwrap();
        let new = new_payload(&json, version, amr.as_ref(), &jti);
        let written = names(&new);
        prop_assert!(written.windows(2).all(|w| w[0] < w[1]), "{:?}", written);
        let mut new_claims: Map<String, Value> = serde_json::from_slice(&new).unwrap();
        let mut old_claims: Map<String, Value> = serde_json::from_slice(&old).unwrap();
        prop_assert_eq!(written.len(), new_claims.len());
        let f32_of = |v: Option<Value>| v.and_then(|v| v.as_f64()).map(|f| f as f32);
        let (new_score, old_score) = (new_claims.remove("score"), old_claims.remove("score"));
        let score = token.score.filter(|f| f.is_finite());
        prop_assert_eq!(f32_of(new_score), score);
        prop_assert_eq!(f32_of(old_score), score);
        prop_assert_eq!(new_claims, old_claims);

        let flat = flat(&token);
        prop_assert_eq!(
            String::from_utf8(new_payload(&TokenJson::of(&flat).unwrap().unwrap(), version, amr.as_ref(), &jti)).unwrap(),
            String::from_utf8(old_payload(&flat, version, amr.as_ref(), &jti).unwrap()).unwrap()
        );

        let map = token_claims(&token).unwrap();
        prop_assert_eq!(json.str("sub"), map.get("sub").and_then(Value::as_str).map(str::to_owned));
        prop_assert_eq!(json.i64("exp"), map.get("exp").and_then(Value::as_i64));
        for name in ["name", "email", "picture", "tags", "counts", "address", "role"] {
            let value = json.get(name).map(|j| serde_json::from_str::<Value>(j).unwrap());
            prop_assert_eq!(value.as_ref(), map.get(name));
        }
    }

    /// Any decoded payload, read into a token, re-encoded through [`JwtCodec::encode_json`]
    /// and decoded again, gives the claims the old path (`to_value`, `encode`) gives, in
    /// every format; a token that keeps unknown claims and duplicate keys included.
    #[test]
    fn encode_json_round_trips_as_the_value_path(
        payload in prop::collection::vec((key(), json_text()), 0..10).prop_map(|v| object(&v)),
        version in prop::option::of(0i64..1_000_000),
        amr in amr_value(),
    ) {
        let Ok(claims) = RawClaims::parse(payload.as_bytes(), &Map::new(), NOW) else {
            return Ok(());
        };
        let Ok(token) = claims.deserialize::<Open>() else {
            return Ok(());
        };
        for codec in codecs() {
            let json = TokenJson::of(&token).unwrap().unwrap();
            let version_json = version.map(|v| v.to_string());
            let amr_json = amr.as_ref().map(|a| serde_json::to_vec(a).unwrap());
            let mut spliced: Vec<(&str, &[u8])> = Vec::new();
            if let Some(v) = &version_json {
                spliced.push((SESSION_VERSION_CLAIM, v.as_bytes()));
            }
            if let Some(a) = &amr_json {
                spliced.push(("amr", a));
            }
            let new = codec.encode_json(&json, &spliced, 3600, NOW).unwrap();
            let mut old_claims = token_claims(&token).unwrap();
            put_version(&mut old_claims, version);
            if let Some(a) = &amr {
                old_claims.insert("amr".to_owned(), a.clone());
            }
            let old = codec.encode_owned(old_claims, 3600, NOW).unwrap();
            let mut new = codec.decode(&new, NOW).unwrap();
            let mut old = codec.decode(&old, NOW).unwrap();
            let (new_jti, old_jti) = (new.remove("jti"), old.remove("jti"));
            prop_assert!(new_jti.as_ref().and_then(Value::as_str).is_some_and(|j| j.len() == 36));
            prop_assert!(old_jti.is_some());
            prop_assert_eq!(new, old);
        }
    }
}

#[test]
fn a_token_that_is_not_an_object_is_refused_as_by_the_value_path() {
    assert!(TokenJson::of(&json!([1, 2])).unwrap().is_none());
    assert!(TokenJson::of(&"text").unwrap().is_none());
    assert_eq!(
        token_json(&json!([1, 2])).unwrap_err(),
        "the Token type does not serialise to a JSON object"
    );
    assert_eq!(
        token_json(&json!([1, 2])).unwrap_err(),
        token_claims(&json!([1, 2])).unwrap_err()
    );
    // A key that cannot be a JSON name: the serialiser's error, as `to_value` gives it.
    let mut unkeyed = BTreeMap::new();
    unkeyed.insert(vec![1u8], 1u8);
    let refused = token_json(&unkeyed).unwrap_err();
    assert!(
        refused.starts_with("the token cannot be serialised: "),
        "{refused}"
    );
    assert_eq!(refused, token_claims(&unkeyed).unwrap_err());
    // A number key: written as a string, as `to_value` writes it.
    let mut keyed = BTreeMap::new();
    keyed.insert(7u32, "x".to_owned());
    let json = TokenJson::of(&keyed).unwrap().unwrap();
    assert_eq!(json.payload(&[]), br#"{"7":"x"}"#);
    let map = token_claims(&keyed).unwrap();
    assert_eq!(json.payload(&[]), serde_json::to_vec(&map).unwrap());
}

/// Where the payload's bytes differ from the `Value` path's: nested values as the token
/// type writes them (struct fields in their order, where a `Value` sorts them), an `f32`
/// as its own shortest text (a `Value` widens it to `f64` first). The same token reads
/// back from either.
#[test]
fn nested_values_and_f32_keep_the_token_types_text() {
    let token = Tok {
        score: Some(0.1),
        address: Some(Address {
            street: "s".to_owned(),
            city: "c".to_owned(),
            zip: None,
        }),
        ..Tok::default()
    };
    let new = TokenJson::of(&token).unwrap().unwrap().payload(&[]);
    let old = serde_json::to_vec(&token_claims(&token).unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(new.clone()).unwrap(),
        r#"{"address":{"street":"s","city":"c","zip":null},"amr":null,"counts":{},"extra":null,"level":null,"role":null,"score":0.1,"tags":[]}"#
    );
    assert_eq!(
        String::from_utf8(old.clone()).unwrap(),
        r#"{"address":{"city":"c","street":"s","zip":null},"amr":null,"counts":{},"extra":null,"level":null,"role":null,"score":0.10000000149011612,"tags":[]}"#
    );
    for payload in [&new, &old] {
        let claims = RawClaims::parse(payload, &Map::new(), NOW).unwrap();
        assert_eq!(claims.deserialize::<Tok>().unwrap(), token);
    }
}

/// A token type that writes a name twice (a field and a flattened map entry): the last
/// one kept, as `Map::insert` keeps it.
#[test]
fn a_name_written_twice_keeps_its_last_value() {
    let mut rest = BTreeMap::new();
    rest.insert("name".to_owned(), json!("later"));
    rest.insert("z\n".to_owned(), json!({"b": 1, "a": 2}));
    let token = Open {
        sub: Some("u".to_owned()),
        name: Some("first".to_owned()),
        rest,
    };
    let json = TokenJson::of(&token).unwrap().unwrap();
    assert_eq!(json.str("name").as_deref(), Some("later"));
    let old = serde_json::to_vec(&token_claims(&token).unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(json.payload(&[])).unwrap(),
        String::from_utf8(old).unwrap()
    );
}

#[test]
fn duplicate_claims_keep_the_last_value() {
    let payload = br#"{"sub":"a","name":"x","sub":"b","n\u0061me":"y"}"#;
    let claims = RawClaims::parse(payload, &Map::new(), NOW).unwrap();
    assert_eq!(claims.str("sub").as_deref(), Some("b"));
    let open: Open = claims.deserialize().unwrap();
    assert_eq!(open.name.as_deref(), Some("y"));
    let codec = &codecs()[0];
    let token = seal(codec, payload, &Map::new());
    assert_eq!(
        old_read::<Open>(codec, &token, NOW),
        new_read::<Open>(codec, &token, NOW)
    );
}

/// A nested object written with a key twice (a struct whose flattened map holds one of its
/// field names writes it so) reads as `from_value` read it: the last value kept, the
/// session not cleared.
#[test]
fn a_nested_key_written_twice_keeps_its_last_value() {
    let payload = br#"{"sub":"a","address":{"zip":1,"city":"c","zip":2}}"#;
    let codec = &codecs()[0];
    let token = seal(codec, payload, &Map::new());
    let read = new_read::<Tok>(codec, &token, NOW);
    assert_eq!(read, old_read::<Tok>(codec, &token, NOW));
    let claims = RawClaims::parse(payload, &Map::new(), NOW).unwrap();
    let tok: Tok = claims.deserialize().unwrap();
    assert_eq!(tok.address.and_then(|a| a.zip), Some(2));
}

#[test]
fn payloads_a_value_refuses_are_refused() {
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(127), "]".repeat(127));
    let deeper = format!("{{\"a\":{}1{}}}", "[".repeat(128), "]".repeat(128));
    let cases: Vec<Vec<u8>> = vec![
        b"{\"a\":\"\xff\"}".to_vec(),
        b"{\"\xff\":1}".to_vec(),
        b"{\"a\":\"\x01\"}".to_vec(),
        br#"{"a":"\ud800"}"#.to_vec(),
        br#"{"\ud800":1}"#.to_vec(),
        br#"{"a":1e400,"a":1}"#.to_vec(),
        br#"{"a":-1e400}"#.to_vec(),
        format!("{{\"a\":1{}}}", "0".repeat(400)).into_bytes(),
        format!("{{\"a\":1{}}}", "0".repeat(290)).into_bytes(),
        deep.into_bytes(),
        deeper.into_bytes(),
        br#"{"a":01}"#.to_vec(),
        br#"{"a":1} x"#.to_vec(),
        br#"[{"a":1}]"#.to_vec(),
        br#""text""#.to_vec(),
        b"".to_vec(),
    ];
    let codec = &codecs()[0];
    for payload in cases {
        let token = seal(codec, &payload, &Map::new());
        assert_eq!(
            new_read::<Open>(codec, &token, NOW),
            old_read::<Open>(codec, &token, NOW),
            "{}",
            String::from_utf8_lossy(&payload)
        );
    }
}
