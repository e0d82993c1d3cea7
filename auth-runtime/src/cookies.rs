//! Auth.js cookies: names, attributes, parsing and chunking.
//!
//! Names and attributes follow `@auth/core`'s `defaultCookies`: `authjs.session-token`,
//! `authjs.csrf-token`, `authjs.callback-url`, `authjs.pkce.code_verifier`, `authjs.state`,
//! `authjs.nonce`; on https every name gets `__Secure-`, except the CSRF cookie, which is
//! `__Host-authjs.csrf-token`. Every cookie is `Path=/; HttpOnly; SameSite=Lax` and `Secure`
//! on https. Values are URL-encoded the way `encodeURIComponent` does.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// A value longer than this is written as chunks `<name>.0`, `<name>.1`, ... (Auth.js:
/// 4096 bytes allowed minus an estimated 160 bytes of name and attributes).
pub const CHUNK_SIZE: usize = 4096 - 160;

/// The most `Cookie` header bytes a request may carry before its cookies are ignored
/// (the request is then treated as signed out).
pub const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

/// The most chunks a session cookie may have before it is treated as invalid (and cleared).
pub const MAX_SESSION_CHUNKS: usize = 16;

/// `9999-12-31T23:59:59Z`, the last date an HTTP date can carry, in seconds since the epoch.
const LAST_HTTP_DATE: u64 = 253_402_300_799;

/// Lifetime of the OAuth check cookies (state, PKCE verifier, nonce): 15 minutes.
#[cfg_attr(not(feature = "oauth"), allow(dead_code))]
pub const CHECK_COOKIE_MAX_AGE: u64 = 15 * 60;

/// How long the credentials error message cookie lives (seconds): the redirect to the
/// sign-in page follows at once.
pub const CREDENTIALS_ERROR_MAX_AGE: u64 = 5 * 60;
/// How long a sign-in waits for its second factor (the pending cookie's lifetime): 5 minutes.
#[cfg(feature = "totp")]
pub const SECOND_FACTOR_MAX_AGE: u64 = 5 * 60;
/// How long a TOTP enrolment waits for its first code: 10 minutes.
#[cfg(feature = "totp")]
pub const TOTP_ENROLMENT_MAX_AGE: u64 = 10 * 60;

/// Characters `encodeURIComponent` leaves alone: `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// URL-encodes a cookie value as `encodeURIComponent` does, borrowing `value` when nothing
/// needs escaping (a token's base64url).
fn encoded_value(value: &str) -> std::borrow::Cow<'_, str> {
    // The same set as `URI_COMPONENT`, checked 32 bytes at a time without a branch per
    // byte (vector instructions) rather than with the encoder's per-byte set lookup: a
    // session token is hundreds of such bytes, on every read.
    let mut chunks = value.as_bytes().chunks_exact(32);
    let all = chunks.all(|chunk| chunk.iter().fold(true, |ok, &b| ok & unescaped(b)))
        && chunks.remainder().iter().all(|&b| unescaped(b));
    if all {
        return std::borrow::Cow::Borrowed(value);
    }
    std::borrow::Cow::from(utf8_percent_encode(value, URI_COMPONENT))
}

/// Whether `encodeURIComponent` leaves `b` as it is: ASCII letters, digits and
/// `-_.!~*'()` (the complement of `URI_COMPONENT`).
#[inline(always)]
const fn unescaped(b: u8) -> bool {
    // `| 0x20` folds `A-Z` onto `a-z` and nothing else onto them.
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    let mark = matches!(
        b,
        b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
    );
    letter | digit | mark
}

/// URL-decodes a cookie value; a malformed escape keeps the raw value (as Auth.js's parser).
pub fn decode_value(value: &str) -> String {
    if !value.contains('%') {
        return value.to_owned();
    }
    match percent_decode_str(value).decode_utf8() {
        Ok(v) => v.into_owned(),
        Err(_) => value.to_owned(),
    }
}

