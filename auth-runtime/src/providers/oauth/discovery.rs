//! OIDC discovery (`/.well-known/openid-configuration`) and the endpoints of a provider.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::Algorithm;
use serde::Deserialize;

use super::http::{self, Endpoint};
use super::{OAuthClient, OAuthError};
use crate::config::{AccountType, OAuthProvider};

/// How long a discovery document is reused.
pub(crate) const DISCOVERY_TTL: Duration = Duration::from_secs(60 * 60);

/// The fields of an OpenID Provider's metadata document the client uses.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

/// Where to talk to a provider, resolved from its configuration and discovery.
#[derive(Clone, Debug)]
pub(crate) struct Endpoints {
    pub issuer: Option<String>,
    pub authorization: String,
    pub token: String,
    pub userinfo: Option<String>,
    pub jwks_uri: Option<String>,
    /// A multi-tenant Entra issuer: the discovered issuer with `{tenantid}`, filled from the
    /// ID token's `tid` (then `issuer` is the configured `…/common/v2.0`).
    pub issuer_template: Option<String>,
    /// ID token algorithms the issuer advertises and this client supports.
    pub id_token_algs: Vec<Algorithm>,
    /// The issuer promises an `iss` parameter in the authorization response (RFC 9207).
    pub iss_param_required: bool,
}

/// Asymmetric algorithms accepted for ID tokens (never `none` or an HMAC).
pub(crate) fn supported_alg(name: &str) -> Option<Algorithm> {
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}

/// The placeholder of a multi-tenant Entra discovery document's issuer.
pub(crate) const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// The tenants whose discovery names a templated issuer.
const MULTI_TENANT: &[&str] = &["common", "organizations", "consumers"];

/// `https://login.microsoftonline.com/{tenant}/v2.0`; the tenant is an id or a name, never
/// a path.
fn entra_issuer(provider: &OAuthProvider, tenant: &str) -> Result<String, OAuthError> {
    if !is_tenant(tenant) {
        return Err(config_error(
            provider,
            "`tenant_id` is a tenant id (a GUID), a domain, `common`, `organizations` or `consumers`",
        ));
    }
    Ok(format!("https://login.microsoftonline.com/{tenant}/v2.0"))
}

