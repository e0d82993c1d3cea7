//! A token's claims read without a `serde_json::Value` tree: the payload parsed once into
//! a sorted map of borrowed raw values, the registered claims checked on the few values
//! they need, and the token type deserialised from that map.
//!
//! Every answer is the one of the `Value`-based [`super::claims::parse_and_validate`] and
//! `serde_json::from_value` (the property tests in `flow/session/typed_tests.rs` compare
//! them): the payload is accepted exactly when it parses as a `Value` (values whose raw
//! form the parser may have let through unchecked, a number or an escaped string, send the
//! whole payload through the same parser once more, building nothing), a duplicate key
//! resolves to its last value, and the keys reach the token type sorted, as a `Map` hands
//! them over.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{JwtError, claims};

/// A token whose encryption or signature verified: the payload, not yet parsed.
pub(crate) struct Opened {
    /// The JWE plaintext or the JWS payload.
    payload: Vec<u8>,
    /// The protected header when it is not the one this codec writes (which carries no
    /// claim copies to compare); empty otherwise.
    header: Map<String, Value>,
    /// Whether the token is in the form this codec writes now: its current header and key
    /// (JWE), or signed with its signing key (JWS).
    current: bool,
}

impl Opened {
    pub(super) fn new(payload: Vec<u8>, header: Map<String, Value>, current: bool) -> Self {
        Opened {
            payload,
            header,
            current,
        }
    }

    /// The claims as a `Value` map, checked at `now` (the public [`super::JwtCodec::decode`]).
    pub(super) fn into_map(self, now: i64) -> Result<Map<String, Value>, JwtError> {
        claims::parse_and_validate(&self.payload, &self.header, now)
    }

    /// The claims as raw values, checked at `now` with the errors of
    /// [`super::JwtCodec::decode`].
    pub(crate) fn claims(&self, now: i64) -> Result<RawClaims<'_>, JwtError> {
        let mut claims = RawClaims::parse(&self.payload, &self.header, now)?;
        claims.current = self.current;
        Ok(claims)
    }
}

/// A claim name, borrowed from the payload unless it had escapes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The claims of a token as raw JSON values borrowed from its payload, sorted by name,
/// each name once.
#[derive(Debug)]
pub(crate) struct RawClaims<'a> {
    entries: Vec<(Key<'a>, &'a RawValue)>,
    /// See [`RawClaims::current`].
    current: bool,
}

