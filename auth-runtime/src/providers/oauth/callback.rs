//! The callback: `state` and `iss` checks, the code exchange, the ID token, the profile.

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::http::{self, Endpoint};
use super::token::str_member;
use super::{Checks, IdTokenError, OAuthClient, OAuthError};
use crate::config::{Account, AccountType, OAuthProvider, Profile, User};

/// A successful callback.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The user, from the profile.
    pub user: User,
    /// The account, with the provider's tokens.
    pub account: Account,
    /// The profile.
    pub profile: Profile,
}

/// The one value of a parameter; a repeated parameter is an error.
fn single<'q>(query: &'q [(String, String)], name: &str) -> Result<Option<&'q str>, OAuthError> {
    let mut found = query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(OAuthError::DuplicateParameter(name.to_owned()));
    }
    Ok(first)
}

/// At most 200 characters of untrusted text, control characters escaped.
fn bounded(text: &str) -> String {
    super::error::untrusted_text(text)
}

/// Entra ID: with a templated (multi-tenant) issuer or an allow-list, the verified token's
/// `tid` must be there, and in the list when there is one.
fn check_tenant(
    provider: &OAuthProvider,
    endpoints: &super::Endpoints,
    claims: &Value,
) -> Result<(), OAuthError> {
    if provider.tenant_id.is_none()
        || (endpoints.issuer_template.is_none() && provider.allowed_tenants.is_empty())
    {
        return Ok(());
    }
    let tid = claims.get("tid").and_then(Value::as_str).unwrap_or("");
    if tid.is_empty()
        || !(provider.allowed_tenants.is_empty()
            || provider.allowed_tenants.iter().any(|t| t == tid))
    {
        return Err(OAuthError::Tenant(bounded(tid)));
    }
    Ok(())
}

/// The `user` field of a `form_post` callback (Apple's name at the first consent): a JSON
/// object of at most 4 KiB, else ignored.
fn form_user(text: &str) -> Option<Value> {
    if text.len() > 4096 {
        return None;
    }
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_object)
}

