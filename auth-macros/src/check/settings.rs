//! `session: { .. }` and `pages: { .. }`: known keys, each once, and a known strategy.

use super::{keyed, single_ident};
use crate::ast::KeyValue;
use crate::ctxt::Ctxt;
use crate::model::{Pages, Session};
use crate::spec::{self, PageKey, SessionKey};

/// The session settings from the already keyed entries of `session: { .. }`.
pub fn session<'a>(cx: &Ctxt, entries: Vec<(SessionKey, &'a KeyValue)>) -> Session<'a> {
    let mut session = Session::default();
    for (key, kv) in entries {
        match key {
            SessionKey::Strategy => match single_ident(&kv.value) {
                Some(id) => match spec::lookup(spec::STRATEGIES, &id.to_string()) {
                    Some(strategy) => session.strategy = strategy,
                    None => cx.unknown(
                        id,
                        "session strategy",
                        &id.to_string(),
                        &spec::names(spec::STRATEGIES),
                        "the strategies are",
                    ),
                },
                None => cx.error_spanned_by(
                    &kv.value,
                    "the session strategy is a bare word",
                    "write `strategy: jwt` (the default) or `strategy: database`",
                ),
            },
            SessionKey::MaxAge => session.max_age = Some(&kv.value),
            SessionKey::UpdateAge => session.update_age = Some(&kv.value),
        }
    }
    session
}

/// The custom pages.
pub fn pages<'a>(cx: &Ctxt, list: &'a [KeyValue]) -> Pages<'a> {
    let mut pages = Pages::default();
    for (key, kv) in keyed(cx, list, spec::PAGE_KEYS, "key", "`pages` takes") {
        let slot = match key {
            PageKey::SignIn => &mut pages.sign_in,
            PageKey::SignOut => &mut pages.sign_out,
            PageKey::Error => &mut pages.error,
            PageKey::VerifyRequest => &mut pages.verify_request,
        };
        *slot = Some(&kv.value);
    }
    pages
}
