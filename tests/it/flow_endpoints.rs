//! Every endpoint's status, JSON, redirect and cookie shape, as `@auth/core` answers.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::config::Pages;
use auth_runtime::{Auth, AuthConfig, ConfigError, Provider, SessionStrategy, providers};
use auth_tests::flow::*;

#[tokio::test]
async fn csrf_endpoint() {
    let mut b = Browser::new(auth(plain_config()));
    let res = b.get("/csrf").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(
        res.header("cache-control"),
        Some("private, no-cache, no-store")
    );
    assert_eq!(res.header("expires"), Some("0"));
    assert_eq!(res.header("pragma"), Some("no-cache"));
    let token = res.json()["csrfToken"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|c| c.is_ascii_hexdigit()));
    let cookie = res.set_cookie("authjs.csrf-token").unwrap();
    assert!(
        cookie.starts_with(&format!("authjs.csrf-token={token}%7C")),
        "{cookie}"
    );
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    // With the cookie, the same token comes back and no new cookie is set.
    let again = b.get("/csrf").await;
    assert_eq!(again.json()["csrfToken"], token.as_str());
    assert!(again.set_cookie("authjs.csrf-token").is_none());
}

#[tokio::test]
async fn providers_endpoint() {
    let mut b = Browser::new(auth(plain_config()));
    let res = b.get("/providers").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json(),
        serde_json::json!({
            "credentials": {
                "id": "credentials",
                "name": "Credentials",
                "type": "credentials",
                "signinUrl": "http://localhost:3000/api/auth/signin/credentials",
                "callbackUrl": "http://localhost:3000/api/auth/callback/credentials",
            }
        })
    );
}

#[tokio::test]
async fn session_endpoint_shapes() {
    let mut b = Browser::new(auth(plain_config()));
    // Signed out: JSON null, no-store, no cookie.
    let res = b.get("/session").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body.as_ref(), b"null");
    assert_eq!(
        res.header("cache-control"),
        Some("private, no-cache, no-store")
    );
    assert!(res.set_cookies().is_empty());

    let res = b.sign_in("erin", None).await;
    let cookie = res.set_cookie("authjs.session-token").unwrap();
    assert!(cookie.contains("; Path=/; Expires="), "{cookie}");
    assert!(cookie.ends_with("; HttpOnly; SameSite=Lax"), "{cookie}");
    let first = b.jar["authjs.session-token"].clone();

    // Signed in: the session, and the cookie re-issued (rolling expiry).
    let res = b.get("/session").await;
    assert_eq!(res.json()["user"]["name"], "erin");
    let reissued = res.set_cookie("authjs.session-token").unwrap();
    assert!(reissued.contains("Expires="), "{reissued}");
    assert!(!reissued.contains("Max-Age=0"));
    assert_ne!(
        b.jar["authjs.session-token"], first,
        "a fresh token (new jti/iat)"
    );
}

#[tokio::test]
async fn session_update_requires_csrf() {
    let mut b = Browser::new(auth(plain_config()));
    b.sign_in("fay", None).await;
    // No CSRF token: 400 with JSON null (Auth.js: POST /session is an API route).
    let res = b
        .post_json("/session", &serde_json::json!({ "data": { "name": "x" } }))
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body.as_ref(), b"null");
    // With it: 200 and the session; Auth.js sends no no-store headers on update.
    let csrf = b.csrf().await;
    let res = b
        .post_json(
            "/session",
            &serde_json::json!({ "csrfToken": csrf, "data": { "name": "x" } }),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json()["user"]["name"],
        "fay",
        "default jwt callback ignores the data"
    );
    assert!(res.header("cache-control").is_none());
}

#[tokio::test]
async fn signin_post_for_credentials_goes_to_the_page() {
    let mut b = Browser::new(auth(plain_config()));
    let csrf = b.csrf().await;
    let res = b
        .post_form("/signin/credentials", &[("csrfToken", &csrf)])
        .await;
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://localhost:3000/api/auth/signin");
    // Without CSRF: MissingCSRF.
    let res = b.post_form("/signin/credentials", &[]).await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/api/auth/signin?error=MissingCSRF"
    );
    // Unknown provider: the visitor's mistake, 404 (Auth.js answers `Configuration`, a 500;
    // see `flow_bad_input::unknown_provider_is_not_found`).
    let res = b.post_form("/signin/nope", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["error"], "InvalidProvider");
}

