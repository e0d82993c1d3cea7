//! `POST /callback/credentials` and `GET /callback/:provider` (OAuth/OIDC return), and
//! the sign-in tail both share: `sign_in`, default token, `jwt`, session cookie, redirect.

use http::{Method, StatusCode};
use serde_json::{Map, Value};

use super::{Ctx, FlowError, Reply, Req, events};
use crate::adapter;
use crate::auth::{Inner, Strategy};
use crate::config::{
    Account, AccountType, CreateUserEventArgs, Credentials, LinkAccountEventArgs, OAuthProvider,
    Profile, Provider, SessionUserData, SignInArgs, SignInDecision, SignInEventArgs, TokenData,
    Trigger, User,
};
use crate::cookies::{self, SetCookie};
use crate::jwt::JwtCodec;
use crate::providers::oauth::Checks;
use crate::util::uuid_v4;

pub(crate) async fn handle<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    let id = req.provider.as_deref().unwrap_or_default();
    let Some(provider) = inner.config.providers.iter().find(|p| p.id() == id) else {
        return Err(FlowError::Configuration(format!(
            "callback for unknown provider `{id}`"
        )));
    };
    match provider {
        Provider::Credentials(p) => {
            if req.method != Method::POST {
                let mut reply = Reply::bad_request(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    "the credentials callback takes a POST with the sign-in form",
                );
                reply
                    .headers
                    .insert(http::header::ALLOW, http::HeaderValue::from_static("POST"));
                return Ok(reply);
            }
            inner.verify_csrf(ctx, req)?;
            let credentials = Credentials::new(
                req.body
                    .fields
                    .iter()
                    .filter(|(k, _)| k != "csrfToken" && k != "callbackUrl")
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            let Some(mut user) = (p.authorize)(credentials.clone()).await else {
                return Err(FlowError::CredentialsSignin);
            };
            // With an adapter an id-less user is found by e-mail (or created) in the database.
            if user.id.is_empty() && inner.adapter.is_none() {
                user.id = uuid_v4();
            }
            let account = Account {
                provider: p.id.clone(),
                provider_account_id: user.id.clone(),
                kind: AccountType::Credentials,
                ..Account::default()
            };
            inner
                .sign_in_tail(ctx, req, user, account, None, Some(credentials), false)
                .await
        }
        Provider::OAuth(p) => oauth_callback(inner, ctx, req, p).await,
    }
}

fn open_check(codec: &JwtCodec, value: &str, provider: &str, now: i64) -> Result<String, String> {
    let claims = codec.decode(value, now).map_err(|e| e.to_string())?;
    if claims.get("provider").and_then(Value::as_str) != Some(provider) {
        return Err("made for another provider".to_owned());
    }
    claims
        .get("value")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "no value".to_owned())
}

