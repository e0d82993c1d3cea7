//! A token serialised once by `serde_json` (its own compact formatter's output, the
//! top-level names and values marked as they are written), its top-level claims then
//! taken as JSON slices of that buffer (sorted by name, the last of equal names kept, as
//! a `Map` keeps them). The registered claims are spliced in at their sorted place when the
//! payload is written.
//!
//! Nested values stay as the token type writes them (a struct's fields in their order,
//! an `f32` as its own shortest text): the same JSON for every reader as the `Value`
//! path's `to_value` + `to_vec`, whose bytes differ there (nested keys sorted, an `f32`
//! widened to `f64`). The top-level keys are sorted, so a flat token's payload is the same
//! bytes.

use std::borrow::Cow;
use std::cell::Cell;
use std::io;
use std::ops::Range;

use serde::Serialize;
use serde::ser;
use serde_json::ser::Formatter;

use super::raw::{plain_string, sort_last_wins};

/// The top-level claims of a serialised token: names and values as slices of its JSON.
#[derive(Debug)]
pub(crate) struct TokenJson {
    /// The token as `serde_json::to_string` writes it: a JSON object.
    buf: String,
    /// Each claim's name (its JSON string without the quotes) and value, sorted by name,
    /// names unique.
    entries: Vec<(Range<usize>, Range<usize>)>,
    /// Whether a name has an escape (is not the text between its quotes).
    escaped: bool,
}

impl TokenJson {
    /// Serialises `token`: `Ok(None)` when it is not a JSON object, the serialiser's error
    /// when it fails.
    pub(crate) fn of<T: Serialize + ?Sized>(token: &T) -> Result<Option<Self>, serde_json::Error> {
        // A session token fits without growing.
        let mut buf = Vec::with_capacity(256);
        let len = Cell::new(0);
        let mut marks = Marks {
            len: &len,
            depth: 0,
            key: 0..0,
            value: 0,
            entries: Vec::with_capacity(16),
        };
        token.serialize(&mut serde_json::Serializer::with_formatter(
            Shared {
                out: &mut buf,
                len: &len,
            },
            &mut marks,
        ))?;
        // serde_json writes UTF-8 and no whitespace: an object starts with its brace.
        let buf = String::from_utf8(buf).map_err(ser::Error::custom)?;
        if !buf.starts_with('{') {
            return Ok(None);
        }
        let mut json = TokenJson {
            escaped: buf.contains('\\')
                && marks
                    .entries
                    .iter()
                    .any(|(name, _)| buf.get(name.clone()).is_none_or(|n| n.contains('\\'))),
            buf,
            entries: marks.entries,
        };
        let mut entries = std::mem::take(&mut json.entries);
        if json.escaped {
            sort_last_wins(&mut entries, |a, b| json.name(&a.0).cmp(&json.name(&b.0)));
        } else {
            // Each name is its text (compared as bytes, in the order of `str`).
            let text = |range: &Range<usize>| json.buf.as_bytes().get(range.clone());
            sort_last_wins(&mut entries, |a, b| text(&a.0).cmp(&text(&b.0)));
        }
        json.entries = entries;
        Ok(Some(json))
    }

    /// The name at `range`.
    #[inline]
    fn name(&self, range: &Range<usize>) -> Cow<'_, str> {
        let text = self.buf.get(range.clone()).unwrap_or_default();
        if !self.escaped || !text.contains('\\') {
            return Cow::Borrowed(text);
        }
        // The JSON string serde_json wrote, decoded.
        self.buf
            .get(range.start.saturating_sub(1)..range.end + 1)
            .and_then(|json| serde_json::from_str(json).ok())
            .map_or(Cow::Borrowed(text), Cow::Owned)
    }

    /// The token's JSON as serde_json wrote it (what a change check compares).
    pub(crate) fn json(&self) -> &str {
        &self.buf
    }

    /// The JSON of a claim.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let at = if self.escaped {
            self.entries
                .binary_search_by(|(k, _)| self.name(k).as_ref().cmp(name))
        } else {
            self.entries.binary_search_by(|(k, _)| {
                let text = self.buf.as_bytes().get(k.clone()).unwrap_or_default();
                text.cmp(name.as_bytes())
            })
        }
        .ok()?;
        self.buf.get(self.entries[at].1.clone())
    }

    /// A claim that is a string (`Value::as_str`).
    pub(crate) fn str(&self, name: &str) -> Option<String> {
        let json = self.get(name)?;
        match plain_string(json) {
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

    /// The payload: these claims with `spliced` (name, JSON; names that need no escape)
    /// put in, replacing a claim of the same name, the names sorted.
    pub(crate) fn payload(&self, spliced: &[(&str, &[u8])]) -> Vec<u8> {
        let mut spliced = spliced.to_vec();
        spliced.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = Vec::with_capacity(self.buf.len() + 24 * spliced.len() + 64);
        out.push(b'{');
        let mut first = true;
        // `name` as it is in a JSON string: a spliced claim's is, a claim's is as
        // serde_json wrote it.
        let mut write = |name: &str, json: &[u8]| {
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            out.extend_from_slice(json);
        };
        // Both sorted: merged in order, a spliced claim in place of one of the same name.
        let mut pending = spliced.iter().copied().peekable();
        for (range, value) in &self.entries {
            let name = self.name(range);
            while let Some((s, json)) = pending.next_if(|(s, _)| *s < name.as_ref()) {
                write(s, json);
            }
            if let Some((s, json)) = pending.next_if(|(s, _)| *s == name.as_ref()) {
                write(s, json);
                continue;
            }
            let text = self.buf.get(range.clone()).unwrap_or_default();
            let json = self.buf.get(value.clone()).unwrap_or_default();
            write(text, json.as_bytes());
        }
        for (s, json) in pending {
            write(s, json);
        }
        out.push(b'}');
        out
    }
}

/// The serialiser's output; its length shared with [`Marks`].
struct Shared<'b> {
    out: &'b mut Vec<u8>,
    len: &'b Cell<usize>,
}

impl io::Write for Shared<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        // Most writes are one byte of punctuation.
        match bytes {
            [byte] => self.out.push(*byte),
            _ => self.out.extend_from_slice(bytes),
        }
        self.len.set(self.out.len());
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// serde_json's compact formatter (its default methods), marking where each top-level
/// name (the text between its quotes) and value start and end.
struct Marks<'b> {
    /// The output's length.
    len: &'b Cell<usize>,
    /// Objects and arrays open.
    depth: usize,
    key: Range<usize>,
    value: usize,
    entries: Vec<(Range<usize>, Range<usize>)>,
}

impl Marks<'_> {
    fn at(&self) -> usize {
        self.len.get()
    }
}

impl Formatter for &mut Marks<'_> {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        writer.write_all(b"]")
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        if self.depth == 1 {
            // After the opening quote.
            self.key.start = self.at() + 1;
        }
        Ok(())
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        if self.depth == 1 {
            // Before the closing quote.
            self.key.end = self.at().saturating_sub(1);
        }
        Ok(())
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b":")?;
        if self.depth == 1 {
            self.value = self.at();
        }
        Ok(())
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        if self.depth == 1 {
            let end = self.at();
            self.entries.push((self.key.clone(), self.value..end));
        }
        Ok(())
    }
}
