//! E-mail sign-in links shared with the real Auth.js (issue 15: "verification tokens hashed
//! exactly as Auth.js hashes e-mail tokens, so a link mailed by either side works on the
//! other"). On one fresh PostgreSQL database per test, with the same secret: `@auth/core` on
//! its real `@auth/pg-adapter` (database strategy, an e-mail provider whose
//! `sendVerificationRequest` records the link; `tests/js/authjs-db.mjs` under node) and our
//! axum app on `AuthJsPostgresAdapter` (the `Email` provider mailing through a real SMTP
//! server, `auth_tests::smtp`).
//!
//! A link Auth.js "mails" signs in on our server, one we mail signs in on Auth.js, each side
//! reading the other's session and both sharing one user row; a link spent on one side, an
//! expired one and one carrying another address are `Verification` on both.
//!
//! Needs node with `tests/js/node_modules`, `AUTH_TEST_DATABASE_URL` and `AUTH_TEST_PYTHON`
//! (run `scripts/setup`); fails without them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::adapter::{Adapter, AuthJsPostgresAdapter, unix_now};
use auth_runtime::config::{ConfigValue, DatabaseSessionArgs, SessionCallback};
use auth_runtime::{Auth, AuthConfig, Provider, Session, SessionStrategy};
use auth_tests::flow::{Browser, ORIGIN, SECRET, SUser, Tok, boxed};
use auth_tests::node;
use auth_tests::postgres::TestDatabase;
use auth_tests::smtp::{SmtpSink, link_param, with_link_param};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;
use tower::ServiceExt as _;

/// The session cookie's name (plain `http`).
const COOKIE: &str = "authjs.session-token";
/// Where both sides send a signed-in link (Auth.js's `callbackUrl`, ours the same).
const DASHBOARD: &str = "http://localhost:3000/dashboard";
/// Auth.js's and our `maxAge` of an e-mail link: one day.
const DAY: i64 = 24 * 60 * 60;

