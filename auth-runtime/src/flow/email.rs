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
//!   unknown, spent, expired or made for another address.

use std::time::Duration;

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use lettre::address::{Address, Envelope};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::RngCore;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::sign_in_tail::SignIn;
use super::{Ctx, FlowError, Inner, Reply, Req};
use crate::ConfigError;
use crate::adapter::{Adapter, VerificationToken, VerificationTokenHashing};
use crate::config::{
    Account, AccountType, EmailProvider, SessionUserData, TokenData, User, VerificationRequest,
};
use crate::util::{from_unix_secs, hex, secs_i64};

/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The HKDF `info` of the token key: this purpose alone.
const TOKEN_KEY_INFO: &[u8] = b"authrs e-mail sign-in verification token v1";

/// The longest address accepted (RFC 5321's path limit less the brackets).
const MAX_ADDRESS_LEN: usize = 254;

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
                transport(&server).map_err(|reason| ConfigError::InvalidEmailServer {
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

/// The SMTP transport of a server URL. `smtps://` is TLS from the start; `smtp://` with
/// `tls=required` or `tls=opportunistic` is STARTTLS as named; a plain `smtp://` is plain
/// text to a loopback host only, anywhere else STARTTLS is required (so a password never
/// goes out in clear); `tls=none` asks for plain text explicitly.
fn transport(server: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut url = url::Url::parse(server).map_err(|e| format!("not a URL ({e})"))?;
    if url.scheme() != "smtp" && url.scheme() != "smtps" {
        return Err(format!(
            "the scheme is `{}`, not smtp or smtps",
            url.scheme()
        ));
    }
    let host = url.host().ok_or("the URL names no host")?;
    // `smtp:` is not a special scheme: its host is opaque text, an address included.
    let loopback = match host {
        url::Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    if url.scheme() == "smtp" {
        let rest: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "tls")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let tls = match tls.as_deref() {
            None if loopback => None,
            None => Some("required"),
            Some("none") => None,
            Some(t @ ("required" | "opportunistic")) => Some(t),
            Some(other) => {
                return Err(format!(
                    "`tls={other}` is not one of `required`, `opportunistic`, `none`"
                ));
            }
        };
        let mut pairs = url.query_pairs_mut();
        pairs.clear();
        for (k, v) in &rest {
            pairs.append_pair(k, v);
        }
        if let Some(t) = tls {
            pairs.append_pair("tls", t);
        }
        drop(pairs);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
        // lettre's message may quote the URL: keep the password out of it.
        .map_err(|e| {
            let e = e.to_string();
            match url.password() {
                Some(p) if !p.is_empty() => e.replace(p, "***"),
                _ => e,
            }
        })?;
    Ok(builder.timeout(Some(SMTP_TIMEOUT)).build())
}

/// Why an address is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Empty (or only whitespace).
    #[error("the address is empty")]
    Empty,
    /// Longer than 254 characters (or a part over its limit).
    #[error("the address is too long")]
    TooLong,
    /// Not exactly one `@`, or an empty local part or domain.
    #[error("the address is not of the form `name@domain`")]
    Shape,
    /// A character that has no place in a single plain address: a control character
    /// (CR, LF, ..), whitespace, `,`, `;`, quotes, brackets, parentheses, `\`, `:`.
    #[error("the address contains a character that is not allowed")]
    Character,
    /// The domain is not a host name (empty label, leading or trailing `-` or `.`).
    #[error("the domain is not a host name")]
    Domain,
}

/// Normalizes an e-mail address as Auth.js does (NFKC, trimmed, lowercase) and validates
/// it as one plain `local@domain` mailbox: no second recipient (`,`, `;`), no header
/// syntax (quotes, `<>`, comments), no whitespace or control characters (CR/LF), one `@`,
/// a host name for domain. The result is what is stored, compared and mailed.
pub fn normalize_address(raw: &str) -> Result<String, AddressError> {
    // A control character anywhere, even one `trim` would drop (a trailing CR/LF), refuses
    // the address: such input is never typed into an address field.
    if raw.chars().any(char::is_control) {
        return Err(AddressError::Character);
    }
    let normalized: String = raw.nfkc().collect::<String>().trim().to_lowercase();
    if normalized.is_empty() {
        return Err(AddressError::Empty);
    }
    if normalized.chars().count() > MAX_ADDRESS_LEN {
        return Err(AddressError::TooLong);
    }
    if normalized.chars().any(|c| {
        c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | '"' | '<' | '>' | '(' | ')' | '[' | ']' | '\\' | ':' | '\u{feff}'
            )
            // Unicode format characters (bidi controls, zero-width joiners).
            || ('\u{200b}'..='\u{200f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2060}'..='\u{2064}').contains(&c)
    }) {
        return Err(AddressError::Character);
    }
    let mut parts = normalized.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AddressError::Shape);
    };
    if local.is_empty() || domain.is_empty() {
        return Err(AddressError::Shape);
    }
    if local.len() > 64 {
        return Err(AddressError::TooLong);
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !domain.split('.').all(label_ok) {
        return Err(AddressError::Domain);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressError::Shape);
    }
    // RFC 5322's `atext` and dots, letters and digits of any script (RFC 6531): no symbol,
    // format character or invisible joiner.
    if !local
        .chars()
        .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    {
        return Err(AddressError::Character);
    }
    // What lettre will put in the envelope must parse as one address.
    if normalized.parse::<Address>().is_err() {
        return Err(AddressError::Shape);
    }
    Ok(normalized)
}

