//! The end of every sign-in, credentials and OAuth alike: the `sign_in` callback, the user
//! found or created in the database (with an adapter), the session (a token under the jwt
//! strategy, a session row under the database one), the redirect to the callback URL.

use serde_json::Value;

use super::{Ctx, FlowError, Inner, Reply, Req, Strategy, database, events};
use crate::adapter::Adapter;
use crate::config::{
    Account, AccountType, CreateUserEventArgs, Credentials, LinkAccountEventArgs, Profile,
    SessionUserData, SignInArgs, SignInDecision, SignInEventArgs, TokenData, Trigger, User,
};
use crate::cookies::{self, SetCookie};

/// Who is signing in, as the provider returned them.
pub(crate) struct SignIn {
    pub(crate) user: User,
    pub(crate) account: Account,
    /// The OAuth/OIDC profile (`None` for credentials).
    pub(crate) profile: Option<Profile>,
    /// The submitted credentials (`None` for OAuth/OIDC).
    pub(crate) credentials: Option<Credentials>,
    /// The provider's `allow_dangerous_email_account_linking`.
    pub(crate) allow_email_linking: bool,
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// `sign_in`, then (with an adapter) the user found or created in the database, then
    /// the session: under the jwt strategy the default token, `jwt` (trigger
    /// `signIn`/`signUp`, user present) and the encrypted cookie; under the database
    /// strategy a session row and its id in the cookie. Finally the redirect to the
    /// callback URL.
    pub(crate) async fn sign_in_tail(
        &self,
        ctx: &Ctx<'_>,
        req: &Req,
        sign_in: SignIn,
    ) -> Result<Reply, FlowError> {
        self.sign_in_tail_with(ctx, req, sign_in, Vec::new()).await
    }

    /// [`sign_in_tail`](Self::sign_in_tail) of a sign-in whose methods are recorded: `amr`
    /// (RFC 8176 names, `["pwd", "otp"]` after a second factor) goes to `sign_in`, into the
    /// default token (`jwt` sees it) or onto the database session.
    pub(crate) async fn sign_in_tail_with(
        &self,
        ctx: &Ctx<'_>,
        req: &Req,
        sign_in: SignIn,
        amr: Vec<String>,
    ) -> Result<Reply, FlowError> {
        let SignIn {
            user,
            account,
            profile,
            credentials,
            allow_email_linking,
        } = sign_in;
        if let Some(redirect) = self
            .run_sign_in(ctx, &user, &account, &profile, credentials, &amr)
            .await?
        {
            return Ok(redirect);
        }
        let (user, is_new_user) = match &self.adapter {
            None => (user, false),
            Some(db) => {
                self.store_user(&**db, &user, &account, allow_email_linking)
                    .await?
            }
        };
        // What the `sign_in` event receives: the sign-in, with the user as stored.
        let signed_in = SignInEventArgs {
            user,
            account,
            profile,
            is_new_user,
        };
        let cookies = match &self.strategy {
            Strategy::Database(db) => {
                self.start_database_session_with(ctx, &**db, signed_in, &amr)
                    .await?
            }
            Strategy::Jwt => self.start_jwt_session_with(ctx, signed_in, &amr).await?,
        };
        let (callback_url, callback_cookie) =
            self.callback_url(ctx, req.callback_url_param()).await;
        Ok(Reply::redirect(callback_url)
            .with_cookies(cookies)
            .with_cookies(callback_cookie))
    }

