//! The behavioural suite of the database session strategy through `Auth::handle`, run
//! against SQLite (`it/db_sqlite.rs`) and PostgreSQL (`it/db_postgres.rs`).
//!
//! Each function takes a fresh, empty database. `db_suite!(make)` expands to one
//! `#[tokio::test]` per function, `make` being an async fn returning `(Arc<dyn Adapter>, guard)`
//! (`guard`: [`Cleanup`](crate::Cleanup)), e.g. [`crate::sqlite::adapter`].
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth_runtime::adapter::{Adapter, SESSION_ID_COOKIE_LEN, SessionId, unix_now};
use auth_runtime::config::{
    DatabaseSessionArgs, JwtArgs, OAuthProvider, SessionCallback, SignInArgs, SignInDecision,
};
use auth_runtime::{Auth, AuthConfig, Provider, SessionStrategy, User};

use crate::flow::{Browser, ORIGIN, Res, SECRET, SUser, Tok, boxed, credentials_provider};
use crate::oauth::Browser as ProviderBrowser;

/// The session cookie's name (plain `http`: no prefix).
pub const COOKIE: &str = "authjs.session-token";

/// Invocation counters.
#[derive(Default)]
#[allow(missing_docs, reason = "one counter per callback")]
pub struct Counts {
    pub sign_in: AtomicUsize,
    pub jwt: AtomicUsize,
    pub session: AtomicUsize,
}

impl Counts {
    /// `[sign_in, jwt, session]`.
    pub fn get(&self) -> [usize; 3] {
        [
            self.sign_in.load(Ordering::SeqCst),
            self.jwt.load(Ordering::SeqCst),
            self.session.load(Ordering::SeqCst),
        ]
    }
}

/// A database-strategy config: credentials (plus `extra` providers), counting `sign_in`
/// (denies the user `banned`), a `jwt` that must never run, and a `session(session, user)`
/// adding the stored user's id.
pub fn config(counts: Arc<Counts>, extra: Vec<Provider>) -> AuthConfig<Tok, SUser> {
    let (c1, c2, c3) = (counts.clone(), counts.clone(), counts);
    let mut config = AuthConfig::<Tok, SUser>::__new()
        .__strategy(SessionStrategy::Database)
        .__provider(credentials_provider());
    for p in extra {
        config = config.__provider(p);
    }
    config
        .__sign_in(Arc::new(move |args: SignInArgs| {
            c1.sign_in.fetch_add(1, Ordering::SeqCst);
            let d = if args.user.name.as_deref() == Some("banned") {
                SignInDecision::Deny
            } else {
                SignInDecision::Allow
            };
            boxed(async move { d })
        }))
        .__jwt(Arc::new(move |args: JwtArgs<Tok>| {
            c2.jwt.fetch_add(1, Ordering::SeqCst);
            boxed(async move { Some(args.token) })
        }))
        .__session(SessionCallback::Database(Arc::new(
            move |args: DatabaseSessionArgs<SUser>| {
                c3.session.fetch_add(1, Ordering::SeqCst);
                let mut session = args.session;
                session.user.id = Some(args.user.id.clone());
                boxed(async move { session })
            },
        )))
        .with_secrets([SECRET])
        .with_url(ORIGIN)
}

/// The runtime for [`config`] on `db`.
pub fn app(db: &Arc<dyn Adapter>, counts: Arc<Counts>, extra: Vec<Provider>) -> Auth<Tok, SUser> {
    Auth::with_adapter(config(counts, extra), db.clone()).expect("config")
}

/// The session cookie a response sets (not a clearing one).
pub fn session_cookie(res: &Res) -> Option<String> {
    res.set_cookie(COOKIE).filter(|c| !c.contains("Max-Age=0"))
}

/// Whether the response clears the session cookie.
pub fn is_cleared(res: &Res) -> bool {
    res.set_cookie(COOKIE)
        .is_some_and(|c| c.contains("Max-Age=0"))
}

