//! Passkeys (feature `passkey`), as Auth.js's `Passkey` provider exposes them:
//! `GET /webauthn-options/:provider?action=register|authenticate` answers the options of a
//! ceremony and sets its challenge in a short-lived encrypted cookie; `POST
//! /callback/:provider` (`action`, `data` = the credential's JSON) checks the ceremony
//! (`crate::webauthn`) and registers the passkey of the signed-in user, or signs the user
//! in through the sign-in tail.
//!
//! A challenge is good once: the cookie is cleared by the callback whatever happens, and
//! the challenge is also kept server-side, as a verification token of the adapter, which
//! the callback consumes, so an assertion replayed with its cookie is refused as well.
//! An assertion from another browser carries another browser's challenge, refused against
//! this browser's cookie.

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::session::JwtSessionRefused;
use super::sign_in_tail::SignIn;
use super::{Ctx, FlowError, Inner, Reply, Req, Strategy, revocation};
use crate::adapter::{Adapter, Authenticator, VerificationToken};
use crate::config::{Account, AccountType, PasskeyProvider, SessionUserData, TokenData};
use crate::cookies::{ChunkedValue, SetCookie};
use crate::webauthn::{self, CeremonyError, Expected};

/// How long a ceremony may take, in seconds: the challenge cookie's and the verification
/// token's lifetime, and the browser's timeout.
pub(crate) const CHALLENGE_MAX_AGE: u64 = 5 * 60;

/// The identifier under which the outstanding challenges are kept (verification tokens).
const CHALLENGE_IDENTIFIER: &str = "authrs:webauthn-challenge";

/// The name a new passkey gets in the user's list when the page gives none.
const DEFAULT_NAME: &str = "Passkey";

/// The longest passkey name kept, in characters.
const MAX_NAME_CHARS: usize = 64;

/// The two ceremonies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ceremony {
    Register,
    Authenticate,
}

impl Ceremony {
    fn parse(s: &str) -> Option<Ceremony> {
        match s {
            "register" => Some(Ceremony::Register),
            "authenticate" => Some(Ceremony::Authenticate),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Ceremony::Register => "register",
            Ceremony::Authenticate => "authenticate",
        }
    }
}

/// The relying party of a request: its id, its name and the origin ceremonies must come
/// from.
struct RelyingParty {
    id: String,
    name: String,
    origin: String,
}

/// The adapter (`Auth::new` refuses a passkey provider without one).
fn adapter<T, U>(inner: &Inner<T, U>) -> Result<&dyn Adapter, FlowError> {
    inner
        .adapter
        .as_deref()
        .ok_or_else(|| FlowError::Configuration("a passkey provider needs an adapter".to_owned()))
}

/// The relying party: the configured id (the site's host or a parent domain of it), else
/// the site's host; the configured name, else the host.
fn relying_party(ctx: &Ctx<'_>, p: &PasskeyProvider) -> Result<RelyingParty, FlowError> {
    let host = ctx.origin.host().to_owned();
    let id = match &p.rp_id {
        Some(id) if host == *id || host.ends_with(&format!(".{id}")) => id.clone(),
        Some(id) => {
            return Err(FlowError::Configuration(format!(
                "the passkey rp_id `{id}` is neither the site's host `{host}` nor a parent domain of it"
            )));
        }
        None => host.clone(),
    };
    let name = p.rp_name.clone().unwrap_or(host);
    let origin = ctx.origin.as_str().to_owned();
    Ok(RelyingParty { id, name, origin })
}

