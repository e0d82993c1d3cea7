//! Passkeys through `Auth::handle`, with a software authenticator (`auth_tests::passkey`)
//! and SQLite (the database strategy on PostgreSQL too): a signed-in user registers one, a
//! signed-out browser signs in with it (running `sign_in`, `jwt` with the user, and
//! `redirect`), on both session strategies;
//! and every refusal: a replayed assertion (with and without its cookie), a foreign origin,
//! a wrong relying party id, a counter going back, a challenge of another browser, a
//! registration without a session, a passkey removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use auth_runtime::adapter::Adapter;
use auth_runtime::{Auth, Provider, Trigger, providers};
use auth_tests::Cleanup as _;
use auth_tests::db_suite::{self, Counts};
use auth_tests::flow::{Browser, Calls, ORIGIN, Res, SUser, Tok, counting_config};
use auth_tests::passkey::SoftPasskey;
use serde_json::Value;

const REFUSED: &str = "error=WebAuthnVerificationError";

/// The `reason` of every "passkey ceremony refused" event, so each refusal is shown to be
/// the one meant (not another check failing first).
#[derive(Clone, Default)]
struct Reasons {
    lines: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

impl Reasons {
    /// The reasons logged since the last call.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap())
    }
}

struct Line<'a>(&'a mut String);

