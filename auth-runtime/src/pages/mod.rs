//! Built-in HTML pages: sign-in, sign-out confirmation, error.
//!
//! The pages are server-rendered, need no JavaScript, carry their own inline CSS (light and
//! dark through `prefers-color-scheme`) and escape every value they embed. The one script is
//! the passkey button's ([`PASSKEY_SCRIPT`]), on a sign-in page with a `Passkey` provider,
//! allowed by its hash ([`passkey_script_csp`]). The messages are
//! the ones `@auth/core` 0.41 shows, so users of Auth.js see familiar texts. Replace a page
//! with your own through `pages: { sign_in: "/login" }` in `auth!`.

mod html;
#[cfg(feature = "totp")]
mod second_factor;

#[cfg(feature = "totp")]
pub use second_factor::{TotpEnrolPage, totp_enrol, totp_recovery_codes, totp_verify};

use html::{Escaped, escape};

use crate::config::CredentialField;

/// A provider as the sign-in page shows it.
#[derive(Clone, Debug)]
pub struct PageProvider {
    /// Provider id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `"credentials"`, `"oauth"`, `"oidc"`, `"webauthn"` or `"email"`.
    pub kind: &'static str,
    /// Absolute URL the form posts to (`/signin/{id}` for OAuth and e-mail,
    /// `/callback/credentials`; for a passkey provider `/callback/{id}`, its options at
    /// `/webauthn-options/{id}` beside it).
    pub action: String,
    /// Credentials form fields, in order.
    pub fields: Vec<CredentialField>,
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
    /// The application's message for a refused credentials sign-in
    /// (`CredentialsError::with_message`), shown (escaped) under the generic text. The flow
    /// sets it only from its own sealed cookie, never from the URL.
    pub message: Option<&'a str>,
}