/// One test's world: a fresh database, our adapter on it, an SMTP server for our mails.
struct World {
    database: TestDatabase,
    adapter: Arc<AuthJsPostgresAdapter>,
    sink: SmtpSink,
    /// Both sides' secrets, the newest first (Auth.js's array, our `with_secrets`).
    secrets: Vec<&'static str>,
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
            sink: SmtpSink::start(),
            secrets: vec![SECRET],
        }
    }

    async fn done(self) {
        self.adapter.close().await;
        self.database.drop_database().await;
    }

    /// One command through real Auth.js on this database. Its OIDC provider is configured
    /// but never used here (discovery only happens on use).
    fn authjs(&self, command: Value) -> Value {
        let secret = match self.secrets[..] {
            [one] => json!(one),
            ref many => json!(many),
        };
        let mut input = json!({
            "secret": secret,
            "url": ORIGIN,
            "database": self.database.url,
            "issuer": "http://127.0.0.1:9/unused",
            "clientId": "unused",
            "clientSecret": "unused",
        });
        for (k, v) in command.as_object().unwrap() {
            input[k] = v.clone();
        }
        node::run("authjs-db.mjs", &input)
    }

    /// Auth.js's `POST /signin/email` for `address`: the one link it "mailed", after
    /// checking the answer and the recorded request.
    fn authjs_send(&self, address: &str, identifier: &str) -> String {
        self.authjs_send_as(json!({ "email": address }), identifier)
    }

    /// [`World::authjs_send`] with more of the command (`verificationToken`).
    fn authjs_send_as(&self, command: Value, identifier: &str) -> String {
        let mut command = command;
        command["op"] = json!("emailSignin");
        let out = self.authjs(command);
        assert_eq!(out["status"], 302, "{out}");
        assert_eq!(
            out["location"],
            format!("{ORIGIN}/api/auth/verify-request?provider=email&type=email"),
            "{out}"
        );
        let mailed = out["mailed"].as_array().expect("the recorded links");
        assert_eq!(mailed.len(), 1, "{out}");
        assert_eq!(mailed[0]["identifier"], identifier);
        let expires = mailed[0]["expires"].as_i64().unwrap();
        assert!((expires - (unix_now() + DAY)).abs() <= 5, "{expires}");
        mailed[0]["url"].as_str().unwrap().to_owned()
    }

    /// Auth.js's `GET /callback/email?<the link's query>`: (status, location, its session
    /// token when it set one).
    fn authjs_follow(&self, link: &str) -> (u16, String, Option<String>) {
        let out = self.authjs(json!({
            "op": "callback", "provider": "email", "query": query_of(link),
        }));
        let status = u16::try_from(out["status"].as_u64().unwrap()).unwrap();
        let location = out["location"].as_str().unwrap_or_default().to_owned();
        let token = out["cookies"][COOKIE].as_str().map(str::to_owned);
        (status, location, token)
    }

    /// Auth.js's `GET /session` with a session token: its body.
    fn authjs_session(&self, token: &str) -> Value {
        let out = self.authjs(json!({ "op": "session", "cookie": format!("{COOKIE}={token}") }));
        assert_eq!(out["status"], 200, "{out}");
        out["body"].clone()
    }

    /// Our runtime on the shared tables: database sessions, the `Email` provider (id
    /// `email`) mailing through this world's SMTP server, `session.user.id` filled in.
    fn ours(&self) -> Auth<Tok, SUser> {
        let email = auth_runtime::providers::email(ConfigValue::from(self.sink.url()));
        let config = AuthConfig::<Tok, SUser>::__new()
            .__strategy(SessionStrategy::Database)
            .__provider(Provider::Email(email))
            .__session(SessionCallback::Database(Arc::new(
                |args: DatabaseSessionArgs<SUser>| {
                    let mut session = args.session;
                    session.user.id = Some(args.user.id.clone());
                    boxed(async move { session })
                },
            )))
            .with_secrets(self.secrets.iter().copied())
            .with_url(ORIGIN);
        let adapter: Arc<dyn Adapter> = self.adapter.clone();
        Auth::with_adapter(config, adapter).expect("config")
    }

    /// Our `POST /signin/email` for `address`: the link of the mail the SMTP server got.
    async fn our_send(&self, auth: &Auth<Tok, SUser>, address: &str) -> String {
        let before = self.sink.messages().len();
        let mut b = Browser::new(auth.clone());
        let csrf = b.csrf().await;
        let res = b
            .post_form(
                "/signin/email",
                &[
                    ("csrfToken", csrf.as_str()),
                    ("email", address),
                    ("callbackUrl", "/dashboard"),
                ],
            )
            .await;
        assert_eq!(res.status, 302, "{res:?}");
        assert_eq!(
            res.location(),
            format!("{ORIGIN}/api/auth/verify-request?provider=email&type=email")
        );
        self.sink.wait_for(before + 1).await[before].link()
    }

    /// The one pending row of `identifier`: (token hash, expiry in Unix seconds).
    async fn pending(&self, identifier: &str) -> Vec<(String, i64)> {
        sqlx::query(
            "SELECT token, floor(extract(epoch FROM expires))::int8 FROM verification_token \
             WHERE identifier = $1",
        )
        .bind(identifier)
        .fetch_all(self.adapter.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.get::<String, _>(0), row.get::<i64, _>(1)))
        .collect()
    }

    /// The user of an address: (`users.id`, whether `emailVerified` is set).
    async fn user(&self, email: &str) -> (String, bool) {
        let row = sqlx::query(
            r#"SELECT id::text, "emailVerified" IS NOT NULL FROM users WHERE email = $1"#,
        )
        .bind(email)
        .fetch_one(self.adapter.pool())
        .await
        .unwrap();
        (row.get::<String, _>(0), row.get::<bool, _>(1))
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query(sql)
            .fetch_one(self.adapter.pool())
            .await
            .unwrap()
            .get::<i64, _>(0)
    }

    /// The `users.id` a session token belongs to, as the `sessions` row says.
    async fn session_user(&self, token: &str) -> String {
        sqlx::query(r#"SELECT "userId"::text FROM sessions WHERE "sessionToken" = $1"#)
            .bind(token)
            .fetch_one(self.adapter.pool())
            .await
            .unwrap()
            .get::<String, _>(0)
    }
}

/// Auth.js's e-mail token hash: hex SHA-256 of the token followed by the secret.
fn authjs_hash(token: &str) -> String {
    hash_with(token, SECRET)
}

