//! `GET /session` (read, rolling refresh) and `POST /session` (update), and the session
//! read shared with [`crate::Auth::session`].

use http::StatusCode;
use serde_json::{Map, Value};

use super::reissue::Reissue;
use super::revocation::{self, VersionCheck};
use super::{Ctx, FlowError, Inner, Reply, Req, Strategy, database};
use crate::adapter::{Adapter, AdapterError};
use crate::config::{
    Account, DatabaseSessionArgs, JwtArgs, JwtSessionArgs, Profile, Session, SessionCallback,
    SessionEventArgs, SessionUserData, TokenData, Trigger, User,
};
use crate::cookies::{self, ChunkedValue, SetCookie};
use crate::jwt::{JwtError, RawClaims, TokenJson};
use crate::util::iso8601;

/// The token claim recording how the session was authenticated (RFC 8176 / OIDC `amr`):
/// `["pwd", "otp"]` after a second factor.
pub(crate) const AMR_CLAIM: &str = "amr";

/// The method names of an `amr` claim (strings only).
fn amr_of(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// What a JWT session read takes from the cookie's claims.
struct CookieToken<T> {
    /// The token type, from the claims.
    token: Result<T, serde_json::Error>,
    /// The sign-in's `amr` claim, kept as it wrote it whatever the token type keeps.
    amr: Option<Value>,
    /// The cookie's own `iat` and `exp`, which `reissue_after` reads.
    iat: Option<i64>,
    exp: Option<i64>,
    /// Whether it is sealed as the codec seals now ([`crate::jwt::RawClaims::current`]).
    current: bool,
}

/// Why [`Inner::open_jwt_session`] opened no session.
pub(crate) enum JwtSessionRefused {
    /// Not a valid session (the reason, for the log): signed out, the cookie cleared.
    Invalid(String),
    /// The session version could not be read: neither signed in nor out.
    Unavailable,
}

/// The most bytes a (joined) session cookie may have; larger values are cleared unread.
pub(crate) const MAX_SESSION_BYTES: usize = cookies::MAX_SESSION_CHUNKS * cookies::CHUNK_SIZE;

/// Whether the session store answered a session read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StoreStatus {
    /// The store answered (always under the jwt strategy, where the cookie is the store):
    /// no session means signed out.
    #[default]
    Available,
    /// The database strategy's store could not be read (the database is down): there is
    /// no session, but the request is not signed out either. Answer `503` and keep the
    /// cookie.
    Unavailable,
}

/// The outcome of reading a session.
pub(crate) struct SessionRead<T, U> {
    pub(crate) session: Option<Session<U>>,
    pub(crate) token: Option<T>,
    pub(crate) cookies: Vec<SetCookie>,
    pub(crate) store: StoreStatus,
    /// The signed-in user's id (the token's `sub`, the database session's user).
    pub(crate) user_id: Option<String>,
    /// How the session was authenticated (RFC 8176 names, e.g. `["pwd", "otp"]` after a
    /// second factor): the token's `amr` claim as the sign-in wrote it, or the database
    /// session's record; empty when not recorded.
    pub(crate) amr: Vec<String>,
}

impl<T, U> SessionRead<T, U> {
    /// Records who is signed in and how (`user_id`, `amr`).
    fn of_user(mut self, user_id: Option<String>, amr: Vec<String>) -> Self {
        self.user_id = user_id;
        self.amr = amr;
        self
    }

    fn signed_in(session: Session<U>, token: Option<T>, cookies: Vec<SetCookie>) -> Self {
        SessionRead {
            session: Some(session),
            token,
            cookies,
            store: StoreStatus::Available,
            user_id: None,
            amr: Vec::new(),
        }
    }

    pub(crate) fn signed_out(cookies: Vec<SetCookie>) -> Self {
        SessionRead {
            session: None,
            token: None,
            cookies,
            store: StoreStatus::Available,
            user_id: None,
            amr: Vec::new(),
        }
    }

