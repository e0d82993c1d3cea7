//! The compile-time rules of `auth!`: `ui/pass` must compile (and run), `ui/fail` must
//! fail with exactly the committed `.stderr`. Regenerate with `TRYBUILD=overwrite` and
//! review every changed message.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
