//! Code generation from the [`Model`]. It runs only on a configuration that passed every
//! check, so it cannot fail; with errors, [`run`] emits them and the [`fallback`] stubs.
//!
//! The output is data and closures: the `Token`/`SessionUser`/`Session` types ([`types`]),
//! and `config()` filling the runtime's private `Parts` struct with the providers
//! ([`providers`]) and the boxed callbacks and events ([`callbacks`]). Every runtime path
//! goes through one alias of the crate path `auth_runtime::auth!` passes (`$crate`), so a
//! renamed dependency works; the items only generated code calls live in the runtime's
//! numbered private module.

mod callbacks;
mod fallback;
mod providers;
mod types;

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Expr;
use syn::spanned::Spanned;

use crate::ast;
use crate::check;
use crate::ctxt::Ctxt;
use crate::model::{Model, Pages, private_module};
use crate::spec::Strategy;

/// Parses, checks and expands one invocation.
pub fn run(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let config = ast::parse(&cx, input);
    let model = check::check(&cx, &config);
    match cx.check() {
        Ok(()) => expand(&model),
        Err(errors) => fallback::expand(&model, &errors),
    }
}

/// The generated items of a valid configuration.
pub fn expand(model: &Model) -> TokenStream {
    let alias = alias(model);
    let types = types::expand(model);
    let (rt, p) = (runtime(), private());
    let mut fields = vec![match model.session.strategy {
        Strategy::Jwt => quote!(strategy: #rt::SessionStrategy::Jwt),
        Strategy::Database => quote!(strategy: #rt::SessionStrategy::Database),
    }];
    if let Some(e) = model.session.max_age {
        fields.push(field("max_age", seconds(e)));
    }
    if let Some(e) = model.session.update_age {
        fields.push(field("update_age", seconds(e)));
    }
    if let Some(e) = model.session.reissue_after {
        fields.push(field("reissue_after", seconds(e)));
    }
    let typed_user = model.user.is_some();
    let providers = model
        .providers
        .iter()
        .map(|provider| providers::expand(provider, typed_user));
    fields.push(quote!(providers: ::std::vec![#(#providers),*]));
    fields.extend(
        model
            .callbacks
            .iter()
            .map(|cb| callbacks::callback(cb, model)),
    );
    fields.extend(callbacks::default_session(model));
    fields.extend(model.events.iter().map(callbacks::event));
    if let Some(pages) = pages(&model.pages) {
        fields.push(quote!(pages: ::core::option::Option::Some(#pages)));
    }
    if typed_user {
        fields.push(quote!(user_check: ::core::option::Option::Some(#p::check_user::<User>)));
    }
    if let Some(e) = model.base_path {
        fields.push(field("base_path", text(e)));
    }
    if let Some(e) = model.trust_host {
        fields.push(field("trust_host", flag(e)));
    }
    if let Some(e) = model.trust_proxy {
        fields.push(field("trust_proxy", flag(e)));
    }
    if let Some(limits) = &model.limits {
        let limits = sign_in_limits(limits);
        fields.push(quote!(sign_in_limits: ::core::option::Option::Some(#limits)));
    }
    if let Some(totp) = &model.second_factor {
        let issuer = totp.issuer;
        let mut settings = quote!(#rt::config::TotpSettings::new(#issuer));
        if let Some(digits) = totp.digits {
            settings = quote!(#settings.with_digits(#digits));
        }
        if let Some(period) = totp.period {
            settings = quote!(#settings.with_period(#period));
        }
        fields.push(quote!(second_factor: ::core::option::Option::Some(
            #rt::config::SecondFactor::Totp(#settings)
        )));
    }
    let (params, check) = match model.state {
        Some(ty) => {
            let (state, clone) = (state_ident(), clone_state_ident());
            // The one place the state's type is checked, on the user's type: the clone
            // function every handler binding `state` calls.
            let path = respan(
                quote!(<#ty as #rt::config::CallbackState>::clone_state),
                ty.span(),
            );
            (
                quote!(#state: #ty),
                quote!(let #clone = #path; let _ = &#state;),
            )
        }
        None => (quote!(), quote!()),
    };
    quote! {
        #alias
        #types
        /// The auth configuration declared with `auth!`; pass it to `auth_runtime::Auth::new`.
        pub fn config(#params) -> #rt::AuthConfig<Token, SessionUser> {
            #check
            #p::Parts::<Token, SessionUser> {
                #(#fields,)*
                ..::core::default::Default::default()
            }
            .build()
        }
    }
}

/// `config`'s parameter: the application state, named `state` with a mixed-site span so
/// the user's code sees it only where a handler binds `state`.
pub(crate) fn state_ident() -> Ident {
    Ident::new("state", Span::mixed_site())
}

/// `config`'s function cloning the state (`CallbackState::clone_state`, checked once on the
/// user's type), mixed-site like [`state_ident`].
fn clone_state_ident() -> Ident {
    Ident::new("clone_state", Span::mixed_site())
}

/// The statements that hand a clone of the state to a handler naming `state`: one before
/// its closure (the closure owns a clone) and one inside it (each call gets its own,
/// bound to the user's `state`). Both call `config`'s `clone_state`, so a state of the
/// wrong type is one error, on its type.
pub(crate) fn state_clones(state: Option<&Ident>) -> (TokenStream, TokenStream) {
    let Some(user) = state else {
        return (quote!(), quote!());
    };
    let (ours, clone) = (state_ident(), clone_state_ident());
    (
        quote!(let #ours = #clone(&#ours);),
        quote!(let #user = #clone(&#ours);),
    )
}

/// `future` passed through a local function requiring it to be `Send + 'static` (the
/// runtime runs every handler on any thread), all on the user's tokens at `at` (the
/// handler's name): a body holding a non-`Send` value across an `.await` is reported on the
/// user's code, with rustc's notes, as "required by a bound in `runs_on_any_thread`".
/// The function returns an opaque `Send` future, so the boxing wrapper's own bound does not
/// report it a second time.
pub(crate) fn on_any_thread(future: TokenStream, at: Span) -> TokenStream {
    let f = Ident::new("runs_on_any_thread", at);
    quote_spanned! {at=>
        {
            fn #f<F: ::core::future::Future + ::core::marker::Send + 'static>(
                future: F,
            ) -> impl ::core::future::Future<Output = F::Output> + ::core::marker::Send + 'static {
                future
            }
            #f(#future)
        }
    }
}

/// `limits: { sign_in: .. }` as a `SignInLimits` value: the defaults (or none, after
/// `off`) with each written setting applied.
fn sign_in_limits(limits: &crate::model::SignInLimits) -> TokenStream {
    use crate::model::LimitRate;
    let rt = runtime();
    let mut e = if limits.off {
        quote!(#rt::config::SignInLimits::off())
    } else {
        quote!(#rt::config::SignInLimits::default())
    };
    let rate = |r: LimitRate| match r {
        LimitRate::Default => None,
        LimitRate::Off => Some(quote!(::core::option::Option::None)),
        LimitRate::Rate { count, period_secs } => Some(quote!(#rt::config::Rate::new(
            #count,
            ::core::time::Duration::from_secs(#period_secs)
        ))),
    };
    if let Some(r) = rate(limits.per_ip) {
        e = quote!(#e.with_per_ip(#r));
    }
    if let Some(r) = rate(limits.per_identifier) {
        e = quote!(#e.with_per_identifier(#r));
    }
    if let Some(field) = limits.identifier {
        e = quote!(#e.with_identifier(#field));
    }
    if let Some(n) = limits.max_keys {
        e = quote!(#e.with_max_keys(#n));
    }
    e
}

/// `pages: { .. }` as a `Pages` value, when any page is set.
fn pages(pages: &Pages) -> Option<TokenStream> {
    let Pages {
        sign_in,
        sign_out,
        error,
        verify_request,
    } = pages;
    let rt = runtime();
    let set: Vec<TokenStream> = [
        ("sign_in", sign_in),
        ("sign_out", sign_out),
        ("error", error),
        ("verify_request", verify_request),
    ]
    .into_iter()
    .filter_map(|(name, e)| Some(field(name, text((*e)?))))
    .collect();
    if set.is_empty() {
        return None;
    }
    Some(quote! {
        #rt::config::Pages {
            #(#set,)*
            ..::core::default::Default::default()
        }
    })
}

/// `name: Some(value)`.
fn field(name: &str, value: TokenStream) -> TokenStream {
    let name = format_ident!("{}", name);
    quote!(#name: ::core::option::Option::Some(#value))
}

/// The alias every generated path starts with.
fn alias_ident() -> Ident {
    format_ident!("__auth_runtime")
}

/// `use <the runtime path> as __auth_runtime;`: the one place the crate path appears.
fn alias(model: &Model) -> TokenStream {
    let root = &model.runtime.root;
    let alias = alias_ident();
    quote!(use #root as #alias;)
}

/// The runtime (`__auth_runtime`).
fn runtime() -> TokenStream {
    alias_ident().into_token_stream()
}

/// The runtime's numbered private module (`__auth_runtime::__private0_1_0`).
fn private() -> TokenStream {
    let (alias, module) = (alias_ident(), private_module());
    quote!(#alias::#module)
}

/// `SecondsValue::into_seconds(e)`, spanned on the user's expression.
fn seconds(e: &Expr) -> TokenStream {
    let rt = runtime();
    call(quote!(#rt::config::SecondsValue::into_seconds), e)
}

/// `TextValue::into_text(e)`, spanned on the user's expression.
fn text(e: &Expr) -> TokenStream {
    let rt = runtime();
    call(quote!(#rt::config::TextValue::into_text), e)
}

/// `FlagValue::into_flag(e)`, spanned on the user's expression.
fn flag(e: &Expr) -> TokenStream {
    let rt = runtime();
    call(quote!(#rt::config::FlagValue::into_flag), e)
}

/// `f(e)` with every generated token spanned on the user's expression, so that rustc
/// reports a wrong type there.
fn call(f: TokenStream, e: &Expr) -> TokenStream {
    let span = e.span();
    let f = respan(f, span);
    quote_spanned!(span=> #f(#e))
}

/// `tokens` with every span (also inside groups) set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                let mut group = Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn expanded(input: TokenStream) -> String {
        run(input).to_string()
    }

    #[test]
    fn the_runtime_path_appears_once_as_an_alias() {
        let out = expanded(quote! {
            [::renamed]
            session: { strategy: database, max_age: 60 },
            token: { id: String },
            providers: [ GitHub { client_id: env("ID"), client_secret: "s" } ],
            callbacks: { jwt(token) { token } },
            events: { sign_out(user_id) {} },
            pages: { sign_in: "/login" },
        });
        assert!(!out.contains("compile_error"), "{out}");
        assert!(
            out.starts_with("use :: renamed as __auth_runtime ;"),
            "{out}"
        );
        assert_eq!(out.matches("renamed").count(), 1, "{out}");
        assert!(!out.contains(":: auth_runtime"), "{out}");
        let private = format!("__auth_runtime :: {} ::", private_module());
        assert!(out.contains(&format!("{private} Parts")), "{out}");
        assert!(out.contains("__auth_runtime :: env (\"ID\")"), "{out}");
        assert!(!out.contains(" . __"), "no hidden builder methods: {out}");
    }

    #[test]
    fn a_user_section_generates_the_typed_user_and_its_glue() {
        let out = run(quote! {
            user: { role: Role },
            providers: [ Credentials { authorize: |c| async move { None } } ],
            callbacks: { jwt(token, user) { if let Some(user) = user { token.sub = Some(user.id); } token } },
        });
        let file: syn::File = syn::parse2(out.clone()).unwrap_or_else(|e| panic!("{e}: {out}"));
        let text = out.to_string();
        assert!(!text.contains("compile_error"), "{text}");
        assert_eq!(
            file.items.len(),
            10,
            "alias, Token, SessionUser, User, its impl and two TryFrom, Session, Auth, config"
        );
        for glue in [
            "AuthorizeReturn :: < User > :: into_outcome",
            "runtime_outcome",
            "typed_user :: < User",
            "check_user :: < User",
        ] {
            assert!(text.contains(glue), "{glue}: {text}");
        }
        // Without the section, none of it.
        let plain = expanded(quote! {
            providers: [ Credentials { authorize: |c| async move { None } } ],
            callbacks: { jwt(token, user) { token } },
        });
        assert!(
            !plain.contains("struct User") && !plain.contains("runtime_outcome"),
            "{plain}"
        );
    }

    #[test]
    fn errors_come_with_the_fallback_types() {
        let out = expanded(quote! {
            token: { id: String },
            providers: [ Gitub { client_id: "a" } ],
        });
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("pub struct Token"), "{out}");
        assert!(out.contains("pub fn config"), "{out}");
        assert!(!out.contains("Parts"), "{out}");
    }

    #[test]
    fn the_expansion_parses_as_items() {
        let out = run(quote! {
            token: { /// doc
                #[serde(rename = "r")] role: Option<String> },
            session_user: { role: Option<String> },
            providers: [
                Credentials { id: "pw", name: "Password", authorize: |c| async move { None } },
                Oidc { id: "corp", issuer: env("ISSUER"), client_id: "a", client_secret: "b", client_auth: client_secret_post },
                OAuth {
                    id: "acme", authorization_url: "a", token_url: "t", userinfo_url: "u",
                    client_id: "i", client_secret: "s", profile: map, scope: "x",
                    allow_dangerous_email_account_linking: true,
                },
            ],
            callbacks: {
                sign_in(user) { true }
                jwt(token, user) { if let Some(user) = user { return token; } token }
                session(session, token) { session }
                redirect(url, base_url) { url }
            },
            events: { sign_in(user) {} session(session) {} },
            base_path: "/auth",
            trust_host: true,
        });
        let file: syn::File = syn::parse2(out.clone()).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(
            file.items.len(),
            6,
            "alias, Token, SessionUser, Session, Auth, config"
        );
    }
}
