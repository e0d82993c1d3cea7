//! The second factor of credentials sign-in (feature `totp`, `second_factor: { totp: .. }`).
//!
//! - After `authorize` accepts a user who enrolled TOTP, the callback answers with a
//!   short-lived encrypted cookie holding the pending sign-in (the user, the provider, the
//!   credentials without their password fields, the callback URL) and a redirect to
//!   `GET {base}/totp/verify`; nothing else runs (`sign_in`, `jwt`, `redirect`, no session).
//! - `POST {base}/totp/verify` (CSRF; counted by the sign-in limits under the user's id)
//!   checks a TOTP code (a step after the last one accepted, within one step of now) or
//!   consumes a recovery code, then ends like every sign-in (`sign_in_tail.rs`) with
//!   `amr: ["pwd", "otp"]`, clearing the pending cookie.
//! - `GET {base}/totp/enroll` (signed in) shows a new secret as a QR code and in text, kept
//!   sealed in a cookie until `POST {base}/totp/enroll` confirms it with a first code; then
//!   the enrolment is stored (the secret sealed under the auth secret) with ten recovery
//!   codes (stored hashed), shown once. Replacing an enrolment needs a session that passed
//!   the second factor.

use http::{Method, StatusCode};
use serde_json::{Map, Value};

use super::sign_in_tail::SignIn;
use super::{Ctx, FlowError, Inner, Reply, Req, StoreStatus};
use crate::ConfigError;
use crate::adapter::{Adapter, TotpEnrolment};
use crate::config::{
    Account, AccountType, AuthConfig, Credentials, CredentialsError, CredentialsProvider,
    SecondFactor, SessionUserData, TokenData, TotpSettings, User,
};
use crate::cookies::{SECOND_FACTOR_MAX_AGE, SetCookie, TOTP_ENROLMENT_MAX_AGE};
use crate::jwt::JwtCodec;
use crate::totp::{self as codes, TotpKeys};

/// The methods of a sign-in that passed the second factor (RFC 8176: password, one-time
/// password).
pub(crate) const SECOND_FACTOR_AMR: [&str; 2] = ["pwd", "otp"];

/// The configured TOTP: its settings and the keys derived from the auth secret.
pub(crate) struct Totp {
    pub(crate) settings: TotpSettings,
    keys: TotpKeys,
}

impl Totp {
    /// The TOTP of `config`'s `second_factor`, checked; `None` without one.
    pub(crate) fn new<T, U>(
        config: &AuthConfig<T, U>,
        secrets: &[String],
    ) -> Result<Option<Self>, ConfigError> {
        let Some(SecondFactor::Totp(settings)) = &config.second_factor else {
            return Ok(None);
        };
        codes::validate(settings).map_err(ConfigError::InvalidTotp)?;
        let keys = TotpKeys::derive(secrets).map_err(ConfigError::InvalidSecret)?;
        Ok(Some(Totp {
            settings: settings.clone(),
            keys,
        }))
    }
}

