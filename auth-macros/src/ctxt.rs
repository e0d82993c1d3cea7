//! Error accumulation (in the spirit of serde_derive's `Ctxt`): every stage records its
//! errors here and carries on, so one compile shows every problem of an invocation.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;

/// Collects the errors of one `auth!` invocation.
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Vec::new()),
        }
    }

    /// Records an error with a `help:` line.
    pub fn error(&self, span: Span, msg: impl Display, help: impl Display) {
        self.errors
            .borrow_mut()
            .push(syn::Error::new(span, format!("{msg}\n\nhelp: {help}")));
    }

    /// Records "unknown `what` `name`" (`what` may hold a `{}` for the name, as in
    /// "parameter {} of `jwt`") with a "did you mean" help when a candidate is close.
    pub fn unknown(&self, span: Span, what: &str, name: &str, candidates: &[&str], context: &str) {
        let list = candidates
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
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
        self.error(span, msg, help);
    }

    /// All recorded errors combined into one, or `Ok` when there are none.
    pub fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.into_inner().into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for e in errors {
            first.combine(e);
        }
        Err(first)
    }
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
}
