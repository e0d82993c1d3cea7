//! Database sessions shared with the real Auth.js: `@auth/core` on its real
//! `@auth/pg-adapter` (database strategy, driven by `tests/js/authjs-db.mjs` under node) and
//! our `AuthJsPostgresAdapter` on one fresh PostgreSQL database per test, both signing in
//! through the real oidc-provider. A session either side starts is read, and ended, by the
//! other; the account-linking rules agree on the same rows; `update_age`, expiry and
//! verification tokens follow Auth.js; the schema is created when missing and never altered.
//!
//! Needs node with `tests/js/node_modules` and `AUTH_TEST_DATABASE_URL` (run `scripts/setup`);
//! fails without them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::adapter::{
    Adapter, AdapterError, AuthJsPostgresAdapter, PostgresAdapter, SessionToken,
    SessionTokenStorage, VerificationToken, VerificationTokenHashing, unix_now,
};
use auth_runtime::config::{DatabaseSessionArgs, OkOrDefault, SessionCallback};
use auth_runtime::{Auth, AuthConfig, Credentials, Provider, Session, SessionStrategy, User};
use auth_tests::flow::{Browser, ORIGIN, Res, SECRET, SUser, Tok, boxed};
use auth_tests::node;
use auth_tests::oauth::{BASIC, Browser as ProviderBrowser, OidcProvider, REDIRECT_URI};
use auth_tests::postgres::TestDatabase;
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;
use tower::ServiceExt as _;

/// The session cookie's name (plain `http`).
const COOKIE: &str = "authjs.session-token";

/// One test's world: a fresh database, our adapter on it, the shared oidc-provider.
struct World {
    database: TestDatabase,
    adapter: Arc<AuthJsPostgresAdapter>,
    op: &'static OidcProvider,
}

impl World {
    async fn new(label: &str) -> World {
        node::require("@auth/pg-adapter");
        node::require("pg");
        let database = TestDatabase::create(label).await;
        let adapter = AuthJsPostgresAdapter::connect(&database.url)
            .await
            .expect("connect in the Auth.js mode");
        World {
            database,
            adapter: Arc::new(adapter),
            op: OidcProvider::shared(),
        }
    }

    async fn done(self) {
        self.adapter.close().await;
        self.database.drop_database().await;
    }

    /// One command through real Auth.js on this database.
    fn authjs(&self, command: Value) -> Value {
        let mut input = json!({
            "secret": SECRET,
            "url": ORIGIN,
            "database": self.database.url,
            "issuer": self.op.issuer,
            "clientId": BASIC.0,
            "clientSecret": BASIC.1,
        });
        for (k, v) in command.as_object().unwrap() {
            input[k] = v.clone();
        }
        node::run("authjs-db.mjs", &input)
    }

    /// Auth.js's OIDC sign-in as the provider's account `login`: its callback's answer.
    async fn authjs_sign_in(&self, login: &str) -> Value {
        let start = self.authjs(json!({ "op": "signin" }));
        assert_eq!(start["status"], 302, "{start}");
        let location = start["location"].as_str().unwrap();
        assert!(location.starts_with(&self.op.issuer), "{location}");
        let back = ProviderBrowser::default()
            .follow_until(&format!("{location}&login_hint={login}"), REDIRECT_URI)
            .await;
        let out = self.authjs(json!({
            "op": "callback",
            "cookies": start["cookies"],
            "query": back.query().unwrap(),
        }));
        assert_eq!(out["status"], 302, "{out}");
        out
    }

    /// Auth.js's `GET /session` with our jar's cookies: its body.
    fn authjs_session(&self, cookie: &str) -> Value {
        let out = self.authjs(json!({ "op": "session", "cookie": cookie }));
        assert_eq!(out["status"], 200, "{out}");
        out["body"].clone()
    }