/// The cookie names of one scheme (http or https).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieNames {
    /// `[__Secure-]authjs.session-token`.
    pub session_token: String,
    /// `[__Host-]authjs.csrf-token`.
    pub csrf_token: String,
    /// `[__Secure-]authjs.callback-url`.
    pub callback_url: String,
    /// `[__Secure-]authjs.pkce.code_verifier`.
    pub pkce_code_verifier: String,
    /// `[__Secure-]authjs.state`.
    pub state: String,
    /// `[__Secure-]authjs.nonce`.
    pub nonce: String,
    /// `[__Secure-]authjs.credentials-error`: the message of a refused credentials sign-in,
    /// encrypted, for the built-in sign-in page (not an Auth.js cookie).
    pub credentials_error: String,
    /// `[__Secure-]authjs.challenge`: a passkey ceremony's challenge, encrypted, for the
    /// callback (Auth.js's `webauthnChallenge`).
    pub webauthn_challenge: String,
    /// `[__Secure-]authjs.second-factor`: a sign-in waiting for its second factor (the
    /// user `authorize` accepted), encrypted and short-lived; no session exists before it
    /// is verified (not an Auth.js cookie).
    pub second_factor: String,
    /// `[__Secure-]authjs.totp-enrolment`: the secret of a TOTP enrolment not yet
    /// confirmed with a first code, sealed (not an Auth.js cookie).
    pub totp_enrolment: String,
    /// Whether the cookies carry `Secure` (https).
    pub secure: bool,
}

impl CookieNames {
    /// The names Auth.js uses; `secure` on https.
    pub fn new(secure: bool) -> Self {
        let prefix = if secure { "__Secure-" } else { "" };
        CookieNames {
            session_token: format!("{prefix}authjs.session-token"),
            csrf_token: format!("{}authjs.csrf-token", if secure { "__Host-" } else { "" }),
            callback_url: format!("{prefix}authjs.callback-url"),
            pkce_code_verifier: format!("{prefix}authjs.pkce.code_verifier"),
            state: format!("{prefix}authjs.state"),
            nonce: format!("{prefix}authjs.nonce"),
            credentials_error: format!("{prefix}authjs.credentials-error"),
            webauthn_challenge: format!("{prefix}authjs.challenge"),
            second_factor: format!("{prefix}authjs.second-factor"),
            totp_enrolment: format!("{prefix}authjs.totp-enrolment"),
            secure,
        }
    }
}

/// A cookie to set (or clear) in a response.
#[derive(Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// Cookie name.
    pub name: String,
    /// The raw value (URL-encoded when serialised).
    pub value: String,
    /// `Max-Age` in seconds (`Some(0)` clears the cookie).
    pub max_age: Option<u64>,
    /// `Expires`.
    pub expires: Option<SystemTime>,
    /// `Secure`.
    pub secure: bool,
    /// `SameSite=None; Secure` instead of `SameSite=Lax`: sent with a cross-site POST (the
    /// check cookies of a `form_post` provider, whose callback the provider's page POSTs).
    pub cross_site: bool,
}

/// The value (a session token, a CSRF token) is a secret: only its length is shown.
impl std::fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetCookie")
            .field("name", &self.name)
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .field("max_age", &self.max_age)
            .field("expires", &self.expires)
            .field("secure", &self.secure)
            .field("cross_site", &self.cross_site)
            .finish()
    }
}

impl SetCookie {
    /// A cookie with no expiry (a browser-session cookie).
    pub fn new(name: &str, value: impl Into<String>, secure: bool) -> Self {
        SetCookie {
            name: name.to_owned(),
            value: value.into(),
            max_age: None,
            expires: None,
            secure,
            cross_site: false,
        }
    }

    /// Makes it `SameSite=None; Secure` (browsers take `Secure` cookies from
    /// `http://localhost` too).
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    pub fn cross_site(mut self) -> Self {
        self.cross_site = true;
        self
    }

    /// A cookie that clears `name` (`Max-Age=0`, empty value).
    pub fn clear(name: &str, secure: bool) -> Self {
        SetCookie {
            max_age: Some(0),
            ..SetCookie::new(name, "", secure)
        }
    }

    /// Sets `Expires`.
    pub fn expires(mut self, at: SystemTime) -> Self {
        self.expires = Some(at);
        self
    }

