//! E-mail sign-in ("magic links", issue 14 part 1) end to end against a real SMTP server
//! on loopback (aiosmtpd, `auth_tests::smtp`): the link is read from the delivered message
//! and followed. First sign-in creates the user (verified, `jwt` trigger `signUp`), the
//! second signs the same user in; reused, expired, tampered and foreign-address links are
//! `Verification` (403); an address with CR/LF or a second recipient never reaches SMTP;
//! no adapter is a start-up error; the hook replaces the mail; the limits count per
//! address; a new link revokes the pending ones; SQLite and PostgreSQL, JWT and database sessions; both token hashings.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_runtime::adapter::{
    Adapter, AdapterFuture, AdapterSession, SessionKey, VerificationToken, VerificationTokenHashing,
};
use auth_runtime::config::{
    Account, AuthConfig, ConfigValue, JwtArgs, Provider, Rate, SessionStrategy, SignInLimits,
    Trigger, User, VerificationRequest,
};
use auth_runtime::testing::TestClock;
use auth_runtime::{Auth, ConfigError};
use auth_tests::Cleanup;
use auth_tests::flow::{Browser, ORIGIN, Res, SECRET, SUser, Tok, boxed, plain_config};
use auth_tests::smtp::{Delivered, SmtpSink, link_param, with_link_param};
use sha2::{Digest, Sha256};

/// What `jwt` saw on each sign-in: (trigger, user id).
type Seen = Arc<Mutex<Vec<(Option<Trigger>, String)>>>;

/// The credentials provider of the flow tests plus `Email` on `server`.
fn email_config(server: &str) -> AuthConfig<Tok, SUser> {
    plain_config().__provider(Provider::Email(auth_runtime::providers::email(
        ConfigValue::from(server),
    )))
}

/// `jwt` recording each sign-in's trigger and user.
fn recording(config: AuthConfig<Tok, SUser>, seen: Seen) -> AuthConfig<Tok, SUser> {
    config.__jwt(Arc::new(move |args: JwtArgs<Tok>| {
        if let Some(user) = &args.user {
            seen.lock().unwrap().push((args.trigger, user.id.clone()));
        }
        let token = args.token;
        boxed(async move { Some(token) })
    }))
}

/// `POST /signin/email` with the CSRF token, `address` and a callback URL.
async fn send_link(b: &mut Browser, address: &str) -> Res {
    let csrf = b.csrf().await;
    b.post_form(
        "/signin/email",
        &[
            ("csrfToken", csrf.as_str()),
            ("email", address),
            ("callbackUrl", "/dashboard"),
        ],
    )
    .await
}

/// Follows an absolute link of the site.
async fn follow(b: &mut Browser, link: &str) -> Res {
    let path = link.strip_prefix(ORIGIN).expect("a link to the site");
    b.get(path).await
}

fn verification(res: &Res) -> bool {
    res.status == 302 && res.location() == format!("{ORIGIN}/api/auth/error?error=Verification")
}

/// Sends a link to `address` in a fresh browser and returns the delivered message.
async fn mailed(auth: &Auth<Tok, SUser>, sink: &SmtpSink, address: &str) -> Delivered {
    let before = sink.messages().len();
    let mut b = Browser::new(auth.clone());
    let res = send_link(&mut b, address).await;
    assert_eq!(res.status, 302, "{res:?}");
    assert_eq!(
        res.location(),
        format!("{ORIGIN}/api/auth/verify-request?provider=email&type=email")
    );
    sink.wait_for(before + 1).await.swap_remove(before)
}

