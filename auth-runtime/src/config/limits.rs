//! Sign-in rate limits (`limits: { sign_in: { .. } }` in `auth!`): how many sign-in POSTs
//! one client address and one identifier may make, and over which period.

use std::num::NonZeroU32;
use std::time::Duration;

/// `count` attempts per `period`, as a GCRA (generic cell rate algorithm, the one of the
/// `governor` crate): a burst of `count`, then one more every `period / count`. After
/// `period` without attempts the whole burst is back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    count: NonZeroU32,
    period: Duration,
}

impl Rate {
    /// `count` attempts per `period` (`Rate::new(5, Duration::from_secs(15 * 60))`).
    /// `None` when `count` is 0 or `period` is zero.
    pub fn new(count: u32, period: Duration) -> Option<Rate> {
        let count = NonZeroU32::new(count)?;
        (!period.is_zero()).then_some(Rate { count, period })
    }

    /// How many attempts the burst allows.
    pub fn count(&self) -> u32 {
        self.count.get()
    }

    /// The period in which `count` attempts are allowed.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The time one attempt takes to come back: `period / count` (at least 1 ns).
    pub fn interval(&self) -> Duration {
        (self.period / self.count.get()).max(Duration::from_nanos(1))
    }
}

/// The limits on sign-in POSTs (`POST /callback/credentials`, `POST /signin/:provider`),
/// checked before `authorize` runs, so a correct password inside a lockout is refused too.
///
/// - `per_ip`: per client address ([`ClientAddr`](crate::ClientAddr), axum's
///   `ConnectInfo`, or the proxy's header under `trust_proxy`); a request whose address is
///   unknown is not counted here. Default: 20 per minute.
/// - `per_identifier`: per value of the credentials field [`identifier`](Self::identifier)
///   names (trimmed, lowercased), whatever address it comes from; a successful sign-in
///   clears that identifier's count. Default: 5 per 15 minutes.
///
/// Over a limit: `429 Too Many Attempts` with `Retry-After` for JSON callers, otherwise a
/// redirect to the sign-in page with `error=TooManyAttempts`. Without an adapter the counts
/// live in memory, at most [`max_keys`](Self::max_keys) per limit; with an adapter that
/// keeps them (the SQL adapters), in its database, shared by every server.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInLimits {
    /// Attempts per client address; `None` turns this limit off.
    pub per_ip: Option<Rate>,
    /// Attempts per identifier; `None` turns this limit off.
    pub per_identifier: Option<Rate>,
    /// The credentials field holding the identifier; `None` (the default) takes the
    /// provider's first field that is not a password (`username` for the default fields).
    pub identifier: Option<String>,
    /// The most keys (addresses, identifiers) each in-memory limit remembers; past it the
    /// least restricted tenth is forgotten (those nearest to their full burst, the expired
    /// first). Default 50 000 (about 3 MB per limit).
    pub max_keys: usize,
}

/// 20 sign-in POSTs per minute from one address.
pub const DEFAULT_PER_IP: (u32, Duration) = (20, Duration::from_secs(60));
/// 5 sign-in POSTs per 15 minutes for one identifier.
pub const DEFAULT_PER_IDENTIFIER: (u32, Duration) = (5, Duration::from_secs(15 * 60));
/// The default [`SignInLimits::max_keys`].
pub const DEFAULT_MAX_KEYS: usize = 50_000;

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            per_ip: Rate::new(DEFAULT_PER_IP.0, DEFAULT_PER_IP.1),
            per_identifier: Rate::new(DEFAULT_PER_IDENTIFIER.0, DEFAULT_PER_IDENTIFIER.1),
            identifier: None,
            max_keys: DEFAULT_MAX_KEYS,
        }
    }
}

impl SignInLimits {
    /// No limit at all (`limits: { sign_in: off }`).
    pub fn off() -> Self {
        SignInLimits {
            per_ip: None,
            per_identifier: None,
            ..SignInLimits::default()
        }
    }

    /// Sets (or with `None` turns off) the per-address limit.
    pub fn with_per_ip(mut self, rate: Option<Rate>) -> Self {
        self.per_ip = rate;
        self
    }

    /// Sets (or with `None` turns off) the per-identifier limit.
    pub fn with_per_identifier(mut self, rate: Option<Rate>) -> Self {
        self.per_identifier = rate;
        self
    }

    /// Names the credentials field holding the identifier (`"email"`).
    pub fn with_identifier(mut self, field: impl Into<String>) -> Self {
        self.identifier = Some(field.into());
        self
    }

    /// The most keys each in-memory limit remembers (at least 1).
    pub fn with_max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(1);
        self
    }

    /// Whether any limit is on.
    pub fn is_on(&self) -> bool {
        self.per_ip.is_some() || self.per_identifier.is_some()
    }
}

/// The in-memory limits' sizes ([`Auth::sign_in_limit_stats`](crate::Auth::sign_in_limit_stats)),
/// for monitoring: how many addresses and identifiers each remembers, and the cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInLimitStats {
    /// Addresses remembered by the per-address limit.
    pub per_ip_keys: usize,
    /// Identifiers remembered by the per-identifier limit.
    pub per_identifier_keys: usize,
    /// The most keys each limit remembers ([`SignInLimits::max_keys`]).
    pub max_keys: usize,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(Rate::new(0, Duration::from_secs(1)), None);
        assert_eq!(Rate::new(1, Duration::ZERO), None);
        let r = Rate::new(5, Duration::from_secs(900)).unwrap();
        assert_eq!(r.interval(), Duration::from_secs(180));
        assert!(SignInLimits::default().is_on());
        assert!(!SignInLimits::off().is_on());
        assert_eq!(SignInLimits::default().with_max_keys(0).max_keys, 1);
    }
}