impl tracing::field::Visit for Line<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Reasons {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = String::new();
        event.record(&mut Line(&mut line));
        if line.contains("passkey ceremony refused") {
            self.lines.lock().unwrap().push(line);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn passkey_provider() -> Provider {
    Provider::Passkey(providers::passkey())
}

/// The JWT strategy with an adapter, every callback counting.
fn jwt_app(db: &Arc<dyn Adapter>, calls: Arc<Calls>) -> Auth<Tok, SUser> {
    Auth::with_adapter(
        counting_config(calls).__provider(passkey_provider()),
        db.clone(),
    )
    .expect("config")
}

/// The database strategy (`db_suite::config`: `jwt` must not run).
fn db_app(db: &Arc<dyn Adapter>, counts: Arc<Counts>) -> Auth<Tok, SUser> {
    db_suite::app(db, counts, vec![passkey_provider()])
}

async fn options(b: &mut Browser, action: &str) -> Value {
    let res = b
        .get(&format!("/webauthn-options/passkey?action={action}"))
        .await;
    assert_eq!(res.status, 200, "{:?}", String::from_utf8_lossy(&res.body));
    assert!(
        res.set_cookie("authjs.challenge").is_some(),
        "no challenge cookie"
    );
    res.json()
}

async fn post_credential(b: &mut Browser, action: &str, credential: &Value) -> Res {
    let csrf = b.csrf().await;
    let data = credential.to_string();
    b.post_form(
        "/callback/passkey",
        &[
            ("csrfToken", csrf.as_str()),
            ("action", action),
            ("data", data.as_str()),
            ("callbackUrl", "/account"),
        ],
    )
    .await
}

/// Signs `username` in with the password, then registers `key` for them.
async fn register(b: &mut Browser, username: &str, key: &mut SoftPasskey) {
    let res = b.sign_in(username, None).await;
    assert_eq!(res.status, 302);
    let opts = options(b, "register").await;
    assert_eq!(opts["options"]["rp"]["id"], "localhost");
    assert_eq!(
        opts["options"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        opts["options"]["authenticatorSelection"]["userVerification"],
        "preferred"
    );
    let credential = key.register(&opts);
    let res = post_credential(b, "register", &credential).await;
    assert_eq!(res.status, 302, "{:?}", res);
    assert_eq!(res.location(), format!("{ORIGIN}/account"));
}

/// A signed-out browser signs in with `key`.
async fn sign_in_with(b: &mut Browser, key: &mut SoftPasskey) -> Res {
    let opts = options(b, "authenticate").await;
    assert_eq!(opts["options"]["rpId"], "localhost");
    assert_eq!(opts["options"]["userVerification"], "preferred");
    let assertion = key.assert(&opts);
    post_credential(b, "authenticate", &assertion).await
}

/// Refused, for a reason containing `why` (the one logged).
fn refused_for(res: &Res, reasons: &Reasons, why: &str) {
    refused(res);
    let logged = reasons.take();
    assert!(
        logged.len() == 1 && logged[0].contains(why),
        "expected a refusal for `{why}`, logged: {logged:?}"
    );
}

fn refused(res: &Res) {
    assert_eq!(res.status, 302, "{res:?}");
    assert!(res.location().contains(REFUSED), "{}", res.location());
    assert!(
        res.set_cookie("authjs.session-token").is_none(),
        "a refused passkey set a session: {:?}",
        res.set_cookies()
    );
    let cleared = res.set_cookie("authjs.challenge").unwrap_or_default();
    assert!(
        cleared.contains("Max-Age=0"),
        "challenge not cleared: {cleared}"
    );
}

#[tokio::test]
async fn register_then_sign_in_runs_the_sign_in_callbacks_jwt() {
    let (db, guard) = auth_tests::sqlite::adapter("passkey-jwt").await;
    let calls = Arc::new(Calls::default());
    let auth = jwt_app(&db, calls.clone());
    let mut key = SoftPasskey::new("alice", ORIGIN);
    let mut alice = Browser::new(auth.clone());
    register(&mut alice, "alice", &mut key).await;
    let listed = auth.passkeys("id-alice").await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].credential_id, key.id());
    assert_eq!(listed[0].transports, ["internal"]);
    assert_eq!(listed[0].name, "Passkey");

    // A new browser, signed out, signs in with the passkey.
    let before = calls.counts();
    calls.take_jwt_seen();
    let mut other = Browser::new(auth.clone());
    let res = sign_in_with(&mut other, &mut key).await;
    assert_eq!(res.status, 302, "{res:?}");
    assert_eq!(res.location(), format!("{ORIGIN}/account"));
    assert!(res.set_cookie("authjs.session-token").is_some());
    let after = calls.counts();
    // sign_in once, jwt once (with the user, trigger signIn), redirect for the callback URL.
    assert_eq!(after[0] - before[0], 1, "sign_in");
    assert_eq!(after[1] - before[1], 1, "jwt");
    assert!(after[3] > before[3], "redirect");
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(Some(Trigger::SignIn), true, None)]
    );
    let session = other.session().await;
    assert_eq!(session["user"]["email"], "alice@example.com");
    assert_eq!(session["user"]["id"], "id-alice");

    // Removed, it no longer signs in.
    assert!(
        auth.remove_passkey("id-alice", &key.id())
            .await
            .expect("remove")
    );
    let mut third = Browser::new(auth.clone());
    refused(&sign_in_with(&mut third, &mut key).await);
    guard.cleanup().await;
}

#[tokio::test]
async fn register_then_sign_in_database_strategy() {
    let (db, guard) = auth_tests::sqlite::adapter("passkey-db").await;
    database_strategy(db).await;
    guard.cleanup().await;
}

#[tokio::test]
async fn register_then_sign_in_database_strategy_postgres() {
    let (db, guard) = auth_tests::postgres::adapter("passkey_db").await;
    database_strategy(db).await;
    guard.cleanup().await;
}

async fn database_strategy(db: Arc<dyn Adapter>) {
    let counts = Arc::new(Counts::default());
    let auth = db_app(&db, counts.clone());
    let mut key = SoftPasskey::new("bob", ORIGIN);
    let mut bob = Browser::new(auth.clone());
    register(&mut bob, "bob", &mut key).await;
    let before = counts.get();
    let mut other = Browser::new(auth.clone());
    let res = sign_in_with(&mut other, &mut key).await;
    assert_eq!(res.status, 302, "{res:?}");
    assert!(!res.location().contains("error"), "{}", res.location());
    assert!(res.set_cookie(db_suite::COOKIE).is_some());
    assert_eq!(counts.sign_in.load(Ordering::SeqCst) - before[0], 1);
    assert_eq!(counts.jwt.load(Ordering::SeqCst), 0, "jwt ran");
    let session = other.session().await;
    assert_eq!(session["user"]["id"], "id-bob");
    assert_eq!(
        db.list_user_sessions("id-bob").await.expect("rows").len(),
        2
    );
}

