//! The cookie jar of every simulated browser: keeps cookies by name from `Set-Cookie`,
//! drops the ones a response expires, and renders the `Cookie` request header.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

/// Cookies by name. Derefs to the map, so a test reads, plants or removes a cookie
/// directly (`jar["authjs.session-token"]`, `jar.insert(..)`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CookieJar(pub BTreeMap<String, String>);

impl CookieJar {
    /// An empty jar.
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    /// Applies one `Set-Cookie` value as a browser does: stores the cookie, or removes it
    /// when the value is empty or the attributes expire it (`Max-Age=0`, or `Expires` in
    /// 1970). A value without `name=` is ignored.
    pub fn apply(&mut self, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
            return;
        };
        let name = name.trim();
        let expired = parts.any(|attr| {
            let (key, val) = attr.split_once('=').unwrap_or((attr, ""));
            let (key, val) = (key.trim(), val.trim());
            (key.eq_ignore_ascii_case("max-age") && val.parse::<i64>().is_ok_and(|s| s <= 0))
                || (key.eq_ignore_ascii_case("expires") && val.contains("1970"))
        });
        if expired || value.is_empty() {
            self.0.remove(name);
        } else {
            self.0.insert(name.to_owned(), value.to_owned());
        }
    }

    /// Applies every `Set-Cookie` header of a response (`http` or `reqwest`, which share
    /// the header map).
    pub fn store(&mut self, headers: &http::HeaderMap) {
        for value in headers.get_all(http::header::SET_COOKIE) {
            self.apply(value.to_str().expect("ascii Set-Cookie"));
        }
    }

    /// Applies every `Set-Cookie` of `response`.
    pub fn update<B>(&mut self, response: &http::Response<B>) {
        self.store(response.headers());
    }

    /// The `Cookie` request header: `name=value` pairs joined by `; ` (empty for an empty jar).
    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether a session cookie (or a chunk of one) is in the jar.
    pub fn has_session(&self) -> bool {
        self.0.keys().any(|k| k.starts_with("authjs.session-token"))
    }
}

impl Deref for CookieJar {
    type Target = BTreeMap<String, String>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for CookieJar {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}
