//! The errors an endpoint ends with, and the answer each gets: Auth.js's redirect to the
//! sign-in or error page with `?error=<type>`, or `503` when the database is unavailable.

use http::{Method, StatusCode};

use super::database::SignInError;
use super::{Action, Reply, Req};
use crate::adapter::AdapterError;
use crate::config::Pages;
use crate::cookies::SetCookie;
use crate::url::Origin;

/// The Auth.js errors the flow ends with. `type` goes to the client; the detail is logged.
#[derive(Debug)]
pub(crate) enum FlowError {
    /// CSRF check failed (`MissingCSRF`, sign-in page).
    MissingCsrf(&'static str),
    /// `authorize` refused (`CredentialsSignin&code=<code>`, sign-in page); the cookie
    /// carrying its message to the built-in page (`credentials_error.rs`), if any.
    CredentialsSignin(crate::config::CredentialsError, Vec<SetCookie>),
    /// `sign_in` returned false (`AccessDenied`, error page).
    AccessDenied,
    /// An OAuth callback failed (`OAuthCallbackError`, sign-in page); the spent check
    /// cookies to clear.
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    OAuthCallback(String, Vec<SetCookie>),
    /// The OAuth account's e-mail belongs to another user and the provider does not allow
    /// linking (`OAuthAccountNotLinked`, sign-in page); the spent check cookies to clear.
    AccountNotLinked(Vec<SetCookie>),
    /// An OAuth sign-in could not start: the provider's discovery document or
    /// configuration is unreachable or broken (`OAuthSignin`, sign-in page).
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    OAuthSignin(String),
    /// A sign-in rate limit refused the attempt before `authorize` (`TooManyAttempts`:
    /// `429` with `Retry-After` for JSON callers, else the sign-in page); the wait.
    TooManyAttempts(std::time::Duration),
    /// A passkey ceremony was refused (`WebAuthnVerificationError`, sign-in page); the spent
    /// challenge cookie to clear.
    #[cfg_attr(not(feature = "passkey"), allow(dead_code))]
    WebAuthn(String, Vec<SetCookie>),
    /// An e-mail sign-in link cannot be used: unknown, spent, expired, tampered with or made
    /// for another address (`Verification`, error page, 403); the detail is logged.
    #[cfg_attr(not(feature = "email"), allow(dead_code))]
    Verification(&'static str),
    /// The address of an e-mail sign-in is not a valid single address (`EmailSignin`,
    /// sign-in page; Auth.js answers `Configuration`).
    #[cfg_attr(not(feature = "email"), allow(dead_code))]
    EmailSignin,
    /// The database cannot be reached (503 with a JSON body, no redirect).
    Unavailable(String),
    /// Anything else (`Configuration`, error page).
    Configuration(String),
}

impl From<SignInError> for FlowError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::AccountNotLinked => FlowError::AccountNotLinked(Vec::new()),
            SignInError::Adapter(e) if e.is_unavailable() => FlowError::Unavailable(e.to_string()),
            other => FlowError::Configuration(format!("database sign-in failed: {other}")),
        }
    }
}

impl From<AdapterError> for FlowError {
    fn from(e: AdapterError) -> Self {
        if e.is_unavailable() {
            FlowError::Unavailable(e.to_string())
        } else {
            FlowError::Configuration(format!("database error: {e}"))
        }
    }
}

/// `TooManyAttempts`: a JSON caller gets `429` with `Retry-After` and
/// `{"error", "message", "url"}` (`url` the sign-in page with the error, what Auth.js's
/// client reads), a browser the redirect to that page, `Retry-After` too.
fn too_many_attempts(url: String, wait: std::time::Duration, json: bool) -> Reply {
    // Whole seconds, rounded up, at least 1.
    let secs = wait
        .as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
        .max(1);
    let mut reply = if json {
        Reply::json(
            StatusCode::TOO_MANY_REQUESTS,
            &serde_json::json!({
                "error": "TooManyAttempts",
                "message": crate::pages::sign_in_error_message("TooManyAttempts"),
                "url": url,
            }),
        )
        .no_store()
    } else {
        Reply::redirect(url)
    };
    reply
        .headers
        .insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    reply
}

impl FlowError {
    /// Logs the error and answers it as Auth.js does: `503` when the database is
    /// unavailable, `400 null` for a failed `POST /session`, else a redirect to the sign-in
    /// or error page (`pages`, or the built-in one under `base_path`) with `?error=<type>`,
    /// clearing the spent OAuth check cookies.
    pub(crate) fn into_reply(
        self,
        req: &Req,
        pages: &Pages,
        base_path: &str,
        origin: &Origin,
    ) -> Reply {
        // A fault `authorize`'s conversion reported is not a refusal.
        let this = match self {
            FlowError::CredentialsSignin(e, cookies) => match e.fault_detail() {
                Some(detail) => FlowError::Configuration(detail.to_owned()),
                None => FlowError::CredentialsSignin(e, cookies),
            },
            other => other,
        };
        this.into_reply_inner(req, pages, base_path, origin)
    }