/// The scenario every adapter and strategy runs: the first link creates the user (address
/// verified, `signUp`), the second signs the same user in (`signIn`), a used link is refused.
async fn first_then_second(db: Arc<dyn Adapter>, strategy: SessionStrategy) {
    let sink = SmtpSink::start();
    let seen: Seen = Arc::default();
    let config = recording(email_config(&sink.url()), seen.clone()).__strategy(strategy);
    let auth = Auth::with_adapter(config, db.clone()).unwrap();

    let message = mailed(&auth, &sink, "  Ada@Example.COM ").await;
    assert_eq!(message.rcpt_tos, ["ada@example.com"]);
    assert_eq!(message.mail_from, "no-reply@authjs.dev");
    assert_eq!(message.to, "ada@example.com");
    assert_eq!(message.subject, "Sign in to localhost:3000");
    let link = message.link();
    // Auth.js's text, its line ends CRLF on the wire (SMTP's canonical form).
    assert_eq!(
        message.text.as_deref().map(|t| t.replace("\r\n", "\n")),
        Some(format!("Sign in to localhost:3000\n{link}\n\n"))
    );
    let html = message.html.as_deref().unwrap();
    assert!(
        html.contains("Sign in to <strong>localhost:3000</strong>"),
        "{html}"
    );
    assert!(html.contains("If you did not request this email you can safely ignore it."));
    assert!(
        link.starts_with(&format!("{ORIGIN}/api/auth/callback/email?")),
        "{link}"
    );
    assert_eq!(
        link_param(&link, "callbackUrl"),
        format!("{ORIGIN}/dashboard")
    );
    assert_eq!(link_param(&link, "email"), "ada@example.com");
    let token = link_param(&link, "token");
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    let mut b = Browser::new(auth.clone());
    let res = follow(&mut b, &link).await;
    assert_eq!(res.status, 302, "{res:?}");
    assert_eq!(res.location(), format!("{ORIGIN}/dashboard"));
    let session = b.session().await;
    assert_eq!(session["user"]["email"], "ada@example.com", "{session}");
    let user = db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let first_verified = user.email_verified.expect("verified on first sign-in");

    // The same link again: spent.
    let mut other = Browser::new(auth.clone());
    assert!(verification(&follow(&mut other, &link).await));
    assert_eq!(other.session().await, serde_json::Value::Null);

    // A second link: the same user, verified again.
    let second = mailed(&auth, &sink, "ada@example.com").await.link();
    assert_ne!(second, link);
    let mut c = Browser::new(auth.clone());
    let res = follow(&mut c, &second).await;
    assert_eq!(res.status, 302, "{res:?}");
    assert_eq!(c.session().await["user"]["email"], "ada@example.com");
    let again = db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, user.id);
    assert!(again.email_verified.unwrap() >= first_verified);

    match strategy {
        SessionStrategy::Jwt => assert_eq!(
            *seen.lock().unwrap(),
            vec![
                (Some(Trigger::SignUp), user.id.clone()),
                (Some(Trigger::SignIn), user.id.clone()),
            ]
        ),
        SessionStrategy::Database => {
            assert!(seen.lock().unwrap().is_empty(), "no jwt under database");
            assert_eq!(db.list_user_sessions(&user.id).await.unwrap().len(), 2);
        }
    }
    // Two mails, one recipient each, nothing else delivered.
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test]
async fn sqlite_jwt_first_sign_in_creates_the_user_and_the_second_finds_it() {
    let (db, file) = auth_tests::sqlite::adapter("email-jwt").await;
    first_then_second(db, SessionStrategy::Jwt).await;
    file.cleanup().await;
}

#[tokio::test]
async fn sqlite_database_sessions() {
    let (db, file) = auth_tests::sqlite::adapter("email-db").await;
    first_then_second(db, SessionStrategy::Database).await;
    file.cleanup().await;
}

#[tokio::test]
async fn postgres_jwt_first_sign_in_creates_the_user_and_the_second_finds_it() {
    let (db, database) = auth_tests::postgres::adapter("email_jwt").await;
    first_then_second(db, SessionStrategy::Jwt).await;
    database.cleanup().await;
}

#[tokio::test]
async fn postgres_database_sessions() {
    let (db, database) = auth_tests::postgres::adapter("email_db").await;
    first_then_second(db, SessionStrategy::Database).await;
    database.cleanup().await;
}

/// A link past `max_age` (24 h by default) on the service's clock is refused, and spent.
#[tokio::test]
async fn an_expired_link_is_refused() {
    let (db, file) = auth_tests::sqlite::adapter("email-expired").await;
    let sink = SmtpSink::start();
    let clock = TestClock::new();
    let auth = Auth::with_adapter(email_config(&sink.url()), db)
        .unwrap()
        .with_clock(clock.clone());
    let link = mailed(&auth, &sink, "late@example.com").await.link();
    let fresh = mailed(&auth, &sink, "later@example.com").await.link();
    clock.advance(Duration::from_secs(24 * 60 * 60 + 1));
    let mut b = Browser::new(auth.clone());
    assert!(verification(&follow(&mut b, &link).await));
    assert!(verification(&follow(&mut b, &fresh).await));
    assert_eq!(b.session().await, serde_json::Value::Null);
    // The error page it leads to is Auth.js's 403.
    let page = b.get("/error?error=Verification").await;
    assert_eq!(page.status, 403);
    let body = String::from_utf8_lossy(&page.body).into_owned();
    assert!(
        body.contains("The sign in link is no longer valid."),
        "{body}"
    );
    file.cleanup().await;
}

