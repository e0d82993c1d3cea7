//! `POST /callback/credentials` and `GET /callback/:provider` (OAuth/OIDC return); both
//! end in the sign-in tail (`sign_in_tail.rs`).

use http::{Method, StatusCode};
#[cfg(feature = "oauth")]
use serde_json::Value;

use super::sign_in_tail::SignIn;
use super::{Ctx, FlowError, Inner, Reply, Req};
#[cfg(feature = "oauth")]
use crate::config::OAuthProvider;
use crate::config::{
    Account, AccountType, Credentials, CredentialsError, Provider, SessionUserData, TokenData,
};
#[cfg(feature = "oauth")]
use crate::cookies::SetCookie;
#[cfg(feature = "oauth")]
use crate::jwt::JwtCodec;
#[cfg(feature = "oauth")]
use crate::providers::oauth::Checks;
use crate::util::uuid_v4;

pub(crate) async fn handle<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    let id = req.provider.as_deref().unwrap_or_default();
    let Some(provider) = inner.config.providers.iter().find(|p| p.id() == id) else {
        return Ok(Reply::unknown_provider(id));
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
            // Counted before `authorize`: inside a lockout even the right password is refused.
            let identifier = inner
                .identifier_field(p)
                .map(|field| req.body.get(field).unwrap_or_default());
            inner.count_sign_in(ctx, &p.id, identifier).await?;
            let credentials = Credentials::new(
                req.body
                    .fields
                    .iter()
                    .filter(|(k, _)| k != "csrfToken" && k != "callbackUrl")
                    .map(|(k, v)| (k.clone(), v.clone())),
            )
            .with_request(inner.request_info(ctx));
            // A required field missing or empty is refused before `authorize` runs, so the
            // typed form `auth!` generates always has its required fields.
            let complete = p
                .fields
                .iter()
                .filter(|f| f.required)
                .all(|f| credentials.get(&f.name).is_some_and(|v| !v.is_empty()));
            let outcome = if complete {
                (p.authorize)(credentials.clone()).await
            } else {
                Err(CredentialsError::default())
            };
            let mut user = match outcome {
                Ok(user) => user,
                Err(refused) => {
                    inner.fire_sign_in_failed(ctx, &p.id, identifier, &refused);
                    // The message goes to the built-in page only, in a sealed cookie.
                    let cookies = match inner.config.pages.sign_in {
                        None => super::credentials_error::seal(ctx, &refused),
                        Some(_) => Vec::new(),
                    };
                    return Err(FlowError::CredentialsSignin(refused, cookies));
                }
            };
            inner.clear_identifier(identifier).await;
            // A user who enrolled a second factor is asked for it before anything else runs.
            #[cfg(feature = "totp")]
            if let Some(pending) = inner
                .second_factor_pending(ctx, req, p, &user, &credentials)
                .await?
            {
                return Ok(pending);
            }
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
            let sign_in = SignIn {
                user,
                account,
                profile: None,
                credentials: Some(credentials),
                allow_email_linking: false,
            };
            inner.sign_in_tail(ctx, req, sign_in).await
        }
        #[cfg(feature = "passkey")]
        Provider::Passkey(p) => super::passkey::callback(inner, ctx, req, p).await,
        // Refused by `Auth::new` (`ConfigError::PasskeyDisabled`).
        #[cfg(not(feature = "passkey"))]
        Provider::Passkey(p) => Err(FlowError::Configuration(
            crate::ConfigError::PasskeyDisabled(p.id.clone()).to_string(),
        )),
        #[cfg(feature = "oauth")]
        Provider::OAuth(p) => oauth_callback(inner, ctx, req, p).await,
        // Refused by `Auth::new` (`ConfigError::OAuthDisabled`).
        #[cfg(not(feature = "oauth"))]
        Provider::OAuth(p) => Err(FlowError::Configuration(
            crate::ConfigError::OAuthDisabled(p.id.clone()).to_string(),
        )),
        #[cfg(feature = "email")]
        Provider::Email(p) => inner.email_callback(ctx, req, p).await,
        // Refused by `Auth::new` (`ConfigError::EmailDisabled`).
        #[cfg(not(feature = "email"))]
        Provider::Email(p) => Err(FlowError::Configuration(
            crate::ConfigError::EmailDisabled(p.id.clone()).to_string(),
        )),
    }
}

#[cfg(feature = "oauth")]
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

#[cfg(feature = "oauth")]
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
        let clear = SetCookie::clear(name, ctx.secure());
        // Cleared with the attributes it was set with.
        cleared.push(if provider.form_post {
            clear.cross_site()
        } else {
            clear
        });
        match open_check(codec, raw, &provider.id, ctx.now_secs()) {
            Ok(v) => *slot = Some(v),
            Err(e) => failure = Some(format!("the `{name}` cookie is not valid: {e}")),
        }
    }
    if let Some(reason) = failure {
        tracing::info!(provider = %provider.id, "OAuth check cookies cleared");
        return Err(FlowError::OAuthCallback(reason, cleared));
    }
    // `response_mode=form_post` returns in the body; otherwise the query. The pairs as
    // sent, not the last-wins fields: a repeated `state` or `code` is refused either way.
    let params: Vec<(String, String)> = if req.method == Method::POST {
        req.body.pairs.clone()
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
    let sign_in = SignIn {
        user: signed_in.user,
        account: signed_in.account,
        profile: Some(signed_in.profile),
        credentials: None,
        allow_email_linking: provider.allow_dangerous_email_account_linking,
    };
    let reply = match inner.sign_in_tail(ctx, req, sign_in).await {
        Ok(reply) => reply,
        // The check cookies are spent: clear them whatever the answer (the sign-in page,
        // `AccessDenied`, `Configuration`, or the database's 503).
        Err(e) => {
            let base = inner.config.base_path.as_str();
            let reply = e.into_reply(req, &inner.config.pages, base, &ctx.origin);
            return Ok(reply.with_cookies(cleared));
        }
    };
    Ok(reply.with_cookies(cleared))
}
