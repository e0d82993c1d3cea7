//! `authorize` returning `Result<User, CredentialsError>`: the code reaches the redirect
//! and the JSON answer as Auth.js 5's `CredentialsSignin` with `code` does; a code outside
//! `[A-Za-z0-9_-]{1,64}` is never reflected.
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
    let csrf = auth
        .handle(
            http::Request::get("/api/auth/csrf")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    jar.store(csrf.headers());
    let csrf: serde_json::Value = serde_json::from_slice(csrf.body()).unwrap();
    let csrf = csrf["csrfToken"].as_str().unwrap();
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
