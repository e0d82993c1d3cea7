//! The compile-time rules, turning the syntax tree into the typed [`Model`].
//!
//! Each step records its errors in the [`Ctxt`] and never returns early, so one compile
//! reports every problem; what is invalid is left out of the model (it is only expanded
//! when there are no errors, and the fallback needs just the fields).

mod authorize;
mod fields;
mod form;
mod handlers;
mod limits;
mod providers;
mod second_factor;
mod send_hook;
mod settings;
mod sign_in;
mod state;
mod strategy;
mod user_scope;

use std::collections::HashSet;

use crate::ast::{Config, KeyValue};
use crate::ctxt::Ctxt;
use crate::model::{Model, Runtime};
use crate::spec::{self, Named};

/// Runs every rule and builds the model of what is valid.
pub fn check<'a>(cx: &Ctxt, config: &'a Config) -> Model<'a> {
    let runtime = config
        .runtime
        .clone()
        .map_or_else(Runtime::absolute, |root| Runtime { root });
    let session = keyed(
        cx,
        &config.session,
        spec::SESSION_KEYS,
        "key",
        "`session` takes",
    );
    let pages = settings::pages(cx, &config.pages);
    let session = settings::session(cx, session);
    let callbacks = handlers::callbacks(cx, &config.callbacks);
    let events = handlers::events(cx, &config.events);
    let token = fields::declared(cx, &config.token, fields::TOKEN);
    let session_user = fields::declared(cx, &config.session_user, fields::SESSION_USER);
    let user = config
        .user
        .as_ref()
        .map(|user| fields::declared(cx, user, fields::USER));
    let providers = providers::providers(cx, &config.providers);
    let model = Model {
        runtime,
        session,
        token,
        session_user,
        user,
        providers,
        callbacks,
        events,
        pages,
        base_path: config.base_path.as_ref(),
        trust_host: config.trust_host.as_ref(),
        trust_proxy: config.trust_proxy.as_ref(),
        limits: limits::limits(cx, config.limits.as_ref()),
        second_factor: second_factor::totp(cx, config.second_factor.as_deref()),
        state: config.state.as_ref(),
        keys: &config.keys,
    };
    second_factor::check(cx, &model, config.second_factor.as_deref());
    state::check(cx, &model);
    fields::check_session(cx, &model);
    sign_in::check(cx, &model);
    strategy::check(cx, &model);
    user_scope::check(cx, &model);
    model
}

/// The entries of a `{ key: value }` block with their typed keys. Unknown keys (with a
/// "did you mean" from `table`) and repeated ones are recorded and left out; `what` and
/// `context` word the error ("unknown `what` `x`", "help: `context`: `a`, `b`").
pub fn keyed<'a, K: Copy>(
    cx: &Ctxt,
    list: &'a [KeyValue],
    table: &[Named<K>],
    what: &str,
    context: &str,
) -> Vec<(K, &'a KeyValue)> {
    let mut seen = HashSet::new();
    list.iter()
        .filter_map(|kv| Some((key_once(cx, &mut seen, &kv.key, table, what, context)?, kv)))
        .collect()
}

/// The typed key of `key`, the first time its name is `seen`. An unknown name (with a
/// "did you mean" from `table`) or a repeated one is recorded and gives `None`; `what`
/// and `context` word the error as in [`keyed`].
pub fn key_once<K: Copy>(
    cx: &Ctxt,
    seen: &mut HashSet<String>,
    key: &syn::Ident,
    table: &[Named<K>],
    what: &str,
    context: &str,
) -> Option<K> {
    let name = key.to_string();
    let Some(k) = spec::lookup(table, &name) else {
        cx.unknown(key, what, &name, &spec::names(table), context);
        return None;
    };
    if !seen.insert(name.clone()) {
        cx.error_spanned_by(
            key,
            format!("`{name}` is given twice"),
            format!("keep one `{name}`"),
        );
        return None;
    }
    Some(k)
}

/// A closure's parameters bound by name (`authorize`, `send_verification_request`): the
/// pattern of each of `params`, by position, in any order and any subset. A closure of one
/// parameter with another name binds the first of `params` (what it received before names
/// mattered). `None` (recorded) when a parameter is not a plain name, is unknown or is named
/// twice; `what` names the handler in the errors, `naming` is the help for an unnamed one.
pub fn params_by_name<'a, const N: usize>(
    cx: &Ctxt,
    closure: &'a syn::ExprClosure,
    params: &[&str; N],
    what: &str,
    naming: &str,
) -> Option<[Option<&'a syn::Pat>; N]> {
    let mut bound = [None; N];
    if let [only] = closure.inputs.iter().collect::<Vec<_>>()[..]
        && !param_name(only).is_some_and(|n| params.contains(&n.to_string().as_str()))
    {
        bound[0] = Some(only);
        return Some(bound);
    }
    let mut ok = true;
    for pat in &closure.inputs {
        let Some(name) = param_name(pat) else {
            cx.error_spanned_by(
                pat,
                format!("`{what}` binds its parameters by name"),
                naming,
            );
            ok = false;
            continue;
        };
        let text = name.to_string();
        let Some(at) = params.iter().position(|p| *p == text) else {
            cx.unknown(
                name,
                &format!("parameter {{}} of `{what}`"),
                &text,
                params,
                &format!("`{what}` receives"),
            );
            ok = false;
            continue;
        };
        if bound[at].replace(pat).is_some() {
            cx.error_spanned_by(
                name,
                format!("`{text}` is named twice"),
                format!("name each parameter of `{what}` once"),
            );
            ok = false;
        }
    }
    ok.then_some(bound)
}

