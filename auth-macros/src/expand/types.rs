//! `Token`, `SessionUser`, `Session`, `Auth` and (with `user: { .. }`) `User`: the
//! standard fields of [`spec`] and the declared ones.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::{private, runtime};
use syn::ext::IdentExt;

use crate::model::{Field, Form, Model};
use crate::spec::{self, StandardField, StandardType};

pub fn expand(model: &Model) -> TokenStream {
    let mut token_std = standard(spec::TOKEN_CLAIMS);
    // (A declared `amr` is an error already; it is kept, so the error does not cascade.)
    let amr_declared = model
        .token
        .iter()
        .any(|f| *f.name == spec::SECOND_FACTOR_CLAIM.name);
    if model.second_factor.is_some() && !amr_declared {
        token_std.extend(standard(&[spec::SECOND_FACTOR_CLAIM]));
    }
    let token_declared = declared(&model.token);
    let user_std = standard(spec::SESSION_USER_FIELDS);
    let user_declared = declared(&model.session_user);
    let user_copied = copied(model);
    let (rt, p) = (runtime(), private());
    let serde_path = format!("{p}::serde").replace(' ', "");
    let derive = quote! {
        #[derive(
            ::core::clone::Clone,
            ::core::fmt::Debug,
            ::core::default::Default,
            ::core::cmp::PartialEq,
            #p::serde::Serialize,
            #p::serde::Deserialize,
        )]
        #[serde(crate = #serde_path, default)]
    };
    let forms = model.providers.iter().filter_map(|p| match p {
        crate::model::Provider::Credentials(c) => c.form.as_ref().map(form),
        _ => None,
    });
    // Each type is defined on its section's key as written (a `session` callback's name for
    // an undeclared `SessionUser`): rustc shows that definition when a value of the type is
    // misused ("the trait .. is not implemented for `SessionUser`"), so it is the user's
    // token and not the whole macro.
    let token_at = model.key("token").map_or_else(Span::call_site, Ident::span);
    let session_user_at = model
        .key("session_user")
        .or_else(|| {
            model
                .callbacks_of(crate::spec::CallbackKind::Session)
                .next()
                .map(|cb| cb.name)
        })
        .map_or_else(Span::call_site, Ident::span);
    let token = quote_spanned! {token_at=>
        pub struct Token {
            #token_std
            #token_declared
        }
    };
    let session_user = quote_spanned! {session_user_at=>
        pub struct SessionUser {
            #user_std
            #user_declared
            #user_copied
        }
    };
    let user_at = model.key("user").map_or_else(Span::call_site, Ident::span);
    let user = model
        .user
        .as_deref()
        .map(|fields| user(fields, &derive, user_at));
    quote! {
        /// The session token's claims: the standard JWT claims and the fields declared in
        /// `token: { .. }` of `auth!`.
        #derive
        #token

        /// `session.user`: name, e-mail, image and the fields declared in
        /// `session_user: { .. }` of `auth!`.
        #derive
        #session_user

        #user

        #(#forms)*

        /// The session a handler reads, with the typed `user`.
        pub type Session = #rt::Session<SessionUser>;

        /// The auth service for this configuration: `Auth::new(config(..))`.
        pub type Auth = #rt::Auth<Token, SessionUser>;
    }
}

