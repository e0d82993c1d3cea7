//! Declared `token` / `session_user` / `user` fields: no duplicates, no clash with the standard ones,
//! their attributes sorted into the model's [`FieldAttrs`] (`#[session]` and its options),
//! and the `#[session]` rules.

use std::collections::HashSet;

use proc_macro2::Ident;
use syn::{Attribute, LitStr, Meta};

use crate::ast::FieldDef;
use crate::ctxt::{Ctxt, backticked, did_you_mean};
use crate::model::{Field, FieldAttrs, Model};
use crate::spec::{self, StandardField, Strategy};

/// The struct the fields go into, for the messages.
pub struct Target {
    pub standard: &'static [StandardField],
    /// `Token`, `SessionUser`.
    pub ty: &'static str,
    /// What a standard field is called: "claim", "field".
    pub what: &'static str,
}

pub const TOKEN: Target = Target {
    standard: spec::TOKEN_CLAIMS,
    ty: "Token",
    what: "claim",
};

pub const USER: Target = Target {
    standard: spec::USER_FIELDS,
    ty: "User",
    what: "field",
};

pub const SESSION_USER: Target = Target {
    standard: spec::SESSION_USER_FIELDS,
    ty: "SessionUser",
    what: "field",
};

/// The declared fields that become struct fields (the first of each name, none that
/// redefines a standard one).
pub fn declared<'a>(cx: &Ctxt, fields: &'a [FieldDef], target: Target) -> Vec<Field<'a>> {
    let Target { standard, ty, what } = &target;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in fields {
        let name = f.name.to_string();
        if let Some(std) = standard.iter().find(|s| s.name == name) {
            let list: Vec<&str> = standard.iter().map(|s| s.name).collect();
            cx.error_spanned_by(
                &f.name,
                format!(
                    "`{name}` is a standard {what} of `{ty}` already (`{}`)",
                    std.ty.as_str()
                ),
                format!(
                    "remove it, or pick another name; the standard {what}s are {}",
                    backticked(&list)
                ),
            );
        } else if !seen.insert(name.clone()) {
            cx.error_spanned_by(
                &f.name,
                format!("`{name}` is declared twice"),
                format!("keep one `{name}` field"),
            );
        } else {
            out.push(Field {
                name: &f.name,
                ty: &f.ty,
                attrs: attrs(cx, f, &target),
            });
        }
    }
    out
}

/// Sorts a field's attributes: doc comments, `#[session]` (on `token`
/// fields only), a misspelt `#[session]` (an error with "did you mean"), and the rest,
/// which goes through to the generated field.
fn attrs<'a>(cx: &Ctxt, f: &'a FieldDef, target: &Target) -> FieldAttrs<'a> {
    let mut out = FieldAttrs::default();
    for a in &f.attrs {
        let path = a.path();
        if path.is_ident("doc") {
            out.docs.push(a);
        } else if path.is_ident("session") {
            if target.ty != TOKEN.ty {
                cx.error_spanned_by(
                    a,
                    "`#[session]` belongs on a `token` field",
                    "it copies a token field into `session.user`: write it in `token: { .. }`",
                );
            } else if out.session.is_some() {
                cx.error_spanned_by(a, "`#[session]` is given twice", "keep one `#[session]`");
            } else if let Some(name) = session_name(cx, a, &f.name) {
                out.session = Some(name);
            }
        } else if let Some(name) = path.get_ident().map(ToString::to_string)
            && did_you_mean(&name, &["session"]).is_some()
        {
            cx.unknown(
                path,
                "attribute {} of a field",
                &name,
                &["session"],
                "`auth!` reads (other attributes go to the generated field)",
            );
        } else {
            out.forwarded.push(a);
        }
    }
    out
}

/// The options `#[session(..)]` reads.
const SESSION_OPTIONS: &[&str] = &["rename"];

/// The help of every error in `#[session(..)]`.
const SESSION_HELP: &str = "write `#[session]` or `#[session(rename = \"name\")]`";

/// The `SessionUser` field a `#[session]` field is copied to; `None` (recorded) when its
/// options are wrong.
fn session_name(cx: &Ctxt, a: &Attribute, field: &Ident) -> Option<Ident> {
    let mut rename: Option<LitStr> = None;
    let mut ok = true;
    if let Meta::List(list) = &a.meta
        && !matches!(list.delimiter, syn::MacroDelimiter::Paren(_))
    {
        cx.error_spanned_by(
            a,
            "`#[session]` takes its options in parentheses",
            SESSION_HELP,
        );
        return None;
    }
    if !matches!(a.meta, Meta::Path(_)) {
        let parsed = a.parse_nested_meta(|meta| {
            let name = meta.path.get_ident().map(ToString::to_string);
            match name.as_deref() {
                Some("rename") if rename.is_some() => {
                    cx.error_spanned_by(&meta.path, "`rename` is given twice", "keep one `rename`");
                    ok = false;
                    meta.value()?.parse::<LitStr>()?;
                }
                Some("rename") => rename = Some(meta.value()?.parse()?),
                _ => {
                    let shown = name.unwrap_or_else(|| {
                        quote::ToTokens::to_token_stream(&meta.path).to_string()
                    });
                    cx.unknown(
                        &meta.path,
                        "option {} of `#[session]`",
                        &shown,
                        SESSION_OPTIONS,
                        "`#[session(..)]` takes",
                    );
                    ok = false;
                    // skip the option's value, if any, to read the next one
                    if meta.input.peek(syn::Token![=]) {
                        meta.value()?.parse::<syn::Expr>()?;
                    } else if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                        meta.parse_nested_meta(|_| Ok(()))?;
                    }
                }
            }
            Ok(())
        });
        if let Err(e) = parsed {
            cx.syn_error(e, SESSION_HELP);
            return None;
        }
    }
    let Some(lit) = rename else {
        return ok.then(|| field.clone());
    };
    match syn::parse_str::<Ident>(&lit.value()) {
        Ok(mut name) => ok.then(|| {
            name.set_span(lit.span());
            name
        }),
        Err(_) => {
            cx.error_spanned_by(
                &lit,
                format!("`{}` is not a field name", lit.value()),
                "rename to a Rust identifier such as `user_role`",
            );
            None
        }
    }
}

