//! Session tokens in clear: what an adapter that shares its tables with Auth.js stores.

use std::fmt;

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::{SessionId, SessionKey};

/// The longest session token read from a cookie, in bytes (Auth.js's `@auth/pg-adapter`
/// keeps it in a `VARCHAR(255)`).
pub const SESSION_TOKEN_MAX_LEN: usize = 255;

/// A session token as the cookie carries it, handed to an adapter that stores tokens in
/// clear ([`SessionTokenStorage::Clear`](super::SessionTokenStorage::Clear), Auth.js's way).
///
/// The flow only builds one for such an adapter; the default
/// ([`SessionTokenStorage::Hashed`](super::SessionTokenStorage::Hashed)) never lets the
/// token reach the database. A token this side mints is 32 random bytes in base64url (43
/// characters, as a [`SessionId`]); one Auth.js minted is a random UUID. Both are read
/// alike: any cookie value of 1 to [`SESSION_TOKEN_MAX_LEN`] bytes.
///
/// `Debug` does not print the value; equality is constant-time.
#[derive(Clone)]
pub struct SessionToken(String);

impl SessionToken {
    /// A fresh token: 32 bytes from the CSPRNG, base64url (43 characters).
    pub fn generate() -> Self {
        SessionToken(SessionId::generate().to_cookie_value())
    }

    /// Reads a cookie value: `None` when it is empty or longer than
    /// [`SESSION_TOKEN_MAX_LEN`] bytes (treat it as "signed out").
    pub fn from_cookie(cookie_value: &str) -> Option<Self> {
        if cookie_value.is_empty() || cookie_value.len() > SESSION_TOKEN_MAX_LEN {
            return None;
        }
        Some(SessionToken(cookie_value.to_owned()))
    }

    /// The token, as the cookie and the database hold it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The session's handle ([`AdapterSession::key`](super::AdapterSession::key)): SHA-256
    /// of the token's bytes, so listing and revoking sessions work as with hashed storage
    /// without showing the token.
    pub fn key(&self) -> SessionKey {
        SessionKey::from_bytes(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl PartialEq for SessionToken {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for SessionToken {}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_any_cookie_value_up_to_the_column_size() {
        let uuid = "6f1e3b1c-5a43-4c8e-9d1b-2f0c6a7e9b10";
        assert_eq!(
            SessionToken::from_cookie(uuid).map(|t| t.as_str().to_owned()),
            Some(uuid.to_owned())
        );
        assert!(SessionToken::from_cookie("").is_none());
        assert!(SessionToken::from_cookie(&"a".repeat(SESSION_TOKEN_MAX_LEN)).is_some());
        assert!(SessionToken::from_cookie(&"a".repeat(SESSION_TOKEN_MAX_LEN + 1)).is_none());
    }

    #[test]
    fn generated_tokens_are_random_session_ids() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert!(SessionId::parse(a.as_str()).is_some());
    }

    #[test]
    fn key_is_sha256_of_the_text() {
        let t = SessionToken::from_cookie("abc").unwrap_or_else(SessionToken::generate);
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            t.key().to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!format!("{t:?}").contains("abc"));
    }
}
