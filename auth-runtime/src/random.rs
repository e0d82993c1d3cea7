//! The one home of randomness: bytes from the operating system's CSPRNG (`getrandom`),
//! handed out from a small per-thread buffer.
//!
//! Every secret the runtime makes (JWE IVs, `jti`s, CSRF tokens, database session ids, OAuth
//! `state`/PKCE/nonce values, e-mail tokens, passkey challenges, TOTP secrets and recovery
//! codes) comes from here, but argon2's salts, which password-hash draws from its own `OsRng`. A `getrandom` call costs about 350 ns and a session read draws a
//! JWE IV and a `jti`, so each thread keeps [`POOL_LEN`] bytes of OS randomness and refills
//! them with one call when they run out (one system call per about eight session reads).
//! Each byte is handed out once and zeroed in the buffer as it is copied out, so no past
//! output stays in memory; requests larger than the buffer go straight to `getrandom`.
//!
//! Like rand 0.9's `ThreadRng`, a process that forks and keeps serving in both the parent and
//! the child would hand out the same buffered bytes in both; servers do not do this.

use std::cell::RefCell;

/// The bytes of OS randomness each thread keeps.
const POOL_LEN: usize = 256;

/// The operating system's random number generator failed (practically never on Linux).
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub(crate) struct RandomError(getrandom::Error);

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool::new()) };
}

/// Fills `buf` with random bytes.
///
/// # Panics
///
/// If the operating system's generator fails, as `rand::thread_rng()` did before this
/// module (on Linux `getrandom(2)` does not fail once the kernel's pool is initialised).
/// Callers that already return an error use [`try_fill`].
pub(crate) fn fill(buf: &mut [u8]) {
    if let Err(e) = try_fill(buf) {
        panic!("{e}");
    }
}

/// Fills `buf` with random bytes, or says that the operating system's generator failed.
pub(crate) fn try_fill(buf: &mut [u8]) -> Result<(), RandomError> {
    let from_os = |bytes: &mut [u8]| getrandom::getrandom(bytes).map_err(RandomError);
    // during the thread's teardown (a destructor drawing randomness) the pool is gone:
    // straight to the OS
    POOL.try_with(|pool| pool.borrow_mut().fill_with(buf, from_os))
        .unwrap_or_else(|_| from_os(buf))
}

/// `N` random bytes.
///
/// # Panics
///
/// As [`fill`].
pub(crate) fn array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}

/// A uniformly random number in `0..n`, without modulo bias: a 32-bit draw is rejected
/// (and drawn again) when it falls below `2^32 mod n`, so the draws kept span a whole number
/// of multiples of `n` before the remainder (OpenBSD's `arc4random_uniform`). At most half of
/// the draws are rejected, for any `n`.
///
/// # Panics
///
/// If `n` is 0, and as [`fill`].
#[cfg_attr(not(feature = "totp"), allow(dead_code))] // the recovery codes
pub(crate) fn below(n: u32) -> u32 {
    assert!(n > 0, "random::below needs a non-empty range");
    below_with(n, || u32::from_ne_bytes(array()))
}

#[cfg_attr(not(feature = "totp"), allow(dead_code))]
fn below_with(n: u32, mut draw: impl FnMut() -> u32) -> u32 {
    // 2^32 mod n
    let min = n.wrapping_neg() % n;
    loop {
        let x = draw();
        if x >= min {
            return x % n;
        }
    }
}

/// A thread's buffer: `bytes[pos..]` not handed out yet, `bytes[..pos]` handed out and
/// zeroed.
struct Pool {
    bytes: [u8; POOL_LEN],
    pos: usize,
}

impl Pool {
    /// An empty pool: the first draw fills it.
    const fn new() -> Self {
        Pool {
            bytes: [0; POOL_LEN],
            pos: POOL_LEN,
        }
    }