/// Just inside `max_age` the link still works.
#[tokio::test]
async fn a_link_works_until_it_expires() {
    let (db, file) = auth_tests::sqlite::adapter("email-in-time").await;
    let sink = SmtpSink::start();
    let clock = TestClock::new();
    let auth = Auth::with_adapter(email_config(&sink.url()), db)
        .unwrap()
        .with_clock(clock.clone());
    let link = mailed(&auth, &sink, "timely@example.com").await.link();
    clock.advance(Duration::from_secs(24 * 60 * 60 - 1));
    let mut b = Browser::new(auth);
    assert_eq!(follow(&mut b, &link).await.status, 302);
    assert_eq!(b.session().await["user"]["email"], "timely@example.com");
    file.cleanup().await;
}

/// A tampered token (one character changed, truncated, not hex) or a link for another
/// address is refused and consumes nothing: the genuine link still works afterwards.
#[tokio::test]
async fn tampered_and_foreign_links_are_refused() {
    let (db, file) = auth_tests::sqlite::adapter("email-tampered").await;
    let sink = SmtpSink::start();
    let auth = Auth::with_adapter(email_config(&sink.url()), db).unwrap();
    let link = mailed(&auth, &sink, "ada@example.com").await.link();
    let eve = mailed(&auth, &sink, "eve@example.com").await.link();
    let token = link_param(&link, "token");
    let flipped = {
        let mut t = token.clone().into_bytes();
        t[10] = if t[10] == b'a' { b'b' } else { b'a' };
        String::from_utf8(t).unwrap()
    };
    let mut b = Browser::new(auth.clone());
    for bad in [
        with_link_param(&link, "token", &flipped),
        with_link_param(&link, "token", &token[..63]),
        with_link_param(&link, "token", &format!("{}zz", &token[..62])),
        // Eve's token with Ada's address, Ada's token with Eve's address.
        with_link_param(&link, "token", &link_param(&eve, "token")),
        with_link_param(&link, "email", "eve@example.com"),
        with_link_param(&link, "email", "ada@example.com,eve@example.com"),
        with_link_param(&link, "email", ""),
    ] {
        assert!(verification(&follow(&mut b, &bad).await), "{bad}");
    }
    assert_eq!(b.session().await, serde_json::Value::Null);
    // No token: Auth.js's `Configuration`.
    let res = b.get("/callback/email?email=ada%40example.com").await;
    assert_eq!(
        res.location(),
        format!("{ORIGIN}/api/auth/error?error=Configuration")
    );
    // The genuine links were not consumed; the address in the link is normalized too.
    let upper = with_link_param(&link, "email", "ADA@Example.com");
    assert_eq!(follow(&mut b, &upper).await.status, 302);
    assert_eq!(b.session().await["user"]["email"], "ada@example.com");
    let mut e = Browser::new(auth);
    assert_eq!(follow(&mut e, &eve).await.status, 302);
    assert_eq!(e.session().await["user"]["email"], "eve@example.com");
    file.cleanup().await;
}

/// A new link revokes the address's pending ones (only the latest works), on both
/// databases; another address's link is untouched. An adapter that does not implement the
/// revocation keeps them valid, as Auth.js does.
#[tokio::test]
async fn a_new_link_revokes_the_pending_ones() {
    let (sqlite, file) = auth_tests::sqlite::adapter("email-revoke").await;
    let (postgres, database) = auth_tests::postgres::adapter("email_revoke").await;
    for db in [sqlite.clone(), postgres] {
        let sink = SmtpSink::start();
        let auth = Auth::with_adapter(email_config(&sink.url()), db).unwrap();
        let first = mailed(&auth, &sink, "ada@example.com").await.link();
        let other = mailed(&auth, &sink, "grace@example.com").await.link();
        let second = mailed(&auth, &sink, "ada@example.com").await.link();
        let mut b = Browser::new(auth.clone());
        assert!(verification(&follow(&mut b, &first).await));
        assert_eq!(follow(&mut b, &second).await.status, 302);
        assert_eq!(b.session().await["user"]["email"], "ada@example.com");
        let mut g = Browser::new(auth);
        assert_eq!(follow(&mut g, &other).await.status, 302);
    }
    // An application's adapter leaving the method to its default.
    let sink = SmtpSink::start();
    let own = Arc::new(NoRevocation(sqlite));
    let auth = Auth::with_adapter(email_config(&sink.url()), own).unwrap();
    let first = mailed(&auth, &sink, "ada@example.com").await.link();
    let second = mailed(&auth, &sink, "ada@example.com").await.link();
    let mut b = Browser::new(auth.clone());
    assert_eq!(follow(&mut b, &first).await.status, 302);
    assert_eq!(follow(&mut Browser::new(auth), &second).await.status, 302);
    file.cleanup().await;
    database.cleanup().await;
}

