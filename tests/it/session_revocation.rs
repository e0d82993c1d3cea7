//! Revocable JWT sessions (issue 11, item 4): with an adapter, every JWT session carries the
//! user's session version, and `Auth::sign_out_everywhere` ends every one of them, on every
//! app server sharing the database, within the session check interval.
//!
//! Each scenario runs on SQLite (two adapters over one file) and on the tests' PostgreSQL
//! (two pools over one database): two `Auth` values are two app servers.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_runtime::adapter::{Adapter, AdapterError, AdapterFuture};
use auth_runtime::config::DEFAULT_SESSION_CHECK_INTERVAL;
use auth_runtime::jwt::{JwtCodec, Secrets, TokenFormat};
use auth_runtime::testing::TestClock;
use auth_runtime::{
    Auth, AuthConfig, Credentials, CredentialsError, Provider, SESSION_VERSION_CLAIM, User,
    password, providers,
};
use auth_tests::Cleanup as _;
use auth_tests::flow::{Browser, ORIGIN, SECRET, SUser, Tok, boxed, plain_config};
use serde_json::{Map, Value};

const HOUR: Duration = Duration::from_secs(3600);

fn server(db: &Arc<dyn Adapter>, interval: Duration) -> Auth<Tok, SUser> {
    server_with(plain_config(), db, interval)
}

fn server_with(
    config: AuthConfig<Tok, SUser>,
    db: &Arc<dyn Adapter>,
    interval: Duration,
) -> Auth<Tok, SUser> {
    Auth::with_adapter(config.with_session_check_interval(interval), db.clone()).unwrap()
}

/// A browser signed in as `username` on `auth`.
async fn signed_in(auth: &Auth<Tok, SUser>, username: &str) -> Browser {
    let mut b = Browser::new(auth.clone());
    let res = b.sign_in(username, None).await;
    assert_eq!(res.status, 302, "{res:?}");
    assert_eq!(res.location(), ORIGIN, "signed in");
    assert_signed_in(&mut b, username).await;
    b
}

async fn assert_signed_in(b: &mut Browser, username: &str) {
    let s = b.session().await;
    assert_eq!(s["user"]["name"], username, "{s}");
    assert!(b.jar.has_session(), "the cookie is kept");
}

/// The read answers `null` and clears every chunk of the session cookie.
async fn assert_signed_out(b: &mut Browser) {
    let res = b.get("/session").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), Value::Null);
    assert!(
        res.set_cookies()
            .iter()
            .any(|c| c.starts_with("authjs.session-token=") && c.contains("Max-Age=0")),
        "the cookie is cleared: {:?}",
        res.set_cookies()
    );
    assert!(!b.jar.has_session());
}

/// The browser's session with the cookie of another browser (the same cookie on another server).
fn on(auth: &Auth<Tok, SUser>, from: &Browser) -> Browser {
    let mut b = Browser::new(auth.clone());
    b.jar = from.jar.clone();
    b
}

/// The claims of the browser's session cookie.
fn claims(b: &Browser) -> Map<String, Value> {
    let secrets = Secrets::new(vec![SECRET.to_owned()]).unwrap();
    let codec = JwtCodec::new(&secrets, "authjs.session-token", TokenFormat::AuthJs).unwrap();
    let now = auth_runtime::adapter::unix_now();
    codec.decode(&b.jar["authjs.session-token"], now).unwrap()
}

// ----- the scenarios, each given two adapters over one database -----

