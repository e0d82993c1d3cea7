//! Nothing to link: this crate exists for its `ui` test (`cargo test -p auth-ui-tests`),
//! whose cases in `pass/` and `fail/` trybuild compiles against this crate's dependencies.
