//! A realistic app: `cargo run -p examples --bin app`, then open http://127.0.0.1:3000.
//!
//! Users sign up (a CSRF-protected form; the new user is signed in by the server), sign in
//! on the app's own `/login` page (argon2id hashes in the app's `app_users` table), and
//! carry a role in their session; `/admin` is for admins, who can suspend accounts (a
//! suspended user's sign-in is refused with the code `suspended`, which `/login` explains;
//! a session already open runs until it expires, as the jwt strategy keeps no server state).
//!
//! The database is an in-memory SQLite by default (nothing to set up; gone when the server
//! stops), or `DATABASE_URL` (`sqlite://app.db` for a file, `postgres://..` for
//! PostgreSQL). An `admin` account is created at start-up when missing, with the password
//! in `ADMIN_PASSWORD` or a random one printed once. Logs go to stdout through `tracing`
//! (`RUST_LOG=debug` for more); `AUTH_SECRET`, `AUTH_URL` and `PORT` work as in the
//! quickstart.

mod auth;
mod db;
mod pages;
#[cfg(test)]
mod tests;

use auth_runtime::axum::{CsrfForm, CsrfToken};
use auth_runtime::config::UserDataError;
use auth_runtime::{AuthConfig, SessionError};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::db::{Db, DbError, Role};

/// What the handlers share: the pool, and the auth service for server-side sign-in.
#[derive(Clone)]
struct AppState {
    db: Db,
    auth: auth::Auth,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Plain-text structured logs; `RUST_LOG` filters them (`info` by default).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let url = std::env::var("DATABASE_URL").unwrap_or_default();
    let db = if url.is_empty() {
        Db::in_memory().await?
    } else {
        Db::connect(&url).await?
    };
    match std::env::var("ADMIN_PASSWORD") {
        Ok(password) if !password.is_empty() => ensure_admin(&db, &password).await?,
        _ => ensure_admin(&db, &random_hex(12)).await?,
    }

    let auth = auth::Auth::new(from_env(auth::config(db.clone())))?;
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(
        port,
        database = db.backend(),
        "listening on http://127.0.0.1:{port}"
    );
    axum::serve(listener, app(db, auth))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
        .await?;
    Ok(())
}

/// The whole app: public pages, the sign-up form, the admin area, the Auth.js routes.
fn app(db: Db, auth: auth::Auth) -> Router {
    // Signed in with the admin role, else 403 (signed out: 401, or `/login` for a browser).
    let admin = Router::new()
        .route("/admin", get(admin))
        .route("/admin/users/{id}/suspended", post(suspend))
        .route_layer(auth.require(|s| s.user.role == Role::Admin));
    Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/signup", get(sign_up_form).post(sign_up))
        .route("/logout", post(logout))
        .merge(admin)
        .with_state(AppState {
            db,
            auth: auth.clone(),
        })
        .merge(auth.routes()) // the Auth.js flow under /api/auth
        .layer(auth.layer()) // the session for every route, CSRF tokens for the forms
}

/// Creates `admin` with this password unless it exists.
async fn ensure_admin(db: &Db, password: &str) -> Result<(), DbError> {
    match db.create_user("admin", password, Role::Admin).await {
        Ok(_) => println!("admin account: sign in as `admin` with password `{password}`"),
        Err(DbError::NameTaken) => println!("admin account: `admin` exists already"),
        Err(e) => return Err(e),
    }
    Ok(())
}

async fn home(session: Option<auth::Session>, CsrfToken(csrf): CsrfToken) -> Html<String> {
    pages::home(session.as_ref(), &csrf)
}

/// `/login?error=CredentialsSignin&code=..` comes back here from a refused sign-in.
#[derive(Deserialize)]
struct LoginQuery {
    error: Option<String>,
    code: Option<String>,
    #[serde(rename = "callbackUrl")]
    callback_url: Option<String>,
}

/// The sign-in page (`pages: { sign_in: "/login" }`): a form posting to the Auth.js
/// credentials callback with its CSRF token. The messages are fixed texts: the query's
/// `code` picks one and is never echoed.
async fn login(Query(query): Query<LoginQuery>, CsrfToken(csrf): CsrfToken) -> Html<String> {
    let message = match (query.error.as_deref(), query.code.as_deref()) {
        (None, _) => "",
        (Some("CredentialsSignin"), Some(auth::SUSPENDED)) => {
            "This account is suspended: ask an administrator."
        }
        (Some("CredentialsSignin"), Some(auth::UNAVAILABLE)) => {
            "Signing in is unavailable right now: try again in a moment."
        }
        (Some("CredentialsSignin"), _) => "Wrong user name or password.",
        (Some(_), _) => "Sign-in failed: try again.",
    };
    let callback_url = query.callback_url.unwrap_or_else(|| "/".to_owned());
    pages::login(&csrf, message, &callback_url)
}

