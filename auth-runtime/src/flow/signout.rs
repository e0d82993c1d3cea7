//! `GET /signout` (the confirmation page, or the custom page) and `POST /signout` (CSRF;
//! clears the session cookie chunks; runs no callback but `redirect`).

use http::StatusCode;

use super::{Ctx, FlowError, Reply, Req};
use crate::auth::{Inner, Strategy};
use crate::config::{SessionUserData, TokenData};
use crate::cookies;

pub(crate) async fn get<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    if let Some(page) = &inner.config.pages.sign_out {
        return Ok(Reply::redirect(page.clone()));
    }
    let (callback_url, callback_cookie) = inner.callback_url(ctx, req.callback_url_param()).await;
    let (csrf_token, csrf_cookie) = inner.csrf(ctx);
    let action = inner.action_url(ctx, "signout");
    let html = crate::pages::sign_out(&action, &csrf_token, &callback_url);
    Ok(Reply::html(StatusCode::OK, html)
        .with_cookies(csrf_cookie)
        .with_cookies(callback_cookie))
}

pub(crate) async fn post<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    inner.verify_csrf(ctx, req)?;
    let (callback_url, callback_cookie) = inner.callback_url(ctx, req.callback_url_param()).await;
    let name = &ctx.scheme.names.session_token;
    let cleared = match inner.strategy {
        // Database strategy (later): delete the session row here too.
        Strategy::Jwt => cookies::clear_chunked(&ctx.cookies, name, ctx.secure()),
    };
    if !cleared.is_empty() {
        tracing::info!(cookie = %name, chunks = cleared.len(), reason = "sign-out", "session cookie cleared");
    }
    Ok(Reply::redirect(callback_url)
        .with_cookies(cleared)
        .with_cookies(callback_cookie))
}
