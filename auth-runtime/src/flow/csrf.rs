//! `GET /csrf`: `200 {"csrfToken": "<64 hex>"}`, setting the CSRF cookie when missing.

use http::StatusCode;

use super::{Ctx, Reply};
use crate::auth::Inner;
use crate::config::{SessionUserData, TokenData};

pub(crate) fn get<T: TokenData, U: SessionUserData>(inner: &Inner<T, U>, ctx: &Ctx<'_>) -> Reply {
    let (token, cookie) = inner.csrf(ctx);
    Reply::json(StatusCode::OK, &serde_json::json!({ "csrfToken": token }))
        .no_store()
        .with_cookies(cookie)
}
