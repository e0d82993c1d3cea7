//! Why `authorize` refused a sign-in: Auth.js 5's `CredentialsSignin` with its `code`.

/// A refused credentials sign-in, returned by `authorize` as `Err(..)` (`None` is the same
/// with the default code `credentials`).
///
/// The code reaches the client (`/signin?error=CredentialsSignin&code=<code>`, and the JSON
/// answer's `url`), so it is restricted to `[A-Za-z0-9_-]{1,64}`; any other code becomes
/// `credentials`, so attacker-controlled text is never reflected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("credentials sign-in refused (code `{code}`)")]
pub struct CredentialsError {
    code: String,
    message: Option<String>,
    /// Not a refusal but a fault of the configuration (the typed user of `auth! { user:
    /// .. }` could not be converted): answered `Configuration`, the detail logged.
    fault: Option<String>,
}

impl CredentialsError {
    /// The code of `None` and of a code that is not `[A-Za-z0-9_-]{1,64}`.
    pub const DEFAULT_CODE: &'static str = "credentials";

    /// A refusal with this code (`"locked"`, `"totp_required"`, ..).
    pub fn new(code: impl Into<String>) -> Self {
        let code = code.into();
        let valid = (1..=64).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        CredentialsError {
            code: if valid {
                code
            } else {
                Self::DEFAULT_CODE.to_owned()
            },
            message: None,
            fault: None,
        }
    }

    /// A fault of the configuration rather than a refusal (see `fault`).
    pub(crate) fn fault(detail: String) -> Self {
        CredentialsError {
            fault: Some(detail),
            ..CredentialsError::default()
        }
    }

    /// The detail of a fault, if this is one.
    pub(crate) fn fault_detail(&self) -> Option<&str> {
        self.fault.as_deref()
    }

    /// Adds a message for the user. It is not sent in the URL: the built-in sign-in page
    /// shows it (escaped, its first 300 characters), carried by a short-lived encrypted
    /// cookie that only the failed sign-in's redirect sets and the page clears. A custom
    /// `pages.sign_in` does not receive it (read `code` there).
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The code sent to the client.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl Default for CredentialsError {
    fn default() -> Self {
        CredentialsError::new(Self::DEFAULT_CODE)
    }
}

/// Types `authorize` may return: `Option<U>` (`None` refuses with the default code) or
/// `Result<U, CredentialsError>`, where `U` is the runtime's [`User`](super::User), or the
/// `User` that `auth!` generates when it declares `user: { .. }`.
///
/// Named after what it describes, so that a compile error about an `authorize` returning
/// another type reads in the words of `auth!`; `auth!` calls it on the value the user's
/// `authorize` returns. Implemented for those two types only (sealed).
#[diagnostic::on_unimplemented(
    message = "`authorize` must return `Option<{U}>` or `Result<{U}, CredentialsError>`, not `{Self}`",
    label = "this `authorize` returns `{Self}`",
    note = "return `Some(user)` or `None`, or `Ok(user)` or `Err(CredentialsError::new(\"code\"))`, where `user` is of type `{U}`"
)]
pub trait AuthorizeReturn<U> {
    /// Converts to the outcome the flow reads.
    fn into_outcome(self) -> Result<U, CredentialsError>;
}

// One blanket impl over a sealed trait: rustc then names no impl of the runtime when
// another type is returned, only the message above.
#[diagnostic::do_not_recommend]
impl<U, R: sealed::Outcome<U>> AuthorizeReturn<U> for R {
    fn into_outcome(self) -> Result<U, CredentialsError> {
        sealed::Outcome::into_result(self)
    }
}

mod sealed {
    use super::{CredentialsError, OkOrDefault};

    /// The types [`AuthorizeReturn`](super::AuthorizeReturn) is implemented for.
    pub trait Outcome<U> {
        /// The outcome the flow reads.
        fn into_result(self) -> Result<U, CredentialsError>;
    }

    impl<U> Outcome<U> for Option<U> {
        fn into_result(self) -> Result<U, CredentialsError> {
            self.ok_or_default()
        }
    }

    impl<U> Outcome<U> for Result<U, CredentialsError> {
        fn into_result(self) -> Result<U, CredentialsError> {
            self
        }
    }
}

/// `Option<User>` into the outcome `authorize` closures built by hand return.
pub trait OkOrDefault<T> {
    /// `Some(v)` is `Ok(v)`, `None` the default [`CredentialsError`].
    fn ok_or_default(self) -> Result<T, CredentialsError>;
}

impl<T> OkOrDefault<T> for Option<T> {
    fn ok_or_default(self) -> Result<T, CredentialsError> {
        self.ok_or_else(CredentialsError::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_restricted() {
        assert_eq!(CredentialsError::new("locked").code(), "locked");
        assert_eq!(
            CredentialsError::new("totp-required_2").code(),
            "totp-required_2"
        );
        for bad in ["", "a b", "<script>", "é", &"x".repeat(65)] {
            assert_eq!(CredentialsError::new(bad).code(), "credentials", "{bad}");
        }
        let e = CredentialsError::new("locked").with_message("Too many attempts");
        assert_eq!(e.message(), Some("Too many attempts"));
        assert_eq!(CredentialsError::default().code(), "credentials");
    }
}
