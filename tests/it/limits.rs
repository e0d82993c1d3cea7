//! Sign-in rate limits (issue 11): the lockout arrives at the configured count from one
//! address and from rotating ones, a correct password inside it is refused, the window
//! passes on the test clock; two axum servers sharing PostgreSQL (and SQLite) enforce one
//! limit; memory stays bounded under 100 000 identifiers; the events fire.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_runtime::adapter::{Adapter, PostgresAdapter, SqliteAdapter};
use auth_runtime::config::{Rate, SignInLimits};
use auth_runtime::testing::TestClock;
use auth_runtime::{Auth, AuthConfig};
use auth_tests::flow::{Browser, SUser, Tok, auth, plain_config};

const PER_IP: u32 = 20;
const PER_IDENTIFIER: u32 = 5;
const WINDOW: Duration = Duration::from_secs(15 * 60);

/// `per_ip: 20 / 60s, per_identifier: 5 / 15min`, the address from `X-Forwarded-For`.
fn limited() -> AuthConfig<Tok, SUser> {
    plain_config().with_trust_proxy(true).with_sign_in_limits(
        SignInLimits::default()
            .with_per_ip(Rate::new(PER_IP, Duration::from_secs(60)))
            .with_per_identifier(Rate::new(PER_IDENTIFIER, WINDOW)),
    )
}

fn ip(n: u32) -> String {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)).to_string()
}

/// One credentials POST as a browser (form) from `from`.
async fn attempt(b: &mut Browser, from: &str, username: &str, password: &str) -> (u16, String) {
    let csrf = b.csrf().await;
    let body = auth_tests::flow::form(&[
        ("csrfToken", &csrf),
        ("username", username),
        ("password", password),
    ]);
    let res = b
        .send_with(
            "POST",
            "/callback/credentials",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("x-forwarded-for", from)],
        )
        .await;
    (res.status, res.location().to_owned())
}

fn refused(location: &str) -> bool {
    location.contains("error=TooManyAttempts")
}

fn wrong(location: &str) -> bool {
    location.contains("error=CredentialsSignin")
}

/// 50 wrong passwords against `ada` (from one address, or each from its own): five get
/// `CredentialsSignin`, every later one `TooManyAttempts`; then the right password is
/// refused too, until the window has passed on the test clock.
async fn lockout(rotate: bool) {
    let clock = TestClock::new();
    let mut b = Browser::new(auth(limited()).with_clock(clock.clone()));
    for i in 0..50u32 {
        let from = if rotate { ip(i) } else { ip(0) };
        let (status, location) = attempt(&mut b, &from, "ada", "wrong").await;
        assert_eq!(status, 302);
        if i < PER_IDENTIFIER {
            assert!(wrong(&location), "attempt {}: {location}", i + 1);
        } else {
            assert!(refused(&location), "attempt {}: {location}", i + 1);
        }
    }
    let (_, location) = attempt(&mut b, &ip(999), "ada", "pw").await;
    assert!(
        refused(&location),
        "the right password inside the lockout: {location}"
    );
    assert_eq!(b.session().await, serde_json::Value::Null);

    // Another user is not locked out (from a fresh address).
    let (_, location) = attempt(&mut b, &ip(1000), "bob", "pw").await;
    assert!(!refused(&location) && !wrong(&location), "{location}");

    clock.advance(WINDOW);
    let (_, location) = attempt(&mut b, &ip(1001), "ada", "pw").await;
    assert!(!refused(&location) && !wrong(&location), "{location}");
    assert_eq!(b.session().await["user"]["name"], "ada");
}

#[tokio::test]
async fn fifty_wrong_passwords_from_one_address() {
    lockout(false).await;
}

#[tokio::test]
async fn fifty_wrong_passwords_from_rotating_addresses() {
    lockout(true).await;
}