/// The entries of a JSON object in the order written, duplicates included.
struct Written<'a>(Vec<(Key<'a>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Written<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Written<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Written<'de>, A::Error> {
                let mut entries = Vec::with_capacity(16);
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Written(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// Sorts an object's entries by name (`cmp`), the last of equal names kept, as
/// `Map::insert` keeps it (a stable sort keeps their order); nothing to do when already
/// sorted.
#[inline]
pub(super) fn sort_last_wins<T>(entries: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if !entries.windows(2).all(|w| cmp(&w[0], &w[1]).is_lt()) {
        entries.sort_by(&cmp);
        entries.reverse();
        entries.dedup_by(|a, b| cmp(a, b).is_eq());
        entries.reverse();
    }
}

/// The content of a JSON string without escapes (already checked by the parser).
pub(crate) fn plain_string(json: &str) -> Option<&str> {
    json.strip_prefix('"')?
        .strip_suffix('"')
        .filter(|inner| !inner.contains('\\'))
}

/// Whether a raw value is one the parser fully checked while skipping it, as a `Value`
/// parse would: `true`, `false`, `null`, a string without escapes (its UTF-8 and control
/// characters checked), an integer too short to overflow an `f64`. Anything else (an
/// escape, which may be a lone surrogate; a float, which may be out of range; an array or
/// an object, whose depth counts) is checked by the full parse.
fn checked_while_skipped(raw: &str) -> bool {
    match raw.as_bytes() {
        [b'"', rest @ ..] => !rest.contains(&b'\\'),
        b"true" | b"false" | b"null" => true,
        bytes => bytes.len() < 300 && bytes.iter().all(|b| b.is_ascii_digit() || *b == b'-'),
    }
}

impl<'a> RawClaims<'a> {
    /// Parses `payload` (a JSON object) and checks the registered claims at `now`, as
    /// [`claims::parse_and_validate`] does.
    pub(crate) fn parse(
        payload: &'a [u8],
        header: &Map<String, Value>,
        now: i64,
    ) -> Result<Self, JwtError> {
        // Not UTF-8 is not JSON (a `Value` parse fails on it wherever it is); checked
        // once here, the parses below take it as text.
        let payload = std::str::from_utf8(payload).map_err(|_| JwtError::Payload)?;
        let Ok(Written(mut entries)) = serde_json::from_str::<Written<'a>>(payload) else {
            // Not an object, or not JSON: told apart as a `Value` parse would.
            return Err(match serde_json::from_str::<JsonCheck>(payload) {
                Ok(JsonCheck { object: false }) => JwtError::PayloadNotObject,
                Ok(JsonCheck { object: true }) | Err(_) => JwtError::Payload,
            });
        };
        // What `Value` accepts, through the same parser, without building anything: only
        // when a value (even one a later duplicate replaces) was not fully checked above.
        if !entries
            .iter()
            .all(|(_, raw)| checked_while_skipped(raw.get()))
            && serde_json::from_str::<JsonCheck>(payload).is_err()
        {
            return Err(JwtError::Payload);
        }
        // The tokens this crate writes are sorted already.
        sort_last_wins(&mut entries, |a, b| a.0.cmp(&b.0));
        let claims = RawClaims {
            entries,
            current: false,
        };
        claims.validate(header, now)?;
        Ok(claims)
    }

    /// [`claims::validate`]'s checks ([`claims::check`]) on the raw values.
    fn validate(&self, header: &Map<String, Value>, now: i64) -> Result<(), JwtError> {
        claims::check(
            header,
            now,
            |claim| self.number(claim),
            |claim, copy| self.value(claim).as_ref() == Some(copy),
        )
    }

    /// A claim that must be a number when present (`Value::as_f64`).
    fn number(&self, claim: &'static str) -> Result<Option<f64>, JwtError> {
        let Some(raw) = self.get(claim) else {
            return Ok(None);
        };
        // An integer as `Value` holds it (`u64`, else `i64`), converted as `as_f64` does.
        if let Ok(n) = raw.get().parse::<u64>() {
            return Ok(Some(n as f64));
        }
        if let Ok(n) = raw.get().parse::<i64>() {
            return Ok(Some(n as f64));
        }
        serde_json::from_str::<f64>(raw.get())
            .map(Some)
            .map_err(|_| JwtError::ClaimType { claim })
    }

    /// Whether the token came in the form the codec writes now (its current header and
    /// key, or its signing key): a token sealed under an older secret or in another
    /// format is not, and is worth re-issuing.
    pub(crate) fn current(&self) -> bool {
        self.current
    }

    /// A claim that is an integer in `i64` (`Value::as_i64`), read from its text.
    pub(crate) fn i64(&self, claim: &str) -> Option<i64> {
        self.get(claim)?.get().parse().ok()
    }

    /// The raw JSON of a claim.
    pub(crate) fn get(&self, claim: &str) -> Option<&'a RawValue> {
        let at = self.position(claim)?;
        self.entries.get(at).map(|(_, raw)| *raw)
    }

    /// Takes a claim out (the token type does not see it).
    pub(crate) fn remove(&mut self, claim: &str) -> Option<&'a RawValue> {
        let at = self.position(claim)?;
        Some(self.entries.remove(at).1)
    }

    fn position(&self, claim: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|(k, _)| k.0.as_ref().cmp(claim))
            .ok()
    }

    /// A claim as a `Value` (for the few that are kept as they are).
    pub(crate) fn value(&self, claim: &str) -> Option<Value> {
        self.get(claim)
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// A claim that is a string (`Value::as_str`), borrowed when it has no escapes.
    pub(crate) fn str(&self, claim: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(claim)?.get();
        // Without escapes, the text between the quotes is the string.
        if let Some(inner) = plain_string(raw) {
            return Some(Cow::Borrowed(inner));
        }
        Key::deserialize(self.get(claim)?).ok().map(|k| k.0)
    }

    /// The token type read from the claims, as `serde_json::from_value` reads it from
    /// the `Value` map.
    pub(crate) fn deserialize<T: de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        deserialize_entries(self.entries.iter().map(|(k, v)| (k.0.as_ref(), v.get())))
    }
}

