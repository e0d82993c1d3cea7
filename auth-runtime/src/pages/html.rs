//! HTML escaping for text and double-quoted attribute values.

use std::fmt;

/// Displays a string with `&`, `<`, `>`, `"` and `'` escaped (safe in text and in
/// double- or single-quoted attribute values).
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

/// Escapes a string for HTML text or a quoted attribute value.
pub(crate) fn escape(s: &str) -> String {
    Escaped(s).to_string()
}
