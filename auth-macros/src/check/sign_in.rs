//! Rule 2: `sign_in` is a guard that runs before any token exists.

use crate::ast::Config;
use crate::ctxt::Ctxt;

pub fn check(cx: &Ctxt, config: &Config) {
    for cb in config.callbacks.iter().filter(|c| c.name == "sign_in") {
        for p in cb.params.iter().filter(|p| *p == "token") {
            cx.error(
                p.span(),
                "`sign_in` has no `token`: it only decides whether the user may sign in, before any token exists",
                "copy data into the token in the `jwt` callback instead: `jwt(token, user) { if let Some(user) = user { .. } token }`",
            );
        }
    }
}
