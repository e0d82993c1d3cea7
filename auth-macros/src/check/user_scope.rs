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
        let subs: Vec<Sub<'_>> = e.arms.iter().map(|a| Sub::Pat(&a.pat)).collect();
        self.scrutinee(&e.expr, &subs);
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

/// Collects the names a pattern binds.
struct Bindings(Vec<String>);

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(name_of(&p.ident));
        if let Some((_, sub)) = &p.subpat {
            self.visit_pat(sub);
        }
    }
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
    fn raw_identifiers_are_the_same_names() {
        let body: Block = parse_quote!({
            drop(r#user);
            if let Some(r#account) = account {
                drop(account);
            }
            token
        });
        assert_eq!(flagged(body), ["r#user"]);
    }

    #[test]
    fn tuple_positions_are_matched_one_by_one() {
        let body: Block = parse_quote!({
            match (user, account) {
                (x, Some(a)) => drop((x, a)),
                _ => {}
            }
            if let (Some(u), p) = (&user, &profile) {}
            if let [Some(a), b] = [user.clone(), account.clone()] {}
            match (user, account) {
                (Some(u), _) => {}
                t => drop(t),
            }
            match (user, 1, account) {
                (Some(u), ..) => {}
                (.., Some(a)) => {}
                _ => {}
            }
            token
        });
        assert_eq!(
            flagged(body),
            ["user", "profile", "account", "user", "account"]
        );
    }

    #[test]
    fn derived_scrutinees_and_arm_forms_are_guards() {
        let body: Block = parse_quote!({
            if let Some(u) = user.clone() {}
            if let Some(u) = user.as_deref() {}
            if let Some(id) = user.as_ref().map(|u| u.id.clone()) {}
            match user.as_ref() {
                Some(u) if u.id.is_empty() => {}
                Some(ref u) => {}
                x @ Some(_) => {}
                Some(User { id, .. }) | None => {}
                Option::Some { 0: u } => {}
                None => {}
            }
            let Some(User { id, .. }) = user.clone() else {
                return token;
            };
            if let (Some(u), ..) = (&user, &account) {}
            token
        });
        assert_eq!(flagged(body), Vec::<String>::new());
    }

    #[test]
    fn a_name_binding_the_option_in_another_arm_is_flagged() {
        let body: Block = parse_quote!({
            match user {
                Some(_) => {}
                other => drop(other),
            }
            if let Some(u) = user.unwrap_or_default().into() {}
            token
        });
        assert_eq!(flagged(body), ["user", "user"]);
    }

    #[test]
    fn macro_rules_bodies_are_read() {
        let body: Block = parse_quote!({
            macro_rules! leak {
                ($x:expr) => {
                    user.map(|u| $x)
                };
            }
            if let Some(user) = user {
                macro_rules! fine {
                    () => {
                        user.id
                    };
                }
            }
            token
        });
        assert_eq!(flagged(body), ["user"]);
    }

    #[test]
    fn tracing_and_log_forms_are_read() {
        let body: Block = parse_quote!({
            tracing::info!(target: "auth", "{user:?}");
            tracing::info!(?account);
            tracing::info!(%profile, "signed in");
            tracing::info!(session = ?session);
            log::log!(log::Level::Info, "{user:?}");
            log::info!(a = 1; "{account:?}");
            format!("{:>user$}", 1);
            token
        });
        assert_eq!(
            flagged(body),
            [
                "user", "account", "profile", "session", "user", "account", "user"
            ]
        );
    }

    #[test]
    fn field_names_in_macros_are_not_reads() {
        let body: Block = parse_quote!({
            tracing::info!(user = %token.sub, user.id = 1, "signed in");
            tracing::info!(target: "auth", account = 1, "{}", token.sub);
            format!("{user}", user = 1);
            token
        });
        assert!(flagged(body).is_empty());
    }

    #[test]
    fn format_string_names() {
        assert_eq!(
            inline_format_args("{a} {{b}} {c:?} {0} {} {d.e}"),
            ["a", "c", "d"]
        );
    }

    #[test]
    fn format_spec_names() {
        assert_eq!(
            inline_format_args("{:>w$} {x:.p$} {:1$} {r#user}"),
            ["w", "x", "p", "user"]
        );
    }

    /// A generated corpus: every guard shape around every misuse shape, nested, with the
    /// expected verdict computed from the shapes.
    mod generated {
        use super::*;
        use proptest::prelude::*;

        const PARAMS: &[&str] = &["user", "account", "profile", "session"];

        /// Scrutinee forms over parameter `p` that guard it.
        fn scrutinee(p: &str, k: usize) -> String {
            [
                p.to_owned(),
                format!("&{p}"),
                format!("{p}.clone()"),
                format!("{p}.as_ref()"),
                format!("{p}.as_deref()"),
                format!("({p}).as_ref().cloned()"),
                format!("r#{p}"),
                format!("{p}.as_ref().map(|x| x.clone())"),
            ][k % 8]
                .clone()
        }

        /// Wraps `inner` in a guard of `p` binding `b`.
        fn guard(p: &str, b: &str, k: usize, s: usize, inner: &str) -> String {
            let e = scrutinee(p, s);
            match k % 9 {
                0 => format!("if let Some({b}) = {e} {{ {inner} }}"),
                1 => format!("if let Some(ref {b}) = {e} {{ {inner} }}"),
                2 => format!(
                    "match {e} {{ Some({b}) if true => {{ {inner} }} Some(_) => {{}} None => {{}} }}"
                ),
                3 => format!("match {e} {{ Some({b}) => {{ {inner} }} _ => {{}} }}"),
                4 => format!("{{ let Some({b}) = {e} else {{ return token; }}; {inner} }}"),
                5 => format!("match ({e}, 1) {{ (Some({b}), _) => {{ {inner} }} _ => {{}} }}"),
                6 => format!("if let (.., Some({b})) = (0, {e}) {{ {inner} }}"),
                7 => format!("if true && let Some({b}) = {e} {{ {inner} }}"),
                _ => format!("while let Some({b} @ _) = {e} {{ {inner} break; }}"),
            }
        }

        /// A statement that reads `p` (flagged unless `p` is rebound).
        fn misuse(p: &str, k: usize) -> String {
            match k % 12 {
                0 => format!("drop({p});"),
                1 => format!("drop(r#{p});"),
                2 => format!("println!(\"{{{p}:?}}\");"),
                3 => format!("tracing::info!(target: \"t\", \"{{{p}:?}}\");"),
                4 => format!("tracing::info!(?{p});"),
                5 => format!("tracing::info!(%{p}, \"x\");"),
                6 => format!("log::log!(Level::Info, \"{{{p}:?}}\");"),
                7 => format!("macro_rules! m {{ () => {{ {p}.is_some() }}; }}"),
                8 => format!("let f = || {p}.is_some();"),
                9 => format!("match ({p}, account) {{ (x, Some(a)) => {{}} _ => {{}} }}"),
                10 => format!("if let x = {p} {{}}"),
                _ => format!("tracing::info!(x = ?{p});"),
            }
        }

        /// A statement that reads nothing tracked.
        fn harmless(b: &str, k: usize) -> String {
            match k % 5 {
                0 => format!("drop({b});"),
                1 => format!("tracing::info!(user = %{b}.len(), \"{{}}\", 1);"),
                2 => "format!(\"{user}\", user = 1);".to_owned(),
                3 => format!("let x = token.{b};"),
                _ => "let user_id = 1;".to_owned(),
            }
        }

        #[derive(Debug, Clone)]
        struct Shape {
            /// (param, binding is the param itself, guard form, scrutinee form) from outside in.
            guards: Vec<(usize, bool, usize, usize)>,
            /// (param, misuse form, misuse or harmless)
            leaf: (usize, usize, bool),
        }

        fn render(shape: &Shape) -> (String, usize) {
            let (lp, lk, bad) = shape.leaf;
            let p = PARAMS[lp];
            let mut code = if bad {
                misuse(p, lk)
            } else {
                harmless("u", lk)
            };
            for (i, (gp, same, gk, gs)) in shape.guards.iter().enumerate().rev() {
                let gp = PARAMS[*gp];
                let b = if *same {
                    gp.to_owned()
                } else {
                    format!("u{i}")
                };
                // the leaf's harmless form reads `u`
                code = format!("let u = 1; {}", guard(gp, &b, *gk, *gs, &code));
            }
            let shadowed = shape
                .guards
                .iter()
                .any(|(gp, same, _, _)| *same && PARAMS[*gp] == p);
            let expected = usize::from(bad && !shadowed);
            (format!("{{ {code} token }}"), expected)
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]
            #[test]
            fn guards_and_misuses(
                guards in proptest::collection::vec((0..4usize, any::<bool>(), 0..9usize, 0..8usize), 0..4),
                leaf in (0..4usize, 0..12usize, any::<bool>()),
            ) {
                let shape = Shape { guards, leaf };
                let (code, expected) = render(&shape);
                let body: Block = syn::parse_str(&code).map_err(|e| TestCaseError::fail(format!("{e}: {code}")))?;
                let found = flagged(body);
                let want: Vec<&str> = std::iter::repeat_n(PARAMS[shape.leaf.0], expected).collect();
                let found: Vec<String> = found.iter().map(|f| f.trim_start_matches("r#").to_owned()).collect();
                prop_assert_eq!(found, want, "{}", code);
            }
        }
    }
}
