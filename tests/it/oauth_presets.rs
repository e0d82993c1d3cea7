//! Every preset through the flow's endpoints (`POST /signin/{id}`, the provider, the
//! callback), against a loopback server shaped like that provider (`oauth::fake`: its
//! paths, its client authentication, its JSON; ID tokens signed by a test key), with its
//! error answers: the token endpoint's error, the userinfo endpoint's error, a profile or
//! ID token without the user's id. The OIDC presets (Keycloak, Okta, Auth0, Entra ID,
//! Slack, LinkedIn, Twitch) also sign in at the real oidc-provider, their issuer
//! overridden.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::config::{ClientAuth, ClientSecretJwt, OAuthProvider};
use auth_runtime::{AuthConfig, Provider, providers};
use auth_tests::flow::*;
use auth_tests::oauth::fake::{CLIENT_ID, CLIENT_SECRET, Fake, FormPost, Shape};
use auth_tests::oauth::{BASIC, NO_PKCE_BASIC, NO_PKCE_POST, OidcProvider, POST, REDIRECT_URI};
use serde_json::{Value, json};

const CALLBACK_ERROR: &str = "http://localhost:3000/api/auth/signin?error=OAuthCallbackError";
const APPLE_CHECKS: [&str; 2] = ["authjs.state", "authjs.nonce"];

fn config(provider: OAuthProvider) -> AuthConfig<Tok, SUser> {
    counting_config(Arc::default()).__provider(Provider::OAuth(provider))
}

