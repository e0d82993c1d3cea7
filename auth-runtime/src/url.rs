//! The site's origin (from `AUTH_URL`/the config, or the request's host when trusted),
//! and the default `redirect` callback's rule.

use std::sync::Arc;

use http::HeaderValue;
use http::header::HOST;
use http::{HeaderMap, HeaderName};

/// An origin: `scheme://host[:port]`, no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Shared: every request's context holds a clone.
    serialized: Arc<str>,
    https: bool,
}

impl Origin {
    /// Parses an absolute http(s) URL and keeps its origin (the path is dropped).
    pub fn parse(url: &str) -> Result<Self, String> {
        let parsed =
            url::Url::parse(url).map_err(|e| format!("`{url}` is not an absolute URL: {e}"))?;
        let https = match parsed.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(format!("`{url}` has scheme `{other}`; use http or https")),
        };
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{url}` has no host"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(format!("`{url}` must not contain user information"));
        }
        Ok(Origin {
            serialized: parsed.origin().ascii_serialization().into(),
            https,
        })
    }

    /// `https://app.example.com`.
    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    /// Whether the scheme is https (decides the cookie prefixes).
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// `app.example.com:8443`: the host and the port when one is written (a URL's
    /// `host`, as Auth.js's e-mail names the site).
    #[cfg_attr(
        not(any(feature = "email", feature = "passkey")),
        allow(dead_code, reason = "read by the e-mail and passkey flows")
    )]
    pub fn authority(&self) -> &str {
        authority_of(&self.serialized)
    }

    /// `app.example.com`: the host alone (an IPv6 address keeps its brackets).
    #[cfg_attr(
        not(feature = "passkey"),
        allow(dead_code, reason = "read by the passkey flow")
    )]
    pub fn host(&self) -> &str {
        let authority = self.authority();
        match authority.rfind(':') {
            Some(at) if !authority[at..].contains(']') => &authority[..at],
            _ => authority,
        }
    }
}

/// The `host[:port]` of a `scheme://host[:port][/]` URL (the whole text when it has no
/// scheme).
pub(crate) fn authority_of(url: &str) -> &str {
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .trim_end_matches('/')
}

/// Why the request's host could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// No `Host`, `X-Forwarded-Host` or URI authority.
    #[error("the request has no Host header")]
    Missing,
    /// A host or protocol that is not a valid origin.
    #[error("the request's host or protocol is not valid")]
    Invalid,
}

static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

fn first_value<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    let v = headers.get(name)?.to_str().ok()?;
    let first = v.split(',').next()?.trim();
    (!first.is_empty()).then_some(first)
}

/// The origin of a request when the host is trusted: `X-Forwarded-Host` or `Host` (or
/// the URI's authority), `X-Forwarded-Proto` or the URI's scheme, else `http`.
pub fn origin_from_request(headers: &HeaderMap, uri: &http::Uri) -> Result<Origin, HostError> {
    let host = first_value(headers, &X_FORWARDED_HOST)
        .or_else(|| first_value(headers, &HOST))
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .ok_or(HostError::Missing)?;
    let valid_host = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'_'));
    if !valid_host {
        return Err(HostError::Invalid);
    }
    let proto = first_value(headers, &X_FORWARDED_PROTO)
        .or_else(|| uri.scheme_str())
        .unwrap_or("http")
        .trim_end_matches(':');
    let proto = if proto.eq_ignore_ascii_case("http") {
        "http"
    } else if proto.eq_ignore_ascii_case("https") {
        "https"
    } else {
        return Err(HostError::Invalid);
    };
    // Parsing (IDNA included) is most of this function's cost and its input is nearly
    // always the host of the previous request: each thread keeps its last answer.
    LAST_ORIGIN.with_borrow_mut(|last| {
        if let Some((key, origin)) = last.as_ref()
            && is_url(key, proto, host)
        {
            return Ok(origin.clone());
        }
        let url = format!("{proto}://{host}");
        let origin = Origin::parse(&url).map_err(|_| HostError::Invalid)?;
        *last = Some((url, origin.clone()));
        Ok(origin)
    })
}

/// Whether `key` is `{proto}://{host}` (without building that string).
fn is_url(key: &str, proto: &str, host: &str) -> bool {
    key.strip_prefix(proto)
        .and_then(|rest| rest.strip_prefix("://"))
        .is_some_and(|rest| rest == host)
}

thread_local! {
    /// The last `proto://host` [`origin_from_request`] parsed on this thread, and its origin.
    static LAST_ORIGIN: std::cell::RefCell<Option<(String, Origin)>> =
        const { std::cell::RefCell::new(None) };
}

