//! Database sessions: `cargo run -p examples --bin database`, then open http://127.0.0.1:3000.
//!
//! The session cookie holds only a random id; the session is a row in SQLite (the file
//! `auth-example.db` in the working directory) or, with `DATABASE_URL=postgres://..`, in
//! PostgreSQL shared by every app server. `/sessions` lists where you are signed in and
//! `POST /sessions/revoke` signs you out everywhere. `DATABASE_URL=sqlite://other.db`
//! picks another SQLite file; `AUTH_SECRET`, `AUTH_URL` and `PORT` work as in the quickstart.

use std::sync::Arc;
use std::time::Duration;

use auth_runtime::Auth;
use auth_runtime::adapter::{Adapter, PostgresAdapter, SqliteAdapter, spawn_sweeper};
use auth_runtime::axum::{CsrfForm, CsrfToken};
use auth_runtime::pages::escape_html as esc;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::routing::{get, post};

mod auth {
    use auth_runtime::{Credentials, User};

    /// A real application checks a password hash; this demo accepts `demo`/`demo` and any
    /// `name`/`name` pair, so several users can be tried.
    async fn check(credentials: Credentials) -> Option<User> {
        let name = credentials.get("username")?.trim().to_owned();
        let ok = !name.is_empty() && credentials.matches("password", &name);
        // No id: the user is found by e-mail in the database, or created.
        ok.then(|| {
            User::default()
                .with_name(name.clone())
                .with_email(format!("{name}@example.com"))
        })
    }

    auth_runtime::auth! {
        session: { strategy: database, max_age: 30 * 24 * 3600, update_age: 24 * 3600 },
        session_user: { id: String },
        providers: [
            Credentials { authorize: |credentials| async move { check(credentials).await } },
        ],
        callbacks: {
            session(session, user) {
                session.user.id = user.id;
                session
            },
        },
        events: {
            sign_in(user, is_new_user) {
                super::log_sign_in(user.email.as_deref(), is_new_user);
            }
            sign_out(user_id) {
                tracing::info!(user_id = ?user_id, "event: signed out");
            }
        },
    }
}

type App = Auth<auth::Token, auth::SessionUser>;

/// The `sign_in` event's log line. Anyone picks a name here (and so an e-mail): it goes in
/// a structured field, `Debug`-quoted, so a name with a newline stays inside its field
/// and cannot forge a log line of its own.
fn log_sign_in(email: Option<&str>, is_new_user: bool) {
    tracing::info!(email = ?email, is_new_user, "event: signed in");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "sqlite://auth-example.db?mode=rwc".to_owned());
    let db: Arc<dyn Adapter> = if url.starts_with("postgres://") || url.starts_with("postgresql://")
    {
        Arc::new(PostgresAdapter::connect(&url).await?)
    } else {
        Arc::new(SqliteAdapter::connect(&url).await?)
    };
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    // Expired sessions are deleted when read, and by this sweep.
    let _sweeper = spawn_sweeper(db.clone(), Duration::from_secs(3600));

    let mut config = auth::config();
    if std::env::var_os("AUTH_SECRET").is_none_or(|s| s.is_empty()) {
        // The cookie holds only a session id; the secret still signs the CSRF token.
        eprintln!("WARNING: AUTH_SECRET is not set: using a random secret for development only.");
        config = config.with_secrets([dev_secret()]);
    }
    if std::env::var_os("AUTH_URL").is_none_or(|s| s.is_empty()) {
        config = config.with_trust_host(true);
    }
    let auth: App = Auth::with_adapter(config, db)?;

    let app = Router::new()
        .route("/", get(home))
        .route("/sessions", get(sessions))
        .route("/sessions/revoke", post(revoke))
        .with_state(auth.clone())
        .merge(auth.routes())
        .layer(auth.layer());
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("database sessions ({backend}) on http://127.0.0.1:{port}; sign in as demo/demo");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn home(session: Option<auth::Session>) -> Html<String> {
    let body = match session {
        Some(s) => format!(
            "<p>Signed in as <strong>{}</strong> (user id <code>{}</code>).</p>\
             <p><a href=\"/sessions\">Your sessions</a> · <a href=\"/api/auth/signout\">Sign out</a></p>",
            esc(s.user.email.as_deref().unwrap_or("?")),
            esc(&s.user.id)
        ),
        None => {
            "<p>Not signed in. <a href=\"/api/auth/signin\">Sign in</a> (demo/demo).</p>".to_owned()
        }
    };
    page("Database sessions", &body)
}

/// Where this user is signed in (one row per browser), read from the database.
/// The form carries Auth.js's CSRF token (`CsrfToken`; its cookie is set when missing).
async fn sessions(
    State(auth): State<App>,
    session: auth::Session,
    CsrfToken(csrf): CsrfToken,
) -> Html<String> {
    let rows = match auth.user_sessions(&session.user.id).await {
        Ok(rows) => rows,
        Err(e) => {
            return page(
                "Sessions",
                &format!("<p>Cannot list sessions: {}</p>", esc(&e.to_string())),
            );
        }
    };
    let items: String = rows
        .iter()
        .map(|r| {
            format!(
                "<li>signed in at {} (unix), expires {}</li>",
                r.created_at, r.expires
            )
        })
        .collect();
    page(
        "Your sessions",
        &format!(
            "<ul>{items}</ul><form method=\"post\" action=\"/sessions/revoke\">\
             <input type=\"hidden\" name=\"csrfToken\" value=\"{csrf}\">\
             <button>Sign out everywhere</button></form>"
        ),
    )
}

/// The "sign out everywhere" form: nothing but its CSRF token.
#[derive(serde::Deserialize)]
struct RevokeForm {}

/// "Sign out everywhere": every app server sharing the database sees it at once.
/// `CsrfForm` refuses (403) a post whose `csrfToken` does not match the CSRF cookie, so
/// another site cannot submit this form for a signed-in visitor.
async fn revoke(
    State(auth): State<App>,
    session: auth::Session,
    CsrfForm(RevokeForm {}): CsrfForm<RevokeForm>,
) -> Redirect {
    match auth.sign_out_everywhere(&session.user.id).await {
        Ok(n) => tracing::info!(sessions = n, "revoked every session of a user"),
        Err(e) => tracing::error!(error = %e, "revocation failed"),
    }
    Redirect::to("/")
}

fn page(heading: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{heading}</title></head><body><main><h1>{heading}</h1>{body}</main></body></html>"
    ))
}

fn dev_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Everything the subscriber writes.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_name_with_a_newline_forges_no_log_line() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            super::log_sign_in(
                Some(
                    "eve\n2026-11-29T12:00:00Z  INFO event: admin@example.com signed in@example.com",
                ),
                false,
            );
        });
        let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains(r#"email=Some("eve\n2026"#), "{text}");
    }
}
