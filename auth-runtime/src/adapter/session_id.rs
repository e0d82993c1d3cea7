//! Session ids: what the cookie holds, and the hash the database holds.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Length of a session id in bytes.
pub const SESSION_ID_LEN: usize = 32;
/// Length of a session id in the cookie (base64url without padding).
pub const SESSION_ID_COOKIE_LEN: usize = 43;

/// A session id: 32 random bytes, the secret the session cookie carries (base64url, 43
/// characters).
///
/// The database never sees it: adapters receive and store only its [`SessionKey`]
/// (SHA-256), so a leaked `auth_sessions` table hands out no live session. Auth.js stores
/// the session token in clear; this is the one deliberate difference in the schema.
///
/// `Debug` does not print the value; equality is constant-time.
#[derive(Clone)]
pub struct SessionId([u8; SESSION_ID_LEN]);

impl SessionId {
    /// A fresh id from the operating system's CSPRNG (through the runtime's per-thread
    /// buffer of OS randomness).
    pub fn generate() -> Self {
        SessionId(crate::random::array())
    }

    /// Reads a cookie value. Anything but exactly 43 canonical base64url characters
    /// (32 bytes) is `None`: treat it as "signed out", never as an error.
    pub fn parse(cookie_value: &str) -> Option<Self> {
        if cookie_value.len() != SESSION_ID_COOKIE_LEN {
            return None;
        }
        let mut bytes = [0u8; SESSION_ID_LEN];
        match URL_SAFE_NO_PAD.decode_slice(cookie_value.as_bytes(), &mut bytes) {
            Ok(SESSION_ID_LEN) => Some(SessionId(bytes)),
            _ => None,
        }
    }

    /// The cookie value: base64url without padding, 43 characters.
    pub fn to_cookie_value(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// The key the database stores and looks the session up by: SHA-256 of the id.
    pub fn key(&self) -> SessionKey {
        SessionKey(Sha256::digest(self.0).into())
    }
}

impl PartialEq for SessionId {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SessionId {}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(..)")
    }
}

/// The database key of a session: SHA-256 of its [`SessionId`].
///
/// Not a secret (it cannot be turned back into a cookie), so it may be shown and used as a
/// handle: [`Adapter::list_user_sessions`](super::Adapter::list_user_sessions) returns it,
/// and [`Adapter::delete_session`](super::Adapter::delete_session) revokes by it. `Display`
/// and [`SessionKey::to_hex`] give 64 hex digits, [`SessionKey::from_hex`] reads them back.
#[derive(Clone, Copy)]
pub struct SessionKey([u8; 32]);

impl SessionKey {
    /// The key from its 32 raw bytes (as stored in the database).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SessionKey(bytes)
    }

    /// The key from a stored column value; `None` unless exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(SessionKey)
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        crate::util::hex(&self.0)
    }

    /// Reads 64 hex digits (either case); `None` otherwise.
    pub fn from_hex(hex: &str) -> Option<Self> {
        crate::util::from_hex(hex).map(SessionKey)
    }
}

impl PartialEq for SessionKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SessionKey {}

impl fmt::Display for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionKey({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_cookie() {
        let id = SessionId::generate();
        let value = id.to_cookie_value();
        assert_eq!(value.len(), SESSION_ID_COOKIE_LEN);
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        let parsed = SessionId::parse(&value);
        assert_eq!(parsed.as_ref(), Some(&id));
        assert_eq!(parsed.map(|p| p.key()), Some(id.key()));
    }

    #[test]
    fn ids_are_random() {
        let a = SessionId::generate();
        let b = SessionId::generate();
        assert_ne!(a, b);
        assert_ne!(a.key(), b.key());
    }

    #[test]
    fn rejects_garbage() {
        let good = SessionId::generate().to_cookie_value();
        for bad in [
            String::new(),
            "x".to_owned(),
            good[..42].to_owned(),
            format!("{good}A"),
            format!("{}=", &good[..42]),
            format!("{}+", &good[..42]),
            format!("{}/", &good[..42]),
            "!".repeat(43),
            "é".repeat(21) + "a",
        ] {
            assert!(SessionId::parse(&bad).is_none(), "accepted {bad:?}");
        }
        // 43 base64 characters carry 258 bits: the last two must be zero (canonical form).
        let mut bytes = good.into_bytes();
        bytes[42] = b'B';
        let non_canonical = String::from_utf8(bytes).unwrap_or_default();
        assert!(SessionId::parse(&non_canonical).is_none());
    }

    #[test]
    fn key_is_sha256_of_the_id() {
        let id = SessionId([7u8; 32]);
        let expected: [u8; 32] = Sha256::digest([7u8; 32]).into();
        assert_eq!(id.key().as_bytes(), &expected);
    }

    #[test]
    fn key_hex_round_trip() {
        let key = SessionId::generate().key();
        let hex = key.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(SessionKey::from_hex(&hex), Some(key));
        assert_eq!(SessionKey::from_hex(&hex.to_uppercase()), Some(key));
        assert_eq!(SessionKey::from_hex(&hex[..63]), None);
        assert_eq!(SessionKey::from_hex(&format!("{}g", &hex[..63])), None);
        assert_eq!(SessionKey::from_slice(&[1u8; 31]), None);
        assert_eq!(format!("{key}"), hex);
    }

    #[test]
    fn debug_hides_the_id() {
        let id = SessionId::generate();
        let shown = format!("{id:?}");
        assert!(!shown.contains(&id.to_cookie_value()));
    }
}
