//! One provider: the runtime's preset constructor with the written options laid over it
//! (`OAuthProvider { scope: .., ..providers::github(id, secret) }`).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::LitStr;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::{call, flag, private, respan, runtime, seconds, text};
use crate::model::{
    Authorize, ConfigValue, Email, Login, NamedPreset, Passkey, Preset, Provider, SendHook,
};
use crate::spec::{self, ClientAuth, Opt, ProviderKind};

/// One provider; `typed_user` when `user: { .. }` declares the generated `User`, which
/// `authorize` then returns.
pub fn expand(provider: &Provider, typed_user: bool) -> TokenStream {
    let rt = runtime();
    match provider {
        Provider::Credentials(c) => {
            let mut set = Vec::new();
            set.extend(c.id.map(set_id));
            set.extend(c.name.map(|e| set_text("name", e)));
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
        Provider::Passkey(k) => passkey(k),
        Provider::GitHub(preset) => self::preset(quote!(github), preset),
        Provider::Google(preset) => self::preset(quote!(google), preset),
        Provider::Named(preset) => named(preset),
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
            set.extend(o.profile.map(|e| set_field("profile", profile(e))));
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
    let rt = runtime();
    let server = config(e.server);
    let mut set: Vec<TokenStream> = e.id.map(set_id).into_iter().collect();
    set.extend(e.name.map(|v| set_text("name", v)));
    set.extend(e.from.map(|v| set_text("from", v)));
    set.extend(e.max_age.map(|v| set_field("max_age", seconds(v))));
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

/// `authorize` boxed: an expression called with the credentials (or the declared form),
/// a closure with its parameters bound by name (the state cloned into it, the request taken
/// from the credentials). What it returns goes through `config::AuthorizeReturn` on the
/// user's tokens ([`returned`]); with a typed `User`, the result is then converted to the
/// runtime's `User`.
fn authorize(authorize: Authorize, typed_user: bool, form: Option<&Ident>) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let c = match authorize {
        Authorize::Expr(e) => {
            // `let f = <expr>; move |c| f(c)`, every token on the user's expression: a
            // function of the wrong shape is reported there, in rustc's words.
            let span = e.span();
            let f = Ident::new("__authorize", span);
            let arg = Ident::new("__credentials", span);
            let credentials_type = respan(quote!(#rt::Credentials), span);
            let input = match form {
                Some(form) => {
                    let from = respan(
                        quote!(<#form as #p::CredentialsForm>::from_credentials),
                        span,
                    );
                    quote_spanned!(span=> #from(&#arg))
                }
                None => quote!(#arg),
            };
            let future = super::on_any_thread(quote_spanned!(span=> #f(#input)), span);
            let body = returned(future, e, typed_user);
            let wrapper = respan(quote!(#p::authorize), span);
            return quote_spanned! {span=>
                #wrapper({
                    let #f = #e;
                    move |#arg: #credentials_type| #body
                })
            };
        }
        Authorize::Closure(c) => c,
    };
    let span = c.closure.span();
    let wrapper = respan(quote!(#p::authorize), span);
    // `__credentials` is spanned at the call site in both places (a span of the user's
    // would resolve in another hygiene context under the `auth!` shim); the closure itself
    // on the user's, so an error about its shape is reported there.
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
    // A wrong return type is reported on the value the body ends with (`async move { .. }`'s
    // tail expression), else on the body.
    let returns: &syn::Expr = match &**body {
        syn::Expr::Async(a) => match a.block.stmts.last() {
            Some(syn::Stmt::Expr(tail, None)) => tail,
            _ => body,
        },
        _ => body,
    };
    let future = super::on_any_thread(quote!(#body), body.span());
    let body = returned(future, returns, typed_user);
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

/// A passkey provider: `providers::passkey()` with the written options over it. It first
/// calls `<PasskeyProvider as config::PasskeySupport>::supported()`, on the provider's written
/// name: without the runtime's `passkey` feature that is the one error, and it names the
/// feature.
fn passkey(k: &Passkey) -> TokenStream {
    let rt = runtime();
    let mut set: Vec<TokenStream> = k.id.map(set_id).into_iter().collect();
    set.extend(k.name.map(|e| set_text("name", e)));
    for (name, value) in [("rp_name", k.rp_name), ("rp_id", k.rp_id)] {
        set.extend(value.map(|e| {
            let value = text(e);
            set_field(name, quote!(::core::option::Option::Some(#value)))
        }));
    }
    let check = respan(
        quote!(<#rt::config::PasskeyProvider as #rt::config::PasskeySupport>::supported()),
        k.written.span(),
    );
    quote! {
        {
            #check;
            #rt::Provider::Passkey(#rt::config::PasskeyProvider {
                #(#set,)*
                ..#rt::providers::passkey()
            })
        }
    }
}

/// The future `authorize` returns, its output converted by `config::AuthorizeReturn` (to
/// the runtime's `User`, or the generated one then the runtime's):
/// `{ let f = <future>; async move { convert(f.await) } }`, the conversion spanned on the
/// user's expression `returns` (`f` on its first token, `.await` on its last, so that rustc
/// underlines all of it).
fn returned(future: TokenStream, returns: &syn::Expr, typed_user: bool) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let span = returns.span();
    let last = returns
        .to_token_stream()
        .into_iter()
        .last()
        .map_or(span, |tt| tt.span());
    let fut = Ident::new("__authorize_returns", span);
    let fut_await = quote_spanned!(last=> #fut.await);
    let user = if typed_user {
        quote!(User)
    } else {
        quote!(#rt::User)
    };
    let convert = respan(
        quote!(#rt::config::AuthorizeReturn::<#user>::into_outcome),
        span,
    );
    let mut outcome = quote_spanned!(span=> #convert(#fut_await));
    if typed_user {
        outcome = quote!(#p::runtime_outcome(#outcome));
    }
    quote! {{
        let #fut = #future;
        async move { #outcome }
    }}
}

/// An OAuth `profile` mapping, boxed: `let f = <expr>; move |raw: &Value| -> Option<Profile>
/// { f(raw) }`, every token on the user's expression, so a function of the wrong shape is
/// rustc's "mismatched types" there, naming the user's function.
fn profile(e: &syn::Expr) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let span = e.span();
    let (f, raw) = (Ident::new("__profile", span), Ident::new("__raw", span));
    let wrapper = respan(quote!(#p::profile), span);
    let value = respan(quote!(#p::serde_json::Value), span);
    let output = respan(quote!(::core::option::Option<#rt::config::Profile>), span);
    quote_spanned! {span=>
        #wrapper({
            let #f = #e;
            move |#raw: &#value| -> #output { #f(#raw) }
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

/// A preset beyond GitHub and Google: its constructor with the values it needs (the
/// issuer of Keycloak, Okta and Auth0, Entra ID's tenant, Apple's secret or key), and the
/// written options over it.
fn named(preset: &NamedPreset) -> TokenStream {
    let rt = runtime();
    let cid = config(preset.client_id);
    let secret = preset.client_secret.map(config);
    let value = |opt: Opt| preset.value(opt).map(config);
    let mut taken = vec![];
    let ctor = match (preset.kind, secret) {
        (ProviderKind::Apple, None) => {
            taken.extend(spec::APPLE_KEY);
            let [team_id, key_id, private_key] = spec::APPLE_KEY.map(value);
            quote! {
                #rt::providers::apple_with_key(#cid, #rt::config::ClientSecretJwt {
                    team_id: #team_id,
                    key_id: #key_id,
                    private_key: #private_key,
                })
            }
        }
        (ProviderKind::MicrosoftEntraId, Some(secret)) => {
            taken.push(Opt::TenantId);
            let tenant = value(Opt::TenantId);
            quote!(#rt::providers::microsoft_entra_id(#cid, #secret, #tenant))
        }
        (
            kind @ (ProviderKind::Keycloak | ProviderKind::Okta | ProviderKind::Auth0),
            Some(secret),
        ) => {
            taken.push(Opt::Issuer);
            let issuer = value(Opt::Issuer);
            let ctor = format_ident!("{}", constructor(kind));
            quote!(#rt::providers::#ctor(#issuer, #cid, #secret))
        }
        (kind, secret) => {
            let ctor = format_ident!("{}", constructor(kind));
            quote!(#rt::providers::#ctor(#cid, #secret))
        }
    };
    let mut set: Vec<TokenStream> = preset.id.map(set_id).into_iter().collect();
    set.extend(login(&preset.login));
    for (opt, v) in &preset.values {
        if !taken.contains(opt) {
            let (name, v) = (format_ident!("{}", opt.name()), config(*v));
            set.push(quote!(#name: ::core::option::Option::Some(#v)));
        }
    }
    set.extend(preset.allowed_tenants.map(|e| {
        set_field(
            "allowed_tenants",
            call(quote!(#rt::config::TextListValue::into_texts), e),
        )
    }));
    oauth(preset.written, ctor, set)
}

/// The runtime's constructor of a preset (`providers::gitlab`).
fn constructor(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::MicrosoftEntraId => "microsoft_entra_id",
        ProviderKind::Apple => "apple",
        ProviderKind::GitLab => "gitlab",
        ProviderKind::Discord => "discord",
        ProviderKind::Keycloak => "keycloak",
        ProviderKind::Okta => "okta",
        ProviderKind::Auth0 => "auth0",
        ProviderKind::Facebook => "facebook",
        ProviderKind::Twitter => "twitter",
        ProviderKind::Slack => "slack",
        ProviderKind::LinkedIn => "linkedin",
        ProviderKind::Twitch => "twitch",
        ProviderKind::GitHub => "github",
        ProviderKind::Google => "google",
        ProviderKind::Credentials => "credentials",
        ProviderKind::Oidc => "oidc",
        ProviderKind::OAuth => "oauth",
        ProviderKind::Passkey => "passkey",
        ProviderKind::Email => "email",
    }
}

/// An `OAuthProvider` from `ctor` with the `set` fields over it. It first calls
/// `<OAuthProvider as config::OAuthSupport>::supported()`, on the provider's written name:
/// without the runtime's `oauth` feature that is the one error, and it says which feature
/// to enable.
fn oauth(written: &Ident, ctor: TokenStream, set: Vec<TokenStream>) -> TokenStream {
    let rt = runtime();
    let check = respan(
        quote!(<#rt::config::OAuthProvider as #rt::config::OAuthSupport>::supported()),
        written.span(),
    );
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
    let Login {
        name,
        scope,
        allow_dangerous_email_account_linking: linking,
    } = login;
    let mut set = Vec::new();
    set.extend(name.map(|e| set_text("name", e)));
    set.extend(scope.map(|e| set_text("scope", e)));
    set.extend(linking.map(|e| set_field("allow_dangerous_email_account_linking", flag(e))));
    set
}

fn set_field(name: &str, value: TokenStream) -> TokenStream {
    let name = format_ident!("{}", name);
    quote!(#name: #value)
}

/// `name: TextValue::into_text(e)`: a text option, any `Into<String>` expression.
fn set_text(name: &str, e: &syn::Expr) -> TokenStream {
    set_field(name, text(e))
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
            let rt = runtime();
            call(quote!(#rt::config::ProviderValue::into_config_value), e)
        }
    }
}
