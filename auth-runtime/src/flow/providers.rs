//! `GET /providers`: `{ "<id>": {id, name, type, signinUrl, callbackUrl} }`.

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::Inner;
use super::{Ctx, Reply};
use crate::config::{SessionUserData, TokenData};

pub(crate) fn get<T: TokenData, U: SessionUserData>(inner: &Inner<T, U>, ctx: &Ctx<'_>) -> Reply {
    let mut out = Map::new();
    for p in &inner.config.providers {
        out.insert(
            p.id().to_owned(),
            json!({
                "id": p.id(),
                "name": p.name(),
                "type": p.kind(),
                "signinUrl": inner.action_url(ctx, &format!("signin/{}", p.id())),
                "callbackUrl": inner.action_url(ctx, &format!("callback/{}", p.id())),
            }),
        );
    }
    Reply::json(StatusCode::OK, &Value::Object(out))
}