#[tokio::test(flavor = "current_thread")]
async fn refusals() {
    let reasons = Reasons::default();
    let _log = tracing::subscriber::set_default(reasons.clone());
    let (db, guard) = auth_tests::sqlite::adapter("passkey-refusals").await;
    let calls = Arc::new(Calls::default());
    let auth = jwt_app(&db, calls.clone());
    let mut key = SoftPasskey::new("carol", ORIGIN);
    let mut carol = Browser::new(auth.clone());
    register(&mut carol, "carol", &mut key).await;

    // A registration needs a session.
    let mut anonymous = Browser::new(auth.clone());
    let res = anonymous
        .get("/webauthn-options/passkey?action=register")
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(res.json()["error"], "SessionRequired");
    let res = anonymous.get("/webauthn-options/passkey").await;
    assert_eq!(res.status, 400);

    // A replayed assertion: the same request again, its challenge cookie put back.
    let mut first = Browser::new(auth.clone());
    let opts = options(&mut first, "authenticate").await;
    let challenge_cookie = first.jar.0.get("authjs.challenge").cloned().unwrap();
    let assertion = key.assert(&opts);
    let res = post_credential(&mut first, "authenticate", &assertion).await;
    assert!(res.set_cookie("authjs.session-token").is_some(), "{res:?}");
    let mut replay = Browser::new(auth.clone());
    replay
        .jar
        .0
        .insert("authjs.challenge".to_owned(), challenge_cookie);
    refused_for(
        &post_credential(&mut replay, "authenticate", &assertion).await,
        &reasons,
        "the challenge was used already",
    );
    // .. and with a fresh challenge cookie of its own.
    let mut replay = Browser::new(auth.clone());
    options(&mut replay, "authenticate").await;
    refused_for(
        &post_credential(&mut replay, "authenticate", &assertion).await,
        &reasons,
        "the challenge is not the one issued to this browser",
    );
    // .. and with no challenge at all.
    let mut replay = Browser::new(auth.clone());
    let res = post_credential(&mut replay, "authenticate", &assertion).await;
    assert!(res.location().contains(REFUSED), "{}", res.location());
    assert!(reasons.take()[0].contains("no challenge cookie"));

    // A challenge from another browser: made for A's options, posted by B.
    let mut a = Browser::new(auth.clone());
    let mut b = Browser::new(auth.clone());
    let for_a = options(&mut a, "authenticate").await;
    options(&mut b, "authenticate").await;
    let assertion = key.assert(&for_a);
    refused_for(
        &post_credential(&mut b, "authenticate", &assertion).await,
        &reasons,
        "the challenge is not the one issued to this browser",
    );

    // A foreign origin.
    let mut phished = SoftPasskey::new("carol", "http://localhost.evil.example");
    phished.counter = key.counter + 10;
    phished.user_handle = key.user_handle.clone();
    let mut b = Browser::new(auth.clone());
    refused_for(
        &sign_in_with(&mut b, &mut phished).await,
        &reasons,
        "the origin `http://localhost.evil.example` is not the site's",
    );

    // A wrong relying party id.
    let mut wrong_rp = SoftPasskey::new("carol", ORIGIN);
    wrong_rp.counter = key.counter + 20;
    wrong_rp.user_handle = key.user_handle.clone();
    wrong_rp.rp_id = Some("evil.example".to_owned());
    let mut b = Browser::new(auth.clone());
    refused_for(
        &sign_in_with(&mut b, &mut wrong_rp).await,
        &reasons,
        "another relying party id",
    );

    // A counter that goes back (a cloned authenticator).
    let mut clone = SoftPasskey::new("carol", ORIGIN);
    clone.user_handle = key.user_handle.clone();
    clone.counter = 1;
    let mut b = Browser::new(auth.clone());
    refused_for(
        &sign_in_with(&mut b, &mut clone).await,
        &reasons,
        "the signature counter went from",
    );

    // Another user's handle on this credential.
    let mut handle = SoftPasskey::new("carol", ORIGIN);
    handle.counter = key.counter + 30;
    handle.user_handle = Some("aWQtbWFsbG9yeQ".to_owned());
    let mut b = Browser::new(auth.clone());
    refused_for(
        &sign_in_with(&mut b, &mut handle).await,
        &reasons,
        "the user handle is not the passkey's user",
    );

    // An unknown credential.
    let mut stranger = SoftPasskey::new("stranger", ORIGIN);
    let mut b = Browser::new(auth.clone());
    refused_for(
        &sign_in_with(&mut b, &mut stranger).await,
        &reasons,
        "no passkey with this credential id",
    );

    // A registration of a passkey already registered.
    let opts = options(&mut carol, "register").await;
    assert_eq!(
        opts["options"]["excludeCredentials"][0]["id"],
        Value::String(key.id())
    );
    let credential = key.register(&opts);
    refused_for(
        &post_credential(&mut carol, "register", &credential).await,
        &reasons,
        "registered already",
    );

    // A post without its CSRF token: refused first, and its challenge is spent all the same.
    let mut b = Browser::new(auth.clone());
    let opts = options(&mut b, "authenticate").await;
    let data = key.assert(&opts).to_string();
    let res = b
        .post_form(
            "/callback/passkey",
            &[("action", "authenticate"), ("data", data.as_str())],
        )
        .await;
    assert!(res.location().contains("error=MissingCSRF"), "{res:?}");
    assert!(res.set_cookie("authjs.session-token").is_none());
    let cleared = res.set_cookie("authjs.challenge").unwrap_or_default();
    assert!(
        cleared.contains("Max-Age=0"),
        "challenge not cleared: {cleared}"
    );

    // After all that the real passkey still signs in: nothing above moved its counter.
    let mut b = Browser::new(auth.clone());
    let res = sign_in_with(&mut b, &mut key).await;
    assert!(res.set_cookie("authjs.session-token").is_some(), "{res:?}");
    guard.cleanup().await;
}

