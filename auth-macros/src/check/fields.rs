//! Declared `token` / `session_user` fields: no duplicates, no clash with the standard ones.

use std::collections::HashSet;

use crate::ast::{Config, FieldDef};
use crate::ctxt::Ctxt;

/// The standard claims every `Token` has (all `Option`).
pub const TOKEN_CLAIMS: &[(&str, &str)] = &[
    ("sub", "Option<String>"),
    ("name", "Option<String>"),
    ("email", "Option<String>"),
    ("picture", "Option<String>"),
    ("iat", "Option<i64>"),
    ("exp", "Option<i64>"),
    ("jti", "Option<String>"),
];

/// The standard fields every `SessionUser` has.
pub const SESSION_USER_FIELDS: &[(&str, &str)] = &[
    ("name", "Option<String>"),
    ("email", "Option<String>"),
    ("image", "Option<String>"),
];

pub fn check(cx: &Ctxt, config: &Config) {
    check_fields(cx, &config.token, TOKEN_CLAIMS, "Token", "claim");
    check_fields(
        cx,
        &config.session_user,
        SESSION_USER_FIELDS,
        "SessionUser",
        "field",
    );
}

fn check_fields(cx: &Ctxt, fields: &[FieldDef], standard: &[(&str, &str)], ty: &str, what: &str) {
    let mut seen = HashSet::new();
    for f in fields {
        let name = f.name.to_string();
        if let Some((_, std_ty)) = standard.iter().find(|(n, _)| *n == name) {
            let list = standard
                .iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            cx.error(
                f.name.span(),
                format!("`{name}` is a standard {what} of `{ty}` already (`{std_ty}`)"),
                format!("remove it, or pick another name; the standard {what}s are {list}"),
            );
        } else if !seen.insert(name.clone()) {
            cx.error(
                f.name.span(),
                format!("`{name}` is declared twice"),
                format!("keep one `{name}` field"),
            );
        }
    }
}

/// The declared fields that expand to valid struct fields (used by the fallback too).
pub fn valid_fields<'a>(fields: &'a [FieldDef], standard: &[(&str, &str)]) -> Vec<&'a FieldDef> {
    let mut seen = HashSet::new();
    fields
        .iter()
        .filter(|f| {
            let name = f.name.to_string();
            !standard.iter().any(|(n, _)| *n == name) && seen.insert(name)
        })
        .collect()
}
