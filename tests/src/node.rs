//! The JavaScript peers in `tests/js` (`@auth/core`, `jose`, `oidc-provider`,
//! `playwright-core`, pinned by its `package-lock.json`), run with `node`.
//!
//! Tests that need them fail (never skip) when they are missing, saying to run
//! `scripts/setup` (which runs `npm ci` there).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// `tests/js`: the scripts and their `node_modules`.
pub fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Fails the test unless `package` is installed in `tests/js/node_modules`.
pub fn require(package: &str) {
    let dir = js_dir();
    assert!(
        dir.join("node_modules")
            .join(package)
            .join("package.json")
            .is_file(),
        "{package} is not installed in {}: run `scripts/setup` (it runs `npm ci` in tests/js)",
        dir.display()
    );
}

/// Runs `node tests/js/<script>` with `input` as JSON on stdin and parses the JSON it
/// prints; fails the test when node is missing, the script fails, or prints no JSON.
pub fn run(script: &str, input: &Value) -> Value {
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(js_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node` ({e}): run `scripts/setup` to install Node"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "node {script} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
