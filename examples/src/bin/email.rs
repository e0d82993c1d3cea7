//! E-mail sign-in ("magic links"): `EMAIL_SERVER=smtp://127.0.0.1:2525 cargo run -p examples
//! --bin email`, then open http://127.0.0.1:3000 and enter an address.
//!
//! The link goes out through the SMTP server in `EMAIL_SERVER` (`smtps://user:pass@host:465`
//! or `smtp://user:pass@host:587?tls=required` for a real one; a plain `smtp://` URL is for a
//! server on this machine, such as `python -m aiosmtpd -n -l 127.0.0.1:2525`, which prints
//! every message). Following it signs in, creating the user on first use. Users and the
//! one-time tokens live in an in-memory SQLite database (gone when the server stops);
//! `AUTH_SECRET`, `AUTH_URL` and `PORT` work as in the quickstart.

use std::sync::Arc;

use auth_runtime::Auth;
use auth_runtime::adapter::{Adapter, SqliteAdapter};
use auth_runtime::pages::escape_html as esc;
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

mod auth {
    auth_runtime::auth! {
        providers: [
            Email {
                from: "Auth example <no-reply@example.com>",
                server: env("EMAIL_SERVER"),
            },
        ],
        events: {
            sign_in(user, is_new_user) {
                tracing::info!(email = ?user.email, is_new_user, "event: signed in");
            }
        },
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    // One connection that never closes: every query sees the same in-memory database.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None);
    let options: SqliteConnectOptions = "sqlite::memory:".parse()?;
    let db: Arc<dyn Adapter> = Arc::new(SqliteAdapter::connect_with(pool, options).await?);

    let mut config = auth::config();
    if std::env::var_os("AUTH_SECRET").is_none_or(|s| s.is_empty()) {
        eprintln!("WARNING: AUTH_SECRET is not set: using a random secret for development only.");
        config = config.with_secrets([dev_secret()]);
    }
    if std::env::var_os("AUTH_URL").is_none_or(|s| s.is_empty()) {
        config = config.with_trust_host(true);
    }
    // Without `EMAIL_SERVER` this stops here, naming the variable.
    let auth: Auth<auth::Token, auth::SessionUser> = Auth::with_adapter(config, db)?;

    let app = Router::new()
        .route("/", get(home))
        .merge(auth.routes())
        .layer(auth.layer());
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("e-mail sign-in on http://127.0.0.1:{port}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            println!("shutting down");
        })
        .await?;
    Ok(())
}

async fn home(session: Option<auth::Session>) -> Html<String> {
    let body = match session {
        Some(s) => format!(
            "<p>Signed in as <strong>{}</strong>.</p><p><a href=\"/api/auth/signout\">Sign out</a></p>",
            esc(s.user.email.as_deref().unwrap_or("?"))
        ),
        None => "<p>Not signed in. <a href=\"/api/auth/signin\">Sign in with your e-mail</a>.</p>"
            .to_owned(),
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>E-mail sign-in</title></head><body><main><h1>E-mail sign-in</h1>{body}</main></body></html>"
    ))
}

fn dev_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
