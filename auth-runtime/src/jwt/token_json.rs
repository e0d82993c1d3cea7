//! A token serialised once: `serde_json::to_vec`, then its top-level claims read as raw
//! JSON slices of that buffer (sorted by name, the last of equal names kept, as a `Map`
//! keeps them). The registered claims are spliced in at their sorted place when the
//! payload is written.
//!
//! Nested values stay as the token type writes them (a struct's fields in their order,
//! an `f32` as its own shortest text): the same JSON for every reader as the `Value`
//! path's `to_value` + `to_vec`, whose bytes differ there (nested keys sorted, an `f32`
//! widened to `f64`). The top-level keys are sorted, so a flat token's payload is the same
//! bytes.

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;

use super::raw::{Written, sort_last_wins};

/// The top-level claims of a serialised token: names and values as slices of its JSON.
#[derive(Debug)]
pub(crate) struct TokenJson {
    /// `serde_json::to_string` of the token: a JSON object.
    buf: String,
    /// Sorted by name, names unique.
    entries: Vec<(Name, Range<usize>)>,
}

/// A claim name: where it is in the buffer, or its text when it was written with escapes.
#[derive(Debug)]
enum Name {
    At(Range<usize>),
    Unescaped(String),
}

impl TokenJson {
    /// Serialises `token`: `Ok(None)` when it is not a JSON object, the serialiser's error
    /// when it fails.
    pub(crate) fn of<T: Serialize + ?Sized>(token: &T) -> Result<Option<Self>, serde_json::Error> {
        let buf = serde_json::to_string(token)?;
        // `to_string` writes no whitespace: an object starts with its brace.
        if !buf.starts_with('{') {
            return Ok(None);
        }
        let Written(mut written) = serde_json::from_str::<Written<'_>>(&buf)?;
        sort_last_wins(&mut written);
        let at = |part: &str| {
            let start = part.as_ptr() as usize - buf.as_ptr() as usize;
            start..start + part.len()
        };
        let entries = written
            .into_iter()
            .map(|(name, value)| {
                let name = match name.0 {
                    Cow::Borrowed(name) => Name::At(at(name)),
                    Cow::Owned(name) => Name::Unescaped(name),
                };
                (name, at(value.get()))
            })
            .collect();
        Ok(Some(TokenJson { buf, entries }))
    }

    fn name<'s>(&'s self, name: &'s Name) -> &'s str {
        match name {
            Name::At(range) => self.buf.get(range.clone()).unwrap_or_default(),
            Name::Unescaped(name) => name,
        }
    }

    /// The JSON of a claim.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let at = self
            .entries
            .binary_search_by(|(k, _)| self.name(k).cmp(name))
            .ok()?;
        self.buf.get(self.entries[at].1.clone())
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
    /// the same name, the names sorted.
    pub(crate) fn payload(&self, spliced: &[(&str, &[u8])]) -> Vec<u8> {
        let mut spliced = spliced.to_vec();
        spliced.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = Vec::with_capacity(self.buf.len() + 24 * spliced.len() + 64);
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
            let name = self.name(name);
            while let Some((s, json)) = pending.next_if(|(s, _)| *s < name) {
                write(s, json);
            }
            if let Some((s, json)) = pending.next_if(|(s, _)| *s == name) {
                write(s, json);
                continue;
            }
            let json = self.buf.get(range.clone()).unwrap_or_default();
            write(name, json.as_bytes());
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
