//! The compile-time rules. Each `check` records its errors in the [`Ctxt`] and never
//! returns early, so one compile reports every problem.

pub mod fields;
mod names;
mod providers;
mod sign_in;
mod strategy;
pub mod user_scope;

pub use providers::client_auth;

use crate::ast::Config;
use crate::ctxt::Ctxt;

/// The callbacks and the parameters each one may name.
pub const CALLBACKS: &[(&str, &[&str])] = &[
    ("sign_in", &["user", "account", "profile", "credentials"]),
    (
        "jwt",
        &[
            "token",
            "user",
            "account",
            "profile",
            "trigger",
            "is_new_user",
            "session",
        ],
    ),
    ("session", &["session", "token", "user"]),
    ("redirect", &["url", "base_url"]),
];

/// The session strategy an invocation selects (`session: { strategy: .. }`, jwt by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Jwt,
    Database,
}

/// Reads the strategy; an unknown value counts as jwt (and is reported by `names`).
pub fn strategy(config: &Config) -> Strategy {
    match crate::ast::find(&config.session, "strategy").and_then(single_ident) {
        Some(id) if id == "database" => Strategy::Database,
        _ => Strategy::Jwt,
    }
}

/// `ident` as an expression (a one-segment path), if it is one.
pub fn single_ident(expr: &syn::Expr) -> Option<&syn::Ident> {
    match expr {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

/// Runs every rule.
pub fn check(cx: &Ctxt, config: &Config) {
    names::check(cx, config);
    fields::check(cx, config);
    providers::check(cx, config);
    sign_in::check(cx, config);
    strategy::check(cx, config);
    user_scope::check(cx, config);
}