    fn unavailable() -> Self {
        SessionRead {
            session: None,
            token: None,
            cookies: Vec::new(),
            store: StoreStatus::Unavailable,
            user_id: None,
            amr: Vec::new(),
        }
    }
}

pub(crate) async fn get<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
) -> Reply {
    let read = inner.read_session(ctx, None).await;
    session_reply(read, true)
}

pub(crate) async fn post<T: TokenData, U: SessionUserData>(
    inner: &Inner<T, U>,
    ctx: &Ctx<'_>,
    req: &Req,
) -> Result<Reply, FlowError> {
    // Auth.js: `session: body.data` (a JSON value; a form field arrives as a string).
    let data = match &req.body.json {
        Some(Value::Object(map)) => map.get("data").cloned(),
        _ => req.body.get("data").map(|s| Value::String(s.to_owned())),
    };
    let read = inner
        .read_session(ctx, Some(data.unwrap_or(Value::Null)))
        .await;
    Ok(session_reply(read, false))
}

fn session_reply<T, U: serde::Serialize>(read: SessionRead<T, U>, no_store: bool) -> Reply {
    if read.store == StoreStatus::Unavailable {
        return Reply::unavailable();
    }
    // Written straight from the typed session: `user` then `expires`, Auth.js's own order
    // (JSON readers do not depend on it).
    let body = match &read.session {
        Some(s) => serde_json::to_vec(s).unwrap_or_else(|_| b"null".to_vec()),
        None => b"null".to_vec(),
    };
    let reply = Reply::json_bytes(StatusCode::OK, body).with_cookies(read.cookies);
    if no_store { reply.no_store() } else { reply }
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// Reads the session cookie, runs `jwt` (trigger `update` when `update` is given) and
    /// `session`, and re-issues the cookie with a fresh expiry (jwt strategy: when due, see
    /// `flow/reissue.rs`). Any failure signs out and clears every chunk.
    pub(crate) async fn read_session(
        &self,
        ctx: &Ctx<'_>,
        update: Option<Value>,
    ) -> SessionRead<T, U> {
        match &self.strategy {
            Strategy::Jwt => self.read_jwt_session(ctx, update).await,
            // No `jwt` under the database strategy: an update is a plain read.
            Strategy::Database(db) => self.read_db_session(ctx, &**db).await,
        }
    }

    async fn read_db_session(&self, ctx: &Ctx<'_>, db: &dyn Adapter) -> SessionRead<T, U> {
        let name = &ctx.scheme.names.session_token;
        let raw = match ctx.cookies.read_chunked(name) {
            ChunkedValue::Absent if ctx.cookies.oversized => {
                return self.clear_session(ctx, "cookie headers too large");
            }
            ChunkedValue::Absent => return SessionRead::signed_out(Vec::new()),
            ChunkedValue::Invalid(reason) => return self.clear_session(ctx, reason),
            ChunkedValue::Present(v) => v,
        };
        let live = match self.live_db_session(ctx, db, &raw).await {
            Ok(Some(live)) => live,
            Ok(None) => return self.clear_session(ctx, "no live session with this id"),
            Err(e) => {
                tracing::error!(error = %e, unavailable = e.is_unavailable(), "session read failed: the database did not answer");
                return SessionRead::unavailable();
            }
        };
        let expires = crate::util::from_unix_secs(live.session.expires);
        let session = self.default_session(&user_claims(&live.user), &iso8601(expires));
        let session = match &self.config.session {
            Some(SessionCallback::Database(f)) => {
                tracing::debug!(callback = "session", "callback ran");
                f(DatabaseSessionArgs {
                    session,
                    user: live.user.clone(),
                })
                .await
            }
            // Refused by `Auth::with_adapter`.
            Some(SessionCallback::Jwt(_)) | None => session,
        };
        self.fire_session_event(&session, Some(live.user.id.clone()));
        let cookies = if live.extended {
            cookies::write_chunked(&ctx.cookies, name, &raw, expires, ctx.secure())
        } else {
            Vec::new()
        };
        let amr = self.database_session_amr(db, &raw).await;
        SessionRead::signed_in(session, None, cookies).of_user(Some(live.user.id.clone()), amr)
    }

    /// What the database recorded of how this session was authenticated; read only with a
    /// second factor configured (else nothing is recorded), empty on a failure (logged).
    async fn database_session_amr(&self, db: &dyn Adapter, raw: &str) -> Vec<String> {
        if self.config.second_factor.is_none() {
            return Vec::new();
        }
        let Some(key) = super::database::session_key(db, raw) else {
            return Vec::new();
        };
        match db.session_amr(&key).await {
            Ok(amr) => amr,
            Err(e) => {
                tracing::warn!(error = %e, "could not read how the database session was authenticated");
                Vec::new()
            }
        }
    }

    fn clear_session(&self, ctx: &Ctx<'_>, reason: &str) -> SessionRead<T, U> {
        let name = &ctx.scheme.names.session_token;
        let cleared = cookies::clear_chunked(&ctx.cookies, name, ctx.secure());
        tracing::info!(cookie = %name, chunks = cleared.len(), reason, "session cookie cleared");
        SessionRead::signed_out(cleared)
    }

    async fn read_jwt_session(&self, ctx: &Ctx<'_>, update: Option<Value>) -> SessionRead<T, U> {
        let name = &ctx.scheme.names.session_token;
        let raw = match ctx.cookies.read_chunked(name) {
            // Too large to read: signed out, and every chunk it carries cleared, or the
            // browser would send the same header (and be refused) on every request.
            ChunkedValue::Absent if ctx.cookies.oversized => {
                return self.clear_session(ctx, "cookie headers too large");
            }
            ChunkedValue::Absent => return SessionRead::signed_out(Vec::new()),
            ChunkedValue::Invalid(reason) => return self.clear_session(ctx, reason),
            ChunkedValue::Present(v) => v,
        };
        if raw.len() > MAX_SESSION_BYTES {
            return self.clear_session(ctx, "session cookie is larger than the limit");
        }
        let (cookie, version) = match self
            .open_jwt_session(ctx, &raw, |claims| CookieToken {
                token: claims.deserialize::<T>(),
                amr: claims.value(AMR_CLAIM),
                iat: claims.i64("iat"),
                exp: claims.i64("exp"),
                current: claims.current(),
            })
            .await
        {
            Ok(opened) => opened,
            Err(JwtSessionRefused::Invalid(reason)) => return self.clear_session(ctx, &reason),
            Err(JwtSessionRefused::Unavailable) => return SessionRead::unavailable(),
        };
        let CookieToken {
            token,
            amr,
            iat: cookie_iat,
            exp: cookie_exp,
            current,
        } = cookie;
        let token: T = match token {
            Ok(t) => t,
            Err(e) => {
                let reason = format!(
                    "token claims do not fit the Token type: {}",
                    claims_error(&e)
                );
                return self.clear_session(ctx, &reason);
            }
        };
        let trigger = update.as_ref().map(|_| Trigger::Update);
        let rewrite = Reissue::before_jwt(
            self.config.reissue_after,
            cookie_iat,
            ctx.now_secs(),
            update.is_some(),
            current,
            self.config.jwt.is_some().then_some(&token),
        );
        let data = update.filter(|v| !v.is_null());
        let token = match self.run_jwt(token, None, None, None, trigger, data).await {
            Some(t) => t,
            None => return self.clear_session(ctx, "the `jwt` callback returned None"),
        };

        // Serialise the token once: the expiry, the default session and the new cookie all
        // read it.
        let claims = match token_json(&token) {
            Ok(c) => c,
            Err(reason) => return self.clear_session(ctx, &reason),
        };
        let max_age = self.config.max_age;
        // A verify-only format (EdDSA with the public key alone) cannot re-issue the cookie,
        // and `reissue_after` may find it not due: either way the session keeps the token's
        // own expiry and no cookie is written.
        let can_encode = ctx.scheme.session.can_encode();
        let reissue = can_encode && rewrite.after_jwt(&claims);
        let expires = if reissue {
            cookies::expires_in(ctx.now, max_age)
        } else {
            claims
                .i64("exp")
                .or(cookie_exp)
                .and_then(|e| u64::try_from(e).ok())
                .and_then(|exp| {
                    std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(exp))
                })
                .unwrap_or_else(|| cookies::expires_in(ctx.now, max_age))
        };
        let amr_names = amr_of(amr.as_ref());
        let session = self.default_session_of(&claims, &iso8601(expires));
        let session = match &self.config.session {
            Some(SessionCallback::Jwt(f)) => {
                tracing::debug!(callback = "session", "callback ran");
                f(JwtSessionArgs {
                    session,
                    token: token.clone(),
                })
                .await
            }
            // Refused by `Auth::new`; the jwt strategy never holds a database callback.
            Some(SessionCallback::Database(_)) | None => session,
        };

        if !reissue {
            if can_encode {
                tracing::trace!("reissue_after: the session cookie is not due for re-issue");
            } else {
                tracing::trace!("verify-only token format: the session cookie is not re-issued");
            }
            let sub = claims.str("sub");
            self.fire_session_event(&session, sub.clone());
            return SessionRead::signed_in(session, Some(token), Vec::new())
                .of_user(sub, amr_names);
        }
        let sub = claims.str("sub");
        let encoded = match self.encode_token_json(ctx, &claims, version, amr.as_ref()) {
            Ok(e) => e,
            Err(reason) => return self.clear_session(ctx, &reason),
        };
        self.fire_session_event(&session, sub.clone());
        let set = cookies::write_chunked(&ctx.cookies, name, &encoded, expires, ctx.secure());
        SessionRead::signed_in(session, Some(token), set).of_user(sub, amr_names)
    }

    /// The live database session the cookie value `raw` names (the row cache consulted,
    /// the expiry slid when due); `None` when signed out.
    pub(crate) async fn live_db_session(
        &self,
        ctx: &Ctx<'_>,
        db: &dyn Adapter,
        raw: &str,
    ) -> Result<Option<database::LiveSession>, AdapterError> {
        database::read_session(
            db,
            Some(raw),
            self.config.max_age,
            self.config.update_age,
            ctx.now_secs(),
            self.session_rows.as_ref().map(|rows| (rows, ctx.now)),
        )
        .await
    }

    /// The claims of the JWT session cookie value `raw`, without running any callback: the
    /// token decoded, its session version taken out (returned, to go back in on re-issue)
    /// and checked against the user's, then `read` from the claims (parsed once, without
    /// a `Value` tree).
    pub(crate) async fn open_jwt_session<R>(
        &self,
        ctx: &Ctx<'_>,
        raw: &str,
        read: impl FnOnce(&RawClaims<'_>) -> R,
    ) -> Result<(R, Option<i64>), JwtSessionRefused> {
        let rejected = |e: JwtError| JwtSessionRefused::Invalid(format!("token rejected: {e}"));
        let opened = ctx.scheme.session.open(raw).map_err(rejected)?;
        let mut claims = opened.claims(ctx.now_secs()).map_err(rejected)?;
        // The session version stays out of the token the callbacks see, and goes back in.
        let version = revocation::take_raw_version(&mut claims)
            .map_err(|reason| JwtSessionRefused::Invalid(reason.to_owned()))?;
        let user_id = revocation::raw_subject(&claims);
        match self
            .check_session_version(user_id.as_deref(), version, ctx.now)
            .await
        {
            VersionCheck::Valid => Ok((read(&claims), version)),
            VersionCheck::Revoked => Err(JwtSessionRefused::Invalid(
                "the user's sessions were revoked".to_owned(),
            )),
            VersionCheck::Unavailable => Err(JwtSessionRefused::Unavailable),
        }
    }

    fn fire_session_event(&self, session: &Session<U>, user_id: Option<String>) {
        if let Some(handler) = self.config.events.session.as_ref() {
            let session = serde_json::to_value(session).unwrap_or(Value::Null);
            super::events::fire(
                "session",
                Some(handler),
                SessionEventArgs { session, user_id },
            );
        }
    }

    /// Runs the `jwt` callback (default: returns the token).
    pub(crate) async fn run_jwt(
        &self,
        token: T,
        user: Option<User>,
        account: Option<Account>,
        profile: Option<Profile>,
        trigger: Option<Trigger>,
        session: Option<Value>,
    ) -> Option<T> {
        match &self.config.jwt {
            Some(f) => {
                tracing::debug!(callback = "jwt", trigger = ?trigger, user = user.is_some(), "callback ran");
                f(JwtArgs {
                    token,
                    user,
                    account,
                    profile,
                    // Auth.js: `isNewUser` is true exactly on the `signUp` trigger.
                    is_new_user: trigger == Some(Trigger::SignUp),
                    trigger,
                    session,
                })
                .await
            }
            None => Some(token),
        }
    }

    /// Encodes the token for the session cookie (`iat`, `exp`, `jti` added by the codec).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn encode_token(&self, ctx: &Ctx<'_>, token: &T) -> Result<String, String> {
        self.encode_token_json(ctx, &token_json(token)?, None, None)
    }

    /// The session cookie's value for a serialised token, its session version and `amr`
    /// claim put in (`iat`, `exp`, `jti` added by the codec): the one way a sign-in, a
    /// session read and the test kit write it.
    pub(super) fn encode_token_json(
        &self,
        ctx: &Ctx<'_>,
        claims: &TokenJson,
        version: Option<i64>,
        amr: Option<&Value>,
    ) -> Result<String, String> {
        let version = version.map(|v| v.to_string());
        let amr = amr
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| format!("the token cannot be encoded: {e}"))?;
        let mut spliced: Vec<(&str, &[u8])> = Vec::with_capacity(2);
        if let Some(v) = &version {
            spliced.push((revocation::SESSION_VERSION_CLAIM, v.as_bytes()));
        }
        if let Some(amr) = &amr {
            spliced.push((AMR_CLAIM, amr));
        }
        let encoded = ctx
            .scheme
            .session
            .encode_json(claims, &spliced, self.config.max_age, ctx.now_secs())
            .map_err(|e| format!("the token cannot be encoded: {e}"))?;
        within_limit(encoded)
    }

    /// Auth.js's default session: `{user: {name, email, image: picture}, expires}`.
    fn default_session(&self, claims: &Map<String, Value>, expires: &str) -> Session<U> {
        let mut user = Map::new();
        for (from, to) in [("name", "name"), ("email", "email"), ("picture", "image")] {
            if let Some(v) = claims.get(from).filter(|v| !v.is_null()) {
                user.insert(to.to_owned(), v.clone());
            }
        }
        session_of(serde_json::from_value::<U>(Value::Object(user)), expires)
    }

    /// [`Inner::default_session`] of a serialised token (no `Value` map).
    fn default_session_of(&self, claims: &TokenJson, expires: &str) -> Session<U> {
        // Sorted by name, as the `Map` above hands them to `U`.
        let fields = [("email", "email"), ("image", "picture"), ("name", "name")];
        let mut user: [(&str, &str); 3] = [("", ""); 3];
        let mut len = 0;
        for (to, from) in fields {
            if let Some(json) = claims.get(from).filter(|json| *json != "null") {
                user[len] = (to, json);
                len += 1;
            }
        }
        session_of(
            crate::jwt::deserialize_entries(user[..len].iter().copied()),
            expires,
        )
    }
}