/// Credentials sign-in -> a session row -> `GET /session` gives the stored user ->
/// sign-out deletes the row; `jwt` never runs, the cookie holds a bare session id.
pub async fn credentials_session_row(db: Arc<dyn Adapter>) {
    let counts = Arc::new(Counts::default());
    let mut b = Browser::new(app(&db, counts.clone(), Vec::new()));
    assert_eq!(b.session().await, serde_json::Value::Null);

    let res = b.sign_in("alice", Some("/home")).await;
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://localhost:3000/home");
    let cookie = session_cookie(&res).expect("session cookie");
    let value = b.jar[COOKIE].clone();
    assert_eq!(
        value.len(),
        SESSION_ID_COOKIE_LEN,
        "a bare session id: {cookie}"
    );
    assert!(!value.contains('.'), "not a JWE");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Expires="));

    // The user `authorize` returned is stored with its own id, and has one session row.
    let stored = db.get_user("id-alice").await.unwrap().expect("user stored");
    assert_eq!(stored.email.as_deref(), Some("alice@example.com"));
    let rows = db.list_user_sessions("id-alice").await.unwrap();
    assert_eq!(rows.len(), 1);
    let id = SessionId::parse(&value).expect("cookie parses as a session id");
    assert_eq!(
        rows[0].key,
        id.key(),
        "the row is keyed by the hash of the cookie's id"
    );
    let max_age = i64::try_from(auth_runtime::config::DEFAULT_MAX_AGE).unwrap();
    assert!((rows[0].expires - (unix_now() + max_age)).abs() <= 5);

    let session = b.session().await;
    assert_eq!(session["user"]["name"], "alice");
    assert_eq!(session["user"]["email"], "alice@example.com");
    assert_eq!(session["user"]["id"], "id-alice");
    assert!(session["expires"].as_str().unwrap().ends_with('Z'));
    // sign_in once, session once, jwt never.
    assert_eq!(counts.get(), [1, 0, 1]);

    // A second sign-in of the same user reuses the user and adds a session.
    let mut other = Browser::new(b.auth.clone());
    assert_eq!(other.sign_in("alice", None).await.status, 302);
    assert_eq!(db.list_user_sessions("id-alice").await.unwrap().len(), 2);

    // Sign-out deletes this browser's row (only), clears the cookie, and reads as null.
    let csrf = b.csrf().await;
    let res = b.post_form("/signout", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 302);
    assert!(is_cleared(&res));
    let rows = db.list_user_sessions("id-alice").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].key, id.key());
    assert!(db.get_session_and_user(&id.key()).await.unwrap().is_none());
    // Replaying the old cookie: signed out, cleared.
    b.jar.insert(COOKIE.to_owned(), value);
    let res = b.get("/session").await;
    assert_eq!(res.json(), serde_json::Value::Null);
    assert!(is_cleared(&res));
    assert_eq!(other.session().await["user"]["id"], "id-alice");
    assert_eq!(
        counts.get()[1],
        0,
        "jwt never runs under the database strategy"
    );
}

/// Garbage, unknown and expired session ids give `null` and a cleared cookie.
pub async fn bad_ids_sign_out(db: Arc<dyn Adapter>) {
    let mut b = Browser::new(app(&db, Arc::default(), Vec::new()));
    let user = db
        .create_user(&User::new("u-expired").with_email("e@example.com"))
        .await
        .unwrap();
    let expired = SessionId::generate();
    db.create_session(&expired.key(), &user.id, unix_now() - 10)
        .await
        .unwrap();
    let unknown = SessionId::generate().to_cookie_value();
    for value in [
        "garbage".to_owned(),
        "x".repeat(SESSION_ID_COOKIE_LEN),
        unknown,
        expired.to_cookie_value(),
        // A JWE-looking value from the jwt strategy.
        "eyJhbGciOiJkaXIifQ..aaaa.bbbb.cccc".to_owned(),
    ] {
        b.jar.clear();
        b.jar.insert(COOKIE.to_owned(), value.clone());
        let res = b.get("/session").await;
        assert_eq!(res.status, 200, "{value}");
        assert_eq!(res.json(), serde_json::Value::Null, "{value}");
        assert!(is_cleared(&res), "{value}");
    }
    // The expired row was deleted when read.
    assert!(db.list_user_sessions("u-expired").await.unwrap().is_empty());
}

