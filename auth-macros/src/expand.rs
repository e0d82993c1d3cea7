//! Code generation. Runs only on a configuration that passed every check, so it cannot
//! fail; on errors [`run`] emits the errors and [`fallback`] stubs instead.
//!
//! Every runtime item is named by absolute path (`::auth_runtime::..`); callback bodies are
//! wrapped so that the value they return is converted where the user wrote it (the tail
//! expression and every `return`), so a wrong type is reported on the user's expression.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Stmt};

use crate::ast::{self, Callback, Config, FieldDef, ProviderDef};
use crate::check::{self, Strategy, fields};
use crate::ctxt::Ctxt;

/// Parses, checks and expands one invocation.
pub fn run(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let config = ast::parse(&cx, input);
    check::check(&cx, &config);
    match cx.check() {
        Ok(()) => expand(&config),
        Err(errors) => {
            let mut out = errors.to_compile_error();
            out.extend(fallback(&config));
            out
        }
    }
}

/// The stubs emitted next to the errors, so code that uses `Token`, `SessionUser`,
/// `Session` and `config()` does not fail a second time.
pub fn fallback(config: &Config) -> TokenStream {
    let types = types(config);
    quote! {
        #types
        /// The auth configuration (not generated: `auth!` has errors).
        pub fn config() -> ::auth_runtime::AuthConfig<Token, SessionUser> {
            ::auth_runtime::AuthConfig::__new()
        }
    }
}