/// The message the sign-in page shows for an `?error=` code (Auth.js's texts; unknown codes
/// get the generic one, so the raw code is never echoed).
pub fn sign_in_error_message(code: &str) -> &'static str {
    match code {
        "Signin" | "OAuthSignin" | "OAuthCallbackError" | "OAuthCreateAccount"
        | "EmailCreateAccount" | "Callback" => "Try signing in with a different account.",
        "OAuthAccountNotLinked" => {
            "To confirm your identity, sign in with the same account you used originally."
        }
        "EmailSignin" => "The e-mail could not be sent.",
        "CredentialsSignin" => "Sign in failed. Check the details you provided are correct.",
        "SessionRequired" => "Please sign in to access this page.",
        "TooManyAttempts" => "Too many sign-in attempts. Wait a few minutes, then try again.",
        "WebAuthnVerificationError" => "The passkey could not be verified. Try again.",
        _ => "Unable to sign in.",
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` so a value is safe in HTML text and in quoted
/// attribute values (for applications rendering session data in their own pages).
pub fn escape_html(value: &str) -> String {
    escape(value)
}

fn is_redirect_provider(kind: &str) -> bool {
    kind == "oauth" || kind == "oidc"
}

/// The one field of an e-mail provider's form (Auth.js's: `email`, required).
pub fn email_field() -> CredentialField {
    CredentialField::new("email", "Email", "email")
        .with_placeholder("email@example.com")
        .with_required(true)
}

/// Renders the sign-in page.
pub fn sign_in(page: &SignInPage<'_>) -> String {
    let mut body = String::with_capacity(2048);
    body.push_str("<h1 id=\"title\">Sign in</h1>\n");
    if let Some(code) = page.error {
        let message = page.message.map_or_else(String::new, |m| {
            format!("<p id=\"credentials-error-message\">{}</p>", escape(m))
        });
        body.push_str(&format!(
            "<div class=\"alert\" role=\"alert\"><p>{}</p>{message}</div>\n",
            escape(sign_in_error_message(code))
        ));
    }
    if page.providers.is_empty() {
        body.push_str("<p class=\"muted\">No sign-in method is configured.</p>\n");
    }
    let hidden = hidden_fields(page.csrf_token, page.callback_url);
    let mut first_credentials_field = true;
    for (i, provider) in page.providers.iter().enumerate() {
        if i > 0 {
            let previous = &page.providers[i - 1];
            if !(is_redirect_provider(previous.kind) && is_redirect_provider(provider.kind)) {
                body.push_str(
                    "<div class=\"separator\" role=\"separator\"><span>or</span></div>\n",
                );
            }
        }
        let id = Escaped(&provider.id);
        let name = Escaped(&provider.name);
        let action = Escaped(&provider.action);
        if provider.kind == "webauthn" {
            let options = passkey_options_url(&provider.action, &provider.id);
            body.push_str(&passkey_form(
                &provider.action,
                &options,
                "authenticate",
                &hidden,
                &format!("submit-{}", provider.id),
                &format!("Sign in with {}", provider.name),
            ));
            continue;
        }
        if is_redirect_provider(provider.kind) {
            body.push_str(&format!(
                "<form class=\"provider\" action=\"{action}\" method=\"POST\">\n{hidden}\
                 <button type=\"submit\" class=\"button secondary\" id=\"submit-{id}\">Sign in with {name}</button>\n</form>\n"
            ));
        } else {
            body.push_str(&format!(
                "<form class=\"provider credentials\" action=\"{action}\" method=\"POST\" aria-label=\"Sign in with {name}\">\n{hidden}"
            ));
            for f in &provider.fields {
                let (field, input_type) = (&f.name, &f.input_type);
                let input_id = format!("input-{field}-for-{}-provider", provider.id);
                let autocomplete = autocomplete_for(field, input_type);
                let placeholder = f
                    .placeholder
                    .as_deref()
                    .map_or_else(String::new, |p| format!(" placeholder=\"{}\"", Escaped(p)));
                let required = if f.required { " required" } else { "" };
                let autofocus = if first_credentials_field {
                    first_credentials_field = false;
                    " autofocus"
                } else {
                    ""
                };
                body.push_str(&format!(
                    "<div class=\"field\">\n<label for=\"{input_id}\">{label}</label>\n\
                     <input id=\"{input_id}\" name=\"{field}\" type=\"{input_type}\"{placeholder}{required}{autocomplete}{autofocus}>\n</div>\n",
                    input_id = Escaped(&input_id),
                    label = Escaped(&f.label),
                    field = Escaped(field),
                    input_type = Escaped(input_type_or_text(input_type)),
                ));
            }
            body.push_str(&format!(
                "<button type=\"submit\" class=\"button\" id=\"submit-{id}\">Sign in with {name}</button>\n</form>\n"
            ));
        }
    }
    if page.providers.iter().any(|p| p.kind == "webauthn") {
        body.push_str(&format!("<script>{PASSKEY_SCRIPT}</script>\n"));
    }
    layout("Sign in", &body)
}

/// The script of the passkey forms, the only script of the built-in pages: on the submit of
/// a `<form data-passkey-options="..">`, it fetches the options of the form's `action`
/// field (`register` or `authenticate`), runs the ceremony (`navigator.credentials`), puts
/// the credential's JSON in the form's `data` field and submits the form, whose answer is
/// the flow's usual redirect. An error is written into the form's `[data-passkey-message]`.
///
/// An application's own page (an account page offering "Add a passkey") may embed it as
/// `<script>{PASSKEY_SCRIPT}</script>`, allowed by [`passkey_script_csp`], next to a form
/// such as [`passkey_form`] renders.
pub const PASSKEY_SCRIPT: &str = "document.querySelectorAll('form[data-passkey-options]').forEach(function(f){f.addEventListener('submit',async function(e){e.preventDefault();var a=f.elements.action.value,m=f.querySelector('[data-passkey-message]');if(m)m.textContent='';try{var r=await fetch(f.dataset.passkeyOptions+'?action='+encodeURIComponent(a),{credentials:'same-origin'}),o=await r.json();if(!r.ok)throw new Error(o.message||r.status);var P=PublicKeyCredential,c=a==='register'?await navigator.credentials.create({publicKey:P.parseCreationOptionsFromJSON(o.options)}):await navigator.credentials.get({publicKey:P.parseRequestOptionsFromJSON(o.options)});f.elements.data.value=JSON.stringify(c.toJSON());f.submit()}catch(x){if(m)m.textContent=String(x&&x.message||x)}})})";

/// The `script-src` source allowing [`PASSKEY_SCRIPT`] inline: `'sha256-..'`.
pub fn passkey_script_csp() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use base64::Engine as _;
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(PASSKEY_SCRIPT.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    })
}

/// The options URL beside a passkey provider's callback URL.
fn passkey_options_url(callback: &str, id: &str) -> String {
    match callback.rsplit_once("/callback/") {
        Some((prefix, _)) => format!("{prefix}/webauthn-options/{id}"),
        None => format!("webauthn-options/{id}"),
    }
}

/// A passkey form for [`PASSKEY_SCRIPT`]: posting to `callback` (the provider's
/// `/callback/{id}`), its options fetched from `options` (`/webauthn-options/{id}`),
/// `ceremony` `"register"` (for a signed-in user: the page's own) or `"authenticate"`,
/// `hidden` the CSRF token and callback URL fields (`<input type="hidden" name="csrfToken"
/// ..>`), a button with `button_id` and `label`. Every value is escaped.
pub fn passkey_form(
    callback: &str,
    options: &str,
    ceremony: &str,
    hidden: &str,
    button_id: &str,
    label: &str,
) -> String {
    format!(
        "<form class=\"provider passkey\" action=\"{action}\" method=\"POST\" data-passkey-options=\"{options}\">\n{hidden}\
         <input type=\"hidden\" name=\"action\" value=\"{ceremony}\">\n<input type=\"hidden\" name=\"data\" value=\"\">\n\
         <button type=\"submit\" class=\"button secondary\" id=\"{button_id}\">{label}</button>\n\
         <p class=\"passkey-message\" role=\"status\" data-passkey-message></p>\n</form>\n",
        action = Escaped(callback),
        options = Escaped(options),
        ceremony = Escaped(ceremony),
        button_id = Escaped(button_id),
        label = Escaped(label),
    )
}

/// The hidden CSRF token and callback URL fields of a form posting to the flow (for
/// [`passkey_form`] on an application's page).
pub fn hidden_fields(csrf_token: &str, callback_url: &str) -> String {
    let mut out = format!(
        "<input type=\"hidden\" name=\"csrfToken\" value=\"{}\">\n",
        Escaped(csrf_token)
    );
    if !callback_url.is_empty() {
        out.push_str(&format!(
            "<input type=\"hidden\" name=\"callbackUrl\" value=\"{}\">\n",
            Escaped(callback_url)
        ));
    }
    out
}

fn input_type_or_text(input_type: &str) -> &str {
    if input_type.is_empty() {
        "text"
    } else {
        input_type
    }
}

fn autocomplete_for(field: &str, input_type: &str) -> &'static str {
    match (field, input_type) {
        (_, "password") => " autocomplete=\"current-password\"",
        (_, "email") | ("email", _) => " autocomplete=\"email\"",
        ("username", _) => " autocomplete=\"username\"",
        _ => "",
    }
}