/// The default session of a `user` read from the claims (its `Default` when they do not
/// fit `U`).
fn session_of<U: SessionUserData>(user: Result<U, serde_json::Error>, expires: &str) -> Session<U> {
    let user = user.unwrap_or_else(|e| {
        tracing::warn!(error = %claims_error(&e), "the default session user does not fit the SessionUser type; using its Default");
        U::default()
    });
    Session {
        user,
        expires: expires.to_owned(),
    }
}

/// Never write a cookie the next read would refuse (it would sign the user out).
fn within_limit(encoded: String) -> Result<String, String> {
    if encoded.len() > MAX_SESSION_BYTES {
        return Err(format!(
            "the session token is {} bytes, over the {MAX_SESSION_BYTES}-byte limit of \
             {} cookie chunks; keep less in the token",
            encoded.len(),
            cookies::MAX_SESSION_CHUNKS
        ));
    }
    Ok(encoded)
}

/// A user's profile as token claims: `name`, `email` and `picture` (the image), when set.
pub(crate) fn user_claims(user: &User) -> Map<String, Value> {
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
    claims
}

/// The token as a JSON object (the `Value` form [`token_json`] is compared with in the
/// tests).
#[cfg(test)]
pub(crate) fn token_claims<T: TokenData>(token: &T) -> Result<Map<String, Value>, String> {
    match serde_json::to_value(token) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the Token type does not serialise to a JSON object".to_owned()),
        Err(e) => Err(format!("the token cannot be serialised: {e}")),
    }
}

