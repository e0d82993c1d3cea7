//! Site URL and host: `AUTH_URL`/`url`, `trust_host` with `X-Forwarded-*`, `__Secure-`
//! and `__Host-` cookie names on https, and the environment (`AUTH_SECRET*`, `AUTH_URL`,
//! `AUTH_TRUST_HOST`, `env(..)`) given to the configuration with `with_env`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_runtime::{Auth, AuthConfig, ConfigError};
use auth_tests::flow::*;

#[tokio::test]
async fn https_url_gives_secure_cookie_names() {
    let mut b = Browser::new(auth(plain_config().with_url("https://app.example.com")));
    let res = b.get("/csrf").await;
    let csrf = res.set_cookie("__Host-authjs.csrf-token").unwrap();
    assert!(
        csrf.ends_with("; Path=/; HttpOnly; Secure; SameSite=Lax"),
        "{csrf}"
    );
    assert!(
        !csrf.contains("Domain"),
        "__Host- cookies have no Domain: {csrf}"
    );
    let res = b.sign_in("nia", Some("/in")).await;
    assert_eq!(res.location(), "https://app.example.com/in");
    let session = res.set_cookie("__Secure-authjs.session-token").unwrap();
    assert!(session.contains("; Secure; SameSite=Lax"), "{session}");
    assert!(res.set_cookie("__Secure-authjs.callback-url").is_some());
    assert!(res.set_cookie("authjs.session-token").is_none());
    assert_eq!(b.session().await["user"]["name"], "nia");
    // The http name is not read on https.
    let token = b.jar.remove("__Secure-authjs.session-token").unwrap();
    b.jar.insert("authjs.session-token".into(), token);
    assert_eq!(b.session().await, serde_json::Value::Null);
    let res = b.get("/providers").await;
    assert_eq!(
        res.json()["credentials"]["callbackUrl"],
        "https://app.example.com/api/auth/callback/credentials"
    );
}

#[tokio::test]
async fn fixed_url_ignores_forwarded_headers() {
    let mut b = Browser::new(auth(plain_config()));
    b.extra_headers = vec![
        ("host".into(), "evil.example".into()),
        ("x-forwarded-host".into(), "evil.example".into()),
        ("x-forwarded-proto".into(), "https".into()),
    ];
    let res = b.get("/providers").await;
    assert_eq!(
        res.json()["credentials"]["signinUrl"],
        "http://localhost:3000/api/auth/signin/credentials"
    );
    let res = b.sign_in("oz", Some("https://evil.example/")).await;
    assert_eq!(res.location(), "http://localhost:3000");
    assert!(res.set_cookie("authjs.session-token").is_some());
}

fn trusted() -> AuthConfig<Tok, SUser> {
    AuthConfig::<Tok, SUser>::__new()
        .__provider(credentials_provider())
        .with_secrets([SECRET])
        .with_trust_host(true)
}

#[tokio::test]
async fn trust_host_uses_the_request_host() {
    let mut b = Browser::new(auth(trusted()));
    b.extra_headers = vec![("host".into(), "internal:8080".into())];
    let res = b.get("/providers").await;
    assert_eq!(
        res.json()["credentials"]["signinUrl"],
        "http://internal:8080/api/auth/signin/credentials"
    );
    let res = b.sign_in("pia", Some("/x")).await;
    assert_eq!(res.location(), "http://internal:8080/x");
    assert!(res.set_cookie("authjs.session-token").is_some());
}

#[tokio::test]
async fn trust_host_honours_forwarded_headers() {
    let mut b = Browser::new(auth(trusted()));
    b.extra_headers = vec![
        ("host".into(), "internal:8080".into()),
        ("x-forwarded-host".into(), "app.example.com".into()),
        ("x-forwarded-proto".into(), "https".into()),
    ];
    let res = b.get("/providers").await;
    assert_eq!(
        res.json()["credentials"]["signinUrl"],
        "https://app.example.com/api/auth/signin/credentials"
    );
    let res = b.sign_in("quinn", Some("/x")).await;
    assert_eq!(res.location(), "https://app.example.com/x");
    assert!(res.set_cookie("__Secure-authjs.session-token").is_some());
    assert!(b.jar.contains_key("__Host-authjs.csrf-token"));
    assert_eq!(b.session().await["user"]["name"], "quinn");
    // The axum-style read sees the same.
    let parts = http::Request::builder()
        .uri("/")
        .header("host", "internal:8080")
        .header("x-forwarded-host", "app.example.com")
        .header("x-forwarded-proto", "https")
        .header("cookie", b.cookie_header())
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let lookup = b.auth.session(&parts).await;
    assert_eq!(lookup.session.unwrap().user.name.as_deref(), Some("quinn"));
}

#[tokio::test]
async fn trust_host_refuses_bad_hosts() {
    let mut b = Browser::new(auth(trusted()));
    for (host, proto) in [
        ("evil.example/path", "http"),
        ("evil.example\\x", "http"),
        ("a b", "http"),
        ("ok.example", "javascript"),
        ("user@evil.example", "http"),
    ] {
        b.extra_headers = vec![
            ("x-forwarded-host".into(), host.into()),
            ("x-forwarded-proto".into(), proto.into()),
        ];
        let res = b.get("/session").await;
        assert_eq!(res.status, 400, "{host} {proto}");
        assert_eq!(res.json()["error"], "UntrustedHost");
    }
    b.extra_headers.clear();
    let res = b.get("/session").await;
    assert_eq!(res.status, 400, "no Host at all");
}