    /// [`into_reply`](Self::into_reply) of an error that is what it says.
    fn into_reply_inner(self, req: &Req, pages: &Pages, base_path: &str, origin: &Origin) -> Reply {
        self.log(req.action.name());
        if matches!(self, FlowError::Unavailable(_)) {
            return Reply::unavailable();
        }
        if req.action == Action::Session && req.method == Method::POST {
            // Auth.js: a failed POST /session is an API error, not a page redirect.
            return Reply::json(StatusCode::BAD_REQUEST, &serde_json::Value::Null);
        }
        let (to_sign_in, kind) = self.kind_and_type();
        let (configured, default) = if to_sign_in {
            (&pages.sign_in, "signin")
        } else {
            (&pages.error, "error")
        };
        let page = super::context::page_url(origin, configured.as_deref(), base_path, default);
        let code = match &self {
            FlowError::CredentialsSignin(refused, _) => Some(refused.code().to_owned()),
            _ => None,
        };
        let mut pairs = vec![("error", kind)];
        if let Some(code) = &code {
            pairs.push(("code", code));
        }
        let url = crate::url::with_query(&page, &pairs);
        if let FlowError::TooManyAttempts(wait) = self {
            return too_many_attempts(url, wait, req.wants_json);
        }
        let cookies = match self {
            FlowError::OAuthCallback(_, cookies)
            | FlowError::AccountNotLinked(cookies)
            | FlowError::CredentialsSignin(_, cookies)
            | FlowError::WebAuthn(_, cookies) => cookies,
            _ => Vec::new(),
        };
        Reply::redirect(url).with_cookies(cookies)
    }

    fn kind_and_type(&self) -> (bool, &'static str) {
        // (goes to the sign-in page, error type)
        match self {
            FlowError::MissingCsrf(_) => (true, "MissingCSRF"),
            FlowError::CredentialsSignin(..) => (true, "CredentialsSignin"),
            FlowError::AccessDenied => (false, "AccessDenied"),
            FlowError::OAuthCallback(..) => (true, "OAuthCallbackError"),
            FlowError::OAuthSignin(_) => (true, "OAuthSignin"),
            FlowError::AccountNotLinked(_) => (true, "OAuthAccountNotLinked"),
            FlowError::TooManyAttempts(_) => (true, "TooManyAttempts"),
            FlowError::WebAuthn(..) => (true, "WebAuthnVerificationError"),
            FlowError::Verification(_) => (false, "Verification"),
            FlowError::EmailSignin => (true, "EmailSignin"),
            FlowError::Unavailable(_) => (false, "ServiceUnavailable"),
            FlowError::Configuration(_) => (false, "Configuration"),
        }
    }

    fn log(&self, action: &str) {
        match self {
            FlowError::MissingCsrf(reason) => {
                tracing::warn!(action, reason, "CSRF check failed (MissingCSRF)")
            }
            FlowError::CredentialsSignin(refused, _) => {
                tracing::info!(
                    action,
                    code = refused.code(),
                    "sign-in refused: `authorize` returned no user (CredentialsSignin)"
                )
            }
            FlowError::AccessDenied => {
                tracing::info!(
                    action,
                    "sign-in refused: the `sign_in` callback denied it (AccessDenied)"
                )
            }
            FlowError::OAuthCallback(reason, _) => {
                tracing::warn!(action, reason = %reason, "OAuth callback failed (OAuthCallbackError)")
            }
            FlowError::OAuthSignin(reason) => {
                tracing::warn!(action, reason = %reason, "OAuth sign-in could not start (OAuthSignin)")
            }
            FlowError::AccountNotLinked(_) => {
                tracing::info!(
                    action,
                    "sign-in refused: the e-mail belongs to another user and linking is not allowed (OAuthAccountNotLinked)"
                )
            }
            FlowError::TooManyAttempts(wait) => {
                tracing::info!(
                    action,
                    retry_after_secs = wait.as_secs(),
                    "sign-in refused: too many attempts (TooManyAttempts)"
                )
            }
            FlowError::WebAuthn(reason, _) => {
                tracing::warn!(action, reason = %reason, "passkey ceremony refused (WebAuthnVerificationError)")
            }
            FlowError::Verification(reason) => {
                tracing::info!(
                    action,
                    reason,
                    "e-mail sign-in refused: the link is not valid (Verification)"
                )
            }
            FlowError::EmailSignin => {
                tracing::info!(
                    action,
                    "e-mail sign-in refused: the address is not valid (EmailSignin)"
                )
            }
            FlowError::Unavailable(reason) => {
                tracing::error!(action, reason = %reason, "request failed: the database is unavailable (503)")
            }
            FlowError::Configuration(reason) => {
                tracing::error!(action, reason = %reason, "request failed (Configuration)")
            }
        }
    }
}
