//! The message of a refused credentials sign-in (`CredentialsError::with_message`) on the
//! built-in sign-in page. The URL carries only the code (`?error=CredentialsSignin&code=..`);
//! the message travels in a short-lived encrypted cookie set on the failed sign-in's redirect,
//! is shown only when its code is the URL's, and is cleared once read. A crafted URL cannot
//! put text on the page: without the cookie (sealed with the secret) it shows the generic text.

use serde_json::{Map, Value};

use super::Ctx;
use crate::config::CredentialsError;
use crate::cookies::{self, CREDENTIALS_ERROR_MAX_AGE, SetCookie};

/// The longest message kept, in characters (the rest is cut), so the cookie stays small.
pub(crate) const MAX_MESSAGE_CHARS: usize = 300;

/// The cookie carrying `refused`'s code and message to the built-in sign-in page; none when
/// it has no message (or it cannot be sealed: logged, the page shows the generic text).
pub(crate) fn seal(ctx: &Ctx<'_>, refused: &CredentialsError) -> Vec<SetCookie> {
    let Some(message) = refused.message().filter(|m| !m.trim().is_empty()) else {
        return Vec::new();
    };
    let message: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    let mut claims = Map::new();
    claims.insert("code".to_owned(), Value::String(refused.code().to_owned()));
    claims.insert("message".to_owned(), Value::String(message));
    let name = &ctx.scheme.names.credentials_error;
    match ctx
        .scheme
        .credentials_error
        .encode(&claims, CREDENTIALS_ERROR_MAX_AGE, ctx.now_secs())
    {
        Ok(sealed) => vec![
            SetCookie::new(name, sealed, ctx.secure())
                .max_age(CREDENTIALS_ERROR_MAX_AGE)
                .expires(cookies::expires_in(ctx.now, CREDENTIALS_ERROR_MAX_AGE)),
        ],
        Err(e) => {
            tracing::warn!(cookie = %name, error = %e, "cannot seal the credentials error message");
            Vec::new()
        }
    }
}

/// On the sign-in page: the message to show (the cookie's, when the page's `error` is
/// `CredentialsSignin` and its `code` is the cookie's) and the clearing of the cookie,
/// whenever the request carries one.
pub(crate) fn open(
    ctx: &Ctx<'_>,
    error: Option<&str>,
    code: Option<&str>,
) -> (Option<String>, Vec<SetCookie>) {
    let name = &ctx.scheme.names.credentials_error;
    let Some(raw) = ctx.cookies.get(name).filter(|v| !v.is_empty()) else {
        return (None, Vec::new());
    };
    let cleared = vec![SetCookie::clear(name, ctx.secure())];
    if error != Some("CredentialsSignin") {
        return (None, cleared);
    }
    let claims = match ctx.scheme.credentials_error.decode(raw, ctx.now_secs()) {
        Ok(claims) => claims,
        Err(e) => {
            tracing::info!(cookie = %name, error = %e, "credentials error cookie not valid; cleared");
            return (None, cleared);
        }
    };
    let sealed_code = claims.get("code").and_then(Value::as_str);
    let message = match (sealed_code, code) {
        (Some(sealed), Some(code)) if sealed == code => claims
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    (message, cleared)
}