fn ct_eq(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl OAuthClient {
    /// Finishes it: validates `state`, exchanges the code (with the PKCE verifier),
    /// verifies the ID token (OIDC) and fetches the profile.
    pub async fn callback(
        &self,
        provider: &OAuthProvider,
        callback_url: &str,
        query: &[(String, String)],
        checks: &Checks,
    ) -> Result<SignedIn, OAuthError> {
        let expected_state = checks
            .state
            .as_deref()
            .ok_or(OAuthError::MissingStateCheck)?;
        let state = single(query, "state")?.ok_or(OAuthError::MissingState)?;
        if !ct_eq(state, expected_state) {
            return Err(OAuthError::StateMismatch);
        }
        let endpoints = self.endpoints(provider).await?;
        match (single(query, "iss")?, endpoints.issuer.as_deref()) {
            (Some(iss), Some(issuer)) if iss != issuer => return Err(OAuthError::IssuerMismatch),
            (None, Some(_)) if endpoints.iss_param_required => {
                return Err(OAuthError::IssuerMismatch);
            }
            _ => {}
        }
        if let Some(error) = single(query, "error")? {
            // Text from the query string: bounded before it reaches a log line.
            return Err(OAuthError::Provider {
                error: bounded(error),
                description: single(query, "error_description")?.map(bounded),
            });
        }
        let code = single(query, "code")?.ok_or(OAuthError::MissingCode)?;
        // What the provider takes (`pkce`, `nonce`) is required: a missing check cookie
        // is an error, never a reason to skip the check.
        let code_verifier = if provider.pkce {
            Some(
                checks
                    .code_verifier
                    .as_deref()
                    .ok_or(OAuthError::MissingCodeVerifier)?,
            )
        } else {
            None
        };
        let oidc = provider.kind == AccountType::Oidc;
        let nonce = if oidc && provider.nonce {
            Some(checks.nonce.as_deref().ok_or(OAuthError::MissingNonce)?)
        } else {
            None
        };

        let mut grant = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", callback_url),
        ];
        grant.extend(code_verifier.map(|v| ("code_verifier", v)));
        let tokens = self.token_request(provider, &endpoints, &grant).await?;
        let client_id = provider.client_id.resolve()?;

        let mut raw = if oidc {
            let id_token = tokens.id_token.as_deref().ok_or(IdTokenError::Missing)?;
            let mut claims = self
                .verify_id_token(id_token, &endpoints, &client_id, nonce)
                .await?;
            check_tenant(provider, &endpoints, &claims)?;
            let wants_userinfo = claims.get("email").is_none() || claims.get("name").is_none();
            if let (true, Some(userinfo_url)) = (wants_userinfo, endpoints.userinfo.as_deref()) {
                let info = self.userinfo(userinfo_url, &tokens.access_token).await?;
                if info.get("sub") != claims.get("sub") {
                    return Err(OAuthError::Profile(
                        "userinfo `sub` differs from the ID token's".to_owned(),
                    ));
                }
                if let (Value::Object(claims), Value::Object(info)) = (&mut claims, info) {
                    for (k, v) in info {
                        claims.entry(k).or_insert(v);
                    }
                }
            }
            claims
        } else {
            let userinfo_url = endpoints.userinfo.as_deref().ok_or_else(|| {
                OAuthError::Config(format!("provider `{}`: no userinfo endpoint", provider.id))
            })?;
            self.userinfo(userinfo_url, &tokens.access_token).await?
        };

        if raw.get("email").is_none_or(Value::is_null)
            && let Some(emails_url) = &provider.github_emails_url
        {
            let emails_url = emails_url.resolve()?;
            if let Some(email) = self
                .github_primary_email(&emails_url, &tokens.access_token)
                .await
                && let Value::Object(map) = &mut raw
            {
                map.insert("email".to_owned(), Value::String(email));
            }
        }

        if provider.form_post
            && let Some(user) = single(query, "user")?.and_then(form_user)
            && let Value::Object(map) = &mut raw
        {
            map.entry("user").or_insert(user);
        }

        let profile = (provider.profile)(&raw).ok_or_else(|| {
            OAuthError::Profile(format!(
                "provider `{}`: the profile mapping found no user id in the profile",
                provider.id
            ))
        })?;
        let user = User {
            id: profile.id.clone(),
            name: profile.name.clone(),
            email: profile.email.clone(),
            image: profile.image.clone(),
            email_verified: None,
            extra: profile.extra.clone(),
        };
        let account = Account {
            provider: provider.id.clone(),
            provider_account_id: profile.id.clone(),
            kind: provider.kind,
            access_token: Some(tokens.access_token),
            refresh_token: tokens.refresh_token,
            expires_at: tokens.expires_at,
            scope: tokens.scope,
            token_type: tokens.token_type,
            id_token: tokens.id_token,
        };
        Ok(SignedIn {
            user,
            account,
            profile,
        })
    }

    async fn userinfo(&self, url: &str, access_token: &str) -> Result<Value, OAuthError> {
        let received = http::send(
            self.http()?.get(url).bearer_auth(access_token),
            Endpoint::Userinfo,
        )
        .await?;
        received.ensure_success(Endpoint::Userinfo)?;
        received.json_object(Endpoint::Userinfo)
    }

    /// GitHub's primary e-mail (or the first one). Auth.js ignores a failure here, and so
    /// do we: the sign-in goes on without an e-mail, and the reason is logged.
    async fn github_primary_email(&self, url: &str, access_token: &str) -> Option<String> {
        let result = async {
            let received = http::send(
                self.http()?.get(url).bearer_auth(access_token),
                Endpoint::Emails,
            )
            .await?;
            received.ensure_success(Endpoint::Emails)?;
            serde_json::from_slice::<Vec<Value>>(&received.body).map_err(|e| {
                OAuthError::InvalidResponse {
                    endpoint: Endpoint::Emails,
                    reason: e.to_string(),
                }
            })
        }
        .await;
        match result {
            Ok(emails) => emails
                .iter()
                .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
                .or_else(|| emails.first())
                .and_then(|e| str_member(e, "email")),
            Err(err) => {
                tracing::warn!(error = %err, "could not read the GitHub e-mail addresses");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        let q = vec![
            ("code".to_owned(), "a".to_owned()),
            ("code".to_owned(), "b".to_owned()),
        ];
        assert!(
            matches!(single(&q, "code"), Err(OAuthError::DuplicateParameter(p)) if p == "code")
        );
        assert_eq!(single(&q, "state").unwrap(), None);
    }

    #[test]
    fn the_form_user_is_a_small_json_object_or_nothing() {
        assert!(form_user(r#"{"name":{"firstName":"A"}}"#).is_some());
        for bad in [
            "",
            "null",
            "[1]",
            "\"x\"",
            "{",
            &format!("{{\"a\":\"{}\"}}", "x".repeat(5000)),
        ] {
            assert!(form_user(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn provider_error_text_is_bounded() {
        assert_eq!(bounded(&"x".repeat(1000)).len(), 200);
    }
}