/// `update_age`: a session older than `update_age` is extended (row and cookie); a
/// fresh one is read without a write and without a `Set-Cookie`.
pub async fn update_age_write_back(db: Arc<dyn Adapter>) {
    let config = config(Arc::default(), Vec::new())
        .__max_age(3600)
        .__update_age(60);
    let mut b = Browser::new(Auth::with_adapter(config, db.clone()).unwrap());
    let user = db
        .create_user(&User::new("u-slide").with_name("slide"))
        .await
        .unwrap();
    let id = SessionId::generate();
    // Signed in 3500 s ago: 100 s left, older than update_age.
    db.create_session(&id.key(), &user.id, unix_now() + 100)
        .await
        .unwrap();
    b.jar.insert(COOKIE.to_owned(), id.to_cookie_value());
    let res = b.get("/session").await;
    assert_eq!(res.json()["user"]["name"], "slide");
    let cookie = session_cookie(&res).expect("extended session re-sends the cookie");
    assert!(cookie.starts_with(&format!("{COOKIE}={}", id.to_cookie_value())));
    let row = db.get_session_and_user(&id.key()).await.unwrap().unwrap().0;
    assert!(
        (row.expires - (unix_now() + 3600)).abs() <= 5,
        "{}",
        row.expires
    );

    // Now fresh: no write, no cookie.
    let res = b.get("/session").await;
    assert_eq!(res.json()["user"]["name"], "slide");
    assert!(res.set_cookie(COOKIE).is_none());
    let again = db.get_session_and_user(&id.key()).await.unwrap().unwrap().0;
    assert_eq!(again.expires, row.expires);
}

/// `sign_in` runs first: a denied sign-in stores nothing.
pub async fn sign_in_callback_first(db: Arc<dyn Adapter>) {
    let counts = Arc::new(Counts::default());
    let mut b = Browser::new(app(&db, counts.clone(), Vec::new()));
    let res = b.sign_in("banned", None).await;
    assert_eq!(res.status, 302);
    assert!(res.location().contains("error=AccessDenied"));
    assert!(db.get_user("id-banned").await.unwrap().is_none());
    assert!(session_cookie(&res).is_none());
    // Wrong password: CredentialsSignin, nothing stored, `sign_in` not even asked.
    let csrf = b.csrf().await;
    let res = b
        .post_form(
            "/callback/credentials",
            &[
                ("csrfToken", &csrf),
                ("username", "bob"),
                ("password", "no"),
            ],
        )
        .await;
    assert!(res.location().contains("error=CredentialsSignin"));
    assert!(db.get_user("id-bob").await.unwrap().is_none());
    assert_eq!(counts.get(), [1, 0, 0]);
}

