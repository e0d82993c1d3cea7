//! The DSL's syntax tree and its hand-written parser.
//!
//! The tree keeps the user's syn nodes (and so their spans); names are not validated
//! here (that is `check`), only the shape. Parsing recovers at every top-level key, so
//! an error in one section does not hide the errors of the others.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, Block, Expr, Ident, LitInt, LitStr, Token, Type, braced, bracketed};

use crate::ctxt::Ctxt;

/// The top-level keys, in the order the docs list them.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "session",
    "token",
    "session_user",
    "user",
    "providers",
    "callbacks",
    "events",
    "pages",
    "base_path",
    "trust_host",
    "trust_proxy",
    "limits",
    "second_factor",
    "state",
];

/// The whole `auth! { .. }` input.
#[derive(Default)]
pub struct Config {
    /// The path of the runtime crate that `auth_runtime::auth!` passes first, in brackets
    /// (`[$crate]`); `None` when the macro is invoked without one.
    pub runtime: Option<TokenStream>,
    /// `session: { strategy: jwt, max_age: .., update_age: .. }`.
    pub session: Vec<KeyValue>,
    /// `token: { id: String, .. }`.
    pub token: Vec<FieldDef>,
    /// `session_user: { id: String, .. }`.
    pub session_user: Vec<FieldDef>,
    /// `user: { role: Role, .. }`: the data `User` carries from `authorize` to `jwt`
    /// (`Some` when the section is written, even empty).
    pub user: Option<Vec<FieldDef>>,
    /// `providers: [ GitHub { .. }, .. ]`.
    pub providers: Vec<ProviderDef>,
    /// `callbacks: { jwt(token, user) { .. }, .. }`.
    pub callbacks: Vec<Callback>,
    /// `events: { sign_in(user, is_new_user) { .. }, .. }` (same shape as callbacks).
    pub events: Vec<Callback>,
    /// `pages: { sign_in: "/login" }`.
    pub pages: Vec<KeyValue>,
    /// `base_path: "/api/auth"`.
    pub base_path: Option<Expr>,
    /// `trust_host: true`.
    pub trust_host: Option<Expr>,
    /// `trust_proxy: true`.
    pub trust_proxy: Option<Expr>,
    /// `limits: { sign_in: { per_ip: 20 / 60s, .. } }` (or `limits: off`).
    pub limits: Option<Limits>,
    /// `second_factor: { totp: { issuer: "Acme", digits: 6, period: 30 } }`.
    pub second_factor: Option<Vec<SecondFactorSection>>,
    /// `state: AppState`: the application's type every handler may bind as `state`.
    pub state: Option<Type>,
    /// The top-level keys as written, each once, in order (where errors about a whole
    /// section point, and the generated types are defined).
    pub keys: Vec<Ident>,
}

/// `limits: ..`: `off`, or `{ section: .., .. }`.
pub enum Limits {
    /// `limits: off`.
    Off(Ident),
    /// `limits: { sign_in: .. }`.
    Sections(Vec<LimitSection>),
}

/// `totp: { issuer: "..", .. }` in `second_factor: { .. }`.
pub struct SecondFactorSection {
    pub key: Ident,
    pub options: Vec<KeyValue>,
}

/// `sign_in: off` or `sign_in: { key: value, .. }`.
pub struct LimitSection {
    pub key: Ident,
    pub value: LimitSectionValue,
}

/// The value of a limits section.
pub enum LimitSectionValue {
    /// `off`.
    Off(Ident),
    /// `{ per_ip: 20 / 60s, .. }`.
    Entries(Vec<LimitEntry>),
}

/// `per_ip: 20 / 60s`, `identifier: "email"`, `max_keys: 10000`, `per_ip: off`.
pub struct LimitEntry {
    pub key: Ident,
    pub value: LimitValue,
}

/// What a limit entry may hold (literals only: they are checked at compile time).
pub enum LimitValue {
    /// A bare word (`off`).
    Word(Ident),
    /// `<count> / <period>` (`5 / 15min`).
    Rate {
        count: LitInt,
        slash: Token![/],
        period: LitInt,
    },
    /// A string (`"email"`).
    Str(LitStr),
    /// A number (`10000`).
    Int(LitInt),
}

/// `key: value` in a `{ .. }` block (session, pages, provider options).
pub struct KeyValue {
    pub key: Ident,
    pub value: Expr,
}

