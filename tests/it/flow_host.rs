//! Site URL and host: `AUTH_URL`/`url`, `trust_host` with `X-Forwarded-*`, `__Secure-`
//! and `__Host-` cookie names on https, and the environment (`AUTH_SECRET*`, `AUTH_URL`,
//! `AUTH_TRUST_HOST`) read in a child process.
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

// ---- The environment, read in a child process (setting variables in this one would race
// with other tests, and `set_var` is unsafe in edition 2024). ----

const CHILD: &str = "FLOW_HOST_CHILD";

fn run_child(test: &str, env: &[(&str, &str)]) {
    // The test's full name in this binary: its module path without the crate's name.
    let name = match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::{test}"),
        None => test.to_owned(),
    };
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", &name, "--nocapture", "--test-threads=1"]);
    for var in [
        "AUTH_SECRET",
        "AUTH_SECRET_1",
        "AUTH_SECRET_2",
        "AUTH_SECRET_3",
        "AUTH_URL",
        "AUTH_TRUST_HOST",
    ] {
        cmd.env_remove(var);
    }
    cmd.env(CHILD, test);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child {test} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "child {test} did not run:\n{stdout}"
    );
}

fn in_child(test: &str) -> bool {
    std::env::var(CHILD).as_deref() == Ok(test)
}

fn env_config() -> AuthConfig<Tok, SUser> {
    AuthConfig::<Tok, SUser>::__new().__provider(credentials_provider())
}

#[test]
fn env_secrets_and_url() {
    run_child(
        "child_env_secrets",
        &[
            ("AUTH_SECRET", "env-secret-0-0123456789abcdef0123456789"),
            ("AUTH_SECRET_1", "env-secret-1-0123456789abcdef0123456789"),
            ("AUTH_URL", "https://env.example.com/api/auth"),
        ],
    );
    run_child(
        "child_missing_secret",
        &[("AUTH_URL", "http://localhost:3000")],
    );
    run_child(
        "child_trust_host_env",
        &[
            ("AUTH_SECRET", "env-secret-0-0123456789abcdef0123456789"),
            ("AUTH_TRUST_HOST", "true"),
        ],
    );
}

#[tokio::test]
async fn child_env_secrets() {
    if !in_child("child_env_secrets") {
        return;
    }
    let mut b = Browser::new(auth(env_config()));
    let res = b.sign_in("rio", None).await;
    assert_eq!(
        res.location(),
        "https://env.example.com",
        "AUTH_URL's origin"
    );
    let token = b.jar["__Secure-authjs.session-token"].clone();
    // Auth.js's order: AUTH_SECRET_1 is unshifted before AUTH_SECRET, so it encodes.
    for (secret, accepted) in [
        ("env-secret-1-0123456789abcdef0123456789", true),
        ("env-secret-0-0123456789abcdef0123456789", false),
    ] {
        let mut other = Browser::new(auth(env_config().with_secrets([secret])));
        other
            .jar
            .insert("__Secure-authjs.session-token".into(), token.clone());
        let s = other.session().await;
        assert_eq!(s != serde_json::Value::Null, accepted, "secret {secret}");
    }
    // Either secret decodes (rotation): a token made with AUTH_SECRET alone is accepted.
    let mut old = Browser::new(auth(
        env_config().with_secrets(["env-secret-0-0123456789abcdef0123456789"]),
    ));
    old.sign_in("old", None).await;
    b.jar = old.jar.clone();
    assert_eq!(b.session().await["user"]["name"], "old");
}

#[test]
fn child_missing_secret() {
    if !in_child("child_missing_secret") {
        return;
    }
    assert_eq!(
        Auth::new(env_config()).err(),
        Some(ConfigError::MissingSecret)
    );
}

#[tokio::test]
async fn child_trust_host_env() {
    if !in_child("child_trust_host_env") {
        return;
    }
    let mut b = Browser::new(auth(env_config()));
    b.extra_headers = vec![("host".into(), "from-env:1234".into())];
    let res = b.sign_in("sam", None).await;
    assert_eq!(res.location(), "http://from-env:1234");
}
