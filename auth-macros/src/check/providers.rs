//! Rule 4 for providers: unknown providers and options ("did you mean"), missing required
//! options, duplicate options and duplicate provider ids.

use std::collections::HashSet;

use syn::spanned::Spanned;
use syn::{Expr, Lit};

use crate::ast::{Config, ProviderDef};
use crate::ctxt::Ctxt;

/// What a provider accepts.
pub struct ProviderSpec {
    pub name: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    /// The id when none is given (`None`: `id` is required).
    pub default_id: Option<&'static str>,
}

const OAUTH_OPTIONAL: &[&str] = &[
    "name",
    "scope",
    "client_auth",
    "allow_dangerous_email_account_linking",
];

pub const PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        name: "Credentials",
        required: &["authorize"],
        optional: &["id", "name"],
        default_id: Some("credentials"),
    },
    ProviderSpec {
        name: "GitHub",
        required: &["client_id", "client_secret"],
        optional: &[
            "id",
            "name",
            "scope",
            "allow_dangerous_email_account_linking",
        ],
        default_id: Some("github"),
    },
    ProviderSpec {
        name: "Google",
        required: &["client_id", "client_secret"],
        optional: &[
            "id",
            "name",
            "scope",
            "allow_dangerous_email_account_linking",
        ],
        default_id: Some("google"),
    },
    ProviderSpec {
        name: "Oidc",
        required: &["id", "issuer", "client_id", "client_secret"],
        optional: OAUTH_OPTIONAL,
        default_id: None,
    },
    ProviderSpec {
        name: "OAuth",
        required: &[
            "id",
            "authorization_url",
            "token_url",
            "userinfo_url",
            "client_id",
            "client_secret",
        ],
        optional: &[
            "name",
            "scope",
            "profile",
            "client_auth",
            "allow_dangerous_email_account_linking",
        ],
        default_id: None,
    },
];

/// The ways a client authenticates at the token endpoint (`client_auth: ..`).
pub const CLIENT_AUTH: &[&str] = &["client_secret_basic", "client_secret_post"];

pub fn provider_spec(kind: &syn::Ident) -> Option<&'static ProviderSpec> {
    PROVIDERS.iter().find(|p| kind == p.name)
}

/// The provider's id: the `id` string literal, or the provider's default.
pub fn provider_id(p: &ProviderDef) -> Option<String> {
    match p.option("id") {
        Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        })) => Some(s.value()),
        Some(_) => None,
        None => provider_spec(&p.kind)
            .and_then(|s| s.default_id)
            .map(str::to_owned),
    }
}

/// The `client_auth` value as a name (`client_secret_post` or `"client_secret_post"`).
pub fn client_auth(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => super::single_ident(expr).map(ToString::to_string),
    }
}

fn example(option: &str, kind: &str) -> String {
    let upper = kind.to_uppercase();
    match option {
        "client_id" => format!("client_id: env(\"{upper}_ID\")"),
        "client_secret" => format!("client_secret: env(\"{upper}_SECRET\")"),
        "authorize" => "authorize: |credentials| async move { .. }".to_owned(),
        "id" => "id: \"my-provider\"".to_owned(),
        "issuer" => "issuer: \"https://sso.example.com\"".to_owned(),
        url => format!("{url}: \"https://..\""),
    }
}

pub fn check(cx: &Ctxt, config: &Config) {
    let names: Vec<&str> = PROVIDERS.iter().map(|p| p.name).collect();
    let mut ids: HashSet<String> = HashSet::new();
    for p in &config.providers {
        let kind = p.kind.to_string();
        let Some(spec) = provider_spec(&p.kind) else {
            cx.unknown(
                p.kind.span(),
                "provider",
                &kind,
                &names,
                "the providers are",
            );
            continue;
        };
        let known: Vec<&str> = spec.required.iter().chain(spec.optional).copied().collect();
        let mut seen = HashSet::new();
        for kv in &p.options {
            let key = kv.key.to_string();
            if !known.contains(&key.as_str()) {
                cx.unknown(
                    kv.key.span(),
                    &format!("option {{}} of `{kind}`"),
                    &key,
                    &known,
                    &format!("`{kind}` takes"),
                );
            } else if !seen.insert(key.clone()) {
                cx.error(
                    kv.key.span(),
                    format!("`{key}` is given twice"),
                    format!("keep one `{key}`"),
                );
            }
        }
        let missing: Vec<&str> = spec
            .required
            .iter()
            .copied()
            .filter(|r| !seen.contains(*r))
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let examples = missing
                .iter()
                .map(|m| example(m, &kind))
                .collect::<Vec<_>>()
                .join(", ");
            cx.error(
                p.kind.span(),
                format!("`{kind}` is missing {list}"),
                format!("add `{examples}`"),
            );
        }
        if let Some(id) = p.option("id")
            && !matches!(
                id,
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(_),
                    ..
                })
            )
        {
            cx.error(
                id.span(),
                "a provider id is a string literal",
                "write `id: \"my-provider\"`; the id is part of URLs such as `/api/auth/signin/my-provider` and must be known at compile time",
            );
        }
        if let Some(value) = p.option("client_auth") {
            match client_auth(value) {
                Some(v) if CLIENT_AUTH.contains(&v.as_str()) => {}
                Some(v) => cx.unknown(
                    value.span(),
                    "client authentication",
                    &v,
                    CLIENT_AUTH,
                    "use one of",
                ),
                None => cx.error(
                    value.span(),
                    "`client_auth` is `client_secret_basic` or `client_secret_post`",
                    "write `client_auth: client_secret_post`",
                ),
            }
        }
        if let Some(id) = provider_id(p)
            && !ids.insert(id.clone())
        {
            let span = p.option("id").map_or(p.kind.span(), |e| e.span());
            cx.error(
                span,
                format!("two providers have the id `{id}`"),
                format!("give one of them another `id: \"..\"`; the id is part of URLs such as `/api/auth/signin/{id}`"),
            );
        }
    }
}
