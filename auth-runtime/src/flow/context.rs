//! The per-request context ([`Ctx`]) and what endpoints derive from it: action URLs, the
//! `redirect` callback, the callback URL.

use std::time::SystemTime;

use super::{Inner, Scheme};
use crate::config::{RedirectArgs, RequestInfo, SessionUserData, TokenData};
use crate::cookies::{RequestCookies, SetCookie};
use crate::url::{HostError, Origin};

/// Per-request state.
pub(crate) struct Ctx<'a> {
    /// The request's head (method, URI, headers, extensions).
    pub(crate) parts: &'a http::request::Parts,
    pub(crate) origin: Origin,
    pub(crate) scheme: &'a Scheme,
    pub(crate) cookies: RequestCookies,
    pub(crate) now: SystemTime,
    /// `trust_proxy` of the config: whether [`Ctx::client_ip`] reads forwarding headers.
    pub(crate) trust_proxy: bool,
}

impl Ctx<'_> {
    pub(crate) fn now_secs(&self) -> i64 {
        crate::util::unix_secs(self.now)
    }

    pub(crate) fn secure(&self) -> bool {
        self.scheme.names.secure
    }

    /// The client's address ([`super::client_ip`]), when known. Read on demand: only the
    /// sign-in paths (limits, `request`) need it, not the session read.
    pub(crate) fn client_ip(&self) -> Option<std::net::IpAddr> {
        super::client_ip(self.parts, self.trust_proxy)
    }

    /// The base URL Auth.js hands the `redirect` callback: the origin.
    pub(crate) fn base_url(&self) -> &str {
        self.origin.as_str()
    }

    /// The cookie `name` holding `claims`, sealed with `codec` for `max_age` seconds (the
    /// OAuth check cookies, the passkey challenge, the second-factor cookies).
    #[cfg(any(feature = "oauth", feature = "passkey", feature = "totp"))]
    pub(crate) fn seal_cookie(
        &self,
        name: &str,
        codec: &crate::jwt::JwtCodec,
        claims: &serde_json::Map<String, serde_json::Value>,
        max_age: u64,
    ) -> Result<SetCookie, super::FlowError> {
        let sealed = codec
            .encode(claims, max_age, self.now_secs())
            .map_err(|e| {
                super::FlowError::Configuration(format!("cannot seal the `{name}` cookie: {e}"))
            })?;
        Ok(SetCookie::new(name, sealed, self.secure())
            .max_age(max_age)
            .expires(crate::cookies::expires_in(self.now, max_age)))
    }
}

impl<T, U> Inner<T, U> {
    /// The context of a request: its origin (the host policy), the scheme's cookie names
    /// and codecs, its cookies, the time (of the service's [`Clock`](crate::clock::Clock)).
    pub(crate) fn context<'a>(
        &'a self,
        parts: &'a http::request::Parts,
    ) -> Result<Ctx<'a>, HostError> {
        let (origin, scheme) = self.resolve(&parts.headers, &parts.uri)?;
        Ok(Ctx {
            parts,
            origin,
            scheme,
            cookies: RequestCookies::from_headers(&parts.headers),
            now: self.now(),
            trust_proxy: self.config.trust_proxy,
        })
    }

    /// What `authorize` and `sign_in` see of the request (`request`), its client address
    /// by `trust_proxy` (`client.rs`).
    pub(crate) fn request_info(&self, ctx: &Ctx<'_>) -> RequestInfo {
        RequestInfo::from_parts(ctx.parts, ctx.cookies.clone(), ctx.client_ip())
    }
}

impl<T: TokenData, U: SessionUserData> Inner<T, U> {
    /// Runs the `redirect` callback (or Auth.js's default rule).
    pub(crate) async fn run_redirect(&self, ctx: &Ctx<'_>, url: &str) -> String {
        let base_url = ctx.base_url().to_owned();
        match &self.config.redirect {
            Some(f) => {
                tracing::debug!(callback = "redirect", "callback ran");
                f(RedirectArgs {
                    url: url.to_owned(),
                    base_url,
                })
                .await
            }
            None => crate::url::default_redirect(url, &base_url),
        }
    }

    /// Auth.js's `createCallbackUrl`: the `callbackUrl` parameter, else the callback-url
    /// cookie, each through `redirect`; else the origin. Returns the cookie to set when the
    /// value changed.
    pub(crate) async fn callback_url(
        &self,
        ctx: &Ctx<'_>,
        param: Option<&str>,
    ) -> (String, Option<SetCookie>) {
        let name = &ctx.scheme.names.callback_url;
        let cookie = ctx.cookies.get(name).filter(|v| !v.is_empty());
        let url = if let Some(p) = param {
            self.run_redirect(ctx, p).await
        } else if let Some(c) = cookie {
            self.run_redirect(ctx, c).await
        } else {
            ctx.origin.as_str().to_owned()
        };
        let set =
            (Some(url.as_str()) != cookie).then(|| SetCookie::new(name, url.clone(), ctx.secure()));
        (url, set)
    }

    /// `{origin}{base_path}/{path}`.
    pub(crate) fn action_url(&self, ctx: &Ctx<'_>, path: &str) -> String {
        format!("{}{}/{path}", ctx.origin.as_str(), self.config.base_path)
    }
}

/// A page's absolute URL: the configured one (a path goes under `origin`), else
/// `{base_path}/{default}` under `origin`.
pub(crate) fn page_url(
    origin: &Origin,
    configured: Option<&str>,
    base_path: &str,
    default: &str,
) -> String {
    let page = configured.map_or_else(|| format!("{base_path}/{default}"), str::to_owned);
    if page.starts_with('/') {
        format!("{}{page}", origin.as_str())
    } else {
        page
    }
}
