//! The app's HTML: plain strings, every value from a user or the database escaped.

use auth_runtime::pages::escape_html as esc;
use axum::response::Html;

use crate::auth;
use crate::db::{Account, Role};

/// `/`: who is signed in, with a sign-out button (a CSRF-protected form).
pub fn home(session: Option<&auth::Session>, csrf: &str) -> Html<String> {
    let Some(session) = session else {
        return page(
            "Welcome",
            r#"<p><a href="/login">Sign in</a> or <a href="/signup">sign up</a>.</p>"#,
        );
    };
    let admin_link = match session.user.role {
        Role::Admin => r#"<p><a href="/admin">Administration</a></p>"#,
        Role::User => "",
    };
    page(
        "Welcome",
        &format!(
            "<p>Signed in as <strong>{}</strong> ({:?}).</p>{admin_link}\
             <form method=\"post\" action=\"/logout\">{}<button>Sign out</button></form>",
            esc(session.user.name.as_deref().unwrap_or_default()),
            session.user.role,
            hidden_csrf(csrf),
        ),
    )
}

/// `/login`: the form posts to the Auth.js credentials callback, with the CSRF token and
/// the page to return to.
pub fn login(csrf: &str, message: &str, callback_url: &str) -> Html<String> {
    page(
        "Sign in",
        &format!(
            "<p role=\"alert\">{}</p>\
             <form method=\"post\" action=\"/api/auth/callback/credentials\">{}\
             <input type=\"hidden\" name=\"callbackUrl\" value=\"{}\">{FIELDS}\
             <button>Sign in</button></form><p>No account? <a href=\"/signup\">Sign up</a>.</p>",
            esc(message),
            hidden_csrf(csrf),
            esc(callback_url),
        ),
    )
}

/// `/signup`, with the problem of the last attempt if any.
pub fn sign_up(csrf: &str, problem: &str) -> Html<String> {
    page(
        "Sign up",
        &format!(
            "<p role=\"alert\">{}</p><form method=\"post\" action=\"/signup\">{}{FIELDS}\
             <button>Create the account</button></form>",
            esc(problem),
            hidden_csrf(csrf),
        ),
    )
}

/// `/admin`: every account, with a suspend/reinstate button (not for oneself).
pub fn admin(accounts: &[Account], me: &str, csrf: &str) -> Html<String> {
    let rows: String = accounts
        .iter()
        .map(|a| {
            let (label, value) = if a.suspended {
                ("Reinstate", false)
            } else {
                ("Suspend", true)
            };
            let button = if a.id == me {
                "(you)".to_owned()
            } else {
                format!(
                    "<form method=\"post\" action=\"/admin/users/{}/suspended\">{}\
                     <input type=\"hidden\" name=\"suspended\" value=\"{value}\">\
                     <button>{label}</button></form>",
                    esc(&a.id),
                    hidden_csrf(csrf),
                )
            };
            format!(
                "<tr><td>{}</td><td>{:?}</td><td>{}</td><td>{button}</td></tr>",
                esc(&a.name),
                a.role,
                if a.suspended { "suspended" } else { "active" },
            )
        })
        .collect();
    page(
        "Administration",
        &format!(
            "<table><tr><th>name</th><th>role</th><th>status</th><th></th></tr>{rows}</table>"
        ),
    )
}

const FIELDS: &str = "<label>Name <input name=\"username\" autocomplete=\"username\" required></label>\
    <label>Password <input name=\"password\" type=\"password\" required></label>";

/// The field `CsrfForm` checks.
fn hidden_csrf(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrfToken\" value=\"{}\">",
        esc(csrf)
    )
}

fn page(heading: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{heading}</title><style>label{{display:block}}</style></head>\
         <body><main><h1>{heading}</h1>{body}<p><a href=\"/\">Home</a></p></main></body></html>"
    ))
}
