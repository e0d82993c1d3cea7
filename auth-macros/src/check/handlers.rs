//! Callbacks and events: known names, each defined once, naming known parameters once.

use std::collections::HashSet;

use crate::ast::Callback;
use crate::ctxt::Ctxt;
use crate::model::{Handler, Param};
use crate::spec::{self, CallbackKind, EventKind, HandlerSpec};

/// How the errors about one table speak of its handlers.
struct Words {
    /// "callback", "event".
    noun: &'static str,
    /// How a handler is named in a sentence: "`jwt`", "the `sign_in` event".
    name: fn(&str) -> String,
}

pub fn callbacks<'a>(cx: &Ctxt, list: &'a [Callback]) -> Vec<Handler<'a, CallbackKind>> {
    let words = Words {
        noun: "callback",
        name: |n| format!("`{n}`"),
    };
    handlers(cx, list, spec::CALLBACKS, &words, super::sign_in::own_rule)
}

pub fn events<'a>(cx: &Ctxt, list: &'a [Callback]) -> Vec<Handler<'a, EventKind>> {
    let words = Words {
        noun: "event",
        name: |n| format!("the `{n}` event"),
    };
    handlers(cx, list, spec::EVENTS, &words, |_, _| false)
}

/// `special(kind, param)`: a parameter another rule reports (kept, not called unknown).
fn handlers<'a, K: Copy + PartialEq>(
    cx: &Ctxt,
    list: &'a [Callback],
    table: &[HandlerSpec<K>],
    words: &Words,
    special: fn(K, &str) -> bool,
) -> Vec<Handler<'a, K>> {
    let names: Vec<&str> = table.iter().map(|h| h.name).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for def in list {
        let name = def.name.to_string();
        let Some(spec) = table.iter().find(|h| h.name == name) else {
            cx.unknown(
                &def.name,
                words.noun,
                &name,
                &names,
                &format!("the {}s are", words.noun),
            );
            continue;
        };
        if !seen.insert(name.clone()) {
            cx.error_spanned_by(
                &def.name,
                format!("the `{name}` {} is defined twice", words.noun),
                format!("merge the two `{name}` {}s into one", words.noun),
            );
        }
        let described = (words.name)(&name);
        let mut params = Vec::new();
        let mut state = None;
        let mut named = HashSet::new();
        for p in &def.params {
            let param = p.to_string();
            // Every handler may bind the application state (`check::state` checks that
            // one is declared).
            if param == "state" {
                if state.replace(p).is_some() {
                    cx.error_spanned_by(
                        p,
                        "`state` is named twice",
                        format!("name each parameter of {described} once"),
                    );
                }
                continue;
            }
            let known = spec.params.contains(&param.as_str()) || special(spec.kind, &param);
            if !known && param == "request" {
                cx.error_spanned_by(
                    p,
                    format!("`request` is not available in {described}"),
                    "`request` (the method, headers, cookies and client address) is a parameter \
                     of a credentials provider's `authorize` and of the `sign_in` callback; \
                     read what you need there and carry it in the user or the token",
                );
            } else if !known {
                cx.unknown(
                    p,
                    &format!("parameter {{}} of {described}"),
                    &param,
                    spec.params,
                    &format!("{described} receives"),
                );
            } else if !named.insert(param.clone()) {
                cx.error_spanned_by(
                    p,
                    format!("`{param}` is named twice"),
                    format!("name each parameter of {described} once"),
                );
            } else {
                params.push(Param {
                    name: p,
                    mutable: spec.mutable.contains(&param.as_str()),
                });
            }
        }
        // A repeated handler stays in the model (its error is recorded) so that the
        // rules on its parameters and body still run.
        out.push(Handler {
            kind: spec.kind,
            name: &def.name,
            params,
            state,
            body: &def.body,
        });
    }
    out
}
