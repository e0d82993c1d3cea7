//! Rule 1: in `jwt`, `user`, `account` and `profile` exist only on sign-in and `session`
//! only on an update, so they may be read only through a guard:
//!
//! - `if let Some(x) = user { .. }` (also in a `&&` let chain, and `while let`),
//! - `match user { Some(x) => .., .. }` (arms may have `if` guards),
//! - `let Some(x) = user else { .. };`.
//!
//! The scrutinee may be `user`, `&user`, `&mut user`, an `Option`-to-`Option` method of it
//! (`user.clone()`, `user.as_ref()`, `user.as_deref()`, `user.as_ref().map(..)`, ..) or a
//! tuple or array of these (`match (user, account) { (Some(u), Some(a)) => .. }`). The
//! pattern is read position by position: in every arm, the part matching the parameter must
//! be a `Some(..)` (also `Some { 0: .. }`, `&Some(..)`, `x @ Some(..)`, or-patterns of these)
//! or bind nothing (`_`, `..`, `None`); a name that binds the `Option` itself (`match user { Some(_) => .., u => .. }`, a `Some(..)` in
//! another position of a tuple) leaves it unguarded.
//!
//! Every other mention of the parameter is flagged: in the `else` branch, in a closure, in
//! a macro call, in a `macro_rules!` defined in the callback (its body resolves names where
//! it is defined), and inside the guarded block when the pattern bound another name. Macro
//! arguments are read as Rust where they can be: comma-separated expressions, `key: value`
//! (`target:`), `?x` / `%x`, `field = value` (a field name before the format string, a named
//! argument after it), statements; otherwise as tokens (every bare identifier counts). In
//! every macro, `{user}` (and a `user$` width or precision) in a string literal counts.
//! Raw identifiers (`r#user`) are the same names.
//! Not flagged: fields and methods (`token.user`), other names (`user_id`), nested items
//! other than `macro_rules!`, and the name after it is rebound (`let user = ..`,
//! `if let Some(user) = user`, closure parameters, match arms, `for` patterns).
//!
//! Longer than the ~500 lines a file gets: one `Visit` walker whose scope stack, pattern
//! reading and macro-argument reading belong together; its tests are in `user_scope/tests.rs`.