/// Two browsers signed in on server A; server B revokes; both read as signed out on A (a
/// zero interval: "past the interval"), and on B. Another user is not touched, and a new
/// sign-in works on both servers.
async fn revoking_on_another_server_signs_every_browser_out(dbs: [Arc<dyn Adapter>; 2]) {
    let a = server(&dbs[0], Duration::ZERO);
    let b = server(&dbs[1], Duration::ZERO);
    let mut first = signed_in(&a, "ada").await;
    let mut second = signed_in(&a, "ada").await;
    let mut other = signed_in(&a, "bob").await;
    assert_eq!(
        claims(&first).get(SESSION_VERSION_CLAIM),
        Some(&Value::from(0))
    );
    let mut first_on_b = on(&b, &first);
    assert_signed_in(&mut first_on_b, "ada").await;

    let rows = b.sign_out_everywhere("id-ada").await.unwrap();
    assert_eq!(rows, 0, "no database session rows under the jwt strategy");

    assert_signed_out(&mut first).await;
    assert_signed_out(&mut second).await;
    assert_signed_out(&mut first_on_b).await;
    assert_signed_in(&mut other, "bob").await;

    // Signing in again works, on either server, and reads on the other one.
    let again = signed_in(&a, "ada").await;
    assert_eq!(
        claims(&again).get(SESSION_VERSION_CLAIM),
        Some(&Value::from(1))
    );
    assert_signed_in(&mut on(&b, &again), "ada").await;
    let again_on_b = signed_in(&b, "ada").await;
    assert_signed_in(&mut on(&a, &again_on_b), "ada").await;
    // A second revocation ends those too.
    a.sign_out_everywhere("id-ada").await.unwrap();
    assert_signed_out(&mut on(&a, &again)).await;
    assert_signed_out(&mut on(&b, &again_on_b)).await;
}

/// Bounded staleness, on a test clock: a server that read the version less than its
/// interval (the default 30 s) ago keeps answering from it, and reads the revocation once
/// the interval has passed; the server that revoked, and one with a zero interval, see it
/// at once.
async fn staleness_is_bounded_by_the_interval(dbs: [Arc<dyn Adapter>; 2]) {
    let clock = TestClock::new();
    let on_clock = |db: &Arc<dyn Adapter>, config: AuthConfig<Tok, SUser>| {
        Auth::with_adapter(config, db.clone())
            .unwrap()
            .with_clock(clock.clone())
    };
    let a = on_clock(&dbs[0], plain_config());
    let b = on_clock(&dbs[1], plain_config());
    let strict = on_clock(
        &dbs[1],
        plain_config().with_session_check_interval(Duration::ZERO),
    );
    let mut browser = signed_in(&a, "ada").await;
    let mut on_b = on(&b, &browser);
    assert_signed_in(&mut on_b, "ada").await;
    let mut early = on(&strict, &browser);

    b.sign_out_everywhere("id-ada").await.unwrap();

    // The revoking server knows at once; a server with a zero interval reads the database.
    assert_signed_out(&mut on_b).await;
    assert_signed_out(&mut early).await;
    // Server A read version 0 at the sign-in: until 30 s later it answers from it, and the
    // cookie it re-issues keeps the old version (so the session stays revoked).
    clock.advance(DEFAULT_SESSION_CHECK_INTERVAL - Duration::from_secs(1));
    assert_signed_in(&mut browser, "ada").await;
    assert_eq!(
        claims(&browser).get(SESSION_VERSION_CLAIM),
        Some(&Value::from(0))
    );
    assert_signed_out(&mut on(&strict, &browser)).await;
    // Past the interval A asks the database again: signed out, the cookie cleared.
    clock.advance(Duration::from_secs(1));
    assert_signed_out(&mut browser).await;
}

/// A sign-in right after a revocation made on another server is stamped with the new
/// version even though this server's cache still holds the old one.
async fn a_sign_in_after_a_revocation_elsewhere_works(dbs: [Arc<dyn Adapter>; 2]) {
    let a = server(&dbs[0], HOUR);
    let b = server(&dbs[1], HOUR);
    let mut old = signed_in(&a, "ada").await;
    b.sign_out_everywhere("id-ada").await.unwrap();
    let mut fresh = signed_in(&a, "ada").await;
    assert_eq!(
        claims(&fresh).get(SESSION_VERSION_CLAIM),
        Some(&Value::from(1))
    );
    // The sign-in refreshed A's cache: the old session is now refused there too.
    assert_signed_out(&mut old).await;
    assert_signed_in(&mut fresh, "ada").await;
    assert_signed_in(&mut on(&b, &fresh), "ada").await;
}

/// The application's password store: user name to argon2 hash.
type Passwords = Arc<Mutex<HashMap<String, String>>>;

