//! The database strategy's steps, as the request flow calls them: find or create the user
//! of a sign-in, start a session, read one (with Auth.js's sliding expiry), end one.
//!
//! They work on any [`Adapter`] and carry Auth.js's rules, so the flow only maps results to
//! HTTP: `Ok(None)` from [`read_session`] is "signed out" (clear the cookie),
//! [`AdapterError::Unavailable`] is 503.

mod cache;

use std::time::SystemTime;

use crate::adapter::{
    Adapter, AdapterError, AdapterSession, SessionId, SessionKey, SessionToken, SessionTokenStorage,
};
use crate::config::{Account, User};
use crate::util::secs_i64;

pub use cache::SESSION_ROW_CACHE_CAPACITY;
pub(crate) use cache::SessionRows;

/// Who signed in, and what the sign-in wrote (for the `create_user` / `link_account` events
/// and the `is_new_user` flag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SignedInUser {
    /// The stored user.
    pub(crate) user: User,
    /// The sign-in created the user (Auth.js's `isNewUser`, trigger `signUp`).
    pub(crate) created: bool,
    /// The sign-in linked the provider account to the user.
    pub(crate) linked: bool,
}

/// Why a sign-in cannot get a user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum SignInError {
    /// Another user already has this e-mail address and the provider does not allow
    /// linking by e-mail (Auth.js's `OAuthAccountNotLinked`).
    #[error("another account already uses this e-mail address (OAuthAccountNotLinked)")]
    AccountNotLinked,
    /// A credentials `authorize` returned a user with neither an id nor an e-mail address.
    #[error("the user returned by `authorize` has neither an id nor an e-mail address")]
    MissingUserId,
    /// The adapter failed.
    #[error(transparent)]
    Adapter(#[from] AdapterError),
}

impl SignedInUser {
    /// A user the sign-in found, as stored.
    pub(crate) fn found(user: User) -> Self {
        SignedInUser {
            user,
            created: false,
            linked: false,
        }
    }
}

/// How many times a sign-in retries after losing a race with a parallel sign-in of the
/// same user (the loser finds what the winner wrote).
const RACE_ATTEMPTS: usize = 3;

/// One attempt of a sign-in step.
enum Attempt {
    /// The sign-in has its user.
    Done(SignedInUser),
    /// A parallel sign-in (or a deletion) got in the way: look again. The error is the
    /// one to report if no attempt is left (`None` keeps the previous one).
    Raced(Option<AdapterError>),
}

/// Runs `attempt` until it is done, at most [`RACE_ATTEMPTS`] times; when every attempt
/// lost a race, the last conflict (or `Conflict(what)`).
async fn retry_races<F>(
    what: &'static str,
    mut attempt: impl FnMut() -> F,
) -> Result<SignedInUser, SignInError>
where
    F: Future<Output = Result<Attempt, SignInError>>,
{
    let mut last = None;
    for _ in 0..RACE_ATTEMPTS {
        match attempt().await? {
            Attempt::Done(signed_in) => return Ok(signed_in),
            Attempt::Raced(e) => last = e.or(last),
        }
    }
    Err(last.unwrap_or(AdapterError::Conflict(what)).into())
}

/// The outcome of creating the user: done, or (a unique conflict: the e-mail or the
/// account was taken meanwhile, nothing was stored) raced.
fn created(result: Result<User, AdapterError>, linked: bool) -> Result<Attempt, SignInError> {
    match result {
        Ok(user) => Ok(Attempt::Done(SignedInUser {
            user,
            created: true,
            linked,
        })),
        Err(e @ AdapterError::Conflict(_)) => Ok(Attempt::Raced(Some(e))),
        Err(e) => Err(e.into()),
    }
}

/// OAuth/OIDC sign-in: the user linked to `account`; else, when `profile_user.email`
/// belongs to a user, that user (the account is linked only when
/// `allow_email_linking`, Auth.js's `allowDangerousEmailAccountLinking`; otherwise
/// [`SignInError::AccountNotLinked`]); else a new user from the profile, with the account
/// linked. Safe against parallel first sign-ins of one person: they end with one user.
pub(crate) async fn oauth_sign_in(
    db: &dyn Adapter,
    profile_user: &User,
    account: &Account,
    allow_email_linking: bool,
) -> Result<SignedInUser, SignInError> {
    retry_races("account", || {
        oauth_attempt(db, profile_user, account, allow_email_linking)
    })
    .await
}