async fn sign_up_form(CsrfToken(csrf): CsrfToken) -> Html<String> {
    pages::sign_up(&csrf, "")
}

#[derive(Deserialize)]
struct SignUpForm {
    username: String,
    password: String,
}

/// Creates the account, then signs the new user in from the server (`Auth::sign_up`: the
/// `jwt` callback runs with the user, the `sign_in` event fires with `is_new_user`).
/// `CsrfForm` refuses (403) a post without the page's CSRF token.
async fn sign_up(
    State(app): State<AppState>,
    parts: Parts,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> Result<Response, SessionError> {
    let name = form.username.trim();
    if let Err(problem) = check_new_account(name, &form.password) {
        tracing::info!(user = ?name, problem, "sign-up refused");
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::sign_up(&csrf, problem),
        )
            .into_response());
    }
    let account = match app.db.create_user(name, &form.password, Role::User).await {
        Ok(account) => account,
        Err(DbError::NameTaken) => {
            let page = pages::sign_up(&csrf, "That name is taken.");
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => {
            tracing::error!(%error, "sign-up failed");
            return Err(SessionError::Unavailable(error.to_string()));
        }
    };
    tracing::info!(user = ?account.name, user_id = %account.id, "signed up");
    let user = auth::User::new(account.id)
        .with_name(account.name)
        .with_role(account.role);
    // `Auth::sign_up` takes the runtime's `User`: the typed one converts (its role in `extra`).
    let user = user
        .try_into()
        .map_err(|e: UserDataError| SessionError::Failed(e.to_string()))?;
    let change = app.auth.sign_up(&parts, user).await?;
    Ok((change, Redirect::to("/")).into_response())
}

/// Sign-up rules: a short plain name (it appears in pages and logs) and a password of at
/// least 8 characters.
fn check_new_account(name: &str, password: &str) -> Result<(), &'static str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
    if !(3..=32).contains(&name.len()) || !name.chars().all(plain) {
        return Err("Names are 3 to 32 letters, digits, `_`, `.` or `-`.");
    }
    if password.chars().count() < 8 {
        return Err("Passwords have at least 8 characters.");
    }
    Ok(())
}

/// The sign-out button's form: only its CSRF token.
#[derive(Deserialize)]
struct EmptyForm {}

/// Signs out from the server (`Auth::sign_out`: the cookies cleared, the `sign_out` event).
async fn logout(
    State(app): State<AppState>,
    parts: Parts,
    CsrfForm(EmptyForm {}): CsrfForm<EmptyForm>,
) -> Result<impl IntoResponse, SessionError> {
    Ok((app.auth.sign_out(&parts).await?, Redirect::to("/")))
}

/// Admins only (the `route_layer` above): every account, with a suspend/reinstate button.
async fn admin(
    State(app): State<AppState>,
    session: auth::Session,
    CsrfToken(csrf): CsrfToken,
) -> Result<Html<String>, StatusCode> {
    let accounts = app.db.list().await.map_err(|error| {
        tracing::error!(%error, "listing users failed");
        StatusCode::SERVICE_UNAVAILABLE
    })?;
    Ok(pages::admin(&accounts, &session.user.id, &csrf))
}

#[derive(Deserialize)]
struct SuspendForm {
    suspended: bool,
}

/// Suspends or reinstates an account (admins only; CSRF-checked).
async fn suspend(
    State(app): State<AppState>,
    session: auth::Session,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<SuspendForm>,
) -> Result<Redirect, StatusCode> {
    match app.db.set_suspended(&id, form.suspended).await {
        Ok(true) => {
            let (admin, suspended) = (&session.user.id, form.suspended);
            tracing::info!(%admin, user_id = ?id, suspended, "account status changed");
            Ok(Redirect::to("/admin"))
        }
        Ok(false) => Err(StatusCode::NOT_FOUND),
        Err(error) => {
            tracing::error!(%error, "suspending failed");
            Err(StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// `AUTH_SECRET` and `AUTH_URL` from the environment as in Auth.js; without a secret a
/// random one for development (sessions end when the server stops), without a URL the
/// request's host is trusted (the server listens on loopback only).
fn from_env(
    mut config: AuthConfig<auth::Token, auth::SessionUser>,
) -> AuthConfig<auth::Token, auth::SessionUser> {
    if std::env::var_os("AUTH_SECRET").is_none_or(|s| s.is_empty()) {
        tracing::warn!("AUTH_SECRET is not set: using a random secret, for development only");
        config = config.with_secrets([random_hex(32)]);
    }
    if std::env::var_os("AUTH_URL").is_none_or(|s| s.is_empty()) {
        config = config.with_trust_host(true);
    }
    config
}

/// `n` random bytes in hex.
fn random_hex(n: usize) -> String {
    use rand::RngCore;
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
