//! Generated cases for the whole macro (`proptest`, a fixed number each, listed in the
//! README): random token streams give `compile_error!`s (or a valid expansion), never a panic.

use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;

/// Words and punctuation of the DSL and of Rust, so random streams reach deep into the
/// parser and the checks.
const VOCABULARY: &[&str] = &[
    "session",
    "strategy",
    "jwt",
    "database",
    "max_age",
    "update_age",
    "reissue_after",
    "token",
    "session_user",
    "providers",
    "credentials",
    "github",
    "google",
    "oidc",
    "oauth",
    "callbacks",
    "events",
    "sign_in",
    "redirect",
    "authorize",
    "request",
    "user",
    "account",
    "profile",
    "trigger",
    "pages",
    "base_path",
    "trust_host",
    "trust_proxy",
    "limits",
    "per_ip",
    "per_identifier",
    "off",
    "/",
    "60s",
    "15min",
    "id",
    "client_id",
    "issuer",
    "env",
    "Some",
    "None",
    "if",
    "let",
    "match",
    "else",
    "return",
    "fn",
    "String",
    "Option",
    "u8",
    ":",
    "::",
    ",",
    ";",
    "=",
    "=>",
    "|",
    "&",
    "!",
    "#",
    "?",
    "@",
    ".",
    "..",
    "$crate",
    "crate",
    "\"x\"",
    "\"{user}\"",
    "1",
    "30",
    "-1",
    "1e9",
    "true",
    "'a'",
    "r#user",
    "format!",
    "println!",
    "macro_rules!",
];

#[derive(Debug, Clone)]
enum Tree {
    Word(usize),
    Group(char, Vec<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (0..VOCABULARY.len()).prop_map(Tree::Word);
    leaf.prop_recursive(4, 64, 8, |inner| {
        (
            prop_oneof![Just('{'), Just('('), Just('[')],
            proptest::collection::vec(inner, 0..8),
        )
            .prop_map(|(d, v)| Tree::Group(d, v))
    })
}

fn render(trees: &[Tree], out: &mut String) {
    for t in trees {
        match t {
            Tree::Word(i) => out.push_str(VOCABULARY[*i]),
            Tree::Group(d, inner) => {
                let close = match d {
                    '{' => '}',
                    '(' => ')',
                    _ => ']',
                };
                out.push(*d);
                render(inner, out);
                out.push(close);
            }
        }
        out.push(' ');
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_token_streams_never_panic(
        crate_prefix in any::<bool>(),
        trees in proptest::collection::vec(tree(), 0..24),
    ) {
        let mut text = String::new();
        if crate_prefix {
            text.push_str("[::auth_runtime] ");
        }
        render(&trees, &mut text);
        let Ok(input) = TokenStream::from_str(&text) else {
            return Ok(());
        };
        let out = std::panic::catch_unwind(|| crate::expand::run(input).to_string());
        let out = out.map_err(|_| TestCaseError::fail(format!("panicked on {text}")))?;
        prop_assert!(!out.is_empty(), "{}", text);
    }
}

#[test]
fn a_stream_of_junk_is_a_compile_error() {
    let out = crate::expand::run(
        TokenStream::from_str(
            "[::auth_runtime] session: { strategy: 1 2 3 }, callbacks: { jwt() }",
        )
        .unwrap_or_default(),
    );
    assert!(out.to_string().contains("compile_error"), "{out}");
}