fn browser(provider: OAuthProvider) -> Browser {
    Browser::new(auth(config(provider)))
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Our path of a URL under the test origin.
fn local(url: &str) -> String {
    url.strip_prefix(ORIGIN).unwrap_or(url).to_owned()
}

/// `POST /signin/{id}`: the redirect to the provider.
async fn start(b: &mut Browser, id: &str) -> Res {
    let csrf = b.csrf().await;
    let res = b
        .post_form(
            &format!("/signin/{id}"),
            &[("csrfToken", &csrf), ("callbackUrl", "/after")],
        )
        .await;
    assert_eq!(res.status, 302, "{}", String::from_utf8_lossy(&res.body));
    res
}

/// The provider's answer to the authorization request, followed back to our callback: a
/// redirect (GET), or the form a `form_post` provider's page POSTs.
async fn back(b: &mut Browser, authorization_url: &str) -> Res {
    let at = http().get(authorization_url).send().await.unwrap();
    if at.status().is_redirection() {
        let location = at.headers()["location"].to_str().unwrap().to_owned();
        return b.get(&local(&location)).await;
    }
    assert_eq!(at.status(), 200, "{authorization_url}");
    let form: FormPost = at.json().await.unwrap();
    let fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_form(&local(&form.action), &fields).await
}

/// A whole sign-in: start, the provider, the callback's answer.
async fn sign_in(b: &mut Browser, id: &str) -> Res {
    let res = start(b, id).await;
    back(b, res.location()).await
}

/// Signs in and returns the session's user.
async fn signed_in(b: &mut Browser, id: &str) -> Value {
    let res = sign_in(b, id).await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/after",
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    b.session().await["user"].clone()
}

/// The sign-in is refused (`OAuthCallbackError`) and nobody is signed in.
async fn refused(b: &mut Browser, id: &str, what: &str) {
    let res = sign_in(b, id).await;
    assert_eq!(res.location(), CALLBACK_ERROR, "{what}");
    assert!(res.set_cookie("authjs.session-token").is_none(), "{what}");
    assert_eq!(b.session().await, Value::Null, "{what}");
}

/// A fresh browser signing in with `provider` (a clone: each case its own app).
async fn refused_with(provider: &OAuthProvider, what: &str) {
    let mut b = browser(provider.clone());
    refused(&mut b, &provider.id, what).await;
}

/// The errors every preset meets: the token endpoint's error, then (with `userinfo`) the
/// userinfo endpoint's; each with a fresh browser, the fake reset after.
async fn token_and_userinfo_errors(fake: &Fake, provider: &OAuthProvider, userinfo: bool) {
    fake.fail_token(
        400,
        json!({"error": "invalid_grant", "error_description": "code expired"}),
    );
    refused_with(provider, "token endpoint error").await;
    fake.fail_token(500, json!({"message": "down"}));
    refused_with(provider, "token endpoint 500").await;
    *fake.token_error.lock().unwrap() = None;
    if userinfo {
        fake.fail_userinfo(500);
        refused_with(provider, "userinfo error").await;
        fake.fail_userinfo(401);
        refused_with(provider, "userinfo 401").await;
        *fake.userinfo_status.lock().unwrap() = None;
    }
}

fn pointed(fake: &Fake, mut provider: OAuthProvider) -> OAuthProvider {
    fake.point(&mut provider);
    provider
}

fn client() -> (auth_runtime::ConfigValue, auth_runtime::ConfigValue) {
    (CLIENT_ID.into(), CLIENT_SECRET.into())
}

// ---------------------------------------------------------------------------------------
// OAuth 2.0 presets
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn gitlab_signs_in_and_refuses_errors() {
    let fake = Fake::start(Shape::oauth(
        "/oauth/authorize",
        "/oauth/token",
        "/api/v4/user",
    ))
    .await;
    let (id, secret) = client();
    let provider = pointed(&fake, providers::gitlab(id, secret));
    fake.set_profile(json!({
        "id": 4242, "username": "gl-user", "name": null,
        "email": "GL.User@Example.test", "avatar_url": "https://gitlab.example/a/4242.png",
    }));
    let mut b = browser(provider.clone());
    let user = signed_in(&mut b, "gitlab").await;
    assert_eq!(user["id"], "4242");
    assert_eq!(user["name"], "gl-user");
    assert_eq!(user["email"], "gl.user@example.test");
    assert_eq!(user["image"], "https://gitlab.example/a/4242.png");
    let auth = fake.last_authorization();
    assert_eq!(auth["scope"], "read_user");
    assert!(auth.contains_key("state") && auth.contains_key("code_challenge"));
    assert_eq!(
        fake.token_requests.lock().unwrap()[0].0,
        "client_secret_basic"
    );

    token_and_userinfo_errors(&fake, &provider, true).await;
    fake.set_profile(json!({"username": "no-id"}));
    refused_with(&provider, "profile without an id").await;
}

#[tokio::test]
async fn discord_avatar_rules_and_errors() {
    let fake = Fake::start(Shape::oauth(
        "/api/oauth2/authorize",
        "/api/oauth2/token",
        "/api/users/@me",
    ))
    .await;
    let (id, secret) = client();
    let provider = pointed(&fake, providers::discord(id, secret));
    let cases = [
        (
            json!({"id": "80351110224678912", "username": "nelly", "global_name": "Nelly",
                   "avatar": "8342729096ea3675442027381ff50dfe", "discriminator": "0",
                   "email": "nelly@discord.test", "verified": true}),
            "Nelly",
            "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png",
        ),
        (
            json!({"id": "80351110224678912", "username": "anim", "global_name": null,
                   "avatar": "a_1269e74af4df7417b13759eae50c83dc", "discriminator": "0"}),
            "anim",
            "https://cdn.discordapp.com/avatars/80351110224678912/a_1269e74af4df7417b13759eae50c83dc.gif",
        ),
        (
            json!({"id": "80351110224678912", "username": "plain", "avatar": null, "discriminator": "0"}),
            "plain",
            "https://cdn.discordapp.com/embed/avatars/5.png",
        ),
        (
            json!({"id": "80351110224678912", "username": "legacy", "avatar": null, "discriminator": "1337"}),
            "legacy",
            "https://cdn.discordapp.com/embed/avatars/2.png",
        ),
    ];
    for (profile, name, image) in cases {
        fake.set_profile(profile);
        let mut b = browser(provider.clone());
        let user = signed_in(&mut b, "discord").await;
        assert_eq!(user["id"], "80351110224678912");
        assert_eq!(user["name"], name);
        assert_eq!(user["image"], image);
    }
    assert_eq!(fake.last_authorization()["scope"], "identify email");

    token_and_userinfo_errors(&fake, &provider, true).await;
    fake.set_profile(json!({"username": "no-id", "avatar": null}));
    refused_with(&provider, "profile without an id").await;
}

#[tokio::test]
async fn facebook_graph_fields_and_errors() {
    let fake = Fake::start(Shape::oauth(
        "/v19.0/dialog/oauth",
        "/oauth/access_token",
        "/me?fields=id,name,email,picture",
    ))
    .await;
    let (id, secret) = client();
    let provider = pointed(&fake, providers::facebook(id, secret));
    fake.set_profile(json!({
        "id": "10158", "name": "Fay Book", "email": "fay@facebook.test",
        "picture": {"data": {"height": 50, "is_silhouette": false, "url": "https://graph.example/p.jpg", "width": 50}},
    }));
    let mut b = browser(provider.clone());
    let user = signed_in(&mut b, "facebook").await;
    assert_eq!(user["id"], "10158");
    assert_eq!(user["name"], "Fay Book");
    assert_eq!(user["email"], "fay@facebook.test");
    assert_eq!(user["image"], "https://graph.example/p.jpg");
    assert_eq!(fake.last_authorization()["scope"], "email");

    // The fake answers 400 when the Graph fields are not asked for.
    let mut no_fields = provider.clone();
    no_fields.userinfo_url = Some(format!("{}/me", fake.base).into());
    refused_with(&no_fields, "userinfo without `fields`").await;

    token_and_userinfo_errors(&fake, &provider, true).await;
    fake.set_profile(json!({"name": "no id"}));
    refused_with(&provider, "profile without an id").await;
}

#[tokio::test]
async fn twitter_pkce_basic_profile_from_data_and_errors() {
    let fake = Fake::start(Shape::oauth(
        "/i/oauth2/authorize",
        "/2/oauth2/token",
        "/2/users/me?user.fields=profile_image_url",
    ))
    .await;
    let (id, secret) = client();
    let provider = pointed(&fake, providers::twitter(id, secret));
    fake.set_profile(json!({"data": {
        "id": "2244994945", "name": "X Dev", "username": "XDevelopers",
        "profile_image_url": "https://pbs.example/x.jpg",
    }}));
    let mut b = browser(provider.clone());
    let user = signed_in(&mut b, "twitter").await;
    assert_eq!(user["id"], "2244994945");
    assert_eq!(user["name"], "X Dev");
    assert_eq!(user["image"], "https://pbs.example/x.jpg");
    assert!(user["email"].is_null(), "X gives no e-mail: {user}");
    let auth = fake.last_authorization();
    assert_eq!(auth["scope"], "users.read tweet.read offline.access");
    assert_eq!(auth["code_challenge_method"], "S256");
    assert!(auth.contains_key("state"));
    let (method, form) = fake.token_requests.lock().unwrap()[0].clone();
    assert_eq!(method, "client_secret_basic");
    assert!(form.contains_key("code_verifier"));
    assert!(!form.contains_key("client_secret"));

    token_and_userinfo_errors(&fake, &provider, true).await;
    // The user at the top level, not under `data`: no id found.
    fake.set_profile(json!({"id": "2244994945", "name": "X Dev"}));
    refused_with(&provider, "profile without `data`").await;
}

// ---------------------------------------------------------------------------------------
// OIDC presets against the fake
// ---------------------------------------------------------------------------------------

fn person(sub: &str) -> Value {
    json!({"sub": sub, "name": "Olive Idc", "email": "Olive@Example.test", "picture": "https://img.example/o.png"})
}

/// An OIDC preset at the fake: sign-in, the token endpoint's error, the userinfo
/// endpoint's error (the ID token without `name`, so userinfo is asked), an ID token
/// without `sub`, and one for another audience.
async fn oidc_preset(fake: &Fake, provider: OAuthProvider, extra_claims: Value) -> Value {
    let mut claims = person("oidc-user");
    for (k, v) in extra_claims.as_object().unwrap() {
        claims[k] = v.clone();
    }
    fake.set_claims(claims.clone());
    fake.set_profile(claims.clone());
    let mut b = browser(provider.clone());
    let user = signed_in(&mut b, &provider.id).await;
    assert_eq!(user["id"], "oidc-user");
    assert_eq!(user["email"], "olive@example.test");
    let auth = fake.last_authorization();
    assert!(auth.contains_key("state"), "state is always sent: {auth:?}");
    assert_eq!(auth.contains_key("nonce"), provider.nonce, "{auth:?}");
    assert_eq!(
        auth.contains_key("code_challenge"),
        provider.pkce,
        "{auth:?}"
    );
    let expected = match provider.client_auth {
        ClientAuth::ClientSecretBasic => "client_secret_basic",
        _ => "client_secret_post",
    };
    assert_eq!(fake.token_requests.lock().unwrap()[0].0, expected);

    token_and_userinfo_errors(fake, &provider, false).await;
    let mut without_name = claims.clone();
    without_name["name"] = Value::Null;
    fake.set_claims(without_name);
    fake.fail_userinfo(500);
    refused_with(&provider, "userinfo error").await;
    *fake.userinfo_status.lock().unwrap() = None;
    let mut no_sub = claims.clone();
    no_sub["sub"] = Value::Null;
    fake.set_claims(no_sub);
    refused_with(&provider, "ID token without `sub`").await;
    let mut other = claims.clone();
    other["aud"] = json!("another-client");
    fake.set_claims(other);
    refused_with(&provider, "ID token for another client").await;
    fake.set_claims(claims);
    user
}

#[tokio::test]
async fn keycloak_okta_auth0_at_their_issuers() {
    for (path, make) in [
        (
            "/realms/main",
            providers::keycloak as fn(_, _, _) -> OAuthProvider,
        ),
        ("/oauth2/default", providers::okta),
        // Auth0's issuer ends with a slash.
        ("/", providers::auth0),
    ] {
        let fake = Fake::start(Shape::oidc(path)).await;
        let (id, secret) = client();
        let provider = make(fake.issuer.as_deref().unwrap().into(), id, secret);
        let user = oidc_preset(&fake, provider, json!({})).await;
        assert_eq!(user["name"], "Olive Idc");
        assert_eq!(user["image"], "https://img.example/o.png");
    }
}

#[tokio::test]
async fn slack_without_pkce_signs_in_and_refuses_errors() {
    // Slack fails a confidential client's exchange with a PKCE verifier.
    let fake = Fake::start(Shape::oidc("").without_pkce(true)).await;
    let (id, secret) = client();
    let provider = pointed(&fake, providers::slack(id, secret));
    let user = oidc_preset(&fake, provider, json!({})).await;
    assert_eq!(user["name"], "Olive Idc");
    assert_eq!(fake.last_authorization()["scope"], "openid profile email");
}

#[tokio::test]
async fn linkedin_client_secret_post_state_only_and_errors() {
    // LinkedIn refuses a web app's PKCE verifier and puts no nonce in its ID tokens.
    let fake = Fake::start(Shape::oidc("/oauth").post().without_pkce(false)).await;
    let (id, secret) = client();
    let provider = pointed(&fake, providers::linkedin(id, secret));
    oidc_preset(&fake, provider.clone(), json!({})).await;
    let (_, form) = fake.token_requests.lock().unwrap()[0].clone();
    assert_eq!(form["client_secret"], CLIENT_SECRET);

    // The same client authenticating with HTTP Basic is refused by the provider, and so is
    // a PKCE verifier (the reason the preset sends none).
    let mut basic = provider.clone();
    basic.client_auth = ClientAuth::ClientSecretBasic;
    refused_with(&basic, "LinkedIn takes client_secret_post").await;
    let mut with_pkce = provider;
    with_pkce.pkce = true;
    refused_with(&with_pkce, "LinkedIn refuses PKCE").await;
}

#[tokio::test]
async fn twitch_claims_request_scope_array_and_errors() {
    let shape = Shape {
        token_extra: json!({"scope": ["openid", "user:read:email"]}),
        ..Shape::oidc("/oauth2").post()
    };
    let fake = Fake::start(shape).await;
    let (id, secret) = client();
    let provider = pointed(&fake, providers::twitch(id, secret));
    // Twitch names the user `preferred_username` (no `name` claim): the profile from
    // userinfo is asked for, and the name is the preferred username.
    let user = oidc_preset(
        &fake,
        provider.clone(),
        json!({"name": null, "preferred_username": "twitchy"}),
    )
    .await;
    assert_eq!(user["name"], "twitchy");
    let auth = fake.last_authorization();
    assert_eq!(auth["scope"], "openid user:read:email");
    let claims: Value = serde_json::from_str(&auth["claims"]).unwrap();
    assert_eq!(
        claims,
        json!({"id_token": {"email": null, "picture": null, "preferred_username": null}})
    );

    // The token answer's scope array is read as a list (the account's `scope`).
    let client = auth_runtime::providers::oauth::OAuthClient::default();
    let callback = "http://localhost:3000/api/auth/callback/twitch";
    let authorization = client.authorize(&provider, callback).await.unwrap();
    let at = http().get(&authorization.url).send().await.unwrap();
    let back = url::Url::parse(at.headers()["location"].to_str().unwrap()).unwrap();
    let query = auth_tests::oauth::query_of(&back);
    let signed_in = client
        .callback(&provider, callback, &query, &authorization.checks)
        .await
        .unwrap();
    assert_eq!(
        signed_in.account.scope.as_deref(),
        Some("openid user:read:email")
    );
}

// ---------------------------------------------------------------------------------------
// Microsoft Entra ID
// ---------------------------------------------------------------------------------------

const TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
const OTHER_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// `common`: discovery names the issuer `…/{tenantid}/v2.0`.
async fn entra_common() -> Arc<Fake> {
    Fake::start(Shape {
        discovery_issuer_path: Some("/{tenantid}/v2.0"),
        ..Shape::oidc("/common/v2.0")
    })
    .await
}

fn entra(fake: &Fake, tenant: &str, allowed: &[&str]) -> OAuthProvider {
    let (id, secret) = client();
    let mut p = providers::microsoft_entra_id(id, secret, tenant.into());
    p.issuer = Some(format!("{}/{tenant}/v2.0", fake.base).into());
    p.allowed_tenants = allowed.iter().map(|t| (*t).to_owned()).collect();
    p
}

fn tenant_claims(fake: &Fake, tid: &str, iss_tenant: &str) -> Value {
    let mut c = person("entra-user");
    c["tid"] = json!(tid);
    c["iss"] = json!(format!("{}/{iss_tenant}/v2.0", fake.base));
    c
}

#[tokio::test]
async fn entra_id_multi_tenant_checks_tid_and_the_allow_list() {
    let fake = entra_common().await;
    let provider = entra(&fake, "common", &[TENANT]);
    fake.set_claims(tenant_claims(&fake, TENANT, TENANT));
    let mut b = browser(provider.clone());
    let user = signed_in(&mut b, "microsoft-entra-id").await;
    assert_eq!(user["id"], "entra-user");
    assert_eq!(user["name"], "Olive Idc");
    // No Graph photo in the session token (Auth.js puts a data: URL there).
    assert_eq!(user["image"], "https://img.example/o.png");
    assert_eq!(
        fake.last_authorization()["scope"],
        "openid profile email User.Read"
    );

    // Another tenant, not in the list.
    fake.set_claims(tenant_claims(&fake, OTHER_TENANT, OTHER_TENANT));
    refused_with(&provider, "tenant not allowed").await;
    // Every tenant without a list.
    let open = entra(&fake, "common", &[]);
    let mut b = browser(open.clone());
    assert_eq!(
        signed_in(&mut b, "microsoft-entra-id").await["id"],
        "entra-user"
    );
    // `iss` of another tenant than `tid`: one tenant's token cannot pass as another's.
    fake.set_claims(tenant_claims(&fake, TENANT, OTHER_TENANT));
    refused_with(&open, "iss and tid disagree").await;
    // No `tid` at all.
    let mut no_tid = tenant_claims(&fake, TENANT, TENANT);
    no_tid["tid"] = Value::Null;
    fake.set_claims(no_tid);
    refused_with(&open, "no tid").await;
    // A `tid` that is a path.
    fake.set_claims(tenant_claims(&fake, "x/../y", "x/../y"));
    refused_with(&open, "tid with a slash").await;

    fake.set_claims(tenant_claims(&fake, TENANT, TENANT));
    token_and_userinfo_errors(&fake, &provider, false).await;
    // Without `name` in the ID token the profile is asked of userinfo, which fails.
    let mut no_name = tenant_claims(&fake, TENANT, TENANT);
    no_name["name"] = Value::Null;
    fake.set_claims(no_name);
    fake.fail_userinfo(500);
    refused_with(&provider, "userinfo error").await;
    *fake.userinfo_status.lock().unwrap() = None;
    let mut no_sub = tenant_claims(&fake, TENANT, TENANT);
    no_sub["sub"] = Value::Null;
    fake.set_claims(no_sub);
    refused_with(&provider, "ID token without `sub`").await;
}

#[tokio::test]
async fn entra_id_single_tenant_and_a_template_only_for_multi_tenant_issuers() {
    // A tenant's own issuer: discovery names it, `iss` is checked as for any issuer.
    let fake = Fake::start(Shape::oidc("/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0")).await;
    let provider = entra(&fake, TENANT, &[]);
    fake.set_claims(tenant_claims(&fake, TENANT, TENANT));
    let mut b = browser(provider.clone());
    assert_eq!(
        signed_in(&mut b, "microsoft-entra-id").await["id"],
        "entra-user"
    );
    fake.set_claims(tenant_claims(&fake, OTHER_TENANT, OTHER_TENANT));
    refused_with(&provider, "another tenant's issuer").await;

    // A tenant's issuer whose discovery names the template is refused (only `common`,
    // `organizations` and `consumers` take one).
    let fake = Fake::start(Shape {
        discovery_issuer_path: Some("/{tenantid}/v2.0"),
        ..Shape::oidc("/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0")
    })
    .await;
    fake.set_claims(tenant_claims(&fake, TENANT, TENANT));
    let mut b = browser(entra(&fake, TENANT, &[]));
    let csrf = b.csrf().await;
    let res = b
        .post_form(
            "/signin/microsoft-entra-id",
            &[("csrfToken", &csrf), ("callbackUrl", "/after")],
        )
        .await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/api/auth/signin?error=OAuthSignin"
    );
}

