//! Enumeration safety of `auth_runtime::password`: the time of a check for an unknown user
//! name ([`password::verify_unknown_user`]) beside a wrong password and a right password for
//! a known user ([`password::verify`]), measured in one run so the report can give ratios.
//! The two refusals should be within a few percent of each other.
//!
//! Run: `cargo bench -p auth-runtime --bench password`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use auth_runtime::password;
use criterion::{Criterion, criterion_group, criterion_main};

fn checks(c: &mut Criterion) {
    let stored = password::hash("correct horse battery staple").unwrap();
    // Make the per-process dummy hash before measuring, as a running server has.
    assert!(!password::verify_unknown_user("warm-up"));
    let mut group = c.benchmark_group("password");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(6));
    // The two refusals are compared, so each is measured while alternating with the other:
    // a shared machine's load then weighs on both alike (only the named one is timed).
    let unknown = || password::verify_unknown_user(black_box("tr0ub4dor&3"));
    let wrong = || password::verify(black_box("tr0ub4dor&3"), black_box(&stored)).unwrap();
    group.bench_function("unknown_user", |b| {
        b.iter_custom(|iters| timed_alternating(iters, unknown, wrong))
    });
    group.bench_function("wrong_password", |b| {
        b.iter_custom(|iters| timed_alternating(iters, wrong, unknown))
    });
    group.bench_function("right_password", |b| {
        b.iter(|| {
            password::verify(
                black_box("correct horse battery staple"),
                black_box(&stored),
            )
            .unwrap()
        })
    });
    group.bench_function("hash", |b| {
        b.iter(|| password::hash(black_box("pw")).unwrap())
    });
    group.finish();
}

/// Runs `timed` and `other` in turn `iters` times, returning the time spent in `timed`.
fn timed_alternating<A, B>(iters: u64, timed: impl Fn() -> A, other: impl Fn() -> B) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        black_box(timed());
        total += start.elapsed();
        black_box(other());
    }
    total
}

criterion_group!(benches, checks);
criterion_main!(benches);
