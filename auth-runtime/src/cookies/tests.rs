//! Unit tests of cookie names, attributes, parsing and chunking.

#[test]
fn debug_does_not_show_values() {
    let set = SetCookie::new("authjs.session-token", "eyJsecret", true);
    let dbg = format!("{set:?}");
    assert!(
        !dbg.contains("eyJsecret") && dbg.contains("authjs.session-token"),
        "{dbg}"
    );
    let dbg = format!("{:?}", cookies("authjs.session-token=eyJsecret; other=x"));
    assert!(
        !dbg.contains("eyJsecret") && dbg.contains("authjs.session-token"),
        "{dbg}"
    );
}

use super::*;

fn cookies(header: &str) -> RequestCookies {
    let mut headers = HeaderMap::new();
    headers.insert(
        COOKIE,
        HeaderValue::from_str(header).unwrap_or(HeaderValue::from_static("")),
    );
    RequestCookies::from_headers(&headers)
}

#[test]
fn names_follow_authjs() {
    let http = CookieNames::new(false);
    assert_eq!(http.session_token, "authjs.session-token");
    assert_eq!(http.csrf_token, "authjs.csrf-token");
    let https = CookieNames::new(true);
    assert_eq!(https.session_token, "__Secure-authjs.session-token");
    assert_eq!(https.csrf_token, "__Host-authjs.csrf-token");
    assert_eq!(
        https.pkce_code_verifier,
        "__Secure-authjs.pkce.code_verifier"
    );
}

#[test]
fn serialises_like_authjs() {
    let c = SetCookie::new("authjs.csrf-token", "a|b", true);
    assert_eq!(
        c.to_header_string(),
        "authjs.csrf-token=a%7Cb; Path=/; HttpOnly; Secure; SameSite=Lax"
    );
    let c = SetCookie::clear("x", false);
    assert_eq!(
        c.to_header_string(),
        "x=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
    );
}

#[test]
fn parses_first_occurrence_and_decodes() {
    let c = cookies("a=1; b=x%7Cy; a=2; bad; =x; c=%E0%A4%A");
    assert_eq!(c.get("a"), Some("1"));
    assert_eq!(c.get("b"), Some("x|y"));
    assert_eq!(c.get("c"), Some("%E0%A4%A"));
}

#[test]
fn joins_chunks_in_numeric_order() {
    let c = cookies(
        "s.10=k; s.2=c; s.0=a; s.1=b; s.3=d; s.4=e; s.5=f; s.6=g; s.7=h; s.8=i; s.9=j; other=z",
    );
    assert_eq!(
        c.read_chunked("s"),
        ChunkedValue::Present("abcdefghijk".into())
    );
    assert!(matches!(
        cookies("s.0=a; s.2=c").read_chunked("s"),
        ChunkedValue::Invalid(_)
    ));
    assert!(matches!(
        cookies("s=a; s.0=c").read_chunked("s"),
        ChunkedValue::Invalid(_)
    ));
    assert_eq!(cookies("sx=a").read_chunked("s"), ChunkedValue::Absent);
}

#[test]
fn chunked_write_expires_stale_chunks() {
    let c = cookies("s.0=a; s.1=b; s.2=c");
    let now = SystemTime::UNIX_EPOCH;
    let out = write_chunked(&c, "s", "short", now, false);
    let names: Vec<_> = out.iter().map(|c| (c.name.as_str(), c.max_age)).collect();
    assert_eq!(
        names,
        vec![
            ("s.0", Some(0)),
            ("s.1", Some(0)),
            ("s.2", Some(0)),
            ("s", None)
        ]
    );
    let long = "x".repeat(CHUNK_SIZE * 2 + 1);
    let out = write_chunked(&c, "s", &long, now, false);
    let names: Vec<_> = out
        .iter()
        .map(|c| (c.name.as_str(), c.value.len()))
        .collect();
    assert_eq!(
        names,
        vec![("s.0", CHUNK_SIZE), ("s.1", CHUNK_SIZE), ("s.2", 1)]
    );
}

#[test]
fn oversized_headers_are_ignored() {
    let big = format!("s={}", "x".repeat(MAX_COOKIE_HEADER_BYTES));
    let c = cookies(&big);
    assert!(c.oversized);
    assert_eq!(c.read_chunked("s"), ChunkedValue::Absent);
    assert_eq!(c.get("s"), None);
}

/// An oversized request's values are ignored but its names kept: its session chunks can
/// be cleared (and only those).
#[test]
fn oversized_headers_keep_the_names_to_clear() {
    let big = format!(
        "s.0={}; s.1=y; other=z",
        "x".repeat(MAX_COOKIE_HEADER_BYTES)
    );
    let c = cookies(&big);
    assert!(c.oversized);
    assert_eq!(c.read_chunked("s"), ChunkedValue::Absent);
    assert_eq!(c.chunk_names("s"), ["s.0", "s.1"]);
    let cleared: Vec<String> = clear_chunked(&c, "s", false)
        .iter()
        .map(SetCookie::to_header_string)
        .collect();
    assert_eq!(cleared.len(), 2);
    assert!(
        cleared.iter().all(|c| c.contains("Max-Age=0")),
        "{cleared:?}"
    );
}

#[test]
fn the_unescaped_fast_path_agrees_with_encode_uri_component() {
    for b in 0u8..=127 {
        let text = char::from(b).to_string();
        let slow = percent_encoding::utf8_percent_encode(&text, URI_COMPONENT).to_string();
        assert_eq!(encoded_value(&text), slow, "byte {b}");
    }
    assert_eq!(encoded_value("a b;é"), "a%20b%3B%C3%A9");
    assert!(matches!(
        encoded_value("eyJ.abc-_"),
        std::borrow::Cow::Borrowed(_)
    ));
}
