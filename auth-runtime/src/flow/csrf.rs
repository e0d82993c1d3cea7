//! `GET /csrf`: `200 {"csrfToken": "<64 hex>"}`, setting the CSRF cookie when missing; and
//! the double-submit check every state-changing POST runs first.

use http::StatusCode;

use super::{Action, Ctx, FlowError, Inner, Reply, Req};
use crate::config::{SessionUserData, TokenData};
use crate::cookies::SetCookie;

pub(crate) fn get<T: TokenData, U: SessionUserData>(inner: &Inner<T, U>, ctx: &Ctx<'_>) -> Reply {
    let (token, cookie) = inner.csrf(ctx);
    Reply::json(StatusCode::OK, &serde_json::json!({ "csrfToken": token }))
        .no_store()
        .with_cookies(cookie)
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// The CSRF token of the request (and the cookie to set when it is new).
    pub(crate) fn csrf(&self, ctx: &Ctx<'_>) -> (String, Option<SetCookie>) {
        let name = &ctx.scheme.names.csrf_token;
        let c = crate::csrf::token(ctx.cookies.get(name), &self.csrf_secret);
        let set = c.new_cookie.map(|v| SetCookie::new(name, v, ctx.secure()));
        (c.token, set)
    }

    /// A built-in page whose forms post back: `render(csrf_token, callback_url)`, with the
    /// CSRF cookie and the callback-URL cookie (`callback`) when either is new.
    pub(crate) fn form_page(
        &self,
        ctx: &Ctx<'_>,
        callback: (String, Option<SetCookie>),
        render: impl FnOnce(&str, &str) -> String,
    ) -> Reply {
        let (callback_url, callback_cookie) = callback;
        let (csrf_token, csrf_cookie) = self.csrf(ctx);
        Reply::html(StatusCode::OK, render(&csrf_token, &callback_url))
            .with_cookies(csrf_cookie)
            .with_cookies(callback_cookie)
    }

    /// The CSRF check every state-changing POST runs before its endpoint: `POST /session`,
    /// `POST /signin/:provider`, `POST /signout`. (`POST /callback/credentials` checks it
    /// once it knows the provider is the credentials one; an OAuth `form_post` callback is
    /// protected by its `state` instead.)
    pub(crate) fn verify_csrf_first(&self, ctx: &Ctx<'_>, req: &Req) -> Result<(), FlowError> {
        match (req.action, req.method == http::Method::POST) {
            (Action::Session | Action::SignIn | Action::SignOut, true) => {
                self.verify_csrf(ctx, req)
            }
            _ => Ok(()),
        }
    }

    /// Verifies the CSRF double submit of a POST.
    pub(crate) fn verify_csrf(&self, ctx: &Ctx<'_>, req: &Req) -> Result<(), FlowError> {
        let name = &ctx.scheme.names.csrf_token;
        crate::csrf::verify(
            ctx.cookies.get(name),
            req.body.get("csrfToken"),
            &self.csrf_secret,
        )
        .map_err(|f| FlowError::MissingCsrf(f.reason()))
    }
}