    /// Runs `sign_in`: `Ok(None)` to go on, `Ok(Some(redirect))` when it returned a URL,
    /// [`FlowError::AccessDenied`] when it refused.
    pub(super) async fn run_sign_in(
        &self,
        ctx: &Ctx<'_>,
        user: &User,
        account: &Account,
        profile: &Option<Profile>,
        credentials: Option<Credentials>,
        amr: &[String],
    ) -> Result<Option<Reply>, FlowError> {
        let Some(f) = &self.config.sign_in else {
            return Ok(None);
        };
        tracing::debug!(callback = "sign_in", provider = %account.provider, "callback ran");
        // A credentials sign-in's request is already read.
        let request = match &credentials {
            Some(c) => c.request().clone(),
            None => self.request_info(ctx),
        };
        let decision = f(SignInArgs {
            user: user.clone(),
            account: account.clone(),
            profile: profile.clone(),
            credentials,
            request,
            amr: amr.to_vec(),
        })
        .await;
        match decision {
            SignInDecision::Allow => Ok(None),
            SignInDecision::Deny => Err(FlowError::AccessDenied),
            SignInDecision::Redirect(url) => {
                tracing::info!(provider = %account.provider, "sign-in refused: `sign_in` returned a redirect");
                let to = self.run_redirect(ctx, &url).await;
                Ok(Some(Reply::redirect(to)))
            }
        }
    }

    /// Finds or creates the user in the database (firing `create_user` and
    /// `link_account`); returns the stored user and whether it is new. Also used by the
    /// server-side sign-in (`server.rs`).
    pub(super) async fn store_user(
        &self,
        db: &dyn Adapter,
        user: &User,
        account: &Account,
        allow_email_linking: bool,
    ) -> Result<(User, bool), FlowError> {
        let mut stored = match account.kind {
            AccountType::Credentials => {
                let stored = database::credentials_sign_in(db, user).await?;
                // The sign-in may have written the user's profile back: this server's
                // other sessions of the user read it again.
                if let Some(rows) = &self.session_rows {
                    rows.forget_user(&stored.user.id);
                }
                stored
            }
            // A passkey's user was just read from the database.
            AccountType::Webauthn => database::SignedInUser::found(user.clone()),
            AccountType::Email => {
                let verified = crate::util::unix_secs(self.now());
                let stored = database::email_sign_in(db, user, verified).await?;
                // `email_verified` was written back: this server's other sessions of the
                // user read it again.
                if let Some(rows) = &self.session_rows {
                    rows.forget_user(&stored.user.id);
                }
                stored
            }
            _ => database::oauth_sign_in(db, user, account, allow_email_linking).await?,
        };
        // The adapters do not store `extra` (`auth! { user: { .. } }`): the provider's
        // goes on with the stored user, to `jwt`.
        for (key, value) in &user.extra {
            stored
                .user
                .extra
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }
        let events = &self.config.events;
        if stored.created {
            events::fire(
                "create_user",
                events.create_user.as_ref(),
                CreateUserEventArgs {
                    user: stored.user.clone(),
                },
            );
        }
        if stored.linked {
            events::fire(
                "link_account",
                events.link_account.as_ref(),
                LinkAccountEventArgs {
                    user: stored.user.clone(),
                    account: account.clone(),
                },
            );
        }
        Ok((stored.user, stored.created))
    }

    /// The database strategy: a session row, its id in the cookie.
    pub(super) async fn start_database_session(
        &self,
        ctx: &Ctx<'_>,
        db: &dyn Adapter,
        signed_in: SignInEventArgs,
    ) -> Result<Vec<SetCookie>, FlowError> {
        self.start_database_session_with(ctx, db, signed_in, &[])
            .await
    }

    /// [`start_database_session`](Self::start_database_session), recording `amr` on the
    /// row when there is one.
    async fn start_database_session_with(
        &self,
        ctx: &Ctx<'_>,
        db: &dyn Adapter,
        signed_in: SignInEventArgs,
        amr: &[String],
    ) -> Result<Vec<SetCookie>, FlowError> {
        let (id, row) =
            database::start_session(db, &signed_in.user.id, self.config.max_age, ctx.now_secs())
                .await?;
        if !amr.is_empty()
            && let Some(key) = database::session_key(db, &id)
        {
            db.set_session_amr(&key, amr).await?;
        }
        tracing::info!(provider = %signed_in.account.provider, new_user = signed_in.is_new_user, "signed in (database session)");
        self.fire_sign_in(signed_in);
        Ok(cookies::write_chunked(
            &ctx.cookies,
            &ctx.scheme.names.session_token,
            &id,
            crate::util::from_unix_secs(row.expires),
            ctx.secure(),
        ))
    }

