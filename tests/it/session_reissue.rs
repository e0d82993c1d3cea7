//! `session: { reissue_after }` (`AuthConfig::with_reissue_after`): a JWT session read
//! re-issues the cookie only once its token is that old, on an update, or when `jwt`
//! changed the token; through the flow and through the axum layer, on a test clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use auth_runtime::config::{JwtArgs, SessionStrategy};
use auth_runtime::testing::TestClock;
use auth_runtime::{Auth, ConfigError};
use auth_tests::flow::{Browser, Res, Tok, auth, boxed, plain_config};

const SESSION: &str = "authjs.session-token";
const MAX_AGE: u64 = 24 * 3600;
const REISSUE_AFTER: u64 = 600;

/// `GET /session`: the session's `expires`, and whether the answer set the session cookie.
async fn read(b: &mut Browser) -> (String, bool) {
    let res = b.get("/session").await;
    assert_eq!(res.status, 200);
    (expires(&res), reissued(&res))
}

fn expires(res: &Res) -> String {
    let body = res.json();
    assert_eq!(body["user"]["name"], "ada", "signed in: {body}");
    body["expires"].as_str().unwrap().to_owned()
}

fn reissued(res: &Res) -> bool {
    res.set_cookie(SESSION).is_some()
}

/// A browser signed in as `ada` on `auth`, its clock `clock`.
async fn signed_in(auth: Auth<Tok, auth_tests::flow::SUser>) -> Browser {
    let mut b = Browser::new(auth);
    let res = b.sign_in("ada", None).await;
    assert_eq!(res.status, 302);
    assert!(reissued(&res), "the sign-in sets the cookie");
    b
}

#[tokio::test]
async fn within_reissue_after_a_read_sets_no_cookie_and_keeps_the_expiry() {
    let clock = TestClock::new();
    let config = plain_config()
        .__max_age(MAX_AGE)
        .with_reissue_after(REISSUE_AFTER);
    let mut b = signed_in(auth(config).with_clock(clock.clone())).await;
    let cookie = b.jar[SESSION].clone();

    let (first, set) = read(&mut b).await;
    assert!(!set, "just signed in: no Set-Cookie");
    clock.advance(Duration::from_secs(REISSUE_AFTER - 1));
    let (second, set) = read(&mut b).await;
    assert!(
        !set,
        "{} s after the sign-in: no Set-Cookie",
        REISSUE_AFTER - 1
    );
    assert_eq!(first, second, "the token's own exp, not rolled forward");
    assert_eq!(b.jar[SESSION], cookie);

    clock.advance(Duration::from_secs(1));
    let (third, set) = read(&mut b).await;
    assert!(set, "{REISSUE_AFTER} s after the sign-in: re-issued");
    assert!(third > second, "rolled forward: {third} > {second}");
    assert_ne!(b.jar[SESSION], cookie, "a fresh token");

    // The fresh token starts the count again.
    // Not re-issued, the expiry is the token's `exp` (whole seconds), the re-issued one
    // was `max_age` from that read's instant (milliseconds, as Auth.js writes it).
    let (fourth, set) = read(&mut b).await;
    assert!(!set);
    assert_eq!(fourth[..19], third[..19], "{fourth} vs {third}");
}

/// The expiry rolls at most every `reissue_after`: a session read last just before a
/// re-issue was due still lives `max_age - reissue_after` after that read.
#[tokio::test]
async fn the_session_lives_max_age_minus_reissue_after_past_the_last_read() {
    let clock = TestClock::new();
    let config = plain_config()
        .__max_age(MAX_AGE)
        .with_reissue_after(REISSUE_AFTER);
    let mut b = signed_in(auth(config).with_clock(clock.clone())).await;
    clock.advance(Duration::from_secs(REISSUE_AFTER - 1));
    let (_, set) = read(&mut b).await;
    assert!(!set, "the last activity, not re-issued");
    // `max_age - reissue_after` after that read (one second short of the token's exp):
    // still signed in, and this read is due.
    clock.advance(Duration::from_secs(MAX_AGE - REISSUE_AFTER));
    let (_, set) = read(&mut b).await;
    assert!(set);
}

#[tokio::test]
async fn an_update_always_reissues() {
    let clock = TestClock::new();
    let config = plain_config().with_reissue_after(REISSUE_AFTER);
    let mut b = signed_in(auth(config).with_clock(clock.clone())).await;
    clock.advance(Duration::from_secs(1));
    let csrf = b.csrf().await;
    let res = b
        .post_json("/session", &serde_json::json!({ "csrfToken": csrf }))
        .await;
    assert_eq!(res.status, 200);
    assert!(reissued(&res), "POST /session (trigger update) re-issues");
    let res = b.get("/session").await;
    assert!(!reissued(&res), "the read after it is not due");
}