#[test]
fn no_url_and_no_trust_is_a_config_error() {
    if std::env::var_os("AUTH_URL").is_some() || std::env::var_os("AUTH_TRUST_HOST").is_some() {
        panic!("unset AUTH_URL and AUTH_TRUST_HOST to run the flow tests");
    }
    let config = AuthConfig::<Tok, SUser>::__new()
        .__provider(credentials_provider())
        .with_secrets([SECRET]);
    assert_eq!(Auth::new(config).err(), Some(ConfigError::MissingUrl));
}

// ---- The environment, given to the configuration (`with_env`): every case runs in this
// process and asserts (setting process variables would race with the other tests). ----

const SECRET_0: &str = "env-secret-0-0123456789abcdef0123456789";
const SECRET_1: &str = "env-secret-1-0123456789abcdef0123456789";

fn env_config() -> AuthConfig<Tok, SUser> {
    AuthConfig::<Tok, SUser>::__new().__provider(credentials_provider())
}

#[tokio::test]
async fn env_secrets_and_url() {
    let env = [
        ("AUTH_SECRET", SECRET_0),
        ("AUTH_SECRET_1", SECRET_1),
        ("AUTH_URL", "https://env.example.com/api/auth"),
    ];
    let mut b = Browser::new(auth(env_config().with_env(env)));
    let res = b.sign_in("rio", None).await;
    assert_eq!(
        res.location(),
        "https://env.example.com",
        "AUTH_URL's origin"
    );
    let token = b.jar["__Secure-authjs.session-token"].clone();
    // Auth.js's order: AUTH_SECRET_1 is unshifted before AUTH_SECRET, so it encodes.
    for (secret, accepted) in [(SECRET_1, true), (SECRET_0, false)] {
        let mut other = Browser::new(auth(env_config().with_env(env).with_secrets([secret])));
        other
            .jar
            .insert("__Secure-authjs.session-token".into(), token.clone());
        let s = other.session().await;
        assert_eq!(s != serde_json::Value::Null, accepted, "secret {secret}");
    }
    // Either secret decodes (rotation): a token made with AUTH_SECRET alone is accepted.
    let mut old = Browser::new(auth(env_config().with_env(env).with_secrets([SECRET_0])));
    old.sign_in("old", None).await;
    b.jar = old.jar.clone();
    assert_eq!(b.session().await["user"]["name"], "old");
}

#[test]
fn env_missing_secret() {
    let config = env_config().with_env([("AUTH_URL", "http://localhost:3000")]);
    assert_eq!(Auth::new(config).err(), Some(ConfigError::MissingSecret));
    // An empty variable is unset.
    let config =
        env_config().with_env([("AUTH_URL", "http://localhost:3000"), ("AUTH_SECRET", "")]);
    assert_eq!(Auth::new(config).err(), Some(ConfigError::MissingSecret));
    // No URL and no trust from the given environment either.
    let config = env_config().with_env([("AUTH_SECRET", SECRET_0)]);
    assert_eq!(Auth::new(config).err(), Some(ConfigError::MissingUrl));
}

#[tokio::test]
async fn env_trust_host() {
    let config = env_config().with_env([("AUTH_SECRET", SECRET_0), ("AUTH_TRUST_HOST", "true")]);
    let mut b = Browser::new(auth(config));
    b.extra_headers = vec![("host".into(), "from-env:1234".into())];
    let res = b.sign_in("sam", None).await;
    assert_eq!(res.location(), "http://from-env:1234");
    // `AUTH_TRUST_HOST=false` (or anything but true/1) does not trust.
    let config = env_config().with_env([("AUTH_SECRET", SECRET_0), ("AUTH_TRUST_HOST", "false")]);
    assert_eq!(Auth::new(config).err(), Some(ConfigError::MissingUrl));
}

/// A provider's `env(..)` values come from the given environment, and only from it: a
/// variable the process has (`PATH`) is unset for a configuration given its own.
#[test]
fn env_values_of_providers_come_from_the_given_environment() {
    use auth_runtime::config::env;
    use auth_runtime::{Provider, providers};

    let github = |secret_var: &'static str| {
        Provider::OAuth(providers::github(env("GITHUB_ID"), env(secret_var)))
    };
    let base = [
        ("AUTH_SECRET", SECRET_0),
        ("AUTH_URL", "http://localhost:3000"),
    ];
    let config = env_config().__provider(github("GITHUB_SECRET")).with_env(
        base.into_iter()
            .chain([("GITHUB_ID", "id"), ("GITHUB_SECRET", "shh")]),
    );
    assert!(Auth::new(config).is_ok());
    assert!(std::env::var_os("PATH").is_some());
    let config = env_config()
        .__provider(github("PATH"))
        .with_env(base.into_iter().chain([("GITHUB_ID", "id")]));
    assert_eq!(
        Auth::new(config).err(),
        Some(ConfigError::MissingEnv("PATH"))
    );
}