/// A declared field of `Token`, `SessionUser` or `User`.
pub struct FieldDef {
    pub attrs: Vec<Attribute>,
    pub name: Ident,
    pub ty: Type,
}

/// `GitHub { client_id: .., client_secret: .. }`.
pub struct ProviderDef {
    pub kind: Ident,
    pub options: Vec<KeyValue>,
}

/// `[async] name(param, ..) { body }` (`async` is optional: the body always runs in an
/// `async move` block).
pub struct Callback {
    pub name: Ident,
    pub params: Vec<Ident>,
    pub body: Block,
}

/// Parses the input, recording errors in `cx` and keeping whatever parsed.
pub fn parse(cx: &Ctxt, input: TokenStream) -> Config {
    let mut config = Config::default();
    let mut tokens = input.into_iter().peekable();
    if let Some(TokenTree::Group(g)) = tokens.peek()
        && g.delimiter() == Delimiter::Bracket
    {
        config.runtime = Some(g.stream());
        tokens.next();
    }
    let mut seen: Vec<Ident> = Vec::new();
    while tokens.peek().is_some() {
        // `key`
        let key = match tokens.next() {
            Some(TokenTree::Ident(key)) => key,
            Some(other) => {
                cx.error_spanned_by(
                    other,
                    "expected a key such as `providers`",
                    format!(
                        "write `key: value` entries separated by commas; keys: {}",
                        TOP_LEVEL_KEYS.join(", ")
                    ),
                );
                return config;
            }
            None => break,
        };
        // `:`
        match tokens.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == ':' => {}
            other => {
                let at = other.map_or_else(|| key.to_token_stream(), TokenStream::from);
                cx.error_spanned_by(
                    at,
                    format!("expected `:` after `{key}`"),
                    format!("write `{key}: ..`"),
                );
                return config;
            }
        }
        // value: everything up to the next top-level comma
        let mut value = TokenStream::new();
        for tt in tokens.by_ref() {
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            value.extend([tt]);
        }
        if value.is_empty() {
            cx.error_spanned_by(
                &key,
                format!("`{key}` has no value"),
                format!("write `{key}: ..`"),
            );
            continue;
        }
        if seen.contains(&key) {
            cx.error_spanned_by(
                &key,
                format!("`{key}` is given twice"),
                format!("merge the two `{key}` entries into one"),
            );
            continue;
        }
        seen.push(key.clone());
        let section = key.to_string();
        let section = section.as_str();
        // Parses the value with `$parser` into `$slot` (left as is on a syntax error).
        macro_rules! parse {
            ($slot:expr, $parser:expr) => {
                if let Some(v) = parse_with(cx, section, value, $parser) {
                    $slot = v;
                }
            };
        }
        match section {
            "session" => parse!(config.session, parse_kv_block),
            "pages" => parse!(config.pages, parse_kv_block),
            "token" => parse!(config.token, parse_fields),
            "session_user" => parse!(config.session_user, parse_fields),
            "user" => parse!(config.user, |input| parse_fields(input).map(Some)),
            "providers" => parse!(config.providers, parse_providers),
            "callbacks" => parse!(config.callbacks, parse_callbacks),
            "events" => parse!(config.events, parse_callbacks),
            "base_path" => parse!(config.base_path, parse_some_expr),
            "trust_host" => parse!(config.trust_host, parse_some_expr),
            "trust_proxy" => parse!(config.trust_proxy, parse_some_expr),
            "limits" => parse!(config.limits, parse_limits),
            "second_factor" => parse!(config.second_factor, parse_second_factor),
            "state" => parse!(config.state, parse_some_type),
            other => cx.unknown(&key, "key", other, TOP_LEVEL_KEYS, "`auth!` takes"),
        }
    }
    config.keys = seen;
    config
}

/// A single expression (`base_path`, `trust_host`, `trust_proxy`).
fn parse_some_expr(input: ParseStream) -> syn::Result<Option<Expr>> {
    input.parse().map(Some)
}

/// A type (`state`).
fn parse_some_type(input: ParseStream) -> syn::Result<Option<Type>> {
    input.parse().map(Some)
}

fn parse_with<T>(
    cx: &Ctxt,
    key: &str,
    tokens: TokenStream,
    f: impl FnOnce(ParseStream) -> syn::Result<T>,
) -> Option<T> {
    match f.parse2(tokens) {
        Ok(v) => Some(v),
        Err(errors) => {
            cx.syn_error(errors, syntax_hint(key));
            None
        }
    }
}

