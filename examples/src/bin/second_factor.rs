//! A second factor for credentials sign-in: `cargo run -p examples --bin second_factor`,
//! then open http://127.0.0.1:3000 (sign in as `ada` / `ada`).
//!
//! `second_factor: { totp: .. }` asks users who enrolled TOTP for a code (from an
//! authenticator app, or one of their recovery codes) between the password and the
//! session. Enrol at `/api/auth/totp/enroll` (a QR code and the secret in text, confirmed with
//! a first code; the recovery codes are shown once). `/vault` needs a session that passed
//! the second factor (`auth.require_second_factor()`). Enrolments live in SQLite (the file
//! `second-factor-example.db`, or `DATABASE_URL`); `AUTH_SECRET`, `AUTH_URL` and `PORT` work
//! as in the quickstart.

use std::sync::Arc;

use auth_runtime::Auth;
use auth_runtime::adapter::{Adapter, SqliteAdapter};
use axum::Router;
use axum::response::Html;
use axum::routing::get;

mod auth {
    use auth_runtime::{Credentials, User};

    /// A real application checks a password hash; this demo accepts any `name`/`name` pair.
    async fn check(credentials: Credentials) -> Option<User> {
        let name = credentials.get("username")?.trim().to_owned();
        let ok = !name.is_empty() && credentials.matches("password", &name);
        ok.then(|| {
            User::new(format!("user-{name}"))
                .with_name(name.clone())
                .with_email(format!("{name}@example.com"))
        })
    }

    auth_runtime::auth! {
        token: { #[session] second_factor: bool },
        providers: [
            Credentials { authorize: |credentials| async move { check(credentials).await } },
        ],
        second_factor: { totp: { issuer: "Example App", digits: 6, period: 30 } },
        callbacks: {
            sign_in(user, amr) {
                tracing::info!(user = ?user.email, ?amr, "signing in");
                true
            },
            jwt(token, user) {
                if let Some(_user) = user {
                    // `amr` is `["pwd", "otp"]` after the second factor.
                    token.second_factor = token.amr.as_ref().is_some_and(|amr| amr.iter().any(|m| m == "otp"));
                }
                token
            },
        },
    }
}

type App = Auth<auth::Token, auth::SessionUser>;

/// The application: `/` (public), `/vault` (second factor required), the flow.
fn router(auth: &App) -> Router {
    let vault = Router::new()
        .route("/vault", get(vault))
        .route_layer(auth.require_second_factor());
    Router::new()
        .route("/", get(home))
        .merge(vault)
        .merge(auth.routes())
        .layer(auth.layer())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "sqlite://second-factor-example.db?mode=rwc".to_owned());
    let db: Arc<dyn Adapter> = Arc::new(SqliteAdapter::connect(&url).await?);
    let mut config = auth::config();
    if std::env::var_os("AUTH_URL").is_none() {
        config = config.with_url("http://127.0.0.1:3000");
    }
    if std::env::var_os("AUTH_SECRET").is_none() {
        tracing::warn!(
            "AUTH_SECRET is not set: using a throwaway secret (sessions end on restart)"
        );
        config = config.with_secrets([throwaway_secret()]);
    }
    let auth = Auth::with_adapter(config, db)?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    tracing::info!("listening on http://127.0.0.1:{port}");
    axum::serve(listener, router(&auth))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn throwaway_secret() -> String {
    use rand::Rng as _;
    let bytes: [u8; 32] = rand::thread_rng().r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn home(session: Option<auth::Session>) -> Html<String> {
    let body = match session {
        Some(s) if s.user.second_factor => {
            "Signed in with your second factor. <a href=\"/vault\">Open the vault</a>.".to_owned()
        }
        Some(_) => "Signed in with your password only. \
                    <a href=\"/api/auth/totp/enroll?callbackUrl=/\">Turn on two-step verification</a>, \
                    then sign out and in again."
            .to_owned(),
        None => "Signed out: <a href=\"/api/auth/signin\">sign in</a> (any name, the same as password)."
            .to_owned(),
    };
    Html(format!(
        "<!DOCTYPE html><title>Second factor</title><p>{body}</p>\
         <p><a href=\"/api/auth/signout\">Sign out</a></p>"
    ))
}

async fn vault(session: auth::Session) -> String {
    format!(
        "the vault: {} passed the second factor",
        session.user.email.unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use auth_runtime::testing::{TestClient, TestClock};

    use super::*;

    fn text(response: &http::Response<bytes::Bytes>) -> String {
        String::from_utf8_lossy(response.body()).into_owned()
    }

    fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let from = text
            .find(start)
            .map(|i| i + start.len())
            .unwrap_or_default();
        let len = text[from..].find(end).unwrap_or_default();
        &text[from..from + len]
    }

    fn code(secret: &str, time: u64) -> String {
        let bytes = totp_rs::Secret::Encoded(secret.to_owned())
            .to_bytes()
            .unwrap_or_default();
        totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).generate(time)
    }

    #[tokio::test]
    async fn enrol_then_sign_in_with_a_code_opens_the_vault() {
        let file =
            std::env::temp_dir().join(format!("second-factor-example-{}.db", std::process::id()));
        let db: Arc<dyn Adapter> = Arc::new(
            SqliteAdapter::connect(&format!("sqlite://{}?mode=rwc", file.display()))
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let t0 = 1_800_000_010;
        let clock = TestClock::at(UNIX_EPOCH + Duration::from_secs(t0));
        let config = auth::config()
            .with_url("http://localhost")
            .with_secrets(["an example secret of at least thirty-two bytes"]);
        let auth = Auth::with_adapter(config, db)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_clock(clock.clone());
        let app = router(&auth);

        // Password only: signed in, but the vault needs the second factor.
        let mut client = TestClient::new(app.clone());
        let password = [("username", "ada"), ("password", "ada")];
        client
            .sign_in("credentials", &password)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client.get("/vault").await.status(), 403);

        // Enrol: the secret off the page, the first code computed from it.
        let page = text(&client.get("/api/auth/totp/enroll").await);
        let secret = between(&page, "<code id=\"totp-secret\">", "</code>").to_owned();
        let csrf = between(&page, "name=\"csrfToken\" value=\"", "\"").to_owned();
        let done = client
            .post_form(
                "/api/auth/totp/enroll",
                &[("csrfToken", &csrf), ("code", &code(&secret, t0))],
            )
            .await;
        assert!(text(&done).contains("recovery-codes"), "{}", text(&done));

        // A new browser: the password, then the next code.
        clock.advance(Duration::from_secs(30));
        let mut client = TestClient::new(app);
        assert!(
            client.sign_in("credentials", &password).await.is_err(),
            "no session yet"
        );
        let page = text(&client.get("/api/auth/totp/verify").await);
        let csrf = between(&page, "name=\"csrfToken\" value=\"", "\"").to_owned();
        let verified = client
            .post_form(
                "/api/auth/totp/verify",
                &[("csrfToken", &csrf), ("code", &code(&secret, t0 + 30))],
            )
            .await;
        assert_eq!(verified.status(), 302);
        let vault = client.get("/vault").await;
        assert_eq!(vault.status(), 200, "{}", text(&vault));
        assert!(text(&client.get("/").await).contains("Open the vault"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
}