#[tokio::test]
async fn one_address_rotating_identifiers_is_stopped_by_the_address_limit() {
    let clock = TestClock::new();
    let mut b = Browser::new(auth(limited()).with_clock(clock.clone()));
    for i in 0..50u32 {
        let (_, location) = attempt(&mut b, &ip(7), &format!("user{i}"), "wrong").await;
        if i < PER_IP {
            assert!(wrong(&location), "attempt {}: {location}", i + 1);
        } else {
            assert!(refused(&location), "attempt {}: {location}", i + 1);
        }
    }
    // One attempt comes back every 60 s / 20 = 3 s.
    clock.advance(Duration::from_secs(3));
    let (_, location) = attempt(&mut b, &ip(7), "ada", "pw").await;
    assert!(!refused(&location) && !wrong(&location), "{location}");
}

#[tokio::test]
async fn a_json_caller_gets_429_with_retry_after() {
    let clock = TestClock::new();
    let mut b = Browser::new(auth(limited()).with_clock(clock.clone()));
    for _ in 0..PER_IDENTIFIER {
        attempt(&mut b, &ip(1), "ada", "wrong").await;
    }
    let csrf = b.csrf().await;
    let res = b
        .send_with(
            "POST",
            "/callback/credentials",
            Some("application/json"),
            serde_json::to_vec(&serde_json::json!({
                "csrfToken": csrf, "username": "ada", "password": "pw"
            }))
            .unwrap(),
            &[("x-forwarded-for", &ip(1))],
        )
        .await;
    assert_eq!(res.status, 429);
    // The burst is spent: the next attempt comes back after 15 min / 5 = 180 s.
    assert_eq!(res.header("retry-after"), Some("180"));
    let body = res.json();
    assert_eq!(body["error"], "TooManyAttempts");
    assert!(
        body["url"]
            .as_str()
            .unwrap()
            .contains("error=TooManyAttempts")
    );
    assert!(res.set_cookie("authjs.session-token").is_none());

    // `X-Auth-Return-Redirect` (Auth.js's client) is a JSON caller too.
    let csrf = b.csrf().await;
    let form = auth_tests::flow::form(&[
        ("csrfToken", &csrf),
        ("username", "ada"),
        ("password", "pw"),
    ]);
    let res = b
        .send_with(
            "POST",
            "/callback/credentials",
            Some("application/x-www-form-urlencoded"),
            form.into_bytes(),
            &[("x-forwarded-for", &ip(2)), ("x-auth-return-redirect", "1")],
        )
        .await;
    assert_eq!(res.status, 429);

    clock.advance(Duration::from_secs(180));
    let (_, location) = attempt(&mut b, &ip(1), "ada", "pw").await;
    assert!(!refused(&location) && !wrong(&location), "{location}");
}

#[tokio::test]
async fn the_sign_in_page_shows_the_text() {
    let mut b = Browser::new(auth(limited()));
    let page = b.get("/signin?error=TooManyAttempts").await;
    let html = String::from_utf8_lossy(&page.body).into_owned();
    assert!(html.contains("Too many sign-in attempts"), "{html}");
}

#[tokio::test]
async fn a_successful_sign_in_clears_the_identifier_count() {
    let mut b = Browser::new(auth(limited()));
    for round in 0..3 {
        for _ in 0..PER_IDENTIFIER - 1 {
            let (_, location) = attempt(&mut b, &ip(round), "ada", "wrong").await;
            assert!(wrong(&location), "{location}");
        }
        let (_, location) = attempt(&mut b, &ip(round), "ada", "pw").await;
        assert!(
            !refused(&location) && !wrong(&location),
            "round {round}: {location}"
        );
    }
}

#[tokio::test]
async fn limits_off_never_refuse() {
    let config = plain_config()
        .with_trust_proxy(true)
        .with_sign_in_limits(SignInLimits::off());
    let mut b = Browser::new(auth(config));
    for _ in 0..50 {
        let (_, location) = attempt(&mut b, &ip(1), "ada", "wrong").await;
        assert!(wrong(&location), "{location}");
    }
}