#[tokio::test]
async fn entra_id_tenant_that_is_no_tenant_is_refused_at_start_up() {
    // The issuer is built from the tenant: one that is a path never reaches a URL.
    let (id, secret) = client();
    let bad = providers::microsoft_entra_id(id, secret, "common/../evil".into());
    match auth_runtime::Auth::new(config(bad)) {
        Err(auth_runtime::ConfigError::InvalidProvider { provider, reason }) => {
            assert_eq!(provider, "microsoft-entra-id");
            assert!(reason.contains("`tenant_id`"), "{reason}");
        }
        other => panic!("expected InvalidProvider, got {:?}", other.err()),
    }
}

// ---------------------------------------------------------------------------------------
// Apple
// ---------------------------------------------------------------------------------------

const APPLE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2w/Q3K7h4LwF83Lj
fG13C2AODCa7y2d1pf3yl8QD1CqhRANCAAQ+Qai/tWyUn2rTlhyvYKbeVp50o06L
/eiC7EpvN9+TGYjtYp4B+zlnjvf+mJo4tpADSc9uoGVtMIB8dcLDwGYG
-----END PRIVATE KEY-----
";
/// Another P-256 key: a secret signed by it is refused.
const OTHER_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgphSBbBJPqSYTNw4a
lv5B7Lyv1/jAxOX7brFTN18LWG+hRANCAAQvqI7ZzGhf1IFNTaT1b5MNuy2U1lfg
nRpbTgkesXeaQxpYMyk89ecwT/NmoTv8YxIk4Q8m8t9ohYn+xqjM0M6o
-----END PRIVATE KEY-----
";
const TEAM_ID: &str = "TEAM123456";
const KEY_ID: &str = "KEY1234567";