#[tokio::test]
async fn credentials_callback_form_and_json() {
    let mut b = Browser::new(auth(plain_config()));
    // Form body.
    let res = b.sign_in("gus", Some("/home")).await;
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://localhost:3000/home");
    let cb = res.set_cookie("authjs.callback-url").unwrap();
    assert!(
        cb.starts_with("authjs.callback-url=http%3A%2F%2Flocalhost%3A3000%2Fhome;"),
        "{cb}"
    );
    assert_eq!(b.session().await["user"]["name"], "gus");

    // JSON body.
    let mut b = Browser::new(auth(plain_config()));
    let csrf = b.csrf().await;
    let res = b
        .post_json(
            "/callback/credentials",
            &serde_json::json!({ "csrfToken": csrf, "username": "hal", "password": "pw" }),
        )
        .await;
    assert_eq!(res.status, 302);
    assert_eq!(
        res.location(),
        "http://localhost:3000",
        "no callbackUrl: the origin"
    );
    assert_eq!(b.session().await["user"]["name"], "hal");

    // Wrong password, JSON: CredentialsSignin, never a 500.
    let res = b
        .post_json(
            "/callback/credentials",
            &serde_json::json!({ "csrfToken": csrf, "username": "hal", "password": 12 }),
        )
        .await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials"
    );
    // GET on the credentials callback: 405.
    let res = b.get("/callback/credentials").await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("POST"));
}

#[tokio::test]
async fn x_auth_return_redirect() {
    let mut b = Browser::new(auth(plain_config()));
    let csrf = b.csrf().await;
    let body = form(&[
        ("csrfToken", &csrf),
        ("username", "ida"),
        ("password", "pw"),
        ("callbackUrl", "/x"),
    ]);
    let res = b
        .send_with(
            "POST",
            "/callback/credentials",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("x-auth-return-redirect", "1")],
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json(),
        serde_json::json!({ "url": "http://localhost:3000/x" })
    );
    assert!(res.header("location").is_none());
    assert!(
        res.set_cookie("authjs.session-token").is_some(),
        "cookies still set"
    );
    // An error redirect too.
    let res = b
        .send_with(
            "POST",
            "/signout",
            None,
            Vec::new(),
            &[("x-auth-return-redirect", "1")],
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json(),
        serde_json::json!({ "url": "http://localhost:3000/api/auth/signin?error=MissingCSRF" })
    );
}

#[tokio::test]
async fn signout_clears_every_chunk() {
    let mut b = Browser::new(auth(counting_config(Arc::default())));
    b.sign_in("big", None).await;
    let names = b.session_cookie_names();
    assert!(names.len() >= 2, "a 6000-byte claim is chunked: {names:?}");
    let expected: Vec<String> = (0..names.len())
        .map(|i| format!("authjs.session-token.{i}"))
        .collect();
    assert_eq!(names, expected);
    assert!(b.jar.values().all(|v| v.len() <= 3936));
    let csrf = b.csrf().await;
    let res = b.post_form("/signout", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://localhost:3000");
    for n in &names {
        let c = res.set_cookie(n).unwrap();
        assert!(c.starts_with(&format!("{n}=; Max-Age=0; Path=/")), "{c}");
    }
    assert!(b.session_cookie_names().is_empty());
    assert_eq!(b.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn signout_requires_csrf() {
    let mut b = Browser::new(auth(plain_config()));
    b.sign_in("jan", None).await;
    let res = b
        .post_form("/signout", &[("csrfToken", "0".repeat(64).as_str())])
        .await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/api/auth/signin?error=MissingCSRF"
    );
    assert_eq!(b.session().await["user"]["name"], "jan", "still signed in");
}

#[tokio::test]
async fn custom_pages_are_redirects() {
    let config = plain_config().__pages(Pages {
        sign_in: Some("/login".to_owned()),
        sign_out: Some("/logout".to_owned()),
        error: Some("/oops".to_owned()),
        verify_request: None,
    });
    let mut b = Browser::new(auth(config));
    let res = b
        .get("/signin?callbackUrl=%2Fafter&error=CredentialsSignin")
        .await;
    assert_eq!(
        res.location(),
        "/login?callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Fafter&error=CredentialsSignin"
    );
    let res = b.get("/signout").await;
    assert_eq!(res.location(), "/logout");
    let res = b.get("/error?error=AccessDenied").await;
    assert_eq!(res.location(), "/oops?error=AccessDenied");
    // Errors go to the custom pages too.
    let res = b.post_form("/callback/credentials", &[]).await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/login?error=MissingCSRF"
    );
}

#[tokio::test]
async fn methods_and_unknown_actions() {
    let mut b = Browser::new(auth(plain_config()));
    for method in ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
        let res = b.send(method, "/session", None, Vec::new()).await;
        assert_eq!(res.status, 400, "{method}");
        assert_eq!(res.json()["error"], "UnknownAction");
        assert!(
            res.json()["message"]
                .as_str()
                .unwrap()
                .contains("GET and POST")
        );
    }
    let res = b.send("POST", "/csrf", None, Vec::new()).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET"));
    let res = b.get("/signin/credentials").await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("POST"));
    for path in [
        "/nope",
        "/session/extra",
        "/csrf/x",
        "/callback",
        "/a/b/c",
        "/",
    ] {
        let res = b.get(path).await;
        assert_eq!(res.status, 400, "{path}");
        assert_eq!(res.json()["error"], "UnknownAction", "{path}");
    }
    let res = b.get("/api/authx/session").await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let mut b = Browser::new(auth(plain_config()));
    let res = b
        .send(
            "POST",
            "/callback/credentials",
            Some("application/json"),
            vec![b' '; 70 * 1024],
        )
        .await;
    assert_eq!(res.status, 413);
}

