//! Values written in the configuration or read from the environment at start-up.

use std::fmt;

/// A configuration value that is either written in the config or read from the
/// environment when [`crate::Auth::new`] starts (`env("GITHUB_ID")` in `auth!`).
#[derive(Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// A value written in the configuration.
    Literal(String),
    /// The name of an environment variable read at start-up.
    Env(&'static str),
}

impl ConfigValue {
    /// Resolves the value, reading the environment for [`ConfigValue::Env`].
    pub fn resolve(&self) -> Result<String, crate::ConfigError> {
        match self {
            ConfigValue::Literal(v) => Ok(v.clone()),
            ConfigValue::Env(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => Ok(v),
                _ => Err(crate::ConfigError::MissingEnv(name)),
            },
        }
    }
}

impl fmt::Debug for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets: never print a literal.
        match self {
            ConfigValue::Literal(_) => f.write_str("ConfigValue::Literal(..)"),
            ConfigValue::Env(name) => write!(f, "ConfigValue::Env({name:?})"),
        }
    }
}

impl From<&str> for ConfigValue {
    fn from(v: &str) -> Self {
        ConfigValue::Literal(v.to_owned())
    }
}

impl From<String> for ConfigValue {
    fn from(v: String) -> Self {
        ConfigValue::Literal(v)
    }
}

/// `env("NAME")` in `auth!`: a value read from the environment at start-up.
pub fn env(name: &'static str) -> ConfigValue {
    ConfigValue::Env(name)
}