fn der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// The fake checks the client secret as Apple does: an ES256 JWT from the team, for this
/// client and this issuer, signed by the registered key.
async fn apple_fake() -> Arc<Fake> {
    let fake = Fake::start(Shape {
        userinfo: None,
        ..Shape::oidc("").post().without_pkce(true)
    })
    .await;
    let encoding = jsonwebtoken::EncodingKey::from_ec_der(&der(APPLE_KEY));
    let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, jsonwebtoken::Algorithm::ES256)
        .unwrap();
    let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let issuer = fake.issuer.clone().unwrap();
    *fake.secret_check.lock().unwrap() = Arc::new(move |secret: &str| {
        let Ok(header) = jsonwebtoken::decode_header(secret) else {
            return false;
        };
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        v.set_audience(&[issuer.as_str()]);
        v.set_issuer(&[TEAM_ID]);
        v.sub = Some(CLIENT_ID.to_owned());
        header.kid.as_deref() == Some(KEY_ID)
            && jsonwebtoken::decode::<Value>(secret, &decoding, &v).is_ok()
    });
    fake
}

fn apple(fake: &Fake, key: &str) -> OAuthProvider {
    let mut p = providers::apple_with_key(
        CLIENT_ID.into(),
        ClientSecretJwt {
            team_id: TEAM_ID.into(),
            key_id: KEY_ID.into(),
            // One line with `\n` escapes, as an environment variable carries it.
            private_key: key.replace('\n', "\\n").into(),
        },
    );
    fake.point(&mut p);
    p
}

