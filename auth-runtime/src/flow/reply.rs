//! What an endpoint answers ([`Reply`]) and how it becomes the response.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, EXPIRES, LOCATION, PRAGMA, SET_COOKIE};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::cookies::SetCookie;

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
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Reply {
            status,
            headers,
            cookies: Vec::new(),
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec())),
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

    pub(crate) fn html(status: StatusCode, html: String) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        Reply {
            status,
            headers,
            cookies: Vec::new(),
            body: Bytes::from(html),
            redirect: None,
        }
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
