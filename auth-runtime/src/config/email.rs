//! The e-mail sign-in provider ("magic links", Auth.js's `Email`/Nodemailer) and the
//! `send_verification_request` hook that replaces its mail.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use super::{BoxFuture, ConfigValue, EventError};

/// Auth.js's default sender (`from` when none is configured).
pub const DEFAULT_EMAIL_FROM: &str = "Auth.js <no-reply@authjs.dev>";

/// How long a sign-in link is valid by default: 24 hours (Auth.js's `maxAge`).
pub const DEFAULT_EMAIL_MAX_AGE: u64 = 24 * 60 * 60;

/// An e-mail sign-in provider: the sign-in page asks for an address, a one-time link goes
/// there by SMTP (or through [`send_verification_request`](Self::send_verification_request)),
/// and following it signs in, creating the user on first use. Needs an adapter (the tokens
/// and users live in its database).
#[derive(Clone)]
pub struct EmailProvider {
    /// Provider id, `"email"` by default.
    pub id: String,
    /// Display name on the sign-in page (`"Email"`).
    pub name: String,
    /// The SMTP server, read at start-up: `smtps://user:pass@host:465` (TLS),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS). A plain `smtp://` URL without
    /// `tls` is plain text only to a loopback host; to any other host STARTTLS is required.
    pub server: ConfigValue,
    /// The sender (`"Example <no-reply@example.com>"`).
    pub from: String,
    /// How long a link stays valid, in seconds.
    pub max_age: u64,
    /// Replaces the mail: receives the link and sends it some other way.
    pub send_verification_request: Option<SendVerificationRequestFn>,
}

impl fmt::Debug for EmailProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailProvider")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("server", &self.server)
            .field("from", &self.from)
            .field("max_age", &self.max_age)
            .field(
                "send_verification_request",
                &self.send_verification_request.is_some(),
            )
            .finish()
    }
}

/// What `send_verification_request` receives (Auth.js's `sendVerificationRequest`
/// parameters): where the link goes and the link itself. `Debug` hides the token and URL.
#[derive(Clone)]
#[non_exhaustive]
pub struct VerificationRequest {
    /// The address, normalized (NFKC, trimmed, lowercase).
    pub identifier: String,
    /// The sign-in link (`{origin}{base}/callback/{id}?callbackUrl=..&token=..&email=..`).
    pub url: String,
    /// The one-time token in the link (64 hex characters).
    pub token: String,
    /// When the link stops working.
    pub expires: SystemTime,
    /// The provider's id.
    pub provider: String,
    /// The provider's `from`.
    pub from: String,
    /// The link's host (and port), as the default mail names it: `Sign in to {host}`.
    pub host: String,
}

impl fmt::Debug for VerificationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationRequest")
            .field("identifier", &self.identifier)
            .field("url", &"..")
            .field("token", &"..")
            .field("expires", &self.expires)
            .field("provider", &self.provider)
            .field("host", &self.host)
            .finish()
    }
}

/// The `send_verification_request` hook: an `Err` fails the sign-in (`Configuration`).
pub type SendVerificationRequestFn =
    Arc<dyn Fn(VerificationRequest) -> BoxFuture<Result<(), EventError>> + Send + Sync>;

/// What `send_verification_request` returns: `()` or `Result<(), E>` (an `Err` ends the
/// sign-in with `Configuration`, logged).
#[diagnostic::on_unimplemented(
    message = "`send_verification_request` must return `()` or `Result<(), E>`, not `{Self}`",
    label = "this is the value `send_verification_request` returns",
    note = "return `Ok(())` once the link is on its way, or `Err(e)` when it could not be sent"
)]
pub trait SendVerificationRequestReturn {
    /// The outcome.
    fn into_send_outcome(self) -> Result<(), EventError>;
}

#[diagnostic::do_not_recommend]
impl SendVerificationRequestReturn for () {
    fn into_send_outcome(self) -> Result<(), EventError> {
        Ok(())
    }
}

#[diagnostic::do_not_recommend]
impl<E: Into<EventError>> SendVerificationRequestReturn for Result<(), E> {
    fn into_send_outcome(self) -> Result<(), EventError> {
        self.map_err(Into::into)
    }
}
