//! Rule 1: in `jwt`, `user`, `account` and `profile` exist only on sign-in and `session`
//! only on an update, so they may be read only through a guard:
//!
//! - `if let Some(x) = user { .. }` (also in a `&&` let chain, and `while let`),
//! - `match user { Some(x) => .., .. }`,
//! - `let Some(x) = user else { .. };`.
//!
//! The scrutinee may be `user`, `&user`, `&mut user`, `user.as_ref()`, `user.as_mut()`,
//! `user.as_deref()` or a tuple of these (`match (user, account) { (Some(u), Some(a)) => .. }`),
//! and the pattern (one of the arms, for `match`) must contain a `Some(..)`.
//! Every other mention of the parameter is flagged: in the `else` branch, in a closure, in
//! a macro call (arguments are parsed as expressions or statements; `{user}` in a format
//! string counts), and inside the guarded block when the pattern bound another name.
//! Not flagged: fields and methods (`token.user`), other names (`user_id`), nested items,
//! and the name after it is rebound (`let user = ..`, `if let Some(user) = user`, closure
//! parameters, match arms, `for` patterns).

use proc_macro2::{Ident, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Block, Expr, Pat, Token};

use crate::ctxt::Ctxt;
use crate::model::Model;
use crate::spec::CallbackKind;

/// The `jwt` parameters that are `None` outside sign-in (or an update).
pub const GUARDED: &[&str] = &["user", "account", "profile", "session"];

/// Macros whose string literal arguments are format strings (`{user}` reads `user`).
const FORMAT_MACROS: &[&str] = &[
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "unreachable",
    "todo",
    "unimplemented",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
];

pub fn check(cx: &Ctxt, model: &Model) {
    for cb in model.callbacks_of(CallbackKind::Jwt) {
        let tracked: Vec<String> = cb
            .params
            .iter()
            .map(|p| p.name.to_string())
            .filter(|p| GUARDED.contains(&p.as_str()))
            .collect();
        if tracked.is_empty() {
            continue;
        }
        for found in find_unguarded(&tracked, cb.body) {
            let name = found.to_string();
            let when = if name == "session" {
                "`session` is only set when the client updates the session (`trigger` is `Some(Trigger::Update)`): on every other call of `jwt` it is `None`"
            } else if name == "profile" {
                "`profile` is only set when the user signs in with OAuth or OIDC: on every later call of `jwt` it is `None`"
            } else {
                // user, account
                "is only set when the user signs in: on every later call of `jwt` it is `None`"
            };
            let msg = if when.starts_with('`') {
                when.to_owned()
            } else {
                format!("`{name}` {when}")
            };
            cx.error_spanned_by(
                &found,
                msg,
                format!(
                    "read it through a guard: `if let Some({name}) = {name} {{ .. }}`, `match {name} {{ Some({name}) => .., None => .. }}` or `let Some({name}) = {name} else {{ .. }};`"
                ),
            );
        }
    }
}

/// The mentions of `tracked` names in `body` that are not behind a guard.
pub fn find_unguarded(tracked: &[String], body: &Block) -> Vec<Ident> {
    let mut walker = Walker {
        tracked,
        scopes: vec![Vec::new()],
        found: Vec::new(),
    };
    walker.visit_block(body);
    walker.found
}

struct Walker<'a> {
    tracked: &'a [String],
    /// Names rebound in each enclosing scope (they shadow the parameters).
    scopes: Vec<Vec<String>>,
    found: Vec<Ident>,
}

