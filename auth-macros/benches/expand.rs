//! Expansion time of `auth!` on the README example (`tests/ui/pass/readme-example.rs`):
//! parse + check + expand from a `proc_macro2::TokenStream`, against `syn::parse2::<syn::File>`
//! of the whole example file (a baseline every proc macro pays) and of the generated code.
//!
//! `cargo bench -p auth-macros --bench expand`
//!
//! A proc-macro crate cannot be linked, so the stages are included by path (without the
//! `[$crate]` prefix the `auth!` shim adds, the expansion names `::auth_runtime`).

#![allow(clippy::expect_used, reason = "a broken fixture should stop the bench")]

#[path = "../src/ast.rs"]
#[allow(
    unused_imports,
    dead_code,
    reason = "unit tests of the included module"
)]
mod ast;
#[path = "../src/check/mod.rs"]
#[allow(
    unused_imports,
    dead_code,
    reason = "unit tests of the included module"
)]
mod check;
#[path = "../src/ctxt.rs"]
#[allow(
    unused_imports,
    dead_code,
    reason = "unit tests of the included module"
)]
mod ctxt;
#[path = "../src/expand/mod.rs"]
#[allow(
    unused_imports,
    dead_code,
    reason = "unit tests of the included module"
)]
mod expand;
#[path = "../src/model.rs"]
#[allow(
    unused_imports,
    dead_code,
    reason = "unit tests of the included module"
)]
mod model;
#[path = "../src/spec.rs"]
#[allow(
    unused_imports,
    dead_code,
    reason = "unit tests of the included module"
)]
mod spec;

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, criterion_group, criterion_main};
use proc_macro2::TokenStream;

const EXAMPLE: &str = include_str!("../../tests/ui/pass/readme-example.rs");

/// The tokens inside `auth_runtime::auth! { .. }` of the example.
fn invocation(file: &syn::File) -> TokenStream {
    fn find(items: &[syn::Item]) -> Option<TokenStream> {
        items.iter().find_map(|item| match item {
            syn::Item::Macro(m)
                if m.mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "auth") =>
            {
                Some(m.mac.tokens.clone())
            }
            syn::Item::Mod(m) => m.content.as_ref().and_then(|(_, items)| find(items)),
            _ => None,
        })
    }
    find(&file.items).expect("the example invokes auth!")
}

fn bench(c: &mut Criterion) {
    let file_tokens = TokenStream::from_str(EXAMPLE).expect("the example lexes");
    let file: syn::File = syn::parse2(file_tokens.clone()).expect("the example parses");
    let input = invocation(&file);
    let output = expand::run(input.clone());
    println!(
        "input: {} bytes of tokens, expansion: {} bytes",
        input.to_string().len(),
        output.to_string().len()
    );
    assert!(
        !output.to_string().contains("compile_error"),
        "the README example must expand without errors"
    );

    let mut group = c.benchmark_group("auth_readme_example");
    group.bench_function("parse_check_expand", |b| {
        b.iter(|| expand::run(black_box(input.clone())))
    });
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            let cx = ctxt::Ctxt::new();
            let config = ast::parse(&cx, black_box(input.clone()));
            cx.check().map(|()| config)
        })
    });
    group.bench_function("parse_and_check", |b| {
        b.iter(|| {
            let cx = ctxt::Ctxt::new();
            let config = ast::parse(&cx, black_box(input.clone()));
            let errors = {
                let model = check::check(&cx, &config);
                black_box(&model);
                cx.check()
            };
            errors.map(|()| config)
        })
    });
    group.bench_function("syn_parse_file_of_example", |b| {
        b.iter(|| syn::parse2::<syn::File>(black_box(file_tokens.clone())))
    });
    group.bench_function("syn_parse_file_of_expansion", |b| {
        b.iter(|| syn::parse2::<syn::File>(black_box(output.clone())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