    /// Our runtime on the shared tables: credentials (the user found by e-mail, as an
    /// application on Auth.js's `SERIAL` ids does) and the same OIDC client as Auth.js.
    fn ours(&self, allow_email_linking: bool) -> Auth<Tok, SUser> {
        let mut oidc = self.op.provider(BASIC);
        oidc.allow_dangerous_email_account_linking = allow_email_linking;
        let credentials = auth_runtime::providers::credentials(Arc::new(|c: Credentials| {
            boxed(async move { authorize(&c).ok_or_default() })
        }));
        let config = AuthConfig::<Tok, SUser>::__new()
            .__strategy(SessionStrategy::Database)
            .__provider(Provider::Credentials(credentials))
            .__provider(Provider::OAuth(oidc))
            .__session(SessionCallback::Database(Arc::new(
                |args: DatabaseSessionArgs<SUser>| {
                    let mut session = args.session;
                    session.user.id = Some(args.user.id.clone());
                    boxed(async move { session })
                },
            )))
            .with_secrets([SECRET])
            .with_url(ORIGIN);
        let adapter: Arc<dyn Adapter> = self.adapter.clone();
        Auth::with_adapter(config, adapter).expect("config")
    }

    /// Our OIDC sign-in as `login`: the callback's answer.
    async fn our_oidc_sign_in(&self, b: &mut Browser, login: &str) -> Res {
        let csrf = b.csrf().await;
        let res = b.post_form("/signin/oidc", &[("csrfToken", &csrf)]).await;
        assert_eq!(res.status, 302, "{:?}", String::from_utf8_lossy(&res.body));
        let back = ProviderBrowser::default()
            .follow_until(
                &format!("{}&login_hint={login}", res.location()),
                REDIRECT_URI,
            )
            .await;
        b.get(&format!(
            "/api/auth/callback/oidc?{}",
            back.query().unwrap()
        ))
        .await
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query(sql)
            .fetch_one(self.adapter.pool())
            .await
            .unwrap()
            .get::<i64, _>(0)
    }

    /// The `users.id` of an e-mail address, as our side shows it.
    async fn user_id(&self, email: &str) -> String {
        sqlx::query("SELECT id::text FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(self.adapter.pool())
            .await
            .unwrap()
            .get::<String, _>(0)
    }
}

/// `authorize`: password `pw`; the user has no id of its own, its e-mail is
/// `<username>@example.test` (the oidc-provider's e-mail for the account of that name).
fn authorize(c: &Credentials) -> Option<User> {
    let username = c.get("username")?.to_owned();
    (c.get("password") == Some("pw")).then(|| {
        User::new(String::new())
            .with_name(username.clone())
            .with_email(format!("{username}@example.test"))
    })
}

/// Our app with a handler reading the session through the `Session` extractor.
fn app(auth: &Auth<Tok, SUser>) -> Router {
    async fn me(session: Session<SUser>) -> String {
        session.user.email.unwrap_or_default()
    }
    Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer())
}

