//! [`RequestInfo`]: what `authorize` and `sign_in` see of the request that signs a user in.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use http::{HeaderMap, Method, Uri};

use crate::cookies::RequestCookies;

/// The request behind a sign-in, as `authorize` and the `sign_in` callback see it when
/// they bind `request`: method, URI, headers, cookies and the client's IP address.
///
/// ```
/// # use auth_runtime::{Credentials, RequestInfo, User};
/// async fn authorize(credentials: Credentials, request: RequestInfo) -> Option<User> {
///     let from = request.client_ip()?; // e.g. to count failed attempts per address
///     let agent = request.header("user-agent").unwrap_or("unknown");
///     tracing::info!(%from, agent, "sign-in attempt");
///     (credentials.get("password") == Some("pw")).then(|| User::new("1"))
/// }
/// ```
///
/// [`client_ip`](Self::client_ip) is the connection's peer (axum's `ConnectInfo`, or a
/// [`ClientAddr`](crate::ClientAddr) the caller of [`Auth::handle`](crate::Auth::handle)
/// inserted), or with `trust_proxy` the last hop of the proxy's `X-Forwarded-For` /
/// `Forwarded` header; a header the client sent is never read otherwise.
///
/// Cheap to clone (shared). `Debug` shows the method, the path, the address and the header
/// names, never a header's or a cookie's value. [`RequestInfo::default`] (`GET /`, no
/// headers, no address) and [`RequestInfo::new`] build one for unit tests of a callback.
#[derive(Clone, Default)]
pub struct RequestInfo(Arc<Data>);

#[derive(Clone, Default)]
struct Data {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    cookies: RequestCookies,
    client_ip: Option<IpAddr>,
}

impl RequestInfo {
    /// A request with this method, URI and headers (its cookies read from the `Cookie`
    /// headers), and no client address.
    pub fn new(method: Method, uri: Uri, headers: HeaderMap) -> Self {
        let cookies = RequestCookies::from_headers(&headers);
        RequestInfo(Arc::new(Data {
            method,
            uri,
            headers,
            cookies,
            client_ip: None,
        }))
    }

    /// The same request from this client address.
    #[must_use]
    pub fn with_client_ip(mut self, ip: Option<IpAddr>) -> Self {
        Arc::make_mut(&mut self.0).client_ip = ip;
        self
    }

    /// A request already parsed by the flow (its cookies reused).
    pub(crate) fn from_parts(
        parts: &http::request::Parts,
        cookies: RequestCookies,
        client_ip: Option<IpAddr>,
    ) -> Self {
        RequestInfo(Arc::new(Data {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
            cookies,
            client_ip,
        }))
    }

    /// The method (`POST` for a credentials sign-in, `GET` or `POST` for an OAuth return).
    pub fn method(&self) -> &Method {
        &self.0.method
    }

    /// The URI as the client asked for it (`/api/auth/callback/credentials?..`).
    pub fn uri(&self) -> &Uri {
        &self.0.uri
    }

    /// The URI's path.
    pub fn path(&self) -> &str {
        self.0.uri.path()
    }

    /// Every header.
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The first value of a header, when it is visible ASCII (`request.header("user-agent")`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.0.headers.get(name)?.to_str().ok()
    }

    /// A cookie's value (the first of that name, as Auth.js reads them).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.0.cookies.get(name)
    }

    /// The client's IP address: the connection's peer, or with `trust_proxy` the address
    /// the proxy in front reports; `None` when the server did not say (axum served without
    /// `into_make_service_with_connect_info`, no [`ClientAddr`](crate::ClientAddr)).
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.0.client_ip
    }
}

/// The same method, URI, headers and client address.
impl PartialEq for RequestInfo {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        a.method == b.method
            && a.uri == b.uri
            && a.headers == b.headers
            && a.client_ip == b.client_ip
    }
}

impl Eq for RequestInfo {}

/// Header and cookie values (session tokens, `Authorization`) are not shown, nor the query.
impl fmt::Debug for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestInfo")
            .field("method", &self.0.method)
            .field("path", &self.0.uri.path())
            .field("client_ip", &self.0.client_ip)
            .field("headers", &self.0.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn reads_headers_cookies_and_hides_values() {
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", HeaderValue::from_static("curl/8"));
        headers.insert("cookie", HeaderValue::from_static("a=1; theme=dark; a=2"));
        headers.insert("authorization", HeaderValue::from_static("Bearer secret"));
        let uri: Uri = "/api/auth/callback/credentials?token=secret"
            .parse()
            .unwrap();
        let request = RequestInfo::new(Method::POST, uri, headers)
            .with_client_ip(Some("192.0.2.1".parse().unwrap()));
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.path(), "/api/auth/callback/credentials");
        assert_eq!(request.header("User-Agent"), Some("curl/8"));
        assert_eq!(request.cookie("a"), Some("1"));
        assert_eq!(request.cookie("theme"), Some("dark"));
        assert_eq!(request.cookie("b"), None);
        assert_eq!(request.client_ip(), "192.0.2.1".parse().ok());
        let shown = format!("{request:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("dark"),
            "{shown}"
        );
        assert!(
            shown.contains("192.0.2.1") && shown.contains("user-agent"),
            "{shown}"
        );
        assert_ne!(request, RequestInfo::default());
        assert_eq!(request.clone(), request);
        assert_eq!(RequestInfo::default().method(), Method::GET);
        assert_eq!(RequestInfo::default().path(), "/");
    }
}