/// The mail's subject: `Sign in to {host}` (Auth.js's).
pub fn verification_subject(host: &str) -> String {
    format!("Sign in to {host}")
}

/// The mail's text part (Auth.js's): `Sign in to {host}\n{url}\n\n`.
pub fn verification_text(url: &str, host: &str) -> String {
    format!("Sign in to {host}\n{url}\n\n")
}

/// The mail's HTML part (Auth.js's layout: the host with a zero-width space before each dot,
/// so mail clients do not turn it into a link; a "Sign in" button; the notice).
pub fn verification_html(url: &str, host: &str) -> String {
    let host = crate::pages::escape_html(host).replace('.', "&#8203;.");
    let url = crate::pages::escape_html(url);
    let (background, text, main_background, button_background, button_border, button_text) =
        ("#f9f9f9", "#444", "#fff", "#346df1", "#346df1", "#fff");
    format!(
        r#"<body style="background: {background};">
  <table width="100%" border="0" cellspacing="20" cellpadding="0"
    style="background: {main_background}; max-width: 600px; margin: auto; border-radius: 10px;">
    <tr>
      <td align="center"
        style="padding: 10px 0px; font-size: 22px; font-family: Helvetica, Arial, sans-serif; color: {text};">
        Sign in to <strong>{host}</strong>
      </td>
    </tr>
    <tr>
      <td align="center" style="padding: 20px 0;">
        <table border="0" cellspacing="0" cellpadding="0">
          <tr>
            <td align="center" style="border-radius: 5px;" bgcolor="{button_background}"><a href="{url}"
                target="_blank"
                style="font-size: 18px; font-family: Helvetica, Arial, sans-serif; color: {button_text}; text-decoration: none; border-radius: 5px; padding: 10px 20px; border: 1px solid {button_border}; display: inline-block; font-weight: bold;">Sign
                in</a></td>
          </tr>
        </table>
      </td>
    </tr>
    <tr>
      <td align="center"
        style="padding: 0px 0px 10px 0px; font-size: 16px; line-height: 22px; font-family: Helvetica, Arial, sans-serif; color: {text};">
        If you did not request this email you can safely ignore it.
      </td>
    </tr>
  </table>
</body>
"#
    )
}

