//! Chunks, oversized headers and bodies, CSRF variants on every POST.

use super::*;

// ---------------------------------------------------------------------------------------
// Chunks and sizes
// ---------------------------------------------------------------------------------------

pub(super) fn chunk_cases(cases: &mut Vec<Case>, live: &Live) {
    let jwe = &live.jwe;
    let (a, b) = jwe.split_at(jwe.len() / 2);
    let twenty: Vec<String> = (0..20).map(|i| format!("{SESSION}.{i}=xxxx")).collect();
    for (what, cookie) in [
        (
            "a gap in the chunks",
            format!("{SESSION}.0={a}; {SESSION}.2={b}"),
        ),
        (
            "a whole cookie and chunks",
            format!("{SESSION}={jwe}; {SESSION}.0={a}; {SESSION}.1={b}"),
        ),
        ("20 chunks", twenty.join("; ")),
        (
            "the second chunk tampered",
            format!("{SESSION}.0={a}; {SESSION}.1={}", flip(b, 0)),
        ),
        (
            "the chunks swapped",
            format!("{SESSION}.0={b}; {SESSION}.1={a}"),
        ),
        (
            "a forged first cookie before the real one",
            format!("{SESSION}=forged; {SESSION}={jwe}"),
        ),
        ("only chunk 999", format!("{SESSION}.999={jwe}")),
        ("chunk -1", format!("{SESSION}.-1={jwe}")),
        ("chunk 1e0", format!("{SESSION}.1e0={jwe}")),
        ("chunk 0000", format!("{SESSION}.0000={jwe}")),
        (
            "a Cookie header of 70 KB",
            format!("{SESSION}={}", "x".repeat(70 * 1024)),
        ),
        (
            "chunks in a Cookie header of 70 KB",
            format!(
                "{SESSION}.0={a}; {SESSION}.1={b}; pad={}",
                "p".repeat(70 * 1024)
            ),
        ),
    ] {
        cases.push(
            case(
                format!("chunks: {what}"),
                App::Jwe,
                "GET",
                "/api/auth/session",
            )
            .cookie(cookie)
            .body_is("null"),
        );
    }
    let chunked = format!("{SESSION}.0={a}; {SESSION}.2={b}");
    cases.push(
        case("chunks: a gap, /me", App::Jwe, "GET", "/me")
            .cookie(chunked)
            .status(401),
    );
}

pub(super) fn size_cases(cases: &mut Vec<Case>, live: &Live) {
    let csrf = format!("{CSRF}={}", live.csrf_cookie);
    let token = live.csrf_token.clone();
    // Bodies: the flow reads 64 KiB, the route buffers at most 1 MiB.
    let big_form = format!(
        "csrfToken={token}&username=ada&password=pw&pad={}",
        "x".repeat(65 * 1024)
    );
    cases.push(
        case(
            "a 65 KiB sign-in form",
            App::Jwe,
            "POST",
            "/api/auth/callback/credentials",
        )
        .cookie(csrf.clone())
        .raw_body("application/x-www-form-urlencoded", big_form)
        .status(413),
    );
    cases.push(
        case(
            "a 2 MiB body, declared",
            App::Jwe,
            "POST",
            "/api/auth/signout",
        )
        .cookie(csrf.clone())
        .header("content-length", (2 << 20).to_string())
        .raw_body("application/x-www-form-urlencoded", vec![b'a'; 2 << 20])
        .status(413),
    );
    // Undeclared (streamed): read up to the route's 1 MiB, then refused.
    cases.push(
        case(
            "a 2 MiB body, undeclared",
            App::Jwe,
            "POST",
            "/api/auth/signout",
        )
        .cookie(csrf.clone())
        .raw_body("application/x-www-form-urlencoded", vec![b'a'; 2 << 20])
        .status(400),
    );
    // As many distinct names as fit in 64 KiB (the CPU-exhaustion shape), refused by CSRF.
    let fields: String = (0..12_000).map(|i| format!("{i:x}&")).collect();
    assert!(fields.len() < 64 * 1024);
    cases.push(
        case(
            "12,000 distinct fields, no CSRF token",
            App::Jwe,
            "POST",
            "/api/auth/signin/credentials",
        )
        .raw_body("application/x-www-form-urlencoded", fields)
        .status(302)
        .goes_to(MISSING_CSRF),
    );
    let nested = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    cases.push(
        case(
            "JSON nested 30,000 deep",
            App::Jwe,
            "POST",
            "/api/auth/session",
        )
        .cookie(format!("{SESSION}={}", live.jwe))
        .raw_body("application/json", nested)
        .status(400)
        .body_is("null")
        .untouched(),
    );
    cases.push(
        case(
            "a 60 KB callbackUrl",
            App::Jwe,
            "GET",
            format!("/api/auth/signin?callbackUrl=/{}", "a".repeat(60_000)),
        )
        .status(200),
    );
}

