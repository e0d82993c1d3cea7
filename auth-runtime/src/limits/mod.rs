//! The sign-in rate limits ([`SignInLimits`]): a GCRA per client address and per
//! identifier, counted before `authorize` runs.
//!
//! Where the counts live: with an adapter that keeps them
//! ([`Adapter::rate_limit_hit`], the SQL adapters' `auth_rate_limits` table), in its
//! database, so every server sharing it enforces one limit; otherwise in memory, per
//! server, in `governor`'s GCRA over a store bounded to [`SignInLimits::max_keys`] keys
//! per limit (`memory.rs`). Keys are SHA-256 hashes of the limit's kind and value: no
//! identifier is kept in clear, and every key has the same size.

mod memory;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

use crate::adapter::{Adapter, AdapterError, RateLimitHit};
use crate::clock::Clock;
use crate::config::{LimitKind, Rate, SignInLimitStats, SignInLimits};
use memory::{Key, MemoryLimit};

/// How often (in shared hits) the expired rows of the shared store are swept.
const SWEEP_EVERY: u64 = 256;

/// What the limits decided about an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Counted and allowed.
    Allowed,
    /// Refused by `limit`; the next attempt is allowed after `retry_after`.
    Refused {
        limit: LimitKind,
        retry_after: Duration,
    },
}

/// The limits of one [`Auth`](crate::Auth).
pub(crate) struct Limiter {
    limits: SignInLimits,
    per_ip: Option<MemoryLimit>,
    per_identifier: Option<MemoryLimit>,
    shared: Option<Arc<dyn Adapter>>,
    hits: AtomicU64,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("limits", &self.limits)
            .field("per_ip", &self.per_ip)
            .field("per_identifier", &self.per_identifier)
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

/// The key of `value` under the limit `kind`.
fn key(kind: LimitKind, value: &str) -> Key {
    let tag: &[u8] = match kind {
        LimitKind::PerIp => b"ip",
        LimitKind::PerIdentifier => b"identifier",
    };
    let mut h = Sha256::new();
    h.update(b"authrs-sign-in-limit\0");
    h.update(tag);
    h.update(b"\0");
    h.update(value.as_bytes());
    h.finalize().into()
}

/// An identifier as counted: trimmed and lowercased (`Ada ` and `ada` share a count).
fn normalize(identifier: &str) -> String {
    identifier.trim().to_lowercase()
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Limiter {
    /// The limits of `limits`, counted in `adapter`'s database when it keeps them, else in
    /// memory on `clock`.
    pub(crate) fn new(
        limits: SignInLimits,
        adapter: Option<Arc<dyn Adapter>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let memory =
            |rate: Option<Rate>| rate.map(|r| MemoryLimit::new(r, limits.max_keys, clock.clone()));
        Limiter {
            per_ip: memory(limits.per_ip),
            per_identifier: memory(limits.per_identifier),
            limits,
            shared: adapter,
            hits: AtomicU64::new(0),
        }
    }

    /// The configured limits.
    pub(crate) fn limits(&self) -> &SignInLimits {
        &self.limits
    }

    /// Counts one sign-in attempt from `ip` naming `identifier` at `now`: the per-address
    /// limit first (an unknown address is not counted), then the per-identifier one.
    pub(crate) async fn hit(
        &self,
        ip: Option<IpAddr>,
        identifier: Option<&str>,
        now: SystemTime,
    ) -> Result<Verdict, AdapterError> {
        if let (Some(rate), Some(ip)) = (self.limits.per_ip, ip) {
            let verdict = self
                .hit_one(LimitKind::PerIp, &ip.to_string(), rate, now)
                .await?;
            if verdict != Verdict::Allowed {
                return Ok(verdict);
            }
        }
        if let (Some(rate), Some(identifier)) = (self.limits.per_identifier, identifier) {
            return self
                .hit_one(LimitKind::PerIdentifier, &normalize(identifier), rate, now)
                .await;
        }
        Ok(Verdict::Allowed)
    }

    async fn hit_one(
        &self,
        kind: LimitKind,
        value: &str,
        rate: Rate,
        now: SystemTime,
    ) -> Result<Verdict, AdapterError> {
        let key = key(kind, value);
        let refused = |retry_after| Verdict::Refused {
            limit: kind,
            retry_after,
        };
        if let Some(db) = &self.shared {
            let now_ms = millis(now.duration_since(UNIX_EPOCH).unwrap_or_default());
            let interval_ms = millis(rate.interval()).max(1);
            let tolerance_ms =
                interval_ms.saturating_mul(i64::from(rate.count().saturating_sub(1)));
            let hit = RateLimitHit::new(crate::util::hex(&key), now_ms, interval_ms, tolerance_ms);
            if let Some(verdict) = db.rate_limit_hit(&hit).await? {
                if self.hits.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1
                    && let Err(e) = db.rate_limit_sweep(now_ms).await
                {
                    tracing::warn!(error = %e, "sweeping expired rate-limit rows failed");
                }
                if verdict.allowed {
                    return Ok(Verdict::Allowed);
                }
                let wait = verdict
                    .tat_ms
                    .saturating_sub(tolerance_ms)
                    .saturating_sub(now_ms);
                let wait = u64::try_from(wait).unwrap_or(0);
                return Ok(refused(Duration::from_millis(wait)));
            }
        }
        let memory = match kind {
            LimitKind::PerIp => &self.per_ip,
            LimitKind::PerIdentifier => &self.per_identifier,
        };
        Ok(match memory.as_ref().map(|m| m.hit(&key)) {
            Some(Err(wait)) => refused(wait),
            Some(Ok(())) | None => Verdict::Allowed,
        })
    }

    /// Forgets `identifier`'s count (after a successful sign-in).
    pub(crate) async fn reset_identifier(&self, identifier: &str) -> Result<(), AdapterError> {
        if self.limits.per_identifier.is_none() {
            return Ok(());
        }
        let key = key(LimitKind::PerIdentifier, &normalize(identifier));
        if let Some(m) = &self.per_identifier {
            m.reset(&key);
        }
        if let Some(db) = &self.shared {
            db.rate_limit_reset(&crate::util::hex(&key)).await?;
        }
        Ok(())
    }

    /// The in-memory stores' sizes.
    pub(crate) fn stats(&self) -> SignInLimitStats {
        let len = |m: &Option<MemoryLimit>| m.as_ref().map_or(0, MemoryLimit::len);
        SignInLimitStats {
            per_ip_keys: len(&self.per_ip),
            per_identifier_keys: len(&self.per_identifier),
            max_keys: self
                .per_ip
                .as_ref()
                .or(self.per_identifier.as_ref())
                .map_or(self.limits.max_keys, MemoryLimit::cap),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_kinds_and_normalize() {
        assert_ne!(
            key(LimitKind::PerIp, "a"),
            key(LimitKind::PerIdentifier, "a")
        );
        assert_eq!(normalize("  Ada@Example.COM "), "ada@example.com");
    }
}
