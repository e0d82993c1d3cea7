//! The second factor (issue 17, part 2): TOTP enrolment and sign-in end to end, codes
//! computed here from the secret read off the enrolment page (`totp-rs`, RFC 6238), on
//! SQLite and PostgreSQL, under both strategies: a wrong code, a code used again inside its
//! window, a recovery code used twice, no session cookie before the second factor, the
//! sign-in limits on code attempts, and the callback matrix (a pending second factor runs
//! nothing; a completed one runs `sign_in`, `jwt` with `user`, `redirect`, and both see
//! `amr: ["pwd", "otp"]`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use auth_runtime::adapter::Adapter;
use auth_runtime::config::{
    DatabaseSessionArgs, JwtArgs, JwtSessionArgs, Rate, RedirectArgs, SecondFactor,
    SessionCallback, SignInArgs, SignInDecision, SignInLimits, TotpSettings,
};
use auth_runtime::testing::TestClock;
use auth_runtime::{Auth, AuthConfig, SessionStrategy};
use auth_tests::flow::{Browser, ORIGIN, Res, SECRET, SUser, Tok, boxed, credentials_provider};

/// A period start: codes are computed at known steps.
const T0: u64 = 1_800_000_000;
const PERIOD: u64 = 30;

/// What the callbacks saw: counts and the `amr` of `sign_in` and of `jwt`'s token.
#[derive(Default)]
struct Seen {
    sign_in: AtomicUsize,
    jwt: AtomicUsize,
    jwt_with_user: AtomicUsize,
    session: AtomicUsize,
    redirect: AtomicUsize,
    sign_in_amr: Mutex<Vec<Vec<String>>>,
    /// The credentials `sign_in` saw: (username, password present).
    sign_in_credentials: Mutex<Vec<(Option<String>, bool)>>,
    jwt_amr: Mutex<Vec<Option<Vec<String>>>>,
}

impl Seen {
    /// `[sign_in, jwt with user, redirect]`.
    fn sign_in_counts(&self) -> [usize; 3] {
        [
            self.sign_in.load(Ordering::SeqCst),
            self.jwt_with_user.load(Ordering::SeqCst),
            self.redirect.load(Ordering::SeqCst),
        ]
    }
}

fn config(seen: Arc<Seen>, strategy: SessionStrategy) -> AuthConfig<Tok, SUser> {
    let (s1, s2, s3, s4) = (seen.clone(), seen.clone(), seen.clone(), seen);
    let config = AuthConfig::<Tok, SUser>::__new()
        .__strategy(strategy)
        .__provider(credentials_provider())
        .__sign_in(Arc::new(move |args: SignInArgs| {
            s1.sign_in.fetch_add(1, Ordering::SeqCst);
            s1.sign_in_amr.lock().unwrap().push(args.amr.clone());
            if let Some(c) = &args.credentials {
                s1.sign_in_credentials.lock().unwrap().push((
                    c.get("username").map(str::to_owned),
                    c.get("password").is_some(),
                ));
            }
            boxed(async { SignInDecision::Allow })
        }))
        .__jwt(Arc::new(move |args: JwtArgs<Tok>| {
            s2.jwt.fetch_add(1, Ordering::SeqCst);
            if args.user.is_some() {
                s2.jwt_with_user.fetch_add(1, Ordering::SeqCst);
                s2.jwt_amr.lock().unwrap().push(args.token.amr.clone());
            }
            boxed(async move { Some(args.token) })
        }))
        .__redirect(Arc::new(move |args: RedirectArgs| {
            s4.redirect.fetch_add(1, Ordering::SeqCst);
            let to = if args.url.starts_with('/') {
                format!("{}{}", args.base_url, args.url)
            } else {
                args.url
            };
            boxed(async move { to })
        }))
        .with_secrets([SECRET])
        .with_url(ORIGIN)
        .with_second_factor(SecondFactor::Totp(TotpSettings::new("Acme")));
    match strategy {
        SessionStrategy::Database => config.__session(SessionCallback::Database(Arc::new(
            move |args: DatabaseSessionArgs<SUser>| {
                s3.session.fetch_add(1, Ordering::SeqCst);
                boxed(async move { args.session })
            },
        ))),
        _ => config.__session(SessionCallback::Jwt(Arc::new(
            move |args: JwtSessionArgs<Tok, SUser>| {
                s3.session.fetch_add(1, Ordering::SeqCst);
                boxed(async move { args.session })
            },
        ))),
    }
}

