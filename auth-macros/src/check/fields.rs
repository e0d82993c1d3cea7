//! Declared `token` / `session_user` fields: no duplicates, no clash with the standard ones,
//! and their attributes sorted into the model's [`FieldAttrs`].

use std::collections::HashSet;

use crate::ast::FieldDef;
use crate::ctxt::{Ctxt, backticked};
use crate::model::{Field, FieldAttrs};
use crate::spec::{self, StandardField};

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

pub const SESSION_USER: Target = Target {
    standard: spec::SESSION_USER_FIELDS,
    ty: "SessionUser",
    what: "field",
};

/// The declared fields that become struct fields (the first of each name, none that
/// redefines a standard one).
pub fn declared<'a>(cx: &Ctxt, fields: &'a [FieldDef], target: Target) -> Vec<Field<'a>> {
    let Target { standard, ty, what } = target;
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
                attrs: attrs(f),
            });
        }
    }
    out
}

/// Doc comments apart, every attribute goes through to the generated field.
fn attrs(f: &FieldDef) -> FieldAttrs<'_> {
    let (docs, forwarded) = f.attrs.iter().partition(|a| a.path().is_ident("doc"));
    FieldAttrs { docs, forwarded }
}