#[tokio::test]
async fn custom_base_path() {
    let mut b = Browser::new(auth(plain_config().with_base_path("/auth")));
    b.base = "/auth".to_owned();
    let res = b.get("/providers").await;
    assert_eq!(
        res.json()["credentials"]["signinUrl"],
        "http://localhost:3000/auth/signin/credentials"
    );
    let res = b.post_form("/callback/credentials", &[]).await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/auth/signin?error=MissingCSRF"
    );
}

#[test]
fn config_errors() {
    let err = |c: AuthConfig<Tok, SUser>| Auth::new(c).err();
    assert_eq!(
        err(AuthConfig::__new().with_secrets([SECRET]).with_url(ORIGIN)),
        Some(ConfigError::NoProviders)
    );
    assert_eq!(
        err(plain_config().__provider(credentials_provider())),
        Some(ConfigError::DuplicateProvider("credentials".into()))
    );
    for bad in ["api/auth", "/api/auth/", "/", "/a//b", "/a b", "/a?x"] {
        assert_eq!(
            err(plain_config().with_base_path(bad)),
            Some(ConfigError::InvalidBasePath(bad.into())),
            "{bad}"
        );
    }
    assert_eq!(
        err(plain_config().__strategy(SessionStrategy::Database)),
        Some(ConfigError::MissingAdapter)
    );
    assert!(matches!(
        err(plain_config().with_url("ftp://x")),
        Some(ConfigError::InvalidUrl(_))
    ));
    assert!(matches!(
        err(plain_config().with_url("not a url")),
        Some(ConfigError::InvalidUrl(_))
    ));
    let mut p = providers::credentials(Arc::new(|_| {
        boxed(async { Err(auth_runtime::CredentialsError::default()) })
    }));
    p.id = "a/b".into();
    assert_eq!(
        err(plain_config().__provider(Provider::Credentials(p))),
        Some(ConfigError::InvalidProviderId("a/b".into()))
    );
    // An OAuth provider's `env(..)` values are read at start-up.
    let github = providers::github(
        auth_runtime::env("FLOW_TEST_UNSET_GITHUB_ID"),
        "secret".into(),
    );
    assert_eq!(
        err(plain_config().__provider(Provider::OAuth(github))),
        Some(ConfigError::MissingEnv("FLOW_TEST_UNSET_GITHUB_ID"))
    );
    // Messages say what to do.
    assert!(
        ConfigError::MissingSecret
            .to_string()
            .contains("AUTH_SECRET")
    );
    assert!(ConfigError::MissingUrl.to_string().contains("AUTH_URL"));
    assert!(
        ConfigError::MissingUrl
            .to_string()
            .contains("AUTH_TRUST_HOST")
    );
}
