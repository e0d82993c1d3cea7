//! A token serialised once, without a `serde_json::Value` tree, into the JSON object the
//! `Value`-based path writes: `serde_json::to_value` then `to_vec` (the keys sorted, the
//! last of equal keys kept, each value normalised as a `Value` writes it). The registered
//! claims are spliced in at their sorted place when the payload is written.

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;
use serde::ser::{self, Impossible, Serializer};
use serde_json::{Map, Value};

use serde_json::value::Serializer as ValueSerializer;

/// The top-level claims of a serialised token: each value's JSON, in one buffer.
#[derive(Debug, Default)]
pub(crate) struct TokenJson {
    buf: Vec<u8>,
    /// Sorted by name, names unique.
    entries: Vec<(Cow<'static, str>, Range<usize>)>,
}

impl TokenJson {
    /// Serialises `token`. `None` when it does not take the common shape (a struct or a
    /// map with string keys) or its serialisation fails: the caller then goes through
    /// `serde_json::to_value` (whose error it reports) and [`TokenJson::from_map`].
    pub(crate) fn of<T: Serialize + ?Sized>(token: &T) -> Option<Self> {
        // A session token's claims fit these without growing.
        let mut json = TokenJson {
            buf: Vec::with_capacity(256),
            entries: Vec::with_capacity(16),
        };
        token.serialize(Collector { json: &mut json }).ok()?;
        json.entries.sort_by(|a, b| a.0.cmp(&b.0));
        // A name written twice keeps its last value, as `Map::insert` does.
        json.entries.reverse();
        json.entries.dedup_by(|a, b| a.0 == b.0);
        json.entries.reverse();
        Some(json)
    }

    /// The claims of a `Value` map.
    pub(crate) fn from_map(map: &Map<String, Value>) -> Self {
        let mut json = TokenJson::default();
        for (name, value) in map {
            let start = json.buf.len();
            // Writing a `Value` into a `Vec` cannot fail.
            let _ = serde_json::to_writer(&mut json.buf, value);
            json.entries
                .push((Cow::Owned(name.clone()), start..json.buf.len()));
        }
        // A `Map` iterates sorted (serde_json without `preserve_order`); sort anyway.
        json.entries.sort_by(|a, b| a.0.cmp(&b.0));
        json
    }

    /// The JSON of a claim.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let at = self
            .entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()?;
        // serde_json writes UTF-8.
        std::str::from_utf8(self.buf.get(self.entries[at].1.clone())?).ok()
    }

    /// A claim that is a string (`Value::as_str`).
    pub(crate) fn str(&self, name: &str) -> Option<String> {
        let json = self.get(name)?;
        match super::raw::plain_string(json) {
            Some(plain) => Some(plain.to_owned()),
            None => serde_json::from_str(json).ok(),
        }
    }

    /// A claim that is an integer in `i64` (`Value::as_i64`).
    pub(crate) fn i64(&self, name: &str) -> Option<i64> {
        serde_json::from_str::<serde_json::Number>(self.get(name)?)
            .ok()?
            .as_i64()
    }

    /// The payload: these claims with `spliced` (name, JSON) put in, replacing a claim of
    /// the same name, written as `serde_json::to_vec` writes the `Map`.
    pub(crate) fn payload(&self, spliced: &[(&str, &[u8])]) -> Vec<u8> {
        let mut spliced = spliced.to_vec();
        spliced.sort_by(|a, b| a.0.cmp(b.0));
        let mut out =
            Vec::with_capacity(self.buf.len() + 24 * (self.entries.len() + spliced.len()) + 64);
        out.push(b'{');
        let mut first = true;
        let mut write = |name: &str, json: &[u8]| {
            if !first {
                out.push(b',');
            }
            first = false;
            write_name(&mut out, name);
            out.push(b':');
            out.extend_from_slice(json);
        };
        // Both sorted: merged in order, a spliced claim in place of one of the same name.
        let mut pending = spliced.iter().copied().peekable();
        for (name, range) in &self.entries {
            while let Some((s, json)) = pending.next_if(|(s, _)| *s < name.as_ref()) {
                write(s, json);
            }
            if let Some((s, json)) = pending.next_if(|(s, _)| *s == name.as_ref()) {
                write(s, json);
                continue;
            }
            write(name, self.buf.get(range.clone()).unwrap_or_default());
        }
        for (s, json) in pending {
            write(s, json);
        }
        out.push(b'}');
        out
    }
}

