//! Values written in the configuration or read from the environment at start-up.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

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
    /// Resolves the value, reading the process environment for [`ConfigValue::Env`].
    pub fn resolve(&self) -> Result<String, crate::ConfigError> {
        self.resolve_in(&Environment::Process)
    }

    /// Resolves the value, reading `env` for [`ConfigValue::Env`]; an empty value is unset.
    pub(crate) fn resolve_in(&self, env: &Environment) -> Result<String, crate::ConfigError> {
        match self {
            ConfigValue::Literal(v) => Ok(v.clone()),
            ConfigValue::Env(name) => env.var(name).ok_or(crate::ConfigError::MissingEnv(name)),
        }
    }
}

/// Where a configuration reads its environment at start-up: the process's (the default),
/// or the variables given to [`AuthConfig::with_env`](crate::AuthConfig::with_env).
#[derive(Clone, Default)]
pub(crate) enum Environment {
    /// `std::env::var`.
    #[default]
    Process,
    /// These variables and no others.
    Vars(Arc<BTreeMap<String, String>>),
}

impl Environment {
    /// The value of `name`, `None` when unset or empty.
    pub(crate) fn var(&self, name: &str) -> Option<String> {
        match self {
            Environment::Process => std::env::var(name).ok(),
            Environment::Vars(vars) => vars.get(name).cloned(),
        }
        .filter(|v| !v.is_empty())
    }
}

/// Values may be secrets: only the variables' names are shown.
impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Process => f.write_str("Process"),
            Environment::Vars(vars) => f.debug_set().entries(vars.keys()).finish(),
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