#[tokio::test]
async fn apple_form_post_minted_secret_and_the_first_name() {
    let fake = apple_fake().await;
    let provider = apple(&fake, APPLE_KEY);
    fake.set_claims(json!({
        "sub": "001234.apple", "email": "Ada@privaterelay.appleid.com",
        "email_verified": "true", "is_private_email": "true",
    }));
    *fake.form_user.lock().unwrap() = Some(
        json!({"name": {"firstName": "Ada", "lastName": "Lovelace"}, "email": "ada@privaterelay.appleid.com"})
            .to_string(),
    );

    let mut b = browser(provider.clone());
    let res = start(&mut b, "apple").await;
    // The provider's page POSTs the callback from its own site: the check cookies must
    // cross it (SameSite=None; Secure), the page to return to as well.
    // Apple takes no PKCE: state and nonce.
    assert!(res.set_cookie("authjs.pkce.code_verifier").is_none());
    for name in APPLE_CHECKS.iter().chain(&["authjs.callback-url"]) {
        let c = res.set_cookie(name).unwrap();
        assert!(c.ends_with("; HttpOnly; Secure; SameSite=None"), "{c}");
    }
    let res = back(&mut b, res.location()).await;
    assert_eq!(res.location(), "http://localhost:3000/after");
    let auth = fake.last_authorization();
    assert!(!auth.contains_key("code_challenge"), "{auth:?}");
    assert_eq!(auth["response_mode"], "form_post");
    assert_eq!(auth["scope"], "name email");
    for name in APPLE_CHECKS {
        let c = res.set_cookie(name).unwrap();
        assert!(c.starts_with(&format!("{name}=; Max-Age=0")), "{c}");
        assert!(c.ends_with("SameSite=None"), "{c}");
    }
    let user = b.session().await["user"].clone();
    assert_eq!(user["id"], "001234.apple");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["email"], "ada@privaterelay.appleid.com");
    let (method, form) = fake.token_requests.lock().unwrap()[0].clone();
    assert_eq!(method, "client_secret_post");
    assert_eq!(form["client_secret"].split('.').count(), 3, "a JWT");

    // Later sign-ins carry no `user`: the name is the e-mail address, as in Auth.js.
    let mut b = browser(provider.clone());
    let user = signed_in(&mut b, "apple").await;
    assert_eq!(user["name"], "ada@privaterelay.appleid.com");

    // A `user` field that is not JSON is ignored.
    *fake.form_user.lock().unwrap() = Some("{not json".to_owned());
    let mut b = browser(provider.clone());
    assert_eq!(
        signed_in(&mut b, "apple").await["name"],
        "ada@privaterelay.appleid.com"
    );
}