/// Renders the sign-out confirmation page (a form POSTing to `action`).
pub fn sign_out(action: &str, csrf_token: &str, callback_url: &str) -> String {
    let mut body = String::with_capacity(1024);
    body.push_str("<h1 id=\"title\">Sign out</h1>\n<p class=\"lead\">Are you sure you want to sign out?</p>\n");
    body.push_str(&format!(
        "<form action=\"{}\" method=\"POST\">\n{}<button type=\"submit\" class=\"button\" id=\"submitButton\">Sign out</button>\n</form>\n",
        Escaped(action),
        hidden_fields(csrf_token, callback_url)
    ));
    if is_safe_link(callback_url) {
        body.push_str(&format!(
            "<p class=\"secondary-action\"><a href=\"{}\">Cancel</a></p>\n",
            Escaped(callback_url)
        ));
    }
    layout("Sign out", &body)
}

/// Only a same-site path or an http(s) URL becomes a link (never `javascript:` and the like).
fn is_safe_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.chars().any(|c| c.is_control()) {
        return false;
    }
    (lower.starts_with('/') && !lower.starts_with("//") && !lower.starts_with("/\\"))
        || lower.starts_with("https://")
        || lower.starts_with("http://")
}

/// The HTTP status of the error page for an Auth.js error code (as `@auth/core`:
/// 500 for `Configuration`, 403 for `AccessDenied` and `Verification`, 200 otherwise).
pub fn error_status(code: &str) -> http::StatusCode {
    match code {
        "Configuration" => http::StatusCode::INTERNAL_SERVER_ERROR,
        "AccessDenied" | "Verification" => http::StatusCode::FORBIDDEN,
        _ => http::StatusCode::OK,
    }
}

/// Renders the error page for an Auth.js error code (`AccessDenied`, `Configuration`, ...).
pub fn error(code: &str, sign_in_url: &str) -> String {
    let sign_in_link = format!(
        "<p><a class=\"button\" href=\"{}\">Sign in</a></p>\n",
        Escaped(sign_in_url)
    );
    let (heading, message, link) = match code {
        "Configuration" => (
            "Server error",
            "<p>There is a problem with the server configuration.</p>\n\
             <p>Check the server logs for more information.</p>\n",
            false,
        ),
        "AccessDenied" => (
            "Access Denied",
            "<p>You do not have permission to sign in.</p>\n",
            true,
        ),
        "Verification" => (
            "Unable to sign in",
            "<p>The sign in link is no longer valid.</p>\n\
             <p>It may have been used already or it may have expired.</p>\n",
            true,
        ),
        _ => (
            "Error",
            "<p>Something went wrong while signing in.</p>\n",
            true,
        ),
    };
    let mut body = format!(
        "<h1 id=\"title\">{heading}</h1>\n<div class=\"alert\" role=\"alert\">{message}</div>\n"
    );
    if link {
        body.push_str(&sign_in_link);
    }
    layout(heading, &body)
}

