//! `auth!` through a renamed dependency (`renamed = { package = "auth-runtime", .. }`):
//! the generated code names the runtime only through the `$crate` the shim passes, so it
//! compiles although no `auth_runtime` crate is in scope here.

#![allow(clippy::expect_used, reason = "a test fails loudly on a missing value")]

mod auth {
    renamed::auth! {
        session: { strategy: jwt, max_age: 3600 },
        token: { id: String },
        session_user: { id: String },
        providers: [
            Credentials { authorize: |credentials| async move { credentials.get("id").map(renamed::User::new) } },
            GitHub { client_id: env("GITHUB_ID"), client_secret: "secret" },
        ],
        callbacks: {
            jwt(token, user) {
                if let Some(user) = user {
                    token.id = user.id;
                }
                token
            },
            session(session, token) {
                session.user.id = token.id.clone();
                session
            },
            redirect(url, base_url) { if url.starts_with('/') { url } else { base_url } },
        },
        events: { sign_out(user_id) { let _ = user_id; } },
        pages: { sign_in: "/login" },
        base_path: "/auth",
    }
}

#[test]
fn a_renamed_runtime_expands_and_runs() {
    let config = auth::config();
    assert_eq!(config.max_age(), 3600);
    assert_eq!(config.base_path(), "/auth");
    assert_eq!(config.pages().sign_in.as_deref(), Some("/login"));
    let ids: Vec<&str> = config.providers().iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["credentials", "github"]);
    assert!(config.jwt_callback().is_some() && config.redirect_callback().is_some());

    let token = auth::Token {
        id: "7".to_owned(),
        ..Default::default()
    };
    let json = serde_json::to_value(&token).expect("serializes through the runtime's serde");
    assert_eq!(json, serde_json::json!({ "id": "7" }));
    let session = auth::Session::default();
    assert_eq!(session.user.id, "");
}