/// `#[session]` fields: one per `SessionUser` name, and not under the database strategy
/// (it keeps no token).
pub fn check_session(cx: &Ctxt, model: &Model) {
    let mut seen = HashSet::new();
    for f in &model.token {
        let Some(name) = &f.attrs.session else {
            continue;
        };
        if model.session.strategy == Strategy::Database {
            cx.error_spanned_by(
                name,
                "`#[session]` copies a token field, but the database strategy keeps no token",
                "set the field in the `session` callback from `user` instead",
            );
        } else if !seen.insert(name.to_string()) {
            cx.error_spanned_by(
                name,
                format!("two `#[session]` fields are copied to `session.user.{name}`"),
                "rename one with `#[session(rename = \"..\")]`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    /// The first line of each error, and the `#[session]` names of the valid token fields.
    fn read(input: proc_macro2::TokenStream) -> (Vec<String>, Vec<Option<String>>) {
        let cx = Ctxt::new();
        let config = crate::ast::parse(&cx, input);
        let model = crate::check::check(&cx, &config);
        let names = model
            .token
            .iter()
            .map(|f| f.attrs.session.as_ref().map(ToString::to_string))
            .collect();
        let errors = cx.headlines();
        (errors, names)
    }

    #[test]
    fn session_attributes() {
        let (errors, names) = read(quote! {
            token: {
                #[session] role: String,
                #[session(rename = "plan_name")] plan: String,
                #[serde(rename = "s")] secret: String,
            },
        });
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            names,
            [Some("role".to_owned()), Some("plan_name".to_owned()), None]
        );
    }

    #[test]
    fn user_fields() {
        let cx = Ctxt::new();
        let config = crate::ast::parse(
            &cx,
            quote! { user: { role: Role, id: u64, role: u8, /// doc
            teams: Vec<String> } },
        );
        let model = crate::check::check(&cx, &config);
        let names: Vec<String> = model
            .user
            .iter()
            .flatten()
            .map(|f| f.name.to_string())
            .collect();
        assert_eq!(names, ["role", "teams"]);
        let errors: Vec<String> = cx.headlines();
        assert_eq!(
            errors,
            [
                "`id` is a standard field of `User` already (`String`)",
                "`role` is declared twice",
            ]
        );
        let cx = Ctxt::new();
        let without = crate::ast::parse(&cx, quote! { token: { role: String } });
        assert!(crate::check::check(&cx, &without).user.is_none());
        let empty = crate::ast::parse(&cx, quote! { user: {} });
        assert!(crate::check::check(&cx, &empty).user.is_some());
        assert!(cx.check().is_ok());
    }

    #[test]
    fn session_attribute_misuse() {
        let (errors, _) = read(quote! {
            session: { strategy: database },
            token: {
                #[sesion] a: String,
                #[session(renam = "x")] b: String,
                #[session(rename = "not a name")] c: String,
                #[session] d: String,
            },
            session_user: { #[session] id: String },
        });
        assert_eq!(
            errors,
            [
                "unknown attribute `sesion` of a field",
                "unknown option `renam` of `#[session]`",
                "`not a name` is not a field name",
                "`#[session]` belongs on a `token` field",
                "`#[session]` copies a token field, but the database strategy keeps no token",
            ]
        );
    }

    /// Every malformed `#[session(..)]` is an error, and the options after an unknown one
    /// are still read.
    #[test]
    fn session_option_errors() {
        let (errors, names) = read(quote! {
            token: {
                #[session(rename = "x", rename = "y")] a: String,
                #[session(rename = 5)] b: String,
                #[session(rename)] c: String,
                #[session = "x"] d: String,
                #[session(colour = "red", shade(dark), rename = "not a name")] e: String,
                #[session(rename = "plan")] f: String,
                #[session()] g: String,
                #[session[rename = "h2"]] h: String,
                #[session(rename = "r#type")] i: String,
            },
        });
        assert_eq!(
            errors,
            [
                "`rename` is given twice",
                "expected string literal",
                "expected `=`",
                "expected parentheses: #[session(...)]",
                "unknown option `colour` of `#[session]`",
                "unknown option `shade` of `#[session]`",
                "`not a name` is not a field name",
                "`#[session]` takes its options in parentheses",
            ]
        );
        assert_eq!(
            names,
            [
                None,
                None,
                None,
                None,
                None,
                Some("plan".into()),
                Some("g".into()),
                None,
                Some("r#type".into()),
            ]
        );
    }
}
