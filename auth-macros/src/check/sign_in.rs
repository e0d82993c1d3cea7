//! Rule 2: `sign_in` is a guard that runs before any token exists.

use crate::ctxt::Ctxt;
use crate::model::Model;
use crate::spec::CallbackKind;

/// `token` in `sign_in` is this rule's to report, not an unknown parameter.
pub fn own_rule(kind: CallbackKind, param: &str) -> bool {
    kind == CallbackKind::SignIn && param == "token"
}

pub fn check(cx: &Ctxt, model: &Model) {
    for cb in model.callbacks_of(CallbackKind::SignIn) {
        for p in cb.params.iter().filter(|p| *p.name == "token") {
            cx.error_spanned_by(
            p.name,
            "`sign_in` has no `token`: it only decides whether the user may sign in, before any token exists",
            "copy data into the token in the `jwt` callback instead: `jwt(token, user) { if let Some(user) = user { .. } token }`",
        );
        }
    }
}