/// An adapter that does not override `delete_verification_tokens`.
struct NoRevocation(Arc<dyn Adapter>);

impl Adapter for NoRevocation {
    fn create_verification_token<'a>(
        &'a self,
        token: &'a VerificationToken,
    ) -> AdapterFuture<'a, ()> {
        self.0.create_verification_token(token)
    }
    fn use_verification_token<'a>(
        &'a self,
        identifier: &'a str,
        token: &'a str,
    ) -> AdapterFuture<'a, Option<VerificationToken>> {
        self.0.use_verification_token(identifier, token)
    }
    fn create_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, User> {
        self.0.create_user(user)
    }
    fn get_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, Option<User>> {
        self.0.get_user(id)
    }
    fn get_user_by_email<'a>(&'a self, email: &'a str) -> AdapterFuture<'a, Option<User>> {
        self.0.get_user_by_email(email)
    }
    fn get_user_by_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> AdapterFuture<'a, Option<User>> {
        self.0.get_user_by_account(provider, provider_account_id)
    }
    fn update_user<'a>(&'a self, user: &'a User) -> AdapterFuture<'a, Option<User>> {
        self.0.update_user(user)
    }
    fn delete_user<'a>(&'a self, id: &'a str) -> AdapterFuture<'a, bool> {
        self.0.delete_user(id)
    }
    fn link_account<'a>(&'a self, user_id: &'a str, account: &'a Account) -> AdapterFuture<'a, ()> {
        self.0.link_account(user_id, account)
    }
    fn unlink_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> AdapterFuture<'a, bool> {
        self.0.unlink_account(provider, provider_account_id)
    }
    fn create_session<'a>(
        &'a self,
        key: &'a SessionKey,
        user_id: &'a str,
        expires: i64,
    ) -> AdapterFuture<'a, AdapterSession> {
        self.0.create_session(key, user_id, expires)
    }
    fn get_session_and_user<'a>(
        &'a self,
        key: &'a SessionKey,
    ) -> AdapterFuture<'a, Option<(AdapterSession, User)>> {
        self.0.get_session_and_user(key)
    }
    fn update_session<'a>(
        &'a self,
        key: &'a SessionKey,
        expires: i64,
    ) -> AdapterFuture<'a, Option<AdapterSession>> {
        self.0.update_session(key, expires)
    }
    fn delete_session<'a>(&'a self, key: &'a SessionKey) -> AdapterFuture<'a, bool> {
        self.0.delete_session(key)
    }
    fn list_user_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> AdapterFuture<'a, Vec<AdapterSession>> {
        self.0.list_user_sessions(user_id)
    }
    fn delete_user_sessions<'a>(&'a self, user_id: &'a str) -> AdapterFuture<'a, u64> {
        self.0.delete_user_sessions(user_id)
    }
    fn delete_expired_sessions(&self) -> AdapterFuture<'_, u64> {
        self.0.delete_expired_sessions()
    }
}

/// An address with CR/LF, a second recipient or header syntax goes back to the sign-in
/// page (`EmailSignin`) before anything is stored or sent: the SMTP server sees nothing.
#[tokio::test]
async fn injected_addresses_never_reach_smtp() {
    let (db, file) = auth_tests::sqlite::adapter("email-inject").await;
    let sink = SmtpSink::start();
    let recorder = Recorder::new(db, VerificationTokenHashing::Hmac);
    let auth = Auth::with_adapter(email_config(&sink.url()), recorder.clone()).unwrap();
    for bad in [
        "a@b.com,evil.com",
        "a@b.com, evil@evil.com",
        "a@b.com;evil@evil.com",
        "a@b.com\r\nRCPT TO:<evil@evil.com>",
        "a@b.com\nBcc: evil@evil.com",
        "evil@evil.com\r\n",
        "\"a@b.com\"@evil.com",
        "Ada <a@b.com>",
        "a@b.com>evil@evil.com",
        "",
        "not-an-address",
    ] {
        let mut b = Browser::new(auth.clone());
        let res = send_link(&mut b, bad).await;
        assert_eq!(res.status, 302, "{bad:?}");
        assert_eq!(
            res.location(),
            format!("{ORIGIN}/api/auth/signin?error=EmailSignin"),
            "{bad:?}"
        );
    }
    assert!(sink.messages().is_empty(), "{:?}", sink.messages());
    assert!(recorder.stored.lock().unwrap().is_empty());
    // The page explains it.
    let mut b = Browser::new(auth);
    let page = b.get("/signin?error=EmailSignin").await;
    let body = String::from_utf8_lossy(&page.body).into_owned();
    assert!(body.contains("The e-mail could not be sent."), "{body}");
    file.cleanup().await;
}

