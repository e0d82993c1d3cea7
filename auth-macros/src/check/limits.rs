//! `limits: { sign_in: { per_ip: 20 / 60s, per_identifier: 5 / 15min, identifier: "email",
//! max_keys: 10000 } }`: known sections and keys, each once; rates with a non-zero count
//! and a period with a known unit; `off` wherever a limit may be turned off.

use std::collections::HashSet;

use syn::{Ident, LitInt};

use crate::ast::{LimitEntry, LimitSectionValue, LimitValue, Limits};
use crate::ctxt::Ctxt;
use crate::model::{LimitRate, SignInLimits};
use crate::spec::{self, LimitSectionKey, SignInLimitKey};

/// The checked limits, `None` when `limits` is not written.
pub fn limits<'a>(cx: &Ctxt, limits: Option<&'a Limits>) -> Option<SignInLimits<'a>> {
    let mut out = SignInLimits::default();
    match limits? {
        Limits::Off(word) => {
            out.off = expect_off(
                cx,
                word,
                "write `limits: off` or `limits: { sign_in: { .. } }`",
            );
        }
        Limits::Sections(sections) => {
            let mut seen = HashSet::new();
            for section in sections {
                let Some(LimitSectionKey::SignIn) = super::key_once(
                    cx,
                    &mut seen,
                    &section.key,
                    spec::LIMIT_SECTIONS,
                    "limits section",
                    "`limits` takes",
                ) else {
                    continue;
                };
                match &section.value {
                    LimitSectionValue::Off(word) => {
                        out.off = expect_off(
                            cx,
                            word,
                            "write `sign_in: off` or `sign_in: { per_ip: 20 / 60s, .. }`",
                        );
                    }
                    LimitSectionValue::Entries(entries) => sign_in(cx, entries, &mut out),
                }
            }
        }
    }
    Some(out)
}

/// `true` when `word` is `off`; an error otherwise.
fn expect_off(cx: &Ctxt, word: &Ident, help: &str) -> bool {
    if word == "off" {
        return true;
    }
    cx.error_spanned_by(word, format!("expected `off`, found `{word}`"), help);
    false
}

fn sign_in<'a>(cx: &Ctxt, entries: &'a [LimitEntry], out: &mut SignInLimits<'a>) {
    let mut seen = HashSet::new();
    for entry in entries {
        let Some(key) = super::key_once(
            cx,
            &mut seen,
            &entry.key,
            spec::SIGN_IN_LIMIT_KEYS,
            "sign-in limit",
            "`sign_in` takes",
        ) else {
            continue;
        };
        let name = entry.key.to_string();
        match key {
            SignInLimitKey::PerIp => out.per_ip = rate(cx, &name, &entry.value),
            SignInLimitKey::PerIdentifier => out.per_identifier = rate(cx, &name, &entry.value),
            SignInLimitKey::Identifier => match &entry.value {
                LimitValue::Str(s) if !s.value().trim().is_empty() => out.identifier = Some(s),
                other => cx.error_spanned_by(
                    value_tokens(other),
                    "`identifier` names a credentials field",
                    "write the field's name as a string: `identifier: \"email\"`",
                ),
            },
            SignInLimitKey::MaxKeys => match &entry.value {
                LimitValue::Int(n) => match n.base10_parse::<usize>() {
                    Ok(v) if v > 0 && n.suffix().is_empty() => out.max_keys = Some(v),
                    _ => cx.error_spanned_by(
                        n,
                        "`max_keys` is a positive number",
                        "write how many keys each limit remembers: `max_keys: 50000`",
                    ),
                },
                other => cx.error_spanned_by(
                    value_tokens(other),
                    "`max_keys` is a positive number",
                    "write how many keys each limit remembers: `max_keys: 50000`",
                ),
            },
        }
    }
}

/// `off` or `count / period`.
fn rate(cx: &Ctxt, name: &str, value: &LimitValue) -> LimitRate {
    let help = format!("write `{name}: <count> / <period>` (`{name}: 5 / 15min`) or `{name}: off`");
    match value {
        LimitValue::Word(w) if w == "off" => LimitRate::Off,
        LimitValue::Rate { count, period, .. } => {
            let count = match count.base10_parse::<u32>() {
                Ok(c) if c > 0 && count.suffix().is_empty() => Some(c),
                _ => {
                    cx.error_spanned_by(
                        count,
                        "the count of a limit is a positive whole number",
                        &help,
                    );
                    None
                }
            };
            match (count, period_secs(cx, period)) {
                (Some(count), Some(period_secs)) => LimitRate::Rate { count, period_secs },
                _ => LimitRate::Default,
            }
        }
        other => {
            cx.error_spanned_by(
                value_tokens(other),
                format!("`{name}` is a rate or `off`"),
                help,
            );
            LimitRate::Default
        }
    }
}

/// The seconds of `60s`, `15min`, `1h`, `1d`.
fn period_secs(cx: &Ctxt, period: &LitInt) -> Option<u64> {
    let units = spec::names(spec::PERIOD_UNITS);
    let suffix = period.suffix();
    let Some(unit) = spec::lookup(spec::PERIOD_UNITS, suffix) else {
        let found = if suffix.is_empty() {
            format!("`{period}` has no unit")
        } else {
            format!("unknown unit `{suffix}`")
        };
        cx.error_spanned_by(
            period,
            found,
            format!(
                "give the period a unit: {} (`60s`, `15min`)",
                crate::ctxt::backticked(&units)
            ),
        );
        return None;
    };
    match period
        .base10_parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
    {
        Some(secs) if secs > 0 => Some(secs),
        _ => {
            cx.error_spanned_by(
                period,
                "the period of a limit is longer than zero",
                "write a period such as `60s` or `15min`",
            );
            None
        }
    }
}

/// The tokens of a value, for an error's span.
fn value_tokens(value: &LimitValue) -> proc_macro2::TokenStream {
    use quote::ToTokens as _;
    match value {
        LimitValue::Word(w) => w.to_token_stream(),
        LimitValue::Rate {
            count,
            slash,
            period,
        } => {
            let mut t = count.to_token_stream();
            slash.to_tokens(&mut t);
            period.to_tokens(&mut t);
            t
        }
        LimitValue::Str(s) => s.to_token_stream(),
        LimitValue::Int(n) => n.to_token_stream(),
    }
}