    /// Sets `Max-Age` (seconds).
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Serialises as `@auth/core`'s vendored `cookie.serialize`:
    /// `name=value; Max-Age=N; Path=/; Expires=...; HttpOnly; Secure; SameSite=Lax`.
    pub fn to_header_string(&self) -> String {
        let value = encoded_value(&self.value);
        let mut out = String::with_capacity(self.name.len() + value.len() + 96);
        out.push_str(&self.name);
        out.push('=');
        out.push_str(&value);
        if let Some(max_age) = self.max_age {
            out.push_str("; Max-Age=");
            out.push_str(&max_age.to_string());
        }
        out.push_str("; Path=/");
        if let Some(expires) = self.expires {
            out.push_str("; Expires=");
            // HTTP dates end with year 9999 (and `httpdate` panics past it): a later
            // expiry, from a very large `max_age`, is sent as the last one.
            let last = UNIX_EPOCH + Duration::from_secs(LAST_HTTP_DATE);
            push_http_date(&mut out, expires.min(last));
        }
        out.push_str("; HttpOnly");
        if self.secure || self.cross_site {
            out.push_str("; Secure");
        }
        out.push_str(if self.cross_site {
            "; SameSite=None"
        } else {
            "; SameSite=Lax"
        });
        out
    }

    /// The `Set-Cookie` header value. Names are ours and values are URL-encoded, so this
    /// cannot contain a byte a header may not carry; `None` would mean a bug, never a panic.
    pub fn to_header_value(&self) -> Option<HeaderValue> {
        // The string's buffer becomes the value's (checked, not copied).
        HeaderValue::from_maybe_shared(bytes::Bytes::from(self.to_header_string())).ok()
    }
}

/// Appends `at` as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`). The text changes once
/// a second and every refreshed session cookie of that second carries the same one: each
/// thread keeps its last.
fn push_http_date(out: &mut String, at: SystemTime) {
    let Ok(since) = at.duration_since(UNIX_EPOCH) else {
        out.push_str(&httpdate::fmt_http_date(at));
        return;
    };
    let secs = since.as_secs();
    LAST_HTTP_DATE_TEXT.with_borrow_mut(|(last, text)| {
        if *last != Some(secs) {
            *text = httpdate::fmt_http_date(at);
            *last = Some(secs);
        }
        out.push_str(text);
    });
}

thread_local! {
    /// The second [`push_http_date`] last wrote on this thread, and its text.
    static LAST_HTTP_DATE_TEXT: std::cell::RefCell<(Option<u64>, String)> =
        const { std::cell::RefCell::new((None, String::new())) };
}

/// The cookies of a request, first occurrence of a name wins (as Auth.js's parser).
#[derive(Clone, Default)]
pub struct RequestCookies {
    map: BTreeMap<String, String>,
    /// `true` when the `Cookie` headers were too large and ignored.
    pub oversized: bool,
    /// The names (only) of an oversized request's cookies, so that its session chunks
    /// can still be cleared.
    oversized_names: BTreeSet<String>,
}

/// Cookie values are secrets: only the names are shown.
impl std::fmt::Debug for RequestCookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestCookies")
            .field("names", &self.map.keys().collect::<Vec<_>>())
            .field("oversized", &self.oversized)
            .field("oversized_names", &self.oversized_names.len())
            .finish()
    }
}

