//! Built-in HTML pages: sign-in, sign-out confirmation, error.
//!
//! INTERFACE (owned by the pages work; the flow calls exactly these functions).

/// A provider as the sign-in page shows it.
#[derive(Clone, Debug)]
pub struct PageProvider {
    /// Provider id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `"credentials"`, `"oauth"` or `"oidc"`.
    pub kind: &'static str,
    /// Absolute URL the form posts to (`/signin/{id}` or `/callback/credentials`).
    pub action: String,
    /// Credentials form fields: (name, label, input type).
    pub fields: Vec<(String, String, String)>,
}

/// What the sign-in page needs.
#[derive(Clone, Debug)]
pub struct SignInPage<'a> {
    /// Providers in configuration order.
    pub providers: &'a [PageProvider],
    /// The CSRF token to embed in each form.
    pub csrf_token: &'a str,
    /// Where to go after sign-in.
    pub callback_url: &'a str,
    /// `?error=` of a failed attempt (`CredentialsSignin`, ...).
    pub error: Option<&'a str>,
}

/// Renders the sign-in page.
pub fn sign_in(page: &SignInPage<'_>) -> String {
    let _ = page;
    todo!("pages branch")
}

/// Renders the sign-out confirmation page (a form POSTing to `action`).
pub fn sign_out(action: &str, csrf_token: &str, callback_url: &str) -> String {
    let _ = (action, csrf_token, callback_url);
    todo!("pages branch")
}

/// Renders the error page for an Auth.js error code (`AccessDenied`, `Configuration`, ...).
pub fn error(code: &str, sign_in_url: &str) -> String {
    let _ = (code, sign_in_url);
    todo!("pages branch")
}
