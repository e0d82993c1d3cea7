//! No compile error of `auth!` may show the generated code's internals: the numbered
//! private module, its file, or a trait or function only generated code calls. Every
//! `.stderr` snapshot of `fail/` is read; the names come from `auth-runtime/src/__private.rs`
//! and the conversions the expansion calls.

use std::fs;
use std::path::Path;

/// What a user never writes and should never read.
const INTERNAL: &[&str] = &[
    "__private",
    "__auth_runtime",
    "__args",
    "__credentials",
    "Outcome::<",
    "IntoJwtOutcome",
    "IntoSignInDecision",
    "IntoSessionOutcome",
    "IntoRedirectUrl",
    "IntoUserOutcome",
    "IntoAuthorizeOutcome",
    "IntoEventOutcome",
    "user_outcome",
    "user_authorize",
    "sign_in_decision",
    "redirect_url",
    "event_outcome",
    "config_value",
    "runtime_outcome",
    "to_runtime_user",
    "from_runtime_user",
    "check_user",
    "typed_user",
    "form_text",
    "form_option",
    "CredentialsForm",
    "UserCheckFn",
    "clone_state",
    "__authorize",
    "__profile",
    "__raw",
    "runs_on_any_thread(",
    "sealed",
    "Parts",
];

#[test]
fn no_snapshot_names_generated_internals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fail");
    let mut offending = Vec::new();
    let mut read = 0;
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "stderr"))
        .collect();
    entries.sort();
    for path in entries {
        read += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found: Vec<&str> = INTERNAL
            .iter()
            .copied()
            .filter(|n| text.contains(n))
            .collect();
        if !found.is_empty() {
            offending.push(format!("{name}: {}", found.join(", ")));
        }
    }
    assert!(read > 0, "no .stderr under {}", dir.display());
    assert!(
        offending.is_empty(),
        "internal names in UI snapshots (make the error speak the user's words):\n{}",
        offending.join("\n")
    );
}