/// A credentials provider checking `password` against `passwords` (the user's id is
/// `id-<name>`), as an application's `authorize` does.
fn password_config(passwords: Passwords) -> AuthConfig<Tok, SUser> {
    let provider = providers::credentials(Arc::new(move |c: Credentials| {
        let passwords = passwords.clone();
        boxed(async move {
            let name = c.get("username").unwrap_or_default().to_owned();
            let stored = passwords.lock().unwrap().get(&name).cloned();
            let given = c.get("password").unwrap_or_default().to_owned();
            let ok = match stored {
                Some(hash) => password::verify(&given, &hash).unwrap_or(false),
                None => password::verify_unknown_user(&given),
            };
            if ok {
                Ok(User::new(format!("id-{name}")).with_name(name))
            } else {
                Err(CredentialsError::default())
            }
        })
    }));
    AuthConfig::<Tok, SUser>::__new()
        .__provider(Provider::Credentials(provider))
        .with_secrets([SECRET])
        .with_url(ORIGIN)
}

async fn sign_in_with(b: &mut Browser, username: &str, password: &str) -> String {
    let csrf = b.csrf().await;
    let res = b
        .post_form(
            "/callback/credentials",
            &[
                ("csrfToken", csrf.as_str()),
                ("username", username),
                ("password", password),
            ],
        )
        .await;
    res.location().to_owned()
}

/// A password change (the application stores the new hash and calls
/// `sign_out_everywhere`) ends every session on every server; the browser that changed it
/// is signed in again with `Auth::sign_in`; the old password no longer works.
async fn a_password_change_ends_every_session(dbs: [Arc<dyn Adapter>; 2]) {
    let passwords: Passwords = Arc::default();
    passwords
        .lock()
        .unwrap()
        .insert("ada".into(), password::hash("old password").unwrap());
    let a = server_with(password_config(passwords.clone()), &dbs[0], Duration::ZERO);
    let b = server_with(password_config(passwords.clone()), &dbs[1], Duration::ZERO);
    let mut laptop = Browser::new(a.clone());
    assert_eq!(
        sign_in_with(&mut laptop, "ada", "old password").await,
        ORIGIN
    );
    let mut phone = Browser::new(b.clone());
    assert_eq!(
        sign_in_with(&mut phone, "ada", "old password").await,
        ORIGIN
    );
    assert_signed_in(&mut laptop, "ada").await;
    assert_signed_in(&mut phone, "ada").await;

    // The laptop changes the password on server B: the handler stores the new hash, ends
    // every session, and signs this browser in again.
    passwords
        .lock()
        .unwrap()
        .insert("ada".into(), password::hash("new password").unwrap());
    b.sign_out_everywhere("id-ada").await.unwrap();
    let parts = http::Request::builder()
        .uri("/account/password")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let change = b
        .sign_in(&parts, User::new("id-ada").with_name("ada"))
        .await
        .unwrap();
    let mut headers = http::HeaderMap::new();
    change.apply_to(&mut headers);
    let mut laptop_after = Browser::new(a.clone());
    laptop_after.jar.store(&headers);

    assert_signed_out(&mut laptop).await;
    assert_signed_out(&mut phone).await;
    assert_signed_in(&mut laptop_after, "ada").await;
    assert_signed_in(&mut on(&b, &laptop_after), "ada").await;
    let mut thief = Browser::new(a.clone());
    let refused = sign_in_with(&mut thief, "ada", "old password").await;
    assert!(refused.contains("error=CredentialsSignin"), "{refused}");
    assert_eq!(
        sign_in_with(&mut phone, "ada", "new password").await,
        ORIGIN
    );
    assert_signed_in(&mut phone, "ada").await;
}