/// A tenant id or domain: letters, digits, `-` and `.`, starting with a letter or digit
/// (so never `.` or `..`).
pub(crate) fn is_tenant(tenant: &str) -> bool {
    tenant
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && tenant.len() <= 256
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// `template` is `configured` with its multi-tenant segment (`common`, `organizations`,
/// `consumers`) replaced by `{tenantid}`.
fn is_tenant_template(template: &str, configured: &str) -> bool {
    let Some((before, after)) = template.split_once(TENANT_PLACEHOLDER) else {
        return false;
    };
    configured
        .strip_prefix(before)
        .and_then(|rest| rest.strip_suffix(after))
        .is_some_and(|tenant| MULTI_TENANT.contains(&tenant))
}

fn config_error(provider: &OAuthProvider, what: &str) -> OAuthError {
    OAuthError::Config(format!("provider `{}`: {what}", provider.id))
}

impl OAuthClient {
    /// The provider's metadata document, from the cache or fetched (and checked). With
    /// `tenant_template`, a multi-tenant Entra issuer's document may name the issuer with
    /// `{tenantid}` in place of `common`, `organizations` or `consumers`.
    pub(crate) async fn discover(
        &self,
        issuer: &str,
        tenant_template: bool,
    ) -> Result<Arc<Metadata>, OAuthError> {
        if let Some(hit) = self.inner.discovery_cached(issuer) {
            return Ok(hit);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let received = http::send(self.http()?.get(&url), Endpoint::Discovery).await?;
        received.ensure_success(Endpoint::Discovery)?;
        let value = received.json_object(Endpoint::Discovery)?;
        let metadata: Metadata =
            serde_json::from_value(value).map_err(|e| OAuthError::InvalidResponse {
                endpoint: Endpoint::Discovery,
                reason: e.to_string(),
            })?;
        if metadata.issuer != issuer
            && !(tenant_template && is_tenant_template(&metadata.issuer, issuer))
        {
            return Err(OAuthError::Discovery(format!(
                "the document's issuer `{}` is not the configured issuer `{issuer}`",
                metadata.issuer
            )));
        }
        let metadata = Arc::new(metadata);
        self.inner
            .discovery_store(issuer, metadata.clone(), Instant::now());
        Ok(metadata)
    }

    /// Resolves every endpoint of `provider` (explicit URLs win over discovered ones).
    pub(crate) async fn endpoints(
        &self,
        provider: &OAuthProvider,
    ) -> Result<Endpoints, OAuthError> {
        let explicit =
            |v: &Option<crate::config::ConfigValue>| -> Result<Option<String>, OAuthError> {
                v.as_ref()
                    .map(|v| v.resolve())
                    .transpose()
                    .map_err(OAuthError::from)
            };
        let authorization = explicit(&provider.authorization_url)?;
        let token = explicit(&provider.token_url)?;
        let userinfo = explicit(&provider.userinfo_url)?;
        let tenant = explicit(&provider.tenant_id)?;
        let issuer = match (explicit(&provider.issuer)?, &tenant) {
            (Some(issuer), _) => Some(issuer),
            (None, Some(tenant)) => Some(entra_issuer(provider, tenant)?),
            (None, None) => None,
        };
        let oidc = provider.kind == AccountType::Oidc;

        let metadata = match &issuer {
            Some(issuer) if oidc || authorization.is_none() || token.is_none() => {
                Some(self.discover(issuer, tenant.is_some()).await?)
            }
            _ => None,
        };
        if oidc && issuer.is_none() {
            return Err(config_error(provider, "an OIDC provider needs an `issuer`"));
        }
        let md = metadata.as_deref();
        let authorization = authorization
            .or_else(|| md.and_then(|m| m.authorization_endpoint.clone()))
            .ok_or_else(|| config_error(provider, "no authorization endpoint"))?;
        let token = token
            .or_else(|| md.and_then(|m| m.token_endpoint.clone()))
            .ok_or_else(|| config_error(provider, "no token endpoint"))?;
        let userinfo = userinfo.or_else(|| md.and_then(|m| m.userinfo_endpoint.clone()));
        let jwks_uri = md.and_then(|m| m.jwks_uri.clone());
        let id_token_algs = match md {
            Some(m) if !m.id_token_signing_alg_values_supported.is_empty() => m
                .id_token_signing_alg_values_supported
                .iter()
                .filter_map(|a| supported_alg(a))
                .collect(),
            // OIDC Discovery: RS256 when the document says nothing.
            _ => vec![Algorithm::RS256],
        };
        let issuer_template = md
            .map(|m| m.issuer.clone())
            .filter(|i| tenant.is_some() && i.contains(TENANT_PLACEHOLDER));
        Ok(Endpoints {
            issuer,
            issuer_template,
            authorization,
            token,
            userinfo,
            jwks_uri,
            id_token_algs,
            iss_param_required: md
                .is_some_and(|m| m.authorization_response_iss_parameter_supported),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::{MULTI_TENANT, TENANT_PLACEHOLDER, is_tenant, is_tenant_template};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

        /// A tenant `is_tenant` accepts is one path segment of the issuer, whatever its
        /// characters: the issuer's URL has exactly the path `/{tenant}/v2.0`.
        #[test]
        fn an_accepted_tenant_is_one_path_segment(tenant in "[a-zA-Z0-9./%?#@:_ -]{0,40}") {
            if is_tenant(&tenant) {
                let issuer = format!("https://login.microsoftonline.com/{tenant}/v2.0");
                let url = url::Url::parse(&issuer).unwrap();
                prop_assert_eq!(url.host_str(), Some("login.microsoftonline.com"));
                prop_assert_eq!(url.path(), format!("/{tenant}/v2.0"));
                prop_assert!(url.query().is_none() && url.fragment().is_none());
            }
        }

        /// The template stands only for the multi-tenant names, in the same place.
        #[test]
        fn the_template_fits_only_a_multi_tenant_issuer(
            tenant in "[a-z0-9.-]{1,20}",
            prefix in "https?://[a-z.]{1,15}(:[0-9]{1,4})?",
        ) {
            let template = format!("{prefix}/{TENANT_PLACEHOLDER}/v2.0");
            let configured = format!("{prefix}/{tenant}/v2.0");
            prop_assert_eq!(
                is_tenant_template(&template, &configured),
                MULTI_TENANT.contains(&tenant.as_str())
            );
            let elsewhere = format!("{prefix}x/common/v2.0");
            prop_assert!(!is_tenant_template(&template, &elsewhere));
        }
    }

    #[test]
    fn only_a_multi_tenant_issuer_takes_the_template() {
        let t = "https://login.microsoftonline.com/{tenantid}/v2.0";
        assert!(is_tenant_template(
            t,
            "https://login.microsoftonline.com/common/v2.0"
        ));
        assert!(is_tenant_template(
            t,
            "https://login.microsoftonline.com/organizations/v2.0"
        ));
        assert!(!is_tenant_template(
            t,
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
        ));
        assert!(!is_tenant_template(t, "https://evil.example/common/v2.0"));
        assert!(!is_tenant_template(
            "https://login.microsoftonline.com/common/v2.0",
            "https://login.microsoftonline.com/common/v2.0"
        ));
    }

    #[test]
    fn tenants_are_no_paths() {
        assert!(is_tenant("9188040d-6c67-4c5b-b112-36a304b66dad"));
        assert!(is_tenant("contoso.onmicrosoft.com"));
        for bad in ["", "a/b", "common/v2.0?x", "a b", "%2e%2e", ".", "..", ".x"] {
            assert!(!is_tenant(bad), "{bad}");
        }
    }
}