/// Renders the page shown after an e-mail sign-in link was sent (Auth.js's
/// `verify-request`): "Check your email", and the site (`site_url`, its origin) as a link.
pub fn verify_request(site_url: &str) -> String {
    let host = crate::url::authority_of(site_url);
    let link = if is_safe_link(site_url) {
        format!(
            "<p class=\"secondary-action\"><a class=\"site\" href=\"{}\">{}</a></p>\n",
            Escaped(site_url),
            Escaped(host)
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1 id=\"title\">Check your email</h1>\n\
         <p class=\"lead\">A sign in link has been sent to your email address.</p>\n{link}"
    );
    layout("Verify Request", &body)
}

/// Renders the page a browser gets when it is signed in but a `require` check refuses it
/// (403), with a link to `home_url`.
pub fn forbidden(home_url: &str) -> String {
    let body = format!(
        "<h1 id=\"title\">Access denied</h1>\n\
         <div class=\"alert\" role=\"alert\"><p>You do not have permission to view this page.</p></div>\n\
         <p><a class=\"button secondary\" href=\"{}\">Go back home</a></p>\n",
        Escaped(if is_safe_link(home_url) {
            home_url
        } else {
            "/"
        })
    );
    layout("Access denied", &body)
}

const STYLE: &str = r#"
:root{color-scheme:light dark;--bg:#f3f4f7;--card:#fff;--text:#16181d;--muted:#5a6270;--border:#d3d8e0;--input:#fff;--accent:#2d5be3;--accent-hover:#2148bf;--accent-text:#fff;--alert-bg:#fdeeee;--alert-text:#8f1d1d;--alert-border:#f1b9b9;--focus:#2d5be3;--shadow:0 1px 2px rgba(16,24,40,.06),0 12px 32px rgba(16,24,40,.08)}
@media (prefers-color-scheme:dark){:root{--bg:#0e1116;--card:#171b22;--text:#e7e9ee;--muted:#9aa3b0;--border:#2c323c;--input:#0f1318;--accent:#6b8cff;--accent-hover:#8aa4ff;--accent-text:#0b0e14;--alert-bg:#3b1519;--alert-text:#ffc2c2;--alert-border:#6e2a31;--focus:#8aa4ff;--shadow:0 1px 2px rgba(0,0,0,.4),0 12px 32px rgba(0,0,0,.35)}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:1.5rem;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{width:100%;max-width:24rem;background:var(--card);border:1px solid var(--border);border-radius:14px;padding:2rem 1.75rem;box-shadow:var(--shadow)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1.5rem;text-align:center;letter-spacing:-.01em}
p{margin:0 0 1rem}
p:last-child{margin-bottom:0}
.muted{color:var(--muted);text-align:center}
.alert{background:var(--alert-bg);color:var(--alert-text);border:1px solid var(--alert-border);border-radius:10px;padding:.75rem 1rem;margin:0 0 1.25rem;font-size:.9375rem}
.alert p{margin:0}.alert p+p{margin-top:.5rem}
form{margin:0}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;font-size:.875rem;margin:0 0 .375rem}
input{display:block;width:100%;padding:.625rem .75rem;font:inherit;color:inherit;background:var(--input);border:1px solid var(--border);border-radius:8px}
input:focus{border-color:var(--focus)}
.button{display:block;width:100%;margin:0;padding:.6875rem 1rem;font:inherit;font-weight:600;text-align:center;text-decoration:none;color:var(--accent-text);background:var(--accent);border:1px solid var(--accent);border-radius:8px;cursor:pointer}
.button:hover{background:var(--accent-hover);border-color:var(--accent-hover)}
.button.secondary{color:var(--text);background:transparent;border-color:var(--border)}
.button.secondary:hover{background:var(--bg)}
form.provider+form.provider{margin-top:.75rem}
.credentials .button{margin-top:1.5rem}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
input:focus-visible{outline-offset:1px}
.separator{display:flex;align-items:center;gap:.75rem;margin:1.5rem 0;color:var(--muted);font-size:.8125rem;text-transform:uppercase;letter-spacing:.06em}
.separator::before,.separator::after{content:"";flex:1;border-top:1px solid var(--border)}
.lead{text-align:center;margin-bottom:1.5rem}
.passkey-message{margin:.5rem 0 0;color:var(--alert-text);font-size:.875rem}.passkey-message:empty{display:none}
.secondary-action{text-align:center;margin-top:1rem}
a{color:var(--accent)}
a:not(.button):hover{text-decoration-thickness:2px}
"#;

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main aria-labelledby=\"title\">\n{body}</main>\n</body>\n</html>\n",
        Escaped(title)
    )
}

#[cfg(test)]
mod tests;
