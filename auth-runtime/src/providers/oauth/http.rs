//! Outbound HTTP: one `reqwest` client with timeouts, bounded bodies and typed failures.

use std::fmt;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::OAuthError;

/// Bodies larger than this are refused (a provider answering garbage must not exhaust memory).
const MAX_BODY: usize = 1024 * 1024;

/// Default connect and overall timeout of every outbound request.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which provider endpoint a request went to (for errors and logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint {
    /// `{issuer}/.well-known/openid-configuration`.
    Discovery,
    /// The issuer's JWKS (`jwks_uri`).
    Jwks,
    /// The token endpoint.
    Token,
    /// The userinfo endpoint.
    Userinfo,
    /// GitHub's `/user/emails`.
    Emails,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endpoint::Discovery => "discovery document",
            Endpoint::Jwks => "JWKS",
            Endpoint::Token => "token endpoint",
            Endpoint::Userinfo => "userinfo endpoint",
            Endpoint::Emails => "e-mails endpoint",
        })
    }
}

/// A received response: status, content type and the (bounded) body.
pub(crate) struct Received {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

pub(crate) fn build_client(
    connect_timeout: Duration,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        // Never follow redirects: a token request must not be replayed elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        // GitHub's API refuses requests without a User-Agent.
        .user_agent(concat!("auth-runtime/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| error_chain(&e))
}

/// `err: cause: cause`, for logs.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

fn unreachable(endpoint: Endpoint, err: &reqwest::Error) -> OAuthError {
    let reason = if err.is_timeout() {
        format!("timed out: {}", error_chain(err))
    } else {
        error_chain(err)
    };
    OAuthError::Unreachable { endpoint, reason }
}

/// Sends a request and reads at most [`MAX_BODY`] bytes of the answer.
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    endpoint: Endpoint,
) -> Result<Received, OAuthError> {
    let mut response = request
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| unreachable(endpoint, &e))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(OAuthError::InvalidResponse {
            endpoint,
            reason: format!("body larger than {MAX_BODY} bytes"),
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(endpoint, &e))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(OAuthError::InvalidResponse {
                endpoint,
                reason: format!("body larger than {MAX_BODY} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Received {
        status,
        content_type,
        body,
    })
}

impl Received {
    /// The body as a JSON object (form-encoded bodies are accepted too: GitHub's token
    /// endpoint answers that way when a proxy drops the `Accept` header).
    pub(crate) fn json_object(&self, endpoint: Endpoint) -> Result<Value, OAuthError> {
        if self
            .content_type
            .starts_with("application/x-www-form-urlencoded")
        {
            let map = url::form_urlencoded::parse(&self.body)
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect::<serde_json::Map<_, _>>();
            return Ok(Value::Object(map));
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(v @ Value::Object(_)) => Ok(v),
            Ok(_) => Err(OAuthError::InvalidResponse {
                endpoint,
                reason: format!(
                    "expected a JSON object (HTTP {}, content-type `{}`)",
                    self.status,
                    super::error::untrusted_text(&self.content_type)
                ),
            }),
            Err(e) => Err(OAuthError::InvalidResponse {
                endpoint,
                reason: format!(
                    "not JSON (HTTP {}, content-type `{}`): {e}",
                    self.status,
                    super::error::untrusted_text(&self.content_type)
                ),
            }),
        }
    }

    /// Fails with [`OAuthError::Status`] unless the status is 2xx.
    pub(crate) fn ensure_success(&self, endpoint: Endpoint) -> Result<(), OAuthError> {
        if (200..300).contains(&self.status) {
            Ok(())
        } else {
            Err(OAuthError::Status {
                endpoint,
                status: self.status,
            })
        }
    }
}