/// Under the database strategy `sign_out_everywhere` deletes the user's rows.
async fn the_database_strategy_deletes_the_rows(dbs: [Arc<dyn Adapter>; 2]) {
    let config = || {
        plain_config()
            .__strategy(auth_runtime::SessionStrategy::Database)
            .with_session_check_interval(Duration::ZERO)
    };
    let a = Auth::with_adapter(config(), dbs[0].clone()).unwrap();
    let b = Auth::with_adapter(config(), dbs[1].clone()).unwrap();
    let mut first = signed_in(&a, "ada").await;
    let mut second = signed_in(&b, "ada").await;
    assert_eq!(b.sign_out_everywhere("id-ada").await.unwrap(), 2);
    assert_signed_out(&mut first).await;
    assert_signed_out(&mut second).await;
}

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let file = auth_tests::sqlite::TempDb::new(stringify!($name));
                    let mut dbs = Vec::new();
                    for _ in 0..2 {
                        let db = auth_runtime::adapter::SqliteAdapter::connect(&file.url())
                            .await
                            .unwrap();
                        dbs.push(Arc::new(db) as Arc<dyn Adapter>);
                    }
                    super::$name(dbs.try_into().ok().unwrap()).await;
                    file.cleanup().await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let database =
                        auth_tests::postgres::TestDatabase::create("revoke").await;
                    let mut dbs = Vec::new();
                    for _ in 0..2 {
                        let db = auth_runtime::adapter::PostgresAdapter::connect(&database.url)
                            .await
                            .unwrap();
                        dbs.push(Arc::new(db) as Arc<dyn Adapter>);
                    }
                    super::$name(dbs.try_into().ok().unwrap()).await;
                    database.cleanup().await;
                }
            )*
        }
    };
}

on_both_databases!(
    revoking_on_another_server_signs_every_browser_out,
    staleness_is_bounded_by_the_interval,
    a_sign_in_after_a_revocation_elsewhere_works,
    a_password_change_ends_every_session,
    the_database_strategy_deletes_the_rows,
);

// ----- without an adapter, or with the check turned off -----

#[tokio::test]
async fn without_an_adapter_nothing_changes() {
    let auth = Auth::new(plain_config()).unwrap();
    let mut b = signed_in(&auth, "ada").await;
    assert!(!claims(&b).contains_key(SESSION_VERSION_CLAIM), "no claim");
    assert!(matches!(
        auth.sign_out_everywhere("id-ada").await,
        Err(AdapterError::Config(_))
    ));
    assert_signed_in(&mut b, "ada").await;
}

#[tokio::test]
async fn the_check_can_be_turned_off() {
    let (db, file) = auth_tests::sqlite::adapter("revocation-off").await;
    let auth = Auth::with_adapter(plain_config().without_session_check(), db).unwrap();
    let mut b = signed_in(&auth, "ada").await;
    assert!(!claims(&b).contains_key(SESSION_VERSION_CLAIM), "no claim");
    auth.sign_out_everywhere("id-ada").await.unwrap();
    assert_signed_in(&mut b, "ada").await;
    file.cleanup().await;
}

/// A database that does not answer is neither signed in nor out: 503, the cookie kept.
#[tokio::test]
async fn an_unavailable_database_is_503_and_keeps_the_cookie() {
    let file = auth_tests::sqlite::TempDb::new("revocation-down");
    let db = auth_runtime::adapter::SqliteAdapter::connect(&file.url())
        .await
        .unwrap();
    let shared: Arc<dyn Adapter> = Arc::new(db.clone());
    let auth = server(&shared, Duration::ZERO);
    let mut b = signed_in(&auth, "ada").await;
    db.close().await;
    let res = b.get("/session").await;
    assert_eq!(res.status, 503, "{res:?}");
    assert!(res.set_cookies().is_empty(), "{:?}", res.set_cookies());
    assert!(b.jar.has_session());
    file.cleanup().await;
}

/// The version claim does not disturb Auth.js: it reads our cookie, and the cookie it
/// re-issues keeps the claim, which we still check.
#[tokio::test]
async fn authjs_reads_a_versioned_cookie() {
    auth_tests::node::require("@auth/core");
    let (db, file) = auth_tests::sqlite::adapter("revocation-authjs").await;
    let auth = server(&db, Duration::ZERO);
    let browser = signed_in(&auth, "ada").await;
    let out = auth_tests::node::run(
        "flow-interop.mjs",
        &serde_json::json!({
            "op": "session", "secret": SECRET, "url": ORIGIN, "cookie": browser.cookie_header(),
        }),
    );
    assert_eq!(out["body"]["user"]["name"], "ada", "{out}");
    let mut reissued = Browser::new(auth.clone());
    for c in out["setCookies"].as_array().unwrap() {
        reissued.jar.apply(c.as_str().unwrap());
    }
    assert_eq!(
        claims(&reissued).get(SESSION_VERSION_CLAIM),
        Some(&Value::from(0))
    );
    assert_signed_in(&mut reissued, "ada").await;
    auth.sign_out_everywhere("id-ada").await.unwrap();
    assert_signed_out(&mut reissued).await;
    file.cleanup().await;
}

