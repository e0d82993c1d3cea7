//! The token endpoint: a grant with the provider's client authentication.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::http::{self, Endpoint};
use super::{Endpoints, OAuthClient, OAuthError};
use crate::config::{ClientAuth, OAuthProvider};

/// A token endpoint's successful answer.
pub(crate) struct TokenResponse {
    pub access_token: String,
    pub token_type: Option<String>,
    pub expires_at: Option<i64>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    pub id_token: Option<String>,
}

pub(super) fn str_member(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `scope`, a string, or Twitch's array of strings joined with spaces.
fn scope_of(body: &Value) -> Option<String> {
    match body.get("scope")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

impl OAuthClient {
    /// POSTs a grant to the token endpoint with the provider's client authentication.
    pub(crate) async fn token_request(
        &self,
        provider: &OAuthProvider,
        endpoints: &Endpoints,
        params: &[(&str, &str)],
    ) -> Result<TokenResponse, OAuthError> {
        let client_id = provider.client_id.resolve()?;
        let client_secret = match &provider.client_secret_jwt {
            Some(key) => super::client_secret::mint(key, &client_id, endpoints)?,
            None => provider.client_secret.resolve()?,
        };
        let mut form: Vec<(&str, &str)> = params.to_vec();
        let mut request = self.http()?.post(&endpoints.token);
        match provider.client_auth {
            ClientAuth::ClientSecretBasic => {
                // RFC 6749 2.3.1: both parts form-urlencoded before base64.
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let basic = STANDARD.encode(format!("{}:{}", enc(&client_id), enc(&client_secret)));
                request = request.header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"));
            }
            ClientAuth::ClientSecretPost => {
                form.push(("client_id", &client_id));
                form.push(("client_secret", &client_secret));
            }
        }
        let received = http::send(request.form(&form), Endpoint::Token).await?;
        // An OAuth error answer (400 `invalid_grant`, or GitHub's 200 with `error`).
        let body = received.json_object(Endpoint::Token);
        if let Ok(body) = &body
            && let Some(error) = str_member(body, "error")
        {
            // The provider's text: bounded and escaped before it reaches a log line.
            return Err(OAuthError::Token {
                error: super::error::untrusted_text(&error),
                description: str_member(body, "error_description")
                    .map(|d| super::error::untrusted_text(&d)),
            });
        }
        received.ensure_success(Endpoint::Token)?;
        let body = body?;
        let access_token =
            str_member(&body, "access_token").ok_or_else(|| OAuthError::InvalidResponse {
                endpoint: Endpoint::Token,
                reason: "no `access_token`".to_owned(),
            })?;
        let expires_in = match body.get("expires_in") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse::<i64>().ok(),
            _ => None,
        };
        Ok(TokenResponse {
            access_token,
            token_type: str_member(&body, "token_type").map(|t| t.to_ascii_lowercase()),
            expires_at: expires_in.map(|e| crate::util::unix_now().saturating_add(e)),
            refresh_token: str_member(&body, "refresh_token"),
            scope: scope_of(&body),
            id_token: str_member(&body, "id_token"),
        })
    }
}