/// `GET`/`POST {base}/totp/verify` and `{base}/totp/enroll`.
pub(crate) async fn handle<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    let (Some(totp), Some(db)) = (inner.totp.as_ref(), inner.adapter.as_deref()) else {
        return Ok(Reply::bad_request(
            StatusCode::NOT_FOUND,
            "UnknownAction",
            "no second factor is configured (`second_factor: { totp: .. }`)",
        ));
    };
    let post = req.method == Method::POST;
    match req.provider.as_deref() {
        Some("verify") if post => verify(inner, ctx, req, totp, db).await,
        Some("verify") => Ok(verify_page(inner, ctx, req)),
        Some("enroll") if post => enrol(inner, ctx, req, totp, db).await,
        _ => enrol_page(inner, ctx, req, totp, db).await,
    }
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// After `authorize` accepted `user`: when they enrolled a second factor, the pending
    /// cookie and the redirect to the verify page (`Some`); else `None`, and the sign-in
    /// goes on. No callback runs here.
    pub(crate) async fn second_factor_pending(
        &self,
        ctx: &Ctx<'_>,
        req: &Req,
        provider: &CredentialsProvider,
        user: &User,
        credentials: &Credentials,
    ) -> Result<Option<Reply>, FlowError> {
        let (Some(_), Some(db)) = (&self.totp, self.adapter.as_deref()) else {
            return Ok(None);
        };
        let user_id = if !user.id.is_empty() {
            Some(user.id.clone())
        } else if let Some(email) = user.email.as_deref() {
            db.get_user_by_email(email).await?.map(|u| u.id)
        } else {
            None
        };
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        if db.totp_enrolment(&user_id).await?.is_none() {
            return Ok(None);
        }
        let mut user = user.clone();
        user.id = user_id;
        // The form's fields travel on, but never a password.
        let kept: Map<String, Value> = provider
            .fields
            .iter()
            .filter(|f| !f.input_type.eq_ignore_ascii_case("password"))
            .filter_map(|f| {
                credentials
                    .get(&f.name)
                    .map(|v| (f.name.clone(), Value::String(v.to_owned())))
            })
            .collect();
        let mut claims = Map::new();
        claims.insert(
            "user".to_owned(),
            serde_json::to_value(&user).unwrap_or(Value::Null),
        );
        claims.insert("provider".to_owned(), Value::String(provider.id.clone()));
        claims.insert("credentials".to_owned(), Value::Object(kept));
        if let Some(url) = req.callback_url_param() {
            claims.insert("callbackUrl".to_owned(), Value::String(url.to_owned()));
        }
        let names = &ctx.scheme.names;
        let cookie = ctx.seal_cookie(
            &names.second_factor,
            &ctx.scheme.second_factor,
            &claims,
            SECOND_FACTOR_MAX_AGE,
        )?;
        tracing::info!(provider = %provider.id, "password accepted; the second factor is next");
        Ok(Some(
            Reply::redirect(self.action_url(ctx, "totp/verify")).with_cookies([cookie]),
        ))
    }

    /// The sign-in page (absolute), with `pairs` in its query.
    fn sign_in_page(&self, ctx: &Ctx<'_>, pairs: &[(&str, &str)]) -> String {
        let page = super::context::page_url(
            &ctx.origin,
            self.config.pages.sign_in.as_deref(),
            &self.config.base_path,
            "signin",
        );
        crate::url::with_query(&page, pairs)
    }
}

/// The claims of the sealed cookie `name`; `None` when absent, expired or not ours.
fn open(ctx: &Ctx<'_>, name: &str, codec: &JwtCodec) -> Option<Map<String, Value>> {
    let raw = ctx.cookies.get(name).filter(|v| !v.is_empty())?;
    match codec.decode(raw, ctx.now_secs()) {
        Ok(claims) => Some(claims),
        Err(e) => {
            tracing::info!(cookie = %name, error = %e, "second factor cookie not valid");
            None
        }
    }
}

fn text<'a>(claims: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    claims.get(key).and_then(Value::as_str)
}

/// `GET /totp/verify`: the code form, or back to the sign-in page without a pending sign-in.
fn verify_page<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Reply {
    let names = &ctx.scheme.names;
    let Some(pending) = open(ctx, &names.second_factor, &ctx.scheme.second_factor) else {
        return Reply::redirect(inner.sign_in_page(ctx, &[]));
    };
    let callback_url = text(&pending, "callbackUrl").unwrap_or_default().to_owned();
    let error = req.query("error").filter(|e| !e.is_empty());
    let action = inner.action_url(ctx, "totp/verify");
    inner
        .form_page(ctx, (callback_url, None), |csrf_token, callback_url| {
            crate::pages::totp_verify(&action, csrf_token, callback_url, error)
        })
        .no_store()
}