use proc_macro2::{Delimiter, Ident, Spacing, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::visit::{self, Visit};
use syn::{Block, Expr, LitStr, Pat};

use crate::ctxt::Ctxt;
use crate::model::Model;
use crate::spec::CallbackKind;

/// The `jwt` parameters that are `None` outside sign-in (or an update).
pub const GUARDED: &[&str] = &["user", "account", "profile", "session"];

/// Methods from `Option` to `Option`: a guard over `user.as_ref()` guards `user`.
const DERIVED: &[&str] = &[
    "clone",
    "cloned",
    "copied",
    "as_ref",
    "as_mut",
    "as_deref",
    "as_deref_mut",
    "take",
    "map",
    "and_then",
    "filter",
    "inspect",
];

pub fn check(cx: &Ctxt, model: &Model) {
    for cb in model.callbacks_of(CallbackKind::Jwt) {
        let tracked: Vec<String> = cb
            .params
            .iter()
            .map(|p| name_of(p.name))
            .filter(|p| GUARDED.contains(&p.as_str()))
            .collect();
        if tracked.is_empty() {
            continue;
        }
        for found in find_unguarded(&tracked, cb.body) {
            let name = name_of(&found);
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

/// An identifier's name without `r#`.
fn name_of(id: &Ident) -> String {
    id.unraw().to_string()
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

/// What one arm's pattern does with one position of the scrutinee.
#[derive(Clone, Copy)]
enum Sub<'p> {
    /// This sub-pattern matches the position.
    Pat(&'p Pat),
    /// The position is skipped (`..`, `_`).
    Inert,
    /// The position is bound as a whole (`t` matching a tuple, `rest @ ..`).
    Escapes,
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    /// Reads the value only through `Some(..)`.
    Guard,
    /// Binds nothing.
    Inert,
    /// Binds the `Option` itself.
    Escape,
}

impl Walker<'_> {
    fn is_live(&self, name: &str) -> bool {
        self.tracked.iter().any(|t| t == name)
            && !self.scopes.iter().any(|s| s.iter().any(|n| n == name))
    }

    fn check_ident(&mut self, id: &Ident) {
        if self.is_live(&name_of(id)) {
            self.found.push(id.clone());
        }
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

    /// A scrutinee matched by `subs` (one per arm): a parameter every arm reads only
    /// through `Some(..)` is not a use; anything else is visited normally.
    fn scrutinee(&mut self, expr: &Expr, subs: &[Sub<'_>]) {
        let expr = strip(expr);
        match expr {
            // a guarded parameter: not a use
            Expr::Path(_)
                if super::single_ident(expr).is_some_and(|id| self.is_live(&name_of(id)))
                    && guarded(subs) => {}
            Expr::Reference(r) => self.scrutinee(&r.expr, subs),
            Expr::MethodCall(m)
                if m.turbofish.is_none() && DERIVED.contains(&m.method.to_string().as_str()) =>
            {
                for arg in &m.args {
                    self.visit_expr(arg);
                }
                self.scrutinee(&m.receiver, subs);
            }
            Expr::Tuple(t) => {
                let n = t.elems.len();
                for (i, e) in t.elems.iter().enumerate() {
                    self.scrutinee(e, &project(subs, i, n, false));
                }
            }
            Expr::Array(a) => {
                let n = a.elems.len();
                for (i, e) in a.elems.iter().enumerate() {
                    self.scrutinee(e, &project(subs, i, n, true));
                }
            }
            other => self.visit_expr(other),
        }
    }

    /// The condition of `if` / `while`: `let` (possibly chained with `&&`) binds for the body.
    fn condition(&mut self, cond: &Expr) {
        match cond {
            Expr::Let(l) => {
                self.scrutinee(&l.expr, &[Sub::Pat(&l.pat)]);
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
        if mac.path.is_ident("macro_rules") {
            self.scan_tokens(mac.tokens.clone());
        } else if let Some(args) = macro_args(mac.tokens.clone()) {
            self.macro_arguments(&args);
        } else if let Ok(stmts) =
            syn::parse::Parser::parse2(Block::parse_within, mac.tokens.clone())
        {
            self.scoped(|w| {
                for s in &stmts {
                    if let syn::Stmt::Expr(Expr::Lit(l), _) = s
                        && let syn::Lit::Str(s) = &l.lit
                    {
                        w.format_string(s, &[]);
                    } else {
                        w.visit_stmt(s);
                    }
                }
            });
        } else {
            self.scan_tokens(mac.tokens.clone());
        }
    }

    fn macro_arguments(&mut self, args: &[Arg]) {
        let mut after_format = false;
        let mut named: Vec<String> = Vec::new();
        let mut formats = Vec::new();
        for arg in args {
            match arg {
                Arg::Format(s) => {
                    after_format = true;
                    formats.push(s);
                }
                // `format!("{user}", user = ..)` names an argument; `info!(user = ..)`
                // (before the format string) names a field: neither reads `user`.
                Arg::Field(name, value) => {
                    if after_format {
                        named.extend(name.clone());
                    }
                    self.visit_expr(value);
                }
                Arg::Value(e) => self.visit_expr(e),
            }
        }
        for s in formats {
            self.format_string(s, &named);
        }
    }

    fn format_string(&mut self, s: &LitStr, named: &[String]) {
        for name in inline_format_args(&s.value()) {
            if !named.contains(&name) && self.is_live(&name) {
                self.found.push(Ident::new(&name, s.span()));
            }
        }
    }

    /// Last resort for macro input that is not Rust syntax, and `macro_rules!` bodies: a bare
    /// identifier (not after `.`, `::` or `$`) and the names in string literals.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let mut after_path = false;
        let mut joint_colon = false;
        for tt in tokens {
            let colon = joint_colon;
            joint_colon = false;
            match tt {
                TokenTree::Ident(id) => {
                    if !after_path {
                        self.check_ident(&id);
                    }
                    after_path = false;
                }
                TokenTree::Group(g) => {
                    self.scan_tokens(g.stream());
                    after_path = false;
                }
                TokenTree::Punct(p) => {
                    let c = p.as_char();
                    after_path = c == '.' || c == '$' || (c == ':' && colon);
                    joint_colon = c == ':' && p.spacing() == Spacing::Joint;
                }
                TokenTree::Literal(lit) => {
                    if let Ok(s) = syn::parse2::<LitStr>(TokenTree::Literal(lit).into()) {
                        self.format_string(&s, &[]);
                    }
                    after_path = false;
                }
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
                    self.scrutinee(&init.expr, &[Sub::Pat(&local.pat)]);
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
        self.scrutinee(&e.expr, &[Sub::Pat(&e.pat)]);
    }

    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        let subs: Vec<Sub<'_>> = e.arms.iter().map(|a| Sub::Pat(arm_pat(a).0)).collect();
        self.scrutinee(&e.expr, &subs);
        for arm in &e.arms {
            let (pat, guard) = arm_pat(arm);
            self.scoped(|w| {
                w.bind(pat);
                if let Some(guard) = guard {
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
        {
            self.check_ident(id);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_tokens(mac);
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        // A nested `fn`/`const` cannot capture the callback's variables, but a
        // `macro_rules!` body resolves them where it is defined.
        if let syn::Item::Macro(m) = item
            && m.mac.path.is_ident("macro_rules")
        {
            self.scan_tokens(m.mac.tokens.clone());
        }
    }
}

/// An arm's pattern and its `if` guard (syn keeps the guard in the pattern, as
/// [`Pat::Guard`]).
fn arm_pat(arm: &syn::Arm) -> (&Pat, Option<&Expr>) {
    match &arm.pat {
        Pat::Guard(g) => (&g.pat, Some(&g.guard)),
        pat => (pat, None),
    }
}

/// Collects the names a pattern binds.
struct Bindings(Vec<String>);

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(name_of(&p.ident));
        if let Some((_, sub)) = &p.subpat {
            self.visit_pat(sub);
        }
    }

    // The expressions and types inside a pattern (an arm's guard, a range's bounds, the
    // length in a type ascription) bind nothing the code after the pattern sees.
    fn visit_expr(&mut self, _: &'ast Expr) {}

    fn visit_type(&mut self, _: &'ast syn::Type) {}
}

fn is_some_path(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "Some")
}

/// How a pattern matching an `Option` parameter treats it.
fn classify(pat: &Pat) -> Class {
    match pat {
        Pat::Paren(p) => classify(&p.pat),
        Pat::Reference(r) => classify(&r.pat),
        Pat::Type(t) => classify(&t.pat),
        Pat::TupleStruct(p) if is_some_path(&p.path) => Class::Guard,
        Pat::Struct(p) if is_some_path(&p.path) => Class::Guard,
        // `x @ Some(..)` binds an `Option` known to be `Some`.
        Pat::Ident(p) => match &p.subpat {
            Some((_, sub)) if classify(sub) == Class::Guard => Class::Guard,
            None if p.by_ref.is_none() && p.mutability.is_none() && p.ident == "None" => {
                Class::Inert
            }
            _ => Class::Escape,
        },
        Pat::Wild(_) | Pat::Rest(_) | Pat::Path(_) | Pat::Lit(_) | Pat::Range(_) => Class::Inert,
        Pat::Or(o) => {
            let cases: Vec<Class> = o.cases.iter().map(classify).collect();
            if cases.contains(&Class::Escape) {
                Class::Escape
            } else if cases.iter().all(|c| *c == Class::Guard) {
                Class::Guard
            } else {
                Class::Inert
            }
        }
        _ => Class::Escape,
    }
}

/// Whether the arms read a parameter only through `Some(..)` (or not at all).
fn guarded(subs: &[Sub<'_>]) -> bool {
    let classes: Vec<Class> = subs
        .iter()
        .map(|s| match s {
            Sub::Pat(p) => classify(p),
            Sub::Inert => Class::Inert,
            Sub::Escapes => Class::Escape,
        })
        .collect();
    !classes.contains(&Class::Escape)
}

/// The sub-patterns matching position `i` of a tuple (or, with `slice`, an array) of `n`.
fn project<'p>(subs: &[Sub<'p>], i: usize, n: usize, slice: bool) -> Vec<Sub<'p>> {
    let mut out = Vec::new();
    for sub in subs {
        match sub {
            Sub::Pat(p) => project_pat(p, i, n, slice, &mut out),
            other => out.push(*other),
        }
    }
    out
}

fn project_pat<'p>(pat: &'p Pat, i: usize, n: usize, slice: bool, out: &mut Vec<Sub<'p>>) {
    match pat {
        Pat::Paren(p) => project_pat(&p.pat, i, n, slice, out),
        Pat::Reference(r) => project_pat(&r.pat, i, n, slice, out),
        Pat::Type(t) => project_pat(&t.pat, i, n, slice, out),
        Pat::Or(o) => {
            for case in &o.cases {
                project_pat(case, i, n, slice, out);
            }
        }
        Pat::Tuple(t) if !slice => out.push(align(t.elems.iter().collect(), i, n)),
        Pat::Slice(s) if slice => out.push(align(s.elems.iter().collect(), i, n)),
        Pat::Wild(_) => out.push(Sub::Inert),
        _ => out.push(Sub::Escapes),
    }
}

/// Position `i` of `n` in a tuple or slice pattern, with at most one `..`.
fn align(elems: Vec<&Pat>, i: usize, n: usize) -> Sub<'_> {
    let is_rest = |p: &Pat| match p {
        Pat::Rest(_) => true,
        Pat::Ident(id) => matches!(&id.subpat, Some((_, sub)) if matches!(**sub, Pat::Rest(_))),
        _ => false,
    };
    let Some(r) = elems.iter().position(|p| is_rest(p)) else {
        return if elems.len() == n {
            elems.get(i).map_or(Sub::Escapes, |p| Sub::Pat(p))
        } else {
            Sub::Escapes
        };
    };
    let after = elems.len() - r - 1;
    if i < r {
        Sub::Pat(elems[i])
    } else if i + after >= n && n >= after {
        elems
            .get(r + 1 + (i + after - n))
            .map_or(Sub::Escapes, |p| Sub::Pat(p))
    } else if matches!(elems[r], Pat::Rest(_)) {
        Sub::Inert
    } else {
        // `rest @ ..` binds the skipped positions
        Sub::Escapes
    }
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

/// One top-level, comma-separated argument of a macro call.
enum Arg {
    /// A string literal (a format string in the format-like macros).
    Format(LitStr),
    /// `name = value`, `a.b = ?value`, `"name" = %value`: the name is not a read.
    Field(Option<String>, Expr),
    /// An expression, also after `key:` (`target:`, `parent:`) or `?` / `%`.
    Value(Expr),
}

/// The arguments of a macro call, when every one reads as an [`Arg`].
fn macro_args(tokens: TokenStream) -> Option<Vec<Arg>> {
    let mut pieces: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tt in tokens {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => pieces.push(Vec::new()),
            TokenTree::Punct(p) if p.as_char() == ';' => return None,
            _ => pieces.last_mut()?.push(tt),
        }
    }
    if pieces.last().is_some_and(Vec::is_empty) {
        pieces.pop();
    }
    pieces.into_iter().map(arg).collect()
}

fn expr_of(tokens: &[TokenTree]) -> Option<Expr> {
    let tokens = match tokens.first() {
        Some(TokenTree::Punct(p)) if p.as_char() == '?' || p.as_char() == '%' => &tokens[1..],
        _ => tokens,
    };
    syn::parse2(tokens.iter().cloned().collect()).ok()
}

fn is_punct(tt: Option<&TokenTree>, c: char) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn arg(piece: Vec<TokenTree>) -> Option<Arg> {
    if let [TokenTree::Literal(lit)] = piece.as_slice()
        && let Ok(s) = syn::parse2::<LitStr>(TokenTree::Literal(lit.clone()).into())
    {
        return Some(Arg::Format(s));
    }
    // `target: expr`, `parent: expr`, `name: expr`
    if let (Some(TokenTree::Ident(_)), Some(TokenTree::Punct(p))) = (piece.first(), piece.get(1))
        && p.as_char() == ':'
        && p.spacing() == Spacing::Alone
    {
        return expr_of(&piece[2..]).map(Arg::Value);
    }
    if is_punct(piece.first(), '?') || is_punct(piece.first(), '%') {
        return expr_of(&piece).map(Arg::Value);
    }
    // `field = value`: a single `=` (not `==`, `<=`, `=>`) after a field name
    let eq = piece.iter().enumerate().position(|(k, tt)| {
        matches!(tt, TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == Spacing::Alone)
            && !matches!(k.checked_sub(1).and_then(|j| piece.get(j)), Some(TokenTree::Punct(q)) if q.spacing() == Spacing::Joint)
    });
    if let Some(k) = eq
        && let Some(name) = field_name(&piece[..k])
    {
        return expr_of(&piece[k + 1..]).map(|e| Arg::Field(name, e));
    }
    syn::parse2(piece.into_iter().collect())
        .ok()
        .map(Arg::Value)
}

/// A field name: `a`, `a.b.c` or `"a b"` (`Some(name)` only for a single identifier, which
/// a format string can name).
#[allow(clippy::option_option)]
fn field_name(tokens: &[TokenTree]) -> Option<Option<String>> {
    match tokens {
        [TokenTree::Ident(id)] => Some(Some(name_of(id))),
        [TokenTree::Literal(_)] => Some(None),
        [TokenTree::Ident(_), rest @ ..] => {
            let dotted = rest.chunks(2).all(
                |c| matches!(c, [TokenTree::Punct(p), TokenTree::Ident(_)] if p.as_char() == '.'),
            );
            dotted.then_some(None)
        }
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::None => {
            field_name(&g.stream().into_iter().collect::<Vec<_>>())
        }
        _ => None,
    }
}

/// The identifiers a format string reads inline: `{user}`, `{user:?}`, `{:user$}`,
/// `{:.user$}`, `{user.name}` (invalid in Rust, but still a mention).
fn inline_format_args(s: &str) -> Vec<String> {
    let ident = |s: &str| -> Option<String> {
        let s = s.trim();
        let s = s.strip_prefix("r#").unwrap_or(s);
        let name: String = s
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        name.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            .then_some(name)
    };
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
        let inner: String = chars.by_ref().take_while(|c| *c != '}').collect();
        let (arg, spec) = inner.split_once(':').unwrap_or((&inner, ""));
        out.extend(ident(arg));
        // `name$` in the width or precision
        let mut rest = spec;
        while let Some(end) = rest.find('$') {
            let before = &rest[..end];
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |k| k + 1);
            out.extend(ident(&before[start..]));
            rest = &rest[end + 1..];
        }
    }
    out
}

#[cfg(test)]
mod tests;