#[tokio::test]
async fn a_token_the_jwt_callback_changes_is_reissued() {
    let clock = TestClock::new();
    let promote = Arc::new(AtomicBool::new(false));
    let flag = promote.clone();
    let config = plain_config()
        .with_reissue_after(REISSUE_AFTER)
        .__jwt(Arc::new(move |args: JwtArgs<Tok>| {
            let mut token = args.token;
            if flag.load(Ordering::SeqCst) {
                token.role = Some("admin".to_owned());
            }
            boxed(async move { Some(token) })
        }));
    let mut b = signed_in(auth(config).with_clock(clock.clone())).await;
    clock.advance(Duration::from_secs(1));
    let (_, set) = read(&mut b).await;
    assert!(!set, "jwt returned the token unchanged");

    promote.store(true, Ordering::SeqCst);
    let (_, set) = read(&mut b).await;
    assert!(set, "jwt changed the token: re-issued");
    let (_, set) = read(&mut b).await;
    assert!(!set, "the cookie carries the change: unchanged since");
}

/// The default (0) is Auth.js's: every read re-issues.
/// A secret rotation moves a token on its next read whatever its age: a token sealed under
/// the secret that is now the second is re-issued under the new first one at once, then
/// left alone again for `reissue_after`.
#[tokio::test]
async fn a_token_under_an_older_secret_is_reissued_at_once() {
    let clock = TestClock::new();
    let config = || {
        plain_config()
            .__max_age(MAX_AGE)
            .with_reissue_after(REISSUE_AFTER)
    };
    let mut b = signed_in(auth(config()).with_clock(clock.clone())).await;
    let old = b.jar[SESSION].clone();
    let rotated = config().with_secrets([
        "flow-test-rotated-secret-0123456789abcdef012345",
        auth_tests::flow::SECRET,
    ]);
    b.auth = auth(rotated).with_clock(clock.clone());

    let (_, set) = read(&mut b).await;
    assert!(
        set,
        "sealed under the older secret: re-issued on the first read"
    );
    assert_ne!(b.jar[SESSION], old);
    let (_, set) = read(&mut b).await;
    assert!(!set, "now under the current secret and young: left alone");
}

#[tokio::test]
async fn by_default_every_read_reissues() {
    let clock = TestClock::new();
    let mut b = signed_in(auth(plain_config()).with_clock(clock.clone())).await;
    assert_eq!(plain_config().reissue_after(), 0);
    for _ in 0..2 {
        let (_, set) = read(&mut b).await;
        assert!(set);
    }
}

#[tokio::test]
async fn reissue_after_not_below_max_age_is_refused_at_start_up() {
    for reissue_after in [MAX_AGE, MAX_AGE + 1] {
        let err = Auth::new(
            plain_config()
                .__max_age(MAX_AGE)
                .with_reissue_after(reissue_after),
        )
        .expect_err("refused");
        assert_eq!(
            err,
            ConfigError::InvalidReissueAfter {
                reissue_after,
                max_age: MAX_AGE
            }
        );
        assert!(err.to_string().contains("below max_age"), "{err}");
    }
    // Below it (and 0) is accepted.
    auth(
        plain_config()
            .__max_age(MAX_AGE)
            .with_reissue_after(MAX_AGE - 1),
    );
    auth(plain_config().__max_age(MAX_AGE).with_reissue_after(0));
}

#[tokio::test]
async fn reissue_after_is_refused_under_the_database_strategy() {
    let (db, _file) = auth_tests::sqlite::adapter("reissue-database").await;
    let config = plain_config()
        .__strategy(SessionStrategy::Database)
        .with_reissue_after(REISSUE_AFTER);
    let err = Auth::with_adapter(config, db).expect_err("refused");
    assert_eq!(err, ConfigError::ReissueAfterWithDatabase);
    assert!(err.to_string().contains("update_age"), "{err}");
}

/// Through `auth.layer()`: a handler reading the session answers without `Set-Cookie`
/// until the token is `reissue_after` old.
#[tokio::test]
async fn through_the_axum_layer_the_same() {
    use auth_tests::axum_app::{Counters, Jar, config, req, send, sign_in};
    use axum::Router;
    use axum::routing::get;

    async fn me(session: auth_tests::axum_app::Session) -> String {
        session.user.id
    }
    let clock = TestClock::new();
    let auth = Auth::new(config(&Counters::default()).with_reissue_after(REISSUE_AFTER))
        .unwrap()
        .with_clock(clock.clone());
    let app = Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer());
    let jar: Jar = sign_in(&app, "alice", "alice-pw").await;
    let session_cookie = |response: &http::Response<axum::body::Body>| {
        response
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().unwrap().starts_with(SESSION))
    };

    clock.advance(Duration::from_secs(REISSUE_AFTER - 1));
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), http::StatusCode::OK);
    assert!(!session_cookie(&response), "not due: no Set-Cookie");

    clock.advance(Duration::from_secs(1));
    let response = send(&app, req("/me", &jar)).await;
    assert_eq!(response.status(), http::StatusCode::OK);
    assert!(session_cookie(&response), "due: re-issued");
}