/// 100 000 distinct identifiers (each from its own address): each in-memory limit stays
/// at or under its cap; a locked-out identifier is still locked out afterwards.
#[tokio::test]
async fn memory_stays_bounded_under_100_000_identifiers() {
    const CAP: usize = 10_000;
    let clock = TestClock::new();
    let config = plain_config().with_trust_proxy(true).with_sign_in_limits(
        SignInLimits::default()
            .with_per_identifier(Rate::new(PER_IDENTIFIER, WINDOW))
            .with_max_keys(CAP),
    );
    let auth = auth(config).with_clock(clock.clone());
    let mut b = Browser::new(auth.clone());
    for _ in 0..=PER_IDENTIFIER {
        attempt(&mut b, &ip(0), "victim", "wrong").await;
    }
    let csrf = b.csrf().await;
    let cookie = b.cookie_header();
    for i in 0..100_000u32 {
        // A millisecond apart, so the flood's keys are all less restricted than the victim's.
        clock.advance(Duration::from_millis(1));
        let body = format!("csrfToken={csrf}&username=user{i}&password=wrong");
        let request = http::Request::post("/api/auth/callback/credentials")
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", ip(i + 1))
            .body(bytes::Bytes::from(body))
            .unwrap();
        let response = auth.handle(request).await;
        assert_eq!(response.status(), 302);
        if i % 10_000 == 0 {
            let stats = auth.sign_in_limit_stats();
            assert!(
                stats.per_identifier_keys <= CAP && stats.per_ip_keys <= CAP,
                "{stats:?}"
            );
        }
    }
    let stats = auth.sign_in_limit_stats();
    assert_eq!(stats.max_keys, CAP);
    assert!(stats.per_identifier_keys <= CAP, "{stats:?}");
    assert!(stats.per_ip_keys <= CAP, "{stats:?}");
    assert!(
        stats.per_identifier_keys > CAP / 2,
        "the store is in use: {stats:?}"
    );
    let (_, location) = attempt(&mut b, &ip(0), "victim", "pw").await;
    assert!(
        refused(&location),
        "the victim's lockout survived the flood: {location}"
    );
}

// ---- shared limits: two axum servers, one database ----

/// Serves `auth` on a loopback port, with the peer address as the client's.
async fn serve(auth: Auth<Tok, SUser>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::from(auth.routes());
    auth_tests::axum_app::serve_with_peer_addr(listener, app);
    addr
}

