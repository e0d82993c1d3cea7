//! `GET /signin` (the page, or a redirect to the custom page) and `POST /signin/:provider`
//! (OAuth: 302 to the provider with the check cookies; credentials: back to the page).

#[cfg(feature = "oauth")]
use serde_json::{Map, Value};

use super::Inner;
use super::{Ctx, FlowError, Reply, Req};
#[cfg(feature = "oauth")]
use crate::config::OAuthProvider;
use crate::config::{Provider, SessionUserData, TokenData};
#[cfg(feature = "oauth")]
use crate::cookies::{CHECK_COOKIE_MAX_AGE, SetCookie};
use crate::pages::{PageProvider, SignInPage};

pub(crate) async fn get<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    let (callback_url, callback_cookie) = inner.callback_url(ctx, req.callback_url_param()).await;
    let error = req.query("error").filter(|e| !e.is_empty());
    if let Some(page) = &inner.config.pages.sign_in {
        let mut pairs = vec![("callbackUrl", callback_url.as_str())];
        if let Some(e) = error {
            pairs.push(("error", e));
        }
        return Ok(
            Reply::redirect(crate::url::with_query(page, &pairs)).with_cookies(callback_cookie)
        );
    }
    let (message, message_cookie) = super::credentials_error::open(ctx, error, req.query("code"));
    let providers: Vec<PageProvider> = inner
        .config
        .providers
        .iter()
        .map(|p| match p {
            Provider::Credentials(c) => PageProvider {
                id: c.id.clone(),
                name: c.name.clone(),
                kind: p.kind(),
                action: inner.action_url(ctx, &format!("callback/{}", c.id)),
                fields: c.fields.clone(),
            },
            Provider::OAuth(o) => PageProvider {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: p.kind(),
                action: inner.action_url(ctx, &format!("signin/{}", o.id)),
                fields: Vec::new(),
            },
            Provider::Passkey(k) => PageProvider {
                id: k.id.clone(),
                name: k.name.clone(),
                kind: p.kind(),
                action: inner.action_url(ctx, &format!("callback/{}", k.id)),
                fields: Vec::new(),
            },
            Provider::Email(e) => PageProvider {
                id: e.id.clone(),
                name: e.name.clone(),
                kind: p.kind(),
                action: inner.action_url(ctx, &format!("signin/{}", e.id)),
                fields: vec![crate::pages::email_field()],
            },
        })
        .collect();
    let passkey = inner
        .config
        .providers
        .iter()
        .any(|p| matches!(p, Provider::Passkey(_)));
    let oauth = inner
        .config
        .providers
        .iter()
        .any(|p| matches!(p, Provider::OAuth(_)));
    let page = inner
        .form_page(
            ctx,
            (callback_url, callback_cookie),
            |csrf_token, callback_url| {
                crate::pages::sign_in(&SignInPage {
                    providers: &providers,
                    csrf_token,
                    callback_url,
                    error,
                    message: message.as_deref(),
                })
            },
        )
        .with_cookies(message_cookie);
    let page = if oauth {
        page.allowing_oauth_forms(ctx.secure())
    } else {
        page
    };
    Ok(if passkey {
        page.allowing_passkey_script()
    } else {
        page
    })
}

pub(crate) async fn post<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    let id = req.provider.as_deref().unwrap_or_default();
    let Some(provider) = inner.config.providers.iter().find(|p| p.id() == id) else {
        return Ok(Reply::unknown_provider(id));
    };
    // The callback URL's cookie; an e-mail link carries the URL itself.
    #[cfg_attr(
        not(any(feature = "oauth", feature = "email")),
        allow(unused_variables)
    )]
    let (callback_url, callback_cookie) = inner.callback_url(ctx, req.callback_url_param()).await;
    match provider {
        // Auth.js: signing in with credentials (or a passkey) goes through the sign-in page.
        Provider::Credentials(_) | Provider::Passkey(_) => {
            Ok(Reply::redirect(inner.action_url(ctx, "signin")).with_cookies(callback_cookie))
        }
        #[cfg(feature = "oauth")]
        Provider::OAuth(o) => {
            // The page to return to must cross the provider's POST too: set it again,
            // `SameSite=None`, even when a `Lax` one holds the same value.
            let callback_cookie = if o.form_post {
                let name = &ctx.scheme.names.callback_url;
                Some(SetCookie::new(name, callback_url, ctx.secure()).cross_site())
            } else {
                callback_cookie
            };
            oauth(inner, ctx, o, callback_cookie).await
        }
        // Refused by `Auth::new` (`ConfigError::OAuthDisabled`).
        #[cfg(not(feature = "oauth"))]
        Provider::OAuth(o) => Err(FlowError::Configuration(
            crate::ConfigError::OAuthDisabled(o.id.clone()).to_string(),
        )),
        #[cfg(feature = "email")]
        Provider::Email(e) => {
            inner
                .email_send(ctx, req, e, (callback_url, callback_cookie))
                .await
        }
        // Refused by `Auth::new` (`ConfigError::EmailDisabled`).
        #[cfg(not(feature = "email"))]
        Provider::Email(e) => Err(FlowError::Configuration(
            crate::ConfigError::EmailDisabled(e.id.clone()).to_string(),
        )),
    }
}

/// An OAuth sign-in: the authorization URL and the sealed check cookies.
#[cfg(feature = "oauth")]
async fn oauth<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    provider: &OAuthProvider,
    callback_cookie: Option<SetCookie>,
) -> Result<Reply, FlowError> {
    // An OAuth sign-in POST counts against the per-address limit (it names no identifier).
    inner.count_sign_in(ctx, &provider.id, None).await?;
    let redirect_uri = inner.action_url(ctx, &format!("callback/{}", provider.id));
    let authorization = inner
        .oauth
        .authorize(provider, &redirect_uri)
        .await
        .map_err(|e| {
            FlowError::OAuthSignin(format!(
                "cannot start the sign-in with `{}`: {e}",
                provider.id
            ))
        })?;
    let Some(codecs) = ctx.scheme.checks.as_ref() else {
        return Err(FlowError::Configuration(
            "no check-cookie keys for OAuth".to_owned(),
        ));
    };
    let names = &ctx.scheme.names;
    let mut set = Vec::new();
    let checks = [
        (&authorization.checks.state, &names.state, &codecs.state),
        (
            &authorization.checks.code_verifier,
            &names.pkce_code_verifier,
            &codecs.pkce,
        ),
        (&authorization.checks.nonce, &names.nonce, &codecs.nonce),
    ];
    for (value, name, codec) in checks {
        let Some(value) = value else { continue };
        let mut claims = Map::new();
        claims.insert("value".to_owned(), Value::String(value.clone()));
        claims.insert("provider".to_owned(), Value::String(provider.id.clone()));
        let cookie = ctx.seal_cookie(name, codec, &claims, CHECK_COOKIE_MAX_AGE)?;
        // A `form_post` callback is a cross-site POST: a `Lax` cookie would stay behind.
        set.push(if provider.form_post {
            cookie.cross_site()
        } else {
            cookie
        });
    }
    tracing::debug!(provider = %provider.id, checks = set.len(), "redirecting to the provider");
    Ok(Reply::redirect(authorization.url)
        .with_cookies(callback_cookie)
        .with_cookies(set))
}