struct App {
    auth: Auth<Tok, SUser>,
    clock: TestClock,
    seen: Arc<Seen>,
}

fn app(db: &Arc<dyn Adapter>, strategy: SessionStrategy, limits: Option<SignInLimits>) -> App {
    let seen = Arc::new(Seen::default());
    let mut config = config(seen.clone(), strategy);
    if let Some(limits) = limits {
        config = config.with_sign_in_limits(limits);
    }
    let clock = TestClock::at(UNIX_EPOCH + Duration::from_secs(T0 + 5));
    let auth = Auth::with_adapter(config, db.clone())
        .expect("config")
        .with_clock(clock.clone());
    App { auth, clock, seen }
}

impl App {
    fn now(&self) -> u64 {
        use auth_runtime::clock::Clock as _;
        self.clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn browser(&self) -> Browser {
        Browser::new(self.auth.clone())
    }

    /// The code of `secret` (base32) now.
    fn code(&self, secret: &str) -> String {
        code_at(secret, self.now())
    }
}

fn code_at(secret: &str, time: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("base32 secret");
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, PERIOD, bytes)
        .expect("totp")
        .generate(time)
}

fn body(res: &Res) -> String {
    String::from_utf8_lossy(&res.body).into_owned()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

fn csrf_of(page: &str) -> String {
    between(page, "name=\"csrfToken\" value=\"", "\"")
        .expect("a CSRF field")
        .to_owned()
}

fn has_session_cookie(res: &Res) -> bool {
    res.set_cookies()
        .iter()
        .any(|c| c.contains("authjs.session-token=") && !c.contains("Max-Age=0"))
}

/// Signs `username` in with the password (no second factor yet), then enrols: the secret
/// read off the page, the first code computed from it. Returns (secret, recovery codes).
async fn enrol(app: &App, username: &str) -> (String, Vec<String>) {
    let mut b = app.browser();
    let res = b.sign_in(username, None).await;
    assert_eq!(res.status, 302);
    assert!(
        has_session_cookie(&res),
        "no enrolment yet: signed in at once"
    );
    let page = b.get("/totp/enroll").await;
    assert_eq!(page.status, 200, "{}", body(&page));
    let html = body(&page);
    assert!(html.contains("<svg"), "a QR code as SVG");
    assert!(!html.contains("<script"), "no script on the page");
    let secret = between(&html, "<code id=\"totp-secret\">", "</code>")
        .expect("the secret in text")
        .to_owned();
    // A reload shows the same secret (the app may have scanned it already).
    let again = body(&b.get("/totp/enroll").await);
    assert!(again.contains(&secret));
    let csrf = csrf_of(&html);
    let wrong = b
        .post_form("/totp/enroll", &[("csrfToken", &csrf), ("code", "000000")])
        .await;
    if app.code(&secret) != "000000" {
        assert_eq!(wrong.status, 302);
        assert!(wrong.location().contains("error=InvalidCode"));
    }
    let code = app.code(&secret);
    let done = b
        .post_form("/totp/enroll", &[("csrfToken", &csrf), ("code", &code)])
        .await;
    assert_eq!(done.status, 200, "{}", body(&done));
    let html = body(&done);
    let list = between(&html, "<ul id=\"recovery-codes\">", "</ul>").expect("recovery codes");
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .filter_map(|c| c.split("</code>").next())
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10);
    // This session passed no second factor: it cannot replace the enrolment.
    let replace = b.get("/totp/enroll").await;
    assert_eq!(replace.status, 302);
    assert_eq!(
        replace.location(),
        format!("{ORIGIN}/api/auth/error?error=AccessDenied")
    );
    (secret, codes)
}