// ---------------------------------------------------------------------------------------
// CSRF on every POST
// ---------------------------------------------------------------------------------------

/// A POST endpoint: its path, the fields it needs besides the CSRF token, and how a
/// refusal is answered (status, `Location`).
type Endpoint = (
    &'static str,
    &'static [(&'static str, &'static str)],
    u16,
    Loc,
);

pub(super) fn csrf_cases(cases: &mut Vec<Case>, live: &Live) {
    let token = &live.csrf_token;
    let cookie = &live.csrf_cookie;
    let (_, hash) = cookie.split_once("%7C").unwrap();
    let other = "0".repeat(64);
    let session = format!("{SESSION}={}", live.jwe);
    // (what, csrf cookie, form token, query token)
    let variants: Vec<(&str, Option<String>, Option<String>, bool)> = vec![
        ("no token, no cookie", None, None, false),
        ("a token, no cookie", None, Some(token.clone()), false),
        ("a cookie, no token", Some(cookie.clone()), None, false),
        (
            "a token of another cookie",
            Some(format!("{other}%7C{hash}")),
            Some(token.clone()),
            false,
        ),
        (
            "a cookie whose hash is forged",
            Some(format!("{token}%7C{other}")),
            Some(token.clone()),
            false,
        ),
        (
            "an attacker's own pair (token|sha256 without the secret)",
            Some(format!("{other}%7C{other}")),
            Some(other.clone()),
            false,
        ),
        (
            "an empty token and cookie",
            Some(String::new()),
            Some(String::new()),
            false,
        ),
        (
            "the token in the query string",
            Some(cookie.clone()),
            None,
            true,
        ),
        (
            "the token in upper case",
            Some(cookie.clone()),
            Some(token.to_uppercase()),
            false,
        ),
        (
            "the cookie's whole value as the token",
            Some(cookie.clone()),
            Some(percent_decode(cookie)),
            false,
        ),
    ];
    // (endpoint, extra fields, refused status, Location)
    let endpoints: [Endpoint; 4] = [
        (
            "/api/auth/callback/credentials",
            &[("username", "ada"), ("password", "pw")],
            302,
            Loc::Exact(MISSING_CSRF.to_owned()),
        ),
        (
            "/api/auth/signin/credentials",
            &[],
            302,
            Loc::Exact(MISSING_CSRF.to_owned()),
        ),
        (
            "/api/auth/signout",
            &[],
            302,
            Loc::Exact(MISSING_CSRF.to_owned()),
        ),
        (
            "/api/auth/session",
            &[("name", "mallory")],
            400,
            Loc::Absent,
        ),
    ];
    for (endpoint, extra, status, location) in &endpoints {
        for (what, csrf_cookie, form_token, in_query) in &variants {
            let mut fields: Vec<(&str, &str)> = extra.to_vec();
            if let Some(t) = form_token {
                fields.push(("csrfToken", t));
            }
            let uri = if *in_query {
                format!("{endpoint}?csrfToken={token}")
            } else {
                (*endpoint).to_owned()
            };
            let mut cookies = vec![session.clone()];
            if let Some(c) = csrf_cookie {
                cookies.push(format!("{CSRF}={c}"));
            }
            let mut c = case(format!("CSRF {endpoint}: {what}"), App::Jwe, "POST", uri)
                .cookie(cookies.join("; "))
                .form(&fields)
                .status(*status)
                .goes(location.clone())
                .untouched();
            if *status == 400 {
                c = c.body_is("null");
            }
            cases.push(c);
        }
    }
    // The right pair in a body the flow does not read as a form.
    for (what, content_type) in [
        ("text/plain", "text/plain"),
        ("multipart", "multipart/form-data; boundary=x"),
    ] {
        cases.push(
            case(
                format!("CSRF sign-out: the right pair as {what}"),
                App::Jwe,
                "POST",
                "/api/auth/signout",
            )
            .cookie(format!("{session}; {CSRF}={cookie}"))
            .raw_body(content_type, form(&[("csrfToken", token)]))
            .goes_to(MISSING_CSRF)
            .status(302)
            .untouched(),
        );
    }
}
