//! E-mail sign-in ("magic links", Auth.js's `Email`/Nodemailer): `POST /signin/:id` sends a
//! one-time link, `GET /callback/:id?token=..&email=..` signs in with it.
//!
//! Auth.js's observable flow, with its safer choices where they keep interop:
//! - The address is normalized as Auth.js does (NFKC, trimmed, lowercase) and then
//!   *validated* ([`normalize_address`]): a `,`, `;`, quotes, angle brackets, whitespace or
//!   any control character (CR/LF) is refused, where Auth.js cuts the domain at the first
//!   `,`. The mail's envelope is built from the one parsed mailbox, never from the header text.
//! - The token (32 random bytes, hex) is stored hashed as the adapter asks
//!   ([`VerificationTokenHashing`]): HMAC-SHA-256 under an HKDF key of the secret by default,
//!   or Auth.js's `sha256(token + secret)` for tables shared with Auth.js.
//! - Sends count against the sign-in limits per address (and per client address), and a
//!   new link revokes the address's pending ones (`Adapter::delete_verification_tokens`).
//! - The callback normalizes `email` too, and refuses (`Verification`, 403) a token that is
//!   unknown, spent, expired or made for another address. A token that cannot be one of
//!   ours (64 hex characters) is refused without a lookup, except on tables shared with
//!   Auth.js, where an Auth.js app's `generateVerificationToken` may have mailed any string
//!   ([`token_may_exist`]).
//!
//! `address` validates and normalizes addresses, `mail` holds Auth.js's message and the SMTP
//! transport; this file the state, the two endpoints and the send.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use lettre::address::{Address, Envelope};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::{Digest, Sha256};

use super::sign_in_tail::SignIn;
use super::{Ctx, FlowError, Inner, Reply, Req};
use crate::ConfigError;
use crate::adapter::{Adapter, VerificationToken, VerificationTokenHashing};
use crate::config::{
    Account, AccountType, EmailProvider, SessionUserData, TokenData, User, VerificationRequest,
};
use crate::util::{from_unix_secs, hex, secs_i64};

mod address;
mod mail;

pub use address::{AddressError, normalize_address};
pub use mail::{verification_html, verification_subject, verification_text};

/// The longest token looked up on tables shared with Auth.js (whose tokens may be any
/// string its `generateVerificationToken` makes); far above any link a mail client keeps.
const MAX_AUTHJS_TOKEN_LEN: usize = 1024;

/// The HKDF `info` of the token key: this purpose alone.
const TOKEN_KEY_INFO: &[u8] = b"authrs e-mail sign-in verification token v1";

/// What lives as long as the `Auth` for its e-mail providers.
pub(crate) struct EmailState {
    /// One HMAC key per secret, the encoding secret's first (older ones still verify links
    /// mailed before a rotation).
    token_keys: Vec<[u8; 32]>,
    /// Auth.js's token secret: the secrets joined by `,`.
    authjs_secret: String,
    /// Per provider (by id): its sender and transport.
    senders: Vec<Sender>,
}

