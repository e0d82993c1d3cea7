//! Rule 4 for sections and callbacks: unknown or duplicate names, with "did you mean".

use std::collections::HashSet;

use syn::spanned::Spanned;

use super::{CALLBACKS, EVENTS, single_ident};
use crate::ast::{Config, KeyValue};
use crate::ctxt::Ctxt;

const SESSION_KEYS: &[&str] = &["strategy", "max_age", "update_age"];
const PAGE_KEYS: &[&str] = &["sign_in", "sign_out", "error"];
const STRATEGIES: &[&str] = &["jwt", "database"];

pub fn check(cx: &Ctxt, config: &Config) {
    check_keys(cx, &config.session, SESSION_KEYS, "`session` takes");
    check_keys(cx, &config.pages, PAGE_KEYS, "`pages` takes");
    if let Some(value) = crate::ast::find(&config.session, "strategy") {
        match single_ident(value) {
            Some(id) if STRATEGIES.contains(&id.to_string().as_str()) => {}
            Some(id) => cx.unknown(
                id.span(),
                "session strategy",
                &id.to_string(),
                STRATEGIES,
                "the strategies are",
            ),
            None => cx.error(
                value.span(),
                "the session strategy is a bare word",
                "write `strategy: jwt` (the default) or `strategy: database`",
            ),
        }
    }
    check_callbacks(cx, config);
    check_events(cx, config);
}

fn check_events(cx: &Ctxt, config: &Config) {
    let names: Vec<&str> = EVENTS.iter().map(|(n, _)| *n).collect();
    let mut seen = HashSet::new();
    for ev in &config.events {
        let name = ev.name.to_string();
        let Some((_, allowed)) = EVENTS.iter().find(|(n, _)| *n == name) else {
            cx.unknown(ev.name.span(), "event", &name, &names, "the events are");
            continue;
        };
        if !seen.insert(name.clone()) {
            cx.error(
                ev.name.span(),
                format!("the `{name}` event is defined twice"),
                format!("merge the two `{name}` events into one"),
            );
        }
        let mut params = HashSet::new();
        for p in &ev.params {
            let param = p.to_string();
            if !allowed.contains(&param.as_str()) {
                cx.unknown(
                    p.span(),
                    &format!("parameter {{}} of the `{name}` event"),
                    &param,
                    allowed,
                    &format!("the `{name}` event receives"),
                );
            } else if !params.insert(param.clone()) {
                cx.error(
                    p.span(),
                    format!("`{param}` is named twice"),
                    format!("name each parameter of the `{name}` event once"),
                );
            }
        }
    }
}

/// Unknown and duplicate keys of a `{ key: value }` block.
pub fn check_keys(cx: &Ctxt, list: &[KeyValue], known: &[&str], context: &str) {
    let mut seen = HashSet::new();
    for kv in list {
        let key = kv.key.to_string();
        if !known.contains(&key.as_str()) {
            cx.unknown(kv.key.span(), "key", &key, known, context);
        } else if !seen.insert(key.clone()) {
            cx.error(
                kv.key.span(),
                format!("`{key}` is given twice"),
                format!("keep one `{key}`"),
            );
        }
    }
}

fn check_callbacks(cx: &Ctxt, config: &Config) {
    let names: Vec<&str> = CALLBACKS.iter().map(|(n, _)| *n).collect();
    let mut seen = HashSet::new();
    for cb in &config.callbacks {
        let name = cb.name.to_string();
        let Some((_, allowed)) = CALLBACKS.iter().find(|(n, _)| *n == name) else {
            cx.unknown(
                cb.name.span(),
                "callback",
                &name,
                &names,
                "the callbacks are",
            );
            continue;
        };
        if !seen.insert(name.clone()) {
            cx.error(
                cb.name.span(),
                format!("the `{name}` callback is defined twice"),
                format!("merge the two `{name}` callbacks into one"),
            );
        }
        let mut params = HashSet::new();
        for p in &cb.params {
            let param = p.to_string();
            // `token` in `sign_in` and `token`/`user` in `session` have their own rules.
            let special = matches!((name.as_str(), param.as_str()), ("sign_in", "token"));
            if !special && !allowed.contains(&param.as_str()) {
                cx.unknown(
                    p.span(),
                    &format!("parameter {{}} of `{name}`"),
                    &param,
                    allowed,
                    &format!("`{name}` receives"),
                );
            } else if !params.insert(param.clone()) {
                cx.error(
                    p.span(),
                    format!("`{param}` is named twice"),
                    format!("name each parameter of `{name}` once"),
                );
            }
        }
    }
}
