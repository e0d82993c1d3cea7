//! Error accumulation (serde_derive's `Ctxt`): every stage records its errors here and
//! carries on, so one compile shows every problem of an invocation. A `Ctxt` must end in
//! [`Ctxt::check`]; dropping it unchecked panics, so no error is ever silently lost.

use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

use quote::ToTokens;

/// Collects the errors of one `auth!` invocation.
pub struct Ctxt {
    /// `None` once [`Ctxt::check`] took them.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error on the range of `tokens` (from their first to their last token),
    /// with a `help:` line.
    pub fn error_spanned_by<T: ToTokens>(&self, tokens: T, msg: impl Display, help: impl Display) {
        self.push(syn::Error::new_spanned(
            tokens.into_token_stream(),
            format!("{msg}\n\nhelp: {help}"),
        ));
    }

    /// Records a parse error as it is (keeping its span), with a `help:` line.
    pub fn syn_error(&self, error: syn::Error, help: impl Display) {
        for e in error {
            self.push(syn::Error::new(e.span(), format!("{e}\n\nhelp: {help}")));
        }
    }

    /// Records "unknown `what` `name`" on `tokens` (`what` may hold a `{}` for the name, as
    /// in "parameter {} of `jwt`") with a "did you mean" help when a candidate is close.
    pub fn unknown<T: ToTokens>(
        &self,
        tokens: T,
        what: &str,
        name: &str,
        candidates: &[&str],
        context: &str,
    ) {
        let list = backticked(candidates);
        let help = match did_you_mean(name, candidates) {
            Some(best) => format!("did you mean `{best}`? {context}: {list}"),
            None => format!("{context}: {list}"),
        };
        let quoted = format!("`{name}`");
        let msg = if what.contains("{}") {
            format!("unknown {}", what.replace("{}", &quoted))
        } else {
            format!("unknown {what} {quoted}")
        };
        self.error_spanned_by(tokens, msg, help);
    }

    /// All recorded errors combined into one, or `Ok` when there are none.
    pub fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for e in errors {
            first.combine(e);
        }
        Err(first)
    }

    /// The first line of each error, in order (for the checker's unit tests).
    #[cfg(test)]
    pub fn headlines(self) -> Vec<String> {
        self.check()
            .err()
            .into_iter()
            .flatten()
            .map(|e| e.to_string().lines().next().unwrap_or_default().to_owned())
            .collect()
    }

    fn push(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !thread::panicking() && self.errors.borrow().is_some() {
            panic!("auth-macros: a Ctxt was dropped without `check()`; its errors would be lost");
        }
    }
}

/// `` `a`, `b`, `c` ``.
pub fn backticked<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance (names here are short; O(n*m) is fine).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate, if it is close enough to be a likely typo
/// (same name up to case and `_`, or at most a third of its letters off).
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let n = normalize(name);
    candidates
        .iter()
        .map(|c| {
            let cn = normalize(c);
            (edit_distance(&n, &cn), cn.chars().count(), *c)
        })
        .filter(|(d, len, _)| *d <= (*len / 3).max(1))
        .min_by_key(|(d, _, _)| *d)
        .map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn suggestions() {
        let cbs = ["sign_in", "jwt", "session", "redirect"];
        assert_eq!(did_you_mean("signIn", &cbs), Some("sign_in"));
        assert_eq!(did_you_mean("sesion", &cbs), Some("session"));
        assert_eq!(did_you_mean("jwtt", &cbs), Some("jwt"));
        assert_eq!(did_you_mean("authorize", &cbs), None);
        let providers = ["Credentials", "GitHub", "Google", "Oidc", "OAuth"];
        assert_eq!(did_you_mean("Github", &providers), Some("GitHub"));
        assert_eq!(did_you_mean("Gitub", &providers), Some("GitHub"));
        assert_eq!(did_you_mean("Facebook", &providers), None);
    }

    #[test]
    fn collects_every_error_in_order() {
        let cx = Ctxt::new();
        cx.error_spanned_by(quote!(a b), "first", "do this");
        cx.unknown(
            quote!(jwtt),
            "strategy",
            "jwtt",
            &["jwt", "database"],
            "use",
        );
        let messages: Vec<String> = cx
            .check()
            .err()
            .into_iter()
            .flatten()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            messages,
            [
                "first\n\nhelp: do this",
                "unknown strategy `jwtt`\n\nhelp: did you mean `jwt`? use: `jwt`, `database`"
            ]
        );
    }

    #[test]
    fn a_checked_context_without_errors_is_ok() {
        assert!(Ctxt::new().check().is_ok());
    }

    #[test]
    #[should_panic(expected = "dropped without `check()`")]
    fn dropping_unchecked_panics() {
        let cx = Ctxt::new();
        cx.error_spanned_by(quote!(x), "lost", "never");
    }
}