    /// Fills `out` from the buffer, refilling it from `source` when it runs out; requests
    /// larger than the buffer go to `source` directly and leave the buffer as it is.
    fn fill_with(
        &mut self,
        out: &mut [u8],
        mut source: impl FnMut(&mut [u8]) -> Result<(), RandomError>,
    ) -> Result<(), RandomError> {
        if out.len() > POOL_LEN {
            return source(out);
        }
        let mut done = 0;
        while done < out.len() {
            if self.pos == POOL_LEN {
                source(&mut self.bytes)?;
                self.pos = 0;
            }
            let n = (POOL_LEN - self.pos).min(out.len() - done);
            let taken = &mut self.bytes[self.pos..self.pos + n];
            out[done..done + n].copy_from_slice(taken);
            taken.fill(0);
            self.pos += n;
            done += n;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn os(bytes: &mut [u8]) -> Result<(), RandomError> {
        getrandom::getrandom(bytes).map_err(RandomError)
    }

    /// A source counting its calls and the bytes it gave, filling with a running counter
    /// that skips 0 (so a zero in the buffer can only be a zeroed byte).
    struct Counting {
        calls: usize,
        given: usize,
        next: u8,
    }

    impl Counting {
        fn new() -> Self {
            Counting {
                calls: 0,
                given: 0,
                next: 1,
            }
        }

        fn source(&mut self) -> impl FnMut(&mut [u8]) -> Result<(), RandomError> + '_ {
            |bytes| {
                self.calls += 1;
                self.given += bytes.len();
                for b in bytes {
                    *b = self.next;
                    self.next = self.next.checked_add(1).unwrap_or(1);
                }
                Ok(())
            }
        }
    }

    #[test]
    fn two_draws_differ() {
        let a: [u8; 32] = array();
        let b: [u8; 32] = array();
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }

    #[test]
    fn small_draws_cross_refills() {
        let mut pool = Pool::new();
        let mut src = Counting::new();
        let mut seen = Vec::new();
        // 100 draws of 7 bytes: 700 bytes, three refills of 256
        for _ in 0..100 {
            let mut out = [0u8; 7];
            pool.fill_with(&mut out, src.source()).unwrap();
            seen.extend_from_slice(&out);
        }
        assert_eq!(src.calls, 3);
        assert_eq!(src.given, 3 * POOL_LEN);
        assert_eq!(seen.len(), 700);
        // handed out in order, each byte once: the counter 1..=255, 1..=255, ..
        let expected: Vec<u8> = (1..=255u8).cycle().take(700).collect();
        assert_eq!(seen, expected);
        assert_eq!(pool.pos, 700 - 2 * POOL_LEN);
    }

    #[test]
    fn large_draws_bypass_the_pool() {
        let mut pool = Pool::new();
        let mut src = Counting::new();
        let mut small = [0u8; 10];
        pool.fill_with(&mut small, src.source()).unwrap();
        let pos = pool.pos;
        let before = pool.bytes;
        let mut large = vec![0u8; 1000];
        pool.fill_with(&mut large, src.source()).unwrap();
        assert_eq!(src.calls, 2);
        assert_eq!(src.given, POOL_LEN + 1000);
        assert!(large.iter().all(|&b| b != 0));
        // the buffer untouched
        assert_eq!(pool.pos, pos);
        assert_eq!(pool.bytes, before);
        // a pool-sized draw is still served from the pool
        let mut exact = [0u8; POOL_LEN];
        pool.fill_with(&mut exact, src.source()).unwrap();
        assert_eq!(src.calls, 3);

        // and through the thread's pool with the OS source
        let mut a = vec![0u8; 600];
        let mut b = vec![0u8; 600];
        fill(&mut a);
        fill(&mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn consumed_bytes_are_zeroed() {
        let mut pool = Pool::new();
        let mut src = Counting::new();
        for len in [1, 16, 16, 100, 200, 3] {
            let mut out = vec![0u8; len];
            pool.fill_with(&mut out, src.source()).unwrap();
            assert!(out.iter().all(|&b| b != 0));
            assert!(pool.bytes[..pool.pos].iter().all(|&b| b == 0));
            assert!(pool.bytes[pool.pos..].iter().all(|&b| b != 0));
        }
    }

    #[test]
    fn below_stays_below_and_hits_every_value() {
        for n in [1, 2, 3, 7, 31, 1000, u32::MAX] {
            for _ in 0..200 {
                assert!(below(n) < n);
            }
        }
        let mut hits = [0u32; 3];
        for _ in 0..300 {
            hits[below(3) as usize] += 1;
        }
        assert!(hits.iter().all(|&h| h > 0), "{hits:?}");
    }

    #[test]
    fn below_rejects_the_biased_zone() {
        // n = 3: 2^32 mod 3 = 1, so 0 is rejected and the next draw is used
        let mut draws = [0u32, 0, 5].into_iter();
        assert_eq!(below_with(3, || draws.next().unwrap()), 2);
        // n = 2^31 + 1: 2^32 mod n = 2^31 - 1; draws below it are rejected
        let n = (1u32 << 31) + 1;
        let mut draws = [(1u32 << 31) - 2, u32::MAX].into_iter();
        assert_eq!(below_with(n, || draws.next().unwrap()), u32::MAX % n);
    }

    #[test]
    #[should_panic(expected = "non-empty range")]
    fn below_zero_panics() {
        below(0);
    }

    proptest! {
        #[test]
        fn every_byte_handed_out_once(sizes in proptest::collection::vec(0usize..600, 0..40)) {
            let mut pool = Pool::new();
            let mut src = Counting::new();
            let mut handed = 0;
            let mut pooled = 0;
            for &len in &sizes {
                let mut out = vec![0u8; len];
                pool.fill_with(&mut out, src.source()).unwrap();
                handed += out.len();
                if len <= POOL_LEN {
                    pooled += len;
                }
                prop_assert!(out.iter().all(|&b| b != 0));
                prop_assert!(pool.bytes[..pool.pos].iter().all(|&b| b == 0));
            }
            prop_assert_eq!(handed, sizes.iter().sum::<usize>());
            // what the source gave is what was handed out plus what the buffer still holds
            let direct: usize = sizes.iter().filter(|&&l| l > POOL_LEN).sum();
            let refills = src.calls - sizes.iter().filter(|&&l| l > POOL_LEN).count();
            prop_assert_eq!(src.given, direct + refills * POOL_LEN);
            prop_assert_eq!(refills * POOL_LEN, pooled + (POOL_LEN - pool.pos));
        }

        #[test]
        fn sixteen_byte_draws_are_distinct(sizes in proptest::collection::vec(0usize..600, 1..40)) {
            let mut pool = Pool::new();
            let mut keys = std::collections::HashSet::new();
            for &len in &sizes {
                let mut other = vec![0u8; len];
                pool.fill_with(&mut other, os).unwrap();
                let mut key = [0u8; 16];
                pool.fill_with(&mut key, os).unwrap();
                prop_assert!(keys.insert(key), "a 16-byte draw repeated");
            }
        }
    }
}
