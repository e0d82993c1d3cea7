//! The `auth!` macro. Use it through `auth_runtime::auth!`, whose documentation
//! describes the syntax and the rules it checks.
//!
//! Stages, one module each: [`ast`] parses (keeping the user's spans), [`check`] applies
//! the compile-time rules, [`expand`] generates code; [`ctxt`] collects every error.

mod ast;
mod check;
mod ctxt;
mod expand;

use proc_macro::TokenStream;

/// Declares the whole auth configuration. See `auth_runtime::auth!` for the syntax.
#[proc_macro]
pub fn auth(input: TokenStream) -> TokenStream {
    expand::run(input.into()).into()
}
