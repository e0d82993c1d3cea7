//! `OAuthClient` against the real OpenID Provider (panva's oidc-provider, started from
//! `tests/js/oidc-provider.mjs` on loopback): the authorization-code flow, client
//! authentication, ID token algorithms, refresh-token rotation and the attacks the
//! client must refuse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use auth_runtime::AccountType;
use auth_runtime::providers::oauth::{Checks, OAuthClient, OAuthError};
use auth_runtime::providers::refresh::{is_expired, refresh_access_token};
use auth_tests::oauth::{
    BASIC, Browser, EDDSA, ES256, OidcProvider, POST, REDIRECT_URI, query_of, with_param,
};

/// Runs authorize + the provider's login/consent; returns the callback query and checks.
async fn authorize(
    client: &OAuthClient,
    provider: &auth_runtime::config::OAuthProvider,
    browser: &mut Browser,
    extra: &str,
) -> (Vec<(String, String)>, Checks) {
    let auth = client.authorize(provider, REDIRECT_URI).await.unwrap();
    let url = format!("{}{extra}", auth.url);
    let back = browser.follow_until(&url, REDIRECT_URI).await;
    (query_of(&back), auth.checks)
}

#[tokio::test]
async fn oidc_sign_in_through_oauth_client() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let auth = client.authorize(&provider, REDIRECT_URI).await.unwrap();

    // The authorization URL carries every parameter the flow promises.
    let url = url::Url::parse(&auth.url).unwrap();
    assert!(
        auth.url.starts_with(&format!("{}/auth?", op.issuer)),
        "{}",
        auth.url
    );
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], BASIC.0);
    assert_eq!(q["redirect_uri"], REDIRECT_URI);
    assert_eq!(q["scope"], "openid profile email");
    assert_eq!(q["code_challenge_method"], "S256");
    let checks = &auth.checks;
    assert_eq!(q["state"], checks.state.clone().unwrap());
    assert_eq!(q["nonce"], checks.nonce.clone().unwrap());
    assert_eq!(
        q["code_challenge"],
        auth_runtime::providers::oauth::pkce_challenge(checks.code_verifier.as_deref().unwrap())
    );

    let mut browser = Browser::default();
    let back = browser.follow_until(&auth.url, REDIRECT_URI).await;
    let query = query_of(&back);
    let signed_in = client
        .callback(&provider, REDIRECT_URI, &query, &auth.checks)
        .await
        .unwrap();

    assert_eq!(signed_in.user.id, "user-1");
    assert_eq!(signed_in.user.email.as_deref(), Some("user-1@example.test"));
    assert_eq!(signed_in.user.name.as_deref(), Some("Test User user-1"));
    assert_eq!(
        signed_in.user.image.as_deref(),
        Some("http://127.0.0.1/avatars/user-1.png")
    );
    let account = &signed_in.account;
    assert_eq!(account.provider, "oidc");
    assert_eq!(account.provider_account_id, "user-1");
    assert_eq!(account.kind, AccountType::Oidc);
    assert_eq!(account.token_type.as_deref(), Some("bearer"));
    assert!(
        account
            .access_token
            .as_deref()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(account.refresh_token.is_some());
    assert!(
        account
            .id_token
            .as_deref()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(account.scope.as_deref().unwrap().contains("openid"));
    assert!(!is_expired(account.expires_at, 0));
    assert_eq!(signed_in.profile.id, "user-1");
    assert_eq!(signed_in.profile.email_verified, Some(true));
    assert_eq!(signed_in.profile.raw["iss"], op.issuer.as_str());
}

#[tokio::test]
async fn oidc_client_secret_post() {
    let op = OidcProvider::shared();
    let provider = op.provider(POST);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    let signed_in = client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap();
    assert_eq!(signed_in.user.id, "user-1");
    // (oidc-provider accepts either method from a confidential client; the loopback
    // GitHub-shaped server in `oauth_local.rs` checks which one arrives.)
}

#[tokio::test]
async fn oidc_wrong_client_secret_is_refused() {
    let op = OidcProvider::shared();
    let provider = op.provider((BASIC.0, "not-the-secret"));
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    let err = client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Token { error, .. } if error == "invalid_client"),
        "{err:?}"
    );
}

#[tokio::test]
async fn oidc_id_token_es256_and_eddsa() {
    let op = OidcProvider::shared();
    let client = OAuthClient::default();
    for (creds, alg) in [(ES256, "ES256"), (EDDSA, "EdDSA")] {
        let provider = op.provider(creds);
        let mut browser = Browser::default();
        let (query, checks) =
            authorize(&client, &provider, &mut browser, "&login_hint=user-2").await;
        let signed_in = client
            .callback(&provider, REDIRECT_URI, &query, &checks)
            .await
            .unwrap();
        assert_eq!(signed_in.user.id, "user-2");
        let header =
            jsonwebtoken::decode_header(signed_in.account.id_token.as_deref().unwrap()).unwrap();
        assert_eq!(format!("{:?}", header.alg), alg);
    }
}

#[tokio::test]
async fn attack_wrong_state_is_refused_before_the_code_is_used() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;

    let forged = with_param(&query, "state", "attacker-chosen-state");
    let err = client
        .callback(&provider, REDIRECT_URI, &forged, &checks)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::StateMismatch), "{err:?}");

    let missing: Vec<_> = query
        .iter()
        .filter(|(k, _)| k != "state")
        .cloned()
        .collect();
    let err = client
        .callback(&provider, REDIRECT_URI, &missing, &checks)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::MissingState), "{err:?}");

    let doubled = [query.clone(), vec![("state".to_owned(), "x".to_owned())]].concat();
    let err = client
        .callback(&provider, REDIRECT_URI, &doubled, &checks)
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::DuplicateParameter(ref p) if p == "state"),
        "{err:?}"
    );

    // The code was never sent to the provider: the genuine callback still works.
    let signed_in = client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap();
    assert_eq!(signed_in.user.id, "user-1");
}

