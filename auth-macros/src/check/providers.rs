//! Providers, read through [`spec::PROVIDERS`]: unknown providers and options ("did you
//! mean"), repeated and missing options, values of the wrong form (`id`, `client_auth`),
//! repeated provider ids; what is valid becomes the typed [`Provider`].

use std::collections::HashSet;

use syn::{Expr, ExprLit, Ident, Lit, LitStr};

use super::{keyed, single_ident};
use crate::ast::ProviderDef;
use crate::ctxt::{Ctxt, backticked};
use crate::model::{
    Authorize, Client, ConfigValue, Credentials, Email, Form, FormField, Login, NamedPreset, OAuth,
    Oidc, Passkey, Preset, Provider, SendHook,
};
use crate::spec::{self, ClientAuth, Opt, ProviderKind, ProviderSpec, ValueKind};

pub fn providers<'a>(cx: &Ctxt, list: &'a [ProviderDef]) -> Vec<Provider<'a>> {
    let mut ids: HashSet<String> = HashSet::new();
    let mut forms: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for def in list {
        let kind = def.kind.to_string();
        let Some(spec) = spec::PROVIDERS.iter().find(|p| p.name == kind) else {
            cx.unknown(
                &def.kind,
                "provider",
                &kind,
                &spec::provider_names(),
                "the providers are",
            );
            continue;
        };
        let entries = keyed(
            cx,
            &def.options,
            &spec.option_names(),
            &format!("option {{}} of `{kind}`"),
            &format!("`{kind}` takes"),
        );
        let missing: Vec<Opt> = spec
            .options
            .iter()
            .filter(|o| o.required && !entries.iter().any(|(opt, _)| *opt == o.opt))
            .map(|o| o.opt)
            .collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|o| o.name()).collect();
            let examples: Vec<String> = missing.iter().map(|o| o.example(&kind)).collect();
            cx.error_spanned_by(
                &def.kind,
                format!("`{kind}` is missing {}", backticked(&names)),
                format!("add `{}`", examples.join(", ")),
            );
        }
        if spec.kind == ProviderKind::Apple {
            check_apple_secret(cx, def, &entries);
        }
        let id_written = entries.iter().any(|(opt, _)| *opt == Opt::Id);
        let values = Values(
            entries
                .into_iter()
                .filter_map(|(opt, kv)| Some((opt, value(cx, opt, &kv.value)?)))
                .collect(),
        );
        // A written id of the wrong form is reported already: no check on the default.
        if values.id().is_some() || !id_written {
            check_unique_id(cx, &mut ids, def, spec, &values);
        }
        let provider = values.build(spec, &def.kind);
        if let Some(Provider::Credentials(Credentials {
            form: Some(form), ..
        })) = &provider
            && !forms.insert(form.ty.to_string())
        {
            cx.error_spanned_by(
                &def.kind,
                format!("two credentials forms would both be named `{}`", form.ty),
                "the form's type is named from the provider's id: give the providers ids of other words",
            );
        }
        out.extend(provider);
    }
    out
}

