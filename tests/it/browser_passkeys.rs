//! Passkeys in headless Chromium (Debian's `chromium` through `playwright-core`), with its
//! virtual authenticator (the DevTools `WebAuthn` domain): sign in with a password, register
//! a passkey from the account page, sign out, sign in with the passkey from the built-in
//! sign-in page; under the jwt strategy with an adapter and under the database strategy,
//! each on SQLite. The pages run the flow's one script (`pages::PASSKEY_SCRIPT`), allowed by
//! its hash in the `Content-Security-Policy`. Screenshots land in `target/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::Arc;

use auth_runtime::Auth;
use auth_runtime::adapter::Adapter;
use auth_runtime::axum::CsrfToken;
use auth_runtime::config::{SessionUserData, TokenData};
use auth_runtime::pages::{self, escape_html as esc};
use auth_tests::Cleanup as _;
use auth_tests::examples::build_example;
use axum::extract::State;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};

mod jwt_auth {
    use auth_runtime::User;

    auth_runtime::auth! {
        session_user: { id: String },
        providers: [
            Credentials {
                authorize: |credentials| async move {
                    let name = credentials.get("username")?.to_owned();
                    credentials.matches("password", &name).then(|| {
                        User::default()
                            .with_name(name.clone())
                            .with_email(format!("{name}@example.com"))
                    })
                },
            },
            Passkey { rp_name: "Passkey browser test" },
        ],
        callbacks: {
            session(session, token) {
                session.user.id = token.sub.clone().unwrap_or_default();
                session
            },
        },
    }
}

mod db_auth {
    use auth_runtime::User;

    auth_runtime::auth! {
        session: { strategy: database },
        session_user: { id: String },
        providers: [
            Credentials {
                authorize: |credentials| async move {
                    let name = credentials.get("username")?.to_owned();
                    credentials.matches("password", &name).then(|| {
                        User::default()
                            .with_name(name.clone())
                            .with_email(format!("{name}@example.com"))
                    })
                },
            },
            Passkey { rp_name: "Passkey browser test" },
        ],
        callbacks: {
            session(session, user) {
                session.user.id = user.id;
                session
            },
        },
    }
}

/// `/account`: the user's passkeys and the form registering one (the flow's script, allowed
/// by its hash); signed out, a redirect to the sign-in page.
async fn account<T: TokenData, U: SessionUserData>(
    State(auth): State<Auth<T, U>>,
    CsrfToken(csrf): CsrfToken,
    parts: Parts,
) -> Response {
    let lookup = auth.session(&parts).await;
    let Some(session) = lookup.session else {
        return Redirect::to("/api/auth/signin?callbackUrl=%2Faccount").into_response();
    };
    let user = serde_json::to_value(&session.user).unwrap();
    let user_id = user["id"].as_str().unwrap_or_default().to_owned();
    let keys = auth.passkeys(&user_id).await.unwrap();
    let list: String = keys
        .iter()
        .map(|k| {
            format!(
                "<li class=\"passkey\">{} ({})</li>",
                esc(&k.name),
                esc(&k.transports.join(", "))
            )
        })
        .collect();
    let form = pages::passkey_form(
        "/api/auth/callback/passkey",
        "/api/auth/webauthn-options/passkey",
        "register",
        &pages::hidden_fields(&csrf, "/account?registered"),
        "register-passkey",
        "Add a passkey",
    );
    let html = format!(
        "<!doctype html><title>Account</title><p>{}</p><ul>{list}</ul>{form}<script>{}</script>",
        esc(user["email"].as_str().unwrap_or_default()),
        pages::PASSKEY_SCRIPT
    );
    let csp = format!(
        "default-src 'none'; script-src {}; connect-src 'self'; form-action 'self'",
        pages::passkey_script_csp()
    );
    ([(CONTENT_SECURITY_POLICY, csp)], Html(html)).into_response()
}

fn app<T: TokenData, U: SessionUserData>(auth: Auth<T, U>) -> axum::Router {
    axum::Router::new()
        .route("/", axum::routing::get(|| async { "home" }))
        .route("/account", axum::routing::get(account::<T, U>))
        .with_state(auth.clone())
        .merge(auth.routes())
        .layer(auth.layer())
}