/// `POST /totp/verify`: the code checked, then the sign-in's end with `amr`.
async fn verify<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
    totp: &Totp,
    db: &dyn Adapter,
) -> Result<Reply, FlowError> {
    inner.verify_csrf(ctx, req)?;
    let names = &ctx.scheme.names;
    let pending = open(ctx, &names.second_factor, &ctx.scheme.second_factor);
    let Some((user, provider, pending)) = pending.and_then(|claims| {
        let user: User = serde_json::from_value(claims.get("user")?.clone()).ok()?;
        let provider = text(&claims, "provider")?.to_owned();
        Some((user, provider, claims))
    }) else {
        tracing::info!("second factor: no pending sign-in (expired or missing); back to sign-in");
        return Ok(Reply::redirect(inner.sign_in_page(ctx, &[])));
    };
    // Counted like the form: per address, and per user (the identifier).
    inner.count_sign_in(ctx, &provider, Some(&user.id)).await?;
    let code = req.body.get("code").unwrap_or_default();
    if !check_code(totp, db, &user.id, code, ctx.now_secs()).await? {
        tracing::info!(provider = %provider, "second factor refused: wrong or reused code");
        inner.fire_sign_in_failed(
            ctx,
            &provider,
            Some(&user.id),
            &CredentialsError::new("InvalidCode"),
        );
        let again = crate::url::with_query(
            &inner.action_url(ctx, "totp/verify"),
            &[("error", "InvalidCode")],
        );
        return Ok(Reply::redirect(again));
    }
    inner.clear_identifier(Some(&user.id)).await;
    let fields = pending
        .get("credentials")
        .and_then(Value::as_object)
        .map(|fields| {
            fields
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let credentials = Credentials::new(fields).with_request(inner.request_info(ctx));
    let account = Account {
        provider,
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
    let spent = SetCookie::clear(&names.second_factor, ctx.secure());
    let amr = SECOND_FACTOR_AMR.iter().map(|m| (*m).to_owned()).collect();
    match inner.sign_in_tail_with(ctx, req, sign_in, amr).await {
        Ok(reply) => Ok(reply.with_cookies([spent])),
        Err(e) => {
            let base = inner.config.base_path.as_str();
            let reply = e.into_reply(req, &inner.config.pages, base, &ctx.origin);
            Ok(reply.with_cookies([spent]))
        }
    }
}

/// Whether `code` passes for `user_id`: a recovery code consumed, or a TOTP code of a step
/// after the last one accepted (stored atomically, so a code works once).
async fn check_code(
    totp: &Totp,
    db: &dyn Adapter,
    user_id: &str,
    code: &str,
    now: i64,
) -> Result<bool, FlowError> {
    let Some(enrolment) = db.totp_enrolment(user_id).await? else {
        return Ok(false);
    };
    if codes::is_recovery_code(code) {
        for hash in totp.keys.recovery_hashes(user_id, code) {
            if db.totp_use_recovery_code(user_id, &hash).await? {
                tracing::info!("second factor: a recovery code was used");
                return Ok(true);
            }
        }
        return Ok(false);
    }
    let Some(secret) = totp.keys.open(user_id, &enrolment.secret) else {
        tracing::warn!(
            "second factor: the stored TOTP secret does not open under the auth secrets"
        );
        return Ok(false);
    };
    let Some(step) = codes::matching_step(&totp.settings, &secret, code, now) else {
        return Ok(false);
    };
    Ok(step > enrolment.last_step && db.totp_use_step(user_id, step).await?)
}

/// The signed-in user enrolling: their id, the session's refreshed cookies, and whether
/// the session passed a second factor. `Err(reply)` when signed out (to the sign-in page,
/// back here after) or the store is down.
async fn enrolling_user<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<(String, String, Vec<SetCookie>, bool), Reply> {
    let read = inner.read_session(ctx, None).await;
    if read.store == StoreStatus::Unavailable {
        return Err(Reply::unavailable());
    }
    let (Some(session), Some(user_id)) = (&read.session, read.user_id.clone()) else {
        let here = match req.callback_url_param() {
            Some(next) => crate::url::with_query(
                &inner.action_url(ctx, "totp/enroll"),
                &[("callbackUrl", next)],
            ),
            None => inner.action_url(ctx, "totp/enroll"),
        };
        let to = inner.sign_in_page(ctx, &[("callbackUrl", &here)]);
        return Err(Reply::redirect(to).with_cookies(read.cookies));
    };
    // What the authenticator app shows under the issuer: the e-mail, else the name, else the id.
    let user = serde_json::to_value(&session.user).unwrap_or(Value::Null);
    let label = ["email", "name"]
        .iter()
        .find_map(|k| user.get(*k).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .unwrap_or(&user_id)
        .replace(':', " ");
    let passed = read.amr.iter().any(|m| m == "otp");
    Ok((user_id, label, read.cookies, passed))
}

/// `GET /totp/enroll`: the QR code and the secret, kept sealed in a cookie until confirmed.
async fn enrol_page<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
    totp: &Totp,
    db: &dyn Adapter,
) -> Result<Reply, FlowError> {
    let (user_id, label, session_cookies, passed) = match enrolling_user(inner, ctx, req).await {
        Ok(user) => user,
        Err(reply) => return Ok(reply),
    };
    if !passed && db.totp_enrolment(&user_id).await?.is_some() {
        tracing::info!("TOTP enrolment refused: replacing one needs a session that passed it");
        return Err(FlowError::AccessDenied);
    }
    let names = &ctx.scheme.names;
    // A reload shows the same secret (the app may have scanned it already).
    let pending = open(ctx, &names.totp_enrolment, &ctx.scheme.totp_enrolment)
        .filter(|c| text(c, "user") == Some(user_id.as_str()))
        .and_then(|c| {
            let sealed = text(&c, "secret")?;
            totp.keys.open(&user_id, sealed)
        });
    let (secret, cookie) = match pending {
        Some(secret) => (secret, None),
        None => {
            let secret = codes::new_secret();
            let sealed = totp.keys.seal(&user_id, &secret).ok_or_else(|| {
                FlowError::Configuration("cannot seal the TOTP secret".to_owned())
            })?;
            let mut claims = Map::new();
            claims.insert("user".to_owned(), Value::String(user_id.clone()));
            claims.insert("secret".to_owned(), Value::String(sealed));
            let cookie = ctx.seal_cookie(
                &names.totp_enrolment,
                &ctx.scheme.totp_enrolment,
                &claims,
                TOTP_ENROLMENT_MAX_AGE,
            )?;
            (secret, Some(cookie))
        }
    };
    let url = codes::otpauth_url(&totp.settings, &label, &secret);
    let svg = codes::qr_svg(&url).unwrap_or_default();
    let secret_text = codes::secret_base32(&secret);
    let action = inner.action_url(ctx, "totp/enroll");
    let error = req.query("error").filter(|e| !e.is_empty());
    let callback_url = req.callback_url_param().unwrap_or_default().to_owned();
    Ok(inner
        .form_page(ctx, (callback_url, None), |csrf_token, callback_url| {
            crate::pages::totp_enrol(&crate::pages::TotpEnrolPage {
                action: &action,
                csrf_token,
                callback_url,
                qr_svg: &svg,
                secret: &secret_text,
                error,
            })
        })
        .no_store()
        .with_cookies(session_cookies)
        .with_cookies(cookie))
}

/// `POST /totp/enroll`: the first code confirms the secret; the enrolment is stored with
/// its recovery codes, which are shown once.
async fn enrol<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
    totp: &Totp,
    db: &dyn Adapter,
) -> Result<Reply, FlowError> {
    inner.verify_csrf(ctx, req)?;
    let (user_id, _, session_cookies, passed) = match enrolling_user(inner, ctx, req).await {
        Ok(user) => user,
        Err(reply) => return Ok(reply),
    };
    if !passed && db.totp_enrolment(&user_id).await?.is_some() {
        return Err(FlowError::AccessDenied);
    }
    inner.count_sign_in(ctx, "totp", Some(&user_id)).await?;
    let names = &ctx.scheme.names;
    let again = |error: &str| {
        let mut pairs = vec![("error", error)];
        if let Some(next) = req.callback_url_param() {
            pairs.push(("callbackUrl", next));
        }
        Reply::redirect(crate::url::with_query(
            &inner.action_url(ctx, "totp/enroll"),
            &pairs,
        ))
    };
    let pending = open(ctx, &names.totp_enrolment, &ctx.scheme.totp_enrolment)
        .filter(|c| text(c, "user") == Some(user_id.as_str()))
        .and_then(|c| text(&c, "secret").map(str::to_owned));
    let Some((sealed, secret)) = pending.and_then(|sealed| {
        let secret = totp.keys.open(&user_id, &sealed)?;
        Some((sealed, secret))
    }) else {
        return Ok(again("Expired"));
    };
    let code = req.body.get("code").unwrap_or_default();
    let Some(step) = codes::matching_step(&totp.settings, &secret, code, ctx.now_secs()) else {
        return Ok(again("InvalidCode"));
    };
    let recovery = codes::new_recovery_codes();
    let hashes: Vec<String> = recovery
        .iter()
        .filter_map(|c| totp.keys.recovery_hashes(&user_id, c).into_iter().next())
        .collect();
    db.totp_enrol(&TotpEnrolment::new(user_id.clone(), sealed, step), &hashes)
        .await?;
    inner.clear_identifier(Some(&user_id)).await;
    tracing::info!("TOTP enrolled");
    let next = req
        .callback_url_param()
        .map(|url| crate::url::default_redirect(url, ctx.base_url()))
        .unwrap_or_else(|| ctx.origin.as_str().to_owned());
    Ok(Reply::html(
        StatusCode::OK,
        crate::pages::totp_recovery_codes(&recovery, &next),
    )
    .no_store()
    .with_cookies(session_cookies)
    .with_cookies([SetCookie::clear(&names.totp_enrolment, ctx.secure())]))
}
