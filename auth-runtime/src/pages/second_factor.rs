//! The second factor's pages (feature `totp`): the code asked between the password and
//! the session, the enrolment (QR code and secret, confirmed with a first code), and the
//! recovery codes shown once.

use super::html::{Escaped, escape};
use super::{hidden_fields, layout};

/// The message for an `?error=` of the second factor's pages (unknown codes get a generic
/// text, so the raw code is never echoed).
fn message(code: &str) -> &'static str {
    match code {
        "InvalidCode" => "That code is not valid, or was already used. Try the next one.",
        "TooManyAttempts" => "Too many attempts. Wait a few minutes, then try again.",
        "Expired" => "The setup expired. Scan the new QR code, then enter its code.",
        _ => "Something went wrong. Try again.",
    }
}

fn alert(error: Option<&str>) -> String {
    error.map_or_else(String::new, |code| {
        format!(
            "<div class=\"alert\" role=\"alert\"><p>{}</p></div>\n",
            escape(message(code))
        )
    })
}

/// The form POSTing a code to `action`, its submit button reading `button`.
fn code_form(action: &str, csrf_token: &str, callback_url: &str, button: &str) -> String {
    format!(
        "<form action=\"{}\" method=\"POST\">\n{}<div class=\"field\">\n<label for=\"input-code\">Code</label>\n\
         <input id=\"input-code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required autofocus>\n</div>\n\
         <button type=\"submit\" class=\"button\" id=\"submitButton\">{}</button>\n</form>\n",
        Escaped(action),
        hidden_fields(csrf_token, callback_url),
        Escaped(button)
    )
}

/// The verify page: a form POSTing the code (or a recovery code) to `action`.
pub fn totp_verify(
    action: &str,
    csrf_token: &str,
    callback_url: &str,
    error: Option<&str>,
) -> String {
    let mut body = String::with_capacity(1024);
    body.push_str("<h1 id=\"title\">Two-step verification</h1>\n");
    body.push_str(
        "<p class=\"lead\">Enter the code from your authenticator app, or one of your recovery codes.</p>\n",
    );
    body.push_str(&alert(error));
    body.push_str(&code_form(action, csrf_token, callback_url, "Verify"));
    layout("Two-step verification", &body)
}

/// What the enrolment page shows.
#[derive(Clone, Debug)]
pub struct TotpEnrolPage<'a> {
    /// Absolute URL the confirmation form posts to.
    pub action: &'a str,
    /// The CSRF token of the form.
    pub csrf_token: &'a str,
    /// Where to go once enrolled.
    pub callback_url: &'a str,
    /// The QR code of the `otpauth://` URL, an SVG element (no script).
    pub qr_svg: &'a str,
    /// The secret in base32, for typing it in.
    pub secret: &'a str,
    /// `?error=` of a failed confirmation.
    pub error: Option<&'a str>,
}

/// The enrolment page: the QR code, the secret in text, a form confirming a first code.
pub fn totp_enrol(page: &TotpEnrolPage<'_>) -> String {
    let mut body = String::with_capacity(8192);
    body.push_str("<h1 id=\"title\">Set up two-step verification</h1>\n");
    body.push_str(
        "<p class=\"lead\">Scan the QR code with your authenticator app, then enter the code it shows.</p>\n",
    );
    body.push_str(&alert(page.error));
    body.push_str(&format!(
        "<div class=\"qr\" style=\"text-align:center\">{}</div>\n",
        page.qr_svg
    ));
    body.push_str(&format!(
        "<p class=\"secondary-action\">Or type this key: <code id=\"totp-secret\">{}</code></p>\n",
        Escaped(page.secret)
    ));
    body.push_str(&code_form(
        page.action,
        page.csrf_token,
        page.callback_url,
        "Turn on",
    ));
    layout("Set up two-step verification", &body)
}

/// The recovery codes, shown once after enrolment, with a link on to `continue_url`.
pub fn totp_recovery_codes(codes: &[String], continue_url: &str) -> String {
    let mut body = String::with_capacity(2048);
    body.push_str("<h1 id=\"title\">Two-step verification is on</h1>\n");
    body.push_str(
        "<p class=\"lead\">Keep these recovery codes somewhere safe. Each signs you in once if you lose your authenticator; they are not shown again.</p>\n",
    );
    body.push_str("<ul id=\"recovery-codes\">\n");
    for code in codes {
        body.push_str(&format!("<li><code>{}</code></li>\n", Escaped(code)));
    }
    body.push_str("</ul>\n");
    if super::is_safe_link(continue_url) {
        body.push_str(&format!(
            "<p class=\"secondary-action\"><a class=\"button\" href=\"{}\">Continue</a></p>\n",
            Escaped(continue_url)
        ));
    }
    layout("Two-step verification is on", &body)
}