/// How a section is written, for the `help:` of a syntax error in it.
fn syntax_hint(key: &str) -> &'static str {
    match key {
        "session" => {
            "write `session: { strategy: jwt, max_age: 30 * 24 * 3600, update_age: 24 * 3600 }`"
        }
        "pages" => {
            "write `pages: { sign_in: \"/login\", sign_out: \"/logout\", error: \"/error\" }`"
        }
        "user" => "declare fields as in a struct: `{ role: Role, team: Option<String> }`",
        "token" | "session_user" => {
            "declare fields as in a struct: `{ id: String, role: Option<String> }`"
        }
        "providers" => {
            "write `providers: [ GitHub { client_id: env(\"GITHUB_ID\"), client_secret: env(\"GITHUB_SECRET\") }, .. ]`"
        }
        "callbacks" => {
            "write each callback as `name(parameters) { body }`, e.g. `callbacks: { jwt(token, user) { token } }`"
        }
        "events" => {
            "write each event as `name(parameters) { body }`, e.g. `events: { sign_in(user, is_new_user) { .. } }`"
        }
        "base_path" => "write `base_path: \"/api/auth\"`",
        "state" => "write the application's type: `state: AppState`",
        "trust_proxy" => "write `trust_proxy: true`",
        "limits" => {
            "write `limits: { sign_in: { per_ip: 20 / 60s, per_identifier: 5 / 15min } }`, or `limits: { sign_in: off }`"
        }
        "second_factor" => "write `second_factor: { totp: { issuer: \"My App\" } }`",
        _ => "write `trust_host: true`",
    }
}

/// `{ totp: { key: value, .. }, .. }`.
fn parse_second_factor(input: ParseStream) -> syn::Result<Option<Vec<SecondFactorSection>>> {
    let content;
    braced!(content in input);
    let sections = comma_separated(&content, |input| {
        let key: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let options = parse_kv_block(input)?;
        Ok(SecondFactorSection { key, options })
    })?;
    Ok(Some(sections))
}

/// `off` or `{ sign_in: off | { key: value, .. }, .. }`.
fn parse_limits(input: ParseStream) -> syn::Result<Option<Limits>> {
    if input.peek(Ident) {
        return Ok(Some(Limits::Off(input.parse()?)));
    }
    let content;
    braced!(content in input);
    let sections = comma_separated(&content, |input| {
        let key: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let value = if input.peek(Ident) {
            LimitSectionValue::Off(input.parse()?)
        } else {
            let content;
            braced!(content in input);
            LimitSectionValue::Entries(comma_separated(&content, parse_limit_entry)?)
        };
        Ok(LimitSection { key, value })
    })?;
    Ok(Some(Limits::Sections(sections)))
}

/// `key: off | <count> / <period> | "string" | <number>`.
fn parse_limit_entry(input: ParseStream) -> syn::Result<LimitEntry> {
    let key: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let value = if input.peek(Ident) {
        LimitValue::Word(input.parse()?)
    } else if input.peek(LitStr) {
        LimitValue::Str(input.parse()?)
    } else if input.peek(LitInt) {
        let count: LitInt = input.parse()?;
        if input.peek(Token![/]) {
            let slash = input.parse()?;
            let period = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a period with its unit after `/`, such as `60s` or `15min`",
                )
            })?;
            LimitValue::Rate {
                count,
                slash,
                period,
            }
        } else {
            LimitValue::Int(count)
        }
    } else {
        return Err(
            input.error("expected `<count> / <period>` (`5 / 15min`), `off`, a string or a number")
        );
    };
    Ok(LimitEntry { key, value })
}

/// `{ key: expr, .. }`
fn parse_kv_block(input: ParseStream) -> syn::Result<Vec<KeyValue>> {
    let content;
    braced!(content in input);
    parse_kv_list(&content)
}

fn parse_kv_list(input: ParseStream) -> syn::Result<Vec<KeyValue>> {
    comma_separated(input, |input| {
        let key: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let value: Expr = input.parse()?;
        Ok(KeyValue { key, value })
    })
}

/// `item, item, ..` (a trailing comma allowed).
fn comma_separated<T>(
    input: ParseStream,
    item: fn(ParseStream) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    let list = Punctuated::<T, Token![,]>::parse_terminated_with(input, item)?;
    Ok(list.into_iter().collect())
}