/// Password accepted for `username`: the pending redirect, with no session and no
/// callback run. Returns the browser, now holding the pending cookie.
async fn password_step(app: &App, username: &str) -> Browser {
    let mut b = app.browser();
    let before = app.seen.sign_in_counts();
    let jwt_before = app.seen.jwt.load(Ordering::SeqCst);
    let res = b.sign_in(username, Some("/dashboard")).await;
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), format!("{ORIGIN}/api/auth/totp/verify"));
    assert!(
        !has_session_cookie(&res),
        "no session before the second factor"
    );
    assert!(b.session_cookie_names().is_empty());
    assert!(res.set_cookie("authjs.second-factor").is_some());
    assert_eq!(
        app.seen.sign_in_counts(),
        before,
        "a pending second factor runs nothing"
    );
    assert_eq!(app.seen.jwt.load(Ordering::SeqCst), jwt_before);
    assert_eq!(b.session().await, serde_json::Value::Null, "signed out");
    b
}

/// Submits `code` on the verify page.
async fn submit(b: &mut Browser, code: &str) -> Res {
    let page = b.get("/totp/verify").await;
    assert_eq!(page.status, 200, "{}", body(&page));
    let html = body(&page);
    assert!(html.contains("one-time-code"));
    let csrf = csrf_of(&html);
    let callback = between(&html, "name=\"callbackUrl\" value=\"", "\"")
        .unwrap_or_default()
        .to_owned();
    b.post_form(
        "/totp/verify",
        &[
            ("csrfToken", &csrf),
            ("code", code),
            ("callbackUrl", &callback),
        ],
    )
    .await
}

fn refused(res: &Res) {
    assert_eq!(res.status, 302, "{res:?}");
    assert_eq!(
        res.location(),
        format!("{ORIGIN}/api/auth/totp/verify?error=InvalidCode")
    );
    assert!(!has_session_cookie(res));
}

/// `GET /vault` behind `require_second_factor()` with `b`'s cookies: the status.
async fn guarded(app: &App, b: &Browser) -> u16 {
    use axum::routing::get;
    let router = axum::Router::new()
        .route("/vault", get(|| async { "vault" }))
        .route_layer(app.auth.require_second_factor())
        .merge(app.auth.routes())
        .layer(app.auth.layer());
    let mut client = auth_runtime::testing::TestClient::new(router);
    if !b.jar.is_empty() {
        client = client.with_cookie_header(&b.cookie_header());
    }
    client.get("/vault").await.status().as_u16()
}