/// Deserialises `T` from a JSON object given as `(name, raw JSON)` entries, as
/// `serde_json::from_value` does from a `Map` holding them in this order.
pub(crate) fn deserialize_entries<'de, T, I>(entries: I) -> Result<T, serde_json::Error>
where
    T: Deserialize<'de>,
    I: ExactSizeIterator<Item = (&'de str, &'de str)>,
{
    T::deserialize(Entries {
        iter: entries,
        value: None,
    })
}

/// A JSON object of raw values as a serde `Deserializer` (the `Value` object's rules).
struct Entries<'de, I> {
    iter: I,
    value: Option<&'de str>,
}

impl<'de, I> Deserializer<'de> for Entries<'de, I>
where
    I: ExactSizeIterator<Item = (&'de str, &'de str)>,
{
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Self::Error> {
        let len = self.iter.len();
        let value = visitor.visit_map(&mut self)?;
        // As `Value`'s object: every entry must have been read.
        if self.iter.len() == 0 {
            Ok(value)
        } else {
            Err(de::Error::invalid_length(len, &"fewer elements in map"))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, I> MapAccess<'de> for Entries<'de, I>
where
    I: ExactSizeIterator<Item = (&'de str, &'de str)>,
{
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(de::value::StrDeserializer::<serde_json::Error>::new(key))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let json = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("value is missing"))?;
        // An object or array goes through a `Value`, as `from_value` read it: a nested
        // object written with a key twice (a struct with a flattened map holding a field's
        // name) keeps its last value there, where a struct read from the text refuses it.
        if json.starts_with(['{', '[']) {
            let value: Value = serde_json::from_str(json)?;
            return seed.deserialize(value);
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let value = seed.deserialize(&mut de).map_err(without_position)?;
        de.end()?;
        Ok(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// The error without the ` at line .. column ..` a parser adds, so that it reads as the
/// one `serde_json::from_value` gives (the log tells the same thing either way).
fn without_position(e: serde_json::Error) -> serde_json::Error {
    if e.line() == 0 {
        return e;
    }
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    de::Error::custom(text.strip_suffix(&suffix).unwrap_or(&text))
}

/// Accepts exactly the JSON a `Value` accepts (the same `deserialize_any` walk, the same
/// recursion limit and number range), building nothing; records whether it is an object.
struct JsonCheck {
    object: bool,
}

impl<'de> Deserialize<'de> for JsonCheck {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckVisitor)
    }
}

struct CheckVisitor;

const SCALAR: JsonCheck = JsonCheck { object: false };

impl<'de> Visitor<'de> for CheckVisitor {
    type Value = JsonCheck;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<JsonCheck, E> {
        Ok(SCALAR)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<JsonCheck, E> {
        Ok(SCALAR)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<JsonCheck, E> {
        Ok(SCALAR)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<JsonCheck, E> {
        Ok(SCALAR)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<JsonCheck, E> {
        Ok(SCALAR)
    }
    fn visit_unit<E: de::Error>(self) -> Result<JsonCheck, E> {
        Ok(SCALAR)
    }
    fn visit_none<E: de::Error>(self) -> Result<JsonCheck, E> {
        Ok(SCALAR)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<JsonCheck, D::Error> {
        JsonCheck::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonCheck, A::Error> {
        while seq.next_element::<JsonCheck>()?.is_some() {}
        Ok(SCALAR)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonCheck, A::Error> {
        while map.next_entry::<JsonCheck, JsonCheck>()?.is_some() {}
        Ok(JsonCheck { object: true })
    }
}