/// The user a provider account is linked to.
async fn linked_user(db: &dyn Adapter, account: &Account) -> Result<Option<User>, AdapterError> {
    db.get_user_by_account(&account.provider, &account.provider_account_id)
        .await
}

/// One attempt of [`oauth_sign_in`].
async fn oauth_attempt(
    db: &dyn Adapter,
    profile_user: &User,
    account: &Account,
    allow_email_linking: bool,
) -> Result<Attempt, SignInError> {
    if let Some(user) = linked_user(db, account).await? {
        return Ok(Attempt::Done(SignedInUser::found(user)));
    }
    if let Some(email) = profile_user.email.as_deref()
        && let Some(user) = db.get_user_by_email(email).await?
    {
        if !allow_email_linking {
            // A parallel first sign-in of this very account may have created the user
            // (with the account, atomically) since the lookup above: then it is ours.
            return match linked_user(db, account).await? {
                Some(user) => Ok(Attempt::Done(SignedInUser::found(user))),
                None => Err(SignInError::AccountNotLinked),
            };
        }
        return match db.link_account(&user.id, account).await {
            Ok(()) => Ok(Attempt::Done(SignedInUser {
                user,
                created: false,
                linked: true,
            })),
            // Linked meanwhile (by a parallel sign-in), or the user was deleted: look again.
            Err(e @ (AdapterError::Conflict(_) | AdapterError::NotFound(_))) => {
                Ok(Attempt::Raced(Some(e)))
            }
            Err(e) => Err(e.into()),
        };
    }
    let new_user = User {
        id: String::new(),
        ..profile_user.clone()
    };
    created(db.create_user_with_account(&new_user, account).await, true)
}

/// Credentials sign-in (where Auth.js refuses database sessions, next-auth #3729): the
/// application's `authorize` is the source of truth, so the user it returns is found by id
/// (or, without an id, by e-mail) and created when missing, and its profile fields are
/// written back when they changed.
pub(crate) async fn credentials_sign_in(
    db: &dyn Adapter,
    authorized: &User,
) -> Result<SignedInUser, SignInError> {
    retry_races("user", || credentials_attempt(db, authorized)).await
}

/// One attempt of [`credentials_sign_in`].
async fn credentials_attempt(db: &dyn Adapter, authorized: &User) -> Result<Attempt, SignInError> {
    let existing = if !authorized.id.is_empty() {
        db.get_user(&authorized.id).await?
    } else if let Some(email) = authorized.email.as_deref() {
        db.get_user_by_email(email).await?
    } else {
        return Err(SignInError::MissingUserId);
    };
    let Some(stored) = existing else {
        // A conflict: created meanwhile by a parallel sign-in (or the e-mail is another
        // user's).
        return created(db.create_user(authorized).await, false);
    };
    // `extra` is not stored (the sign-in tail carries it to `jwt`): not a change.
    let wanted = User {
        id: stored.id.clone(),
        extra: serde_json::Map::new(),
        ..authorized.clone()
    };
    if wanted == stored {
        return Ok(Attempt::Done(SignedInUser::found(stored)));
    }
    Ok(match db.update_user(&wanted).await? {
        Some(user) => Attempt::Done(SignedInUser::found(user)),
        // Deleted meanwhile: create it on the next round.
        None => Attempt::Raced(None),
    })
}

/// E-mail sign-in (Auth.js's `handleLoginOrRegister` for `email`): the user with the
/// address gets `email_verified = verified` (at every sign-in), or a user is created with
/// the address verified. No account is linked.
pub(crate) async fn email_sign_in(
    db: &dyn Adapter,
    by_email: &User,
    verified: i64,
) -> Result<SignedInUser, SignInError> {
    let Some(email) = by_email.email.as_deref() else {
        return Err(SignInError::MissingUserId);
    };
    retry_races("user", || email_attempt(db, email, verified)).await
}