/// The name a closure parameter binds (`name` or `name: Type`).
pub fn param_name(pat: &syn::Pat) -> Option<&syn::Ident> {
    match pat {
        syn::Pat::Ident(p) if p.subpat.is_none() => Some(&p.ident),
        syn::Pat::Type(t) => param_name(&t.pat),
        _ => None,
    }
}

/// `ident` as an expression (a one-segment path), if it is one.
pub fn single_ident(expr: &syn::Expr) -> Option<&syn::Ident> {
    match expr {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::spec::Strategy;

    /// The messages (first line) of every error `check` reports for `input`.
    fn errors(input: proc_macro2::TokenStream) -> Vec<String> {
        let cx = Ctxt::new();
        let config = crate::ast::parse(&cx, input);
        check(&cx, &config);
        cx.headlines()
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
    fn limits_accept_rates_off_and_settings() {
        for input in [
            quote! { limits: { sign_in: { per_ip: 20 / 60s, per_identifier: 5 / 15min, identifier: "email", max_keys: 1000 } } },
            quote! { limits: { sign_in: { per_ip: off, per_identifier: 3 / 1h } } },
            quote! { limits: { sign_in: off } },
            quote! { limits: off },
            quote! { limits: { sign_in: { per_identifier: 10 / 1d, } } },
        ] {
            let errs = errors(input.clone());
            assert!(errs.is_empty(), "{input}: {errs:?}");
        }
    }

    #[test]
    fn second_factor_accepts_totp_with_or_without_options() {
        for input in [
            quote! { providers: [ Credentials { authorize: f } ], second_factor: { totp: { issuer: "Acme" } } },
            quote! { providers: [ Credentials { authorize: f } ], second_factor: { totp: { issuer: "Acme", digits: 8, period: 60, } } },
        ] {
            let errs = errors(input.clone());
            assert!(errs.is_empty(), "{input}: {errs:?}");
        }
    }

    #[test]
    fn second_factor_reports_each_mistake() {
        assert_eq!(
            errors(quote! {
                providers: [ Credentials { authorize: f } ],
                second_factor: { totp: { issuer: name, digits: 9, period: 30s, perod: 1 }, sms: {} },
            }),
            [
                "unknown TOTP option `perod`",
                "`issuer` is the name authenticator apps show: a non-empty string literal without `:`",
                "`digits` is 6, 7 or 8",
                "`period` is a whole number of seconds from 15 to 300",
                "unknown second factor `sms`",
            ]
        );
        assert_eq!(
            errors(
                quote! { providers: [ Credentials { authorize: f } ], second_factor: { totp: {} } }
            ),
            ["`totp` needs an `issuer`"]
        );
        assert_eq!(
            errors(quote! {
                token: { amr: Vec<String> },
                providers: [ Credentials { authorize: f } ],
                second_factor: { totp: { issuer: "Acme" } },
            }),
            [
                "`amr` is a standard claim of `Token` already with `second_factor` (`Option<Vec<String>>`)"
            ]
        );
        assert_eq!(
            errors(quote! {
                providers: [ GitHub { client_id: "a", client_secret: "b" } ],
                second_factor: { totp: { issuer: "Acme" } },
            }),
            [
                "a second factor is asked after a credentials sign-in, and no `Credentials` provider is declared"
            ]
        );
    }

    #[test]
    fn limits_report_each_mistake() {
        assert_eq!(
            errors(quote! { limits: { sign_in: { per_ipp: 20 / 60s } } }),
            ["unknown sign-in limit `per_ipp`"]
        );
        assert_eq!(
            errors(quote! { limits: { sign_up: off } }),
            ["unknown limits section `sign_up`"]
        );
        assert_eq!(
            errors(quote! { limits: { sign_in: { per_ip: 0 / 60s, per_identifier: 5 / 15 } } }),
            [
                "the count of a limit is a positive whole number",
                "`15` has no unit"
            ]
        );
        assert_eq!(
            errors(quote! { limits: { sign_in: { per_ip: 5 / 15m, per_identifier: 5 / 0s } } }),
            [
                "unknown unit `m`",
                "the period of a limit is longer than zero"
            ]
        );
        assert_eq!(
            errors(quote! { limits: { sign_in: { per_ip: never, identifier: 5, max_keys: "x" } } }),
            [
                "`per_ip` is a rate or `off`",
                "`identifier` names a credentials field",
                "`max_keys` is a positive number"
            ]
        );
        assert_eq!(
            errors(quote! { limits: { sign_in: { per_ip: off, per_ip: off } } }),
            ["`per_ip` is given twice"]
        );
        assert_eq!(
            errors(quote! { limits: { sign_in: of } }),
            ["expected `off`, found `of`"]
        );
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
    fn request_only_where_it_exists() {
        let errs = errors(quote! {
            providers: [Credentials { authorize: |credentials, request| async move { None } }],
            callbacks: {
                sign_in(user, request) { true }
                jwt(token, request) { token }
                session(session, request) { session }
            },
            events: { sign_in(request) {} sign_out(request) {} },
        });
        assert_eq!(
            errs,
            [
                "`request` is not available in `jwt`",
                "`request` is not available in `session`",
                "`request` is not available in the `sign_in` event",
                "`request` is not available in the `sign_out` event",
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
    fn the_model_holds_typed_values() {
        let cx = Ctxt::new();
        let config = crate::ast::parse(
            &cx,
            quote! {
                [::renamed]
                session: { strategy: database, max_age: 60 },
                token: { /// doc
                    #[serde(rename = "r")] role: String },
                providers: [
                    GitHub { client_id: env("ID"), client_secret: "s", scope: "x" },
                    OAuth {
                        id: "acme", authorization_url: "a", token_url: "t", userinfo_url: "u",
                        client_id: "i", client_secret: "s", client_auth: "client_secret_post",
                    },
                ],
                callbacks: { redirect(url) { url } },
                events: { sign_out(user_id) {} },
                pages: { error: "/oops" },
            },
        );
        let model = check(&cx, &config);
        assert_eq!(model.runtime.root.to_string(), ":: renamed");
        assert_eq!(model.session.strategy, Strategy::Database);
        assert!(model.session.max_age.is_some() && model.session.update_age.is_none());
        assert_eq!(model.token[0].attrs.docs.len(), 1);
        assert_eq!(model.token[0].attrs.forwarded.len(), 1);
        use crate::model::{ConfigValue, Provider};
        let Provider::GitHub(github) = &model.providers[0] else {
            panic!("github")
        };
        assert!(matches!(github.client.id, ConfigValue::Env(_)));
        assert!(matches!(github.client.secret, ConfigValue::Expr(_)));
        assert!(github.login.scope.is_some() && github.id.is_none());
        let Provider::OAuth(acme) = &model.providers[1] else {
            panic!("oauth")
        };
        assert_eq!(acme.id.value(), "acme");
        assert_eq!(acme.client_auth, Some(spec::ClientAuth::ClientSecretPost));
        assert_eq!(model.callbacks[0].kind, spec::CallbackKind::Redirect);
        assert_eq!(model.events[0].kind, spec::EventKind::SignOut);
        assert!(model.pages.error.is_some() && model.pages.sign_in.is_none());
        assert!(cx.check().is_ok());
    }

    #[test]
    fn reissue_after_is_a_jwt_setting_below_max_age() {
        let providers =
            quote! { providers: [ Credentials { authorize: |c| async move { None } } ], };
        for ok in [
            quote! { session: { reissue_after: 3600 }, },
            quote! { session: { reissue_after: 0, max_age: 60 }, },
            quote! { session: { max_age: 2 * 3600, reissue_after: (3600 + 1) * 1 }, },
            quote! { session: { reissue_after: 29 * 24 * 3600 + 86399 }, },
            // Not numbers the macro reads: the runtime checks at start-up.
            quote! { session: { reissue_after: HOUR, max_age: 60 }, },
            quote! { session: { reissue_after: 3600, max_age: max_age() }, },
        ] {
            let errs = errors(quote! { #ok #providers });
            assert!(errs.is_empty(), "{ok}: {errs:?}");
        }
        for (bad, headline) in [
            (
                quote! { session: { strategy: database, reissue_after: 60 }, },
                "`reissue_after` applies to JWT sessions",
            ),
            (
                quote! { session: { reissue_after: 60, max_age: 60 }, },
                "`reissue_after` is 60 s, not below `max_age` (60 s)",
            ),
            (
                quote! { session: { reissue_after: 30 * 24 * 3600 }, },
                "`reissue_after` is 2592000 s, not below `max_age` (2592000 s, its default)",
            ),
        ] {
            let errs = errors(quote! { #bad #providers });
            assert!(
                errs.len() == 1 && errs[0].starts_with(headline),
                "{bad}: {errs:?}"
            );
        }
    }

    #[test]
    fn strategy_reading() {
        let cx = Ctxt::new();
        let db = crate::ast::parse(&cx, quote! { session: { strategy: database } });
        let default = crate::ast::parse(&cx, quote! {});
        assert_eq!(check(&cx, &db).session.strategy, Strategy::Database);
        assert_eq!(check(&cx, &default).session.strategy, Strategy::Jwt);
        assert!(cx.check().is_ok());
    }
}
