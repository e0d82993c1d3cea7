//! `second_factor: { totp: { issuer: "Acme", digits: 6, period: 30 } }`: one known section,
//! its keys once each, `issuer` a non-empty string literal without `:`, `digits` 6 to 8,
//! `period` 15 to 300 seconds; and a credentials provider for it to protect.

use std::collections::HashSet;

use syn::{Expr, ExprLit, Lit};

use crate::ast::SecondFactorSection;
use crate::ctxt::Ctxt;
use crate::model::{Model, Provider, Totp};
use crate::spec::{self, SecondFactorKey, TotpKey};

/// The checked TOTP section, `None` when `second_factor` is not written (or is invalid).
pub fn totp<'a>(cx: &Ctxt, sections: Option<&'a [SecondFactorSection]>) -> Option<Totp<'a>> {
    let mut out = None;
    let mut seen = HashSet::new();
    for section in sections? {
        let Some(SecondFactorKey::Totp) = super::key_once(
            cx,
            &mut seen,
            &section.key,
            spec::SECOND_FACTORS,
            "second factor",
            "`second_factor` takes",
        ) else {
            continue;
        };
        out = totp_options(cx, section);
    }
    out
}

fn totp_options<'a>(cx: &Ctxt, section: &'a SecondFactorSection) -> Option<Totp<'a>> {
    let entries = super::keyed(
        cx,
        &section.options,
        spec::TOTP_KEYS,
        "TOTP option",
        "`totp` takes",
    );
    let mut issuer = None;
    let mut digits = None;
    let mut period = None;
    for (key, kv) in entries {
        match key {
            TotpKey::Issuer => match literal(&kv.value) {
                Some(Lit::Str(s)) if !s.value().trim().is_empty() && !s.value().contains(':') => {
                    issuer = Some(s);
                }
                _ => cx.error_spanned_by(
                    &kv.value,
                    "`issuer` is the name authenticator apps show: a non-empty string literal without `:`",
                    "write `issuer: \"My App\"`",
                ),
            },
            TotpKey::Digits => {
                match int(&kv.value).filter(|d| spec::TOTP_DIGITS.contains(d)) {
                    Some(d) => digits = Some(d),
                    None => cx.error_spanned_by(
                        &kv.value,
                        "`digits` is 6, 7 or 8",
                        "write `digits: 6` (the default, what every authenticator app shows)",
                    ),
                }
            }
            TotpKey::Period => {
                match int(&kv.value).filter(|p| spec::TOTP_PERIODS.contains(p)) {
                    Some(p) => period = Some(p),
                    None => cx.error_spanned_by(
                        &kv.value,
                        "`period` is a whole number of seconds from 15 to 300",
                        "write `period: 30` (the default, RFC 6238's)",
                    ),
                }
            }
        }
    }
    let Some(issuer) = issuer else {
        if !section.options.iter().any(|kv| kv.key == "issuer") {
            cx.error_spanned_by(
                &section.key,
                "`totp` needs an `issuer`",
                "name the site authenticator apps show: `totp: { issuer: \"My App\" }`",
            );
        }
        return None;
    };
    Some(Totp {
        issuer,
        digits,
        period,
    })
}

fn literal(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        Expr::Group(g) => literal(&g.expr),
        _ => None,
    }
}

/// An unsuffixed integer literal.
fn int<N: std::str::FromStr>(expr: &Expr) -> Option<N>
where
    N::Err: std::fmt::Display,
{
    match literal(expr)? {
        Lit::Int(i) if i.suffix().is_empty() => i.base10_parse().ok(),
        _ => None,
    }
}

/// A second factor protects credentials sign-in: without a `Credentials` provider it
/// would never be asked. With it, `amr` is a standard claim of `Token`.
pub fn check(cx: &Ctxt, model: &Model, sections: Option<&[SecondFactorSection]>) {
    let Some(first) = sections.and_then(|s| s.first()) else {
        return;
    };
    let claim = crate::spec::SECOND_FACTOR_CLAIM;
    for field in model.token.iter().filter(|f| f.name == claim.name) {
        cx.error_spanned_by(
            field.name,
            format!(
                "`{}` is a standard claim of `Token` already with `second_factor` (`{}`)",
                claim.name,
                claim.ty.as_str()
            ),
            "remove it: the sign-in writes it (`[\"pwd\", \"otp\"]` after the second factor)",
        );
    }
    let has_credentials = model
        .providers
        .iter()
        .any(|p| matches!(p, Provider::Credentials(_)));
    if !has_credentials && !model.providers.is_empty() {
        cx.error_spanned_by(
            &first.key,
            "a second factor is asked after a credentials sign-in, and no `Credentials` provider is declared",
            "add `Credentials { authorize: .. }` to `providers`, or remove `second_factor`",
        );
    }
}