/// The host (and port) of an origin (`https://example.com:8443` → `example.com:8443`).
fn host_of(origin: &str) -> &str {
    origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/')
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
        if let Some(redirect) = self.run_sign_in(ctx, &user, &account, &None, None).await? {
            return Ok(redirect);
        }

        let mut raw_token = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw_token);
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
            host: host_of(ctx.origin.as_str()).to_owned(),
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
        // A real token is 64 hex characters: anything else cannot be one (no lookup).
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FlowError::Verification("the token is malformed"));
        }
        let mut found = None;
        for hash in state.hashes(db.verification_token_hashing(), token) {
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
        match &self.config.pages.verify_request {
            Some(page) if page.starts_with('/') => format!("{}{page}", ctx.origin.as_str()),
            Some(page) => page.clone(),
            None => self.action_url(ctx, "verify-request"),
        }
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
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn addresses_are_normalized_like_authjs() {
        assert_eq!(
            normalize_address("  Alice@Example.COM ").as_deref(),
            Ok("alice@example.com")
        );
        // NFKC: the fullwidth letters and the ligature become plain ones.
        assert_eq!(
            normalize_address("ｂｏｂ@example.com").as_deref(),
            Ok("bob@example.com")
        );
        assert_eq!(
            normalize_address("ﬁ@example.com").as_deref(),
            Ok("fi@example.com")
        );
        assert_eq!(
            normalize_address("a+tag@sub.example.org").as_deref(),
            Ok("a+tag@sub.example.org")
        );
    }

    #[test]
    fn a_second_recipient_or_header_text_is_refused() {
        for bad in [
            "a@b.com,evil.com",
            "a@b.com, c@d.com",
            "a@b.com;c@d.com",
            "a@b.com\r\nBcc: evil@x.com",
            "a@b.com\nX: y",
            "a@b.com\r",
            "\"a b\"@c.com",
            "A <a@b.com>",
            "a@b.com (comment)",
            "a@[127.0.0.1]",
            "a@b@c.com",
            "@b.com",
            "a@",
            "a",
            "",
            "   ",
            "a@-b.com",
            "a@b..com",
            ".a@b.com",
            "a\u{0}@b.com",
            "a@b.com\u{202e}",
            "a\u{2066}b@c.com",
            "a\u{ad}b@c.com",
            "a\u{200d}b@c.com",
        ] {
            assert!(normalize_address(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn the_mail_is_authjs_s() {
        let url = "https://example.com/api/auth/callback/email?token=t&email=a%40b.com";
        assert_eq!(
            verification_text(url, "example.com"),
            format!("Sign in to example.com\n{url}\n\n")
        );
        let html = verification_html(url, "example.com");
        assert!(html.contains("Sign in to <strong>example&#8203;.com</strong>"));
        assert!(html.contains("#346df1"));
        assert!(html.contains("If you did not request this email you can safely ignore it."));
        assert!(html.contains("token=t&amp;email=a%40b.com"));
        assert_eq!(
            verification_subject("example.com:8443"),
            "Sign in to example.com:8443"
        );
        assert_eq!(host_of("https://example.com:8443"), "example.com:8443");
    }

    #[test]
    fn loopback_servers_may_be_plain_and_others_need_tls() {
        // lettre's debug form names its TLS setting.
        let plain = |url: &str| !format!("{:?}", transport(url).unwrap()).contains("Required");
        assert!(plain("smtp://127.0.0.1:2525"));
        assert!(plain("smtp://localhost:2525"));
        assert!(plain("smtp://[::1]:2525"));
        assert!(plain("smtp://mail.example.com:25?tls=none"));
        assert!(!plain("smtp://mail.example.com:587"));
        assert!(!plain("smtp://10.0.0.1:587"));
    }

    #[test]
    fn server_urls() {
        assert!(transport("smtp://127.0.0.1:2525").is_ok());
        assert!(transport("smtps://user:pw@mail.example.com").is_ok());
        assert!(transport("smtp://mail.example.com:587?tls=required").is_ok());
        assert!(transport("smtp://mail.example.com:25?tls=none").is_ok());
        assert!(transport("smtp://mail.example.com").is_ok());
        assert!(transport("http://mail.example.com").is_err());
        assert!(transport("smtp://mail.example.com?tls=maybe").is_err());
        let e = transport("nonsense").err().unwrap_or_default();
        assert!(e.contains("not a URL"), "{e}");
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever comes in, an accepted address is one plain mailbox: no CR/LF or other
        /// control character, no whitespace, no second recipient (`,` `;`), no header
        /// syntax, exactly one `@`; normalizing it again changes nothing; lettre parses it.
        #[test]
        fn a_validated_address_is_one_plain_mailbox(raw in any::<String>()) {
            if let Ok(a) = normalize_address(&raw) {
                prop_assert!(!a.chars().any(|c| c.is_control() || c.is_whitespace()));
                prop_assert!(!a.contains([',', ';', '"', '<', '>', '(', ')', '\\', ':', '\r', '\n']));
                prop_assert_eq!(a.matches('@').count(), 1);
                prop_assert_eq!(normalize_address(&a), Ok(a.clone()));
                prop_assert!(a.parse::<Address>().is_ok());
            }
        }

        /// Addresses built from plausible pieces, with injected separators, never pass with
        /// the separator in them.
        #[test]
        fn injected_separators_never_pass(
            local in "[a-zA-Z0-9._+-]{1,12}",
            domain in "[a-z0-9]{1,8}\\.[a-z]{2,4}",
            sep in prop::sample::select(vec![",", ";", "\r\n", "\n", "\r", " ", "\t", ">", "\u{0}"]),
            tail in "[a-zA-Z0-9@.:]{0,12}",
        ) {
            let raw = format!("{local}@{domain}{sep}{tail}");
            if let Ok(a) = normalize_address(&raw) {
                // Only a separator that trims away at the end may pass (whitespace).
                prop_assert!(tail.is_empty());
                prop_assert!(!a.contains(sep.trim()) || sep.trim().is_empty());
            }
        }
    }
}
