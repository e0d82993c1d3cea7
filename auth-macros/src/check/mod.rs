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

/// The events and the parameters each one may name.
pub const EVENTS: &[(&str, &[&str])] = &[
    ("sign_in", &["user", "account", "profile", "is_new_user"]),
    ("sign_out", &["user_id"]),
    ("create_user", &["user"]),
    ("link_account", &["user", "account"]),
    ("session", &["session", "user_id"]),
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

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    /// The messages (first line) of every error `check` reports for `input`.
    fn errors(input: proc_macro2::TokenStream) -> Vec<String> {
        let cx = Ctxt::new();
        let config = crate::ast::parse(&cx, input);
        check(&cx, &config);
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e
                .into_iter()
                .map(|e| e.to_string().lines().next().unwrap_or_default().to_owned())
                .collect(),
        }
    }

    #[test]
    fn valid_input_has_no_errors() {
        let errs = errors(quote! {
            session: { strategy: database },
            providers: [
                Credentials { authorize: |c| async move { None } },
                Oidc { id: "corp", issuer: "https://i", client_id: "a", client_secret: "b", client_auth: client_secret_post },
            ],
            callbacks: { sign_in(user) { true } session(session, user) { session } },
        });
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn sign_in_token_and_strategy_params() {
        assert_eq!(
            errors(quote! { callbacks: { sign_in(token) { true } } }),
            [
                "`sign_in` has no `token`: it only decides whether the user may sign in, before any token exists"
            ]
        );
        let jwt = errors(quote! { callbacks: { session(session, user) { session } } });
        assert!(
            jwt[0].starts_with("`session` has no `user` under the jwt strategy"),
            "{jwt:?}"
        );
        let db = errors(quote! {
            session: { strategy: database },
            callbacks: { session(session, token) { session } },
        });
        assert!(
            db[0].starts_with("`session` has no `token` under the database strategy"),
            "{db:?}"
        );
    }

    #[test]
    fn names_and_duplicates() {
        let errs = errors(quote! {
            providers: [
                GitHub { client_id: "a", client_secret: "b", scopes: "x" },
                GitHub { client_id: "a", client_secret: "b" },
                Oidc { client_id: "a", client_secret: "b" },
            ],
            callbacks: { jwt(token, usr) { token } jwt(token) { token } },
        });
        assert_eq!(
            errs,
            [
                "unknown parameter `usr` of `jwt`",
                "the `jwt` callback is defined twice",
                "unknown option `scopes` of `GitHub`",
                "two providers have the id `github`",
                "`Oidc` is missing `id`, `issuer`",
            ]
        );
    }

    #[test]
    fn declared_fields() {
        let errs = errors(
            quote! { token: { sub: String, a: u8, a: u8 }, session_user: { image: String } },
        );
        assert_eq!(
            errs,
            [
                "`sub` is a standard claim of `Token` already (`Option<String>`)",
                "`a` is declared twice",
                "`image` is a standard field of `SessionUser` already (`Option<String>`)",
            ]
        );
    }

    #[test]
    fn strategy_reading() {
        let cx = Ctxt::new();
        let db = crate::ast::parse(&cx, quote! { session: { strategy: database } });
        let default = crate::ast::parse(&cx, quote! {});
        assert_eq!(strategy(&db), Strategy::Database);
        assert_eq!(strategy(&default), Strategy::Jwt);
        assert!(cx.check().is_ok());
    }
}