/// A JSON error the page's script reads (`{error, message}`), never cached.
fn refuse_json(status: StatusCode, error: &str, message: &str) -> Reply {
    Reply::bad_request(status, error, message).no_store()
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// The id of the signed-in user, read from the session cookie without running any
    /// callback: the token's `sub` (its session version checked) or the session row's user.
    async fn signed_in_user_id(&self, ctx: &Ctx<'_>) -> Result<Option<String>, FlowError> {
        let name = &ctx.scheme.names.session_token;
        let ChunkedValue::Present(raw) = ctx.cookies.read_chunked(name) else {
            return Ok(None);
        };
        match &self.strategy {
            Strategy::Database(db) => Ok(self
                .live_db_session(ctx, &**db, &raw)
                .await?
                .map(|live| live.user.id)),
            Strategy::Jwt => match self
                .open_jwt_session(ctx, &raw, |claims| {
                    revocation::raw_subject(claims).map(std::borrow::Cow::into_owned)
                })
                .await
            {
                Ok((user_id, _)) => Ok(user_id),
                Err(JwtSessionRefused::Invalid(_)) => Ok(None),
                Err(JwtSessionRefused::Unavailable) => Err(FlowError::Unavailable(
                    "the session version could not be read".to_owned(),
                )),
            },
        }
    }
}

/// `GET /webauthn-options/:provider?action=register|authenticate`.
pub(crate) async fn options<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    let id = req.provider.as_deref().unwrap_or_default();
    let Some(crate::config::Provider::Passkey(p)) =
        inner.config.providers.iter().find(|p| p.id() == id)
    else {
        return Ok(Reply::unknown_provider(id));
    };
    let Some(ceremony) = req.query("action").and_then(Ceremony::parse) else {
        return Ok(refuse_json(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            "the passkey options take `action=register` or `action=authenticate`",
        ));
    };
    let db = adapter(inner)?;
    let rp = relying_party(ctx, p)?;
    let challenge: [u8; 32] = crate::random::array();
    let challenge_b64 = webauthn::b64url(&challenge);
    let timeout_ms = CHALLENGE_MAX_AGE * 1000;
    let mut claims = Map::new();
    let options = match ceremony {
        Ceremony::Register => {
            let Some(user_id) = inner.signed_in_user_id(ctx).await? else {
                return Ok(refuse_json(
                    StatusCode::UNAUTHORIZED,
                    "SessionRequired",
                    "sign in first: a passkey is registered for the signed-in user",
                ));
            };
            let Some(user) = db.get_user(&user_id).await? else {
                return Ok(refuse_json(
                    StatusCode::UNAUTHORIZED,
                    "SessionRequired",
                    "the signed-in user is not in the database",
                ));
            };
            let exclude: Vec<Value> = db
                .list_authenticators(&user_id)
                .await?
                .into_iter()
                .map(|a| json!({ "type": "public-key", "id": a.credential_id, "transports": a.transports }))
                .collect();
            let label = user
                .email
                .clone()
                .or_else(|| user.name.clone())
                .unwrap_or_else(|| user.id.clone());
            let display = user.name.clone().unwrap_or_else(|| label.clone());
            claims.insert("user".to_owned(), Value::String(user_id.clone()));
            json!({
                "rp": { "id": rp.id, "name": rp.name },
                "user": {
                    "id": webauthn::b64url(user_id.as_bytes()),
                    "name": label,
                    "displayName": display,
                },
                "challenge": challenge_b64,
                "pubKeyCredParams": webauthn::ALGORITHMS
                    .iter()
                    .map(|alg| json!({ "type": "public-key", "alg": alg }))
                    .collect::<Vec<_>>(),
                "timeout": timeout_ms,
                "excludeCredentials": exclude,
                "authenticatorSelection": {
                    "residentKey": "required",
                    "requireResidentKey": true,
                    "userVerification": "preferred",
                },
                "attestation": "none",
            })
        }
        Ceremony::Authenticate => json!({
            "challenge": challenge_b64,
            "rpId": rp.id,
            "timeout": timeout_ms,
            "userVerification": "preferred",
            "allowCredentials": [],
        }),
    };
    // Kept server-side too: the callback consumes it, so it is good once.
    db.create_verification_token(&VerificationToken {
        identifier: CHALLENGE_IDENTIFIER.to_owned(),
        token: challenge_token(&challenge),
        expires: ctx
            .now_secs()
            .saturating_add(crate::util::secs_i64(CHALLENGE_MAX_AGE)),
    })
    .await?;
    claims.insert("provider".to_owned(), Value::String(p.id.clone()));
    claims.insert(
        "action".to_owned(),
        Value::String(ceremony.as_str().to_owned()),
    );
    claims.insert("challenge".to_owned(), Value::String(challenge_b64));
    let Some(codec) = ctx.scheme.webauthn_challenge.as_ref() else {
        return Err(FlowError::Configuration(
            "no challenge-cookie key for passkeys".to_owned(),
        ));
    };
    let cookie = ctx.seal_cookie(
        &ctx.scheme.names.webauthn_challenge,
        codec,
        &claims,
        CHALLENGE_MAX_AGE,
    )?;
    Ok(Reply::json(
        StatusCode::OK,
        &json!({ "action": ceremony.as_str(), "options": options }),
    )
    .no_store()
    .with_cookies([cookie]))
}

