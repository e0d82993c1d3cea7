//! The quickstart on actix-web: `cargo run -p examples --bin actix`, then open
//! http://127.0.0.1:3000.
//!
//! The same `auth!` configuration as the axum quickstart (`../quickstart/auth.rs`): a public
//! page, a protected page that greets the signed-in user from the typed session, an admin
//! page behind `auth.require(..)`, sign-in with the demo user and sign-out. `PORT` changes
//! the port; `AUTH_SECRET` and `AUTH_URL` are read from the environment as Auth.js does.

#[path = "../quickstart/auth.rs"]
mod auth;

use actix_web::{App, HttpResponse, HttpServer, web};
use auth_runtime::pages::escape_html as esc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    actix_web::rt::System::new().block_on(serve())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let auth = auth::Auth::new(auth::config_from_env())?;
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let server = HttpServer::new(move || {
        App::new()
            .route("/", web::get().to(home))
            .route("/dashboard", web::get().to(dashboard))
            .service(
                web::scope("/admin")
                    .wrap(auth.require(|s| s.user.role == "admin"))
                    .route("", web::get().to(admin)),
            )
            .service(auth.scope())
            .wrap(auth.middleware())
    })
    .workers(2)
    .bind(("127.0.0.1", port))?
    .run();
    println!("actix quickstart listening on http://127.0.0.1:{port}");
    println!(
        "sign in as username `{}`, password `{}`",
        auth::DEMO_USERNAME,
        auth::DEMO_PASSWORD
    );
    // actix-web stops gracefully on Ctrl-C (SIGINT) and SIGTERM.
    server.await?;
    println!("shutting down");
    Ok(())
}

/// Public: anyone can see it; it knows whether you are signed in.
async fn home(session: Option<auth::Session>) -> HttpResponse {
    let status = match session {
        Some(s) => format!(
            "Signed in as <strong>{}</strong>.",
            esc(s.user.name.as_deref().unwrap_or("?"))
        ),
        None => "You are not signed in.".to_owned(),
    };
    page(
        "auth-runtime on actix-web",
        &format!(
            "<p>{status}</p><p><a class=\"button\" href=\"/dashboard\">Open the dashboard</a></p>"
        ),
    )
}

/// Protected: a signed-out browser is sent to the sign-in page and comes back here.
async fn dashboard(session: auth::Session) -> HttpResponse {
    let name = esc(session.user.name.as_deref().unwrap_or("there"));
    page(
        &format!("Hello, {name}!"),
        &format!(
            "<p>Your user id is <code>{}</code> and your role is <code>{}</code>.</p>\
             <p><a href=\"/admin\">Admin</a></p>\
             <p><a class=\"button\" href=\"/api/auth/signout\">Sign out</a></p>",
            esc(&session.user.id),
            esc(&session.user.role),
        ),
    )
}

/// Behind `auth.require(..)`: admins only (403 for everyone else signed in).
async fn admin(session: auth::Session) -> HttpResponse {
    page(
        "Admin",
        &format!("<p>Welcome, administrator {}.</p>", esc(&session.user.id)),
    )
}

fn page(heading: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{heading}</title><style>{STYLE}</style></head><body><main>\
             <h1>{heading}</h1>{body}<p><a href=\"/\">Home</a></p></main></body></html>"
        ))
}

const STYLE: &str = "\
    :root{color-scheme:light dark}body{margin:0;min-height:100vh;display:grid;\
    place-items:center;font:16px/1.5 system-ui,sans-serif}main{max-width:30rem;margin:1.5rem}\
    .button{display:inline-block;padding:.6rem 1rem;border-radius:8px;background:#2d5be3;\
    color:#fff;text-decoration:none;font-weight:600}";
