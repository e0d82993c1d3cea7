//! Typed errors.

/// The configuration cannot start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// An `env("NAME")` value (or `AUTH_SECRET`) is not set.
    #[error("environment variable `{0}` is not set (or is empty)")]
    MissingEnv(&'static str),
}