/// The token serialised once (the claims of [`token_claims`], with its errors).
pub(crate) fn token_json<T: TokenData>(token: &T) -> Result<TokenJson, String> {
    match TokenJson::of(token) {
        Ok(Some(json)) => Ok(json),
        Ok(None) => Err("the Token type does not serialise to a JSON object".to_owned()),
        Err(e) => Err(format!("the token cannot be serialised: {e}")),
    }
}

/// A serde error about claims, told without the claims' values: serde's own text
/// (`invalid type: string "ada@example.com", expected i64`) echoes the value, a name or an
/// e-mail, into the log when a field's type changes between releases. What is kept: the
/// kind of mistake (`invalid type`), what the type expected, and field names (`missing
/// field `role``), at most 200 characters.
pub(crate) fn claims_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let bounded = |s: &str| -> String { s.chars().take(200).collect() };
    if ["missing field", "duplicate field", "unknown field"]
        .iter()
        .any(|p| text.starts_with(p))
    {
        // Field names come from the type and the token's keys, not from a value.
        return bounded(text.split(", expected").next().unwrap_or_default());
    }
    let kind = text
        .split([':', ',', '`', '"', '\''])
        .next()
        .unwrap_or_default()
        .trim();
    // serde's `expected ..` comes last and is the type's own description.
    match text.rfind(", expected ") {
        Some(at) => bounded(&format!("{kind} ({})", &text[at + 2..])),
        None => bounded(kind),
    }
}

