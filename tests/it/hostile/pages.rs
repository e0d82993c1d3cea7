//! Open redirects and CR/LF, reflected XSS on every page parameter, host spoofing,
//! methods and paths.

use super::*;

// ---------------------------------------------------------------------------------------
// Open redirects, CR/LF, reflected XSS
// ---------------------------------------------------------------------------------------

pub(super) const OFF_SITE: &[&str] = &[
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "///evil.example/",
    "http://localhost:3000@evil.example/",
    "http://localhost:3000.evil.example/",
    "http://evil.example#http://localhost:3000/",
    "http://evil.example?http://localhost:3000/",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:evil.example",
    "HTTP://EVIL.EXAMPLE/",
    "http://localhost:3001/",
    "https://localhost:3000/",
    "http://user:pass@localhost:3000/",
    " https://evil.example/",
    "\thttps://evil.example/",
    "/\t/evil.example/",
    "http://localhost:3000\\@evil.example/",
    "http://evil.example\\@localhost:3000/",
    "http://127.0.0.1:3000/",
    "http://[::1]:3000/",
    "http://evil。example/",
    "/%2F%2Fevil.example/",
    "/\r\nSet-Cookie: injected=1",
    "https://evil.example/\r\nX-Injected: 1",
];

pub(super) fn redirect_cases(cases: &mut Vec<Case>, live: &Live) {
    let token = &live.csrf_token;
    let pair = format!("{CSRF}={}", live.csrf_cookie);
    for target in OFF_SITE {
        cases.push(
            case(
                format!("sign-out to {target:?}"),
                App::Jwe,
                "POST",
                "/api/auth/signout",
            )
            .cookie(pair.clone())
            .form(&[("csrfToken", token), ("callbackUrl", target)])
            .status(302)
            .goes(Loc::SameOrigin),
        );
    }
    // A real sign-in, the target in the form, the query, or a planted callback-url cookie.
    for (i, target) in [
        "https://evil.example/",
        "//evil.example/",
        "http://localhost:3000@evil.example/",
    ]
    .iter()
    .enumerate()
    {
        cases.push(
            case(
                format!("sign-in to {target:?} (form)"),
                App::Jwe,
                "POST",
                "/api/auth/callback/credentials",
            )
            .cookie(pair.clone())
            .form(&[
                ("csrfToken", token),
                ("username", "ada"),
                ("password", "pw"),
                ("callbackUrl", target),
            ])
            .status(302)
            .goes(Loc::SameOrigin)
            .signs_in(),
        );
        let planted = url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>();
        cases.push(
            case(
                format!("sign-in to a planted callback-url cookie {i}"),
                App::Jwe,
                "POST",
                "/api/auth/callback/credentials",
            )
            .cookie(format!("{pair}; authjs.callback-url={planted}"))
            .form(&[
                ("csrfToken", token),
                ("username", "ada"),
                ("password", "pw"),
            ])
            .status(302)
            .goes(Loc::SameOrigin)
            .signs_in(),
        );
        cases.push(
            case(
                format!("sign-in page with callbackUrl={target:?}"),
                App::Jwe,
                "GET",
                format!("/api/auth/signin?callbackUrl={}", q(target)),
            )
            .status(200)
            .not_in_body(format!("\"{target}"))
            .not_in_body("\"https://evil.example"),
        );
    }
    // The application's sign-in redirect keeps the request's path on the site.
    for path in [
        "//evil.example/me",
        "/me?next=https://evil.example",
        "/me/%0d%0aX-Injected:%201",
    ] {
        cases.push(
            case(format!("app redirect for {path}"), App::Jwe, "GET", path)
                .header("accept", "text/html")
                .status(if path.starts_with("/me?") { 303 } else { 404 })
                .goes(if path.starts_with("/me?") {
                    Loc::SameOrigin
                } else {
                    Loc::Absent
                }),
        );
    }
}