/// An application's own adapter over a SQLite one: with `versions` false it leaves the
/// session version methods to their defaults (`Unsupported`); with `versions` true it
/// delegates them too, counting the version reads.
struct Wrapped {
    inner: Arc<dyn Adapter>,
    versions: bool,
    version_reads: AtomicUsize,
}

impl Wrapped {
    fn new(inner: Arc<dyn Adapter>, versions: bool) -> Arc<Wrapped> {
        Arc::new(Wrapped {
            inner,
            versions,
            version_reads: AtomicUsize::new(0),
        })
    }
}

impl Adapter for Wrapped {
    fn session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        if !self.versions {
            return Box::pin(async { Err(AdapterError::Unsupported("session versions")) });
        }
        self.version_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.session_version(user_id)
    }
    fn bump_session_version<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, i64> {
        if !self.versions {
            return Box::pin(async { Err(AdapterError::Unsupported("session versions")) });
        }
        self.inner.bump_session_version(user_id)
    }
    auth_tests::delegate_adapter!(inner =>
        create_user,
        get_user,
        get_user_by_email,
        get_user_by_account,
        update_user,
        delete_user,
        link_account,
        unlink_account,
        create_session,
        get_session_and_user,
        update_session,
        delete_session,
        create_verification_token,
        use_verification_token,
        list_user_sessions,
        delete_user_sessions,
        delete_expired_sessions,
    );
}

/// An adapter without session versions: JWT sessions are not stamped or checked, and
/// `sign_out_everywhere` says so under the jwt strategy (it cannot end them) while it still
/// deletes the rows under the database strategy.
#[tokio::test]
async fn an_adapter_without_versions_is_not_checked_and_says_so() {
    let (db, file) = auth_tests::sqlite::adapter("revocation-unsupported").await;
    let own: Arc<dyn Adapter> = Wrapped::new(db, false);
    let jwt = server(&own, Duration::ZERO);
    let mut b = signed_in(&jwt, "ada").await;
    assert!(!claims(&b).contains_key(SESSION_VERSION_CLAIM), "no claim");
    assert!(matches!(
        jwt.sign_out_everywhere("id-ada").await,
        Err(AdapterError::Unsupported(_))
    ));
    assert_signed_in(&mut b, "ada").await;

    let database = Auth::with_adapter(
        plain_config().__strategy(auth_runtime::SessionStrategy::Database),
        own.clone(),
    )
    .unwrap();
    let mut row = signed_in(&database, "bob").await;
    assert_eq!(database.sign_out_everywhere("id-bob").await.unwrap(), 1);
    assert_signed_out(&mut row).await;
    file.cleanup().await;
}

/// The per-read cost: within the interval, reads do not touch the database (the sign-in
/// reads the version once); each time the interval passes, one read does.
#[tokio::test]
async fn one_version_read_per_interval() {
    let (db, file) = auth_tests::sqlite::adapter("revocation-reads").await;
    let counted = Wrapped::new(db, true);
    let clock = TestClock::new();
    let auth = Auth::with_adapter(plain_config(), counted.clone() as Arc<dyn Adapter>)
        .unwrap()
        .with_clock(clock.clone());
    let mut browsers = [signed_in(&auth, "ada").await, signed_in(&auth, "ada").await];
    // Two sign-ins read the database, the reads after them the cache.
    assert_eq!(counted.version_reads.load(Ordering::SeqCst), 2);
    for _ in 0..5 {
        for b in &mut browsers {
            assert_signed_in(b, "ada").await;
        }
    }
    assert_eq!(counted.version_reads.load(Ordering::SeqCst), 2);
    clock.advance(DEFAULT_SESSION_CHECK_INTERVAL);
    for _ in 0..5 {
        for b in &mut browsers {
            assert_signed_in(b, "ada").await;
        }
    }
    assert_eq!(
        counted.version_reads.load(Ordering::SeqCst),
        3,
        "one read per interval"
    );
    file.cleanup().await;
}