#[tokio::test]
async fn apple_refuses_a_wrong_key_a_written_secret_and_errors() {
    let fake = apple_fake().await;
    fake.set_claims(json!({"sub": "001234.apple", "email": "ada@example.test"}));
    refused_with(&apple(&fake, OTHER_KEY), "secret signed by another key").await;
    // An unreadable key is refused when the app starts, not at the first sign-in.
    match auth_runtime::Auth::new(config(apple(&fake, "not a key"))) {
        Err(auth_runtime::ConfigError::InvalidProvider { provider, reason }) => {
            assert_eq!(provider, "apple");
            assert!(reason.contains("PKCS#8"), "{reason}");
        }
        other => panic!("expected InvalidProvider, got {:?}", other.err()),
    }
    // A pre-minted secret is sent as written (here one the fake refuses).
    let mut written = providers::apple(CLIENT_ID.into(), "not-a-jwt".into());
    fake.point(&mut written);
    refused_with(&written, "a written secret that is no JWT").await;

    let provider = apple(&fake, APPLE_KEY);
    token_and_userinfo_errors(&fake, &provider, false).await;
    fake.set_claims(json!({"email": "ada@example.test"}));
    refused_with(&provider, "ID token without `sub`").await;
    fake.set_claims(json!({"sub": "001234.apple", "nonce": "replayed"}));
    refused_with(&provider, "ID token with another nonce").await;
}

