//! Password hashing for `authorize`: argon2id with OWASP's parameters, PHC strings, and a
//! check for unknown users that costs what a real check costs.
//!
//! ```
//! use auth_runtime::password;
//!
//! // At sign-up: store the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$..`).
//! let stored = password::hash("correct horse battery staple")?;
//!
//! // At sign-in, with the row your store found (or did not find) for the user name:
//! let row: Option<&str> = Some(stored.as_str());
//! let ok = match row {
//!     Some(hash) => password::verify("correct horse battery staple", hash)?,
//!     // No such user: spend the same time, so the answer's timing does not tell
//!     // which user names exist.
//!     None => password::verify_unknown_user("correct horse battery staple"),
//! };
//! assert!(ok);
//! # Ok::<(), password::PasswordError>(())
//! ```
//!
//! # Parameters
//!
//! [`hash`] uses argon2id, version 0x13, 19 MiB of memory, 2 passes, 1 lane and a 16-byte
//! random salt: the first configuration of the
//! [OWASP Password Storage Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id).
//! [`verify`] reads the parameters from the PHC string, so hashes made with other
//! parameters (or argon2i/argon2d) keep verifying; [`needs_rehash`] says when a stored hash
//! is weaker than today's parameters, so you can re-hash it after a successful sign-in.
//!
//! # Unknown users
//!
//! Without care, a sign-in form tells attackers which accounts exist: an unknown name
//! answers at once while a real one spends tens of milliseconds in argon2.
//! [`verify_unknown_user`] runs the same argon2id computation against a dummy hash made
//! once per process with [`hash`]'s parameters and always returns `false`. The
//! `password` benchmark (`cargo bench -p auth-runtime --bench password`) measures both
//! paths in one run. Timing stays equal only while your stored hashes use these
//! parameters: re-hash old ones with [`needs_rehash`].
//!
//! # After a password change
//!
//! Changing the stored hash does not end the sessions already signed in with the old
//! password. With an adapter, end them all, on every app server, then sign the browser
//! that made the change in again:
//!
//! ```ignore
//! store.set_password_hash(&user_id, &password::hash(&new_password)?).await?;
//! auth.sign_out_everywhere(&user_id).await?; // every JWT session and session row of the user
//! let change = auth.sign_in(&parts, user).await?; // this browser stays signed in
//! ```
//!
//! See [`Auth::sign_out_everywhere`](crate::Auth::sign_out_everywhere) for how soon other
//! servers see it (the session check interval). Without an adapter a JWT session cannot be ended before it expires.
//!
//! # Blocking
//!
//! One check takes tens of milliseconds of CPU (release build). In async code (an
//! `authorize` closure, a handler) call [`check_async`], which runs [`check`] on tokio's
//! blocking pool so the executor's threads keep serving other requests.

use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordError {
    /// The stored string is not a PHC string of a supported algorithm (argon2id, argon2i,
    /// argon2d), or its parameters are out of range. The stored value is not repeated here.
    #[error("the stored password hash is not a valid argon2 PHC string")]
    MalformedHash,
    /// The password is longer than argon2 accepts (2^32 - 1 bytes), or hashing failed.
    #[error("the password could not be hashed")]
    Hashing,
}

/// Hashes a password with argon2id and OWASP's parameters (19 MiB, 2 passes, 1 lane) and a
/// random salt, as a PHC string to store.
///
/// # Errors
///
/// [`PasswordError::Hashing`] if argon2 refuses the input (a password over 4 GiB).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Checks a password against a stored PHC string, in constant time for the comparison.
///
/// Returns `Ok(false)` for a wrong password.
///
/// # Errors
///
/// [`PasswordError::MalformedHash`] if `stored` is not an argon2 PHC string (a data
/// fault in your store, worth logging, never a reason to let the user in).
pub fn verify(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(|_| PasswordError::MalformedHash)?;
    // The algorithm, version and parameters come from the PHC string itself.
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(_) => Err(PasswordError::MalformedHash),
    }
}

/// Spends the time of a [`verify`] against a hash made by [`hash`], then returns `false`.
///
/// Call it when the user name is unknown, so an unknown name and a wrong password take the
/// same time and the form does not reveal which accounts exist.
pub fn verify_unknown_user(password: &str) -> bool {
    let Some(dummy) = dummy_hash() else {
        // Could not make the dummy hash (argon2 refused fixed, valid input): still spend the
        // time of a real check on this password before refusing.
        let _ = hash(password);
        return false;
    };
    // A match is impossible in practice (the dummy password is random and never leaves
    // this function); the result is ignored all the same.
    let _ = verify(password, dummy);
    false
}

/// The sign-in check in one call: [`verify`] against the stored hash of the user your store
/// found, or [`verify_unknown_user`] when it found none, so both answers take the same time.
///
/// A stored hash that is not a valid PHC string counts as a failed check and is logged
/// (`tracing` at error level, without the hash).
pub fn check(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(stored) => match verify(password, stored) {
            Ok(ok) => ok,
            Err(error) => {
                tracing::error!(%error, "password check refused: the stored hash is malformed");
                false
            }
        },
        None => verify_unknown_user(password),
    }
}