#[tokio::test]
async fn the_sign_in_page_offers_passkeys_under_a_script_hash() {
    let (db, guard) = auth_tests::sqlite::adapter("passkey-page").await;
    let auth = jwt_app(&db, Arc::new(Calls::default()));
    let mut b = Browser::new(auth);
    let res = b.get("/signin").await;
    assert_eq!(res.status, 200);
    let html = String::from_utf8_lossy(&res.body).into_owned();
    assert!(html.contains(
        "data-passkey-options=\"http://localhost:3000/api/auth/webauthn-options/passkey\""
    ));
    assert!(html.contains(&format!(
        "<script>{}</script>",
        auth_runtime::pages::PASSKEY_SCRIPT
    )));
    assert_eq!(html.matches("<script").count(), 1);
    let csp = res.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!(
            "script-src {}",
            auth_runtime::pages::passkey_script_csp()
        )),
        "{csp}"
    );
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline'; script") && !csp.contains("script-src 'unsafe"));
    // Without a passkey provider: no script, no script-src.
    let mut plain = Browser::new(Auth::new(auth_tests::flow::plain_config()).unwrap());
    let res = plain.get("/signin").await;
    assert!(!String::from_utf8_lossy(&res.body).contains("<script"));
    assert!(
        !res.header("content-security-policy")
            .unwrap()
            .contains("script-src")
    );
    guard.cleanup().await;
}

#[test]
fn a_passkey_provider_needs_an_adapter() {
    let config = counting_config(Arc::new(Calls::default())).__provider(passkey_provider());
    let Err(err) = Auth::new(config) else {
        panic!("a passkey provider without an adapter was accepted")
    };
    assert!(err.to_string().contains("Auth::with_adapter"), "{err}");
}