/// One attempt of [`email_sign_in`].
async fn email_attempt(
    db: &dyn Adapter,
    email: &str,
    verified: i64,
) -> Result<Attempt, SignInError> {
    let Some(stored) = db.get_user_by_email(email).await? else {
        let user = User {
            email: Some(email.to_owned()),
            email_verified: Some(verified),
            ..User::default()
        };
        // A conflict: created meanwhile by a parallel sign-in with the same address.
        return created(db.create_user(&user).await, false);
    };
    let wanted = User {
        email_verified: Some(verified),
        ..stored
    };
    Ok(match db.update_user(&wanted).await? {
        Some(user) => Attempt::Done(SignedInUser::found(user)),
        // Deleted meanwhile: create it on the next round.
        None => Attempt::Raced(None),
    })
}

/// Starts a session for `user_id` lasting `max_age` seconds from `now` (seconds since the
/// epoch, the service's clock). Returns the cookie's value (a fresh [`SessionId`], or with
/// an adapter storing tokens in clear a fresh [`SessionToken`]; cookie `Expires` =
/// `session.expires`) and the stored row.
pub(crate) async fn start_session(
    db: &dyn Adapter,
    user_id: &str,
    max_age: u64,
    now: i64,
) -> Result<(String, AdapterSession), AdapterError> {
    let expires = now.saturating_add(secs_i64(max_age));
    match db.session_token_storage() {
        SessionTokenStorage::Clear => {
            let token = SessionToken::generate();
            let session = db.create_session_token(&token, user_id, expires).await?;
            Ok((token.as_str().to_owned(), session))
        }
        SessionTokenStorage::Hashed => {
            let id = SessionId::generate();
            let session = db.create_session(&id.key(), user_id, expires).await?;
            Ok((id.to_cookie_value(), session))
        }
    }
}

/// A session cookie's value, in the form the adapter keys sessions by.
enum CookieSession {
    /// The hash of a [`SessionId`] (the default).
    Hashed(SessionKey),
    /// The token in clear ([`SessionTokenStorage::Clear`]).
    Clear(SessionToken),
}

impl CookieSession {
    /// The key the session is listed and cached under.
    fn key(&self) -> SessionKey {
        match self {
            CookieSession::Hashed(key) => *key,
            CookieSession::Clear(token) => token.key(),
        }
    }

    /// Reads a cookie value for `db`; `None` (garbage) is "signed out".
    fn of(db: &dyn Adapter, cookie_value: Option<&str>) -> Option<Self> {
        let value = cookie_value?;
        match db.session_token_storage() {
            SessionTokenStorage::Clear => {
                SessionToken::from_cookie(value).map(CookieSession::Clear)
            }
            SessionTokenStorage::Hashed => {
                SessionId::parse(value).map(|id| CookieSession::Hashed(id.key()))
            }
        }
    }

    async fn get(&self, db: &dyn Adapter) -> Result<Option<(AdapterSession, User)>, AdapterError> {
        match self {
            CookieSession::Hashed(key) => db.get_session_and_user(key).await,
            CookieSession::Clear(token) => db.get_session_and_user_by_token(token).await,
        }
    }

    async fn update(
        &self,
        db: &dyn Adapter,
        expires: i64,
    ) -> Result<Option<AdapterSession>, AdapterError> {
        match self {
            CookieSession::Hashed(key) => db.update_session(key, expires).await,
            CookieSession::Clear(token) => db.update_session_token(token, expires).await,
        }
    }

    async fn delete(&self, db: &dyn Adapter) -> Result<bool, AdapterError> {
        match self {
            CookieSession::Hashed(key) => db.delete_session(key).await,
            CookieSession::Clear(token) => db.delete_session_token(token).await,
        }
    }
}

/// The key of the session a cookie value names ([`SessionKey`]: SHA-256 of the id, or
/// [`SessionToken::key`] with tokens stored in clear); `None` for a value that names none.
pub(crate) fn session_key(db: &dyn Adapter, cookie_value: &str) -> Option<SessionKey> {
    CookieSession::of(db, Some(cookie_value)).map(|cookie| cookie.key())
}