/// A credentials POST to the server at `addr` (fetching a CSRF token there first);
/// returns the `Location`.
async fn remote_attempt(http: &reqwest::Client, addr: SocketAddr, password: &str) -> String {
    let base = format!("http://{addr}/api/auth");
    let csrf = http.get(format!("{base}/csrf")).send().await.unwrap();
    let cookie: Vec<String> = csrf
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next().map(str::to_owned))
        .collect();
    let token: serde_json::Value = csrf.json().await.unwrap();
    let token = token["csrfToken"].as_str().unwrap().to_owned();
    let res = http
        .post(format!("{base}/callback/credentials"))
        .header("cookie", cookie.join("; "))
        .form(&[
            ("csrfToken", token.as_str()),
            ("username", "ada"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// Two servers, each with its own adapter (pool) on one database: attempts alternate
/// between them, and the sixth is refused, as on one server.
async fn two_servers_one_limit(a: Arc<dyn Adapter>, b: Arc<dyn Adapter>) {
    let config = || {
        plain_config().with_sign_in_limits(
            SignInLimits::default().with_per_identifier(Rate::new(PER_IDENTIFIER, WINDOW)),
        )
    };
    let servers = [
        serve(Auth::with_adapter(config(), a).unwrap()).await,
        serve(Auth::with_adapter(config(), b).unwrap()).await,
    ];
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for i in 0..12usize {
        let location = remote_attempt(&http, servers[i % 2], "wrong").await;
        if i < PER_IDENTIFIER as usize {
            assert!(wrong(&location), "attempt {}: {location}", i + 1);
        } else {
            assert!(refused(&location), "attempt {}: {location}", i + 1);
        }
    }
    for server in servers {
        let location = remote_attempt(&http, server, "pw").await;
        assert!(
            refused(&location),
            "the right password on either server: {location}"
        );
    }
}

#[tokio::test]
async fn two_axum_servers_sharing_postgres_enforce_one_limit() {
    let db = auth_tests::postgres::TestDatabase::create("limits").await;
    let a = PostgresAdapter::connect(&db.url).await.unwrap();
    let b = PostgresAdapter::connect(&db.url).await.unwrap();
    two_servers_one_limit(Arc::new(a), Arc::new(b)).await;
    db.drop_database().await;
}

#[tokio::test]
async fn two_axum_servers_sharing_sqlite_enforce_one_limit() {
    let file = auth_tests::sqlite::TempDb::new("limits");
    let a = SqliteAdapter::connect(&file.url()).await.unwrap();
    let b = SqliteAdapter::connect(&file.url()).await.unwrap();
    two_servers_one_limit(Arc::new(a), Arc::new(b)).await;
}

// ---- events ----

static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(line: String) {
    SEEN.lock().unwrap().push(line);
}

mod app {
    auth_runtime::auth! {
        providers: [
            Credentials {
                authorize: |credentials| async move {
                    (credentials.get("password") == Some("correct horse"))
                        .then(|| auth_runtime::User::new("1").with_name("ada"))
                },
            },
        ],
        limits: { sign_in: { per_ip: off, per_identifier: 2 / 10min } },
        events: {
            sign_in_failed(provider, identifier, ip, code) {
                super::record(format!("failed {provider} {identifier:?} {ip:?} {code}"));
            }
            locked_out(provider, identifier, ip, limit, retry_after) {
                super::record(format!("locked {provider} {identifier:?} {ip:?} {limit:?} {retry_after:?}"));
            }
        },
    }
}

#[tokio::test]
async fn sign_in_failed_and_locked_out_fire_without_secrets() {
    let config = app::config()
        .with_secrets(["limits-events-secret-0123456789abcdef0123"])
        .with_url("http://localhost:3000");
    let auth = app::Auth::new(config).unwrap().with_clock(TestClock::new());
    let mut jar = auth_tests::cookies::CookieJar::new();
    for _ in 0..3 {
        let csrf = auth
            .handle(
                http::Request::get("/api/auth/csrf")
                    .body(bytes::Bytes::new())
                    .unwrap(),
            )
            .await;
        jar.store(csrf.headers());
        let token: serde_json::Value = serde_json::from_slice(csrf.body()).unwrap();
        let body = format!(
            "csrfToken={}&username=Ada&password=hunter2",
            token["csrfToken"].as_str().unwrap()
        );
        let request = http::Request::post("/api/auth/callback/credentials")
            .header("cookie", jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .extension(auth_runtime::ClientAddr(IpAddr::V4(Ipv4Addr::new(
                192, 0, 2, 7,
            ))))
            .body(bytes::Bytes::from(body))
            .unwrap();
        auth.handle(request).await;
    }
    // The events run in their own tasks: wait (bounded) for all three.
    let mut seen = Vec::new();
    for _ in 0..200 {
        seen = SEEN.lock().unwrap().clone();
        if seen.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "failed credentials Some(\"Ada\") Some(192.0.2.7) credentials",
            "failed credentials Some(\"Ada\") Some(192.0.2.7) credentials",
            "locked credentials Some(\"Ada\") Some(192.0.2.7) PerIdentifier 300s",
        ]
    );
    assert!(seen.iter().all(|l| !l.contains("hunter2")));
}
