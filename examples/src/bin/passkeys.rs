//! Passkeys: `cargo run -p examples --bin passkeys`, then open http://localhost:3000.
//!
//! Sign in with a password (`demo`/`demo`, or any `name`/`name`), add a passkey on the
//! account page, sign out, and sign in again with "Sign in with Passkey". The passkeys live
//! in SQLite (`auth-passkeys.db` in the working directory; `DATABASE_URL` picks another file
//! or a PostgreSQL database), listed and removable on `/account`. Open it as `localhost`,
//! not `127.0.0.1`: a passkey belongs to a domain (the relying party id), never to an
//! address. `AUTH_SECRET`, `AUTH_URL` and `PORT` work as in the quickstart.

use std::sync::Arc;

use auth_runtime::Auth;
use auth_runtime::adapter::{Adapter, PostgresAdapter, SqliteAdapter};
use auth_runtime::axum::{CsrfForm, CsrfToken};
use auth_runtime::pages::{self, escape_html as esc};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

mod auth {
    use auth_runtime::{Credentials, User};

    /// A real application checks a password hash; this demo accepts `demo`/`demo` and any
    /// `name`/`name` pair.
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
        session_user: { id: String },
        providers: [
            Credentials { authorize: |credentials| async move { check(credentials).await } },
            // The relying party id and origin come from the site URL (`localhost` here).
            Passkey { rp_name: "auth-runtime passkeys example" },
        ],
        callbacks: {
            session(session, token) {
                session.user.id = token.sub.clone().unwrap_or_default();
                session
            },
        },
        events: {
            sign_in(account) {
                tracing::info!(provider = %account.provider, "event: signed in");
            }
        },
    }
}

type App = Auth<auth::Token, auth::SessionUser>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "sqlite://auth-passkeys.db?mode=rwc".to_owned());
    let db: Arc<dyn Adapter> = if url.starts_with("postgres://") || url.starts_with("postgresql://")
    {
        Arc::new(PostgresAdapter::connect(&url).await?)
    } else {
        Arc::new(SqliteAdapter::connect(&url).await?)
    };
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);

    let mut config = auth::config();
    if std::env::var_os("AUTH_SECRET").is_none_or(|s| s.is_empty()) {
        eprintln!("WARNING: AUTH_SECRET is not set: using a random secret for development only.");
        config = config.with_secrets([dev_secret()]);
    }
    if std::env::var_os("AUTH_URL").is_none_or(|s| s.is_empty()) {
        // A domain, not an address: the passkeys' relying party id is the site's host.
        config = config.with_url(format!("http://localhost:{port}"));
    }
    let auth: App = Auth::with_adapter(config, db)?;

    let app = Router::new()
        .route("/", get(home))
        .route("/account", get(account))
        .route("/account/passkeys/remove", post(remove))
        .with_state(auth.clone())
        .merge(auth.routes())
        .layer(auth.layer());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("passkeys on http://localhost:{port}; sign in as demo/demo, then add a passkey");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn home(session: Option<auth::Session>) -> Response {
    let body = match session {
        Some(s) => format!(
            "<p>Signed in as <strong>{}</strong>.</p>\
             <p><a href=\"/account\">Your passkeys</a> · <a href=\"/api/auth/signout\">Sign out</a></p>",
            esc(s.user.email.as_deref().unwrap_or("?")),
        ),
        None => "<p>Not signed in. <a href=\"/api/auth/signin\">Sign in</a> with demo/demo or a passkey.</p>"
            .to_owned(),
    };
    page("Passkeys", &body, false).into_response()
}

/// The user's passkeys, each with a "Remove" button, and the form adding one: the flow's
/// passkey script runs the ceremony (allowed by its hash in the page's CSP) and posts the
/// new credential to `/api/auth/callback/passkey`.
async fn account(
    State(auth): State<App>,
    session: Option<auth::Session>,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<AccountQuery>,
) -> Response {
    let Some(session) = session else {
        return Redirect::to("/api/auth/signin?callbackUrl=%2Faccount").into_response();
    };
    let keys = match auth.passkeys(&session.user.id).await {
        Ok(keys) => keys,
        Err(e) => {
            tracing::error!(error = %e, "cannot list the passkeys");
            Vec::new()
        }
    };
    let items: String = keys
        .iter()
        .map(|k| {
            format!(
                "<li class=\"passkey\">{name} <small>({transports}; added {at}, unix)</small>\
                 <form method=\"post\" action=\"/account/passkeys/remove\">\
                 <input type=\"hidden\" name=\"csrfToken\" value=\"{csrf}\">\
                 <input type=\"hidden\" name=\"credential_id\" value=\"{id}\">\
                 <button>Remove</button></form></li>",
                name = esc(&k.name),
                transports = esc(&k.transports.join(", ")),
                at = k.created_at,
                id = esc(&k.credential_id),
            )
        })
        .collect();
    let add = pages::passkey_form(
        "/api/auth/callback/passkey",
        "/api/auth/webauthn-options/passkey",
        "register",
        &pages::hidden_fields(&csrf, "/account?registered"),
        "register-passkey",
        "Add a passkey",
    );
    let notice = if query.registered.is_some() {
        "<p role=\"status\">Passkey added: sign out and sign in with it.</p>"
    } else {
        ""
    };
    let body = format!(
        "<p>Signed in as <strong>{}</strong>. <a href=\"/\">Home</a></p>{notice}<ul>{items}</ul>{add}",
        esc(session.user.email.as_deref().unwrap_or("?"))
    );
    page("Your passkeys", &body, true).into_response()
}

/// `/account?registered`: back from adding a passkey.
#[derive(serde::Deserialize)]
struct AccountQuery {
    registered: Option<String>,
}

/// The "Remove" button's form.
#[derive(serde::Deserialize)]
struct RemoveForm {
    credential_id: String,
}

/// Removes one of the signed-in user's passkeys (`CsrfForm`: another site cannot post it).
async fn remove(
    State(auth): State<App>,
    session: auth::Session,
    CsrfForm(form): CsrfForm<RemoveForm>,
) -> Redirect {
    match auth
        .remove_passkey(&session.user.id, &form.credential_id)
        .await
    {
        Ok(removed) => tracing::info!(removed, "passkey removal"),
        Err(e) => tracing::error!(error = %e, "passkey removal failed"),
    }
    Redirect::to("/account")
}

/// A page; with `script`, the flow's passkey script and the CSP allowing it (by hash).
fn page(
    heading: &str,
    body: &str,
    script: bool,
) -> ([(axum::http::HeaderName, String); 1], Html<String>) {
    let (tag, script_src) = if script {
        (
            format!("<script>{}</script>", pages::PASSKEY_SCRIPT),
            format!(
                "; script-src {}; connect-src 'self'",
                pages::passkey_script_csp()
            ),
        )
    } else {
        (String::new(), String::new())
    };
    let csp = format!("default-src 'none'; form-action 'self'; base-uri 'none'{script_src}");
    (
        [(CONTENT_SECURITY_POLICY, csp)],
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{heading}</title></head><body><main><h1>{heading}</h1>{body}</main>{tag}</body></html>"
        )),
    )
}

fn dev_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