/// A credentials form (`fields: { .. }`): its struct (`String` for a required field,
/// `Option<String>` for an optional one), `FIELDS`, a `Debug` without the values, and
/// its construction from the submitted credentials.
fn form(form: &Form) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let ty = &form.ty;
    let names: Vec<String> = form
        .fields
        .iter()
        .map(|f| f.name.unraw().to_string())
        .collect();
    let fields = form.fields.iter().map(|f| {
        let name = &f.name;
        let doc = format!("{} (`type=\"{}\"`).", f.label, f.input_type);
        let ty = if f.required {
            quote!(::std::string::String)
        } else {
            quote!(::core::option::Option<::std::string::String>)
        };
        quote! {
            #[doc = #doc]
            pub #name: #ty,
        }
    });
    let values = form.fields.iter().zip(&names).map(|(f, n)| {
        let name = &f.name;
        if f.required {
            quote!(#name: #p::form_text(credentials, #n))
        } else {
            quote!(#name: #p::form_option(credentials, #n))
        }
    });
    let doc = format!(
        "The credentials form declared in `fields: {{ .. }}` of `auth!`: what its `authorize` receives as `credentials`. Fields: {}.",
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let debug_name = ty.to_string();
    quote! {
        #[doc = #doc]
        #[derive(::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        pub struct #ty {
            #(#fields)*
        }

        impl #ty {
            /// The names of the form's fields, in order.
            pub const FIELDS: &'static [&'static str] = &[#(#names),*];
        }

        impl ::core::fmt::Debug for #ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(#debug_name)?;
                f.write_str(" ")?;
                f.debug_set().entries(Self::FIELDS).finish()
            }
        }

        impl #p::CredentialsForm for #ty {
            fn from_credentials(credentials: &#rt::Credentials) -> Self {
                #ty { #(#values,)* }
            }
        }
    }
}

fn standard(list: &[StandardField]) -> TokenStream {
    list.iter()
        .map(|f| {
            let name = format_ident!("{}", f.name);
            let doc = f.doc;
            let ty = match f.ty {
                StandardType::String => {
                    return quote! {
                        #[doc = #doc]
                        pub #name: ::std::string::String,
                    };
                }
                StandardType::OptionString => {
                    quote!(::core::option::Option<::std::string::String>)
                }
                StandardType::OptionI64 => quote!(::core::option::Option<::core::primitive::i64>),
                StandardType::OptionVecString => {
                    quote!(::core::option::Option<::std::vec::Vec<::std::string::String>>)
                }
            };
            quote! {
                #[doc = #doc]
                #[serde(skip_serializing_if = "::core::option::Option::is_none")]
                pub #name: #ty,
            }
        })
        .collect()
}