/// The generated items of a valid configuration.
pub fn expand(config: &Config) -> TokenStream {
    let types = types(config);
    let strategy = check::strategy(config);
    let mut calls = Vec::new();
    calls.push(match strategy {
        Strategy::Jwt => quote!(.__strategy(::auth_runtime::SessionStrategy::Jwt)),
        Strategy::Database => quote!(.__strategy(::auth_runtime::SessionStrategy::Database)),
    });
    if let Some(e) = ast::find(&config.session, "max_age") {
        calls.push(quote_spanned!(e.span()=> .__max_age(#e)));
    }
    if let Some(e) = ast::find(&config.session, "update_age") {
        calls.push(quote_spanned!(e.span()=> .__update_age(#e)));
    }
    for p in &config.providers {
        let p = provider(p);
        calls.push(quote!(.__provider(#p)));
    }
    for cb in &config.callbacks {
        calls.push(callback(cb, strategy));
    }
    for ev in &config.events {
        calls.push(event(ev));
    }
    if !config.pages.is_empty() {
        let set = config.pages.iter().map(|kv| {
            let key = format_ident!("{}", kv.key.to_string());
            let value = string(&kv.value);
            quote!(__pages.#key = ::core::option::Option::Some(#value);)
        });
        calls.push(quote! {
            .__pages({
                let mut __pages = ::auth_runtime::config::Pages::default();
                #(#set)*
                __pages
            })
        });
    }
    if let Some(e) = &config.base_path {
        calls.push(quote_spanned!(e.span()=> .__base_path(#e)));
    }
    if let Some(e) = &config.trust_host {
        calls.push(quote_spanned!(e.span()=> .__trust_host(#e)));
    }
    quote! {
        #types
        /// The auth configuration declared with `auth!`; pass it to `auth_runtime::Auth::new`.
        pub fn config() -> ::auth_runtime::AuthConfig<Token, SessionUser> {
            ::auth_runtime::AuthConfig::<Token, SessionUser>::__new()
                #(#calls)*
        }
    }
}

/// `Token`, `SessionUser` and `Session`.
fn types(config: &Config) -> TokenStream {
    let token_std = standard_fields(fields::TOKEN_CLAIMS, |n| match n {
        "sub" => "Subject: the user id.",
        "name" => "The user's display name.",
        "email" => "The user's e-mail address.",
        "picture" => "The user's avatar URL.",
        "iat" => "Issued at (seconds since the epoch).",
        "exp" => "Expires at (seconds since the epoch).",
        _ => "Unique token id.",
    });
    let token_declared =
        declared_fields(&fields::valid_fields(&config.token, fields::TOKEN_CLAIMS));
    let user_std = standard_fields(fields::SESSION_USER_FIELDS, |n| match n {
        "name" => "The user's display name.",
        "email" => "The user's e-mail address.",
        _ => "The user's avatar URL.",
    });
    let user_declared = declared_fields(&fields::valid_fields(
        &config.session_user,
        fields::SESSION_USER_FIELDS,
    ));
    let derive = quote! {
        #[derive(
            ::core::clone::Clone,
            ::core::fmt::Debug,
            ::core::default::Default,
            ::core::cmp::PartialEq,
            ::auth_runtime::__private::serde::Serialize,
            ::auth_runtime::__private::serde::Deserialize,
        )]
        #[serde(crate = "::auth_runtime::__private::serde", default)]
    };
    quote! {
        /// The session token's claims: the standard JWT claims and the fields declared in
        /// `token: { .. }` of `auth!`.
        #derive
        pub struct Token {
            #token_std
            #token_declared
        }

        /// `session.user`: name, e-mail, image and the fields declared in
        /// `session_user: { .. }` of `auth!`.
        #derive
        pub struct SessionUser {
            #user_std
            #user_declared
        }

        /// The session a handler reads, with the typed `user`.
        pub type Session = ::auth_runtime::Session<SessionUser>;
    }
}

fn standard_fields(list: &[(&str, &str)], doc: impl Fn(&str) -> &'static str) -> TokenStream {
    list.iter()
        .map(|(name, ty)| {
            let ident = format_ident!("{}", name);
            let doc = doc(name);
            let ty = if ty.contains("i64") {
                quote!(::core::option::Option<::core::primitive::i64>)
            } else {
                quote!(::core::option::Option<::std::string::String>)
            };
            quote! {
                #[doc = #doc]
                #[serde(skip_serializing_if = "::core::option::Option::is_none")]
                pub #ident: #ty,
            }
        })
        .collect()
}

fn declared_fields(list: &[&FieldDef]) -> TokenStream {
    list.iter()
        .map(|f| {
            let FieldDef { attrs, name, ty } = f;
            let doc = if attrs.iter().any(|a| a.path().is_ident("doc")) {
                quote!()
            } else {
                quote!(#[doc = "Declared in `auth!`."])
            };
            // `pub` on the user's span, so errors about the field land on it.
            let vis = quote_spanned!(name.span()=> pub);
            quote! {
                #doc
                #(#attrs)*
                #vis #name: #ty,
            }
        })
        .collect()
}

/// A `ConfigValue`: `env("NAME")`, or any `Into<ConfigValue>` expression.
fn config_value(e: &Expr) -> TokenStream {
    if let Expr::Call(call) = e
        && check::single_ident(&call.func).is_some_and(|f| f == "env")
    {
        let args = &call.args;
        return quote_spanned!(e.span()=> ::auth_runtime::env(#args));
    }
    quote_spanned!(e.span()=> ::auth_runtime::__private::config_value(#e))
}

fn string(e: &Expr) -> TokenStream {
    quote_spanned!(e.span()=> ::auth_runtime::__private::string(#e))
}

fn provider(p: &ProviderDef) -> TokenStream {
    let kind = p.kind.to_string();
    let opt = |key: &str| p.option(key);
    let value = |key: &str| {
        opt(key).map_or_else(|| quote!(::core::default::Default::default()), config_value)
    };
    let mut sets = Vec::new();
    for kv in &p.options {
        let e = &kv.value;
        let key = kv.key.to_string();
        let field = format_ident!("{}", key);
        sets.push(match key.as_str() {
            // `id` is a constructor argument of Oidc and OAuth.
            "id" if matches!(kind.as_str(), "Oidc" | "OAuth") => continue,
            "id" | "name" | "scope" => {
                let s = string(e);
                quote!(__p.#field = #s;)
            }
            "allow_dangerous_email_account_linking" => {
                quote_spanned!(e.span()=> __p.#field = ::auth_runtime::__private::flag(#e);)
            }
            "client_auth" => {
                let variant = match check::client_auth(e).as_deref() {
                    Some("client_secret_post") => quote!(ClientSecretPost),
                    _ => quote!(ClientSecretBasic),
                };
                quote!(__p.client_auth = ::auth_runtime::config::ClientAuth::#variant;)
            }
            "profile" => {
                quote_spanned!(e.span()=> __p.profile = ::auth_runtime::__private::profile(#e);)
            }
            "authorization_url" | "token_url" | "userinfo_url" if kind == "OAuth" => {
                let v = config_value(e);
                quote!(__p.#field = ::core::option::Option::Some(#v);)
            }
            // Constructor arguments.
            _ => continue,
        });
    }
    let (ctor, variant) = match kind.as_str() {
        "Credentials" => {
            let f = opt("authorize").map_or_else(
                || quote!(::core::default::Default::default()),
                |e| quote_spanned!(e.span()=> ::auth_runtime::__private::authorize(#e)),
            );
            (
                quote!(::auth_runtime::providers::credentials(#f)),
                quote!(Credentials),
            )
        }
        "GitHub" | "Google" => {
            let f = format_ident!("{}", kind.to_lowercase());
            let (id, secret) = (value("client_id"), value("client_secret"));
            (
                quote!(::auth_runtime::providers::#f(#id, #secret)),
                quote!(OAuth),
            )
        }
        "Oidc" => {
            let id = opt("id");
            let (issuer, cid, secret) =
                (value("issuer"), value("client_id"), value("client_secret"));
            (
                quote!(::auth_runtime::providers::oidc(#id, #issuer, #cid, #secret)),
                quote!(OAuth),
            )
        }
        _ => {
            let id = opt("id");
            let (cid, secret) = (value("client_id"), value("client_secret"));
            (
                quote!(::auth_runtime::providers::oauth(#id, #cid, #secret)),
                quote!(OAuth),
            )
        }
    };
    quote! {{
        #[allow(unused_mut)]
        let mut __p = #ctor;
        #(#sets)*
        ::auth_runtime::Provider::#variant(__p)
    }}
}

/// One callback: destructure the arguments it names, run the body, convert what it returns.
fn callback(cb: &Callback, strategy: Strategy) -> TokenStream {
    let name = cb.name.to_string();
    let (method, wrapper, args_ty, convert) = match name.as_str() {
        "sign_in" => (
            quote!(__sign_in),
            quote!(sign_in),
            quote!(SignInArgs),
            quote!(::auth_runtime::__private::sign_in_decision),
        ),
        "jwt" => (
            quote!(__jwt),
            quote!(jwt::<Token, _, _>),
            quote!(JwtArgs<Token>),
            quote!(::auth_runtime::__private::Outcome::<Token>::jwt),
        ),
        "session" if strategy == Strategy::Database => (
            quote!(__session),
            quote!(database_session::<Token, SessionUser, _, _>),
            quote!(DatabaseSessionArgs<SessionUser>),
            quote!(::auth_runtime::__private::Outcome::<SessionUser>::session),
        ),
        "session" => (
            quote!(__session),
            quote!(jwt_session::<Token, SessionUser, _, _>),
            quote!(JwtSessionArgs<Token, SessionUser>),
            quote!(::auth_runtime::__private::Outcome::<SessionUser>::session),
        ),
        _ => (
            quote!(__redirect),
            quote!(redirect),
            quote!(RedirectArgs),
            quote!(::auth_runtime::__private::redirect_url),
        ),
    };
    let bindings = cb.params.iter().map(|p| {
        let field = format_ident!("{}", p.to_string());
        if p == "token" || p == "session" {
            quote!(#field: mut #p)
        } else {
            quote!(#field: #p)
        }
    });
    let body = converted_body(&cb.body, &convert);
    // `JwtArgs<Token>` as a type, `JwtArgs` as a pattern.
    let pat = args_ty.clone().into_iter().next();
    quote! {
        .#method(::auth_runtime::__private::#wrapper(move |__args: ::auth_runtime::config::#args_ty| {
            #[allow(unused_mut)]
            let ::auth_runtime::config::#pat { #(#bindings,)* .. } = __args;
            async move #body
        }))
    }
}

/// One event handler: destructure the arguments it names, run the body (returning `()`
/// or `Result<(), E>`), spawned by the runtime.
fn event(ev: &Callback) -> TokenStream {
    let name = ev.name.to_string();
    let method = format_ident!("__event_{}", name);
    let args_ty = match name.as_str() {
        "sign_in" => quote!(SignInEventArgs),
        "sign_out" => quote!(SignOutEventArgs),
        "create_user" => quote!(CreateUserEventArgs),
        "link_account" => quote!(LinkAccountEventArgs),
        _ => quote!(SessionEventArgs),
    };
    let bindings = ev.params.iter().map(|p| {
        let field = format_ident!("{}", p.to_string());
        quote!(#field: #p)
    });
    let convert = quote!(::auth_runtime::__private::event_outcome);
    let body = converted_body(&ev.body, &convert);
    quote! {
        .#method(::auth_runtime::__private::event(move |__args: ::auth_runtime::config::#args_ty| {
            let ::auth_runtime::config::#args_ty { #(#bindings,)* .. } = __args;
            async move #body
        }))
    }
}

/// The body with its tail expression and every `return` value passed through `convert`,
/// spanned on the user's expression.
fn converted_body(body: &Block, convert: &TokenStream) -> Block {
    let mut body = body.clone();
    ReturnRewriter { convert }.visit_block_mut(&mut body);
    match body.stmts.pop() {
        // `return x` as the tail: already converted.
        Some(tail @ Stmt::Expr(Expr::Return(_), None)) => body.stmts.push(tail),
        Some(Stmt::Expr(tail, None)) => {
            let span = tail.span();
            body.stmts.push(Stmt::Expr(wrap(convert, tail, span), None));
        }
        // Ends in `return ..;` (already converted): nothing falls through.
        Some(last @ Stmt::Expr(Expr::Return(_), Some(_))) => body.stmts.push(last),
        last => {
            body.stmts.extend(last);
            let span = body.brace_token.span.close();
            let unit = Expr::Verbatim(quote_spanned!(span=> ()));
            body.stmts.push(Stmt::Expr(wrap(convert, unit, span), None));
        }
    }
    body
}

/// `convert(e)`, every generated token spanned on the user's expression.
fn wrap(convert: &TokenStream, e: Expr, span: Span) -> Expr {
    let convert = respan(convert.clone(), span);
    Expr::Verbatim(quote_spanned!(span=> #convert(#e)))
}

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

/// Rewrites `return e` into `return convert(e)`, outside nested closures, async blocks and items.
struct ReturnRewriter<'a> {
    convert: &'a TokenStream,
}

impl VisitMut for ReturnRewriter<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Return(r) => {
                let span = r.expr.as_ref().map_or(r.return_token.span, |v| v.span());
                let value = r
                    .expr
                    .take()
                    .map_or_else(|| Expr::Verbatim(quote_spanned!(span=> ())), |v| *v);
                let mut value = value;
                self.visit_expr_mut(&mut value);
                r.expr = Some(Box::new(wrap(self.convert, value, span)));
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
