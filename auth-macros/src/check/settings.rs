//! `session: { .. }` and `pages: { .. }`: known keys, each once, and a known strategy;
//! `reissue_after` under the jwt strategy only, and below `max_age` when both are numbers.

use syn::{BinOp, Expr, ExprLit, Lit};

use super::{keyed, single_ident};
use crate::ast::KeyValue;
use crate::ctxt::Ctxt;
use crate::model::{Pages, Session};
use crate::spec::{self, PageKey, SessionKey, Strategy};

/// The session settings from the already keyed entries of `session: { .. }`.
pub fn session<'a>(cx: &Ctxt, entries: Vec<(SessionKey, &'a KeyValue)>) -> Session<'a> {
    let mut session = Session::default();
    let mut reissue_key = None;
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
            SessionKey::ReissueAfter => {
                session.reissue_after = Some(&kv.value);
                reissue_key = Some(&kv.key);
            }
        }
    }
    if let Some(key) = reissue_key {
        reissue_after(cx, &session, key);
    }
    session
}

/// `reissue_after` re-issues a JWT: none under the database strategy, which extends its
/// sessions by `update_age`. Below `max_age` (its default when not written), when both are
/// numbers the macro can read; the runtime checks the rest at start-up.
fn reissue_after(cx: &Ctxt, session: &Session, key: &syn::Ident) {
    if session.strategy == Strategy::Database {
        cx.error_spanned_by(
            key,
            "`reissue_after` applies to JWT sessions: the database strategy re-issues no token on a read",
            "a database session is extended when older than `update_age`: write `update_age: <seconds>` instead, or choose `strategy: jwt`",
        );
        return;
    }
    let Some(value) = session.reissue_after else {
        return;
    };
    let (Some(reissue_after), Some(max_age)) = (
        seconds(value),
        session.max_age.map_or(Some(spec::DEFAULT_MAX_AGE), seconds),
    ) else {
        return;
    };
    if reissue_after > 0 && reissue_after >= max_age {
        let of = if session.max_age.is_some() {
            ""
        } else {
            ", its default"
        };
        cx.error_spanned_by(
            value,
            format!(
                "`reissue_after` is {reissue_after} s, not below `max_age` ({max_age} s{of}): the session would expire before a read re-issues its cookie"
            ),
            format!(
                "write a shorter `reissue_after` (`reissue_after: {}`), or `0` to re-issue the cookie on every read (Auth.js)",
                if max_age > 2 * 3600 { 3600 } else { max_age / 2 }
            ),
        );
    }
}

/// The seconds of a duration written with integer literals, `*`, `+`, `-` and parentheses
/// (`30 * 24 * 3600`); `None` for anything else (a constant, a call: the runtime checks).
fn seconds(expr: &Expr) -> Option<u64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) if matches!(i.suffix(), "" | "u64") => i.base10_parse().ok(),
        Expr::Paren(p) => seconds(&p.expr),
        Expr::Group(g) => seconds(&g.expr),
        Expr::Binary(b) => {
            let (l, r) = (seconds(&b.left)?, seconds(&b.right)?);
            match b.op {
                BinOp::Mul(_) => l.checked_mul(r),
                BinOp::Add(_) => l.checked_add(r),
                BinOp::Sub(_) => l.checked_sub(r),
                _ => None,
            }
        }
        _ => None,
    }
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
