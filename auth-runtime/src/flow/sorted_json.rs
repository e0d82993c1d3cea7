//! JSON with every object's keys in order: the bytes of
//! `serde_json::to_vec(&serde_json::to_value(v)?)` (a `Value` keeps its objects in a
//! `BTreeMap`), written without building the `Value`. The session endpoint answers the
//! session this way on every read.
//!
//! Objects (structs, maps, variants) are written through here; every other value is the
//! `Value` serializer's own (numbers, strings, bytes: written as it writes them), so the
//! rules stay serde_json's: a map key is whatever its key serializer makes of it, a value
//! it refuses (a `u128` over `u64::MAX`) refuses the whole document.

use std::borrow::Cow;
use std::ops::Range;

use serde::ser::{self, Serialize};
use serde_json::{Error, Value};

/// `serde_json::to_vec(&serde_json::to_value(value)?)`, byte for byte.
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256);
    value.serialize(Writer { out: &mut out })?;
    Ok(out)
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    /// A value as the `Value` serializer makes it, then written.
    fn value(self, value: Result<Value, Error>) -> Result<(), Error> {
        serde_json::to_writer(self.out, &value?)
    }

    /// `"text"`, escaped as serde_json escapes.
    fn string(self, text: &str) -> Result<(), Error> {
        serde_json::to_writer(self.out, text)
    }

    /// `{"variant":` before a variant's content.
    fn open_variant(&mut self, variant: &str) -> Result<(), Error> {
        self.out.push(b'{');
        serde_json::to_writer(&mut *self.out, variant)?;
        self.out.push(b':');
        Ok(())
    }
}

/// The `Value` serializer, for the values written as it writes them.
fn as_value() -> serde_json::value::Serializer {
    serde_json::value::Serializer
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_bool(as_value(), v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_i8(as_value(), v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_i16(as_value(), v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_i32(as_value(), v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_i64(as_value(), v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_i128(as_value(), v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_u8(as_value(), v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_u16(as_value(), v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_u32(as_value(), v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_u64(as_value(), v))
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_u128(as_value(), v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_f32(as_value(), v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_f64(as_value(), v))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_char(as_value(), v))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.value(ser::Serializer::serialize_bytes(as_value(), v))
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open_variant(variant)?;
        value.serialize(Writer {
            out: &mut *self.out,
        })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'a>, Error> {
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            first: true,
            close: b"]",
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Seq<'a>, Error> {
        self.open_variant(variant)?;
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            first: true,
            close: b"]}",
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>, Error> {
        Ok(Object::new(self.out, b"}"))
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Object<'a>, Error> {
        if name == RAW_VALUE_TOKEN {
            // serde_json's `RawValue` (its `raw_value` feature): the `Value` serializer
            // parses the raw JSON into a `Value`, which is then written in key order.
            let mut object = Object::new(self.out, b"");
            object.raw = true;
            return Ok(object);
        }
        Ok(Object::new(self.out, b"}"))
    }
    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Object<'a>, Error> {
        self.open_variant(variant)?;
        Ok(Object::new(self.out, b"}}"))
    }
}

/// An array (or a tuple variant's array): elements written in order.
struct Seq<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    close: &'static [u8],
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Writer {
            out: &mut *self.out,
        })
    }

    fn close(self) -> Result<(), Error> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// An object: each value written aside, then all of them in key order (a repeated key
/// keeps its last value, as a `BTreeMap` insert does).
struct Object<'a> {
    out: &'a mut Vec<u8>,
    values: Vec<u8>,
    entries: Vec<(Cow<'static, str>, Range<usize>)>,
    /// A map's key, until its value comes.
    key: Option<String>,
    close: &'static [u8],
    /// A `RawValue`: its one field is the raw JSON.
    raw: bool,
}

/// The struct name serde_json gives a `RawValue` (`serde_json::raw::TOKEN`).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>, close: &'static [u8]) -> Self {
        Object {
            out,
            values: Vec::with_capacity(256),
            entries: Vec::with_capacity(8),
            key: None,
            close,
            raw: false,
        }
    }

    fn entry<T: Serialize + ?Sized>(
        &mut self,
        key: Cow<'static, str>,
        value: &T,
    ) -> Result<(), Error> {
        let start = self.values.len();
        value.serialize(Writer {
            out: &mut self.values,
        })?;
        self.entries.push((key, start..self.values.len()));
        Ok(())
    }

    /// The raw JSON of a `RawValue`, as the `Value` serializer reads it.
    fn raw<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let Value::String(raw) = serde_json::to_value(value)? else {
            return Err(ser::Error::custom("a RawValue's content is not a string"));
        };
        let value: Value = serde_json::from_str(&raw)?;
        serde_json::to_writer(&mut *self.out, &value)
    }

    fn close(mut self) -> Result<(), Error> {
        if self.raw {
            return Ok(());
        }
        // Stable: of equal keys the last written is last, and the one kept.
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.out.push(b'{');
        let mut first = true;
        for (i, (key, range)) in self.entries.iter().enumerate() {
            if self.entries.get(i + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut *self.out, key.as_ref())?;
            self.out.push(b':');
            self.out
                .extend_from_slice(self.values.get(range.clone()).unwrap_or_default());
        }
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// A map key as serde_json's `Value` serializer makes it (a string, a number as text, ..),
/// or its refusal.
fn map_key<T: Serialize + ?Sized>(key: &T) -> Result<String, Error> {
    // A key the `Value` serializer makes a string of (a `str`, a `char`, a unit variant)
    // is that string to its key serializer too; the rest go through a one-entry map.
    if let Ok(Value::String(key)) = key.serialize(as_value()) {
        return Ok(key);
    }
    let mut map = ser::Serializer::serialize_map(as_value(), Some(1))?;
    ser::SerializeMap::serialize_entry(&mut map, key, &())?;
    match ser::SerializeMap::end(map)? {
        Value::Object(map) => map
            .into_iter()
            .next()
            .map(|(key, _)| key)
            .ok_or_else(|| ser::Error::custom("a map key serialised to nothing")),
        _ => Err(ser::Error::custom("a map serialised to something else")),
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(map_key(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ser::Error::custom("serialize_value called before serialize_key"))?;
        self.entry(Cow::Owned(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if self.raw {
            return self.raw(value);
        }
        self.entry(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.entry(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

#[cfg(test)]
mod tests;
