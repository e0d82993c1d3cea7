//! The request, parsed: the action and provider of the path, the query and the body.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::Reply;

/// The largest request body the flow reads (credentials, session updates); a larger one
/// is answered `413`.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// `X-Auth-Return-Redirect`: the caller wants a redirect as `200 {"url": ..}`.
pub(crate) static RETURN_REDIRECT: HeaderName = HeaderName::from_static("x-auth-return-redirect");

/// The request, parsed: action, provider, query, body.
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) action: Action,
    pub(crate) provider: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Body,
    /// The caller reads JSON rather than pages: a JSON body, `X-Auth-Return-Redirect`, or
    /// an `Accept` naming `application/json` and not `text/html`.
    pub(crate) wants_json: bool,
}

impl Req {
    /// Parses a request under `base` (the base path). A request the flow does not serve
    /// is answered here: a method other than GET and POST `400`, a path outside the base
    /// path `404`, an unknown action `400`, a known one with the wrong method `405` (with
    /// `Allow`), a body over [`MAX_BODY_BYTES`] `413`. (Boxed: the answer is large, and
    /// built only for a refused request.)
    pub(crate) fn parse(
        base: &str,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Result<Req, Box<Reply>> {
        let method = parts.method.clone();
        if method != Method::GET && method != Method::POST {
            tracing::debug!(method = %method, "method not supported");
            return Err(Box::new(Reply::bad_request(
                StatusCode::BAD_REQUEST,
                "UnknownAction",
                "only GET and POST requests are supported",
            )));
        }
        let rest = match parts.uri.path().strip_prefix(base) {
            Some(rest) if rest.starts_with('/') => rest,
            _ => {
                return Err(Box::new(Reply::bad_request(
                    StatusCode::NOT_FOUND,
                    "UnknownAction",
                    &format!("not an auth route; the auth routes are under `{base}/`"),
                )));
            }
        };
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let unknown = || {
            Reply::bad_request(
                StatusCode::BAD_REQUEST,
                "UnknownAction",
                "unknown auth action; expected csrf, providers, session, signin[/provider], callback/provider, signout, verify-request, error or webauthn-options/provider",
            )
        };
        let (action, provider) = match segments.as_slice() {
            [a] => match Action::parse(a) {
                Some(a) => (a, None),
                None => return Err(Box::new(unknown())),
            },
            [a, p] => match Action::parse(a) {
                Some(a @ (Action::SignIn | Action::Callback | Action::WebauthnOptions)) => {
                    (a, Some((*p).to_owned()))
                }
                Some(Action::Totp) if matches!(*p, "verify" | "enroll") => {
                    (Action::Totp, Some((*p).to_owned()))
                }
                _ => return Err(Box::new(unknown())),
            },
            _ => return Err(Box::new(unknown())),
        };

        let allowed: &[Method] = match (action, &provider) {
            (Action::Csrf | Action::Providers | Action::Error | Action::VerifyRequest, _) => {
                &[Method::GET]
            }
            (Action::Session | Action::SignOut, _) => &[Method::GET, Method::POST],
            (Action::SignIn, None) => &[Method::GET],
            (Action::SignIn, Some(_)) => &[Method::POST],
            (Action::Callback, None) => return Err(Box::new(unknown())),
            (Action::Callback, Some(_)) => &[Method::GET, Method::POST],
            (Action::WebauthnOptions, None) => return Err(Box::new(unknown())),
            (Action::WebauthnOptions, Some(_)) => &[Method::GET],
            (Action::Totp, None) => return Err(Box::new(unknown())),
            (Action::Totp, Some(_)) => &[Method::GET, Method::POST],
        };
        if !allowed.contains(&method) {
            let allow = allowed
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            let mut reply = Reply::bad_request(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                &format!("{method} is not supported on {base}{rest}; use {allow}"),
            );
            if let Ok(v) = HeaderValue::from_str(&allow) {
                reply.headers.insert(http::header::ALLOW, v);
            }
            return Err(Box::new(reply));
        }

        if body.len() > MAX_BODY_BYTES {
            return Err(Box::new(Reply::bad_request(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PayloadTooLarge",
                &format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            )));
        }
        let body = if method == Method::POST {
            Body::parse(&parts.headers, body)
        } else {
            Body::default()
        };
        let wants_json = body.json.is_some() || wants_json(&parts.headers);
        Ok(Req {
            method,
            action,
            provider,
            query: parse_query(&parts.uri),
            body,
            wants_json,
        })
    }
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `callbackUrl` from the body, else the query (Auth.js: `body?.callbackUrl ?? query?.callbackUrl`).
    pub(crate) fn callback_url_param(&self) -> Option<&str> {
        self.body
            .get("callbackUrl")
            .or_else(|| self.query("callbackUrl"))
            .filter(|s| !s.is_empty())
    }
}

/// The actions Auth.js serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Csrf,
    Providers,
    Session,
    SignIn,
    Callback,
    SignOut,
    Error,
    /// `webauthn-options/:provider`: a passkey ceremony's options (Auth.js's).
    WebauthnOptions,
    /// `totp/verify` and `totp/enroll`: the second factor (not Auth.js; feature `totp`).
    Totp,
    /// `GET /verify-request`: "check your e-mail" after a sign-in link was sent.
    VerifyRequest,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "csrf" => Action::Csrf,
            "providers" => Action::Providers,
            "session" => Action::Session,
            "signin" => Action::SignIn,
            "callback" => Action::Callback,
            "signout" => Action::SignOut,
            "error" => Action::Error,
            "webauthn-options" => Action::WebauthnOptions,
            "totp" => Action::Totp,
            "verify-request" => Action::VerifyRequest,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Action::Csrf => "csrf",
            Action::Providers => "providers",
            Action::Session => "session",
            Action::SignIn => "signin",
            Action::Callback => "callback",
            Action::SignOut => "signout",
            Action::Error => "error",
            Action::WebauthnOptions => "webauthn-options",
            Action::Totp => "totp",
            Action::VerifyRequest => "verify-request",
        }
    }
}