fn declared(fields: &[Field]) -> TokenStream {
    fields
        .iter()
        .map(|f| {
            let Field { name, ty, attrs } = f;
            let docs = &attrs.docs;
            let doc = if docs.is_empty() {
                quote!(#[doc = "Declared in `auth!`."])
            } else {
                quote!(#(#docs)*)
            };
            let forwarded = &attrs.forwarded;
            // `pub` on the user's span, so errors about the field land on it.
            let vis = quote_spanned!(name.span()=> pub);
            let serde = (!serialized_by_user(&attrs.forwarded)).then(|| field_serde(ty));
            quote! {
                #doc
                #(#forwarded)*
                #serde
                #vis #name: #ty,
            }
        })
        .collect()
}

/// `#[serde(serialize_with, deserialize_with)]` through `config::FieldData` on the field's
/// type, written `<Type as FieldData>::..` and spanned on the user's type: a type that is
/// not serde-serialisable both ways is one error there, in the words of `auth!`, instead
/// of serde's derive errors on the macro.
fn field_serde(ty: &syn::Type) -> TokenStream {
    let span = syn::spanned::Spanned::span(ty);
    let rt = runtime();
    let path = |f: &str| {
        let text = format!("<{} as {rt}::config::FieldData>::{f}", quote!(#ty));
        syn::LitStr::new(&text, span)
    };
    let (ser, de) = (path("serialize_field"), path("deserialize_field"));
    quote!(#[serde(serialize_with = #ser, deserialize_with = #de)])
}

/// Whether the field's forwarded `#[serde(..)]` attributes decide its serialisation
/// already (`with`, `skip`, `flatten`, ..): then it is left to them.
fn serialized_by_user(forwarded: &[&syn::Attribute]) -> bool {
    const OWN: &[&str] = &[
        "with",
        "serialize_with",
        "deserialize_with",
        "skip",
        "skip_serializing",
        "skip_deserializing",
        "flatten",
        "getter",
    ];
    forwarded.iter().any(|a| {
        a.path().is_ident("serde")
            && a.meta.require_list().is_ok_and(|list| {
                list.tokens.clone().into_iter().any(|tt| {
                    matches!(&tt, proc_macro2::TokenTree::Ident(i) if OWN.iter().any(|o| i == o))
                })
            })
    })
}

/// The `#[session]` token fields `session_user` does not declare (nor has as a standard
/// field): added to `SessionUser` with the token field's type.
fn copied(model: &Model) -> TokenStream {
    model
        .token
        .iter()
        .filter_map(|f| {
            let name = f.attrs.session.as_ref()?;
            let text = name.to_string();
            let declared = model.session_user.iter().any(|u| *u.name == *name);
            let standard = spec::SESSION_USER_FIELDS.iter().any(|s| s.name == text);
            if declared || standard {
                return None;
            }
            let ty = f.ty;
            let doc = format!("Copied from the token's `{}` (`#[session]`).", f.name);
            let vis = quote_spanned!(name.span()=> pub);
            let serde = (!serialized_by_user(&f.attrs.forwarded)).then(|| field_serde(ty));
            Some(quote! {
                #[doc = #doc]
                #serde
                #vis #name: #ty,
            })
        })
        .collect()
}

/// `user: { .. }`: the typed `User` (the runtime `User`'s standard fields and the declared
/// ones), its builders, and the conversions to and from the runtime's `User`.
fn user(fields: &[Field], derive: &TokenStream, at: Span) -> TokenStream {
    let (rt, p) = (runtime(), private());
    let standard = standard(spec::USER_FIELDS);
    let declared_fields = declared(fields);
    let builders = fields.iter().map(|f| {
        let Field { name, ty, .. } = f;
        let method = format_ident!("with_{}", name);
        let doc = format!("Sets `{name}`.");
        quote! {
            #[doc = #doc]
            pub fn #method(mut self, #name: #ty) -> Self {
                self.#name = #name;
                self
            }
        }
    });
    let string = quote!(::std::string::String);
    let into = quote!(impl ::core::convert::Into<#string>);
    let definition = quote_spanned! {at=>
        pub struct User {
            #standard
            #declared_fields
        }
    };
    quote! {
        /// The signed-in user: the standard fields and the data declared in `user: { .. }`
        /// of `auth!`, which `authorize` returns and `jwt` receives (as `user`).
        #derive
        #definition

        impl User {
            /// A user with this id and nothing else.
            pub fn new(id: #into) -> Self {
                User {
                    id: ::core::convert::Into::into(id),
                    ..::core::default::Default::default()
                }
            }

            /// Sets the display name.
            pub fn with_name(mut self, name: #into) -> Self {
                self.name = ::core::option::Option::Some(::core::convert::Into::into(name));
                self
            }

            /// Sets the e-mail address.
            pub fn with_email(mut self, email: #into) -> Self {
                self.email = ::core::option::Option::Some(::core::convert::Into::into(email));
                self
            }

            /// Sets the avatar URL.
            pub fn with_image(mut self, image: #into) -> Self {
                self.image = ::core::option::Option::Some(::core::convert::Into::into(image));
                self
            }

            #(#builders)*
        }

        impl ::core::convert::TryFrom<User> for #rt::User {
            type Error = #rt::config::UserDataError;

            fn try_from(user: User) -> ::core::result::Result<Self, Self::Error> {
                #p::to_runtime_user(&user)
            }
        }

        impl ::core::convert::TryFrom<#rt::User> for User {
            type Error = #rt::config::UserDataError;

            fn try_from(user: #rt::User) -> ::core::result::Result<Self, Self::Error> {
                #p::from_runtime_user(&user)
            }
        }
    }
}
