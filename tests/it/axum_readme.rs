//! The README's complete axum app is `examples/src/bin/axum_app.rs` (compiled by
//! `cargo test --workspace --all-targets`): the two must not drift apart.

#[test]
fn readme_axum_app_is_the_compiled_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let example =
        std::fs::read_to_string(root.join("examples/src/bin/axum_app.rs")).unwrap_or_default();
    let section = readme
        .split("## A complete axum app")
        .nth(1)
        .unwrap_or_else(|| panic!("README has no `## A complete axum app` section"));
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap_or_else(|| panic!("the section has no rust code block"));
    let code: String = example
        .lines()
        .skip_while(|line| line.starts_with("//!") || line.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        block.trim(),
        code.trim(),
        "README code block differs from examples/src/bin/axum_app.rs"
    );
}

/// The README app's stored hash is the password the README tells readers to type.
#[test]
fn readme_app_hash_is_the_documented_password() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example =
        std::fs::read_to_string(root.join("examples/src/bin/axum_app.rs")).unwrap_or_default();
    let hash = example
        .lines()
        .find_map(|line| line.trim().strip_prefix("const ADA_HASH: &str = \""))
        .and_then(|rest| rest.strip_suffix("\";"))
        .unwrap_or_else(|| panic!("axum_app.rs has no `const ADA_HASH` line"));
    assert_eq!(
        auth_runtime::password::verify("correct horse", hash),
        Ok(true)
    );
    assert_eq!(auth_runtime::password::verify("ada", hash), Ok(false));
}