impl RequestCookies {
    /// Parses every `Cookie` header of a request (HTTP/2 may send several). Headers
    /// over [`MAX_COOKIE_HEADER_BYTES`] in total are ignored as a whole: no value is
    /// read, only the names are kept, so [`chunk_names`](Self::chunk_names) still finds the
    /// chunks to clear.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let total: usize = headers.get_all(COOKIE).iter().map(|v| v.len() + 2).sum();
        let oversized = total > MAX_COOKIE_HEADER_BYTES;
        if oversized {
            tracing::warn!(
                bytes = total,
                limit = MAX_COOKIE_HEADER_BYTES,
                "cookie headers too large; ignoring every cookie of the request"
            );
        }
        let mut map = BTreeMap::new();
        let mut oversized_names = BTreeSet::new();
        for header in headers.get_all(COOKIE) {
            // Cookie values are ASCII; a header with other bytes is read lossily (garbage
            // then fails to decode like any other garbage).
            let text = match std::str::from_utf8(header.as_bytes()) {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(header.as_bytes()),
            };
            for pair in text.split(';') {
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                let name = name.trim_matches([' ', '\t']);
                if name.is_empty() {
                    continue;
                }
                if oversized {
                    oversized_names.insert(name.to_owned());
                    continue;
                }
                let value = value.trim_matches([' ', '\t']);
                map.entry(name.to_owned())
                    .or_insert_with(|| decode_value(value));
            }
        }
        RequestCookies {
            map,
            oversized,
            oversized_names,
        }
    }

    /// The value of one cookie.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Every cookie name that belongs to the (possibly chunked) cookie `name`:
    /// `name` itself and `name.<n>`.
    pub fn chunk_names(&self, name: &str) -> Vec<String> {
        self.map
            .keys()
            .chain(&self.oversized_names)
            .filter(|k| chunk_index(k, name).is_some())
            .cloned()
            .collect()
    }

    /// Reads a chunked cookie: `name` alone, or `name.0`, `name.1`, ... joined in numeric
    /// order. Empty values are ignored (a cleared cookie).
    pub fn read_chunked(&self, name: &str) -> ChunkedValue {
        let mut whole: Option<&str> = None;
        let mut chunks: Vec<(u32, &str)> = Vec::new();
        for (key, value) in &self.map {
            if value.is_empty() {
                continue;
            }
            match chunk_index(key, name) {
                Some(None) => whole = Some(value),
                Some(Some(n)) => chunks.push((n, value)),
                None => {}
            }
        }
        if whole.is_none() && chunks.is_empty() {
            return ChunkedValue::Absent;
        }
        if whole.is_some() && !chunks.is_empty() {
            return ChunkedValue::Invalid("both a whole cookie and chunks are present");
        }
        if let Some(v) = whole {
            return ChunkedValue::Present(v.to_owned());
        }
        if chunks.len() > MAX_SESSION_CHUNKS {
            return ChunkedValue::Invalid("too many chunks");
        }
        chunks.sort_by_key(|(n, _)| *n);
        if chunks
            .iter()
            .enumerate()
            .any(|(i, (n, _))| usize::try_from(*n).ok() != Some(i))
        {
            return ChunkedValue::Invalid("chunks are not numbered 0..n");
        }
        ChunkedValue::Present(chunks.iter().map(|(_, v)| *v).collect())
    }
}

/// `Some(None)` for `name`, `Some(Some(n))` for `name.<n>`, `None` for anything else.
fn chunk_index(key: &str, name: &str) -> Option<Option<u32>> {
    let rest = key.strip_prefix(name)?;
    if rest.is_empty() {
        return Some(None);
    }
    let digits = rest.strip_prefix('.')?;
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(Some)
}

/// The outcome of reading a chunked cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkedValue {
    /// No such cookie.
    Absent,
    /// The joined value.
    Present(String),
    /// Chunks that cannot form a value (the reason is safe to log).
    Invalid(&'static str),
}

/// Writes `value` as the cookie `name`, chunked over [`CHUNK_SIZE`] characters, expiring
/// every chunk of the request that the new value does not overwrite.
pub fn write_chunked(
    request: &RequestCookies,
    name: &str,
    value: &str,
    expires: SystemTime,
    secure: bool,
) -> Vec<SetCookie> {
    let mut out = Vec::new();
    let pieces: Vec<(String, &str)> = if value.len() <= CHUNK_SIZE {
        vec![(name.to_owned(), value)]
    } else {
        // JWE compact tokens are ASCII; split on char boundaries anyway.
        let mut pieces = Vec::new();
        let mut rest = value;
        let mut i = 0usize;
        while !rest.is_empty() {
            let mut cut = rest.len().min(CHUNK_SIZE);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let (head, tail) = rest.split_at(cut);
            pieces.push((format!("{name}.{i}"), head));
            rest = tail;
            i += 1;
        }
        tracing::debug!(
            cookie = name,
            chunks = pieces.len(),
            bytes = value.len(),
            "session cookie chunked"
        );
        pieces
    };
    for stale in request.chunk_names(name) {
        if !pieces.iter().any(|(n, _)| *n == stale) {
            out.push(SetCookie::clear(&stale, secure));
        }
    }
    for (n, v) in pieces {
        out.push(SetCookie::new(&n, v, secure).expires(expires));
    }
    out
}

/// Clears every chunk of `name` the request carries.
pub fn clear_chunked(request: &RequestCookies, name: &str, secure: bool) -> Vec<SetCookie> {
    request
        .chunk_names(name)
        .into_iter()
        .map(|n| SetCookie::clear(&n, secure))
        .collect()
}

/// `now + seconds`, saturating.
pub fn expires_in(now: SystemTime, seconds: u64) -> SystemTime {
    now.checked_add(Duration::from_secs(seconds)).unwrap_or(now)
}

#[cfg(test)]
mod tests;

/// Generated cases (`proptest`, a fixed number each, listed in the README).
#[cfg(test)]
mod properties;
