//! What an endpoint answers ([`Reply`]) and how it becomes the response.

use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, EXPIRES, LOCATION, PRAGMA, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::cookies::SetCookie;

/// The `Content-Security-Policy` of the built-in pages: no script, no fetch, no frame, an
/// inline `<style>` and forms posting back to the site.
pub(crate) const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PAGE_CSP_OAUTH_HTTPS: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'";
const PAGE_CSP_OAUTH_HTTP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'";

/// What an endpoint answers, before the `X-Auth-Return-Redirect` rewrite.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) cookies: Vec<SetCookie>,
    pub(crate) body: Bytes,
    pub(crate) redirect: Option<String>,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Reply {
        Reply::json_bytes(
            status,
            serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec()),
        )
    }

    /// A JSON answer already written (`body` is JSON).
    pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Reply {
            status,
            headers,
            cookies: Vec::new(),
            body: Bytes::from(body),
            redirect: None,
        }
    }

    /// Auth.js's `Cache-Control: private, no-cache, no-store`, `Expires: 0`, `Pragma: no-cache`.
    pub(crate) fn no_store(mut self) -> Reply {
        self.headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, no-store"),
        );
        self.headers.insert(EXPIRES, HeaderValue::from_static("0"));
        self.headers
            .insert(PRAGMA, HeaderValue::from_static("no-cache"));
        self
    }

    /// A built-in page. The sign-in and sign-out pages carry the CSRF token, so no page is
    /// cached (`no_store`), framed (`X-Frame-Options: DENY`, `frame-ancestors 'none'`) or
    /// allowed anything but its inline style and forms posting back ([`PAGE_CSP`]).
    pub(crate) fn html(status: StatusCode, html: String) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
        Reply {
            status,
            headers,
            cookies: Vec::new(),
            body: Bytes::from(html),
            redirect: None,
        }
        .no_store()
    }

    /// A page whose forms also start OAuth sign-ins: `POST /signin/:provider` answers a
    /// redirect to the provider, which `form-action 'self'` would block in the browser, so
    /// the form may lead to any `https:` origin (and `http:` on a site served over `http:`,
    /// as in development, where a local provider is common).
    pub(crate) fn allowing_oauth_forms(mut self, secure: bool) -> Reply {
        let csp = if secure {
            PAGE_CSP_OAUTH_HTTPS
        } else {
            PAGE_CSP_OAUTH_HTTP
        };
        self.headers
            .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
        self
    }

    /// A page carrying [`crate::pages::PASSKEY_SCRIPT`]: the script is allowed by its hash
    /// (`script-src 'sha256-..'`, no other script) and may fetch the passkey options from
    /// the site (`connect-src 'self'`).
    pub(crate) fn allowing_passkey_script(mut self) -> Reply {
        let csp = self
            .headers
            .get(CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(PAGE_CSP)
            .to_owned();
        let csp = format!(
            "{csp}; script-src {}; connect-src 'self'",
            crate::pages::passkey_script_csp()
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            self.headers.insert(CONTENT_SECURITY_POLICY, v);
        }
        self
    }

    pub(crate) fn redirect(url: String) -> Reply {
        Reply {
            status: StatusCode::FOUND,
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            body: Bytes::new(),
            redirect: Some(url),
        }
    }

    pub(crate) fn with_cookies(mut self, cookies: impl IntoIterator<Item = SetCookie>) -> Reply {
        self.cookies.extend(cookies);
        self
    }

    /// A client error with a JSON body `{"error": .., "message": ..}`.
    pub(crate) fn bad_request(status: StatusCode, error: &str, message: &str) -> Reply {
        Reply::json(
            status,
            &serde_json::json!({ "error": error, "message": message }),
        )
    }

    /// `404`: the path names a provider the configuration does not have. The visitor's
    /// mistake (a typed or stale URL), so not Auth.js's `Configuration` (whose page is a
    /// `500`, kept for faults of the configuration itself).
    pub(crate) fn unknown_provider(id: &str) -> Reply {
        tracing::debug!(provider = ?id, "no provider with this id (404)");
        Reply::bad_request(
            StatusCode::NOT_FOUND,
            "InvalidProvider",
            "no provider with this id; the providers are listed at `providers`",
        )
    }

    /// `503`: the session database is unreachable. The client keeps its cookie and retries.
    pub(crate) fn unavailable() -> Reply {
        let mut reply = Reply::bad_request(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "the session database is unavailable; try again in a moment",
        )
        .no_store();
        reply
            .headers
            .insert(http::header::RETRY_AFTER, HeaderValue::from_static("5"));
        reply
    }

    /// The response; a redirect becomes `200 {"url": ..}` when the request asked with
    /// `X-Auth-Return-Redirect`.
    pub(crate) fn into_response(self, return_redirect: bool) -> http::Response<Bytes> {
        let Reply {
            status,
            mut headers,
            cookies,
            body,
            redirect,
        } = self;
        let (status, body) = match redirect {
            Some(url) => {
                let url = match crate::url::location(&url) {
                    Some(_) => url,
                    None => {
                        tracing::warn!(
                            "redirect URL cannot be sent in a Location header; using `/`"
                        );
                        "/".to_owned()
                    }
                };
                if return_redirect {
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    let body =
                        serde_json::to_vec(&serde_json::json!({ "url": url })).unwrap_or_default();
                    (StatusCode::OK, Bytes::from(body))
                } else {
                    if let Some(v) = crate::url::location(&url) {
                        headers.insert(LOCATION, v);
                    }
                    (StatusCode::FOUND, body)
                }
            }
            None => (status, body),
        };
        for c in &cookies {
            match c.to_header_value() {
                Some(v) => {
                    headers.append(SET_COOKIE, v);
                }
                None => tracing::error!(cookie = %c.name, "cookie cannot be serialised; dropped"),
            }
        }
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_sign_in_forms_may_lead_to_the_provider() {
        let csp = |r: Reply| {
            r.headers[CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap_or_default()
                .to_owned()
        };
        let page = || Reply::html(StatusCode::OK, String::new());
        assert!(csp(page()).contains("form-action 'self';"));
        assert!(csp(page().allowing_oauth_forms(true)).contains("form-action 'self' https:;"));
        assert!(
            csp(page().allowing_oauth_forms(false)).contains("form-action 'self' https: http:;")
        );
        assert!(csp(page().allowing_oauth_forms(true)).contains("frame-ancestors 'none'"));
    }
}