/// The server-side operations under the database strategy (`Auth::sign_in`, `sign_up`,
/// `update_session`, `sign_out`), the rows of their rustdoc: sign-in runs `sign_in` only
/// and finds or creates the user; `jwt` never runs; an update is a session read (`session`
/// once); sign-out deletes the row and runs no callback.
pub async fn server_operations(db: Arc<dyn Adapter>) {
    let counts = Arc::new(Counts::default());
    let mut b = Browser::new(app(&db, counts.clone(), Vec::new()));
    let user = User::new("id-sue")
        .with_name("sue")
        .with_email("sue@example.com");

    let parts = b.app_request("/register");
    let change = b.auth.sign_up(&parts, user.clone()).await.unwrap();
    assert_eq!(counts.get(), [1, 0, 0], "server sign-up: sign_in only");
    assert!(change.session.is_none());
    b.keep(&change);
    assert!(
        db.get_user("id-sue").await.unwrap().is_some(),
        "user created"
    );
    assert_eq!(db.list_user_sessions("id-sue").await.unwrap().len(), 1);
    let s = b.session().await;
    assert_eq!(s["user"]["id"], "id-sue");
    assert_eq!(s["user"]["name"], "sue");
    assert_eq!(counts.get(), [1, 0, 1]);

    // A second device: the stored user is found, another row.
    let mut other = Browser::new(b.auth.clone());
    let parts = other.app_request("/login-link");
    let change = other.auth.sign_in(&parts, user).await.unwrap();
    other.keep(&change);
    assert_eq!(counts.get(), [2, 0, 1]);
    assert_eq!(db.list_user_sessions("id-sue").await.unwrap().len(), 2);

    // Update: no jwt (no token), `session` once, the new session returned.
    let parts = b.app_request("/profile");
    let change = b
        .auth
        .update_session(&parts, serde_json::json!({ "name": "x" }))
        .await
        .unwrap();
    assert_eq!(counts.get(), [2, 0, 2], "server update: session only");
    assert_eq!(
        change.session.as_ref().and_then(|s| s.user.id.as_deref()),
        Some("id-sue")
    );

    // Sign-out: the row deleted, the cookie cleared, no callback.
    let parts = b.app_request("/leave");
    let change = b.auth.sign_out(&parts).await.unwrap();
    assert_eq!(counts.get(), [2, 0, 2], "server sign-out: no callback");
    b.keep(&change);
    assert!(!b.jar.contains_key(COOKIE));
    assert_eq!(db.list_user_sessions("id-sue").await.unwrap().len(), 1);
    assert_eq!(b.session().await, serde_json::Value::Null);
    assert_eq!(other.session().await["user"]["id"], "id-sue");

    // Refused by `sign_in`: nothing stored.
    let parts = b.app_request("/register");
    let e = b
        .auth
        .sign_in(&parts, User::new("id-banned").with_name("banned"))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        auth_runtime::SessionError::AccessDenied { redirect: None }
    ));
    assert!(db.get_user("id-banned").await.unwrap().is_none());
}

/// "Sign out everywhere": list and revoke a user's sessions through `Auth`.
pub async fn revoke_everywhere(db: Arc<dyn Adapter>) {
    let auth = app(&db, Arc::default(), Vec::new());
    let mut browsers = Vec::new();
    for _ in 0..3 {
        let mut b = Browser::new(auth.clone());
        assert_eq!(b.sign_in("carol", None).await.status, 302);
        browsers.push(b);
    }
    let mut dave = Browser::new(auth.clone());
    dave.sign_in("dave", None).await;
    assert_eq!(auth.user_sessions("id-carol").await.unwrap().len(), 3);
    // Revoke one by key.
    let first = auth.user_sessions("id-carol").await.unwrap()[0].key;
    assert!(auth.revoke_session(&first).await.unwrap());
    assert_eq!(auth.user_sessions("id-carol").await.unwrap().len(), 2);
    assert_eq!(auth.sign_out_everywhere("id-carol").await.unwrap(), 2);
    for b in &mut browsers {
        let res = b.get("/session").await;
        assert_eq!(res.json(), serde_json::Value::Null);
    }
    assert_eq!(dave.session().await["user"]["id"], "id-dave");
}