/// Apple's client secret: written (`client_secret`, minted elsewhere) or minted from the
/// key (`team_id`, `key_id`, `private_key`, all three), one of the two.
fn check_apple_secret<T>(cx: &Ctxt, def: &ProviderDef, entries: &[(Opt, T)]) {
    let has = |opt: Opt| entries.iter().any(|(o, _)| *o == opt);
    let key: Vec<Opt> = spec::APPLE_KEY
        .iter()
        .copied()
        .filter(|o| has(*o))
        .collect();
    let missing: Vec<&str> = spec::APPLE_KEY
        .iter()
        .filter(|o| !has(**o))
        .map(|o| o.name())
        .collect();
    let examples = || {
        spec::APPLE_KEY
            .iter()
            .map(|o| o.example("Apple"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (has(Opt::ClientSecret), key.is_empty()) {
        (false, true) => cx.error_spanned_by(
            &def.kind,
            "`Apple` is missing its client secret: `team_id`, `key_id` and `private_key`, or `client_secret`",
            format!(
                "add `{}` (the client secret is minted from the \"Sign in with Apple\" key), or a JWT minted elsewhere: `client_secret: env(\"APPLE_SECRET\")`",
                examples()
            ),
        ),
        (false, false) if !missing.is_empty() => cx.error_spanned_by(
            &def.kind,
            format!("`Apple` is missing {}", backticked(&missing)),
            format!(
                "the client secret is minted from `team_id`, `key_id` and `private_key` together: add `{}`",
                examples()
            ),
        ),
        (true, false) => cx.error_spanned_by(
            &def.kind,
            "`Apple` takes `client_secret` or `team_id`, `key_id` and `private_key`, not both",
            "remove `client_secret` to mint the secret from the key, or the key's options to send the written secret",
        ),
        _ => {}
    }
}

/// An option's value, read as its [`ValueKind`] says; `None` (recorded) when it has the
/// wrong form.
fn value<'a>(cx: &Ctxt, opt: Opt, e: &'a Expr) -> Option<Value<'a>> {
    Some(match opt.value() {
        ValueKind::IdLiteral => match e {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Value::Id(s),
            _ => {
                cx.error_spanned_by(
                    e,
                    "a provider id is a string literal",
                    "write `id: \"my-provider\"`; the id is part of URLs such as `/api/auth/signin/my-provider` and must be known at compile time",
                );
                return None;
            }
        },
        ValueKind::Config => Value::Config(config_value(e)),
        ValueKind::ClientAuth => Value::ClientAuth(client_auth(cx, e)?),
        ValueKind::Authorize => Value::Authorize(super::authorize::read(cx, e)?),
        ValueKind::Fields => Value::Fields(super::form::read(cx, e)?),
        ValueKind::Text if opt == Opt::RpId => {
            rp_id(cx, e)?;
            Value::Expr(e)
        }
        ValueKind::SendHook => Value::SendHook(super::send_hook::read(cx, e)?),
        ValueKind::Text
        | ValueKind::Flag
        | ValueKind::Profile
        | ValueKind::List
        | ValueKind::Seconds => Value::Expr(e),
    })
}

/// A passkey `rp_id` written as a literal is a domain name (the site's host or a parent
/// domain of it), not a URL: checked here rather than at start-up.
fn rp_id(cx: &Ctxt, e: &Expr) -> Option<()> {
    let Expr::Lit(ExprLit {
        lit: Lit::Str(s), ..
    }) = e
    else {
        return Some(());
    };
    let value = s.value();
    let valid = !value.is_empty()
        && value.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if valid {
        return Some(());
    }
    let host = url_host(&value);
    cx.error_spanned_by(
        e,
        format!("`rp_id` is a domain name, not `{value}`"),
        match host {
            Some(host) => format!("write `rp_id: \"{host}\"`: the site's host or a parent domain of it, without scheme, port or path"),
            None => "write the site's host or a parent domain of it, lowercase, such as `rp_id: \"example.com\"`".to_owned(),
        },
    );
    None
}

/// The host of a URL-looking value (`https://Example.com:8443/x` → `example.com`).
fn url_host(value: &str) -> Option<String> {
    let rest = value.split_once("://").map_or(value, |(_, r)| r);
    let host = rest
        .split(['/', ':', '?', '#'])
        .next()?
        .to_ascii_lowercase();
    (!host.is_empty() && host != value).then_some(host)
}

/// `env("NAME")`, or any other expression (converted with `Into<ConfigValue>`).
fn config_value(e: &Expr) -> ConfigValue<'_> {
    match e {
        Expr::Call(call) if single_ident(&call.func).is_some_and(|f| f == "env") => {
            ConfigValue::Env(call)
        }
        _ => ConfigValue::Expr(e),
    }
}

/// `client_secret_post` or `"client_secret_post"`.
fn client_auth(cx: &Ctxt, e: &Expr) -> Option<ClientAuth> {
    let name = match e {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => single_ident(e).map(ToString::to_string),
    };
    let Some(name) = name else {
        cx.error_spanned_by(
            e,
            "`client_auth` is `client_secret_basic` or `client_secret_post`",
            "write `client_auth: client_secret_post`",
        );
        return None;
    };
    let found = spec::lookup(spec::CLIENT_AUTH, &name);
    if found.is_none() {
        cx.unknown(
            e,
            "client authentication",
            &name,
            &spec::names(spec::CLIENT_AUTH),
            "use one of",
        );
    }
    found
}

