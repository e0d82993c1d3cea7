//! The compile-time rules of `auth!`: `pass/` must compile (and run), `fail/` must
//! fail with exactly the committed `.stderr`. Regenerate with `TRYBUILD=overwrite` and
//! review every changed message.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("pass/*.rs");
    t.compile_fail("fail/*.rs");
}