/// The whole journey on one database and strategy.
async fn end_to_end(db: Arc<dyn Adapter>, strategy: SessionStrategy) {
    let app = app(&db, strategy, None);
    let (secret, recovery) = enrol(&app, "ada").await;
    let sign_ins = app.seen.sign_in_counts();

    // A wrong code, then the enrolment's own code again (its step is spent): refused.
    let mut b = password_step(&app, "ada").await;
    let right = app.code(&secret);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    refused(&submit(&mut b, wrong).await);
    refused(&submit(&mut b, &right).await);
    assert_eq!(app.seen.sign_in_counts(), sign_ins);
    assert!(b.session_cookie_names().is_empty());

    // The next step's code passes: the sign-in ends as any does.
    app.clock.advance(Duration::from_secs(PERIOD));
    let code = app.code(&secret);
    let res = submit(&mut b, &code).await;
    assert_eq!(res.status, 302, "{}", body(&res));
    assert_eq!(res.location(), format!("{ORIGIN}/dashboard"));
    assert!(has_session_cookie(&res));
    assert!(
        res.set_cookie("authjs.second-factor")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the pending cookie is cleared: {:?}",
        res.set_cookies()
    );
    let [sign_in, jwt_user, redirect] = app.seen.sign_in_counts();
    assert_eq!(sign_in, sign_ins[0] + 1);
    assert!(redirect > sign_ins[2]);
    let otp = vec!["pwd".to_owned(), "otp".to_owned()];
    assert_eq!(app.seen.sign_in_amr.lock().unwrap().last(), Some(&otp));
    assert_eq!(
        app.seen.sign_in_credentials.lock().unwrap().last(),
        Some(&(Some("ada".to_owned()), false)),
        "the form's fields travel on, never the password"
    );
    match strategy {
        SessionStrategy::Jwt => {
            assert_eq!(jwt_user, sign_ins[1] + 1, "`jwt` ran with `user`");
            assert_eq!(
                app.seen.jwt_amr.lock().unwrap().last(),
                Some(&Some(otp.clone()))
            );
        }
        _ => assert_eq!(jwt_user, 0, "no `jwt` under the database strategy"),
    }
    let session = b.session().await;
    assert_eq!(session["user"]["email"], "ada@example.com");
    let parts = b.app_request("/dashboard");
    assert_eq!(
        app.auth.session(&parts).await.amr,
        otp,
        "the session records it"
    );
    assert_eq!(guarded(&app, &b).await, 200, "the guard lets it through");
    let replace = b.get("/totp/enroll").await;
    assert_eq!(
        replace.status, 200,
        "a session that passed it may enrol anew"
    );

    // The same code in another browser, inside its window: refused.
    let mut other = password_step(&app, "ada").await;
    refused(&submit(&mut other, &code).await);

    // A recovery code works once.
    let res = submit(&mut other, &recovery[0].to_uppercase()).await;
    assert_eq!(res.status, 302);
    assert!(has_session_cookie(&res), "a recovery code signs in");
    let mut third = password_step(&app, "ada").await;
    refused(&submit(&mut third, &recovery[0]).await);
    let res = submit(&mut third, &recovery[1]).await;
    assert!(has_session_cookie(&res));

    // A password-only session (before enrolment) reads without the second factor.
    let mut plain = app.browser();
    let res = plain.sign_in("bob", None).await;
    assert!(has_session_cookie(&res), "bob has no second factor");
    let parts = plain.app_request("/");
    assert!(app.auth.session(&parts).await.amr.is_empty());
    assert_eq!(
        guarded(&app, &plain).await,
        403,
        "no second factor: refused"
    );
    assert_eq!(guarded(&app, &app.browser()).await, 401, "signed out");

    // A pending sign-in lasts five minutes (and the tokens' clock skew); a tampered one is none.
    let mut late = password_step(&app, "ada").await;
    let skew = u64::try_from(auth_runtime::jwt::CLOCK_SKEW_SECS).unwrap();
    app.clock.advance(Duration::from_secs(5 * 60 + skew + 1));
    let res = late.get("/totp/verify").await;
    assert_eq!(res.status, 302);
    assert!(
        res.location()
            .starts_with(&format!("{ORIGIN}/api/auth/signin"))
    );
    let mut forged = password_step(&app, "ada").await;
    let pending = forged.jar.get("authjs.second-factor").unwrap().clone();
    let flipped = if pending.ends_with('A') { "B" } else { "A" };
    forged.jar.insert(
        "authjs.second-factor".to_owned(),
        format!("{}{flipped}", &pending[..pending.len() - 1]),
    );
    let res = forged.get("/totp/verify").await;
    assert_eq!(res.status, 302);
    assert!(
        res.location()
            .starts_with(&format!("{ORIGIN}/api/auth/signin"))
    );

    // Without a pending sign-in the verify page sends back to sign-in.
    let mut stranger = app.browser();
    let res = stranger.get("/totp/verify").await;
    assert_eq!(res.status, 302);
    assert!(
        res.location()
            .starts_with(&format!("{ORIGIN}/api/auth/signin"))
    );
    // Enrolling needs a session; replacing an enrolment needs one that passed it.
    let res = stranger.get("/totp/enroll").await;
    assert_eq!(res.status, 302);
    assert!(res.location().contains("/api/auth/signin?callbackUrl="));

    // Turned off: the password alone signs in again.
    assert!(app.auth.has_second_factor("id-ada").await.unwrap());
    assert!(app.auth.remove_second_factor("id-ada").await.unwrap());
    assert!(!app.auth.has_second_factor("id-ada").await.unwrap());
    let mut again = app.browser();
    assert!(has_session_cookie(&again.sign_in("ada", None).await));
    assert!(!app.auth.remove_second_factor("id-ada").await.unwrap());
}