/// Serves `app` on a loopback port and drives it with `browser-passkeys.mjs`.
async fn drive(label: &str, port: u16, listener: tokio::net::TcpListener, app: axum::Router) {
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let out_dir = auth_tests::node::js_dir().join("../../target/screenshots");
    let label_owned = label.to_owned();
    let dir = out_dir.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(auth_tests::node::js_dir())
            .arg("browser-passkeys.mjs")
            // `localhost`, not an address: a relying party id is a domain.
            .arg(format!("http://localhost:{port}"))
            .arg(&dir)
            .arg(&label_owned)
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "browser run ({label}) failed\n--- steps ---\n{stdout}\n--- errors ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in [
        "ok: virtual authenticator",
        "ok: sign in with the password",
        "ok: register a passkey",
        "ok: sign out",
        "ok: sign in with the passkey",
        "ok: no script error",
    ] {
        assert!(
            stdout.contains(step),
            "step `{step}` ({label}) did not pass:\n{stdout}"
        );
    }
    for shot in ["account", "signin"] {
        let path = out_dir.join(format!("passkey-{label}-{shot}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            bytes.starts_with(b"\x89PNG"),
            "{} is not a PNG",
            path.display()
        );
    }
}

fn require_peers() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `scripts/setup` (it installs Debian's chromium)"
    );
    auth_tests::node::require("playwright-core");
}

async fn listener() -> (u16, tokio::net::TcpListener) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    (listener.local_addr().unwrap().port(), listener)
}

const SECRET: &str = "browser-passkeys-secret-0123456789abcdef0123";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_and_sign_in_with_a_passkey_jwt_strategy() {
    require_peers();
    let (db, guard) = auth_tests::sqlite::adapter("browser-passkeys-jwt").await;
    let (port, listener) = listener().await;
    let config = jwt_auth::config()
        .with_secrets([SECRET])
        .with_url(format!("http://localhost:{port}"));
    let auth = jwt_auth::Auth::with_adapter(config, db.clone()).unwrap();
    drive("jwt", port, listener, app(auth)).await;
    assert_eq!(stored_passkeys(&db, "ada@example.com").await, 1);
    guard.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_and_sign_in_with_a_passkey_database_strategy() {
    require_peers();
    let (db, guard) = auth_tests::sqlite::adapter("browser-passkeys-db").await;
    let (port, listener) = listener().await;
    let config = db_auth::config()
        .with_secrets([SECRET])
        .with_url(format!("http://localhost:{port}"));
    let auth = db_auth::Auth::with_adapter(config, db.clone()).unwrap();
    drive("database", port, listener, app(auth)).await;
    assert_eq!(stored_passkeys(&db, "ada@example.com").await, 1);
    guard.cleanup().await;
}

/// The example (`cargo run -p examples --bin passkeys`), built with the cargo running this
/// test and run as a new user would (no `AUTH_SECRET`, no `AUTH_URL`), on its own SQLite file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_passkeys_example() {
    require_peers();
    let exe = build_example("passkeys");
    let db = auth_tests::sqlite::TempDb::new("browser-passkeys-example");
    let (port, listener) = listener().await;
    drop(listener);
    let mut child = Command::new(&exe)
        .env("PORT", port.to_string())
        .env("DATABASE_URL", db.url())
        .env_remove("AUTH_SECRET")
        .env_remove("AUTH_URL")
        .env_remove("AUTH_TRUST_HOST")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the example");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the example did not listen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let out_dir = auth_tests::node::js_dir().join("../../target/screenshots");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(auth_tests::node::js_dir())
            .arg("browser-passkeys.mjs")
            .arg(format!("http://localhost:{port}"))
            .arg(&out_dir)
            .arg("example")
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    db.cleanup().await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("ok: sign in with the passkey"),
        "browser run (example) failed\n--- steps ---\n{stdout}\n--- errors ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn stored_passkeys(db: &Arc<dyn Adapter>, email: &str) -> usize {
    let user = db
        .get_user_by_email(email)
        .await
        .unwrap()
        .expect("the user");
    db.list_authenticators(&user.id).await.unwrap().len()
}
