//! The shared client: the outbound HTTP client and the discovery and JWKS caches.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::{OAuthError, discovery, http, id_token};

/// Shared OAuth state: the HTTP client, the discovery and JWKS caches.
#[derive(Clone, Debug, Default)]
pub struct OAuthClient {
    pub(super) inner: Arc<Inner>,
}

type Cache<T> = RwLock<HashMap<String, (Instant, Arc<T>)>>;

pub(super) struct Inner {
    http: Result<reqwest::Client, String>,
    discovery: Cache<discovery::Metadata>,
    jwks: Cache<Vec<id_token::Key>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("http", &self.http.as_ref().map(|_| "reqwest::Client"))
            .finish_non_exhaustive()
    }
}

impl Default for Inner {
    fn default() -> Self {
        Inner::with_http(http::build_client(
            http::DEFAULT_TIMEOUT,
            http::DEFAULT_TIMEOUT,
        ))
    }
}

fn cache_get<T>(cache: &Cache<T>, key: &str, ttl: Duration) -> Option<Arc<T>> {
    let map = cache.read().unwrap_or_else(|e| e.into_inner());
    map.get(key)
        .filter(|(at, _)| at.elapsed() < ttl)
        .map(|(_, v)| v.clone())
}

fn cache_put<T>(cache: &Cache<T>, key: &str, value: Arc<T>, at: Instant) {
    let mut map = cache.write().unwrap_or_else(|e| e.into_inner());
    // A handful of providers per application: bound the map anyway.
    if map.len() >= 64 {
        map.retain(|_, (t, _)| t.elapsed() < Duration::from_secs(60));
    }
    map.insert(key.to_owned(), (at, value));
}

impl Inner {
    fn with_http(http: Result<reqwest::Client, String>) -> Self {
        Inner {
            http,
            discovery: RwLock::default(),
            jwks: RwLock::default(),
        }
    }
    pub(super) fn discovery_cached(&self, issuer: &str) -> Option<Arc<discovery::Metadata>> {
        cache_get(&self.discovery, issuer, discovery::DISCOVERY_TTL)
    }
    pub(super) fn discovery_store(&self, issuer: &str, md: Arc<discovery::Metadata>, at: Instant) {
        cache_put(&self.discovery, issuer, md, at);
    }
    pub(super) fn jwks_cached(&self, uri: &str) -> Option<Arc<Vec<id_token::Key>>> {
        cache_get(&self.jwks, uri, id_token::JWKS_TTL)
    }
    pub(super) fn jwks_store(&self, uri: &str, keys: Arc<Vec<id_token::Key>>, at: Instant) {
        cache_put(&self.jwks, uri, keys, at);
    }
}

impl OAuthClient {
    /// A client with the default timeouts (10 s to connect, 10 s per request).
    pub fn new() -> Result<Self, OAuthError> {
        Self::with_timeouts(http::DEFAULT_TIMEOUT, http::DEFAULT_TIMEOUT)
    }

    /// A client with these connect and overall per-request timeouts.
    pub fn with_timeouts(connect: Duration, total: Duration) -> Result<Self, OAuthError> {
        let http = http::build_client(connect, total)
            .map_err(|e| OAuthError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(OAuthClient {
            inner: Arc::new(Inner::with_http(Ok(http))),
        })
    }

    pub(super) fn http(&self) -> Result<&reqwest::Client, OAuthError> {
        self.inner
            .http
            .as_ref()
            .map_err(|e| OAuthError::Config(format!("cannot build the HTTP client: {e}")))
    }
}
