//! `#[session]` token fields and the `sub` → `session.user.id` fill: the default session
//! is filled before any `session` callback, and nothing else leaves the token.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_runtime::config::{SessionUserData, TokenData};
use auth_tests::cookies::CookieJar;
use auth_tests::flow::send_with_jar as send;

mod plain {
    use auth_runtime::User;

    auth_runtime::auth! {
        token: {
            #[session] role: Option<String>,
            #[session(rename = "plan_name")] plan: String,
            secret: Option<String>,
        },
        session_user: { id: String, role: Option<String> },
        providers: [
            Credentials { authorize: |credentials| async move { credentials.get("username").map(User::new) } },
        ],
        callbacks: {
            jwt(token, user) {
                if let Some(user) = user {
                    token.role = Some(format!("role-of-{}", user.id));
                    token.plan = "pro".to_owned();
                    token.secret = Some("stays in the token".to_owned());
                }
                token
            },
        },
    }
}

mod overridden {
    use auth_runtime::User;

    auth_runtime::auth! {
        token: { #[session] role: Option<String> },
        session_user: { id: Option<String>, role: Option<String> },
        providers: [
            Credentials { authorize: |credentials| async move { credentials.get("username").map(User::new) } },
        ],
        callbacks: {
            jwt(token, user) {
                if let Some(user) = user { token.role = Some(user.id.clone()); }
                token
            },
            session(session) {
                // Runs after the fill: sees it, and has the last word.
                assert_eq!(session.user.role.as_deref(), session.user.id.as_deref());
                session.user.id = Some("from-the-callback".to_owned());
                session
            },
        },
    }
}

/// Signs `name` in and returns `GET /session`.
async fn session_of<T: TokenData, U: SessionUserData>(
    auth: &auth_runtime::Auth<T, U>,
    name: &str,
) -> serde_json::Value {
    let mut jar = CookieJar::new();
    let csrf = auth_tests::flow::csrf_with_jar(auth, &mut jar).await;
    let res = send(
        auth,
        &mut jar,
        "POST",
        "/callback/credentials",
        Some(format!("csrfToken={csrf}&username={name}")),
    )
    .await;
    assert_eq!(res.status(), 302);
    let res = send(auth, &mut jar, "GET", "/session", None).await;
    serde_json::from_slice(res.body()).unwrap()
}

fn configured<T, U>(config: auth_runtime::AuthConfig<T, U>) -> auth_runtime::AuthConfig<T, U> {
    config
        .with_secrets(["macro-session-secret-0123456789abcdef0123"])
        .with_url("http://localhost:3000")
}

#[tokio::test]
async fn session_fields_and_the_id_without_a_session_callback() {
    let auth = plain::Auth::new(configured(plain::config())).unwrap();
    let session = session_of(&auth, "ada").await;
    let user = &session["user"];
    assert_eq!(user["id"], "ada", "{session}");
    assert_eq!(user["role"], "role-of-ada", "{session}");
    assert_eq!(user["plan_name"], "pro", "{session}");
    let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("secret") || k.as_str() == "plan"),
        "only `#[session]` fields are exposed: {session}"
    );
}

#[tokio::test]
async fn a_session_callback_runs_after_the_fill() {
    let auth = overridden::Auth::new(configured(overridden::config())).unwrap();
    let session = session_of(&auth, "bob").await;
    assert_eq!(session["user"]["id"], "from-the-callback", "{session}");
    assert_eq!(session["user"]["role"], "bob", "{session}");
}