/// Without CSRF nothing is sent.
#[tokio::test]
async fn sending_needs_the_csrf_token() {
    let (db, file) = auth_tests::sqlite::adapter("email-csrf").await;
    let sink = SmtpSink::start();
    let auth = Auth::with_adapter(email_config(&sink.url()), db).unwrap();
    let mut b = Browser::new(auth);
    let res = b
        .post_form("/signin/email", &[("email", "ada@example.com")])
        .await;
    assert!(res.location().contains("error=MissingCSRF"), "{res:?}");
    assert!(sink.messages().is_empty());
    file.cleanup().await;
}

/// Auth.js's `MissingAdapter`, at start-up.
#[tokio::test]
async fn an_email_provider_without_an_adapter_does_not_start() {
    let err = Auth::new(email_config("smtp://127.0.0.1:2525")).unwrap_err();
    assert_eq!(err, ConfigError::EmailNeedsAdapter("email".to_owned()));
    assert!(
        err.to_string().contains("needs a database adapter"),
        "{err}"
    );
    // A server URL it cannot use is a start-up error too, naming no password.
    let (db, file) = auth_tests::sqlite::adapter("email-bad-server").await;
    let err = Auth::with_adapter(
        email_config("http://user:hunter2@mail.example.com"),
        db.clone(),
    )
    .unwrap_err();
    assert!(
        matches!(err, ConfigError::InvalidEmailServer { .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let mut bad_from = auth_runtime::providers::email(ConfigValue::from("smtp://127.0.0.1:1"));
    bad_from.from = "not a mailbox".to_owned();
    let err =
        Auth::with_adapter(plain_config().__provider(Provider::Email(bad_from)), db).unwrap_err();
    assert!(matches!(err, ConfigError::InvalidEmailFrom { .. }), "{err}");
    file.cleanup().await;
}

/// `send_verification_request` replaces the mail: the SMTP server gets nothing, the hook
/// gets the address, the link, the token and the expiry, and the link signs in. An `Err`
/// from it is `Configuration`.
#[tokio::test]
async fn the_hook_replaces_the_mail() {
    let (db, file) = auth_tests::sqlite::adapter("email-hook").await;
    let sink = SmtpSink::start();
    let got: Arc<Mutex<Vec<VerificationRequest>>> = Arc::default();
    let mut provider = auth_runtime::providers::email(ConfigValue::from(sink.url()));
    let keep = got.clone();
    provider.send_verification_request = Some(Arc::new(move |request: VerificationRequest| {
        let keep = keep.clone();
        boxed(async move {
            if request.identifier.starts_with("fail") {
                return Err("the SMS gateway is down".into());
            }
            keep.lock().unwrap().push(request);
            Ok(())
        })
    }));
    let clock = TestClock::new();
    let auth = Auth::with_adapter(plain_config().__provider(Provider::Email(provider)), db)
        .unwrap()
        .with_clock(clock.clone());
    let mut b = Browser::new(auth.clone());
    let res = send_link(&mut b, "Hook@Example.com").await;
    assert!(
        res.location()
            .ends_with("/verify-request?provider=email&type=email")
    );
    let request = got.lock().unwrap().pop().unwrap();
    assert_eq!(request.identifier, "hook@example.com");
    assert_eq!(request.host, "localhost:3000");
    assert_eq!(link_param(&request.url, "token"), request.token);
    let secs =
        |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(
        secs(request.expires),
        secs(auth_runtime::clock::Clock::now(&clock)) + 24 * 60 * 60
    );
    assert!(
        !format!("{request:?}").contains(&request.token),
        "Debug hides the token"
    );
    assert_eq!(follow(&mut b, &request.url).await.status, 302);
    assert_eq!(b.session().await["user"]["email"], "hook@example.com");
    let res = send_link(&mut Browser::new(auth), "fail@example.com").await;
    assert_eq!(
        res.location(),
        format!("{ORIGIN}/api/auth/error?error=Configuration")
    );
    assert!(sink.messages().is_empty());
    file.cleanup().await;
}

/// The sign-in limits count sends per address (normalized: any spelling is one address),
/// and another address is not held up.
#[tokio::test]
async fn sends_are_limited_per_address() {
    let (db, file) = auth_tests::sqlite::adapter("email-limits").await;
    let sink = SmtpSink::start();
    let config = email_config(&sink.url()).with_sign_in_limits(
        SignInLimits::default()
            .with_per_identifier(Rate::new(2, Duration::from_secs(15 * 60)))
            .with_per_ip(None),
    );
    let auth = Auth::with_adapter(config, db).unwrap();
    mailed(&auth, &sink, "ada@example.com").await;
    mailed(&auth, &sink, "ADA@example.com ").await;
    let mut b = Browser::new(auth.clone());
    let res = send_link(&mut b, "Ada@Example.com").await;
    assert!(res.location().contains("error=TooManyAttempts"), "{res:?}");
    assert!(res.header("retry-after").is_some());
    assert_eq!(sink.messages().len(), 2);
    mailed(&auth, &sink, "grace@example.com").await;
    assert_eq!(sink.messages().len(), 3);
    file.cleanup().await;
}

/// The sign-in page asks for the address (a form posting to `/signin/email` with the CSRF
/// token); `/verify-request` is Auth.js's "Check your email"; `/providers` lists `email`.
#[tokio::test]
async fn the_pages() {
    let (db, file) = auth_tests::sqlite::adapter("email-pages").await;
    let auth = Auth::with_adapter(email_config("smtp://127.0.0.1:1"), db).unwrap();
    let mut b = Browser::new(auth);
    let page = b.get("/signin").await;
    let body = String::from_utf8_lossy(&page.body).into_owned();
    assert!(
        body.contains(&format!(
            "action=\"{ORIGIN}/api/auth/signin/email\" method=\"POST\""
        )),
        "{body}"
    );
    assert!(body.contains(
        "<input id=\"input-email-for-email-provider\" name=\"email\" type=\"email\" placeholder=\"email@example.com\" required"
    ), "{body}");
    assert!(body.contains("name=\"csrfToken\""));
    assert!(body.contains("Sign in with Email"));
    let page = b.get("/verify-request?provider=email&type=email").await;
    assert_eq!(page.status, 200);
    let body = String::from_utf8_lossy(&page.body).into_owned();
    assert!(body.contains("Check your email"), "{body}");
    assert!(body.contains("A sign in link has been sent to your email address."));
    assert!(
        body.contains(&format!("href=\"{ORIGIN}\">localhost:3000</a>")),
        "{body}"
    );
    let providers = b.get("/providers").await.json();
    assert_eq!(providers["email"]["type"], "email");
    assert_eq!(
        providers["email"]["signinUrl"],
        format!("{ORIGIN}/api/auth/signin/email")
    );
    file.cleanup().await;
}

/// The `sign_in` callback runs before a link is sent (Auth.js's `verificationRequest`
/// step): refusing an address sends nothing.
#[tokio::test]
async fn sign_in_can_refuse_an_address_before_anything_is_sent() {
    let (db, file) = auth_tests::sqlite::adapter("email-sign-in").await;
    let sink = SmtpSink::start();
    let config = email_config(&sink.url()).__sign_in(Arc::new(|args| {
        let allowed = args
            .user
            .email
            .as_deref()
            .is_some_and(|e| e.ends_with("@example.com"));
        boxed(async move {
            if allowed {
                auth_runtime::config::SignInDecision::Allow
            } else {
                auth_runtime::config::SignInDecision::Deny
            }
        })
    }));
    let auth = Auth::with_adapter(config, db).unwrap();
    let res = send_link(&mut Browser::new(auth.clone()), "mallory@elsewhere.org").await;
    assert_eq!(
        res.location(),
        format!("{ORIGIN}/api/auth/error?error=AccessDenied")
    );
    assert!(sink.messages().is_empty());
    let link = mailed(&auth, &sink, "ada@example.com").await.link();
    let mut b = Browser::new(auth);
    assert_eq!(follow(&mut b, &link).await.status, 302);
    file.cleanup().await;
}

/// The flow hashes the token as the adapter asks: HMAC under a key derived from the secret
/// by default, Auth.js's `sha256(token + secret)` for tables shared with Auth.js; either
/// way the link signs in and the stored value is not the token.
#[tokio::test]
async fn both_token_hashings() {
    for hashing in [
        VerificationTokenHashing::Hmac,
        VerificationTokenHashing::AuthJs,
    ] {
        let (db, file) = auth_tests::sqlite::adapter("email-hashing").await;
        let sink = SmtpSink::start();
        let recorder = Recorder::new(db, hashing);
        let auth = Auth::with_adapter(email_config(&sink.url()), recorder.clone()).unwrap();
        let link = mailed(&auth, &sink, "ada@example.com").await.link();
        let token = link_param(&link, "token");
        let stored = recorder.stored.lock().unwrap().clone();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].identifier, "ada@example.com");
        assert_ne!(stored[0].token, token);
        let authjs = hex(&Sha256::digest(format!("{token}{SECRET}")));
        match hashing {
            VerificationTokenHashing::AuthJs => assert_eq!(stored[0].token, authjs),
            _ => {
                assert_ne!(stored[0].token, authjs);
                assert_eq!(stored[0].token.len(), 64);
            }
        }
        let mut b = Browser::new(auth);
        assert_eq!(follow(&mut b, &link).await.status, 302, "{hashing:?}");
        assert_eq!(b.session().await["user"]["email"], "ada@example.com");
        file.cleanup().await;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An application's adapter over SQLite choosing the token hashing and recording what the
/// flow hands `create_verification_token`.
struct Recorder {
    inner: Arc<dyn Adapter>,
    hashing: VerificationTokenHashing,
    stored: Mutex<Vec<VerificationToken>>,
}

impl Recorder {
    fn new(inner: Arc<dyn Adapter>, hashing: VerificationTokenHashing) -> Arc<Recorder> {
        Arc::new(Recorder {
            inner,
            hashing,
            stored: Mutex::default(),
        })
    }
}

impl Adapter for Recorder {
    fn verification_token_hashing(&self) -> VerificationTokenHashing {
        self.hashing
    }
    fn create_verification_token<'a>(
        &'a self,
        token: &'a VerificationToken,
    ) -> AdapterFuture<'a, ()> {
        self.stored.lock().unwrap().push(token.clone());
        self.inner.create_verification_token(token)
    }
    auth_tests::delegate_adapter!(inner =>
        use_verification_token,
        delete_verification_tokens,
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
        list_user_sessions,
        delete_user_sessions,
        delete_expired_sessions,
        session_version,
        bump_session_version,
    );
}

/// `Email { .. }` written in `auth!`: `server: env("EMAIL_SERVER")` read at start-up,
/// `from` and `max_age` applied, the link signs in.
mod via_macro {
    use super::*;

    mod auth {
        auth_runtime::auth! {
            providers: [
                Email {
                    from: "Example <no-reply@example.test>",
                    server: env("EMAIL_SERVER"),
                    max_age: 600,
                },
            ],
        }
    }

    #[tokio::test]
    async fn the_macro_s_email_provider_mails_a_working_link() {
        let (db, file) = auth_tests::sqlite::adapter("email-macro").await;
        let sink = SmtpSink::start();
        let config = auth::config().with_env([
            ("EMAIL_SERVER", sink.url()),
            ("AUTH_SECRET", SECRET.to_owned()),
            ("AUTH_URL", ORIGIN.to_owned()),
        ]);
        let clock = TestClock::new();
        let service = auth::Auth::with_adapter(config, db)
            .unwrap()
            .with_clock(clock.clone());
        let mut jar = auth_tests::cookies::CookieJar::new();
        let csrf = auth_tests::flow::csrf_with_jar(&service, &mut jar).await;
        let body = auth_tests::flow::form(&[("csrfToken", &csrf), ("email", "Ada@example.com")]);
        let res = auth_tests::flow::send_with_jar(
            &service,
            &mut jar,
            "POST",
            "/signin/email",
            Some(body),
        )
        .await;
        assert_eq!(res.status(), 302);
        let message = sink.wait_for(1).await.remove(0);
        assert_eq!(message.mail_from, "no-reply@example.test");
        assert_eq!(message.from, "Example <no-reply@example.test>");
        assert_eq!(message.rcpt_tos, ["ada@example.com"]);
        let link = message.link();
        let path = link.strip_prefix(&format!("{ORIGIN}/api/auth")).unwrap();
        // `max_age: 600`: ten minutes and a second later it is spent.
        clock.advance(Duration::from_secs(601));
        let res = auth_tests::flow::send_with_jar(&service, &mut jar, "GET", path, None).await;
        assert_eq!(
            res.headers()["location"],
            format!("{ORIGIN}/api/auth/error?error=Verification")
        );
        file.cleanup().await;
    }

    /// `send_verification_request` in `auth!` with the application state bound.
    mod hooked {
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        pub struct Outbox(pub Arc<Mutex<Vec<String>>>);

        auth_runtime::auth! {
            state: Outbox,
            providers: [
                Email {
                    server: env("EMAIL_SERVER"),
                    send_verification_request: |request, state| async move {
                        state.0.lock().unwrap().push(request.url);
                    },
                },
            ],
        }
    }

    #[tokio::test]
    async fn the_macro_s_hook_binds_the_state() {
        let (db, file) = auth_tests::sqlite::adapter("email-macro-hook").await;
        let outbox = hooked::Outbox::default();
        let config = hooked::config(outbox.clone()).with_env([
            ("EMAIL_SERVER", "smtp://127.0.0.1:1"),
            ("AUTH_SECRET", SECRET),
            ("AUTH_URL", ORIGIN),
        ]);
        let service = hooked::Auth::with_adapter(config, db).unwrap();
        let mut jar = auth_tests::cookies::CookieJar::new();
        let csrf = auth_tests::flow::csrf_with_jar(&service, &mut jar).await;
        let body = auth_tests::flow::form(&[("csrfToken", &csrf), ("email", "ada@example.com")]);
        auth_tests::flow::send_with_jar(&service, &mut jar, "POST", "/signin/email", Some(body))
            .await;
        let link = outbox.0.lock().unwrap().pop().unwrap();
        let path = link.strip_prefix(&format!("{ORIGIN}/api/auth")).unwrap();
        let res = auth_tests::flow::send_with_jar(&service, &mut jar, "GET", path, None).await;
        assert_eq!(res.status(), 302);
        let res =
            auth_tests::flow::send_with_jar(&service, &mut jar, "GET", "/session", None).await;
        let session: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
        assert_eq!(session["user"]["email"], "ada@example.com");
        file.cleanup().await;
    }
}

/// `cargo run -p examples --bin email` as a user runs it, with `EMAIL_SERVER` pointing at a
/// real SMTP server: the sign-in page over HTTP, the mail, the link, signed in, Ctrl-C.
mod example {
    use std::io::{BufRead, BufReader};
    use std::net::{TcpListener, TcpStream};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use auth_tests::cookies::CookieJar;
    use auth_tests::examples::build_example;
    use auth_tests::smtp::SmtpSink;

    /// The running example; killed if the test fails half-way.
    struct Server {
        child: Child,
        port: u16,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn start(exe: &Path, email_server: Option<&str>) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut command = Command::new(exe);
        for name in ["AUTH_SECRET", "AUTH_URL", "EMAIL_SERVER", "RUST_LOG"] {
            command.env_remove(name);
        }
        if let Some(server) = email_server {
            command.env("EMAIL_SERVER", server);
        }
        let child = command
            .env("PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the example");
        Server { child, port }
    }

    impl Server {
        fn url(&self, path: &str) -> String {
            format!("http://127.0.0.1:{}{path}", self.port)
        }

        fn wait_listening(&mut self) {
            let deadline = Instant::now() + Duration::from_secs(30);
            while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                assert!(
                    self.child.try_wait().unwrap().is_none(),
                    "the example exited"
                );
                assert!(Instant::now() < deadline, "the example did not listen");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn the_example_signs_in_by_e_mail() {
        let exe = build_example("email");
        let sink = SmtpSink::start();
        let mut server = start(&exe, Some(&sink.url()));
        server.wait_listening();
        let http = client();
        let mut jar = CookieJar::new();

        let page = http
            .get(server.url("/api/auth/signin"))
            .send()
            .await
            .unwrap();
        jar.store(page.headers());
        let page = page.text().await.unwrap();
        assert!(page.contains("name=\"email\" type=\"email\""), "{page}");
        let csrf = page
            .split("name=\"csrfToken\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let response = http
            .post(server.url("/api/auth/signin/email"))
            .header("cookie", jar.header())
            .form(&[("csrfToken", csrf.as_str()), ("email", "Ada@Example.com")])
            .send()
            .await
            .unwrap();
        jar.store(response.headers());
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.ends_with("/api/auth/verify-request?provider=email&type=email"),
            "{location}"
        );
        let check = http
            .get(&location)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(check.contains("Check your email"), "{check}");

        let message = sink.wait_for(1).await.remove(0);
        assert_eq!(message.rcpt_tos, ["ada@example.com"]);
        assert_eq!(message.mail_from, "no-reply@example.com");
        let link = message.link();
        assert!(
            link.starts_with(&server.url("/api/auth/callback/email?")),
            "{link}"
        );
        let response = http
            .get(&link)
            .header("cookie", jar.header())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        jar.store(response.headers());
        let home = http
            .get(server.url("/"))
            .header("cookie", jar.header())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("Signed in as <strong>ada@example.com</strong>"),
            "{home}"
        );

        // Ctrl-C: a clean stop.
        let pid = server.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the example did not stop on SIGINT"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "{status:?}");
    }

    /// Without `EMAIL_SERVER` it does not start, and says which variable is missing.
    #[tokio::test]
    async fn the_example_names_the_missing_server() {
        let exe = build_example("email");
        let mut server = start(&exe, None);
        let status = server.child.wait().unwrap();
        assert!(!status.success());
        let mut stderr = String::new();
        for line in BufReader::new(server.child.stderr.take().unwrap()).lines() {
            stderr.push_str(&line.unwrap());
            stderr.push('\n');
        }
        assert!(stderr.contains("`EMAIL_SERVER` is not set"), "{stderr}");
    }
}
