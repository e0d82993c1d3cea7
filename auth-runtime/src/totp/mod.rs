//! The second factor's pieces that need no request (feature `totp`): RFC 6238 codes
//! (through `totp-rs`), the enrolment's secret sealed under the auth secret, recovery codes
//! and their hashes, the `otpauth://` URL and its QR code as SVG. The flow's steps are
//! `flow/second_factor.rs`.

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, TOTP};

use crate::config::TotpSettings;

/// Bytes of a new shared secret: 160 bits, RFC 4226's recommendation for HMAC-SHA-1.
pub(crate) const SECRET_BYTES: usize = 20;
/// How many recovery codes an enrolment hands out.
pub(crate) const RECOVERY_CODES: usize = 10;
/// The alphabet of recovery codes: lowercase letters and digits without look-alikes.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Its length, the range of [`crate::random::below`] (31).
const RECOVERY_ALPHABET_LEN: u32 = RECOVERY_ALPHABET.len() as u32;
/// Steps either side of now whose code is accepted (clock drift between phone and server).
pub(crate) const SKEW_STEPS: i64 = 1;

const SEAL_SALT: &str = "authrs.totp-secret";
const SEAL_INFO: &str = "auth-runtime TOTP secret key";
const RECOVERY_SALT: &str = "authrs.totp-recovery-code";
const RECOVERY_INFO: &str = "auth-runtime TOTP recovery code key";

/// The keys of the second factor, one pair per auth secret (the first seals and hashes;
/// all open and check, so a rotated secret keeps existing enrolments readable).
pub(crate) struct TotpKeys {
    seal: Vec<[u8; 32]>,
    recovery: Vec<[u8; 32]>,
}

impl std::fmt::Debug for TotpKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpKeys")
            .field("keys", &self.seal.len())
            .finish()
    }
}

impl TotpKeys {
    /// Derives the keys from the auth secrets (newest first); HKDF with salts of their own.
    pub(crate) fn derive(secrets: &[String]) -> Result<Self, crate::jwt::JwtError> {
        let mut seal = Vec::new();
        let mut recovery = Vec::new();
        for secret in secrets {
            let mut key = [0u8; 32];
            crate::jwt::keys::derive(secret, SEAL_SALT, SEAL_INFO, &mut key)?;
            seal.push(key);
            let mut key = [0u8; 32];
            crate::jwt::keys::derive(secret, RECOVERY_SALT, RECOVERY_INFO, &mut key)?;
            recovery.push(key);
        }
        Ok(TotpKeys { seal, recovery })
    }

    /// The secret sealed for `user_id` (AES-256-GCM, a random nonce, the user id as
    /// associated data so a row copied to another user does not open):
    /// base64url(nonce ‖ ciphertext).
    pub(crate) fn seal(&self, user_id: &str, secret: &[u8]) -> Option<String> {
        let key = self.seal.first()?;
        let cipher = Aes256Gcm::new_from_slice(key).ok()?;
        let nonce: [u8; 12] = crate::random::array();
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: user_id.as_bytes(),
                },
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Some(URL_SAFE_NO_PAD.encode(out))
    }

    /// The secret [`seal`](Self::seal) sealed for `user_id`; `None` when it does not open
    /// under any key.
    pub(crate) fn open(&self, user_id: &str, sealed: &str) -> Option<Vec<u8>> {
        let raw = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if raw.len() < 12 + 16 {
            return None;
        }
        let (nonce, ciphertext) = raw.split_at(12);
        self.seal.iter().find_map(|key| {
            Aes256Gcm::new_from_slice(key)
                .ok()?
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: user_id.as_bytes(),
                    },
                )
                .ok()
        })
    }

    /// The hashes a recovery code may be stored under, the current key's first: hex
    /// HMAC-SHA-256 of the user id and the normalised code.
    pub(crate) fn recovery_hashes(&self, user_id: &str, code: &str) -> Vec<String> {
        let code = normalize_recovery_code(code);
        self.recovery
            .iter()
            .filter_map(|key| {
                let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(key).ok()?;
                mac.update(user_id.as_bytes());
                mac.update(&[0]);
                mac.update(code.as_bytes());
                Some(crate::util::hex(&mac.finalize().into_bytes()))
            })
            .collect()
    }
}