impl Walker<'_> {
    fn is_live(&self, name: &str) -> bool {
        self.tracked.iter().any(|t| t == name)
            && !self.scopes.iter().any(|s| s.iter().any(|n| n == name))
    }

    fn scoped(&mut self, f: impl FnOnce(&mut Self)) {
        self.scopes.push(Vec::new());
        f(self);
        self.scopes.pop();
    }

    fn bind(&mut self, pat: &Pat) {
        let mut names = Bindings(Vec::new());
        names.visit_pat(pat);
        if let Some(scope) = self.scopes.last_mut() {
            scope.extend(names.0);
        }
    }

    /// A scrutinee: a guarded form is not a use; anything else is visited normally.
    fn scrutinee(&mut self, expr: &Expr, has_some: bool) {
        if has_some {
            if guard_target(expr).is_some_and(|id| self.is_live(&id.to_string())) {
                return;
            }
            if let Expr::Tuple(t) = strip(expr) {
                for e in &t.elems {
                    self.scrutinee(e, has_some);
                }
                return;
            }
        }
        self.visit_expr(expr);
    }

    /// The condition of `if` / `while`: `let` (possibly chained with `&&`) binds for the body.
    fn condition(&mut self, cond: &Expr) {
        match cond {
            Expr::Let(l) => {
                self.scrutinee(&l.expr, has_some(&l.pat));
                self.bind(&l.pat);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.condition(&b.left);
                self.condition(&b.right);
            }
            other => self.visit_expr(other),
        }
    }

    fn macro_tokens(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let format_like = FORMAT_MACROS.contains(&name.as_str());
        let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
        if let Ok(args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            let mut named: Vec<String> = Vec::new();
            let mut formats = Vec::new();
            for arg in &args {
                match arg {
                    // `format!("{user}", user = ..)`: the left side names an argument.
                    Expr::Assign(a) if format_like && super::single_ident(&a.left).is_some() => {
                        named.extend(super::single_ident(&a.left).map(ToString::to_string));
                        self.visit_expr(&a.right);
                    }
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) if format_like => formats.push(s),
                    other => self.visit_expr(other),
                }
            }
            for s in formats {
                for name in inline_format_args(&s.value()) {
                    if !named.contains(&name) && self.is_live(&name) {
                        self.found.push(Ident::new(&name, s.span()));
                    }
                }
            }
        } else if let Ok(stmts) =
            syn::parse::Parser::parse2(Block::parse_within, mac.tokens.clone())
        {
            self.scoped(|w| {
                for s in &stmts {
                    w.visit_stmt(s);
                }
            });
        } else {
            self.scan_tokens(mac.tokens.clone());
        }
    }

    /// Last resort for macro input that is not Rust syntax: a bare identifier (not after `.`).
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let mut after_dot = false;
        for tt in tokens {
            match tt {
                TokenTree::Ident(id) => {
                    if !after_dot && self.is_live(&id.to_string()) {
                        self.found.push(id);
                    }
                    after_dot = false;
                }
                TokenTree::Group(g) => {
                    self.scan_tokens(g.stream());
                    after_dot = false;
                }
                TokenTree::Punct(p) => after_dot = p.as_char() == '.',
                TokenTree::Literal(_) => after_dot = false,
            }
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_block(&mut self, b: &'ast Block) {
        self.scoped(|w| visit::visit_block(w, b));
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        for attr in &local.attrs {
            self.visit_attribute(attr);
        }
        if let Some(init) = &local.init {
            match &init.diverge {
                Some((_, diverge)) => {
                    self.scrutinee(&init.expr, has_some(&local.pat));
                    self.visit_expr(diverge);
                }
                None => self.visit_expr(&init.expr),
            }
        }
        self.bind(&local.pat);
    }

    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        self.scoped(|w| {
            w.condition(&e.cond);
            w.visit_block(&e.then_branch);
        });
        if let Some((_, else_branch)) = &e.else_branch {
            self.visit_expr(else_branch);
        }
    }

    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.scoped(|w| {
            w.condition(&e.cond);
            w.visit_block(&e.body);
        });
    }

    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        // A `let` outside an `if`/`while` condition (e.g. in a match guard).
        self.scrutinee(&e.expr, has_some(&e.pat));
    }

    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        let some = e.arms.iter().any(|a| has_some(&a.pat));
        self.scrutinee(&e.expr, some);
        for arm in &e.arms {
            self.scoped(|w| {
                w.bind(&arm.pat);
                if let Some((_, guard)) = &arm.guard {
                    w.visit_expr(guard);
                }
                w.visit_expr(&arm.body);
            });
        }
    }

    fn visit_expr_closure(&mut self, e: &'ast syn::ExprClosure) {
        self.scoped(|w| {
            for input in &e.inputs {
                w.bind(input);
            }
            w.visit_expr(&e.body);
        });
    }

    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.visit_expr(&e.expr);
        self.scoped(|w| {
            w.bind(&e.pat);
            w.visit_block(&e.body);
        });
    }

    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        if e.qself.is_none()
            && let Some(id) = e.path.get_ident()
            && self.is_live(&id.to_string())
        {
            self.found.push(id.clone());
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_tokens(mac);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // A nested `fn`/`const` cannot capture the callback's variables.
    }
}

/// Collects the names a pattern binds.
struct Bindings(Vec<String>);

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.to_string());
        if let Some((_, sub)) = &p.subpat {
            self.visit_pat(sub);
        }
    }
}

/// Whether a pattern contains `Some(..)`.
fn has_some(pat: &Pat) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_pat_tuple_struct(&mut self, p: &'ast syn::PatTupleStruct) {
            if p.path.segments.last().is_some_and(|s| s.ident == "Some") {
                self.0 = true;
            }
            visit::visit_pat_tuple_struct(self, p);
        }
    }
    let mut f = Finder(false);
    f.visit_pat(pat);
    f.0
}

fn strip(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::Paren(p) => expr = &p.expr,
            Expr::Group(g) => expr = &g.expr,
            _ => return expr,
        }
    }
}

/// The parameter a guard scrutinee reads: `x`, `&x`, `&mut x`, `x.as_ref()`, `x.as_mut()`,
/// `x.as_deref()`, `x.as_deref_mut()`.
fn guard_target(expr: &Expr) -> Option<&Ident> {
    match strip(expr) {
        Expr::Reference(r) => guard_target(&r.expr),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && m.turbofish.is_none()
                && ["as_ref", "as_mut", "as_deref", "as_deref_mut"]
                    .contains(&m.method.to_string().as_str()) =>
        {
            guard_target(&m.receiver)
        }
        other => super::single_ident(other),
    }
}