/// [`check`] on tokio's blocking pool, for `authorize` and other async code: the tens of
/// milliseconds of argon2 do not hold up the executor's threads.
///
/// ```
/// # async fn demo() {
/// use auth_runtime::password;
/// let stored: Option<String> = None; // the hash your store found for the user name
/// assert!(!password::check_async("hunter2".to_owned(), stored).await);
/// # }
/// ```
pub async fn check_async(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || check(&password, stored.as_deref()))
        .await
        .unwrap_or(false)
}

/// Whether a stored hash was made with other (older or weaker) parameters than [`hash`]
/// uses today, or another algorithm: re-hash the password after a successful [`verify`].
///
/// # Errors
///
/// [`PasswordError::MalformedHash`] if `stored` is not a PHC string.
pub fn needs_rehash(stored: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(|_| PasswordError::MalformedHash)?;
    let params = Params::try_from(&parsed).map_err(|_| PasswordError::MalformedHash)?;
    let current = owasp_params();
    Ok(parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
        || params.m_cost() < current.m_cost()
        || params.t_cost() < current.t_cost()
        || params.p_cost() < current.p_cost())
}

/// OWASP's first argon2id configuration: m = 19 MiB, t = 2, p = 1.
fn owasp_params() -> Params {
    // The crate's defaults are exactly these; spelled out so a change of the crate's
    // defaults cannot weaken the stored hashes silently.
    match Params::new(19 * 1024, 2, 1, None) {
        Ok(params) => params,
        Err(_) => Params::DEFAULT,
    }
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, owasp_params())
}

/// The per-process dummy hash of a random password, made once.
fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let random: [u8; 32] = crate::random::array();
            let password: String = random.iter().map(|b| format!("{b:02x}")).collect();
            hash(&password).ok()
        })
        .as_deref()
}

/// A password hash as stored, whose `Debug` shows only the algorithm and parameters.
///
/// Optional: [`hash`] and [`verify`] take and return plain strings. Wrap a stored hash in
/// this type where it might end up in a `{:?}` log line.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredHash(pub String);

impl fmt::Debug for StoredHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`: keep the first three fields.
        let shown: Vec<&str> = self.0.split('$').take(4).collect();
        write!(f, "StoredHash({}$..)", shown.join("$"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_with_owasp_parameters_and_verifies() {
        let stored = hash("s3cret").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("s3cret", &stored).unwrap());
        assert!(!verify("s3cret ", &stored).unwrap());
        assert!(!verify("", &stored).unwrap());
        assert!(!needs_rehash(&stored).unwrap());
    }

    #[test]
    fn salts_differ() {
        assert_ne!(hash("same").unwrap(), hash("same").unwrap());
    }

    #[test]
    fn unknown_user_never_matches() {
        assert!(!verify_unknown_user("anything"));
        assert!(!verify_unknown_user(""));
    }

    #[test]
    fn check_covers_found_unknown_and_malformed() {
        let stored = hash("pw").unwrap();
        assert!(check("pw", Some(&stored)));
        assert!(!check("pW", Some(&stored)));
        assert!(!check("pw", None));
        assert!(!check("pw", Some("not a hash")));
    }

    #[test]
    fn malformed_hashes_are_errors_not_matches() {
        for bad in [
            "",
            "plaintext",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
            "$bcrypt$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=1,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        ] {
            assert_eq!(
                verify("x", bad),
                Err(PasswordError::MalformedHash),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn weaker_or_other_hashes_need_rehash() {
        // RFC 9106-style argon2i hash with small parameters, made by the same crate.
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(verify("pw", &weak).unwrap(), "old hashes keep verifying");
        assert!(needs_rehash(&weak).unwrap());
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, owasp_params())
            .hash_password(b"pw", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify("pw", &argon2i).unwrap());
        assert!(needs_rehash(&argon2i).unwrap());
    }

    #[test]
    fn published_vector_of_the_reference_implementation() {
        // phc-winner-argon2 src/test.c (CHECK lines): argon2id, v=0x13, t=2, m=2^16, p=1, "password" with
        // salt "somesalt".
        let vector = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assert!(verify("password", vector).unwrap());
        assert!(!verify("passwore", vector).unwrap());
        // Same parameters and salt through our hasher's PHC path give the same string.
        let salt = SaltString::from_b64("c29tZXNhbHQ").unwrap();
        let params = Params::new(1 << 16, 2, 1, None).unwrap();
        let ours = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"password", &salt)
            .unwrap()
            .to_string();
        assert_eq!(ours, vector);
    }

    #[test]
    fn debug_of_stored_hash_hides_salt_and_hash() {
        let stored = hash("pw").unwrap();
        let shown = format!("{:?}", StoredHash(stored.clone()));
        assert_eq!(shown, "StoredHash($argon2id$v=19$m=19456,t=2,p=1$..)");
        let salt_and_hash = stored.rsplitn(3, '$').take(2).collect::<Vec<_>>();
        for part in salt_and_hash {
            assert!(!shown.contains(part));
        }
    }
}