async fn oauth_callback<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
    provider: &OAuthProvider,
) -> Result<Reply, FlowError> {
    let Some(codecs) = ctx.scheme.checks.as_ref() else {
        return Err(FlowError::Configuration(
            "no check-cookie keys for OAuth".to_owned(),
        ));
    };
    let names = &ctx.scheme.names;
    // Read and clear every check cookie, whatever happens next.
    let mut cleared = Vec::new();
    let mut checks = Checks::default();
    let mut failure = None;
    for (name, codec, slot) in [
        (&names.state, &codecs.state, &mut checks.state),
        (
            &names.pkce_code_verifier,
            &codecs.pkce,
            &mut checks.code_verifier,
        ),
        (&names.nonce, &codecs.nonce, &mut checks.nonce),
    ] {
        let Some(raw) = ctx.cookies.get(name).filter(|v| !v.is_empty()) else {
            continue;
        };
        cleared.push(SetCookie::clear(name, ctx.secure()));
        match open_check(codec, raw, &provider.id, ctx.now_secs()) {
            Ok(v) => *slot = Some(v),
            Err(e) => failure = Some(format!("the `{name}` cookie is not valid: {e}")),
        }
    }
    if let Some(reason) = failure {
        tracing::info!(provider = %provider.id, "OAuth check cookies cleared");
        return Err(FlowError::OAuthCallback(reason, cleared));
    }
    // `response_mode=form_post` returns in the body; otherwise the query.
    let params: Vec<(String, String)> = if req.method == Method::POST {
        req.body.fields.clone()
    } else {
        req.query.clone()
    };
    let redirect_uri = inner.action_url(ctx, &format!("callback/{}", provider.id));
    let signed_in = match inner
        .oauth
        .callback(provider, &redirect_uri, &params, &checks)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            // The check cookies are spent either way.
            tracing::info!(provider = %provider.id, "OAuth check cookies cleared");
            return Err(FlowError::OAuthCallback(e.to_string(), cleared));
        }
    };
    let reply = match inner
        .sign_in_tail(
            ctx,
            req,
            signed_in.user,
            signed_in.account,
            Some(signed_in.profile),
            None,
            provider.allow_dangerous_email_account_linking,
        )
        .await
    {
        Ok(reply) => reply,
        // The check cookies are spent: clear them on the way to the sign-in page.
        Err(FlowError::AccountNotLinked(_)) => return Err(FlowError::AccountNotLinked(cleared)),
        Err(e) => return Err(e),
    };
    Ok(reply.with_cookies(cleared))
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// The end of every sign-in: `sign_in`, then (with an adapter) the user found or
    /// created in the database, then the session: under the jwt strategy the default
    /// token, `jwt` (trigger `signIn`/`signUp`, user present) and the encrypted cookie;
    /// under the database strategy a session row and its id in the cookie. Finally the
    /// redirect to the callback URL.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn sign_in_tail(
        &self,
        ctx: &Ctx<'_>,
        req: &Req,
        user: User,
        account: Account,
        profile: Option<Profile>,
        credentials: Option<Credentials>,
        allow_email_linking: bool,
    ) -> Result<Reply, FlowError> {
        if let Some(f) = &self.config.sign_in {
            tracing::debug!(callback = "sign_in", provider = %account.provider, "callback ran");
            let decision = f(SignInArgs {
                user: user.clone(),
                account: account.clone(),
                profile: profile.clone(),
                credentials,
            })
            .await;
            match decision {
                SignInDecision::Allow => {}
                SignInDecision::Deny => return Err(FlowError::AccessDenied),
                SignInDecision::Redirect(url) => {
                    tracing::info!(provider = %account.provider, "sign-in refused: `sign_in` returned a redirect");
                    let to = self.run_redirect(ctx, &url).await;
                    return Ok(Reply::redirect(to));
                }
            }
        }

        let mut is_new_user = false;
        let user = match &self.adapter {
            None => user,
            Some(db) => {
                let stored = match account.kind {
                    AccountType::Credentials => adapter::credentials_sign_in(&**db, &user).await?,
                    _ => {
                        adapter::oauth_sign_in(&**db, &user, &account, allow_email_linking).await?
                    }
                };
                is_new_user = stored.created;
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
                stored.user
            }
        };

        if let Strategy::Database(db) = &self.strategy {
            let (id, row) = adapter::start_session(&**db, &user.id, self.config.max_age).await?;
            let expires = crate::util::from_unix_secs(row.expires);
            let name = &ctx.scheme.names.session_token;
            tracing::info!(provider = %account.provider, new_user = is_new_user, "signed in (database session)");
            events::fire(
                "sign_in",
                self.config.events.sign_in.as_ref(),
                SignInEventArgs {
                    user,
                    account,
                    profile,
                    is_new_user,
                },
            );
            let cookies = cookies::write_chunked(
                &ctx.cookies,
                name,
                &id.to_cookie_value(),
                expires,
                ctx.secure(),
            );
            let (callback_url, callback_cookie) =
                self.callback_url(ctx, req.callback_url_param()).await;
            return Ok(Reply::redirect(callback_url)
                .with_cookies(cookies)
                .with_cookies(callback_cookie));
        }

        let mut claims = Map::new();
        for (k, v) in [
            ("name", &user.name),
            ("email", &user.email),
            ("picture", &user.image),
        ] {
            if let Some(v) = v {
                claims.insert(k.to_owned(), Value::String(v.clone()));
            }
        }
        claims.insert("sub".to_owned(), Value::String(user.id.clone()));
        let token: T = serde_json::from_value(Value::Object(claims)).map_err(|e| {
            FlowError::Configuration(format!(
                "the default token does not fit the Token type: {e}"
            ))
        })?;

        let name = &ctx.scheme.names.session_token;
        let cookies = match self.strategy {
            Strategy::Database(_) => Vec::new(),
            Strategy::Jwt => {
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
                match self
                    .run_jwt(
                        token,
                        Some(user),
                        Some(account),
                        profile,
                        Some(if is_new_user {
                            Trigger::SignUp
                        } else {
                            Trigger::SignIn
                        }),
                        None,
                    )
                    .await
                {
                    None => {
                        tracing::info!(provider = %provider, cookie = %name, "the `jwt` callback returned None on sign-in; session cookie cleared");
                        cookies::clear_chunked(&ctx.cookies, name, ctx.secure())
                    }
                    Some(token) => {
                        let encoded = self
                            .encode_token(ctx, &token)
                            .map_err(FlowError::Configuration)?;
                        let expires = cookies::expires_in(ctx.now, self.config.max_age);
                        tracing::info!(provider = %provider, "signed in");
                        if let Some(args) = event {
                            events::fire("sign_in", self.config.events.sign_in.as_ref(), args);
                        }
                        cookies::write_chunked(&ctx.cookies, name, &encoded, expires, ctx.secure())
                    }
                }
            }
        };
        let (callback_url, callback_cookie) =
            self.callback_url(ctx, req.callback_url_param()).await;
        Ok(Reply::redirect(callback_url)
            .with_cookies(cookies)
            .with_cookies(callback_cookie))
    }
}