/// The sign-in limits count code attempts per user: past them even the right code is
/// refused, and the window passes on the test clock.
async fn rate_limited(db: Arc<dyn Adapter>) {
    let limits = SignInLimits::default()
        .with_per_ip(None)
        .with_per_identifier(Rate::new(3, Duration::from_secs(15 * 60)));
    let app = app(&db, SessionStrategy::Jwt, Some(limits));
    let (secret, _) = enrol(&app, "eve").await;
    app.clock.advance(Duration::from_secs(PERIOD));
    let mut b = password_step(&app, "eve").await;
    let right = app.code(&secret);
    let wrong = if right == "111111" {
        "222222"
    } else {
        "111111"
    };
    for _ in 0..3 {
        refused(&submit(&mut b, wrong).await);
    }
    let res = submit(&mut b, &right).await;
    assert_eq!(res.status, 302);
    assert!(
        res.location().contains("error=TooManyAttempts"),
        "{}",
        res.location()
    );
    assert!(!has_session_cookie(&res));
    app.clock.advance(Duration::from_secs(15 * 60));
    let mut b = password_step(&app, "eve").await;
    let res = submit(&mut b, &app.code(&secret)).await;
    assert!(has_session_cookie(&res), "the window passed");
}

/// `second_factor` needs an adapter (jwt strategy) and valid settings; `Auth::new` says so.
#[tokio::test]
async fn configuration_mistakes_are_start_up_errors() {
    let seen = Arc::new(Seen::default());
    let err = Auth::new(config(seen.clone(), SessionStrategy::Jwt)).unwrap_err();
    assert_eq!(err, auth_runtime::ConfigError::SecondFactorNeedsAdapter);
    let (db, file) = auth_tests::sqlite::adapter("totp_config").await;
    for settings in [
        TotpSettings::new("Acme").with_digits(9),
        TotpSettings::new("Acme").with_period(10),
        TotpSettings::new("a:b"),
    ] {
        let bad = config(seen.clone(), SessionStrategy::Jwt)
            .with_second_factor(SecondFactor::Totp(settings));
        let err = Auth::with_adapter(bad, db.clone()).unwrap_err();
        assert!(
            matches!(err, auth_runtime::ConfigError::InvalidTotp(_)),
            "{err}"
        );
    }
    auth_tests::Cleanup::cleanup(file).await;
}

mod sqlite {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jwt_end_to_end() {
        let (db, file) = auth_tests::sqlite::adapter("totp_jwt").await;
        end_to_end(db, SessionStrategy::Jwt).await;
        auth_tests::Cleanup::cleanup(file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn database_end_to_end() {
        let (db, file) = auth_tests::sqlite::adapter("totp_db").await;
        end_to_end(db, SessionStrategy::Database).await;
        auth_tests::Cleanup::cleanup(file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn code_attempts_are_rate_limited() {
        let (db, file) = auth_tests::sqlite::adapter("totp_limits").await;
        rate_limited(db).await;
        auth_tests::Cleanup::cleanup(file).await;
    }
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jwt_end_to_end() {
        let (db, database) = auth_tests::postgres::adapter("totp_jwt").await;
        end_to_end(db, SessionStrategy::Jwt).await;
        auth_tests::Cleanup::cleanup(database).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn database_end_to_end() {
        let (db, database) = auth_tests::postgres::adapter("totp_db").await;
        end_to_end(db, SessionStrategy::Database).await;
        auth_tests::Cleanup::cleanup(database).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn code_attempts_are_rate_limited() {
        let (db, database) = auth_tests::postgres::adapter("totp_limits").await;
        rate_limited(db).await;
        auth_tests::Cleanup::cleanup(database).await;
    }
}