/// A new random shared secret.
pub(crate) fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    crate::random::fill(&mut secret);
    secret
}

/// The secret as authenticator apps take it typed in: base32 without padding.
pub(crate) fn secret_base32(secret: &[u8]) -> String {
    totp_rs::Secret::Raw(secret.to_vec())
        .to_encoded()
        .to_string()
        .trim_end_matches('=')
        .to_owned()
}

/// The RFC 6238 time step of `unix_secs`.
pub(crate) fn step_at(settings: &TotpSettings, unix_secs: i64) -> i64 {
    let period = i64::try_from(settings.period.max(1)).unwrap_or(i64::MAX);
    unix_secs.max(0) / period
}

/// The code of time step `step` (HMAC-SHA-1, `settings.digits` digits).
pub(crate) fn code_at_step(settings: &TotpSettings, secret: &[u8], step: i64) -> String {
    let digits = usize::try_from(settings.digits).unwrap_or(6);
    let totp = TOTP::new_unchecked(
        Algorithm::SHA1,
        digits,
        0,
        settings.period.max(1),
        secret.to_vec(),
    );
    let time = u64::try_from(step.max(0))
        .unwrap_or(0)
        .saturating_mul(settings.period.max(1));
    totp.generate(time)
}

/// The time step whose code `code` is, within [`SKEW_STEPS`] of `unix_secs`, compared in
/// constant time; the latest when several match.
pub(crate) fn matching_step(
    settings: &TotpSettings,
    secret: &[u8],
    code: &str,
    unix_secs: i64,
) -> Option<i64> {
    let code = code.trim();
    let digits = usize::try_from(settings.digits).unwrap_or(6);
    if code.len() != digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(settings, unix_secs);
    let mut found = None;
    for step in (now - SKEW_STEPS).max(0)..=now + SKEW_STEPS {
        let expected = code_at_step(settings, secret, step);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// `true` when `code` looks like a recovery code rather than a TOTP code (letters or a
/// dash; TOTP codes are digits only).
pub(crate) fn is_recovery_code(code: &str) -> bool {
    code.trim()
        .bytes()
        .any(|b| b.is_ascii_alphabetic() || b == b'-')
}

/// Fresh recovery codes, `xxxxx-xxxxx` (about 49 bits each).
pub(crate) fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code = String::with_capacity(11);
            for i in 0..10 {
                if i == 5 {
                    code.push('-');
                }
                let index = crate::random::below(RECOVERY_ALPHABET_LEN) as usize;
                code.push(char::from(RECOVERY_ALPHABET[index]));
            }
            code
        })
        .collect()
}

/// A recovery code as typed, normalised: lowercase, without dashes and spaces.
pub(crate) fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The `otpauth://totp/..` URL authenticator apps read from the QR code.
pub(crate) fn otpauth_url(settings: &TotpSettings, account: &str, secret: &[u8]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let issuer = utf8_percent_encode(&settings.issuer, NON_ALPHANUMERIC).to_string();
    let account = utf8_percent_encode(account, NON_ALPHANUMERIC).to_string();
    format!(
        "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={}&period={}",
        secret_base32(secret),
        settings.digits,
        settings.period
    )
}

/// The QR code of `text` as an SVG element (dark modules on white, no script, no
/// external reference); `None` when the text is too long for a QR code.
pub(crate) fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the element only, without the XML declaration.
    let start = svg.find("<svg")?;
    Some(svg[start..].to_owned())
}

/// The settings' ranges (`Auth::new` checks them).
pub(crate) fn validate(settings: &TotpSettings) -> Result<(), String> {
    if !(6..=8).contains(&settings.digits) {
        return Err(format!("`digits` is {}; use 6 to 8", settings.digits));
    }
    if !(15..=300).contains(&settings.period) {
        return Err(format!(
            "`period` is {} seconds; use 15 to 300",
            settings.period
        ));
    }
    if settings.issuer.trim().is_empty() || settings.issuer.contains(':') {
        return Err("`issuer` must be a non-empty name without `:`".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
