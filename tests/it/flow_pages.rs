//! The HTML endpoints as the flow serves them: `GET /signin`, `GET /signout`,
//! `GET /error` (statuses as Auth.js: 403 AccessDenied/Verification, 500 Configuration,
//! 200 otherwise), with the CSRF token and callback URL the forms need.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_tests::flow::*;

fn text(res: &Res) -> String {
    String::from_utf8(res.body.to_vec()).unwrap()
}

#[tokio::test]
async fn sign_in_page() {
    let mut b = Browser::new(auth(plain_config()));
    let res = b.get("/signin?callbackUrl=%2Fafter").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let html = text(&res);
    // A CSRF cookie is set and its token is the one in the form.
    assert!(res.set_cookie("authjs.csrf-token").is_some());
    let token = b.csrf().await;
    assert!(html.contains(&token), "the form carries the CSRF token");
    assert!(html.contains("http://localhost:3000/api/auth/callback/credentials"));
    assert!(
        html.contains("http://localhost:3000/after"),
        "the validated callback URL"
    );
    assert!(html.contains("username") && html.contains("password"));
    // The callback URL cookie remembers it.
    assert!(res.set_cookie("authjs.callback-url").is_some());

    // Posting the page's form signs in.
    let res = b
        .post_form(
            "/callback/credentials",
            &[
                ("csrfToken", &token),
                ("username", "uma"),
                ("password", "pw"),
            ],
        )
        .await;
    assert_eq!(res.location(), "http://localhost:3000/after");
    assert_eq!(b.session().await["user"]["name"], "uma");
}

#[tokio::test]
async fn sign_in_page_hostile_input() {
    let mut b = Browser::new(auth(plain_config()));
    let res = b
        .get("/signin?callbackUrl=https%3A%2F%2Fevil.example&error=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(res.status, 200);
    let html = text(&res);
    assert!(
        !html.contains("evil.example"),
        "foreign callback URL replaced by the base URL"
    );
    assert!(!html.contains("<script>alert(1)"), "error text is escaped");
}

#[tokio::test]
async fn sign_out_page() {
    let mut b = Browser::new(auth(plain_config()));
    b.sign_in("val", None).await;
    let res = b.get("/signout").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let html = text(&res);
    let token = b.csrf().await;
    assert!(html.contains(&token));
    assert!(html.contains("http://localhost:3000/api/auth/signout"));
    // The page's form signs out.
    let res = b.post_form("/signout", &[("csrfToken", &token)]).await;
    assert_eq!(res.status, 302);
    assert_eq!(b.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn error_page_statuses() {
    let mut b = Browser::new(auth(plain_config()));
    for (code, status) in [
        ("AccessDenied", 403),
        ("Verification", 403),
        ("Configuration", 500),
        ("CredentialsSignin", 200),
        ("OAuthCallbackError", 200),
        ("Anything", 200),
        ("", 200),
        ("%3Cscript%3E", 200),
    ] {
        let res = b.get(&format!("/error?error={code}")).await;
        assert_eq!(res.status, status, "{code}");
        assert!(res.header("content-type").unwrap().starts_with("text/html"));
        assert!(!text(&res).contains("<script>"), "{code}");
    }
    let res = b.get("/error").await;
    assert_eq!(res.status, 200);
}

/// Every built-in page (the sign-in and sign-out pages carry the CSRF token) is not cached,
/// not framed and runs under a CSP that allows only its inline style and forms posting back.
#[tokio::test]
async fn pages_are_not_cached_framed_or_scripted() {
    let mut b = Browser::new(auth(plain_config()));
    for path in [
        "/signin",
        "/signout",
        "/error?error=AccessDenied",
        "/error?error=Configuration",
    ] {
        let res = b.get(path).await;
        assert!(
            res.header("content-type").unwrap().starts_with("text/html"),
            "{path}"
        );
        let cache = res.header("cache-control").unwrap_or_default();
        assert!(cache.contains("no-store"), "{path}: {cache}");
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
        let csp = res.header("content-security-policy").unwrap_or_default();
        for directive in [
            "default-src 'none'",
            "style-src 'unsafe-inline'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("script-src"), "{path}: {csp}");
    }
}
