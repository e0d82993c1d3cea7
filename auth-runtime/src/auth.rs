//! The runtime handle: executes an [`AuthConfig`] (the flow is in [`crate::flow`]).
//!
//! INTERFACE (owned by the flow work; the axum integration depends on exactly this surface).

use std::sync::Arc;

use bytes::Bytes;

use crate::config::{AuthConfig, Session, SessionUserData, TokenData};
use crate::ConfigError;

/// The running auth service. Cheap to clone (an `Arc` inside).
pub struct Auth<T, U> {
    inner: Arc<AuthConfig<T, U>>,
}

impl<T, U> Clone for Auth<T, U> {
    fn clone(&self) -> Self {
        Auth { inner: self.inner.clone() }
    }
}

/// The result of reading the session of a request (what `auth()` gives in Auth.js).
#[derive(Debug)]
pub struct SessionLookup<T, U> {
    /// The session, after the `jwt` and `session` callbacks; `None` when signed out.
    pub session: Option<Session<U>>,
    /// The decoded token after the `jwt` callback (jwt strategy).
    pub token: Option<T>,
    /// `Set-Cookie` values the response must carry (rolling refresh, or clearing a bad cookie).
    pub set_cookies: Vec<http::HeaderValue>,
}

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// Validates the configuration and resolves secrets and `env(..)` values.
    pub fn new(config: AuthConfig<T, U>) -> Result<Self, ConfigError> {
        let _ = config;
        todo!("flow branch")
    }

    /// Serves one request of the REST flow (its path under the base path).
    pub async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let _ = request;
        todo!("flow branch")
    }

    /// Reads (and refreshes) the session of a request, running `jwt` then `session`.
    pub async fn session(&self, parts: &http::request::Parts) -> SessionLookup<T, U> {
        let _ = parts;
        todo!("flow branch")
    }

    /// The configuration.
    pub fn config(&self) -> &AuthConfig<T, U> {
        &self.inner
    }
}
