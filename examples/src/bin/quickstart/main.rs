//! The quickstart: `cargo run -p examples --bin quickstart`, then open http://127.0.0.1:3000.
//!
//! A public page, a protected page that greets the signed-in user from the typed session,
//! sign-in with a demo user and sign-out. `PORT` changes the port; `AUTH_SECRET` and
//! `AUTH_URL` are read from the environment as Auth.js does.

mod auth;

use auth_runtime::Auth;
use auth_runtime::pages::escape_html as esc;
use axum::Router;
use axum::response::Html;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Auth::new(auth::config_from_env())?;
    let app = Router::new()
        .route("/", get(home))
        .route("/dashboard", get(dashboard))
        .merge(auth.routes())
        .layer(auth.layer());

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("quickstart listening on http://127.0.0.1:{port}");
    println!(
        "sign in as username `{}`, password `{}`",
        auth::DEMO_USERNAME,
        auth::DEMO_PASSWORD
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            println!("shutting down");
        })
        .await?;
    Ok(())
}

/// Public: anyone can see it; it knows whether you are signed in.
async fn home(session: Option<auth::Session>) -> Html<String> {
    let status = match session {
        Some(s) => format!(
            "Signed in as <strong>{}</strong>.",
            esc(s.user.name.as_deref().unwrap_or("?"))
        ),
        None => "You are not signed in.".to_owned(),
    };
    page(
        "auth-runtime quickstart",
        &format!(
            "<p>{status}</p><p><a class=\"button\" href=\"/dashboard\">Open the dashboard</a></p>"
        ),
    )
}

/// Protected: a signed-out browser is sent to the sign-in page and comes back here.
async fn dashboard(session: auth::Session) -> Html<String> {
    let name = esc(session.user.name.as_deref().unwrap_or("there"));
    page(
        &format!("Hello, {name}!"),
        &format!(
            "<p>Your user id is <code>{}</code> and your role is <code>{}</code>.</p>\
         <p><a class=\"button\" href=\"/api/auth/signout\">Sign out</a></p>",
            esc(&session.user.id),
            esc(&session.user.role),
        ),
    )
}

fn page(heading: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{heading}</title><style>{STYLE}</style></head><body><main>\
         <h1>{heading}</h1>{body}<p><a href=\"/\">Home</a></p></main></body></html>"
    ))
}

const STYLE: &str = "\
    :root{color-scheme:light dark;--bg:#f3f4f7;--card:#fff;--text:#16181d;--accent:#2d5be3}\
    @media (prefers-color-scheme:dark){:root{--bg:#0e1116;--card:#171b22;--text:#e7e9ee;--accent:#6b8cff}}\
    body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);\
    color:var(--text);font:16px/1.5 system-ui,sans-serif}\
    main{max-width:30rem;margin:1.5rem;padding:2rem;background:var(--card);border-radius:14px;\
    box-shadow:0 12px 32px rgba(16,24,40,.1)}h1{margin-top:0}a{color:var(--accent)}\
    .button{display:inline-block;padding:.6rem 1rem;border-radius:8px;background:var(--accent);\
    color:var(--card);text-decoration:none;font-weight:600}\
    :focus-visible{outline:3px solid var(--accent);outline-offset:2px}";
