//! The writer against `serde_json::to_vec(&serde_json::to_value(..))`: generated
//! documents, and typed values of every serde shape.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use serde::Serialize;
use serde_json::Value;

/// What the session endpoint answered before: through a `Value`.
fn through_value<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    serde_json::to_value(value)
        .ok()
        .map(|v| serde_json::to_vec(&v).unwrap())
}

fn same<T: Serialize + ?Sized>(value: &T) {
    let direct = super::to_vec(value).ok();
    let expected = through_value(value);
    assert_eq!(
        direct.as_deref().map(String::from_utf8_lossy),
        expected.as_deref().map(String::from_utf8_lossy)
    );
}

#[derive(Serialize)]
enum Kind {
    Unit,
    Newtype(u8),
    Tuple(i32, String),
    Struct { z: bool, a: Option<f64> },
}

#[derive(Serialize)]
struct Unit;

#[derive(Serialize)]
struct Wrapper(String);

#[derive(Serialize)]
struct Extra {
    zeta: u32,
    alpha: Vec<Kind>,
}

#[derive(Serialize)]
struct User {
    name: Option<String>,
    email: Option<String>,
    image: Option<String>,
    id: String,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    #[serde(flatten)]
    extra: Extra,
    #[serde(flatten)]
    more: HashMap<String, Value>,
}

#[derive(Serialize)]
struct Session {
    user: User,
    expires: String,
}

#[test]
fn typed_values_of_every_shape() {
    let mut more = HashMap::new();
    more.insert("id".to_owned(), Value::from("shadowed"));
    more.insert("b\u{e9}ta \"quoted\"\n".to_owned(), Value::from(1.5));
    let session = Session {
        user: User {
            name: Some("Ada \u{1f600} </script>".to_owned()),
            email: None,
            image: Some(String::new()),
            id: "1".to_owned(),
            role: "admin".to_owned(),
            skipped: None,
            extra: Extra {
                zeta: 7,
                alpha: vec![
                    Kind::Unit,
                    Kind::Newtype(3),
                    Kind::Tuple(-4, "t".to_owned()),
                    Kind::Struct {
                        z: true,
                        a: Some(f64::NAN),
                    },
                ],
            },
            more,
        },
        expires: "2026-01-02T03:04:05.678Z".to_owned(),
    };
    assert!(super::to_vec(&session).is_ok());
    same(&session);
    same(&(
        Unit,
        Wrapper("w".to_owned()),
        (),
        'c',
        0.1f32,
        f32::INFINITY,
    ));
    same(&(u128::MAX, i128::MIN, 5u128, -5i128, u64::MAX, i64::MIN));
    same(&serde_bytes_like());
    let mut int_keys = BTreeMap::new();
    int_keys.insert(10, "ten");
    int_keys.insert(9, "nine");
    same(&int_keys);
    let mut bool_keys = BTreeMap::new();
    bool_keys.insert(true, 1);
    same(&bool_keys);
    let mut tuple_keys = BTreeMap::new();
    tuple_keys.insert((1, 2), 1);
    same(&tuple_keys);
    same(&Option::<Session>::None);
    let raw = serde_json::value::RawValue::from_string(r#"{"b":1,"a":[{"d":2,"c":3}]}"#.to_owned())
        .unwrap();
    same(&(raw, 1));
}

/// Bytes: an array of numbers.
fn serde_bytes_like() -> impl Serialize {
    struct Bytes;
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"\x00\xff")
        }
    }
    Bytes
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::vec(("[a-e\u{e9}\"\\\\]{0,4}", inner), 0..6).prop_map(|pairs| {
                Value::Object(pairs.into_iter().collect::<serde_json::Map<_, _>>())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any JSON document, and any map of them with keys in any order, is written as
    /// through a `Value`.
    #[test]
    fn documents_are_written_as_through_a_value(
        value in json(),
        pairs in proptest::collection::vec(("[a-c]{0,2}", json()), 0..6),
    ) {
        let direct = super::to_vec(&value).unwrap();
        prop_assert_eq!(Some(direct), through_value(&value));
        // A `Vec` of pairs serialised as a map: repeated keys, any order.
        struct Pairs<'a>(&'a [(String, Value)]);
        impl Serialize for Pairs<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        prop_assert_eq!(super::to_vec(&Pairs(&pairs)).ok(), through_value(&Pairs(&pairs)));
    }
}