/// A claim name as a JSON string: as it is when nothing in it needs an escape.
fn write_name(out: &mut Vec<u8>, name: &str) {
    if name.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, name);
    }
}

/// Not the common shape: the caller takes the `Value` path.
fn unsupported() -> serde_json::Error {
    ser::Error::custom("not a struct or a map with string keys")
}

/// The token itself: a struct or a map, each entry recorded.
struct Collector<'j> {
    json: &'j mut TokenJson,
}

macro_rules! unsupported {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
            Err(unsupported())
        })*
    };
}

impl<'j> Serializer for Collector<'j> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<(), serde_json::Error>;
    type SerializeTuple = Impossible<(), serde_json::Error>;
    type SerializeTupleStruct = Impossible<(), serde_json::Error>;
    type SerializeTupleVariant = Impossible<(), serde_json::Error>;
    type SerializeMap = MapCollector<'j>;
    type SerializeStruct = MapCollector<'j>;
    type SerializeStructVariant = Impossible<(), serde_json::Error>;

    unsupported! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char),
        serialize_str(&str), serialize_bytes(&[u8]), serialize_none(), serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Self::Error> {
        Err(unsupported())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(unsupported())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(unsupported())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(unsupported())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(unsupported())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Ok(MapCollector {
            json: self.json,
            key: None,
        })
    }
    fn serialize_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        // serde_json's `RawValue` is a struct by this name; leave it to the `Value` path.
        if name.starts_with("$serde_json") {
            return Err(unsupported());
        }
        Ok(MapCollector {
            json: self.json,
            key: None,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(unsupported())
    }
}

struct MapCollector<'j> {
    json: &'j mut TokenJson,
    key: Option<Cow<'static, str>>,
}

impl MapCollector<'_> {
    fn entry<T: Serialize + ?Sized>(
        &mut self,
        key: Cow<'static, str>,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        let start = self.json.buf.len();
        value.serialize(ValueWriter {
            out: &mut self.json.buf,
        })?;
        let end = self.json.buf.len();
        self.json.entries.push((key, start..end));
        Ok(())
    }
}

impl ser::SerializeStruct for MapCollector<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        self.entry(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl ser::SerializeMap for MapCollector<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.key = Some(Cow::Owned(key.serialize(KeyCollector)?));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        let key = self.key.take().ok_or_else(unsupported)?;
        self.entry(key, value)
    }
    fn end(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A map key: a string (anything else takes the `Value` path).
struct KeyCollector;

impl Serializer for KeyCollector {
    type Ok = String;
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<String, serde_json::Error>;
    type SerializeTuple = Impossible<String, serde_json::Error>;
    type SerializeTupleStruct = Impossible<String, serde_json::Error>;
    type SerializeTupleVariant = Impossible<String, serde_json::Error>;
    type SerializeMap = Impossible<String, serde_json::Error>;
    type SerializeStruct = Impossible<String, serde_json::Error>;
    type SerializeStructVariant = Impossible<String, serde_json::Error>;

    fn serialize_str(self, v: &str) -> Result<String, Self::Error> {
        Ok(v.to_owned())
    }

    unsupported! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char),
        serialize_bytes(&[u8]), serialize_none(), serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, Self::Error> {
        Err(unsupported())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _value: &T,
    ) -> Result<String, Self::Error> {
        Err(unsupported())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, Self::Error> {
        Err(unsupported())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(unsupported())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(unsupported())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(unsupported())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(unsupported())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Err(unsupported())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Err(unsupported())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(unsupported())
    }
}

/// One claim's value, written as `to_value` then `to_vec` would write it: scalars through
/// `serde_json`'s `Value` serializer (no allocation but for strings, written directly),
/// arrays element by element, and objects (whose keys a `Value` sorts) through a `Value`.
struct ValueWriter<'o> {
    out: &'o mut Vec<u8>,
}

impl ValueWriter<'_> {
    fn write(self, value: Result<Value, serde_json::Error>) -> Result<(), serde_json::Error> {
        serde_json::to_writer(self.out, &value?)
    }
}

macro_rules! via_value {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<(), serde_json::Error> {
            self.write(ValueSerializer.$method($($arg),*))
        })*
    };
}