/// Whether `s` holds a control character (CR, LF, TAB, NUL, ...), which no URL we send
/// may contain.
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Auth.js's default `redirect` callback: a relative URL (`/...`) is joined to the base
/// URL, an absolute URL of the same origin is kept, anything else becomes the base URL.
///
/// Stricter than Auth.js: the result is parsed again and must still be of the base URL's
/// origin; URLs with control characters (CR/LF) or userinfo give the base URL; non-ASCII is
/// percent-encoded (as the URL parser serialises it).
pub fn default_redirect(url: &str, base_url: &str) -> String {
    if has_control(url) {
        return base_url.to_owned();
    }
    let candidate = if url.starts_with('/') {
        format!("{base_url}{url}")
    } else {
        url.to_owned()
    };
    match url::Url::parse(&candidate) {
        // Userinfo (`http://evil@host/`) is never ours to send: the base URL.
        Ok(parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            base_url.to_owned()
        }
        Ok(parsed) if parsed.origin().ascii_serialization() == base_url => {
            // Kept as written only when it reads the same to every parser: ASCII, and the
            // base URL itself before the path. Otherwise the URL as the WHATWG parser
            // serialises it: non-ASCII cannot go into a `Location` header, and an authority
            // like `http://host:3000\@evil.example/` (the browser's `host:3000`, a path
            // `/@evil.example/`) is `evil.example` to an RFC 3986 client.
            let verbatim = candidate.is_ascii()
                && candidate
                    .strip_prefix(base_url)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
            if verbatim { candidate } else { parsed.into() }
        }
        _ => base_url.to_owned(),
    }
}

/// A `Location` header value, or `None` when the URL cannot be sent (control characters,
/// bytes a header cannot carry).
pub fn location(url: &str) -> Option<HeaderValue> {
    if has_control(url) {
        return None;
    }
    HeaderValue::from_str(url).ok()
}

/// Appends `?k=v` (or `&k=v`) pairs, URL-encoding the values.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = base.to_owned();
    let mut sep = if base.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        out.push(sep);
        out.push_str(&form_encode(k));
        out.push('=');
        out.push_str(&form_encode(v));
        sep = '&';
    }
    out
}