#[tokio::test]
async fn attack_replayed_state_is_refused() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (old_query, old_checks) = authorize(&client, &provider, &mut browser, "").await;
    client
        .callback(&provider, REDIRECT_URI, &old_query, &old_checks)
        .await
        .unwrap();

    // The flow clears the check cookies in the callback: a replay finds none.
    let err = client
        .callback(&provider, REDIRECT_URI, &old_query, &Checks::default())
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::MissingStateCheck), "{err:?}");

    // A replay into a newer sign-in of the same browser: the old state is not the new one.
    let (_new_query, new_checks) = authorize(&client, &provider, &mut browser, "").await;
    let err = client
        .callback(&provider, REDIRECT_URI, &old_query, &new_checks)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::StateMismatch), "{err:?}");
}

#[tokio::test]
async fn attack_missing_pkce_verifier_is_refused() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    let without = Checks {
        code_verifier: None,
        ..checks.clone()
    };
    let err = client
        .callback(&provider, REDIRECT_URI, &query, &without)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::MissingCodeVerifier), "{err:?}");
}

#[tokio::test]
async fn attack_wrong_pkce_verifier_is_refused_by_the_provider() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    let wrong = Checks {
        code_verifier: Some("a".repeat(43)),
        ..checks.clone()
    };
    let err = client
        .callback(&provider, REDIRECT_URI, &query, &wrong)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Token { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn attack_replayed_code_is_refused() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap();
    // Same query, same checks (as if the attacker also replayed the check cookies).
    let err = client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Token { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn attack_missing_nonce_check_is_refused() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    let without = Checks {
        nonce: None,
        ..checks.clone()
    };
    let err = client
        .callback(&provider, REDIRECT_URI, &query, &without)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::MissingNonce), "{err:?}");
    // A different nonce than the one the ID token carries.
    let other = Checks {
        nonce: Some("another-nonce".to_owned()),
        ..checks.clone()
    };
    let err = client
        .callback(&provider, REDIRECT_URI, &query, &other)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            OAuthError::IdToken(auth_runtime::providers::oauth::IdTokenError::Nonce)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn attack_mix_up_iss_parameter_is_refused() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    assert!(query.iter().any(|(k, v)| k == "iss" && v == &op.issuer));
    let forged = with_param(&query, "iss", "https://evil.example");
    let err = client
        .callback(&provider, REDIRECT_URI, &forged, &checks)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::IssuerMismatch), "{err:?}");
    // The issuer advertises the parameter, so dropping it is refused too.
    let dropped: Vec<_> = query.iter().filter(|(k, _)| k != "iss").cloned().collect();
    let err = client
        .callback(&provider, REDIRECT_URI, &dropped, &checks)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::IssuerMismatch), "{err:?}");
}

#[tokio::test]
async fn provider_error_response_is_reported() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    // A fresh browser has no session at the provider: `prompt=none` makes it answer
    // `error=login_required` to the redirect URI.
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "&prompt=none").await;
    let err = client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Provider { error, .. } if error == "login_required"),
        "{err:?}"
    );
}

#[tokio::test]
async fn discovery_document_for_another_issuer_is_refused() {
    let op = OidcProvider::shared();
    // Same server, but configured as `localhost`: the document says `127.0.0.1`.
    let issuer = op.issuer.replace("127.0.0.1", "localhost");
    let provider = auth_runtime::providers::oidc(
        "oidc",
        issuer.as_str().into(),
        BASIC.0.into(),
        BASIC.1.into(),
    );
    let err = OAuthClient::default()
        .authorize(&provider, REDIRECT_URI)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::Discovery(_)), "{err:?}");
}

#[tokio::test]
async fn refresh_token_rotation_against_oidc_provider() {
    let op = OidcProvider::shared();
    let provider = op.provider(BASIC);
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    let signed_in = client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap();
    let first_refresh = signed_in.account.refresh_token.clone().unwrap();

    let fresh = refresh_access_token(&client, &provider, &first_refresh)
        .await
        .unwrap();
    assert_ne!(
        Some(&fresh.access_token),
        signed_in.account.access_token.as_ref()
    );
    assert!(fresh.rotated, "the provider rotates refresh tokens");
    assert_ne!(fresh.refresh_token, first_refresh);
    assert!(!is_expired(fresh.expires_at, 0));
    assert!(fresh.id_token.is_some(), "a verified ID token comes back");

    // The new access token works at the userinfo endpoint.
    let info: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/me", op.issuer))
        .bearer_auth(&fresh.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], "user-1");

    // The rotated-out refresh token is dead.
    let err = refresh_access_token(&client, &provider, &first_refresh)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Token { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn google_preset_is_oidc_by_issuer() {
    // The preset with its issuer pointed at the loopback provider (a pub field).
    let op = OidcProvider::shared();
    let mut provider = auth_runtime::providers::google(BASIC.0.into(), BASIC.1.into());
    assert_eq!(provider.kind, AccountType::Oidc);
    assert_eq!(provider.scope, "openid profile email");
    provider.issuer = Some(op.issuer.as_str().into());
    let client = OAuthClient::default();
    let mut browser = Browser::default();
    let (query, checks) = authorize(&client, &provider, &mut browser, "").await;
    let signed_in = client
        .callback(&provider, REDIRECT_URI, &query, &checks)
        .await
        .unwrap();
    assert_eq!(signed_in.account.provider, "google");
    assert_eq!(signed_in.user.email.as_deref(), Some("user-1@example.test"));
}
