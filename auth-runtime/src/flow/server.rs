//! Server-side session operations: the application signs a user in (after its own sign-up
//! form, say), signs the request's user out, or updates the session, from its own handler
//! rather than through the REST flow. Each answers the `Set-Cookie` values the application's
//! response must carry ([`SessionChange`]); `crate::Auth::sign_in` and its siblings delegate
//! here.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use serde_json::Value;

use super::{Ctx, FlowError, Inner, StoreStatus, Strategy};
use crate::config::{
    Account, AccountType, Session, SessionUserData, SignInArgs, SignInDecision, SignInEventArgs,
    TokenData, User,
};
use crate::cookies::SetCookie;

/// The provider id a server-side sign-in reports to `sign_in`, `jwt` and the `sign_in` event
/// (`account.provider`); its `account.kind` is [`AccountType::Credentials`].
pub const SERVER_PROVIDER: &str = "server";

/// What a server-side session operation changed: the `Set-Cookie` header values the
/// application's response must carry (and, after an update, the new session).
///
/// Under the `axum` feature it is an `IntoResponseParts`: return `(change, body)` from the
/// handler, or `(change, Redirect::to("/"))`.
#[derive(Clone, Debug)]
pub struct SessionChange<U> {
    /// The session after [`crate::Auth::update_session`] (`None` when the request was signed
    /// out or `jwt` returned `None`); always `None` after a sign-in or a sign-out.
    pub session: Option<Session<U>>,
    /// `Set-Cookie` values for the response: the new session cookie (its chunks), or the
    /// clearing of every chunk.
    pub set_cookies: Vec<http::HeaderValue>,
}

impl<U> SessionChange<U> {
    fn new(session: Option<Session<U>>, cookies: Vec<SetCookie>) -> Self {
        SessionChange {
            session,
            set_cookies: cookies
                .iter()
                .filter_map(SetCookie::to_header_value)
                .collect(),
        }
    }

    /// Appends the `Set-Cookie` values to `headers` (what the axum integration does).
    pub fn apply_to(&self, headers: &mut http::HeaderMap) {
        for value in &self.set_cookies {
            headers.append(http::header::SET_COOKIE, value.clone());
        }
    }
}

/// Why a server-side session operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The request's host is missing, or not trusted (no `AUTH_URL` and no `trust_host`):
    /// the runtime cannot tell which cookies (plain or `__Secure-`) to write.
    #[error("the request's host is missing or not trusted; cannot choose the session cookies")]
    UntrustedHost,
    /// The `sign_in` callback refused the user; `redirect` is the URL it returned, if it
    /// returned one (the application decides where to send the browser).
    #[error("the `sign_in` callback refused this user")]
    AccessDenied {
        /// The URL `sign_in` returned instead of `true`/`false`.
        redirect: Option<String>,
    },
    /// The session database did not answer (database strategy, or a user store): answer
    /// `503` and retry; no cookie was changed.
    #[error("the session database is unavailable: {0}")]
    Unavailable(String),
    /// A callback panicked (logged); nothing was changed.
    #[error("a callback panicked while changing the session; see the server log")]
    CallbackPanicked,
    /// Anything else: the token does not fit the `Token` type, is too large for the cookie,
    /// the user has neither an id nor an e-mail address (with an adapter), a database error.
    #[error("the session could not be changed: {0}")]
    Failed(String),
}

/// The typed `User` of `auth! { user: .. }` did not convert to [`crate::User`]
/// (`auth.sign_in(&parts, user.try_into()?)`): a [`SessionError::Failed`].
impl From<crate::config::UserDataError> for SessionError {
    fn from(e: crate::config::UserDataError) -> Self {
        SessionError::Failed(format!("the user's data does not convert: {e}"))
    }
}

impl From<FlowError> for SessionError {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::AccessDenied => SessionError::AccessDenied { redirect: None },
            FlowError::Unavailable(m) => SessionError::Unavailable(m),
            FlowError::Configuration(m) | FlowError::OAuthSignin(m) => SessionError::Failed(m),
            other => SessionError::Failed(format!("{other:?}")),
        }
    }
}