/// Hex SHA-256 of the token followed by `secret` (Auth.js joins an array of secrets with
/// `,`, as a template literal does).
fn hash_with(token: &str, secret: &str) -> String {
    Sha256::digest(format!("{token}{secret}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The query of a link.
fn query_of(link: &str) -> &str {
    link.split_once('?').map_or("", |(_, q)| q)
}

/// Our axum app: the flow under `/api/auth` and a handler reading the `Session` extractor.
fn app(auth: &Auth<Tok, SUser>) -> Router {
    async fn me(session: Session<SUser>) -> String {
        let user = session.user;
        format!(
            "{} {}",
            user.id.unwrap_or_default(),
            user.email.unwrap_or_default()
        )
    }
    Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer())
}

/// `GET` an absolute link of the site on our app, with a session token or none:
/// (status, location, the session token it set, the body).
async fn visit(
    app: &Router,
    link: &str,
    token: Option<&str>,
) -> (u16, String, Option<String>, String) {
    let path = link.strip_prefix(ORIGIN).expect("a link to the site");
    let mut request = http::Request::builder().uri(path);
    if let Some(token) = token {
        request = request.header("cookie", format!("{COOKIE}={token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let header = |name| {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let location = header("location").pop().unwrap_or_default();
    let set = header("set-cookie").into_iter().find_map(|c| {
        let (pair, attrs) = c.split_once(';').unwrap_or((c.as_str(), ""));
        let value = pair.strip_prefix(&format!("{COOKIE}="))?;
        (!attrs.to_ascii_lowercase().contains("max-age=0")).then(|| value.to_owned())
    });
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (
        status,
        location,
        set,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// `GET /me` on our app with a session token: (status, body).
async fn me(app: &Router, token: &str) -> (u16, String) {
    let (status, _, _, body) = visit(app, &format!("{ORIGIN}/me"), Some(token)).await;
    (status, body)
}

/// The error page a refused link leads to, on either side.
fn verification() -> String {
    format!("{ORIGIN}/api/auth/error?error=Verification")
}

/// (a) A link Auth.js "mails" (its address normalized Auth.js's way, its token stored as
/// Auth.js hashes it) signs in on our axum server: our `Session` extractor and Auth.js's
/// `GET /session` both read the session, on the one user row; Auth.js's next link for the
/// address finds that user, on both sides.
#[tokio::test]
async fn a_link_authjs_mails_signs_in_on_our_server() {
    let w = World::new("authjs_mail_a").await;
    let auth = w.ours();
    let router = app(&auth);

    let link = w.authjs_send("  Ada@Example.TEST ", "ada@example.test");
    assert!(
        link.starts_with(&format!("{ORIGIN}/api/auth/callback/email?")),
        "{link}"
    );
    assert_eq!(link_param(&link, "email"), "ada@example.test");
    assert_eq!(link_param(&link, "callbackUrl"), DASHBOARD);
    let token = link_param(&link, "token");
    let pending = w.pending("ada@example.test").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].0, authjs_hash(&token));

    // Followed on our server: signed in, sent on to the callback URL.
    let (status, location, session, _) = visit(&router, &link, None).await;
    assert_eq!((status, location.as_str()), (302, DASHBOARD));
    let session = session.expect("our session cookie");
    assert!(w.pending("ada@example.test").await.is_empty(), "consumed");
    let (id, verified) = w.user("ada@example.test").await;
    assert!(verified, "the first sign-in verifies the address");
    assert_eq!(w.session_user(&session).await, id);
    assert_eq!(
        me(&router, &session).await,
        (200, format!("{id} ada@example.test"))
    );
    let body = w.authjs_session(&session);
    assert_eq!(body["user"]["email"], "ada@example.test", "{body}");

    // Spent: Auth.js refuses it, and so do we.
    let (status, location, theirs) = w.authjs_follow(&link);
    assert_eq!((status, location.as_str()), (302, verification().as_str()));
    assert!(theirs.is_none());
    let (status, location, ours, _) = visit(&router, &link, None).await;
    assert_eq!((status, location), (302, verification()));
    assert!(ours.is_none());

    // Auth.js's next link for the address: the same user, whichever side follows it.
    let second = w.authjs_send("ada@example.test", "ada@example.test");
    let (status, _, theirs) = w.authjs_follow(&second);
    assert_eq!(status, 302);
    let theirs = theirs.expect("Auth.js's session cookie");
    assert_eq!(w.session_user(&theirs).await, id);
    assert_eq!(
        me(&router, &theirs).await,
        (200, format!("{id} ada@example.test"))
    );
    let third = w.authjs_send("ada@example.test", "ada@example.test");
    let (_, _, again, _) = visit(&router, &third, None).await;
    assert_eq!(w.session_user(&again.expect("signed in")).await, id);
    assert_eq!(w.count("SELECT count(*) FROM users").await, 1);
    assert_eq!(w.count("SELECT count(*) FROM accounts").await, 0);
    assert_eq!(w.count("SELECT count(*) FROM sessions").await, 3);
    w.done().await;
}

/// (b) A link we mail (through the SMTP server, its token stored as Auth.js hashes it)
/// signs in on Auth.js's `GET /callback/email`: Auth.js's `GET /session` shows the user,
/// our `Session` extractor reads the session, and our next link finds Auth.js's user.
#[tokio::test]
async fn a_link_we_mail_signs_in_on_authjs() {
    let w = World::new("authjs_mail_b").await;
    let auth = w.ours();
    let router = app(&auth);

    let link = w.our_send(&auth, " Bo@Example.test").await;
    assert!(
        link.starts_with(&format!("{ORIGIN}/api/auth/callback/email?")),
        "{link}"
    );
    assert_eq!(link_param(&link, "email"), "bo@example.test");
    let token = link_param(&link, "token");
    let pending = w.pending("bo@example.test").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].0, authjs_hash(&token));
    assert!(
        (pending[0].1 - (unix_now() + DAY)).abs() <= 5,
        "{pending:?}"
    );

    // Followed on Auth.js: signed in, sent on to the link's callback URL.
    let (status, location, session) = w.authjs_follow(&link);
    assert_eq!((status, location.as_str()), (302, DASHBOARD));
    let session = session.expect("Auth.js's session cookie");
    assert!(w.pending("bo@example.test").await.is_empty(), "consumed");
    let body = w.authjs_session(&session);
    assert_eq!(body["user"]["email"], "bo@example.test", "{body}");
    let (id, verified) = w.user("bo@example.test").await;
    assert!(verified, "Auth.js verifies the address");
    assert_eq!(w.session_user(&session).await, id);
    assert_eq!(
        me(&router, &session).await,
        (200, format!("{id} bo@example.test"))
    );

    // Spent: we refuse it, and so does Auth.js.
    let (status, location, ours, _) = visit(&router, &link, None).await;
    assert_eq!((status, location), (302, verification()));
    assert!(ours.is_none());
    let (status, location, theirs) = w.authjs_follow(&link);
    assert_eq!((status, location), (302, verification()));
    assert!(theirs.is_none());

    // Our next links find the user Auth.js created, whichever side follows them.
    let second = w.our_send(&auth, "bo@example.test").await;
    let (status, location, ours, _) = visit(&router, &second, None).await;
    assert_eq!((status, location.as_str()), (302, DASHBOARD));
    let ours = ours.expect("our session cookie");
    assert_eq!(w.session_user(&ours).await, id);
    assert_eq!(w.authjs_session(&ours)["user"]["email"], "bo@example.test");
    let third = w.our_send(&auth, "bo@example.test").await;
    let (_, _, theirs) = w.authjs_follow(&third);
    assert_eq!(w.session_user(&theirs.expect("signed in")).await, id);
    assert_eq!(w.count("SELECT count(*) FROM users").await, 1);
    assert_eq!(w.count("SELECT count(*) FROM sessions").await, 3);
    w.done().await;
}

/// (c) Refused on both sides, and never signing in: a link spent on its own side, an
/// expired one (Auth.js's `maxAge` and ours are both seconds on the same `expires`
/// column), one whose address was changed to another (which leaves the real link valid).
#[tokio::test]
async fn links_refused_on_both_sides() {
    let w = World::new("authjs_mail_c").await;
    let auth = w.ours();
    let router = app(&auth);

    // Spent on its own side first.
    let theirs = w.authjs_send("carol@example.test", "carol@example.test");
    assert_eq!(w.authjs_follow(&theirs).0, 302);
    let (status, location, session, _) = visit(&router, &theirs, None).await;
    assert_eq!((status, location, session), (302, verification(), None));
    let ours = w.our_send(&auth, "carol@example.test").await;
    assert_eq!(visit(&router, &ours, None).await.0, 302);
    let (status, location, session) = w.authjs_follow(&ours);
    assert_eq!((status, location, session), (302, verification(), None));

    // Expired: each side's link, refused on the other side, and on its own.
    let expire = |w: &World| {
        let pool = w.adapter.pool().clone();
        async move {
            sqlx::query("UPDATE verification_token SET expires = now() - interval '1 second'")
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    // (mailed by us, followed by us): all four pairings.
    for (mailed_by_us, followed_by_us) in
        [(false, true), (true, false), (false, false), (true, true)]
    {
        let link = if mailed_by_us {
            w.our_send(&auth, "dan@example.test").await
        } else {
            w.authjs_send("dan@example.test", "dan@example.test")
        };
        expire(&w).await;
        let (status, location, session) = if followed_by_us {
            let (status, location, session, _) = visit(&router, &link, None).await;
            (status, location, session)
        } else {
            w.authjs_follow(&link)
        };
        assert_eq!(
            (status, location, session),
            (302, verification(), None),
            "mailed by us: {mailed_by_us}, followed by us: {followed_by_us}"
        );
    }
    assert_eq!(
        w.count("SELECT count(*) FROM users WHERE email = 'dan@example.test'")
            .await,
        0
    );

    // Another address in the link: refused, and the real link still signs in on the
    // other side.
    let theirs = w.authjs_send("erin@example.test", "erin@example.test");
    let forged = with_link_param(&theirs, "email", "mallory@example.test");
    let (status, location, session, _) = visit(&router, &forged, None).await;
    assert_eq!((status, location, session), (302, verification(), None));
    assert_eq!(w.authjs_follow(&forged).1, verification());
    let (status, location, session, _) = visit(&router, &theirs, None).await;
    assert_eq!((status, location.as_str()), (302, DASHBOARD));
    assert!(session.is_some());
    let ours = w.our_send(&auth, "frank@example.test").await;
    let forged = with_link_param(&ours, "email", "mallory@example.test");
    assert_eq!(w.authjs_follow(&forged).1, verification());
    assert_eq!(visit(&router, &forged, None).await.1, verification());
    let (status, location, session) = w.authjs_follow(&ours);
    assert_eq!((status, location.as_str()), (302, DASHBOARD));
    assert!(session.is_some());
    assert_eq!(
        w.count("SELECT count(*) FROM users WHERE email = 'mallory@example.test'")
            .await,
        0
    );
    w.done().await;
}

/// Rotated secrets: Auth.js's array of secrets (`AUTH_SECRET_1..3` then `AUTH_SECRET`) and
/// ours in the same order hash a token with the same joined secret (`new,old`), so links
/// cross over in both directions.
#[tokio::test]
async fn rotated_secrets_hash_alike() {
    const NEW: &str = "rotated-secret-0123456789abcdef0123456789abcdef";
    let mut w = World::new("authjs_mail_d").await;
    w.secrets = vec![NEW, SECRET];
    let auth = w.ours();
    let router = app(&auth);

    let theirs = w.authjs_send("gus@example.test", "gus@example.test");
    let pending = w.pending("gus@example.test").await;
    assert_eq!(
        pending[0].0,
        hash_with(&link_param(&theirs, "token"), &format!("{NEW},{SECRET}"))
    );
    let (status, location, session, _) = visit(&router, &theirs, None).await;
    assert_eq!((status, location.as_str()), (302, DASHBOARD));
    let session = session.expect("our session cookie");
    assert_eq!(
        w.authjs_session(&session)["user"]["email"],
        "gus@example.test"
    );

    let ours = w.our_send(&auth, "gus@example.test").await;
    let pending = w.pending("gus@example.test").await;
    assert_eq!(
        pending[0].0,
        hash_with(&link_param(&ours, "token"), &format!("{NEW},{SECRET}"))
    );
    let (status, location, session) = w.authjs_follow(&ours);
    assert_eq!((status, location.as_str()), (302, DASHBOARD));
    let session = session.expect("Auth.js's session cookie");
    let (id, _) = w.user("gus@example.test").await;
    assert_eq!(
        me(&router, &session).await,
        (200, format!("{id} gus@example.test"))
    );
    w.done().await;
}

/// An Auth.js app may mail its own tokens (`generateVerificationToken`: a UUID, a code with
/// characters the link percent-encodes): its links sign in on our server too, and are spent
/// there. Ours stay 64 hex characters.
#[tokio::test]
async fn authjs_generated_tokens_of_other_shapes_sign_in_on_our_server() {
    let w = World::new("authjs_mail_e").await;
    let auth = w.ours();
    let router = app(&auth);
    for (n, token) in [
        "5b0f6a7e-3c2d-4f1e-9a8b-7c6d5e4f3a2b",
        "code 48+21/ab=&x?é",
        "7",
    ]
    .into_iter()
    .enumerate()
    {
        let address = format!("hal{n}@example.test");
        let link = w.authjs_send_as(
            json!({ "email": address, "verificationToken": token }),
            &address,
        );
        assert_eq!(link_param(&link, "token"), token);
        assert_eq!(w.pending(&address).await[0].0, authjs_hash(token));
        let (status, location, session, _) = visit(&router, &link, None).await;
        assert_eq!((status, location.as_str()), (302, DASHBOARD), "{token}");
        let session = session.expect("our session cookie");
        assert_eq!(
            w.authjs_session(&session)["user"]["email"],
            address.as_str()
        );
        // Spent, on both sides.
        assert_eq!(visit(&router, &link, None).await.1, verification());
        assert_eq!(w.authjs_follow(&link).1, verification());
    }
    w.done().await;
}
