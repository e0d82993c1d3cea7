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
    "Parts",
];

/// Snapshots that still show an internal name, each with why it could not be hidden yet.
/// The test also fails when one of them becomes clean, so this list only shrinks.
const KNOWN: &[(&str, &str)] = &[
    (
        "authorize-wrong-error-type.stderr",
        "`authorize`'s bound is on its boxing function (`IntoAuthorizeOutcome`); left to the credentials-forms work on `authorize`",
    ),
    (
        "field-not-serialize.stderr",
        "serde's derive reports `Serialize` on the macro, and lists serde_json's `RawValue` under the numbered module",
    ),
    (
        "option-value-wrong-type.stderr",
        "option values go through typed functions (`seconds`, `flag`, `config_value`) and `authorize`'s boxing function",
    ),
    (
        "session-returns-wrong-type-no-section.stderr",
        "rustc's \"this error originates in the macro `$crate::__private0_1_0::auth`\" note (the proc macro the shim calls), given because `SessionUser` is defined by the macro",
    ),
    (
        "session-returns-wrong-type.stderr",
        "rustc's \"this error originates in the macro `$crate::__private0_1_0::auth`\" note (the proc macro the shim calls), given because `SessionUser` is defined by the macro",
    ),
    (
        "state-not-clone.stderr",
        "the state's bounds are on a generic function, and the per-handler clone is reported on the macro",
    ),
    (
        "user-authorize-returns-runtime-user.stderr",
        "the typed `User`'s conversion is a generic function (`user_outcome`, `IntoUserOutcome`)",
    ),
];

#[test]
fn no_snapshot_names_generated_internals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fail");
    let mut offending = Vec::new();
    let mut cleaned = Vec::new();
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
        let known = KNOWN.iter().any(|(k, _)| *k == name);
        match (found.is_empty(), known) {
            (false, false) => offending.push(format!("{name}: {}", found.join(", "))),
            (true, true) => cleaned.push(name),
            _ => {}
        }
    }
    assert!(read > 0, "no .stderr under {}", dir.display());
    assert!(
        offending.is_empty(),
        "internal names in UI snapshots (make the error speak the user's words):\n{}",
        offending.join("\n")
    );
    assert!(
        cleaned.is_empty(),
        "clean now, remove from `KNOWN`: {}",
        cleaned.join(", ")
    );
}