/// The session row cache (`with_session_cache_interval`, off by default) on two app servers
/// over one database, on one test clock: what a server ends itself is ended there at once;
/// what the other server ends is seen once the interval has passed since this server's
/// last read, and not before; without the cache it is seen on the next read.
pub async fn session_cache_bound(db: Arc<dyn Adapter>) {
    use auth_runtime::testing::TestClock;
    use std::time::Duration;

    const INTERVAL: Duration = Duration::from_secs(5);
    let clock = TestClock::new();
    let cached = || {
        let config = config(Arc::default(), Vec::new()).with_session_cache_interval(INTERVAL);
        Auth::with_adapter(config, db.clone())
            .unwrap()
            .with_clock(clock.clone())
    };
    let (server_a, server_b) = (cached(), cached());
    let uncached = app(&db, Arc::default(), Vec::new()).with_clock(clock.clone());

    // One browser signed in twice (two sessions of one user), each cookie used on both servers.
    let mut on_a = Browser::new(server_a.clone());
    assert_eq!(on_a.sign_in("fay", None).await.status, 302);
    let first = on_a.jar.clone();
    assert_eq!(on_a.sign_in("fay", None).await.status, 302);
    let second = on_a.jar.clone();
    let mut on_b = Browser::new(server_b.clone());
    let mut on_b2 = Browser::new(server_b.clone());
    let mut plain = Browser::new(uncached);
    for (b, jar) in [
        (&mut on_b, &first),
        (&mut on_b2, &second),
        (&mut plain, &first),
    ] {
        b.jar = jar.clone();
        assert_eq!(b.session().await["user"]["id"], "id-fay");
    }
    on_a.jar = first.clone();
    assert_eq!(on_a.session().await["user"]["id"], "id-fay");

    // Revoked through server A: signed out on A at once, and without the cache.
    let key = SessionId::parse(&first[COOKIE]).unwrap().key();
    assert!(server_a.revoke_session(&key).await.unwrap());
    let res = on_a.get("/session").await;
    assert_eq!(res.json(), serde_json::Value::Null);
    assert!(is_cleared(&res));
    assert_eq!(plain.session().await, serde_json::Value::Null);
    // Server B read the row at the clock's start: it answers from it until the interval
    // has passed since that read, and from the database after.
    clock.advance(INTERVAL - Duration::from_millis(1));
    assert_eq!(on_b.session().await["user"]["id"], "id-fay");
    clock.advance(Duration::from_millis(1));
    let res = on_b.get("/session").await;
    assert_eq!(res.json(), serde_json::Value::Null);
    assert!(is_cleared(&res));

    // Ended on server B itself ("sign out everywhere"): at once on B, whatever B cached.
    assert_eq!(on_b2.session().await["user"]["id"], "id-fay");
    assert_eq!(server_b.sign_out_everywhere("id-fay").await.unwrap(), 1);
    assert_eq!(on_b2.session().await, serde_json::Value::Null);

    // A sign-out on B: the row deleted, the old cookie replayed on B reads signed out.
    let mut gil = Browser::new(server_b.clone());
    assert_eq!(gil.sign_in("gil", None).await.status, 302);
    let cookie = gil.jar.clone();
    assert_eq!(gil.session().await["user"]["id"], "id-gil");
    let csrf = gil.csrf().await;
    assert_eq!(
        gil.post_form("/signout", &[("csrfToken", &csrf)])
            .await
            .status,
        302
    );
    gil.jar = cookie;
    assert_eq!(gil.session().await, serde_json::Value::Null);
}

/// Sign-in through a GitHub-shaped OAuth server; returns the callback's response.
pub async fn oauth_sign_in(b: &mut Browser, provider_id: &str) -> Res {
    let csrf = b.csrf().await;
    let res = b
        .post_form(&format!("/signin/{provider_id}"), &[("csrfToken", &csrf)])
        .await;
    assert_eq!(res.status, 302, "{:?}", res.body);
    let authorization_url = res.location().to_owned();
    let back = ProviderBrowser::default()
        .follow_until(
            &authorization_url,
            &format!("http://localhost:3000/api/auth/callback/{provider_id}"),
        )
        .await;
    b.get(&format!(
        "/api/auth/callback/{provider_id}?{}",
        back.query().unwrap()
    ))
    .await
}

fn renamed(mut p: OAuthProvider, id: &str, allow_linking: bool) -> Provider {
    p.id = id.to_owned();
    p.name = id.to_owned();
    p.allow_dangerous_email_account_linking = allow_linking;
    Provider::OAuth(p)
}

