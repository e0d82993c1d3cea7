//! `GET /signout` (the confirmation page, or the custom page) and `POST /signout` (CSRF;
//! clears the session cookie chunks; runs no callback but `redirect`).

use super::{Ctx, FlowError, Reply, Req};
use super::{Inner, Strategy};
use crate::config::{SessionUserData, SignOutEventArgs, TokenData};
use crate::cookies;

pub(crate) async fn get<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    if let Some(page) = &inner.config.pages.sign_out {
        return Ok(Reply::redirect(page.clone()));
    }
    let callback = inner.callback_url(ctx, req.callback_url_param()).await;
    let action = inner.action_url(ctx, "signout");
    Ok(inner.form_page(ctx, callback, |csrf_token, callback_url| {
        crate::pages::sign_out(&action, csrf_token, callback_url)
    }))
}

pub(crate) async fn post<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    let (callback_url, callback_cookie) = inner.callback_url(ctx, req.callback_url_param()).await;
    let cleared = end_session(inner, ctx).await?;
    Ok(Reply::redirect(callback_url)
        .with_cookies(cleared)
        .with_cookies(callback_cookie))
}

/// Ends the request's session: under the database strategy deletes its row (an unavailable
/// database is an error and keeps the cookie), fires the `sign_out` event when the request
/// carried a session cookie, and returns the cookies that clear every chunk. Shared by
/// `POST /signout` and the server-side sign-out (`Auth::sign_out`).
pub(super) async fn end_session<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
) -> Result<Vec<cookies::SetCookie>, FlowError> {
    let name = &ctx.scheme.names.session_token;
    let wants_event = inner.config.events.sign_out.is_some();
    if let cookies::ChunkedValue::Present(raw) = ctx.cookies.read_chunked(name) {
        let mut user_id = None;
        match &inner.strategy {
            Strategy::Database(db) => {
                // Whose session it is, only when a `sign_out` event wants to know.
                if wants_event {
                    user_id = super::database::session_user_id(&**db, &raw).await?;
                }
                // Delete the row first: if the database is down the cookie stays (503),
                // so the sign-out can be retried instead of leaving a live session behind.
                super::database::end_session(&**db, Some(&raw), inner.session_rows.as_ref())
                    .await?;
            }
            Strategy::Jwt if wants_event => {
                user_id = ctx
                    .scheme
                    .session
                    .decode(&raw, ctx.now_secs())
                    .ok()
                    .and_then(|c| c.get("sub").and_then(|v| v.as_str()).map(str::to_owned));
            }
            Strategy::Jwt => {}
        }
        // Like Auth.js: only when the request carried a session cookie.
        super::events::fire(
            "sign_out",
            inner.config.events.sign_out.as_ref(),
            SignOutEventArgs { user_id },
        );
    }
    let cleared = cookies::clear_chunked(&ctx.cookies, name, ctx.secure());
    if !cleared.is_empty() {
        tracing::info!(cookie = %name, chunks = cleared.len(), reason = "sign-out", "session cookie cleared");
    }
    Ok(cleared)
}
