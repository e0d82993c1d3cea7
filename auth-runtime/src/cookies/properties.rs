//! Property tests of the Cookie header parser and chunking.

use proptest::prelude::*;

use super::*;

const NAME: &str = "authjs.session-token";

fn header_of(pairs: &[String]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&pairs.join("; ")) {
        headers.append(COOKIE, v);
    }
    headers
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any `Cookie` headers (bytes, or pairs around the session cookie's name and its
    /// chunks) parse without a panic, and a chunked read never joins more than
    /// `MAX_SESSION_CHUNKS` chunks.
    #[test]
    fn cookie_headers_never_panic_and_respect_the_chunk_limit(
        raw in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..4),
        pairs in proptest::collection::vec(
            (prop_oneof![
                Just(NAME.to_owned()),
                (0..40u32).prop_map(|n| format!("{NAME}.{n}")),
                "[0-9.]{0,4}".prop_map(|s| format!("{NAME}{s}")),
                "[ -~]{0,12}",
            ], "[ -~]{0,40}"),
            0..48,
        ),
    ) {
        let mut headers = header_of(
            &pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>(),
        );
        for r in &raw {
            if let Ok(v) = HeaderValue::from_bytes(r) {
                headers.append(COOKIE, v);
            }
        }
        let cookies = RequestCookies::from_headers(&headers);
        let _ = cookies.get(NAME);
        let names = cookies.chunk_names(NAME);
        if let ChunkedValue::Present(v) = cookies.read_chunked(NAME) {
            let chunks = names.iter().filter(|n| n.as_str() != NAME).count();
            prop_assert!(chunks <= MAX_SESSION_CHUNKS, "{chunks} chunks joined");
            prop_assert!(v.len() <= MAX_COOKIE_HEADER_BYTES);
        }
        let _ = clear_chunked(&cookies, NAME, false);
        let _ = write_chunked(&cookies, NAME, "v", UNIX_EPOCH, true);
    }

    /// A value written in chunks reads back whole when it fits in `MAX_SESSION_CHUNKS`
    /// chunks of at most `CHUNK_SIZE`, and is refused (never truncated) when it does not.
    #[test]
    fn chunked_values_round_trip_within_the_limit(
        len in 0..(MAX_SESSION_CHUNKS + 2) * CHUNK_SIZE,
        c in proptest::char::range('a', 'z'),
    ) {
        let value: String = std::iter::repeat_n(c, len).collect();
        let written = write_chunked(&RequestCookies::default(), NAME, &value, UNIX_EPOCH, false);
        prop_assert!(written.iter().all(|s| s.value.len() <= CHUNK_SIZE));
        let pairs: Vec<String> = written.iter().map(|s| format!("{}={}", s.name, s.value)).collect();
        let mut headers = HeaderMap::new();
        // one header per cookie, as the 64 KiB total limit applies to them all
        for p in &pairs {
            headers.append(COOKIE, HeaderValue::from_str(p).map_err(|e| TestCaseError::fail(e.to_string()))?);
        }
        let read = RequestCookies::from_headers(&headers).read_chunked(NAME);
        if written.len() <= MAX_SESSION_CHUNKS && !value.is_empty() {
            prop_assert_eq!(read, ChunkedValue::Present(value));
        } else if !value.is_empty() {
            prop_assert!(!matches!(read, ChunkedValue::Present(_)));
        }
    }
}
