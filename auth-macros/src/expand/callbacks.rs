//! Callbacks and events: a closure that destructures the arguments the handler names, runs
//! the body in an `async move` block and converts what it returns, where the user wrote it
//! (the tail expression and every `return`), so a wrong type is reported on that expression.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Stmt};

use super::{private, respan, runtime};
use crate::model::{Handler, Model, Param};
use crate::spec::{CallbackKind, EventKind, Strategy};

/// One callback as a field of `Parts`: `jwt: Some(jwt::<Token, _, _>(move |__args| ..))`.
pub fn callback(cb: &Handler<CallbackKind>, model: &Model) -> TokenStream {
    let (rt, p) = (runtime(), private());
    // (field of `Parts`, boxing wrapper, argument struct, its generics, return conversion)
    let (field, wrapper, args, generics, convert) = match cb.kind {
        CallbackKind::SignIn => (
            quote!(sign_in),
            quote!(#p::sign_in),
            quote!(SignInArgs),
            quote!(),
            quote!(#rt::config::SignInCallbackReturn::into_decision),
        ),
        CallbackKind::Jwt => (
            quote!(jwt),
            quote!(#p::jwt::<Token, _, _>),
            quote!(JwtArgs),
            quote!(<Token>),
            quote!(#rt::config::JwtCallbackReturn::<Token>::into_outcome),
        ),
        CallbackKind::Session => match model.session.strategy {
            Strategy::Jwt => (
                quote!(session),
                quote!(#p::jwt_session::<Token, SessionUser, _, _>),
                quote!(JwtSessionArgs),
                quote!(<Token, SessionUser>),
                quote!(#rt::config::SessionCallbackReturn::<SessionUser>::into_session),
            ),
            Strategy::Database => (
                quote!(session),
                quote!(#p::database_session::<Token, SessionUser, _, _>),
                quote!(DatabaseSessionArgs),
                quote!(<SessionUser>),
                quote!(#rt::config::SessionCallbackReturn::<SessionUser>::into_session),
            ),
        },
        CallbackKind::Redirect => (
            quote!(redirect),
            quote!(#p::redirect),
            quote!(RedirectArgs),
            quote!(),
            quote!(#rt::config::RedirectCallbackReturn::into_url),
        ),
    };
    let bindings = bindings(&cb.params);
    let body = converted_body(cb.body, &convert);
    let (outer, inner) = super::state_clones(cb.state);
    let fills = match cb.kind {
        CallbackKind::Session => session_fills(model),
        _ => Vec::new(),
    };
    let fill = (!fills.is_empty()).then(|| quote!(let mut __args = __args; #(#fills)*));
    // `jwt`'s `user` as the generated `User` (`user: { .. }`).
    let typed_user = cb
        .params
        .iter()
        .find(|param| cb.kind == CallbackKind::Jwt && model.user.is_some() && param.name == "user")
        .map(|param| {
            let name = param.name;
            let mutability = param.mutable.then(|| quote!(mut));
            quote!(let #mutability #name = #p::typed_user::<User>(#name);)
        });
    let future = super::on_any_thread(async_block(&body), cb.name.span());
    quote! {
        #field: ::core::option::Option::Some(#wrapper({
            #outer
            move |__args: #rt::config::#args #generics| {
                #fill
                #[allow(unused_mut)]
                let #rt::config::#args { #(#bindings,)* .. } = __args;
                #typed_user
                #inner
                #future
            }
        }))
    }
}

/// One event handler as a field of `Parts` (returning `()` or `Result<(), E>`; the runtime
/// spawns it).
pub fn event(ev: &Handler<EventKind>) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let (field, args) = match ev.kind {
        EventKind::SignIn => (quote!(sign_in_event), quote!(SignInEventArgs)),
        EventKind::SignOut => (quote!(sign_out_event), quote!(SignOutEventArgs)),
        EventKind::CreateUser => (quote!(create_user_event), quote!(CreateUserEventArgs)),
        EventKind::LinkAccount => (quote!(link_account_event), quote!(LinkAccountEventArgs)),
        EventKind::Session => (quote!(session_event), quote!(SessionEventArgs)),
        EventKind::SignInFailed => (quote!(sign_in_failed_event), quote!(SignInFailedEventArgs)),
        EventKind::LockedOut => (quote!(locked_out_event), quote!(LockedOutEventArgs)),
    };
    let bindings = bindings(&ev.params);
    let body = converted_body(
        ev.body,
        &quote!(#rt::config::EventReturn::into_event_outcome),
    );
    let (outer, inner) = super::state_clones(ev.state);
    let future = super::on_any_thread(async_block(&body), ev.name.span());
    quote! {
        #field: ::core::option::Option::Some(#p::event({
            #outer
            move |__args: #rt::config::#args| {
                let #rt::config::#args { #(#bindings,)* .. } = __args;
                #inner
                #future
            }
        }))
    }
}

/// `async move { body }`, the block on the user's braces: an error about the future
/// (`Send`) points at the user's body, and rustc names it by its place in the user's file.
fn async_block(body: &Block) -> TokenStream {
    let open = body.brace_token.span.open();
    quote_spanned!(open=> async move #body)
}

/// `field: name` (or `field: mut name`) for each parameter, bound on the user's ident.
fn bindings<'a>(params: &'a [Param]) -> impl Iterator<Item = TokenStream> + 'a {
    params.iter().map(|p| {
        let name = p.name;
        let field = format_ident!("{}", name.to_string());
        if p.mutable {
            quote!(#field: mut #name)
        } else {
            quote!(#field: #name)
        }
    })
}

/// The body with its tail expression and every `return` value passed through `convert`,
/// spanned on the user's expression.
fn converted_body(body: &Block, convert: &TokenStream) -> Block {
    let mut body = body.clone();
    ReturnRewriter { convert }.visit_block_mut(&mut body);
    match body.stmts.pop() {
        // `return x` as the tail: already converted.
        Some(tail @ Stmt::Expr(Expr::Return(_), None)) => body.stmts.push(tail),
        Some(Stmt::Expr(tail, None)) => {
            let span = tail.span();
            body.stmts.push(Stmt::Expr(wrap(convert, tail, span), None));
        }
        // Ends in `return ..;` (already converted): nothing falls through.
        Some(last @ Stmt::Expr(Expr::Return(_), Some(_))) => body.stmts.push(last),
        last => {
            body.stmts.extend(last);
            let span = body.brace_token.span.close();
            let unit = Expr::Verbatim(quote_spanned!(span=> ()));
            body.stmts.push(Stmt::Expr(wrap(convert, unit, span), None));
        }
    }
    body
}

/// `convert(e)`, every generated token spanned on the user's expression.
fn wrap(convert: &TokenStream, e: Expr, span: Span) -> Expr {
    let convert = respan(convert.clone(), span);
    Expr::Verbatim(quote_spanned!(span=> #convert(#e)))
}

/// Rewrites `return e` into `return convert(e)`, outside nested closures, async blocks and items.
struct ReturnRewriter<'a> {
    convert: &'a TokenStream,
}

impl VisitMut for ReturnRewriter<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Return(r) => {
                let span = r.expr.as_ref().map_or(r.return_token.span, |v| v.span());
                let mut value = r
                    .expr
                    .take()
                    .map_or_else(|| Expr::Verbatim(quote_spanned!(span=> ())), |v| *v);
                self.visit_expr_mut(&mut value);
                r.expr = Some(Box::new(wrap(self.convert, value, span)));
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The default session's fill, before any `session` callback runs: each `#[session]`
/// token field, then `id` from the token's `sub` (jwt) or the user's id (database) when
/// `session_user` declares `id: String` or `id: Option<String>` and no `#[session]` field
/// is copied to it.
pub fn session_fills(model: &Model) -> Vec<TokenStream> {
    let mut fills = Vec::new();
    let mut id_copied = false;
    for f in &model.token {
        if let Some(name) = &f.attrs.session {
            let field = f.name;
            id_copied |= name == "id";
            fills.push(quote!(
                __args.session.user.#name = ::core::clone::Clone::clone(&__args.token.#field);
            ));
        }
    }
    let id = model.session_user.iter().find(|f| f.name == "id");
    if let (false, Some(id)) = (id_copied, id) {
        let clone = quote!(::core::clone::Clone::clone);
        let value = match (model.session.strategy, id_kind(id.ty)) {
            (_, None) => None,
            (Strategy::Jwt, Some(IdKind::String)) => Some(quote!(
                ::core::option::Option::unwrap_or_default(#clone(&__args.token.sub))
            )),
            (Strategy::Jwt, Some(IdKind::OptionString)) => Some(quote!(#clone(&__args.token.sub))),
            (Strategy::Database, Some(IdKind::String)) => Some(quote!(#clone(&__args.user.id))),
            (Strategy::Database, Some(IdKind::OptionString)) => Some(quote!(
                ::core::option::Option::Some(#clone(&__args.user.id))
            )),
        };
        fills.extend(value.map(|v| quote!(__args.session.user.id = #v;)));
    }
    fills
}

/// The `session` callback `auth!` writes when the user writes none but the default session
/// has fields to fill.
pub fn default_session(model: &Model) -> Option<TokenStream> {
    if model.callbacks_of(CallbackKind::Session).next().is_some() {
        return None;
    }
    let fills = session_fills(model);
    if fills.is_empty() {
        return None;
    }
    let (rt, p) = (runtime(), private());
    let (wrapper, args) = match model.session.strategy {
        Strategy::Jwt => (
            quote!(#p::jwt_session::<Token, SessionUser, _, _>),
            quote!(JwtSessionArgs<Token, SessionUser>),
        ),
        Strategy::Database => (
            quote!(#p::database_session::<Token, SessionUser, _, _>),
            quote!(DatabaseSessionArgs<SessionUser>),
        ),
    };
    Some(quote! {
        session: ::core::option::Option::Some(#wrapper(move |__args: #rt::config::#args| {
            let mut __args = __args;
            #(#fills)*
            async move { __args.session }
        }))
    })
}

enum IdKind {
    String,
    OptionString,
}

/// `String` or `Option<String>`, read from the written type.
fn id_kind(ty: &syn::Type) -> Option<IdKind> {
    let last = |ty: &syn::Type| match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last().cloned(),
        _ => None,
    };
    let seg = last(ty)?;
    match (seg.ident.to_string().as_str(), &seg.arguments) {
        ("String", syn::PathArguments::None) => Some(IdKind::String),
        ("Option", syn::PathArguments::AngleBracketed(a)) if a.args.len() == 1 => {
            match a.args.first() {
                Some(syn::GenericArgument::Type(inner)) => {
                    let inner = last(inner)?;
                    (inner.ident == "String" && inner.arguments.is_none())
                        .then_some(IdKind::OptionString)
                }
                _ => None,
            }
        }
        _ => None,
    }
}