/// The identifiers a format string reads inline: `{user}`, `{user:?}`, `{user.name}` (invalid
/// in Rust, but still a mention).
fn inline_format_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '{' {
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            continue;
        }
        let name: String = chars
            .by_ref()
            .take_while(|c| *c != '}' && *c != ':')
            .collect();
        let name: String = name
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn flagged(body: Block) -> Vec<String> {
        let tracked: Vec<String> = GUARDED.iter().map(|s| (*s).to_owned()).collect();
        find_unguarded(&tracked, &body)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn if_let_guard_with_shadowing_is_fine() {
        let body: Block = parse_quote!({
            if let Some(user) = user {
                token.id = user.id.clone();
                token.name = user.name;
            }
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn else_branch_is_flagged() {
        let body: Block = parse_quote!({
            if let Some(u) = user {
                token.id = u.id;
            } else {
                token.name = user.and_then(|u| u.name);
            }
            token
        });
        assert_eq!(flagged(body), ["user"]);
    }

    #[test]
    fn raw_option_inside_guard_with_other_binding_is_flagged() {
        let body: Block = parse_quote!({
            if let Some(u) = &user {
                token.id = user.clone().map(|x| x.id).unwrap_or_default();
            }
            token
        });
        assert_eq!(flagged(body), ["user"]);
    }

    #[test]
    fn match_and_let_else_are_guards() {
        let body: Block = parse_quote!({
            match account {
                Some(account) => token.provider = account.provider,
                None => {}
            }
            let Some(profile) = profile else {
                return token;
            };
            token.email = profile.email;
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn let_else_block_is_flagged() {
        let body: Block = parse_quote!({
            let Some(p) = profile else {
                println!("{:?}", profile);
                return token;
            };
            token
        });
        assert_eq!(flagged(body), ["profile"]);
    }

    #[test]
    fn references_as_ref_and_tuples_are_guards() {
        let body: Block = parse_quote!({
            if let Some(u) = &user {
                token.id = u.id.clone();
            }
            if let Some(u) = user.as_ref() {
                token.id = u.id.clone();
            }
            match (user, account) {
                (Some(u), Some(a)) => token.id = format!("{}:{}", a.provider, u.id),
                _ => {}
            }
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn let_chains_and_while_let() {
        let body: Block = parse_quote!({
            if let Some(u) = user
                && let Some(a) = account
                && u.id == a.provider_account_id
            {
                token.id = u.id;
            }
            while let Some(s) = session {
                token.name = s.to_string();
                break;
            }
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn a_pattern_without_some_is_not_a_guard() {
        let body: Block = parse_quote!({
            if let x = user {
                drop(x);
            }
            match user {
                u => drop(u),
            }
            token
        });
        assert_eq!(flagged(body), ["user", "user"]);
    }

    #[test]
    fn closures_are_flagged_unless_the_parameter_shadows() {
        let body: Block = parse_quote!({
            let f = || user.is_some();
            let g = |user: Option<u8>| user.is_some();
            token
        });
        assert_eq!(flagged(body), ["user"]);
    }

    #[test]
    fn macros_are_looked_into() {
        let body: Block = parse_quote!({
            let a = format!("{}", user.unwrap().name);
            println!("{account:?}");
            assert!(profile.is_none(), "no profile");
            my_json!({ "s": session });
            token
        });
        assert_eq!(flagged(body), ["user", "account", "profile", "session"]);
    }

    #[test]
    fn macros_named_args_and_escapes_are_not_uses() {
        let body: Block = parse_quote!({
            let a = format!("{user} {{account}}", user = token.name);
            vec![token.sub.clone()];
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn macro_statements_keep_scopes() {
        let body: Block = parse_quote!({
            my_macro! { let user = 1; drop(user); }
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn fields_other_names_rebinding_and_items_are_not_flagged() {
        let body: Block = parse_quote!({
            let user_id = token.user.clone();
            token.profile = token.user.account();
            fn helper(user: u8) -> u8 {
                user
            }
            let user = 5;
            drop(user);
            for account in [1, 2] {
                drop(account);
            }
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn plain_uses_are_flagged() {
        let body: Block = parse_quote!({
            token.id = user.unwrap().id;
            let s = Foo { session };
            if user.is_some() {}
            token
        });
        assert_eq!(flagged(body), ["user", "session", "user"]);
    }

    #[test]
    fn scope_ends_with_its_block() {
        let body: Block = parse_quote!({
            {
                let user = 1;
                drop(user);
            }
            drop(user);
            token
        });
        assert_eq!(flagged(body), ["user"]);
    }

    #[test]
    fn only_tracked_parameters_count() {
        let body: Block = parse_quote!({
            drop(user);
            token
        });
        assert!(find_unguarded(&["account".to_owned()], &body).is_empty());
    }

    #[test]
    fn format_string_names() {
        assert_eq!(
            inline_format_args("{a} {{b}} {c:?} {0} {} {d.e}"),
            ["a", "c", "d"]
        );
    }
}
