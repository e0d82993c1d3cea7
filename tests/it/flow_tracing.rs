//! Every step is visible through `tracing` (which callback ran with which trigger, why a
//! sign-in was refused, why a cookie was cleared), and no secret, token, password or
//! cookie value ever reaches a log.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use auth_tests::flow::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Collects every event (and span field) as one text line.
#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut line = format!("span {}", attrs.metadata().name());
        attrs.record(&mut Line(&mut line));
        self.lines.lock().unwrap().push(line);
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = "record".to_owned();
        values.record(&mut Line(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = format!("{} {}", event.metadata().level(), event.metadata().target());
        event.record(&mut Line(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn flow_is_traced_without_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let calls = Arc::new(Calls::default());
    let mut b = Browser::new(auth(counting_config(calls)));
    let csrf = b.csrf().await;
    let password = "pw"; // `authorize` accepts only this; the refused one below is unique
    b.post_form(
        "/callback/credentials",
        &[
            ("csrfToken", &csrf),
            ("username", "tess"),
            ("password", "hunter2-UNIQUE-PASSWORD"),
        ],
    )
    .await;
    b.sign_in("tess", Some("/home")).await;
    let token = b.jar["authjs.session-token"].clone();
    b.session().await;
    b.sign_in("banned", None).await;
    b.post_form("/signout", &[("csrfToken", "forged")]).await;
    b.jar
        .insert("authjs.session-token".into(), format!("{token}x"));
    b.session().await;
    let csrf_cookie = b.jar["authjs.csrf-token"].clone();

    let log = capture.lines.lock().unwrap().join("\n");
    println!("{log}");
    for expected in [
        "callback=\"sign_in\"",
        "callback=\"jwt\" trigger=Some(SignIn) user=true",
        "callback=\"jwt\" trigger=None user=false",
        "callback=\"session\"",
        "callback=\"redirect\"",
        "`authorize` returned no user (CredentialsSignin)",
        "the `sign_in` callback denied it (AccessDenied)",
        "CSRF check failed (MissingCSRF)",
        "csrfToken differs from the CSRF cookie",
        "session cookie cleared",
        "token rejected",
        "signed in",
    ] {
        assert!(
            log.contains(expected),
            "missing {expected:?} in the log:\n{log}"
        );
    }
    let csrf_hash = csrf_cookie.split("%7C").nth(1).unwrap().to_owned();
    for secret in [
        SECRET,
        "hunter2-UNIQUE-PASSWORD",
        &format!("password={password}"),
        &token,
        &token[token.len() - 40..],
        &csrf,
        &csrf_hash,
    ] {
        assert!(!log.contains(secret), "the log leaks {secret:?}:\n{log}");
    }
}

/// A `Token` whose field changed type since the cookie was written (`name` now a number):
/// the session is cleared and the log says why, without echoing the claim's value
/// (serde's own text would print the user's name).
#[tokio::test(flavor = "current_thread")]
async fn a_claim_of_another_type_is_not_echoed_into_the_log() {
    #[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[serde(default)]
    struct Renamed {
        sub: Option<String>,
        name: Option<i64>,
        exp: Option<i64>,
    }

    let mut b = Browser::new(auth(counting_config(Arc::default())));
    let user = "Zelda-UNIQUE-NAME";
    b.sign_in(user, None).await;
    let mut jar = b.jar.clone();
    let config = auth_runtime::AuthConfig::<Renamed, SUser>::__new()
        .__provider(credentials_provider())
        .with_secrets([SECRET])
        .with_url(ORIGIN);
    let changed = auth_runtime::Auth::new(config).unwrap();

    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let res = send_with_jar(&changed, &mut jar, "GET", "/session", None).await;
    assert_eq!(res.body().as_ref(), b"null");
    assert!(!jar.contains_key("authjs.session-token"), "cleared");
    let log = capture.lines.lock().unwrap().join("\n");
    assert!(
        log.contains("token claims do not fit the Token type: invalid type (expected i64)"),
        "{log}"
    );
    assert!(!log.contains(user), "the log echoes the claim:\n{log}");
}
