//! The one source of "now" of the runtime: the flow's per-request time, session and
//! cookie expiry, token `iat`/`exp` checks and the sign-in rate limits all read the
//! [`Clock`] of their [`Auth`](crate::Auth).
//!
//! Production uses [`SystemClock`] (the default); tests install a clock they set and
//! advance (`auth_runtime::testing::TestClock`, feature `testing`) with
//! [`Auth::with_clock`](crate::Auth::with_clock), so a lockout window or a session
//! expiry passes without sleeping.
//!
//! What the clock does not reach: the adapters' own bookkeeping timestamps (`created_at`,
//! the expired-row sweeps inside [`Adapter`](crate::adapter::Adapter) methods), which keep
//! the system clock; the flow checks a session's expiry against its clock itself.

use std::fmt;
use std::time::SystemTime;

/// A source of the current time.
///
/// Implement it to drive the runtime from another clock; tests use
/// `auth_runtime::testing::TestClock`.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock ([`SystemTime::now`]): the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_reads_the_system_time() {
        let before = SystemTime::now();
        let now = SystemClock.now();
        assert!(now >= before);
        assert!(now <= SystemTime::now());
    }
}