/// The id of the user whose session a cookie value names (for the `sign_out` event), if it
/// is live.
pub(crate) async fn session_user_id(
    db: &dyn Adapter,
    cookie_value: &str,
) -> Result<Option<String>, AdapterError> {
    match CookieSession::of(db, Some(cookie_value)) {
        Some(session) => Ok(session.get(db).await?.map(|(_, user)| user.id)),
        None => Ok(None),
    }
}

/// A live session, as [`read_session`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LiveSession {
    /// The session row (after any extension).
    pub(crate) session: AdapterSession,
    /// Its user (the `session` callback's `user`).
    pub(crate) user: User,
    /// The expiry moved: re-send the cookie with `Expires` = `session.expires`.
    pub(crate) extended: bool,
}

/// Reads the session a cookie value names. `None` (no cookie, garbage, unknown, expired,
/// revoked) means signed out: answer like Auth.js (`null`) and clear the cookie if one
/// was sent. Like Auth.js, the expiry slides to `now + max_age` only when the session is
/// older than `update_age` (`expires - max_age + update_age <= now`), so most reads are
/// a single query and no write. `now` is the service's clock (seconds since the epoch): a
/// session expired by it reads as signed out even when the adapter still returned it.
///
/// With `cache` (the server's [`SessionRows`] and its clock's time), a row read less
/// than the cache's interval ago is used without a query; what the database answers is
/// cached (the row after an extension too).
pub(crate) async fn read_session(
    db: &dyn Adapter,
    cookie_value: Option<&str>,
    max_age: u64,
    update_age: u64,
    now: i64,
    cache: Option<(&SessionRows, SystemTime)>,
) -> Result<Option<LiveSession>, AdapterError> {
    let Some(cookie) = CookieSession::of(db, cookie_value) else {
        return Ok(None);
    };
    let key = cookie.key();
    let cached = cache.and_then(|(rows, at)| rows.fresh(&key, at));
    let (session, user) = match cached {
        // An expired cached row goes to the database, which deletes it.
        Some((session, user)) if !session.is_expired_at(now) => (session, user),
        _ => {
            let epoch = cache.map(|(rows, _)| rows.epoch());
            let Some((session, user)) = cookie.get(db).await? else {
                return Ok(None);
            };
            if let (Some((rows, at)), Some(epoch)) = (cache, epoch) {
                rows.store(&key, &session, &user, at, epoch);
            }
            (session, user)
        }
    };
    if session.is_expired_at(now) {
        return Ok(None);
    }
    let due = session
        .expires
        .saturating_sub(secs_i64(max_age))
        .saturating_add(secs_i64(update_age));
    if due > now {
        return Ok(Some(LiveSession {
            session,
            user,
            extended: false,
        }));
    }
    let epoch = cache.map(|(rows, _)| rows.epoch());
    match cookie
        .update(db, now.saturating_add(secs_i64(max_age)))
        .await?
    {
        Some(session) => {
            if let (Some((rows, at)), Some(epoch)) = (cache, epoch) {
                rows.store(&key, &session, &user, at, epoch);
            }
            Ok(Some(LiveSession {
                session,
                user,
                extended: true,
            }))
        }
        // Revoked or expired between the two queries.
        None => {
            if let Some((rows, _)) = cache {
                rows.forget(&key);
            }
            Ok(None)
        }
    }
}

/// Sign-out: deletes the session a cookie value names (if any). `true` when a row was
/// deleted. Clear the cookie whatever the result.
pub(crate) async fn end_session(
    db: &dyn Adapter,
    cookie_value: Option<&str>,
    cache: Option<&SessionRows>,
) -> Result<bool, AdapterError> {
    match CookieSession::of(db, cookie_value) {
        Some(cookie) => {
            let key = cookie.key();
            // Forgotten before and after: a read in flight during the delete cannot put
            // the row back (its epoch is older than the first forget).
            if let Some(rows) = cache {
                rows.forget(&key);
            }
            let deleted = cookie.delete(db).await;
            if let Some(rows) = cache {
                rows.forget(&key);
            }
            deleted
        }
        None => Ok(false),
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests;