/// The stored form of a challenge: its SHA-256, hex (the adapter hashes it once more).
fn challenge_token(challenge: &[u8]) -> String {
    crate::util::hex(&Sha256::digest(challenge))
}

/// The opened challenge cookie.
struct Challenge {
    ceremony: Ceremony,
    challenge: Vec<u8>,
    /// The user a registration is for.
    user: Option<String>,
}

/// Reads the challenge cookie made for `provider`.
fn open_challenge(ctx: &Ctx<'_>, provider: &str) -> Result<Challenge, String> {
    let name = &ctx.scheme.names.webauthn_challenge;
    let raw = ctx
        .cookies
        .get(name)
        .filter(|v| !v.is_empty())
        .ok_or("no challenge cookie (expired, or the options came to another browser)")?;
    let codec = ctx
        .scheme
        .webauthn_challenge
        .as_ref()
        .ok_or("no challenge-cookie key")?;
    let claims = codec
        .decode(raw, ctx.now_secs())
        .map_err(|e| format!("the challenge cookie is not valid: {e}"))?;
    let text = |key: &str| claims.get(key).and_then(Value::as_str);
    if text("provider") != Some(provider) {
        return Err("the challenge cookie was made for another provider".to_owned());
    }
    let ceremony = text("action")
        .and_then(Ceremony::parse)
        .ok_or("the challenge cookie names no ceremony")?;
    let challenge = text("challenge")
        .ok_or("the challenge cookie holds no challenge")
        .and_then(|c| webauthn::b64url_decode(c, "challenge").map_err(|_| "bad challenge"))?;
    Ok(Challenge {
        ceremony,
        challenge,
        user: text("user").map(str::to_owned),
    })
}

/// The credential's JSON (`PublicKeyCredential.toJSON()`): the body's `data`, a JSON
/// string (Auth.js's client) or an object.
fn credential_json(req: &Req) -> Option<Value> {
    if let Some(Value::Object(o)) = req.body.json.as_ref().and_then(|j| j.get("data")) {
        return Some(Value::Object(o.clone()));
    }
    serde_json::from_str(req.body.get("data")?).ok()
}

/// A base64url member of the credential's `response`.
fn response_bytes(credential: &Value, key: &'static str) -> Result<Option<Vec<u8>>, CeremonyError> {
    match credential.get("response").and_then(|r| r.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => webauthn::b64url_decode(s, key).map(Some),
        Some(_) => Err(CeremonyError::Malformed(key)),
    }
}

fn required(credential: &Value, key: &'static str) -> Result<Vec<u8>, CeremonyError> {
    response_bytes(credential, key)?.ok_or(CeremonyError::Malformed(key))
}

