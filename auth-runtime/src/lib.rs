//! Auth.js-style authentication for Rust web services.
//!
//! Declare the whole configuration with [`auth!`]; the macro checks it at compile time and
//! emits typed `Token`, `SessionUser` and `Session` types and a `config()` function whose
//! [`AuthConfig`] this crate executes: the Auth.js REST flow under `/api/auth`, cookies,
//! CSRF, JWT sessions compatible with `@auth/core`, and the axum integration.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
pub mod config;
mod error;
pub mod jwt;
pub mod pages;
pub mod providers;

#[doc(hidden)]
pub mod __private;

pub use auth_macros::auth;
pub use config::{
    Account, AccountType, AuthConfig, ConfigValue, Credentials, DefaultSessionUser, IntoJwtOutcome,
    IntoSignInDecision, Profile, Provider, Session, SessionStrategy, SignInDecision, Trigger, User,
    env,
};
pub use auth::{Auth, SessionLookup};
pub use error::ConfigError;