/// Runs `op`, a panicking callback becoming [`SessionError::CallbackPanicked`].
async fn guarded<R>(
    what: &'static str,
    op: impl Future<Output = Result<R, SessionError>>,
) -> Result<R, SessionError> {
    match AssertUnwindSafe(op).catch_unwind().await {
        Ok(result) => {
            if let Err(e) = &result {
                tracing::info!(operation = what, error = %e, "server-side session operation failed");
            }
            result
        }
        Err(_) => {
            tracing::error!(operation = what, "a callback panicked");
            Err(SessionError::CallbackPanicked)
        }
    }
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    fn server_context<'a>(
        &'a self,
        parts: &'a http::request::Parts,
    ) -> Result<Ctx<'a>, SessionError> {
        self.context(parts).map_err(|_| SessionError::UntrustedHost)
    }

    /// See `crate::Auth::sign_in`.
    pub(crate) async fn server_sign_in(
        &self,
        parts: &http::request::Parts,
        user: User,
        is_new_user: bool,
    ) -> Result<SessionChange<U>, SessionError> {
        let ctx = self.server_context(parts)?;
        guarded(
            "sign_in",
            self.server_sign_in_inner(&ctx, user, is_new_user),
        )
        .await
    }

    async fn server_sign_in_inner(
        &self,
        ctx: &Ctx<'_>,
        user: User,
        is_new_user: bool,
    ) -> Result<SessionChange<U>, SessionError> {
        let account = Account {
            provider: SERVER_PROVIDER.to_owned(),
            provider_account_id: user.id.clone(),
            kind: AccountType::Credentials,
            ..Account::default()
        };
        // `sign_in` is the guard; no `redirect` callback: the application answers.
        if let Some(f) = &self.config.sign_in {
            tracing::debug!(
                callback = "sign_in",
                provider = SERVER_PROVIDER,
                "callback ran"
            );
            let decision = f(SignInArgs {
                user: user.clone(),
                account: account.clone(),
                profile: None,
                credentials: None,
                request: self.request_info(ctx),
                amr: Vec::new(),
            })
            .await;
            match decision {
                SignInDecision::Allow => {}
                SignInDecision::Deny => return Err(SessionError::AccessDenied { redirect: None }),
                SignInDecision::Redirect(url) => {
                    return Err(SessionError::AccessDenied {
                        redirect: Some(url),
                    });
                }
            }
        }
        let (user, created) = match &self.adapter {
            None => (user, false),
            Some(db) => self.store_user(&**db, &user, &account, false).await?,
        };
        let signed_in = SignInEventArgs {
            user,
            account,
            profile: None,
            is_new_user: is_new_user || created,
        };
        let cookies = match &self.strategy {
            Strategy::Database(db) => self.start_database_session(ctx, &**db, signed_in).await?,
            Strategy::Jwt => self.start_jwt_session(ctx, signed_in).await?,
        };
        Ok(SessionChange::new(None, cookies))
    }

    /// See `crate::Auth::sign_out`.
    pub(crate) async fn server_sign_out(
        &self,
        parts: &http::request::Parts,
    ) -> Result<SessionChange<U>, SessionError> {
        let ctx = self.server_context(parts)?;
        guarded("sign_out", async {
            let cleared = super::signout::end_session(self, &ctx).await?;
            Ok(SessionChange::new(None, cleared))
        })
        .await
    }

    /// See `crate::Auth::update_session`.
    pub(crate) async fn server_update(
        &self,
        parts: &http::request::Parts,
        data: Value,
    ) -> Result<SessionChange<U>, SessionError> {
        let ctx = self.server_context(parts)?;
        guarded("update_session", async {
            let read = self.read_session(&ctx, Some(data)).await;
            if read.store == StoreStatus::Unavailable {
                return Err(SessionError::Unavailable(
                    "the session could not be read".to_owned(),
                ));
            }
            Ok(SessionChange::new(read.session, read.cookies))
        })
        .await
    }
}

/// The CSRF check of the application's own forms (`auth_runtime::axum::CsrfForm`): the
/// same double submit as the flow's POSTs, through the one `crate::csrf` implementation.
impl<T, U> Inner<T, U> {
    /// The request's CSRF token, and the cookie value to set when it has none (or a
    /// forged one). `None` when the request's host cannot be trusted.
    pub(crate) fn app_csrf_token(
        &self,
        parts: &http::request::Parts,
    ) -> Option<(String, Option<http::HeaderValue>)> {
        let ctx = self.context(parts).ok()?;
        let name = &ctx.scheme.names.csrf_token;
        let c = crate::csrf::token(ctx.cookies.get(name), &self.csrf_secret);
        let cookie = c
            .new_cookie
            .and_then(|v| SetCookie::new(name, v, ctx.secure()).to_header_value());
        Some((c.token, cookie))
    }

    /// Verifies a form's `csrfToken` against the request's CSRF cookie (constant time);
    /// `Err(reason)` for the log.
    pub(crate) fn app_verify_csrf(
        &self,
        parts: &http::request::Parts,
        submitted: Option<&str>,
    ) -> Result<(), &'static str> {
        let ctx = self
            .context(parts)
            .map_err(|_| "the request's host is missing or not trusted")?;
        crate::csrf::verify(
            ctx.cookies.get(&ctx.scheme.names.csrf_token),
            submitted,
            &self.csrf_secret,
        )
        .map_err(|f| f.reason())
    }
}

/// The test kit's minting (`crate::testing`).
impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// The session cookie for `token` as a sign-in would write it (jwt strategy; no
    /// callback runs): `Set-Cookie` values.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn mint_token_cookie(
        &self,
        parts: &http::request::Parts,
        token: &T,
    ) -> Result<Vec<http::HeaderValue>, SessionError> {
        if !matches!(self.strategy, Strategy::Jwt) {
            return Err(SessionError::Failed(
                "a token cookie needs the jwt strategy; under the database strategy mint a \
                 session for a user"
                    .to_owned(),
            ));
        }
        let ctx = self.server_context(parts)?;
        let encoded = self
            .encode_token(&ctx, token)
            .map_err(SessionError::Failed)?;
        let expires = crate::cookies::expires_in(ctx.now, self.config.max_age);
        let name = &ctx.scheme.names.session_token;
        Ok(
            crate::cookies::write_chunked(&ctx.cookies, name, &encoded, expires, ctx.secure())
                .iter()
                .filter_map(SetCookie::to_header_value)
                .collect(),
        )
    }
}
