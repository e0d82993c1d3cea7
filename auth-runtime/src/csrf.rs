//! CSRF protection by double submit, exactly as `@auth/core`.
//!
//! The cookie holds `<token>|sha256hex(<token><secret>)`, the token being 32 random bytes
//! as hex. A state-changing POST is accepted when the cookie's hash is ours and the body's
//! `csrfToken` equals the cookie's token. Both comparisons run in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::util::hex;

/// The CSRF state of one request.
#[derive(Clone, PartialEq, Eq)]
pub struct Csrf {
    /// The token to hand out (`GET /csrf`, the pages' forms).
    pub token: String,
    /// `Some(cookie value)` when the request had no valid CSRF cookie and a new one must be set.
    pub new_cookie: Option<String>,
}

/// The token and the cookie value are secrets: only whether a cookie is new is shown.
impl std::fmt::Debug for Csrf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csrf")
            .field("token", &"..")
            .field("new_cookie", &self.new_cookie.as_ref().map(|_| ".."))
            .finish()
    }
}

/// The CSRF secret: Auth.js hashes `` `${token}${options.secret}` ``, and an array of
/// secrets stringifies joined by `,`.
pub fn secret_material(secrets: &[String]) -> String {
    secrets.join(",")
}

fn hash(token: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(token.as_bytes());
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// The token of a valid CSRF cookie value (`token|hash` with our hash), else `None`.
pub fn verify_cookie<'a>(cookie: &'a str, secret: &str) -> Option<&'a str> {
    let (token, mac) = cookie.split_once('|')?;
    // Auth.js splits on every `|` and uses the first two parts; a third part makes the
    // hash comparison fail there too.
    if mac.contains('|') {
        return None;
    }
    let expected = hash(token, secret);
    if bool::from(expected.as_bytes().ct_eq(mac.as_bytes())) {
        Some(token)
    } else {
        None
    }
}

/// Reads the CSRF cookie, or creates a new token (and the cookie value to set).
pub fn token(cookie: Option<&str>, secret: &str) -> Csrf {
    if let Some(token) = cookie.and_then(|c| verify_cookie(c, secret)) {
        return Csrf {
            token: token.to_owned(),
            new_cookie: None,
        };
    }
    let bytes: [u8; 32] = crate::random::array();
    let token = hex(&bytes);
    let cookie = format!("{token}|{}", hash(&token, secret));
    Csrf {
        token,
        new_cookie: Some(cookie),
    }
}

/// Why a POST failed the CSRF check (safe to log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsrfFailure {
    /// The request has no CSRF cookie.
    MissingCookie,
    /// The cookie's hash is not ours (forged, or made with another secret).
    BadCookie,
    /// The body carries no `csrfToken`.
    MissingToken,
    /// The body's `csrfToken` differs from the cookie's.
    Mismatch,
}

impl CsrfFailure {
    /// A short reason for logs.
    pub fn reason(self) -> &'static str {
        match self {
            CsrfFailure::MissingCookie => "no CSRF cookie",
            CsrfFailure::BadCookie => "CSRF cookie hash does not match (forged or stale)",
            CsrfFailure::MissingToken => "no csrfToken in the body",
            CsrfFailure::Mismatch => "csrfToken differs from the CSRF cookie",
        }
    }
}

/// Verifies a POST: the cookie is ours and the body's token equals the cookie's.
pub fn verify(
    cookie: Option<&str>,
    body_token: Option<&str>,
    secret: &str,
) -> Result<(), CsrfFailure> {
    let cookie = cookie.ok_or(CsrfFailure::MissingCookie)?;
    let token = verify_cookie(cookie, secret).ok_or(CsrfFailure::BadCookie)?;
    let body = body_token.ok_or(CsrfFailure::MissingToken)?;
    if bool::from(token.as_bytes().ct_eq(body.as_bytes())) {
        Ok(())
    } else {
        Err(CsrfFailure::Mismatch)
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn round_trip() {
        let c = token(None, "s3cret");
        assert_eq!(c.token.len(), 64);
        let cookie = c.new_cookie.clone().unwrap_or_default();
        assert_eq!(verify(Some(&cookie), Some(&c.token), "s3cret"), Ok(()));
        let again = token(Some(&cookie), "s3cret");
        assert_eq!(again.token, c.token);
        assert_eq!(again.new_cookie, None);
    }

    #[test]
    fn rejects_forged_stale_and_mismatched() {
        let c = token(None, "a");
        let cookie = c.new_cookie.clone().unwrap_or_default();
        assert_eq!(
            verify(Some(&cookie), Some(&c.token), "b"),
            Err(CsrfFailure::BadCookie)
        );
        assert_eq!(
            verify(Some(&cookie), Some("x"), "a"),
            Err(CsrfFailure::Mismatch)
        );
        assert_eq!(
            verify(Some(&cookie), None, "a"),
            Err(CsrfFailure::MissingToken)
        );
        assert_eq!(
            verify(None, Some(&c.token), "a"),
            Err(CsrfFailure::MissingCookie)
        );
        let forged = format!("{}|{}", c.token, "0".repeat(64));
        assert_eq!(
            verify(Some(&forged), Some(&c.token), "a"),
            Err(CsrfFailure::BadCookie)
        );
        assert_eq!(
            verify(Some("garbage"), Some("garbage"), "a"),
            Err(CsrfFailure::BadCookie)
        );
    }

    #[test]
    fn matches_the_authjs_hash() {
        // sha256("abc" + "def") = sha256("abcdef")
        assert_eq!(
            hash("abc", "def"),
            "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721"
        );
    }

    #[test]
    fn debug_does_not_show_the_token() {
        let c = super::token(None, "secret");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(&c.token), "{dbg}");
        assert!(
            c.new_cookie.iter().all(|v| !dbg.contains(v.as_str())),
            "{dbg}"
        );
    }
}