/// `{ #[doc] name: Type, .. }`
fn parse_fields(input: ParseStream) -> syn::Result<Vec<FieldDef>> {
    let content;
    braced!(content in input);
    comma_separated(&content, |input| {
        let attrs = input.call(Attribute::parse_outer)?;
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        Ok(FieldDef { attrs, name, ty })
    })
}

/// `[ Kind { key: expr, .. }, .. ]`
fn parse_providers(input: ParseStream) -> syn::Result<Vec<ProviderDef>> {
    let content;
    bracketed!(content in input);
    comma_separated(&content, |input| {
        let kind: Ident = input.parse()?;
        let content;
        braced!(content in input);
        let options = comma_separated(&content, parse_provider_option)?;
        Ok(ProviderDef { kind, options })
    })
}

/// `key: expr`, or `fields: { .. }` (the credentials form, not an expression: kept as
/// tokens, with their spans, for `check` to read).
fn parse_provider_option(input: ParseStream) -> syn::Result<KeyValue> {
    let key: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let value = if key == "fields" && input.peek(syn::token::Brace) {
        Expr::Verbatim(input.parse::<TokenTree>()?.into())
    } else {
        input.parse()?
    };
    Ok(KeyValue { key, value })
}

/// `{ [async] name(params) { body } [,] .. }`
fn parse_callbacks(input: ParseStream) -> syn::Result<Vec<Callback>> {
    let content;
    braced!(content in input);
    let mut callbacks = Vec::new();
    while !content.is_empty() {
        let _async: Option<Token![async]> = content.parse()?;
        let name: Ident = content.parse()?;
        let params_content;
        syn::parenthesized!(params_content in content);
        let params = Punctuated::<Ident, Token![,]>::parse_terminated(&params_content)?;
        let body: Block = content.parse()?;
        callbacks.push(Callback {
            name,
            params: params.into_iter().collect(),
            body,
        });
        if !content.is_empty() {
            content.parse::<Option<Token![,]>>()?;
        }
    }
    Ok(callbacks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_every_section() {
        let cx = Ctxt::new();
        let config = parse(
            &cx,
            quote! {
                session: { strategy: jwt, max_age: 3600 },
                token: { /// the id
                    id: String, role: Option<String> },
                session_user: { id: String },
                providers: [
                    Credentials { authorize: |c| async move { None } },
                    GitHub { client_id: env("A"), client_secret: "b" },
                ],
                callbacks: {
                    async jwt(token, user) { token }
                    session(session, token) { session },
                },
                pages: { sign_in: "/login" },
                base_path: "/auth",
                trust_host: true,
                trust_proxy: false,
            },
        );
        assert!(cx.check().is_ok());
        assert_eq!(config.session.len(), 2);
        assert_eq!(config.token.len(), 2);
        assert_eq!(config.token[0].attrs.len(), 1);
        assert_eq!(config.session_user.len(), 1);
        assert_eq!(config.providers.len(), 2);
        assert_eq!(config.providers[1].kind, "GitHub");
        assert_eq!(config.providers[1].options[1].key, "client_secret");
        assert_eq!(config.callbacks.len(), 2);
        assert_eq!(config.callbacks[0].name, "jwt");
        assert_eq!(config.callbacks[1].params[1], "token");
        assert_eq!(config.pages.len(), 1);
        assert!(config.base_path.is_some() && config.trust_host.is_some());
        assert!(config.trust_proxy.is_some());
    }

    #[test]
    fn recovers_after_a_bad_section() {
        let cx = Ctxt::new();
        let config = parse(
            &cx,
            quote! {
                sesion: { strategy: jwt },
                token: { id: },
                session_user: { id: String },
            },
        );
        assert_eq!(config.session_user.len(), 1);
        let err = cx.check().err().map(|e| e.into_iter().count());
        assert_eq!(err, Some(2));
    }

    #[test]
    fn empty_input_is_the_default_config() {
        let cx = Ctxt::new();
        let config = parse(&cx, quote! {});
        assert!(cx.check().is_ok());
        assert!(config.providers.is_empty() && config.callbacks.is_empty());
        assert!(config.runtime.is_none());
    }

    #[test]
    fn a_bracketed_prefix_is_the_runtime_path() {
        let cx = Ctxt::new();
        let config = parse(&cx, quote! { [::renamed] trust_host: true });
        assert!(cx.check().is_ok());
        assert_eq!(
            config.runtime.map(|r| r.to_string()),
            Some(":: renamed".to_owned())
        );
        assert!(config.trust_host.is_some());
    }
}