/// `application/x-www-form-urlencoded` encoding of one component (as `URLSearchParams`).
pub fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_s_authority_and_host() {
        let parse = |url: &str| Origin::parse(url).unwrap_or_else(|e| unreachable!("{e}"));
        let o = parse("https://example.com:8443/path");
        assert_eq!(
            (o.authority(), o.host()),
            ("example.com:8443", "example.com")
        );
        let o = parse("http://localhost:3000/");
        assert_eq!((o.authority(), o.host()), ("localhost:3000", "localhost"));
        let o = parse("https://app.example.com");
        assert_eq!(
            (o.authority(), o.host()),
            ("app.example.com", "app.example.com")
        );
        let o = parse("http://[::1]:3000");
        assert_eq!((o.authority(), o.host()), ("[::1]:3000", "[::1]"));
        let o = parse("http://[::1]");
        assert_eq!((o.authority(), o.host()), ("[::1]", "[::1]"));
        assert_eq!(authority_of("http://localhost:3000/"), "localhost:3000");
    }

    const BASE: &str = "http://localhost:3000";

    #[test]
    fn the_per_thread_origin_follows_each_request_host() {
        let origin = |host: &str, proto: Option<&str>| {
            let mut headers = HeaderMap::new();
            headers.insert("host", host.parse().unwrap_or_else(|_| unreachable!()));
            if let Some(p) = proto {
                headers.insert(
                    "x-forwarded-proto",
                    p.parse().unwrap_or_else(|_| unreachable!()),
                );
            }
            origin_from_request(&headers, &http::Uri::from_static("/api/auth/session"))
                .map(|o| o.as_str().to_owned())
        };
        assert_eq!(origin("a.example", None).as_deref(), Ok("http://a.example"));
        assert_eq!(origin("a.example", None).as_deref(), Ok("http://a.example"));
        assert_eq!(
            origin("B.example:8080", None).as_deref(),
            Ok("http://b.example:8080")
        );
        assert_eq!(
            origin("a.example", Some("https")).as_deref(),
            Ok("https://a.example")
        );
        assert_eq!(origin("a.example", None).as_deref(), Ok("http://a.example"));
        assert_eq!(origin("a.example", Some("ftp")), Err(HostError::Invalid));
    }

    #[test]
    fn default_redirect_drops_userinfo_and_encodes_non_ascii() {
        for url in [
            "http://evil.example@localhost:3000/x",
            "http://user:pw@localhost:3000/",
            "http://:pw@localhost:3000/",
        ] {
            assert_eq!(default_redirect(url, BASE), BASE, "{url}");
        }
        assert_eq!(
            default_redirect("/caf\u{e9}?q=\u{e9}", BASE),
            "http://localhost:3000/caf%C3%A9?q=%C3%A9"
        );
        assert!(location(&default_redirect("/\u{65e5}\u{672c}", BASE)).is_some());
    }

    /// A backslash in the authority is a path separator to a browser and part of the
    /// userinfo to an RFC 3986 client: the URL is sent as the browser reads it.
    #[test]
    fn default_redirect_sends_an_authority_every_parser_reads_alike() {
        assert_eq!(
            default_redirect("http://localhost:3000\\@evil.example/", BASE),
            "http://localhost:3000/@evil.example/"
        );
        assert_eq!(
            default_redirect("http://LOCALHOST:3000/x", BASE),
            "http://localhost:3000/x"
        );
        assert_eq!(
            default_redirect("http://localhost:3000?q", BASE),
            "http://localhost:3000?q"
        );
    }

    #[test]
    fn default_redirect_rules() {
        assert_eq!(
            default_redirect("/dashboard", BASE),
            "http://localhost:3000/dashboard"
        );
        assert_eq!(
            default_redirect("http://localhost:3000/x?y=1", BASE),
            "http://localhost:3000/x?y=1"
        );
        assert_eq!(default_redirect("https://evil.example", BASE), BASE);
        assert_eq!(
            default_redirect("//evil.example", BASE),
            "http://localhost:3000//evil.example"
        );
        assert_eq!(
            default_redirect("/\\evil.example", BASE),
            "http://localhost:3000/\\evil.example"
        );
        assert_eq!(default_redirect("javascript:alert(1)", BASE), BASE);
        assert_eq!(default_redirect("/a\r\nSet-Cookie: x=y", BASE), BASE);
        assert_eq!(default_redirect("http://localhost:3001/", BASE), BASE);
        assert_eq!(default_redirect("not a url", BASE), BASE);
    }

    #[test]
    fn origins() {
        let o =
            Origin::parse("https://app.example.com:443/api/auth").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.as_str(), "https://app.example.com");
        assert!(o.is_https());
        assert!(Origin::parse("ftp://x").is_err());
        assert!(Origin::parse("/relative").is_err());
    }

    #[test]
    fn request_origin() {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("internal:8080"));
        let uri: http::Uri = "/api/auth/session".parse().unwrap_or_default();
        assert_eq!(
            origin_from_request(&h, &uri).map(|o| o.serialized),
            Ok("http://internal:8080".into())
        );
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("app.example.com, proxy"),
        );
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(
            origin_from_request(&h, &uri).map(|o| o.serialized),
            Ok("https://app.example.com".into())
        );
        h.insert("x-forwarded-host", HeaderValue::from_static("evil/x"));
        assert_eq!(origin_from_request(&h, &uri), Err(HostError::Invalid));
        h.insert("x-forwarded-host", HeaderValue::from_static("ok"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("javascript"));
        assert_eq!(origin_from_request(&h, &uri), Err(HostError::Invalid));
    }
}

/// Generated cases (`proptest`, a fixed number each, listed in the README).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    const BASE: &str = "http://localhost:3000";

    fn candidates() -> impl Strategy<Value = String> {
        let tail = "[ -~\\t\\r\\n\u{80}-\u{10ffff}]{0,24}";
        prop_oneof![
            any::<String>(),
            tail.prop_map(|t| format!("/{t}")),
            tail.prop_map(|t| format!("//{t}")),
            tail.prop_map(|t| format!("/\\{t}")),
            tail.prop_map(|t| format!("{BASE}{t}")),
            tail.prop_map(|t| format!("{BASE}@{t}")),
            tail.prop_map(|t| format!("http://{t}@localhost:3000/")),
            ("[a-z]{1,6}", tail).prop_map(|(s, t)| format!("{s}:{t}")),
            ("[a-zA-Z]{1,5}", "[a-z.]{1,12}", tail).prop_map(|(s, h, t)| format!("{s}://{h}{t}")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]

        /// The default `redirect` rule never answers a URL of another origin, nor one a
        /// `Location` header cannot carry.
        #[test]
        fn default_redirect_never_leaves_the_origin(url in candidates()) {
            let out = default_redirect(&url, BASE);
            let parsed = url::Url::parse(&out).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
            prop_assert_eq!(parsed.origin().ascii_serialization(), BASE, "{:?} -> {:?}", url, out);
            prop_assert!(!has_control(&out));
            prop_assert!(out.is_ascii(), "{:?} -> {:?}", url, out);
            prop_assert!(parsed.username().is_empty() && parsed.password().is_none(), "{:?} -> {:?}", url, out);
        }
    }
}
