//! `auth! { state: AppState, .. }`: the application's state reaches `authorize`, the
//! callbacks and the events through `config(state)`; the generated `Auth` alias.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_tests::cookies::CookieJar;
use auth_tests::flow::send_with_jar as send;

/// What an application keeps: its users and a log the handlers write to.
#[derive(Clone, Default)]
pub struct AppState {
    users: Arc<HashMap<String, String>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl AppState {
    fn note(&self, what: impl Into<String>) {
        self.log.lock().unwrap().push(what.into());
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

mod auth {
    use auth_runtime::User;

    pub use super::AppState;

    auth_runtime::auth! {
        state: AppState,
        token: { id: String, greeting: Option<String> },
        session_user: { id: String, greeting: Option<String> },
        providers: [
            Credentials {
                // By name, in any order.
                authorize: |state, credentials| async move {
                    let name = credentials.get("username")?;
                    let password = state.users.get(name)?;
                    state.note(format!("authorize {name}"));
                    (credentials.get("password") == Some(password.as_str()))
                        .then(|| User::new(name))
                },
            },
        ],
        callbacks: {
            sign_in(user, state) {
                state.note(format!("sign_in {}", user.id));
                true
            },
            jwt(token, user, state) {
                if let Some(user) = user {
                    token.id = user.id.clone();
                    token.greeting = Some(format!("hello {}", user.id));
                    state.note("jwt sign-in");
                }
                token
            },
            session(state, session, token) {
                state.note("session");
                session.user.id = token.id.clone();
                session.user.greeting = token.greeting.clone();
                session
            },
        },
        events: {
            sign_in(user, state) { state.note(format!("event sign_in {}", user.id)); },
            sign_out(state) { state.note("event sign_out"); },
        },
    }
}

/// Waits until the spawned events have written `what`.
async fn logged(state: &AppState, what: &str) {
    for _ in 0..200 {
        if state.log().iter().any(|l| l == what) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("`{what}` never logged: {:?}", state.log());
}

#[tokio::test]
async fn the_state_reaches_authorize_callbacks_and_events() {
    let state = AppState {
        users: Arc::new(HashMap::from([("ada".to_owned(), "lovelace".to_owned())])),
        ..AppState::default()
    };
    let config = auth::config(state.clone())
        .with_secrets(["macro-state-secret-0123456789abcdef0123"])
        .with_url("http://localhost:3000");
    let auth = auth::Auth::new(config).unwrap();
    let mut jar = CookieJar::new();
    let csrf = auth_tests::flow::csrf_with_jar(&auth, &mut jar).await;

    // A user the state does not hold: `authorize` answers `None` before touching the log.
    let res = send(
        &auth,
        &mut jar,
        "POST",
        "/callback/credentials",
        Some(format!("csrfToken={csrf}&username=bob&password=x")),
    )
    .await;
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=CredentialsSignin")
    );
    assert!(state.log().is_empty(), "{:?}", state.log());

    let res = send(
        &auth,
        &mut jar,
        "POST",
        "/callback/credentials",
        Some(format!("csrfToken={csrf}&username=ada&password=lovelace")),
    )
    .await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        state.log()[..3],
        ["authorize ada", "sign_in ada", "jwt sign-in"]
    );
    logged(&state, "event sign_in ada").await;

    let res = send(&auth, &mut jar, "GET", "/session", None).await;
    let session: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
    assert_eq!(session["user"]["id"], "ada");
    assert_eq!(session["user"]["greeting"], "hello ada");
    assert!(state.log().iter().any(|l| l == "session"));

    send(
        &auth,
        &mut jar,
        "POST",
        "/signout",
        Some(format!("csrfToken={csrf}")),
    )
    .await;
    logged(&state, "event sign_out").await;
}
