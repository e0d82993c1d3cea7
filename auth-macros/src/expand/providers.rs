//! One provider: the runtime's preset constructor with the written options laid over it
//! (`OAuthProvider { scope: .., ..providers::github(id, secret) }`).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::LitStr;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::{call, private, respan, runtime};
use crate::model::{Authorize, ConfigValue, Email, Login, Preset, Provider, SendHook};
use crate::spec::ClientAuth;

/// One provider; `typed_user` when `user: { .. }` declares the generated `User`, which
/// `authorize` then returns.
pub fn expand(provider: &Provider, typed_user: bool) -> TokenStream {
    let (rt, p) = (runtime(), private());
    match provider {
        Provider::Credentials(c) => {
            let mut set = Vec::new();
            set.extend(c.id.map(set_id));
            set.extend(
                c.name
                    .map(|e| set_field("name", call(quote!(#p::string), e))),
            );
            set.extend(c.form.as_ref().map(|form| {
                let fields = form.fields.iter().map(|f| {
                    let name = f.name.unraw().to_string();
                    let (label, input_type) = (&f.label, &f.input_type);
                    let placeholder = f
                        .placeholder
                        .as_ref()
                        .map(|ph| quote!(.with_placeholder(#ph)));
                    let required = f.required;
                    quote! {
                        #rt::config::CredentialField::new(#name, #label, #input_type)
                            #placeholder
                            .with_required(#required)
                    }
                });
                quote!(fields: ::std::vec![#(#fields),*])
            }));
            let form = c.form.as_ref().map(|f| &f.ty);
            let authorize = authorize(c.authorize, typed_user, form);
            quote! {
                #rt::Provider::Credentials(#rt::config::CredentialsProvider {
                    #(#set,)*
                    ..#rt::providers::credentials(#authorize)
                })
            }
        }
        Provider::GitHub(preset) => self::preset(quote!(github), preset),
        Provider::Google(preset) => self::preset(quote!(google), preset),
        Provider::Oidc(o) => {
            let (id, issuer) = (o.id, config(o.issuer));
            let (cid, secret) = (config(o.client.id), config(o.client.secret));
            let mut set = login(&o.login);
            set.extend(o.client_auth.map(client_auth));
            oauth(
                o.written,
                quote!(#rt::providers::oidc(#id, #issuer, #cid, #secret)),
                set,
            )
        }
        Provider::OAuth(o) => {
            let id = o.id;
            let (cid, secret) = (config(o.client.id), config(o.client.secret));
            let mut set = login(&o.login);
            for (name, url) in [
                ("authorization_url", o.authorization_url),
                ("token_url", o.token_url),
                ("userinfo_url", o.userinfo_url),
            ] {
                let url = config(url);
                let name = format_ident!("{}", name);
                set.push(quote!(#name: ::core::option::Option::Some(#url)));
            }
            set.extend(o.client_auth.map(client_auth));
            set.extend(
                o.profile
                    .map(|e| set_field("profile", call(quote!(#p::profile), e))),
            );
            oauth(
                o.written,
                quote!(#rt::providers::oauth(#id, #cid, #secret)),
                set,
            )
        }
        Provider::Email(e) => email(e),
    }
}

/// `Email { .. }`: `providers::email(server)` with the written options over it.
fn email(e: &Email) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let server = config(e.server);
    let mut set: Vec<TokenStream> = e.id.map(set_id).into_iter().collect();
    set.extend(
        e.name
            .map(|v| set_field("name", call(quote!(#p::string), v))),
    );
    set.extend(
        e.from
            .map(|v| set_field("from", call(quote!(#p::string), v))),
    );
    set.extend(
        e.max_age
            .map(|v| set_field("max_age", call(quote!(#p::seconds), v))),
    );
    set.extend(e.send.map(|hook| {
        let hook = send_hook(hook);
        quote!(send_verification_request: ::core::option::Option::Some(#hook))
    }));
    quote! {
        #rt::Provider::Email(#rt::config::EmailProvider {
            #(#set,)*
            ..#rt::providers::email(#server)
        })
    }
}

/// `send_verification_request` boxed: a closure with its parameters bound by name (the
/// state cloned into it), or an expression called with the request. What the future yields
/// is converted by `SendVerificationRequestReturn` on the user's expression, so a wrong
/// return type is reported there, in the trait's words.
fn send_hook(hook: SendHook) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let arg = Ident::new("__request", Span::call_site());
    let future = Ident::new("__future", Span::call_site());
    let convert = quote!(#rt::config::SendVerificationRequestReturn::into_send_outcome);
    let (closure, request, state) = match hook {
        SendHook::Expr(e) => {
            let span = e.span();
            let wrapper = respan(quote!(#p::send_verification_request), span);
            let convert = respan(convert, span);
            let request_type = respan(quote!(#rt::config::VerificationRequest), span);
            let hook = Ident::new("__hook", Span::call_site());
            return quote_spanned! {span=>
                #wrapper({
                    let #hook = #e;
                    move |#arg: #request_type| {
                        let #future = #hook(#arg);
                        async move { #convert(#future.await) }
                    }
                })
            };
        }
        SendHook::Closure {
            closure,
            request,
            state,
        } => (closure, request, state),
    };
    let span = closure.span();
    let wrapper = respan(quote!(#p::send_verification_request), span);
    let request = match request {
        Some(pat) => quote!(let #pat = #arg;),
        None => quote!(let _ = #arg;),
    };
    let (outer, inner) = super::state_clones(state);
    let body = &closure.body;
    let body_span = body.span();
    let convert = respan(convert, body_span);
    // The user's future awaited inside ours: every generated token of the conversion is on
    // the body's span, so a wrong output is reported on it.
    let converted = quote_spanned!(body_span=> async move { #convert((#body).await) });
    let request_type = respan(quote!(#rt::config::VerificationRequest), span);
    quote_spanned! {span=>
        #wrapper({
            #outer
            move |#arg: #request_type| {
                #request
                #inner
                #converted
            }
        })
    }
}

/// `authorize` boxed: an expression as it is, a closure with its parameters bound by name
/// (the state cloned into it, the request taken from the credentials). With a typed `User`,
/// what it returns is converted to the runtime's `User` (`user_outcome`, on the user's body).
fn authorize(authorize: Authorize, typed_user: bool, form: Option<&Ident>) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let c = match authorize {
        Authorize::Expr(e) => {
            let span = e.span();
            let wrapper = respan(quote!(#p::authorize), span);
            // A function taking the form: called with it, built from the credentials.
            let f = match form {
                Some(form) => {
                    let with_form = respan(quote!(#p::with_form::<#form, _, _>), span);
                    quote_spanned!(span=> #with_form(#e))
                }
                None => quote!(#e),
            };
            if typed_user {
                let typed = respan(quote!(#p::user_authorize::<User, _, _>), span);
                return quote_spanned!(span=> #wrapper(#typed(#f)));
            }
            return match form {
                Some(_) => quote_spanned!(span=> #wrapper(#f)),
                None => call(quote!(#p::authorize), e),
            };
        }
        Authorize::Closure(c) => c,
    };
    let span = c.closure.span();
    let wrapper = respan(quote!(#p::authorize), span);
    // `__credentials` is spanned at the call site in both places (a span of the user's
    // would resolve in another hygiene context under the `auth!` shim); the closure itself
    // on the user's, so a wrong return type is reported there.
    let arg = Ident::new("__credentials", Span::call_site());
    // The request first: it is cloned out of the credentials, which are then moved.
    let request = c.request.map(|pat| {
        let request_of = respan(quote!(#rt::Credentials::request), pat.span());
        quote!(let #pat = ::core::clone::Clone::clone(#request_of(&#arg));)
    });
    let credentials = match (c.credentials, form) {
        // The declared form, typed: a misspelt field is rustc's "no field" on the user's
        // token, with its suggestion.
        (Some(pat), Some(form)) => {
            let from = respan(
                quote!(<#form as #p::CredentialsForm>::from_credentials),
                pat.span(),
            );
            quote!(let #pat = #from(&#arg);)
        }
        (Some(pat), None) => quote!(let #pat = #arg;),
        (None, _) => quote!(let _ = #arg;),
    };
    let (outer, inner) = super::state_clones(c.state);
    let body = &c.closure.body;
    let body = if typed_user {
        let body_span = body.span();
        let typed = respan(quote!(#p::user_outcome::<User, _>), body_span);
        quote_spanned!(body_span=> #typed(#body))
    } else {
        quote!(#body)
    };
    let credentials_type = respan(quote!(#rt::Credentials), span);
    quote_spanned! {span=>
        #wrapper({
            #outer
            move |#arg: #credentials_type| {
                #request
                #credentials
                #inner
                #body
            }
        })
    }
}

/// GitHub or Google: `providers::<ctor>(client_id, client_secret)` and the written options.
fn preset(ctor: TokenStream, preset: &Preset) -> TokenStream {
    let rt = runtime();
    let (id, secret) = (config(preset.client.id), config(preset.client.secret));
    let mut set: Vec<TokenStream> = preset.id.map(set_id).into_iter().collect();
    set.extend(login(&preset.login));
    oauth(
        preset.written,
        quote!(#rt::providers::#ctor(#id, #secret)),
        set,
    )
}

/// An `OAuthProvider` from `ctor` with the `set` fields over it. It first calls
/// `oauth_provider(Feature)`, on the provider's written name: without the runtime's `oauth`
/// feature that is the one error, and it says which feature to enable.
fn oauth(written: &Ident, ctor: TokenStream, set: Vec<TokenStream>) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let check = respan(quote!(#p::oauth_provider(#p::Feature)), written.span());
    quote! {
        {
            #check;
            #rt::Provider::OAuth(#rt::config::OAuthProvider {
                #(#set,)*
                ..#ctor
            })
        }
    }
}

/// `name`, `scope` and `allow_dangerous_email_account_linking`, as written.
fn login(login: &Login) -> Vec<TokenStream> {
    let p = private();
    let Login {
        name,
        scope,
        allow_dangerous_email_account_linking: linking,
    } = login;
    let mut set = Vec::new();
    set.extend(name.map(|e| set_field("name", call(quote!(#p::string), e))));
    set.extend(scope.map(|e| set_field("scope", call(quote!(#p::string), e))));
    set.extend(linking.map(|e| {
        set_field(
            "allow_dangerous_email_account_linking",
            call(quote!(#p::flag), e),
        )
    }));
    set
}

fn set_field(name: &str, value: TokenStream) -> TokenStream {
    let name = format_ident!("{}", name);
    quote!(#name: #value)
}

/// `id: "..".to_owned()` for a preset whose id is written.
fn set_id(id: &LitStr) -> TokenStream {
    quote_spanned!(id.span()=> id: ::std::string::String::from(#id))
}

fn client_auth(c: ClientAuth) -> TokenStream {
    let rt = runtime();
    let variant = match c {
        ClientAuth::ClientSecretBasic => quote!(ClientSecretBasic),
        ClientAuth::ClientSecretPost => quote!(ClientSecretPost),
    };
    quote!(client_auth: #rt::config::ClientAuth::#variant)
}

/// A `ConfigValue`: `env("NAME")` read at start-up, or any `Into<ConfigValue>` expression.
fn config(value: ConfigValue) -> TokenStream {
    match value {
        ConfigValue::Env(e) => {
            let rt = runtime();
            let env = respan(quote!(#rt::env), e.span());
            let args = &e.args;
            quote_spanned!(e.span()=> #env(#args))
        }
        ConfigValue::Expr(e) => {
            let p = private();
            call(quote!(#p::config_value), e)
        }
    }
}