pub(super) fn xss_cases(cases: &mut Vec<Case>) {
    let payloads: [(&str, &str); 4] = [
        ("\"><script>alert(1)</script>", "<script>alert(1)"),
        ("'><img src=x onerror=alert(1)>", "<img src=x"),
        (
            "</style></title><script>alert(1)</script>",
            "<script>alert(1)",
        ),
        ("javascript:alert(1)", "=\"javascript:"),
    ];
    for (payload, forbidden) in payloads {
        let p = q(payload);
        for (what, uri, status) in [
            (
                "sign-in page callbackUrl",
                format!("/api/auth/signin?callbackUrl={p}"),
                200,
            ),
            (
                "sign-in page error",
                format!("/api/auth/signin?error={p}"),
                200,
            ),
            (
                "sign-in page code",
                format!("/api/auth/signin?error=CredentialsSignin&code={p}"),
                200,
            ),
            (
                "sign-out page callbackUrl",
                format!("/api/auth/signout?callbackUrl={p}"),
                200,
            ),
            (
                "error page error (an unknown type: the generic page)",
                format!("/api/auth/error?error={p}"),
                200,
            ),
        ] {
            cases.push(
                case(format!("XSS {what}: {payload}"), App::Jwe, "GET", uri)
                    .status(status)
                    .not_in_body(forbidden),
            );
        }
        cases.push(
            case(
                format!("XSS sign-in page from the callback-url cookie: {payload}"),
                App::Jwe,
                "GET",
                "/api/auth/signin",
            )
            .cookie(format!("authjs.callback-url={p}"))
            .status(200)
            .not_in_body(forbidden),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Host spoofing, methods and paths
// ---------------------------------------------------------------------------------------

pub(super) fn host_cases(cases: &mut Vec<Case>, live: &Live) {
    let spoofs: [(&str, &str); 4] = [
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
        ("forwarded", "host=evil.example;proto=https"),
        ("x-forwarded-proto", "https"),
    ];
    let pair = format!("{CSRF}={}", live.csrf_cookie);
    for (name, value) in spoofs {
        cases.push(
            case(
                format!("fixed URL ignores {name}: providers"),
                App::Jwe,
                "GET",
                "/api/auth/providers",
            )
            .header(name, value)
            .not_in_body("evil.example")
            .not_in_body("https://"),
        );
        cases.push(
            case(
                format!("fixed URL ignores {name}: sign-out"),
                App::Jwe,
                "POST",
                "/api/auth/signout",
            )
            .header(name, value)
            .cookie(pair.clone())
            .form(&[("csrfToken", &live.csrf_token)])
            .status(302)
            .goes_to(ORIGIN),
        );
        cases.push(
            case(
                format!("fixed URL ignores {name}: sign-in page"),
                App::Jwe,
                "GET",
                "/api/auth/signin",
            )
            .header(name, value)
            .not_in_body("evil.example"),
        );
    }
    // Trusting the host: a host or scheme that is not one is refused, never used.
    for (what, headers) in [
        ("a host with a path", vec![("host", "evil.example/path")]),
        ("a host with userinfo", vec![("host", "user@evil.example")]),
        ("a host with a backslash", vec![("host", "evil.example\\x")]),
        ("a host with a space", vec![("host", "a b")]),
        (
            "a forwarded host with a path",
            vec![
                ("host", "ok.example"),
                ("x-forwarded-host", "evil.example/x"),
            ],
        ),
        (
            "a javascript: scheme",
            vec![("host", "ok.example"), ("x-forwarded-proto", "javascript")],
        ),
        ("a port out of range", vec![("host", "ok.example:99999")]),
        ("no host at all", vec![]),
    ] {
        let mut c = case(
            format!("trusted host refuses {what}"),
            App::Trusted,
            "GET",
            "/api/auth/providers",
        )
        .status(400);
        for (k, v) in headers {
            c = c.header(k, v);
        }
        cases.push(c.not_in_body("evil.example/"));
    }
}

pub(super) fn method_and_path_cases(cases: &mut Vec<Case>, live: &Live) {
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"] {
        cases.push(
            case(
                format!("{method} /session"),
                App::Jwe,
                method,
                "/api/auth/session",
            )
            .cookie(format!("{SESSION}={}", live.jwe))
            .status(400)
            .untouched(),
        );
    }
    for (method, path, status) in [
        ("GET", "/api/auth/callback/credentials", 405),
        ("GET", "/api/auth/signin/credentials", 405),
        ("POST", "/api/auth/csrf", 405),
        ("POST", "/api/auth/providers", 405),
        ("POST", "/api/auth/error", 405),
        ("POST", "/api/auth/signin", 405),
        ("GET", "/api/auth/SESSION", 400),
        ("GET", "/api/auth/session/extra", 400),
        ("GET", "/api/auth/callback", 400),
        ("GET", "/api/auth/callback/nope", 404),
        ("GET", "/api/auth/callback/..%2F..%2Fetc%2Fpasswd", 404),
        ("GET", "/api/auth/callback/%3Cscript%3E", 404),
        ("GET", "/api/auth/%73ession", 400),
        ("GET", "/api/auth/session%00", 400),
        ("GET", "/api/auth/session;x=1", 400),
        ("GET", "/api/auth/", 404),
        ("GET", "/api/authsession", 404),
        ("GET", "/API/AUTH/session", 404),
    ] {
        cases.push(
            case(format!("{method} {path}"), App::Jwe, method, path)
                .cookie(format!("{SESSION}={}", live.jwe))
                .status(status)
                .untouched(),
        );
    }
    cases.push(
        case(
            "POST /signin/<unknown> with CSRF",
            App::Jwe,
            "POST",
            "/api/auth/signin/nope",
        )
        .cookie(format!("{CSRF}={}", live.csrf_cookie))
        .form(&[("csrfToken", &live.csrf_token)])
        .status(404),
    );
}
