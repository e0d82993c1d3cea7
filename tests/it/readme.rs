//! The README's claims that code can check: its "Testing your app" block is a part of the
//! `app` example's tests (compiled and run by `cargo test -p examples --bin app`), and its
//! feature table lists every feature of `auth-runtime`. (The complete axum app is checked by
//! `axum_readme`, the `auth!` syntax reference by `auth-macros`' `spec` unit tests.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

fn read(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of the README section whose heading is `heading`.
fn section(readme: &str, heading: &str) -> String {
    let start = format!("\n## {heading}\n");
    let rest = readme
        .split(&start)
        .nth(1)
        .unwrap_or_else(|| panic!("README has no `## {heading}` section"));
    rest.split("\n## ").next().unwrap_or_default().to_owned()
}

#[test]
fn testing_block_is_part_of_the_app_tests() {
    let tests = read("examples/src/bin/app/tests.rs");
    let section = section(&read("README.md"), "Testing your app");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the section has a rust code block");
    assert!(
        block.lines().count() > 20 && tests.contains(block),
        "README's testing block is not part of examples/src/bin/app/tests.rs"
    );
}

#[test]
fn feature_table_lists_every_runtime_feature() {
    let manifest = read("auth-runtime/Cargo.toml");
    let features: Vec<&str> = manifest
        .split("[features]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
        .filter(|name| *name != "default" && !name.starts_with('#'))
        .collect();
    assert!(features.contains(&"testing"), "{features:?}");
    let section = section(&read("README.md"), "Adding it to your project");
    for feature in features {
        assert!(
            section.contains(&format!("| `{feature}` |")),
            "the README's feature table has no row for `{feature}`"
        );
    }
}