    /// The jwt strategy: the default token, `jwt`, the encrypted cookie (cleared when `jwt`
    /// returns `None`).
    pub(super) async fn start_jwt_session(
        &self,
        ctx: &Ctx<'_>,
        signed_in: SignInEventArgs,
    ) -> Result<Vec<SetCookie>, FlowError> {
        self.start_jwt_session_with(ctx, signed_in, &[]).await
    }

    /// [`start_jwt_session`](Self::start_jwt_session) with `amr` in the default token (and
    /// kept in the cookie whatever `jwt` returns, as the version claim is).
    async fn start_jwt_session_with(
        &self,
        ctx: &Ctx<'_>,
        signed_in: SignInEventArgs,
        amr: &[String],
    ) -> Result<Vec<SetCookie>, FlowError> {
        let SignInEventArgs {
            user,
            account,
            profile,
            is_new_user,
        } = signed_in;
        if let Some(check) = &self.config.user_check {
            check(&user).map_err(|e| {
                FlowError::Configuration(format!(
                    "the signed-in user does not fit the `User` type of `auth! {{ user: .. }}`: {e}"
                ))
            })?;
        }
        let mut claims = super::session::user_claims(&user);
        claims.insert("sub".to_owned(), Value::String(user.id.clone()));
        let amr_claim = (!amr.is_empty())
            .then(|| Value::Array(amr.iter().cloned().map(Value::String).collect()));
        if let Some(amr) = &amr_claim {
            claims.insert(super::session::AMR_CLAIM.to_owned(), amr.clone());
        }
        let token: T = serde_json::from_value(Value::Object(claims)).map_err(|e| {
            FlowError::Configuration(format!(
                "the default token does not fit the Token type: {}",
                super::session::claims_error(&e)
            ))
        })?;

        let name = &ctx.scheme.names.session_token;
        let provider = account.provider.clone();
        let event = self
            .config
            .events
            .sign_in
            .as_ref()
            .map(|_| SignInEventArgs {
                user: user.clone(),
                account: account.clone(),
                profile: profile.clone(),
                is_new_user,
            });
        let trigger = if is_new_user {
            Trigger::SignUp
        } else {
            Trigger::SignIn
        };
        let token = self
            .run_jwt(
                token,
                Some(user),
                Some(account),
                profile,
                Some(trigger),
                None,
            )
            .await;
        let Some(token) = token else {
            tracing::info!(provider = %provider, cookie = %name, "the `jwt` callback returned None on sign-in; session cookie cleared");
            return Ok(cookies::clear_chunked(&ctx.cookies, name, ctx.secure()));
        };
        let claims = super::session::token_json(&token).map_err(FlowError::Configuration)?;
        let user_id = super::revocation::json_subject(&claims);
        let version = self.sign_in_version(user_id.as_deref(), ctx.now).await?;
        let encoded = self
            .encode_token_json(ctx, &claims, version, amr_claim.as_ref())
            .map_err(FlowError::Configuration)?;
        let expires = cookies::expires_in(ctx.now, self.config.max_age);
        tracing::info!(provider = %provider, "signed in");
        if let Some(args) = event {
            self.fire_sign_in(args);
        }
        Ok(cookies::write_chunked(
            &ctx.cookies,
            name,
            &encoded,
            expires,
            ctx.secure(),
        ))
    }

    /// The `sign_in` event.
    fn fire_sign_in(&self, args: SignInEventArgs) {
        events::fire("sign_in", self.config.events.sign_in.as_ref(), args);
    }
}
