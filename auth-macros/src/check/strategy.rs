//! Rule 3: the `session` callback receives `token` (jwt strategy) or `user` (database).

use super::{Strategy, strategy};
use crate::ast::Config;
use crate::ctxt::Ctxt;

pub fn check(cx: &Ctxt, config: &Config) {
    let strategy = strategy(config);
    for cb in config.callbacks.iter().filter(|c| c.name == "session") {
        for p in &cb.params {
            match (strategy, p.to_string().as_str()) {
                (Strategy::Database, "token") => cx.error(
                    p.span(),
                    "`session` has no `token` under the database strategy: the cookie holds a session id, not a JWT",
                    "write `session(session, user)` to read the database user, or choose `session: { strategy: jwt }`",
                ),
                (Strategy::Jwt, "user") => cx.error(
                    p.span(),
                    "`session` has no `user` under the jwt strategy: the user is only known at sign-in, later requests carry just the token",
                    "write `session(session, token)` and copy what you need into the token in `jwt`, or choose `session: { strategy: database }`",
                ),
                _ => {}
            }
        }
    }
}