// ---------------------------------------------------------------------------------------
// The OIDC presets at the real oidc-provider
// ---------------------------------------------------------------------------------------

/// A preset pointed at the shared oidc-provider as its registered client (id `oidc`, the
/// redirect URI registered there).
fn at_oidc_provider(mut provider: OAuthProvider) -> OAuthProvider {
    let op = OidcProvider::shared();
    let (id, secret) = match (provider.client_auth, provider.pkce) {
        (ClientAuth::ClientSecretPost, true) => POST,
        (ClientAuth::ClientSecretPost, false) => NO_PKCE_POST,
        (_, true) => BASIC,
        (_, false) => NO_PKCE_BASIC,
    };
    provider.id = "oidc".to_owned();
    provider.issuer = Some(op.issuer.as_str().into());
    provider.client_id = id.into();
    provider.client_secret = secret.into();
    provider
}

/// The browser at the provider: it logs in and consents, and comes back.
async fn at_provider(b: &mut Browser) -> Res {
    let res = start(b, "oidc").await;
    let mut follower = auth_tests::oauth::Browser::default();
    let back = follower.follow_until(res.location(), REDIRECT_URI).await;
    b.get(&format!(
        "/api/auth/callback/oidc?{}",
        back.query().unwrap_or("")
    ))
    .await
}