#[cfg(test)]
mod typed_tests;

#[cfg(test)]
mod claims_error_tests {
    #![allow(clippy::unwrap_used)]

    use super::claims_error;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code, reason = "only deserialised")]
    struct Typed {
        age: i64,
        role: String,
        kind: Kind,
    }

    #[derive(Debug, serde::Deserialize)]
    enum Kind {
        A,
    }

    fn error(value: serde_json::Value) -> String {
        let e = serde_json::from_value::<Typed>(value).unwrap_err();
        claims_error(&e)
    }

    #[test]
    fn the_value_of_a_mistyped_claim_is_not_echoed() {
        let told = error(serde_json::json!({"age": "ada@example.com", "role": "r", "kind": "A"}));
        assert!(!told.contains("ada"), "{told}");
        assert_eq!(told, "invalid type (expected i64)");
        let told = error(serde_json::json!({"age": 1, "role": 7, "kind": "A"}));
        assert_eq!(told, "invalid type (expected a string)");
        let told = error(serde_json::json!({"age": 1, "role": "r", "kind": "secret-variant"}));
        assert!(!told.contains("secret"), "{told}");
        assert!(told.starts_with("unknown variant ("), "{told}");
        let told = error(serde_json::json!({"age": 1, "kind": "A"}));
        assert_eq!(told, "missing field `role`");
        // A value shaped like serde's own text does not smuggle itself in either.
        let told =
            error(serde_json::json!({"age": "x\nFORGED, expected y: z", "role": "r", "kind": "A"}));
        assert!(!told.contains("FORGED"), "{told}");
        assert!(!told.contains('\n'), "{told}");
    }
}