impl<'o> Serializer for ValueWriter<'o> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = SeqWriter<'o>;
    type SerializeTuple = SeqWriter<'o>;
    type SerializeTupleStruct = SeqWriter<'o>;
    type SerializeTupleVariant =
        ViaValue<'o, <ValueSerializer as Serializer>::SerializeTupleVariant>;
    type SerializeMap = ViaValue<'o, <ValueSerializer as Serializer>::SerializeMap>;
    type SerializeStruct = ViaValue<'o, <ValueSerializer as Serializer>::SerializeStruct>;
    type SerializeStructVariant =
        ViaValue<'o, <ValueSerializer as Serializer>::SerializeStructVariant>;

    via_value! {
        serialize_bool(v: bool), serialize_i8(v: i8), serialize_i16(v: i16),
        serialize_i32(v: i32), serialize_i64(v: i64), serialize_i128(v: i128),
        serialize_u8(v: u8), serialize_u16(v: u16), serialize_u32(v: u32),
        serialize_u64(v: u64), serialize_u128(v: u128), serialize_f32(v: f32),
        serialize_f64(v: f64), serialize_bytes(v: &[u8]), serialize_none(),
        serialize_unit(), serialize_unit_struct(name: &'static str),
    }

    fn serialize_char(self, v: char) -> Result<(), Self::Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Self::Error> {
        serde_json::to_writer(self.out, v)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Self::Error> {
        self.serialize_str(variant)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        self.write(ValueSerializer.serialize_newtype_variant(name, index, variant, value))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        self.out.push(b'[');
        Ok(SeqWriter {
            out: self.out,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Ok(ViaValue {
            out: self.out,
            inner: ValueSerializer.serialize_tuple_variant(name, index, variant, len)?,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Ok(ViaValue {
            out: self.out,
            inner: ValueSerializer.serialize_map(len)?,
        })
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Ok(ViaValue {
            out: self.out,
            inner: ValueSerializer.serialize_struct(name, len)?,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Ok(ViaValue {
            out: self.out,
            inner: ValueSerializer.serialize_struct_variant(name, index, variant, len)?,
        })
    }
}

/// An array, each element written by [`ValueWriter`] (a `Value` array keeps the order).
struct SeqWriter<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl SeqWriter<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), serde_json::Error> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(ValueWriter { out: self.out })
    }
    fn close(self) -> Result<(), serde_json::Error> {
        self.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeSeq for SeqWriter<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Self::Error> {
        self.close()
    }
}

impl ser::SerializeTuple for SeqWriter<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Self::Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for SeqWriter<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Self::Error> {
        self.close()
    }
}

/// An object (or an enum variant with content) built as a `Value`, then written.
struct ViaValue<'o, S> {
    out: &'o mut Vec<u8>,
    inner: S,
}

macro_rules! via_value_compound {
    ($trait:ident, $method:ident) => {
        impl<S> ser::$trait for ViaValue<'_, S>
        where
            S: ser::$trait<Ok = Value, Error = serde_json::Error>,
        {
            type Ok = ();
            type Error = serde_json::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
                self.inner.$method(value)
            }
            fn end(self) -> Result<(), Self::Error> {
                let ViaValue { out, inner } = self;
                serde_json::to_writer(out, &inner.end()?)
            }
        }
    };
}

via_value_compound!(SerializeTupleVariant, serialize_field);

impl<S> ser::SerializeMap for ViaValue<'_, S>
where
    S: ser::SerializeMap<Ok = Value, Error = serde_json::Error>,
{
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.inner.serialize_key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.inner.serialize_value(value)
    }
    fn end(self) -> Result<(), Self::Error> {
        let ViaValue { out, inner } = self;
        serde_json::to_writer(out, &inner.end()?)
    }
}

macro_rules! via_value_fields {
    ($trait:ident) => {
        impl<S> ser::$trait for ViaValue<'_, S>
        where
            S: ser::$trait<Ok = Value, Error = serde_json::Error>,
        {
            type Ok = ();
            type Error = serde_json::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Self::Error> {
                self.inner.serialize_field(key, value)
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), Self::Error> {
                self.inner.skip_field(key)
            }
            fn end(self) -> Result<(), Self::Error> {
                let ViaValue { out, inner } = self;
                serde_json::to_writer(out, &inner.end()?)
            }
        }
    };
}

via_value_fields!(SerializeStruct);
via_value_fields!(SerializeStructVariant);
