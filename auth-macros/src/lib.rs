//! The `auth!` macro. Use it through `auth_runtime::auth!`, whose documentation
//! describes the syntax and the rules it checks; that `macro_rules!` shim passes its
//! `$crate` first (`[$crate] ..`), so the generated code works under any dependency name.
//!
//! Stages, one module each: `ast` parses (keeping the user's spans), `check` applies
//! the compile-time rules and builds the typed `model`, `expand` generates code from
//! the model alone; `ctxt` collects every error and `spec` holds the tables of what
//! the DSL accepts.

mod ast;
mod check;
mod ctxt;
mod expand;
mod model;
#[cfg(test)]
mod properties;
mod spec;

use proc_macro::TokenStream;

/// Declares the whole auth configuration. See `auth_runtime::auth!` for the syntax.
#[proc_macro]
pub fn auth(input: TokenStream) -> TokenStream {
    expand::run(input.into()).into()
}