/// A parsed request body (form or JSON); `None` fields when absent.
#[derive(Debug, Default)]
pub(crate) struct Body {
    /// String fields in order (JSON strings, numbers and booleans as text).
    pub(crate) fields: Vec<(String, String)>,
    /// The JSON document, when the body was JSON.
    pub(crate) json: Option<serde_json::Value>,
    /// A form's pairs as sent, repeated names kept: the OAuth `form_post` callback refuses
    /// a repeated `state` or `code` here as it does in a query. (For JSON, `fields`.)
    #[cfg_attr(not(feature = "oauth"), allow(dead_code))]
    pub(crate) pairs: Vec<(String, String)>,
}

/// `X-Auth-Return-Redirect`, or an `Accept` naming `application/json` and not `text/html`.
fn wants_json(headers: &HeaderMap) -> bool {
    if headers.contains_key(&RETURN_REDIRECT) {
        return true;
    }
    let accept = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    accept.contains("application/json") && !accept.contains("text/html")
}

impl Body {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn parse(headers: &HeaderMap, bytes: &[u8]) -> Body {
        let ct = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ct.contains("application/json") {
            let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
                tracing::debug!("request body is not valid JSON; ignored");
                return Body::default();
            };
            let mut fields = Vec::new();
            if let serde_json::Value::Object(map) = &value {
                for (k, v) in map {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        _ => continue,
                    };
                    fields.push((k.clone(), text));
                }
            }
            Body {
                pairs: fields.clone(),
                fields,
                json: Some(value),
            }
        } else if ct.contains("application/x-www-form-urlencoded") {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            Body {
                fields: last_wins(pairs.clone()),
                json: None,
                pairs,
            }
        } else {
            Body::default()
        }
    }
}

/// URLSearchParams -> Object.fromEntries: the last value of a name wins, in the order of
/// the last occurrences. Linear in the number of pairs (one hash lookup each), so a 64 KiB
/// form of 17,000 distinct names costs no more than reading it.
fn last_wins<K: Eq + std::hash::Hash, V>(pairs: Vec<(K, V)>) -> Vec<(K, V)> {
    let mut last = std::collections::HashMap::with_capacity(pairs.len());
    for (i, (k, _)) in pairs.iter().enumerate() {
        last.insert(k, i);
    }
    let keep: Vec<bool> = pairs
        .iter()
        .enumerate()
        .map(|(i, (k, _))| last.get(k) == Some(&i))
        .collect();
    drop(last);
    pairs
        .into_iter()
        .zip(keep)
        .filter_map(|(pair, keep)| keep.then_some(pair))
        .collect()
}

fn parse_query(uri: &http::Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::hash::{Hash, Hasher};

    use proptest::prelude::*;

    use super::*;

    thread_local! {
        /// Hashes and comparisons of [`Counted`] keys.
        static WORK: Cell<usize> = const { Cell::new(0) };
    }

    /// A key that counts the work done on it.
    struct Counted(String);

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            WORK.with(|w| w.set(w.get() + 1));
            self.0 == other.0
        }
    }
    impl Eq for Counted {}
    impl Hash for Counted {
        fn hash<H: Hasher>(&self, state: &mut H) {
            WORK.with(|w| w.set(w.get() + 1));
            self.0.hash(state);
        }
    }

    /// The rule as Auth.js states it, for comparison.
    fn reference(pairs: &[(String, u32)]) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = Vec::new();
        for (k, v) in pairs {
            out.retain(|(n, _)| n != k);
            out.push((k.clone(), *v));
        }
        out
    }

    #[test]
    fn a_64k_form_of_distinct_names_is_parsed_in_linear_work() {
        let n = 17_000;
        let pairs: Vec<(Counted, usize)> = (0..n).map(|i| (Counted(format!("f{i}")), i)).collect();
        WORK.with(|w| w.set(0));
        let out = last_wins(pairs);
        let work = WORK.with(Cell::get);
        assert_eq!(out.len(), n);
        assert!(
            work <= 4 * n,
            "{work} hashes and comparisons for {n} fields"
        );
    }

    #[test]
    fn form_bodies_keep_the_last_value() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let body = Body::parse(&headers, b"a=1&b=2&a=3&c=4&b=5");
        let fields: Vec<(&str, &str)> = body
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(fields, [("a", "3"), ("c", "4"), ("b", "5")]);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever the names (distinct or repeated), the work is at most a constant times
        /// the number of fields, and the result is the last-value-wins rule.
        #[test]
        fn form_parsing_stays_linear(names in proptest::collection::vec("[a-z]{1,3}", 0..1000)) {
            let pairs: Vec<(String, u32)> = names.iter().cloned().zip(0..).collect();
            let counted: Vec<(Counted, u32)> = pairs.iter().map(|(k, v)| (Counted(k.clone()), *v)).collect();
            WORK.with(|w| w.set(0));
            let out = last_wins(counted);
            let work = WORK.with(Cell::get);
            prop_assert!(work <= 4 * pairs.len() + 4, "{} for {}", work, pairs.len());
            let out: Vec<(String, u32)> = out.into_iter().map(|(k, v)| (k.0, v)).collect();
            prop_assert_eq!(out, reference(&pairs));
        }
    }
}