/// OAuth finds or creates the user and links the account; the same e-mail from another
/// provider gets `OAuthAccountNotLinked` unless that provider allows linking.
pub async fn oauth_find_or_create_and_linking(db: Arc<dyn Adapter>) {
    let (_gh, github) = crate::oauth::github::github_server().await;
    let (_gh2, other) = crate::oauth::github::github_server().await;
    let counts = Arc::new(Counts::default());
    let auth = app(
        &db,
        counts.clone(),
        vec![
            renamed(github.clone(), "github", false),
            renamed(other.clone(), "other", false),
        ],
    );
    let mut b = Browser::new(auth.clone());
    let res = oauth_sign_in(&mut b, "github").await;
    assert_eq!(res.status, 302, "{:?}", String::from_utf8_lossy(&res.body));
    assert!(session_cookie(&res).is_some());
    let session = b.session().await;
    assert_eq!(session["user"]["email"], "octocat@example.test");
    let user_id = session["user"]["id"].as_str().unwrap().to_owned();
    let linked = db
        .get_user_by_account("github", "583231")
        .await
        .unwrap()
        .expect("account linked");
    assert_eq!(linked.id, user_id);
    assert_eq!(linked.name.as_deref(), Some("octocat"));

    // Signing in again finds the same user.
    let mut again = Browser::new(auth.clone());
    oauth_sign_in(&mut again, "github").await;
    assert_eq!(again.session().await["user"]["id"], user_id.as_str());
    assert_eq!(db.list_user_sessions(&user_id).await.unwrap().len(), 2);

    // Same e-mail through another provider: not linked.
    let mut c = Browser::new(auth.clone());
    let res = oauth_sign_in(&mut c, "other").await;
    assert_eq!(res.status, 302);
    assert!(
        res.location()
            .starts_with("http://localhost:3000/api/auth/signin?error=OAuthAccountNotLinked"),
        "{}",
        res.location()
    );
    assert!(session_cookie(&res).is_none());
    assert!(
        res.set_cookie("authjs.state")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the spent check cookies are cleared"
    );
    assert!(!c.jar.contains_key("authjs.pkce.code_verifier"));
    assert!(
        db.get_user_by_account("other", "583231")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(c.session().await, serde_json::Value::Null);

    // A provider that allows linking by e-mail links to the existing user.
    let linking = app(
        &db,
        counts.clone(),
        vec![
            renamed(other, "other", true),
            renamed(github, "github", false),
        ],
    );
    let mut d = Browser::new(linking);
    let res = oauth_sign_in(&mut d, "other").await;
    assert!(session_cookie(&res).is_some(), "{}", res.location());
    assert_eq!(d.session().await["user"]["id"], user_id.as_str());
    assert_eq!(
        db.get_user_by_account("other", "583231")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(user_id)
    );
    assert_eq!(counts.get()[1], 0, "jwt never runs");
}

/// Many parallel sign-ins and reads: every browser sees its own user, every session is
/// one row, no id repeats.
pub async fn parallel_sign_ins_and_reads(db: Arc<dyn Adapter>) {
    const USERS: usize = 25;
    const PER_USER: usize = 4;
    let auth = app(&db, Arc::default(), Vec::new());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..USERS * PER_USER {
        let auth = auth.clone();
        tasks.spawn(async move {
            let name = format!("p{}", i % USERS);
            let mut b = Browser::new(auth);
            let res = b.sign_in(&name, None).await;
            assert_eq!(res.status, 302, "{:?}", String::from_utf8_lossy(&res.body));
            let cookie = b.jar.get(COOKIE).cloned().expect("cookie");
            for _ in 0..3 {
                let s = b.session().await;
                assert_eq!(s["user"]["id"], format!("id-{name}"), "cross-wired session");
                assert_eq!(s["user"]["email"], format!("{name}@example.com"));
            }
            cookie
        });
    }
    let mut cookies = HashSet::new();
    while let Some(r) = tasks.join_next().await {
        assert!(cookies.insert(r.expect("task")), "duplicated session id");
    }
    assert_eq!(cookies.len(), USERS * PER_USER);
    for u in 0..USERS {
        let rows = db.list_user_sessions(&format!("id-p{u}")).await.unwrap();
        assert_eq!(rows.len(), PER_USER, "user p{u}");
    }
}

/// Start-up checks: `strategy: database` needs an adapter; a `session(session, token)`
/// callback does not fit it. A jwt-strategy config with an adapter keeps JWT sessions but
/// stores the users (`jwt` sees `trigger: SignUp` and `is_new_user` on the first sign-in).
pub async fn config_rules_and_jwt_with_adapter(db: Arc<dyn Adapter>) {
    use auth_runtime::ConfigError;
    use auth_runtime::config::JwtSessionArgs;
    assert_eq!(
        Auth::new(config(Arc::default(), Vec::new())).err(),
        Some(ConfigError::MissingAdapter)
    );
    let jwt_form = config(Arc::default(), Vec::new()).__session(SessionCallback::Jwt(Arc::new(
        |a: JwtSessionArgs<Tok, SUser>| boxed(async move { a.session }),
    )));
    assert_eq!(
        Auth::with_adapter(jwt_form, db.clone()).err(),
        Some(ConfigError::SessionCallbackMismatch)
    );

    let triggers = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = triggers.clone();
    let jwt_config = AuthConfig::<Tok, SUser>::__new()
        .__provider(credentials_provider())
        .__jwt(Arc::new(move |args: JwtArgs<Tok>| {
            seen.lock().unwrap().push((args.trigger, args.is_new_user));
            boxed(async move { Some(args.token) })
        }))
        .with_secrets([SECRET])
        .with_url(ORIGIN);
    let auth = Auth::with_adapter(jwt_config, db.clone()).unwrap();
    for _ in 0..2 {
        let mut b = Browser::new(auth.clone());
        let res = b.sign_in("jay", None).await;
        assert_eq!(res.status, 302);
        assert_eq!(b.jar[COOKIE].split('.').count(), 5, "a JWE session cookie");
        assert_eq!(b.session().await["user"]["email"], "jay@example.com");
    }
    assert!(
        db.get_user("id-jay").await.unwrap().is_some(),
        "user stored"
    );
    assert!(
        db.list_user_sessions("id-jay").await.unwrap().is_empty(),
        "no session rows"
    );
    use auth_runtime::Trigger;
    let t = triggers.lock().unwrap().clone();
    assert_eq!(
        t[0],
        (Some(Trigger::SignUp), true),
        "first sign-in: a new user"
    );
    assert!(t.contains(&(Some(Trigger::SignIn), false)));
    // `is_new_user` is true exactly on the sign-up
    assert_eq!(t.iter().filter(|(_, new)| *new).count(), 1, "{t:?}");
}

/// Waits (bounded) until `f` holds: events run in their own tasks.
pub async fn eventually(what: &str, f: impl Fn() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{what}: not reached");
}

/// Events fire (counted, with their arguments); one returning `Err` and one panicking
/// change nothing: the sign-in, the read and the sign-out work.
pub async fn events_fire_and_failures_are_ignored(db: Arc<dyn Adapter>) {
    use auth_runtime::config::{
        CreateUserEventArgs, EventFn, LinkAccountEventArgs, SessionEventArgs, SignInEventArgs,
        SignOutEventArgs,
    };
    #[derive(Default)]
    struct Seen {
        sign_in: AtomicUsize,
        new_users: AtomicUsize,
        create_user: AtomicUsize,
        link_account: AtomicUsize,
        session: AtomicUsize,
        sign_out: std::sync::Mutex<Vec<Option<String>>>,
    }
    let seen = Arc::new(Seen::default());
    let (s1, s2, s3, s4, s5) = (
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
    );
    let sign_in: EventFn<SignInEventArgs> = Arc::new(move |a: SignInEventArgs| {
        s1.sign_in.fetch_add(1, Ordering::SeqCst);
        if a.is_new_user {
            s1.new_users.fetch_add(1, Ordering::SeqCst);
        }
        boxed(async { Err("sign_in event failed on purpose".into()) })
    });
    let create_user: EventFn<CreateUserEventArgs> = Arc::new(move |a: CreateUserEventArgs| {
        s2.create_user.fetch_add(1, Ordering::SeqCst);
        assert!(!a.user.id.is_empty());
        boxed(async { Ok(()) })
    });
    let link_account: EventFn<LinkAccountEventArgs> = Arc::new(move |_| {
        s3.link_account.fetch_add(1, Ordering::SeqCst);
        boxed(async { Ok(()) })
    });
    let session: EventFn<SessionEventArgs> = Arc::new(move |a: SessionEventArgs| {
        s4.session.fetch_add(1, Ordering::SeqCst);
        let panics = a.user_id.as_deref() == Some("id-kim");
        boxed(async move {
            if panics {
                panic!("session event panics on purpose");
            }
            Ok(())
        })
    });
    let sign_out: EventFn<SignOutEventArgs> = Arc::new(move |a: SignOutEventArgs| {
        s5.sign_out.lock().unwrap().push(a.user_id);
        boxed(async { Ok(()) })
    });
    let (_gh, github) = crate::oauth::github::github_server().await;
    let config = config(Arc::default(), vec![renamed(github, "github", false)])
        .__event_sign_in(sign_in)
        .__event_create_user(create_user)
        .__event_link_account(link_account)
        .__event_session(session)
        .__event_sign_out(sign_out);
    let auth = Auth::with_adapter(config, db.clone()).unwrap();

    let mut b = Browser::new(auth.clone());
    assert_eq!(b.sign_in("kim", None).await.status, 302);
    assert_eq!(
        b.session().await["user"]["id"],
        "id-kim",
        "a panicking event changes nothing"
    );
    assert_eq!(b.session().await["user"]["id"], "id-kim");
    let csrf = b.csrf().await;
    assert_eq!(
        b.post_form("/signout", &[("csrfToken", &csrf)])
            .await
            .status,
        302
    );
    assert!(db.list_user_sessions("id-kim").await.unwrap().is_empty());
    // Signing in again: not a new user.
    let mut again = Browser::new(auth.clone());
    assert_eq!(again.sign_in("kim", None).await.status, 302);
    // OAuth: creates and links.
    let mut o = Browser::new(auth.clone());
    assert!(session_cookie(&oauth_sign_in(&mut o, "github").await).is_some());

    eventually("events", || {
        seen.sign_in.load(Ordering::SeqCst) == 3
            && seen.session.load(Ordering::SeqCst) == 2
            && seen.sign_out.lock().unwrap().len() == 1
    })
    .await;
    assert_eq!(
        seen.new_users.load(Ordering::SeqCst),
        2,
        "kim once, octocat once"
    );
    assert_eq!(seen.create_user.load(Ordering::SeqCst), 2);
    assert_eq!(seen.link_account.load(Ordering::SeqCst), 1);
    assert_eq!(
        *seen.sign_out.lock().unwrap(),
        vec![Some("id-kim".to_owned())]
    );
    // A sign-out without a session fires nothing.
    let mut nobody = Browser::new(auth);
    let csrf = nobody.csrf().await;
    nobody.post_form("/signout", &[("csrfToken", &csrf)]).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(seen.sign_out.lock().unwrap().len(), 1);
}

/// One `#[tokio::test]` per suite function, on a fresh database from `$make` (an async fn
/// taking a label and returning `(Arc<dyn Adapter>, impl Cleanup)`).
#[macro_export]
macro_rules! db_suite {
    ($make:path) => {
        $crate::db_suite!(@tests $make; credentials_session_row, bad_ids_sign_out,
            update_age_write_back, sign_in_callback_first, revoke_everywhere,
            oauth_find_or_create_and_linking, parallel_sign_ins_and_reads,
            config_rules_and_jwt_with_adapter, events_fire_and_failures_are_ignored,
            server_operations, session_cache_bound);
    };
    (@tests $make:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let (db, guard) = $make(stringify!($name)).await;
                $crate::db_suite::$name(db).await;
                $crate::Cleanup::cleanup(guard).await;
            }
        )*
    };
}
