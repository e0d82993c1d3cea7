//! `authorize` returning `Result<User, CredentialsError>`: the code reaches the redirect
//! and the JSON answer as Auth.js 5's `CredentialsSignin` with `code` does; a code outside
//! `[A-Za-z0-9_-]{1,64}` is never reflected. The message reaches the built-in sign-in page
//! through a sealed cookie only, never through the URL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_tests::cookies::CookieJar;
use bytes::Bytes;

mod auth {
    use auth_runtime::{CredentialsError, User};

    auth_runtime::auth! {
        providers: [
            Credentials {
                authorize: |credentials| async move {
                    match credentials.get("username") {
                        Some("ada") => Ok(User::new("ada")),
                        Some("locked") => Err(CredentialsError::new("locked")
                            .with_message("Too many attempts")),
                        Some("html") => Err(CredentialsError::new("html")
                            .with_message("<b>Locked</b> & \"blocked\"")),
                        _ => Err(CredentialsError::new("<script>alert(1)</script>")),
                    }
                },
            },
        ],
    }
}

/// Posts the credentials form for `name`, with `extra` headers; returns the response.
async fn sign_in(name: &str, json: bool) -> http::Response<Bytes> {
    let config = auth::config()
        .with_secrets(["macro-credentials-secret-0123456789abcdef"])
        .with_url("http://localhost:3000");
    let auth = auth::Auth::new(config).unwrap();
    let mut jar = CookieJar::new();
    let csrf = auth_tests::flow::csrf_with_jar(&auth, &mut jar).await;
    let mut req = http::Request::post("/api/auth/callback/credentials")
        .header("cookie", jar.header())
        .header("content-type", "application/x-www-form-urlencoded");
    if json {
        req = req.header("x-auth-return-redirect", "1");
    }
    auth.handle(
        req.body(Bytes::from(format!("csrfToken={csrf}&username={name}")))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_code_reaches_the_redirect_and_the_json_answer() {
    let res = sign_in("locked", false).await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        res.headers()["location"],
        "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=locked"
    );
    let res = sign_in("locked", true).await;
    let body: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
    assert_eq!(
        body["url"],
        "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=locked"
    );
    // The message is not put in the URL.
    assert!(!body.to_string().contains("Too many"), "{body}");
}

#[tokio::test]
async fn an_unsafe_code_becomes_the_default() {
    let res = sign_in("mallory", false).await;
    let location = res.headers()["location"].to_str().unwrap();
    assert_eq!(
        location,
        "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials"
    );
    assert_eq!(sign_in("ada", false).await.status(), 302);
    assert!(
        !sign_in("ada", false).await.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error")
    );
}

const MESSAGE_COOKIE: &str = "authjs.credentials-error";

/// A fresh `Auth` and jar; the credentials form posted for `name`.
async fn failed_sign_in(name: &str) -> (auth::Auth, CookieJar, http::Response<Bytes>) {
    use auth_tests::flow::send_with_jar as send;
    let config = auth::config()
        .with_secrets(["macro-credentials-secret-0123456789abcdef"])
        .with_url("http://localhost:3000");
    let auth = auth::Auth::new(config).unwrap();
    let mut jar = CookieJar::new();
    let csrf = auth_tests::flow::csrf_with_jar(&auth, &mut jar).await;
    let res = send(
        &auth,
        &mut jar,
        "POST",
        "/callback/credentials",
        Some(format!("csrfToken={csrf}&username={name}")),
    )
    .await;
    (auth, jar, res)
}

fn set_cookie(res: &http::Response<Bytes>, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// `GET path` (under `/api/auth`) with `jar`'s cookies; the page's HTML and the response.
async fn page(
    auth: &auth::Auth,
    jar: &mut CookieJar,
    path: &str,
) -> (String, http::Response<Bytes>) {
    let res = auth_tests::flow::send_with_jar(auth, jar, "GET", path, None).await;
    assert_eq!(res.status(), 200);
    (String::from_utf8(res.body().to_vec()).unwrap(), res)
}

const GENERIC: &str = "Sign in failed. Check the details you provided are correct.";

#[tokio::test]
async fn the_message_reaches_the_built_in_page_through_a_sealed_cookie() {
    let (auth, mut jar, res) = failed_sign_in("locked").await;
    let cookie = set_cookie(&res, MESSAGE_COOKIE).expect("the message cookie is set");
    assert!(!cookie.contains("Too"), "sealed: {cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Max-Age=300"),
        "{cookie}"
    );
    let location = res.headers()["location"].to_str().unwrap();
    let path = location
        .strip_prefix("http://localhost:3000/api/auth")
        .unwrap()
        .to_owned();
    assert_eq!(path, "/signin?error=CredentialsSignin&code=locked");

    let (html, res) = page(&auth, &mut jar, &path).await;
    assert!(html.contains(GENERIC), "{html}");
    assert!(
        html.contains("<p id=\"credentials-error-message\">Too many attempts</p>"),
        "{html}"
    );
    // Shown once: the answer clears the cookie, and the page reloaded is generic.
    let cleared = set_cookie(&res, MESSAGE_COOKIE).expect("cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(!jar.header().contains(MESSAGE_COOKIE), "{}", jar.header());
    let (html, _) = page(&auth, &mut jar, &path).await;
    assert!(
        html.contains(GENERIC) && !html.contains("Too many"),
        "{html}"
    );
}

#[tokio::test]
async fn the_message_is_escaped() {
    let (auth, mut jar, _) = failed_sign_in("html").await;
    let (html, _) = page(&auth, &mut jar, "/signin?error=CredentialsSignin&code=html").await;
    assert!(
        html.contains("&lt;b&gt;Locked&lt;/b&gt; &amp; &quot;blocked&quot;"),
        "{html}"
    );
    assert!(!html.contains("<b>"), "{html}");
}

#[tokio::test]
async fn a_url_alone_never_puts_text_on_the_page() {
    // A forged link with a code, and no cookie: the generic text only.
    let (auth, mut jar, _) = failed_sign_in("mallory").await;
    assert!(
        !jar.header().contains(MESSAGE_COOKIE),
        "no message, no cookie"
    );
    let (html, res) = page(
        &auth,
        &mut jar,
        "/signin?error=CredentialsSignin&code=locked&message=Call%20555",
    )
    .await;
    assert!(html.contains(GENERIC), "{html}");
    assert!(
        !html.contains("credentials-error-message") && !html.contains("555"),
        "{html}"
    );
    assert!(set_cookie(&res, MESSAGE_COOKIE).is_none());

    // A real cookie shown under another code: not shown, and cleared.
    let (auth, mut jar, _) = failed_sign_in("locked").await;
    let (html, res) = page(
        &auth,
        &mut jar,
        "/signin?error=CredentialsSignin&code=other",
    )
    .await;
    assert!(!html.contains("Too many"), "{html}");
    assert!(
        set_cookie(&res, MESSAGE_COOKIE)
            .unwrap()
            .contains("Max-Age=0")
    );

    // A cookie that is not sealed with the secret: not shown, cleared.
    let mut jar = CookieJar::new();
    jar.0.insert(MESSAGE_COOKIE.to_owned(), "forged".to_owned());
    let (html, res) = page(
        &auth,
        &mut jar,
        "/signin?error=CredentialsSignin&code=locked",
    )
    .await;
    assert!(!html.contains("credentials-error-message"), "{html}");
    assert!(
        set_cookie(&res, MESSAGE_COOKIE)
            .unwrap()
            .contains("Max-Age=0")
    );
}
