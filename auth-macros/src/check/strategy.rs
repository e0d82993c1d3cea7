//! Rule 3: the `session` callback receives `token` (jwt strategy) or `user` (database).

use crate::ctxt::Ctxt;
use crate::model::Model;
use crate::spec::{CallbackKind, Strategy};

pub fn check(cx: &Ctxt, model: &Model) {
    for cb in model.callbacks_of(CallbackKind::Session) {
        for p in &cb.params {
            match (model.session.strategy, p.name.to_string().as_str()) {
            (Strategy::Database, "token") => cx.error_spanned_by(
                p.name,
                "`session` has no `token` under the database strategy: the cookie holds a session id, not a JWT",
                "write `session(session, user)` to read the database user, or choose `session: { strategy: jwt }`",
            ),
            (Strategy::Jwt, "user") => cx.error_spanned_by(
                p.name,
                "`session` has no `user` under the jwt strategy: the user is only known at sign-in, later requests carry just the token",
                "write `session(session, token)` and copy what you need into the token in `jwt`, or choose `session: { strategy: database }`",
            ),
            _ => {}
        }
        }
    }
}