/// One provider's sender.
struct Sender {
    id: String,
    from: Mailbox,
    /// `None` when the provider's `send_verification_request` replaces the mail.
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl EmailState {
    /// The state for `providers` (none: `None`), from the secrets (the encoding one first).
    /// The providers' `server` values are resolved already (literals).
    pub(crate) fn new(
        providers: &[&EmailProvider],
        secrets: &[String],
    ) -> Result<Option<Self>, ConfigError> {
        if providers.is_empty() {
            return Ok(None);
        }
        let token_keys = secrets
            .iter()
            .map(|secret| {
                let mut key = [0u8; 32];
                // 32 bytes is far below HKDF-SHA-256's limit: `expand` cannot fail.
                let _ = Hkdf::<Sha256>::new(Some(b"authrs"), secret.as_bytes())
                    .expand(TOKEN_KEY_INFO, &mut key);
                key
            })
            .collect();
        let mut senders = Vec::new();
        for p in providers {
            let from: Mailbox = p.from.parse().map_err(|_| ConfigError::InvalidEmailFrom {
                id: p.id.clone(),
                from: p.from.clone(),
            })?;
            let server = p.server.resolve()?;
            let transport =
                mail::transport(&server).map_err(|reason| ConfigError::InvalidEmailServer {
                    id: p.id.clone(),
                    reason,
                })?;
            senders.push(Sender {
                id: p.id.clone(),
                from,
                transport: p.send_verification_request.is_none().then_some(transport),
            });
        }
        Ok(Some(EmailState {
            token_keys,
            authjs_secret: crate::csrf::secret_material(secrets),
            senders,
        }))
    }

    /// The hashes a token may be stored under, the one to store first.
    fn hashes(&self, hashing: VerificationTokenHashing, token: &str) -> Vec<String> {
        match hashing {
            VerificationTokenHashing::AuthJs => {
                let mut h = Sha256::new();
                h.update(token.as_bytes());
                h.update(self.authjs_secret.as_bytes());
                vec![hex(&h.finalize())]
            }
            // `Hmac` and any later default.
            _ => self
                .token_keys
                .iter()
                // HMAC takes a key of any length: `new_from_slice` does not fail.
                .filter_map(|key| <Hmac<Sha256> as Mac>::new_from_slice(key).ok())
                .map(|mut mac| {
                    mac.update(token.as_bytes());
                    hex(&mac.finalize().into_bytes())
                })
                .collect(),
        }
    }
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// `POST /signin/:id` of an e-mail provider: validate the address, count it, run
    /// `sign_in`, store the hashed token, send the link, redirect to `verify-request`.
    /// `callback` is the callback URL (it goes into the link) and its cookie.
    pub(crate) async fn email_send(
        &self,
        ctx: &Ctx<'_>,
        req: &Req,
        provider: &EmailProvider,
        callback: (String, Option<crate::cookies::SetCookie>),
    ) -> Result<Reply, FlowError> {
        let (callback_url, callback_cookie) = callback;
        let (Some(state), Some(db)) = (self.email.as_ref(), self.adapter.as_deref()) else {
            return Err(FlowError::Configuration(
                ConfigError::EmailNeedsAdapter(provider.id.clone()).to_string(),
            ));
        };
        let raw = req.body.get("email").unwrap_or_default();
        let identifier = match normalize_address(raw) {
            Ok(a) => a,
            Err(e) => {
                tracing::info!(provider = %provider.id, reason = %e, "e-mail sign-in refused: invalid address (EmailSignin)");
                return Err(FlowError::EmailSignin);
            }
        };
        self.count_sign_in(ctx, &provider.id, Some(&identifier))
            .await?;
        let user = self.email_user(db, &identifier).await?;
        let account = email_account(provider, &identifier);
        if let Some(redirect) = self
            .run_sign_in(ctx, &user, &account, &None, None, &[])
            .await?
        {
            return Ok(redirect);
        }

        let raw_token: [u8; 32] = crate::random::array();
        let token = hex(&raw_token);
        let expires = ctx.now_secs().saturating_add(secs_i64(provider.max_age));
        let hashing = db.verification_token_hashing();
        let Some(hash) = state.hashes(hashing, &token).into_iter().next() else {
            return Err(FlowError::Configuration(
                "no secret for e-mail tokens".to_owned(),
            ));
        };
        // The new link replaces the pending ones (Auth.js keeps them all valid).
        db.delete_verification_tokens(&identifier).await?;
        db.create_verification_token(&VerificationToken {
            identifier: identifier.clone(),
            token: hash,
            expires,
        })
        .await?;

        let link = crate::url::with_query(
            &self.action_url(ctx, &format!("callback/{}", provider.id)),
            &[
                ("callbackUrl", callback_url.as_str()),
                ("token", token.as_str()),
                ("email", identifier.as_str()),
            ],
        );
        let request = VerificationRequest {
            identifier: identifier.clone(),
            url: link,
            token,
            expires: from_unix_secs(expires),
            provider: provider.id.clone(),
            from: provider.from.clone(),
            host: ctx.origin.authority().to_owned(),
        };
        match &provider.send_verification_request {
            Some(hook) => hook(request).await.map_err(|e| {
                FlowError::Configuration(format!("`send_verification_request` failed: {e}"))
            })?,
            None => state.send(&provider.id, &request).await?,
        }
        tracing::info!(provider = %provider.id, "e-mail sign-in link sent");
        let to = crate::url::with_query(
            &self.verify_request_page(ctx),
            &[("provider", provider.id.as_str()), ("type", "email")],
        );
        Ok(Reply::redirect(to).with_cookies(callback_cookie))
    }

    /// `GET /callback/:id?token=..&email=..`: consume the token, then the sign-in tail.
    pub(crate) async fn email_callback(
        &self,
        ctx: &Ctx<'_>,
        req: &Req,
        provider: &EmailProvider,
    ) -> Result<Reply, FlowError> {
        let (Some(state), Some(db)) = (self.email.as_ref(), self.adapter.as_deref()) else {
            return Err(FlowError::Configuration(
                ConfigError::EmailNeedsAdapter(provider.id.clone()).to_string(),
            ));
        };
        let param = |name| {
            req.query(name)
                .or_else(|| req.body.get(name))
                .filter(|v| !v.is_empty())
        };
        let Some(token) = param("token") else {
            return Err(FlowError::Configuration(
                "the e-mail sign-in link has no token".to_owned(),
            ));
        };
        let Ok(identifier) = normalize_address(param("email").unwrap_or_default()) else {
            return Err(FlowError::Verification("the link's address is not valid"));
        };
        let hashing = db.verification_token_hashing();
        if !token_may_exist(hashing, token) {
            return Err(FlowError::Verification("the token is malformed"));
        }
        let mut found = None;
        for hash in state.hashes(hashing, token) {
            if let Some(row) = db.use_verification_token(&identifier, &hash).await? {
                found = Some(row);
                break;
            }
        }
        let Some(row) = found else {
            return Err(FlowError::Verification(
                "no such token for this address (spent, tampered or foreign)",
            ));
        };
        if row.identifier != identifier {
            return Err(FlowError::Verification(
                "the token was made for another address",
            ));
        }
        if row.expires < ctx.now_secs() {
            return Err(FlowError::Verification("the token has expired"));
        }
        let user = self.email_user(db, &identifier).await?;
        let account = email_account(provider, &identifier);
        let sign_in = SignIn {
            user,
            account,
            profile: None,
            credentials: None,
            allow_email_linking: false,
        };
        self.sign_in_tail(ctx, req, sign_in).await
    }

    /// The user of an address: the stored one, else a new one (not stored yet; the sign-in
    /// tail creates it, with the address verified).
    async fn email_user(&self, db: &dyn Adapter, identifier: &str) -> Result<User, FlowError> {
        Ok(match db.get_user_by_email(identifier).await? {
            Some(user) => user,
            None => User {
                email: Some(identifier.to_owned()),
                ..User::default()
            },
        })
    }

    /// The verify-request page: the configured one, else the built-in `{base}/verify-request`.
    fn verify_request_page(&self, ctx: &Ctx<'_>) -> String {
        super::context::page_url(
            &ctx.origin,
            self.config.pages.verify_request.as_deref(),
            &self.config.base_path,
            "verify-request",
        )
    }
}

/// Whether a link's (non-empty) token may be a stored one, before any lookup: ours are
/// 64 hex characters; on tables shared with Auth.js ([`VerificationTokenHashing::AuthJs`])
/// an Auth.js app may have made any string (`generateVerificationToken`: a UUID, a short
/// code), so only the length is bounded.
fn token_may_exist(hashing: VerificationTokenHashing, token: &str) -> bool {
    match hashing {
        VerificationTokenHashing::AuthJs => token.len() <= MAX_AUTHJS_TOKEN_LEN,
        // `Hmac` and any later default: only our own tokens.
        _ => token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
    }
}

/// The account of an e-mail sign-in (Auth.js's: the address is the account id; never
/// stored, no Account row is linked).
fn email_account(provider: &EmailProvider, identifier: &str) -> Account {
    Account {
        provider: provider.id.clone(),
        provider_account_id: identifier.to_owned(),
        kind: AccountType::Email,
        ..Account::default()
    }
}

impl EmailState {
    /// Sends the default mail through the provider's SMTP server; the envelope holds the
    /// one parsed recipient. A refused recipient or any SMTP failure is `Configuration`.
    async fn send(&self, id: &str, request: &VerificationRequest) -> Result<(), FlowError> {
        let fail = |e: String| {
            FlowError::Configuration(format!("the sign-in e-mail could not be sent: {e}"))
        };
        let Some(sender) = self.senders.iter().find(|s| s.id == id) else {
            return Err(fail(format!("no sender for provider `{id}`")));
        };
        let Some(transport) = &sender.transport else {
            return Err(fail("the provider has no SMTP transport".to_owned()));
        };
        let to: Address = request
            .identifier
            .parse()
            .map_err(|e| fail(format!("invalid recipient: {e}")))?;
        let message = Message::builder()
            .from(sender.from.clone())
            .to(Mailbox::new(None, to.clone()))
            .subject(verification_subject(&request.host))
            .multipart(MultiPart::alternative_plain_html(
                verification_text(&request.url, &request.host),
                verification_html(&request.url, &request.host),
            ))
            .map_err(|e| fail(e.to_string()))?;
        let envelope = Envelope::new(Some(sender.from.email.clone()), vec![to])
            .map_err(|e| fail(e.to_string()))?;
        transport
            .send_raw(&envelope, &message.formatted())
            .await
            .map_err(|e| fail(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_looked_up_by_hashing() {
        let ours = "0123456789abcdef".repeat(4);
        for hashing in [
            VerificationTokenHashing::Hmac,
            VerificationTokenHashing::AuthJs,
        ] {
            assert!(token_may_exist(hashing, &ours));
        }
        for other in [
            "5b0f6a7e-3c2d-4f1e-9a8b-7c6d5e4f3a2b",
            "482193",
            "code 48+21/ab=",
        ] {
            assert!(!token_may_exist(VerificationTokenHashing::Hmac, other));
            assert!(token_may_exist(VerificationTokenHashing::AuthJs, other));
        }
        assert!(!token_may_exist(VerificationTokenHashing::Hmac, &ours[1..]));
        let long = "a".repeat(MAX_AUTHJS_TOKEN_LEN + 1);
        assert!(!token_may_exist(VerificationTokenHashing::AuthJs, &long));
        assert!(token_may_exist(
            VerificationTokenHashing::AuthJs,
            &long[1..]
        ));
    }

    #[test]
    fn both_hashings() {
        let state = EmailState {
            token_keys: vec![[1u8; 32], [2u8; 32]],
            authjs_secret: "s1,s2".to_owned(),
            senders: Vec::new(),
        };
        let authjs = state.hashes(VerificationTokenHashing::AuthJs, "tok");
        let mut h = Sha256::new();
        h.update(b"toks1,s2");
        assert_eq!(authjs, vec![hex(&h.finalize())]);
        let hmac = state.hashes(VerificationTokenHashing::Hmac, "tok");
        assert_eq!(hmac.len(), 2);
        assert_ne!(hmac[0], hmac[1]);
        assert_ne!(hmac[0], authjs[0]);
        assert_eq!(hmac[0].len(), 64);
    }
}
