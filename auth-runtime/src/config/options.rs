//! The values `auth!` accepts for its options and its application state, as traits named
//! after what they describe: `auth!` calls them on the user's own expression or type, so
//! a value of the wrong type is reported there, in the words of `auth!`.

use super::ConfigValue;

/// Values a duration option takes (`session: { max_age, update_age }`): a number of
/// seconds, `u64`.
#[diagnostic::on_unimplemented(
    message = "a duration in `auth!` is a number of seconds (`u64`), not `{Self}`",
    label = "expected a number of seconds",
    note = "for 30 days, write `30 * 24 * 60 * 60`"
)]
pub trait SecondsValue {
    /// The number of seconds.
    fn into_seconds(self) -> u64;
}

#[diagnostic::do_not_recommend]
impl SecondsValue for u64 {
    fn into_seconds(self) -> u64 {
        self
    }
}

/// Values a yes-or-no option takes (`trust_host`, `trust_proxy`,
/// `allow_dangerous_email_account_linking`): `bool`.
#[diagnostic::on_unimplemented(
    message = "this option of `auth!` is `true` or `false`, not `{Self}`",
    label = "expected `true` or `false`"
)]
pub trait FlagValue {
    /// The flag.
    fn into_flag(self) -> bool;
}

#[diagnostic::do_not_recommend]
impl FlagValue for bool {
    fn into_flag(self) -> bool {
        self
    }
}

/// Values a text option takes (`base_path`, `pages`, a provider's `name` and `scope`):
/// anything that converts into a `String` (`&str`, `String`, ..).
#[diagnostic::on_unimplemented(
    message = "this option of `auth!` is a string, not `{Self}`",
    label = "expected a string (`&str` or `String`)"
)]
pub trait TextValue {
    /// The text.
    fn into_text(self) -> String;
}

#[diagnostic::do_not_recommend]
impl<T: Into<String>> TextValue for T {
    fn into_text(self) -> String {
        self.into()
    }
}

/// Values an option listing strings takes (`allowed_tenants: ["..", ..]`): an array, a
/// `Vec` or any iterator of strings.
#[diagnostic::on_unimplemented(
    message = "this option of `auth!` is a list of strings, not `{Self}`",
    label = "expected a list of strings (`[\"a\", \"b\"]`, a `Vec<String>`)"
)]
pub trait TextListValue {
    /// The strings.
    fn into_texts(self) -> Vec<String>;
}

#[diagnostic::do_not_recommend]
impl<I> TextListValue for I
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    fn into_texts(self) -> Vec<String> {
        self.into_iter().map(Into::into).collect()
    }
}

/// Values a provider's settings take (`client_id`, `client_secret`, `issuer`, the OAuth
/// endpoints): a string written in the configuration, or `env("NAME")` (a [`ConfigValue`]),
/// read when [`Auth::new`](crate::Auth::new) starts.
#[diagnostic::on_unimplemented(
    message = "a provider setting in `auth!` is a string or `env(\"NAME\")`, not `{Self}`",
    label = "expected a string or `env(\"NAME\")`",
    note = "`env(\"NAME\")` reads the environment variable when `Auth::new` starts"
)]
pub trait ProviderValue {
    /// The value.
    fn into_config_value(self) -> ConfigValue;
}

#[diagnostic::do_not_recommend]
impl<T: Into<ConfigValue>> ProviderValue for T {
    fn into_config_value(self) -> ConfigValue {
        self.into()
    }
}

/// Types `auth!` accepts as the application state (`state: AppState`): every handler that
/// binds `state` gets its own clone, in closures that run on any thread, so the state is
/// `Clone + Send + Sync + 'static` (shared data behind an `Arc`, a pool, a handle).
#[diagnostic::on_unimplemented(
    message = "the application state `{Self}` must be `Clone + Send + Sync + 'static`",
    label = "`{Self}` is not `Clone + Send + Sync + 'static`",
    note = "each handler that binds `state` gets its own clone, on any thread: derive `Clone`, and put what is not `Send + Sync` (`RefCell`, `Rc`, ..) behind an `Arc<Mutex<..>>` or similar"
)]
pub trait CallbackState: Sized {
    /// The clone a handler receives.
    fn clone_state(&self) -> Self;
}

#[diagnostic::do_not_recommend]
impl<S: Clone + Send + Sync + 'static> CallbackState for S {
    fn clone_state(&self) -> Self {
        self.clone()
    }
}
