//! An e-mail provider's `send_verification_request`: a closure's parameters are bound by
//! name (`request`, `state`), in any order, a subset; a closure of one parameter with another
//! name receives the request; any other expression is called with it.

use syn::Expr;

use crate::ctxt::Ctxt;
use crate::model::SendHook;

/// The parameters `send_verification_request` may name.
pub const PARAMS: [&str; 2] = ["request", "state"];

/// Reads the hook; `None` (recorded) when a parameter is unknown, repeated or not a name.
pub fn read<'a>(cx: &Ctxt, e: &'a Expr) -> Option<SendHook<'a>> {
    let Expr::Closure(closure) = e else {
        return Some(SendHook::Expr(e));
    };
    if closure.asyncness.is_some() {
        return Some(SendHook::Expr(e));
    }
    let [request, state] = super::params_by_name(
        cx,
        closure,
        &PARAMS,
        "send_verification_request",
        "name them `request` and `state`, e.g. `|request| async move { .. }`",
    )?;
    Some(SendHook::Closure {
        closure,
        request,
        state: state.and_then(super::param_name),
    })
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    fn headlines(e: &Expr) -> (bool, Vec<String>) {
        let cx = Ctxt::new();
        let ok = read(&cx, e).is_some();
        (ok, cx.headlines())
    }

    #[test]
    fn parameters_by_name() {
        let e: Expr = parse_quote!(|state, request| async move {});
        let cx = Ctxt::new();
        let Some(SendHook::Closure { request, state, .. }) = read(&cx, &e) else {
            panic!("closure")
        };
        assert!(request.is_some() && state.is_some());
        assert!(cx.check().is_ok());
        let e: Expr = parse_quote!(|r| async move {});
        assert_eq!(headlines(&e), (true, vec![]));
        let e: Expr = parse_quote!(send_with_my_api);
        assert_eq!(headlines(&e), (true, vec![]));
    }

    #[test]
    fn unknown_and_repeated_parameters() {
        let e: Expr = parse_quote!(|request, stat| async move {});
        assert_eq!(
            headlines(&e),
            (
                false,
                vec!["unknown parameter `stat` of `send_verification_request`".to_owned()]
            )
        );
        let e: Expr = parse_quote!(|request, request| async move {});
        assert_eq!(
            headlines(&e),
            (false, vec!["`request` is named twice".to_owned()])
        );
    }
}