#[tokio::test]
async fn oidc_presets_at_the_real_oidc_provider() {
    let (id, secret) = client();
    let placeholder = || "http://placeholder.invalid".into();
    let presets = [
        providers::keycloak(placeholder(), id.clone(), secret.clone()),
        providers::okta(placeholder(), id.clone(), secret.clone()),
        providers::auth0(placeholder(), id.clone(), secret.clone()),
        providers::microsoft_entra_id(id.clone(), secret.clone(), TENANT.into()),
        providers::slack(id.clone(), secret.clone()),
        providers::linkedin(id.clone(), secret.clone()),
        providers::twitch(id.clone(), secret.clone()),
    ];
    for preset in presets {
        let name = preset.name.clone();
        let mut b = browser(at_oidc_provider(preset));
        let res = at_provider(&mut b).await;
        assert_eq!(
            res.location(),
            "http://localhost:3000/after",
            "{name}: {}",
            String::from_utf8_lossy(&res.body)
        );
        let user = b.session().await["user"].clone();
        assert_eq!(user["id"], "user-1", "{name}");
        assert_eq!(user["email"], "user-1@example.test", "{name}");
        assert_eq!(
            user["image"], "http://127.0.0.1/avatars/user-1.png",
            "{name}"
        );
        if name == "Twitch" {
            // Twitch's scope asks for no profile: the e-mail and the picture come from the
            // `claims` request, and the provider has no `preferred_username` to give.
            assert!(user["name"].is_null(), "{user}");
        } else {
            assert_eq!(user["name"], "Test User user-1", "{name}");
        }
    }

    // Entra ID with an allow-list: the real provider's tokens carry no `tid`.
    let mut entra = providers::microsoft_entra_id(id, secret, TENANT.into());
    entra.allowed_tenants = vec![TENANT.to_owned()];
    let mut b = browser(at_oidc_provider(entra));
    assert_eq!(at_provider(&mut b).await.location(), CALLBACK_ERROR);
}

/// Apple's `form_post` in headless Chromium: the app on `localhost`, the provider on
/// `127.0.0.1` (another site), whose page POSTs the callback cross-site. The check cookies
/// come along only because they are `SameSite=None; Secure` (Chromium takes `Secure`
/// cookies from `http://localhost`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apple_form_post_in_headless_chromium() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `scripts/setup` (it installs Debian's chromium)"
    );
    auth_tests::node::require("playwright-core");
    let fake = apple_fake().await;
    fake.set_claims(json!({"sub": "001234.apple", "email": "ada@privaterelay.appleid.com"}));
    *fake.form_user.lock().unwrap() =
        Some(json!({"name": {"firstName": "Ada", "lastName": "Lovelace"}}).to_string());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://localhost:{port}");
    let auth =
        auth_runtime::Auth::new(config(apple(&fake, APPLE_KEY)).with_url(base.clone())).unwrap();
    let app: axum::Router = axum::Router::new()
        .route("/after", axum::routing::get(|| async { "after" }))
        .merge(auth.routes());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .current_dir(auth_tests::node::js_dir())
            .arg("browser-form-post.mjs")
            .arg(&base)
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("ok: sign in across sites with form_post"),
        "browser run failed\n--- steps ---\n{stdout}\n--- errors ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(fake.token_requests.lock().unwrap().len(), 1);
}
