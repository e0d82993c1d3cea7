//! `session: { reissue_after }`: whether a JWT session read writes the cookie again. With
//! 0 (the default) every read does, Auth.js's rolling expiry; with `N > 0` only a read of a
//! token `N` seconds old, an update, or a read whose `jwt` callback changed the token.

use super::session::token_json;
use crate::config::TokenData;
use crate::jwt::TokenJson;

/// Whether a JWT session read writes the cookie again (`session: { reissue_after }`),
/// decided in two steps around the `jwt` callback. The session version and `amr` claims go
/// back into the token exactly as the cookie carried them, so they never need a write of
/// their own: a cookie not re-issued still holds them.
pub(super) enum Reissue {
    /// Re-issue: `reissue_after` is 0 (Auth.js: every read), the token is that old (or has
    /// no `iat`), or the read is an update.
    Due,
    /// Not due by age: re-issue only if the `jwt` callback changes the token, compared by
    /// its JSON before the callback (`None`: no callback, the token cannot change).
    IfChanged(Option<TokenJson>),
}

impl Reissue {
    /// The decision before the `jwt` callback runs: due with `reissue_after` 0, on an
    /// `update`, when the token is not in the codec's `current` form (an older secret's,
    /// another format's: a secret rotation moves it on the next read, as with 0), or when
    /// the cookie's token was issued (`iat`) `reissue_after` seconds before `now` or
    /// earlier, or says not when; else the claims of `token` (when a `jwt`
    /// callback will run on it) to compare with what the callback returns.
    pub(super) fn before_jwt<T: TokenData>(
        reissue_after: u64,
        iat: Option<i64>,
        now: i64,
        update: bool,
        current: bool,
        token: Option<&T>,
    ) -> Self {
        let due = reissue_after == 0
            || update
            // Sealed under an older secret or in another format: moved to the current one.
            || !current
            || iat.is_none_or(|iat| {
                u64::try_from(now.saturating_sub(iat)).is_ok_and(|age| age >= reissue_after)
            });
        match token {
            _ if due => Reissue::Due,
            None => Reissue::IfChanged(None),
            Some(token) => match token_json(token) {
                Ok(json) => Reissue::IfChanged(Some(json)),
                // Not comparable: re-issue (the encoding reports the same fault).
                Err(_) => Reissue::Due,
            },
        }
    }

    /// Whether to re-issue, given the JSON of the token the `jwt` callback returned.
    pub(super) fn after_jwt(self, after: &TokenJson) -> bool {
        match self {
            Reissue::Due => true,
            Reissue::IfChanged(None) => false,
            Reissue::IfChanged(Some(before)) => before.json() != after.json(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::{Map, Value, json};

    use super::Reissue;
    use crate::jwt::TokenJson;

    const NOW: i64 = 1_800_000_000;

    fn token(role: &str) -> Map<String, Value> {
        match json!({ "sub": "u1", "role": role, "iat": NOW - 10 }) {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    /// The decision for a token issued `age` seconds ago, read with `reissue_after`, the
    /// `jwt` callback (when `callback`) turning `role` `admin` into `after`.
    fn decide(reissue_after: u64, age: Option<i64>, update: bool, callback: Option<&str>) -> bool {
        let before = token("admin");
        let rewrite = Reissue::before_jwt(
            reissue_after,
            age.map(|a| NOW - a),
            NOW,
            update,
            true,
            callback.map(|_| &before),
        );
        let after = token(callback.unwrap_or("admin"));
        let after = TokenJson::of(&after).unwrap().unwrap();
        rewrite.after_jwt(&after)
    }

    #[test]
    fn zero_reissues_on_every_read() {
        for age in [None, Some(0), Some(1), Some(-5)] {
            assert!(decide(0, age, false, None), "{age:?}");
            assert!(decide(0, age, false, Some("admin")), "{age:?}");
        }
    }

    #[test]
    fn a_young_token_is_not_reissued() {
        assert!(!decide(60, Some(0), false, None));
        assert!(!decide(60, Some(59), false, None));
        assert!(
            !decide(60, Some(59), false, Some("admin")),
            "unchanged by jwt"
        );
        // Issued in the future (another server's clock ahead): not due either.
        assert!(!decide(60, Some(-30), false, None));
    }

    #[test]
    fn a_token_reissue_after_seconds_old_is_reissued() {
        assert!(decide(60, Some(60), false, None));
        assert!(decide(60, Some(3600), false, Some("admin")));
    }

    #[test]
    fn a_token_under_an_older_secret_is_reissued() {
        let before = token("admin");
        let rewrite = Reissue::before_jwt(60, Some(NOW - 1), NOW, false, false, Some(&before));
        assert!(rewrite.after_jwt(&TokenJson::of(&before).unwrap().unwrap()));
    }

    #[test]
    fn a_token_without_iat_is_reissued() {
        assert!(decide(60, None, false, None));
    }

    #[test]
    fn an_update_is_reissued() {
        assert!(decide(60, Some(0), true, None));
        assert!(decide(60, Some(0), true, Some("admin")));
    }

    #[test]
    fn a_token_the_jwt_callback_changed_is_reissued() {
        assert!(decide(60, Some(0), false, Some("user")));
    }
}
