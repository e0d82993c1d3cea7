//! `GET /verify-request`: "check your e-mail", after an e-mail sign-in link was sent (the
//! configured `verify_request` page is where the flow redirects instead).
//!
//! `GET /error?error=X`: the error page (403 for `AccessDenied`/`Verification`, 500 for
//! `Configuration`, 200 otherwise, as Auth.js), or a redirect to the custom error page.

use http::StatusCode;

use super::Inner;
use super::{Ctx, Reply, Req};
use crate::config::{SessionUserData, TokenData};

/// The status Auth.js's error page answers with.
pub(crate) fn status_of(code: &str) -> StatusCode {
    match code {
        "AccessDenied" | "Verification" => StatusCode::FORBIDDEN,
        "Configuration" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    }
}

/// The error code of the query, when it looks like one (letters only, at most 64);
/// anything else is `default`, so user input is never reflected.
fn code(req: &Req) -> &str {
    match req.query("error") {
        Some(c) if !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            c
        }
        _ => "default",
    }
}

pub(crate) fn get<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Reply {
    let code = code(req);
    if let Some(page) = &inner.config.pages.error {
        return Reply::redirect(crate::url::with_query(page, &[("error", code)]));
    }
    let sign_in_url = inner.action_url(ctx, "signin");
    Reply::html(status_of(code), crate::pages::error(code, &sign_in_url))
}

/// The built-in "check your e-mail" page, naming the site (its origin as a link).
pub(crate) fn verify_request<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
) -> Reply {
    if let Some(page) = &inner.config.pages.verify_request {
        return Reply::redirect(page.clone());
    }
    Reply::html(
        StatusCode::OK,
        crate::pages::verify_request(ctx.origin.as_str()),
    )
}