/// `GET /me` with a session cookie: (status, body).
async fn me(app: &Router, token: &str) -> (u16, String) {
    let request = http::Request::builder()
        .uri("/me")
        .header("cookie", format!("{COOKIE}={token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Our browser holding `token` as its session cookie.
fn holding(auth: Auth<Tok, SUser>, token: &str) -> Browser {
    let mut b = Browser::new(auth);
    b.jar.insert(COOKIE.to_owned(), token.to_owned());
    b
}

async fn sign_out(b: &mut Browser) -> Res {
    let csrf = b.csrf().await;
    let res = b.post_form("/signout", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 302);
    res
}

/// (a) Auth.js signs in (OIDC, database strategy): we read its session through
/// `GET /session` and the `Session` extractor; our sign-out ends it for Auth.js.
#[tokio::test]
async fn authjs_session_read_and_ended_by_us() {
    let w = World::new("authjs_a").await;
    let out = w.authjs_sign_in("user-1").await;
    let token = out["cookies"][COOKIE]
        .as_str()
        .expect("Auth.js's session cookie");
    // Stored in clear, in Auth.js's own row.
    let row = sqlx::query(r#"SELECT "sessionToken", "userId"::text FROM sessions"#)
        .fetch_one(w.adapter.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), token);
    let id = w.user_id("user-1@example.test").await;
    assert_eq!(row.get::<String, _>(1), id);
    assert!(id.parse::<i32>().is_ok(), "a SERIAL id: {id}");
    assert_eq!(
        w.authjs_session(&format!("{COOKIE}={token}"))["user"]["email"],
        "user-1@example.test"
    );

    let auth = w.ours(false);
    let mut b = holding(auth.clone(), token);
    let s = b.session().await;
    assert_eq!(s["user"]["email"], "user-1@example.test", "{s}");
    assert_eq!(s["user"]["name"], "Test User user-1");
    assert_eq!(
        s["user"]["id"],
        id.as_str(),
        "the SERIAL id as its decimal string"
    );
    let router = app(&auth);
    assert_eq!(
        me(&router, token).await,
        (200, "user-1@example.test".to_owned())
    );

    // Signing in again on our side with the same provider account finds Auth.js's user.
    let mut again = Browser::new(auth.clone());
    let res = w.our_oidc_sign_in(&mut again, "user-1").await;
    assert!(res.set_cookie(COOKIE).is_some(), "{}", res.location());
    assert_eq!(again.session().await["user"]["id"], id.as_str());
    assert_eq!(w.count("SELECT count(*) FROM users").await, 1);
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 1);

    // Our sign-out deletes Auth.js's row: Auth.js reads it as signed out.
    let res = sign_out(&mut b).await;
    assert!(
        res.set_cookie(COOKIE)
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    assert_eq!(
        w.count(&format!(
            "SELECT count(*) FROM sessions WHERE \"sessionToken\" = '{token}'"
        ))
        .await,
        0
    );
    assert_eq!(w.authjs_session(&format!("{COOKIE}={token}")), Value::Null);
    assert_eq!(me(&router, token).await.0, 401);
    // The other session (ours) lives on, listed and revoked by its handle (the SHA-256
    // of its token): Auth.js's own rows have the same handles.
    assert_eq!(again.session().await["user"]["id"], id.as_str());
    let listed = auth.user_sessions(&id).await.unwrap();
    let ours = SessionToken::from_cookie(&again.jar[COOKIE]).unwrap();
    assert_eq!(
        listed.iter().map(|s| s.key).collect::<Vec<_>>(),
        [ours.key()]
    );
    assert!(auth.revoke_session(&ours.key()).await.unwrap());
    assert_eq!(again.session().await, Value::Null);
    w.done().await;
}

/// (b) We sign in (OIDC, and credentials, which Auth.js itself refuses under the database
/// strategy): Auth.js's `GET /session` reads it; Auth.js's sign-out ends it for us.
#[tokio::test]
async fn our_sessions_read_and_ended_by_authjs() {
    let w = World::new("authjs_b").await;
    let auth = w.ours(false);
    let router = app(&auth);

    // OIDC.
    let mut b = Browser::new(auth.clone());
    let res = w.our_oidc_sign_in(&mut b, "user-2").await;
    assert!(res.set_cookie(COOKIE).is_some(), "{}", res.location());
    let token = b.jar[COOKIE].clone();
    let account =
        sqlx::query(r#"SELECT type, provider, "providerAccountId", "userId"::text FROM accounts"#)
            .fetch_one(w.adapter.pool())
            .await
            .unwrap();
    assert_eq!(account.get::<String, _>(0), "oidc");
    assert_eq!(account.get::<String, _>(1), "oidc");
    assert_eq!(account.get::<String, _>(2), "user-2");
    let id = w.user_id("user-2@example.test").await;
    assert_eq!(account.get::<String, _>(3), id);
    let body = w.authjs_session(&b.cookie_header());
    assert_eq!(body["user"]["email"], "user-2@example.test", "{body}");
    assert_eq!(body["user"]["name"], "Test User user-2");
    assert!(body["expires"].is_string());

    // Auth.js signs the same account in: the same user (found by the account we linked).
    let theirs = w.authjs_sign_in("user-2").await;
    let their_token = theirs["cookies"][COOKIE].as_str().unwrap().to_owned();
    assert_eq!(
        holding(auth.clone(), &their_token).session().await["user"]["id"],
        id.as_str()
    );

    // Auth.js's sign-out ends our session.
    let out = w.authjs(json!({ "op": "signout", "cookie": b.cookie_header() }));
    assert_eq!(out["status"], 302, "{out}");
    assert_eq!(b.session().await, Value::Null);
    assert_eq!(me(&router, &token).await.0, 401);

    // Credentials.
    let mut c = Browser::new(auth.clone());
    let res = c.sign_in("carol", None).await;
    assert_eq!(res.status, 302);
    assert!(res.set_cookie(COOKIE).is_some(), "{}", res.location());
    let token = c.jar[COOKIE].clone();
    assert_eq!(
        me(&router, &token).await,
        (200, "carol@example.test".to_owned())
    );
    let body = w.authjs_session(&c.cookie_header());
    assert_eq!(body["user"]["email"], "carol@example.test", "{body}");
    assert_eq!(body["user"]["name"], "carol");
    let out = w.authjs(json!({ "op": "signout", "cookie": c.cookie_header() }));
    assert_eq!(out["status"], 302, "{out}");
    assert_eq!(c.session().await, Value::Null);
    assert_eq!(me(&router, &token).await.0, 401);
    // Signing in again finds carol by e-mail: no second user.
    c.sign_in("carol", None).await;
    assert_eq!(
        w.count("SELECT count(*) FROM users WHERE email = 'carol@example.test'")
            .await,
        1
    );
    w.done().await;
}

/// (c) `OAuthAccountNotLinked` on both sides for the same rows: an e-mail already taken by
/// a user without this account is refused by both; once linked (by a provider allowing
/// it), both sign the account in as that user.
#[tokio::test]
async fn account_linking_agrees() {
    let w = World::new("authjs_c").await;
    let auth = w.ours(false);
    // A user with the provider account's e-mail, and no account: our credentials sign-in.
    let mut owner = Browser::new(auth.clone());
    owner.sign_in("user-3", None).await;
    let id = w.user_id("user-3@example.test").await;

    let theirs = w.authjs_sign_in("user-3").await;
    let location = theirs["location"].as_str().unwrap();
    assert!(
        location.contains("error=OAuthAccountNotLinked"),
        "{location}"
    );
    assert!(theirs["cookies"].get(COOKIE).is_none(), "{theirs}");

    let mut b = Browser::new(auth.clone());
    let res = w.our_oidc_sign_in(&mut b, "user-3").await;
    assert!(
        res.location().contains("error=OAuthAccountNotLinked"),
        "{}",
        res.location()
    );
    assert!(!b.jar.contains_key(COOKIE));
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 0);
    assert_eq!(w.count("SELECT count(*) FROM users").await, 1);

    // Our provider allowing linking by e-mail links the account to that user...
    let mut linking = Browser::new(w.ours(true));
    let res = w.our_oidc_sign_in(&mut linking, "user-3").await;
    assert!(res.set_cookie(COOKIE).is_some(), "{}", res.location());
    assert_eq!(linking.session().await["user"]["id"], id.as_str());
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 1);
    // ... and then Auth.js (which does not allow it) signs the account in as that user.
    let theirs = w.authjs_sign_in("user-3").await;
    let token = theirs["cookies"][COOKIE].as_str().expect("signed in");
    assert_eq!(
        holding(auth.clone(), token).session().await["user"]["id"],
        id.as_str()
    );

    // The other way: Auth.js creates a user with its account; we find it by the account,
    // and refuse nothing.
    let theirs = w.authjs_sign_in("user-4").await;
    assert!(theirs["cookies"].get(COOKIE).is_some(), "{theirs}");
    let id4 = w.user_id("user-4@example.test").await;
    let mut d = Browser::new(auth.clone());
    w.our_oidc_sign_in(&mut d, "user-4").await;
    assert_eq!(d.session().await["user"]["id"], id4.as_str());
    // And a credentials user with that e-mail is that user, as Auth.js stored it.
    let mut e = Browser::new(auth);
    e.sign_in("user-4", None).await;
    assert_eq!(e.session().await["user"]["id"], id4.as_str());
    assert_eq!(w.count("SELECT count(*) FROM users").await, 2);
    w.done().await;
}

/// Auth.js's database-strategy rules on Auth.js's rows: the expiry slides only past
/// `update_age` (and Auth.js reads the slid row), an expired session reads as signed out and
/// its row is deleted.
#[tokio::test]
async fn update_age_and_expiry_on_authjs_rows() {
    let w = World::new("authjs_d").await;
    let out = w.authjs_sign_in("user-5").await;
    let token = out["cookies"][COOKIE].as_str().unwrap().to_owned();
    let auth = w.ours(false);
    let expires = |w: &World| {
        let token = token.clone();
        let pool = w.adapter.pool().clone();
        async move {
            sqlx::query(
                r#"SELECT floor(extract(epoch FROM expires))::int8 FROM sessions WHERE "sessionToken" = $1"#,
            )
            .bind(token)
            .fetch_one(&pool)
            .await
            .unwrap()
            .get::<i64, _>(0)
        }
    };
    let max_age = i64::try_from(auth_runtime::config::DEFAULT_MAX_AGE).unwrap();
    let update_age = i64::try_from(auth_runtime::config::DEFAULT_UPDATE_AGE).unwrap();
    let fresh = expires(&w).await;
    assert!((fresh - (unix_now() + max_age)).abs() <= 5);

    // Read within update_age: no write, no cookie.
    let mut b = holding(auth.clone(), &token);
    let res = b.get("/session").await;
    assert_eq!(res.json()["user"]["email"], "user-5@example.test");
    assert!(res.set_cookie(COOKIE).is_none());
    assert_eq!(expires(&w).await, fresh);

    // Older than update_age: the read writes the expiry back, and re-sends the cookie.
    let old = unix_now() + max_age - update_age - 60;
    sqlx::query(r#"UPDATE sessions SET expires = to_timestamp($1) WHERE "sessionToken" = $2"#)
        .bind(old)
        .bind(&token)
        .execute(w.adapter.pool())
        .await
        .unwrap();
    let res = b.get("/session").await;
    assert!(res.set_cookie(COOKIE).is_some());
    let slid = expires(&w).await;
    assert!((slid - (unix_now() + max_age)).abs() <= 5, "{slid}");
    let body = w.authjs_session(&format!("{COOKIE}={token}"));
    assert_eq!(body["user"]["email"], "user-5@example.test");

    // Expired: signed out on our side, the row deleted, and Auth.js agrees.
    sqlx::query(
        r#"UPDATE sessions SET expires = now() - interval '1 second' WHERE "sessionToken" = $1"#,
    )
    .bind(&token)
    .execute(w.adapter.pool())
    .await
    .unwrap();
    assert_eq!(b.session().await, Value::Null);
    assert_eq!(w.count("SELECT count(*) FROM sessions").await, 0);
    assert_eq!(w.authjs_session(&format!("{COOKIE}={token}")), Value::Null);
    w.done().await;
}

/// Auth.js's e-mail token hash: hex SHA-256 of the token followed by the secret.
fn authjs_hash(token: &str) -> String {
    Sha256::digest(format!("{token}{SECRET}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Verification tokens: hashed Auth.js's way, a row either side writes is consumed, once,
/// by the other.
#[tokio::test]
async fn verification_tokens_cross_over() {
    let w = World::new("authjs_e").await;
    assert_eq!(
        w.adapter.verification_token_hashing(),
        VerificationTokenHashing::AuthJs
    );
    let expires = unix_now() + 600;
    // Ours (the flow hands the adapter the hashed token), consumed by Auth.js.
    w.adapter
        .create_verification_token(&VerificationToken {
            identifier: "ada@example.test".to_owned(),
            token: authjs_hash("ours-123"),
            expires,
        })
        .await
        .unwrap();
    let out = w.authjs(json!({
        "op": "useVerificationToken", "identifier": "ada@example.test", "token": "ours-123",
    }));
    assert_eq!(out["row"]["expires"], expires, "{out}");
    assert_eq!(out["row"]["token"], authjs_hash("ours-123"));
    let again = w.authjs(json!({
        "op": "useVerificationToken", "identifier": "ada@example.test", "token": "ours-123",
    }));
    assert_eq!(again["row"], Value::Null);

    // Auth.js's, consumed by us.
    w.authjs(json!({
        "op": "createVerificationToken", "identifier": "bo@example.test",
        "token": "theirs-456", "expires": expires,
    }));
    let used = w
        .adapter
        .use_verification_token("bo@example.test", &authjs_hash("theirs-456"))
        .await
        .unwrap()
        .expect("Auth.js's row");
    assert_eq!(used.expires, expires);
    assert!(
        w.adapter
            .use_verification_token("bo@example.test", &authjs_hash("theirs-456"))
            .await
            .unwrap()
            .is_none()
    );
    w.done().await;
}

/// The schema: created when missing (with our own tables only for what Auth.js has none
/// of), taken as it is when Auth.js created it, refused (and left alone) when a table of
/// that name has another shape. The default mode stays hashed.
#[tokio::test]
async fn schema_created_checked_never_altered() {
    let w = World::new("authjs_f").await;
    assert_eq!(
        w.adapter.session_token_storage(),
        SessionTokenStorage::Clear
    );
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() ORDER BY 1",
    )
    .fetch_all(w.adapter.pool())
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "accounts",
            "auth_migrations",
            "auth_rate_limits",
            "auth_session_versions",
            "sessions",
            "users",
            "verification_token"
        ]
    );
    // Connecting again (a second instance) changes nothing.
    let again = PostgresAdapter::connect_authjs(&w.database.url)
        .await
        .unwrap();
    again.close().await;
    // Our own extras work beside Auth.js's tables.
    assert_eq!(w.adapter.bump_session_version("1").await.unwrap(), 1);
    assert_eq!(w.adapter.session_version("1").await.unwrap(), 1);
    // The default mode on the same database keeps its own hashed tables.
    let hashed = PostgresAdapter::connect(&w.database.url).await.unwrap();
    assert_eq!(hashed.session_token_storage(), SessionTokenStorage::Hashed);
    hashed.close().await;
    // A user id that is not Auth.js's integer is no user; creating one is refused.
    assert!(w.adapter.get_user("id-alice").await.unwrap().is_none());
    assert!(matches!(
        w.adapter.create_user(&User::new("id-alice")).await,
        Err(AdapterError::Unsupported(_))
    ));
    w.done().await;

    // A `users` table of another shape (text ids, no "emailVerified"): refused, untouched.
    let database = TestDatabase::create("authjs_g").await;
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&database.url)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = AuthJsPostgresAdapter::connect(&database.url)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, AdapterError::Migration(m) if m.contains("users")),
        "{err}"
    );
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_name = 'users' ORDER BY ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(columns, ["id", "email"]);
    drop(conn);
    database.drop_database().await;
}