/// `POST /callback/:provider` of a passkey provider.
pub(crate) async fn callback<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
    p: &PasskeyProvider,
) -> Result<Reply, FlowError> {
    if req.method != Method::POST {
        let mut reply = Reply::bad_request(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the passkey callback takes a POST with the credential",
        );
        reply
            .headers
            .insert(http::header::ALLOW, http::HeaderValue::from_static("POST"));
        return Ok(reply);
    }
    let name = &ctx.scheme.names.webauthn_challenge;
    // The challenge is spent whatever happens next: every answer clears its cookie.
    let cleared = vec![SetCookie::clear(name, ctx.secure())];
    match ceremony(inner, ctx, req, p, &cleared).await {
        Ok(reply) => Ok(reply.with_cookies(cleared)),
        Err(refused @ FlowError::WebAuthn(..)) => Err(refused),
        Err(e) => {
            let base = inner.config.base_path.as_str();
            Ok(e.into_reply(req, &inner.config.pages, base, &ctx.origin)
                .with_cookies(cleared))
        }
    }
}

/// The callback's work: CSRF, the challenge (cookie and server-side), then the ceremony.
async fn ceremony<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
    p: &PasskeyProvider,
    cleared: &[SetCookie],
) -> Result<Reply, FlowError> {
    inner.verify_csrf(ctx, req)?;
    let refused = |reason: String| FlowError::WebAuthn(reason, cleared.to_vec());
    let challenge = open_challenge(ctx, &p.id).map_err(&refused)?;
    let asked = req.body.get("action").and_then(Ceremony::parse);
    if asked != Some(challenge.ceremony) {
        return Err(refused(format!(
            "the callback's action is not the challenge's `{}`",
            challenge.ceremony.as_str()
        )));
    }
    if challenge.ceremony == Ceremony::Authenticate {
        // Counted like every sign-in POST (per address: a passkey names no identifier).
        inner.count_sign_in(ctx, &p.id, None).await?;
    }
    let db = adapter(inner)?;
    let rp = relying_party(ctx, p)?;
    let credential = credential_json(req)
        .ok_or_else(|| refused("no credential (`data`) in the request".to_owned()))?;
    // Good once, server-side: a second use of the same challenge (a replay with its
    // cookie) finds nothing.
    let spent = db
        .use_verification_token(CHALLENGE_IDENTIFIER, &challenge_token(&challenge.challenge))
        .await?;
    if spent.is_none_or(|t| t.expires <= ctx.now_secs()) {
        return Err(refused(
            "the challenge was used already or expired".to_owned(),
        ));
    }
    let expected = Expected {
        challenge: &challenge.challenge,
        origin: &rp.origin,
        rp_id: &rp.id,
    };
    let flow_error = |e: Refusal| match e {
        Refusal::Ceremony(reason) => refused(reason),
        Refusal::Flow(e) => e,
    };
    match challenge.ceremony {
        Ceremony::Register => register(inner, ctx, req, db, &challenge, &credential, &expected)
            .await
            .map_err(flow_error),
        Ceremony::Authenticate => {
            let signed_in = authenticate(db, p, &credential, &expected)
                .await
                .map_err(flow_error)?;
            inner.sign_in_tail(ctx, req, signed_in).await
        }
    }
}

/// Why a ceremony ended: refused (the visitor's doing), or the flow's own error.
enum Refusal {
    Ceremony(String),
    Flow(FlowError),
}

impl From<CeremonyError> for Refusal {
    fn from(e: CeremonyError) -> Self {
        Refusal::Ceremony(e.to_string())
    }
}

impl From<crate::adapter::AdapterError> for Refusal {
    fn from(e: crate::adapter::AdapterError) -> Self {
        Refusal::Flow(e.into())
    }
}