/// Two providers may not share an id (it names their URLs): the written one, else the
/// provider's default.
fn check_unique_id(
    cx: &Ctxt,
    ids: &mut HashSet<String>,
    def: &ProviderDef,
    spec: &ProviderSpec,
    values: &Values,
) {
    let written = values.id();
    let Some(id) = written
        .map(LitStr::value)
        .or(spec.default_id.map(str::to_owned))
    else {
        return;
    };
    if !ids.insert(id.clone()) {
        let at = written.map_or_else(
            || quote::ToTokens::to_token_stream(&def.kind),
            quote::ToTokens::to_token_stream,
        );
        cx.error_spanned_by(
            at,
            format!("two providers have the id `{id}`"),
            format!(
                "give one of them another `id: \"..\"`; the id is part of URLs such as `/api/auth/signin/{id}`"
            ),
        );
    }
}

/// A typed option value.
enum Value<'a> {
    Id(&'a LitStr),
    Config(ConfigValue<'a>),
    ClientAuth(ClientAuth),
    Authorize(Authorize<'a>),
    Fields(Vec<FormField>),
    SendHook(SendHook<'a>),
    /// Checked by rustc where it is used (strings, flags, closures).
    Expr(&'a Expr),
}

/// The valid options of one provider, by typed key.
struct Values<'a>(Vec<(Opt, Value<'a>)>);

impl<'a> Values<'a> {
    fn get(&self, opt: Opt) -> Option<&Value<'a>> {
        self.0.iter().find(|(o, _)| *o == opt).map(|(_, v)| v)
    }

    fn id(&self) -> Option<&'a LitStr> {
        match self.get(Opt::Id)? {
            Value::Id(id) => Some(*id),
            _ => None,
        }
    }

    fn config(&self, opt: Opt) -> Option<ConfigValue<'a>> {
        match self.get(opt)? {
            Value::Config(v) => Some(*v),
            _ => None,
        }
    }

    fn expr(&self, opt: Opt) -> Option<&'a Expr> {
        match self.get(opt)? {
            Value::Expr(e) => Some(*e),
            _ => None,
        }
    }

    fn authorize(&self) -> Option<Authorize<'a>> {
        match self.get(Opt::Authorize)? {
            Value::Authorize(a) => Some(*a),
            _ => None,
        }
    }

    /// The declared form, its type named from the provider's id.
    fn form(&self, default_id: Option<&str>) -> Option<Form> {
        let Value::Fields(fields) = self.get(Opt::Fields)? else {
            return None;
        };
        let id = self
            .id()
            .map(LitStr::value)
            .or(default_id.map(str::to_owned))?;
        Some(Form {
            ty: syn::Ident::new(&spec::form_type_name(&id), proc_macro2::Span::call_site()),
            fields: fields.clone(),
        })
    }

    fn send_hook(&self) -> Option<SendHook<'a>> {
        match self.get(Opt::SendVerificationRequest)? {
            Value::SendHook(h) => Some(*h),
            _ => None,
        }
    }

    fn client_auth(&self) -> Option<ClientAuth> {
        match self.get(Opt::ClientAuth)? {
            Value::ClientAuth(c) => Some(*c),
            _ => None,
        }
    }

    fn client(&self) -> Option<Client<'a>> {
        Some(Client {
            id: self.config(Opt::ClientId)?,
            secret: self.config(Opt::ClientSecret)?,
        })
    }

    fn login(&self) -> Login<'a> {
        Login {
            name: self.expr(Opt::Name),
            scope: self.expr(Opt::Scope),
            allow_dangerous_email_account_linking: self
                .expr(Opt::AllowDangerousEmailAccountLinking),
        }
    }

    /// The typed provider, or `None` when a required option is missing or invalid
    /// (reported).
    fn build(&self, spec: &ProviderSpec, written: &'a Ident) -> Option<Provider<'a>> {
        let kind = spec.kind;
        let preset = || {
            Some(Preset {
                written,
                client: self.client()?,
                id: self.id(),
                login: self.login(),
            })
        };
        Some(match kind {
            ProviderKind::Credentials => Provider::Credentials(Credentials {
                authorize: self.authorize()?,
                id: self.id(),
                name: self.expr(Opt::Name),
                form: self.form(spec.default_id),
            }),
            ProviderKind::GitHub => Provider::GitHub(preset()?),
            ProviderKind::Google => Provider::Google(preset()?),
            ProviderKind::MicrosoftEntraId
            | ProviderKind::Apple
            | ProviderKind::GitLab
            | ProviderKind::Discord
            | ProviderKind::Keycloak
            | ProviderKind::Okta
            | ProviderKind::Auth0
            | ProviderKind::Facebook
            | ProviderKind::Twitter
            | ProviderKind::Slack
            | ProviderKind::LinkedIn
            | ProviderKind::Twitch => {
                let client_secret = self.config(Opt::ClientSecret);
                let has_key = spec::APPLE_KEY.iter().all(|o| self.config(*o).is_some());
                if client_secret.is_none() && !(kind == ProviderKind::Apple && has_key) {
                    return None;
                }
                Provider::Named(NamedPreset {
                    kind,
                    written,
                    id: self.id(),
                    client_id: self.config(Opt::ClientId)?,
                    client_secret,
                    values: self
                        .0
                        .iter()
                        .filter(|(o, _)| !matches!(o, Opt::ClientId | Opt::ClientSecret))
                        .filter_map(|(o, v)| match v {
                            Value::Config(c) => Some((*o, *c)),
                            _ => None,
                        })
                        .collect(),
                    allowed_tenants: self.expr(Opt::AllowedTenants),
                    login: self.login(),
                })
            }
            ProviderKind::Oidc => Provider::Oidc(Oidc {
                written,
                id: self.id()?,
                issuer: self.config(Opt::Issuer)?,
                client: self.client()?,
                client_auth: self.client_auth(),
                login: self.login(),
            }),
            ProviderKind::OAuth => Provider::OAuth(OAuth {
                written,
                id: self.id()?,
                authorization_url: self.config(Opt::AuthorizationUrl)?,
                token_url: self.config(Opt::TokenUrl)?,
                userinfo_url: self.config(Opt::UserinfoUrl)?,
                client: self.client()?,
                profile: self.expr(Opt::Profile),
                client_auth: self.client_auth(),
                login: self.login(),
            }),
            ProviderKind::Passkey => Provider::Passkey(Passkey {
                written,
                id: self.id(),
                name: self.expr(Opt::Name),
                rp_name: self.expr(Opt::RpName),
                rp_id: self.expr(Opt::RpId),
            }),
            ProviderKind::Email => Provider::Email(Email {
                server: self.config(Opt::Server)?,
                from: self.expr(Opt::From),
                id: self.id(),
                name: self.expr(Opt::Name),
                max_age: self.expr(Opt::MaxAge),
                send: self.send_hook(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    /// Every option of every provider, written with a value of its kind, builds.
    #[test]
    fn every_option_in_the_table_reaches_the_model() {
        for spec in spec::PROVIDERS {
            let options = spec.options.iter().map(|o| {
                let key = syn::Ident::new(o.opt.name(), proc_macro2::Span::call_site());
                match o.opt.value() {
                    ValueKind::IdLiteral => quote!(#key: "x"),
                    ValueKind::ClientAuth => quote!(#key: client_secret_post),
                    ValueKind::Config => quote!(#key: env("X")),
                    ValueKind::Fields => quote!(#key: { email: {} }),
                    ValueKind::List => quote!(#key: ["x"]),
                    ValueKind::SendHook => quote!(#key: |request| async move {}),
                    _ => quote!(#key: value),
                }
            });
            // Apple's secret is written or minted from its key, not both: the key here.
            let options = options.filter(|o| {
                spec.kind != ProviderKind::Apple || !o.to_string().starts_with("client_secret")
            });
            let kind = syn::Ident::new(spec.name, proc_macro2::Span::call_site());
            let cx = Ctxt::new();
            let config = crate::ast::parse(&cx, quote!(providers: [ #kind { #(#options),* } ]));
            let providers = providers(&cx, &config.providers);
            assert!(cx.check().is_ok(), "{}", spec.name);
            assert_eq!(providers.len(), 1, "{}", spec.name);
            let kind = match &providers[0] {
                Provider::Credentials(_) => ProviderKind::Credentials,
                Provider::GitHub(_) => ProviderKind::GitHub,
                Provider::Google(_) => ProviderKind::Google,
                Provider::Named(p) => p.kind,
                Provider::Oidc(_) => ProviderKind::Oidc,
                Provider::OAuth(_) => ProviderKind::OAuth,
                Provider::Passkey(_) => ProviderKind::Passkey,
                Provider::Email(_) => ProviderKind::Email,
            };
            assert_eq!(kind, spec.kind);
            let set = |o: Opt| match &providers[0] {
                Provider::Credentials(c) => match o {
                    Opt::Authorize => true,
                    Opt::Id => c.id.is_some(),
                    Opt::Name => c.name.is_some(),
                    Opt::Fields => c.form.is_some(),
                    _ => false,
                },
                Provider::GitHub(p) | Provider::Google(p) => match o {
                    Opt::ClientId | Opt::ClientSecret => true,
                    Opt::Id => p.id.is_some(),
                    other => login_set(&p.login, other),
                },
                Provider::Named(p) => match o {
                    Opt::ClientId => true,
                    Opt::ClientSecret => p.client_secret.is_some() || p.kind == ProviderKind::Apple,
                    Opt::Id => p.id.is_some(),
                    Opt::AllowedTenants => p.allowed_tenants.is_some(),
                    Opt::Issuer
                    | Opt::AuthorizationUrl
                    | Opt::TokenUrl
                    | Opt::UserinfoUrl
                    | Opt::TenantId
                    | Opt::TeamId
                    | Opt::KeyId
                    | Opt::PrivateKey => p.value(o).is_some(),
                    other => login_set(&p.login, other),
                },
                Provider::Oidc(p) => match o {
                    Opt::Id | Opt::Issuer | Opt::ClientId | Opt::ClientSecret => true,
                    Opt::ClientAuth => p.client_auth.is_some(),
                    other => login_set(&p.login, other),
                },
                Provider::OAuth(p) => match o {
                    Opt::Id
                    | Opt::AuthorizationUrl
                    | Opt::TokenUrl
                    | Opt::UserinfoUrl
                    | Opt::ClientId
                    | Opt::ClientSecret => true,
                    Opt::ClientAuth => p.client_auth.is_some(),
                    Opt::Profile => p.profile.is_some(),
                    other => login_set(&p.login, other),
                },
                Provider::Passkey(p) => match o {
                    Opt::Id => p.id.is_some(),
                    Opt::Name => p.name.is_some(),
                    Opt::RpName => p.rp_name.is_some(),
                    Opt::RpId => p.rp_id.is_some(),
                    _ => false,
                },
                Provider::Email(e) => match o {
                    Opt::Server => true,
                    Opt::From => e.from.is_some(),
                    Opt::Id => e.id.is_some(),
                    Opt::Name => e.name.is_some(),
                    Opt::MaxAge => e.max_age.is_some(),
                    Opt::SendVerificationRequest => e.send.is_some(),
                    _ => false,
                },
            };
            for o in spec.options {
                assert!(set(o.opt), "{} {}", spec.name, o.opt.name());
            }
        }
    }

    fn login_set(login: &Login, opt: Opt) -> bool {
        match opt {
            Opt::Name => login.name.is_some(),
            Opt::Scope => login.scope.is_some(),
            Opt::AllowDangerousEmailAccountLinking => {
                login.allow_dangerous_email_account_linking.is_some()
            }
            _ => false,
        }
    }
}
