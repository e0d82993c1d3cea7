//! The application state: a handler, `authorize` or `send_verification_request` may bind `state` only when `auth!`
//! declares its type (`state: AppState`).

use proc_macro2::Ident;

use crate::ctxt::Ctxt;
use crate::model::{Authorize, Model, Provider, SendHook};

pub fn check(cx: &Ctxt, model: &Model) {
    if model.state.is_some() {
        return;
    }
    let handlers = model.callbacks.iter().filter_map(|h| h.state);
    let events = model.events.iter().filter_map(|h| h.state);
    let authorize = model.providers.iter().filter_map(|p| match p {
        Provider::Credentials(c) => match c.authorize {
            Authorize::Closure(c) => c.state,
            Authorize::Expr(_) => None,
        },
        Provider::Email(e) => match e.send {
            Some(SendHook::Closure { state, .. }) => state,
            _ => None,
        },
        _ => None,
    });
    for state in handlers.chain(events).chain(authorize) {
        undeclared(cx, state);
    }
}

fn undeclared(cx: &Ctxt, state: &Ident) {
    cx.error_spanned_by(
        state,
        "`state` is bound but `auth!` declares no application state",
        "declare its type at the top level, e.g. `state: AppState,` (then `config` takes it: `auth::config(state)`)",
    );
}
