//! On errors: the `compile_error!`s plus real `Token`, `SessionUser` and `Session` types and
//! a default `config()`, so code using them does not fail a second time (thiserror's
//! `fallback.rs`).

use proc_macro2::TokenStream;
use quote::quote;

use super::{alias, runtime, types};
use crate::model::Model;

pub fn expand(model: &Model, errors: &syn::Error) -> TokenStream {
    let errors = errors.to_compile_error();
    let alias = alias(model);
    let types = types::expand(model);
    let rt = runtime();
    let params = model.state.map(|ty| {
        let state = super::state_ident();
        quote!(#state: #ty)
    });
    quote! {
        #errors
        #alias
        #types
        /// The auth configuration (not generated: `auth!` has errors).
        #[allow(unused_variables)]
        pub fn config(#params) -> #rt::AuthConfig<Token, SessionUser> {
            ::core::default::Default::default()
        }
    }
}