/// A registration: the signed-in user is still the one the options were for; the
/// attestation checks; the passkey is stored. Answers the redirect to the callback URL.
async fn register<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
    db: &dyn Adapter,
    challenge: &Challenge,
    credential: &Value,
    expected: &Expected<'_>,
) -> Result<Reply, Refusal> {
    let user_id = inner
        .signed_in_user_id(ctx)
        .await
        .map_err(Refusal::Flow)?
        .ok_or_else(|| Refusal::Ceremony("not signed in".to_owned()))?;
    if challenge.user.as_deref() != Some(user_id.as_str()) {
        return Err(Refusal::Ceremony(
            "the options were made for another user".to_owned(),
        ));
    }
    let client_data = required(credential, "clientDataJSON")?;
    let attestation = required(credential, "attestationObject")?;
    let new = webauthn::verify_registration(&client_data, &attestation, expected)?;
    let credential_id = webauthn::b64url(&new.credential_id);
    if credential.get("rawId").and_then(Value::as_str) != Some(credential_id.as_str()) {
        return Err(Refusal::Ceremony(
            "the credential's rawId is not the attested credential id".to_owned(),
        ));
    }
    let transports = credential
        .get("response")
        .and_then(|r| r.get("transports"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .filter(|t| t.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
                .take(8)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let name: String = req
        .body
        .get("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_NAME)
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let stored = Authenticator::new(
        credential_id,
        user_id,
        new.public_key,
        i64::from(new.counter),
        transports,
        name,
        ctx.now_secs(),
    );
    match db.create_authenticator(&stored).await {
        Ok(()) => {}
        Err(crate::adapter::AdapterError::Conflict(_)) => {
            return Err(Refusal::Ceremony(
                "this passkey is registered already".to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(provider = %req.provider.as_deref().unwrap_or_default(), "passkey registered");
    let (url, cookie) = inner.callback_url(ctx, req.callback_url_param()).await;
    Ok(Reply::redirect(url).with_cookies(cookie))
}

/// An authentication: the stored passkey of the credential id, its user handle, the
/// assertion, the counter moved forward atomically; the user who signs in.
async fn authenticate(
    db: &dyn Adapter,
    p: &PasskeyProvider,
    credential: &Value,
    expected: &Expected<'_>,
) -> Result<SignIn, Refusal> {
    let raw_id = credential
        .get("rawId")
        .or_else(|| credential.get("id"))
        .and_then(Value::as_str)
        .ok_or(CeremonyError::Malformed("rawId"))?;
    let credential_id = webauthn::b64url(&webauthn::b64url_decode(raw_id, "rawId")?);
    let Some(stored) = db.get_authenticator(&credential_id).await? else {
        return Err(Refusal::Ceremony(
            "no passkey with this credential id".to_owned(),
        ));
    };
    if let Some(handle) = response_bytes(credential, "userHandle")?
        && handle != stored.user_id.as_bytes()
    {
        return Err(Refusal::Ceremony(
            "the user handle is not the passkey's user".to_owned(),
        ));
    }
    let stored_counter = u32::try_from(stored.counter).unwrap_or(u32::MAX);
    let asserted = webauthn::verify_authentication(
        &required(credential, "clientDataJSON")?,
        &required(credential, "authenticatorData")?,
        &required(credential, "signature")?,
        &stored.public_key,
        stored_counter,
        expected,
    )?;
    if !db
        .update_authenticator_counter(&credential_id, i64::from(asserted.counter))
        .await?
    {
        return Err(Refusal::Ceremony(
            "the signature counter moved meanwhile (a parallel use of the assertion)".to_owned(),
        ));
    }
    let Some(user) = db.get_user(&stored.user_id).await? else {
        return Err(Refusal::Ceremony(
            "the passkey's user no longer exists".to_owned(),
        ));
    };
    Ok(SignIn {
        user,
        account: Account {
            provider: p.id.clone(),
            provider_account_id: credential_id,
            kind: AccountType::Webauthn,
            ..Account::default()
        },
        profile: None,
        credentials: None,
        allow_email_linking: false,
    })
}
