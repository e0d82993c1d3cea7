//! The credentials provider's `authorize`: a closure's parameters are bound by name
//! (`credentials`, `request`, `state`), in any order, a subset; a closure of one parameter with
//! another name keeps receiving the credentials; any other expression is called with them.

use syn::Expr;

use crate::ctxt::Ctxt;
use crate::model::{Authorize, AuthorizeClosure};

/// The parameters `authorize` may name.
pub const PARAMS: [&str; 3] = ["credentials", "request", "state"];

/// Reads `authorize`; `None` (recorded) when a parameter is unknown, repeated or not a
/// plain name.
pub fn read<'a>(cx: &Ctxt, e: &'a Expr) -> Option<Authorize<'a>> {
    let Expr::Closure(closure) = e else {
        return Some(Authorize::Expr(e));
    };
    if closure.asyncness.is_some() {
        return Some(Authorize::Expr(e));
    }
    let [credentials, request, state] = super::params_by_name(
        cx,
        closure,
        &PARAMS,
        "authorize",
        "name them `credentials`, `request` and `state` (in any order), e.g. `|credentials, request| async move { .. }`",
    )?;
    Some(Authorize::Closure(AuthorizeClosure {
        closure,
        credentials,
        request,
        state: state.and_then(super::param_name),
    }))
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    fn errors(e: &Expr) -> (bool, Vec<String>) {
        let cx = Ctxt::new();
        let ok = read(&cx, e).is_some();
        let errs = cx.headlines();
        (ok, errs)
    }

    #[test]
    fn parameters_by_name() {
        let e: Expr = parse_quote!(|state, credentials: Credentials| async move { None });
        let cx = Ctxt::new();
        let Some(Authorize::Closure(c)) = read(&cx, &e) else {
            panic!("closure")
        };
        assert!(c.credentials.is_some() && c.state.is_some());
        assert!(cx.check().is_ok());
        let e: Expr = parse_quote!(|c| async move { None });
        assert_eq!(errors(&e), (true, vec![]));
        let e: Expr = parse_quote!(|state| async move { None });
        assert_eq!(errors(&e), (true, vec![]));
        let e: Expr = parse_quote!(|request: RequestInfo, credentials| async move { None });
        let cx = Ctxt::new();
        let Some(Authorize::Closure(c)) = read(&cx, &e) else {
            panic!("closure")
        };
        assert!(c.credentials.is_some() && c.request.is_some() && c.state.is_none());
        assert!(cx.check().is_ok());
        // A single `request` is the request, not the credentials.
        let e: Expr = parse_quote!(|request| async move { None });
        let cx = Ctxt::new();
        let Some(Authorize::Closure(c)) = read(&cx, &e) else {
            panic!("closure")
        };
        assert!(c.credentials.is_none() && c.request.is_some());
        assert!(cx.check().is_ok());
        let e: Expr = parse_quote!(check_password);
        assert_eq!(errors(&e), (true, vec![]));
    }

    #[test]
    fn unknown_and_repeated_parameters() {
        let e: Expr = parse_quote!(|credentials, stat| async move { None });
        assert_eq!(
            errors(&e),
            (
                false,
                vec!["unknown parameter `stat` of `authorize`".to_owned()]
            )
        );
        let e: Expr = parse_quote!(|state, state| async move { None });
        assert_eq!(
            errors(&e),
            (false, vec!["`state` is named twice".to_owned()])
        );
    }
}
