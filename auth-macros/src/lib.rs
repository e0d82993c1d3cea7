//! The `auth!` macro. Use it through `auth_runtime::auth!`.

use proc_macro::TokenStream;

/// Declares the whole auth configuration. See `auth_runtime` for the syntax.
#[proc_macro]
pub fn auth(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
