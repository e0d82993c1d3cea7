//! A credentials provider's `fields: { email: { label: "E-mail", type: "email" }, .. }`:
//! the options of each field through [`spec::FIELD_OPTIONS`] ("did you mean"), their value
//! forms, repeated fields and input types of [`spec::INPUT_TYPES`].

use std::collections::HashSet;

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Ident, Lit, Token, braced};

use crate::ctxt::Ctxt;
use crate::model::FormField;
use crate::spec::{self, FieldOpt};

/// The names the flow takes for itself out of a submitted form.
const RESERVED: &[&str] = &["csrfToken", "callbackUrl"];

/// One `name: { key: value, .. }` as written.
struct FieldSyntax {
    name: Ident,
    options: Vec<(Ident, Expr)>,
}

/// Reads the `fields` value (the tokens `ast` kept); `None` (recorded) when it is not a
/// block of fields or a field is invalid.
pub fn read(cx: &Ctxt, value: &Expr) -> Option<Vec<FormField>> {
    let tokens = match value {
        Expr::Verbatim(tokens) => tokens.clone(),
        other => other.to_token_stream(),
    };
    let parsed = match parse.parse2(tokens) {
        Ok(parsed) => parsed,
        Err(e) => {
            cx.syn_error(e, HINT);
            return None;
        }
    };
    if parsed.is_empty() {
        cx.error_spanned_by(
            value,
            "`fields` declares no field",
            format!("{HINT}, or leave `fields` out for the username/password form"),
        );
        return None;
    }
    let mut ok = true;
    let mut out: Vec<FormField> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for field in parsed {
        let name = field.name.unraw().to_string();
        if seen.contains(&name) {
            cx.error_spanned_by(
                &field.name,
                format!("the field `{name}` is declared twice"),
                "declare each field of the form once",
            );
            ok = false;
            continue;
        }
        seen.push(name.clone());
        if RESERVED.contains(&name.as_str()) {
            cx.error_spanned_by(
                &field.name,
                format!("`{name}` is not a field name the form may use"),
                "the sign-in flow sends `csrfToken` and `callbackUrl` itself; name the field otherwise",
            );
            ok = false;
            continue;
        }
        match read_field(cx, field) {
            Some(f) => out.push(f),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

const HINT: &str = "write `fields: { email: { label: \"E-mail\", type: \"email\", placeholder: \"you@example.com\" }, code: { required: false } }`";

fn parse(input: ParseStream) -> syn::Result<Vec<FieldSyntax>> {
    let content;
    braced!(content in input);
    let list = Punctuated::<FieldSyntax, Token![,]>::parse_terminated_with(&content, |input| {
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let inner;
        braced!(inner in input);
        let options =
            Punctuated::<(Ident, Expr), Token![,]>::parse_terminated_with(&inner, |input| {
                // `type` is a keyword: any identifier is a key here.
                let key = Ident::parse_any(input)?;
                input.parse::<Token![:]>()?;
                Ok((key, input.parse()?))
            })?;
        Ok(FieldSyntax {
            name,
            options: options.into_iter().collect(),
        })
    })?;
    Ok(list.into_iter().collect())
}

/// One field's options; defaults: the label from the name, `type: "text"`, no
/// placeholder, required.
fn read_field(cx: &Ctxt, field: FieldSyntax) -> Option<FormField> {
    let name = field.name.unraw().to_string();
    let mut out = FormField {
        label: default_label(&name),
        name: field.name,
        input_type: "text".to_owned(),
        placeholder: None,
        required: true,
    };
    let mut seen = HashSet::new();
    let mut ok = true;
    for (key, value) in &field.options {
        let Some(opt) = super::key_once(
            cx,
            &mut seen,
            key,
            spec::FIELD_OPTIONS,
            &format!("option {{}} of the field `{name}`"),
            "a field takes",
        ) else {
            ok = false;
            continue;
        };
        match opt {
            FieldOpt::Label => match string(cx, value, "label", "E-mail") {
                Some(v) => out.label = v,
                None => ok = false,
            },
            FieldOpt::Placeholder => match string(cx, value, "placeholder", "you@example.com") {
                Some(v) => out.placeholder = Some(v),
                None => ok = false,
            },
            FieldOpt::Type => match input_type(cx, value) {
                Some(v) => out.input_type = v,
                None => ok = false,
            },
            FieldOpt::Required => match value {
                Expr::Lit(ExprLit {
                    lit: Lit::Bool(b), ..
                }) => out.required = b.value,
                _ => {
                    cx.error_spanned_by(
                        value,
                        "`required` is `true` or `false`",
                        "write `required: false` for an optional field (an `Option<String>` in the form); fields are required by default",
                    );
                    ok = false;
                }
            },
        }
    }
    ok.then_some(out)
}

/// A string literal (it is shown on the page, known at compile time).
fn string(cx: &Ctxt, value: &Expr, what: &str, example: &str) -> Option<String> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => {
            cx.error_spanned_by(
                value,
                format!("a field's `{what}` is a string literal"),
                format!("write `{what}: \"{example}\"`"),
            );
            None
        }
    }
}

/// `"email"` or `email`, one of [`spec::INPUT_TYPES`].
fn input_type(cx: &Ctxt, value: &Expr) -> Option<String> {
    let name = match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => super::single_ident(value).map(ToString::to_string),
    };
    let Some(name) = name else {
        cx.error_spanned_by(
            value,
            "a field's `type` is an HTML input type",
            "write `type: \"email\"`",
        );
        return None;
    };
    if spec::INPUT_TYPES.contains(&name.as_str()) {
        return Some(name);
    }
    cx.unknown(
        value,
        "input type",
        &name,
        spec::INPUT_TYPES,
        "a field's `type` is one of",
    );
    None
}

/// `email` → `Email`, `one_time_code` → `One time code`.
fn default_label(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;

    fn errors(tokens: TokenStream) -> (Option<Vec<FormField>>, Vec<String>) {
        let cx = Ctxt::new();
        let out = read(&cx, &Expr::Verbatim(tokens));
        let errs = cx.headlines();
        (out, errs)
    }

    #[test]
    fn fields_with_defaults() {
        let (out, errs) = errors(quote!({
            email: { label: "E-mail", type: "email", placeholder: "you@example.com" },
            one_time_code: { type: number, required: false },
        }));
        assert!(errs.is_empty(), "{errs:?}");
        let out = out.unwrap_or_default();
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].label.as_str(), out[0].input_type.as_str()),
            ("E-mail", "email")
        );
        assert_eq!(out[0].placeholder.as_deref(), Some("you@example.com"));
        assert!(out[0].required && !out[1].required);
        assert_eq!(out[1].label, "One time code");
        assert_eq!(out[1].input_type, "number");
    }

    #[test]
    fn bad_fields() {
        let (out, errs) = errors(quote!({
            email: { lable: "E-mail" },
            email: {},
            code: { type: "passwd", required: "no" },
        }));
        assert!(out.is_none());
        assert_eq!(
            errs,
            vec![
                "unknown option `lable` of the field `email`",
                "the field `email` is declared twice",
                "unknown input type `passwd`",
                "`required` is `true` or `false`",
            ]
        );
    }
}
