//! `OAuthClient` against small loopback servers written here, for what the real
//! oidc-provider cannot be made to do:
//! - an OIDC token/JWKS server that mints ID tokens with claims chosen by each test
//!   (wrong `aud`, `iss`, `nonce`, signature, expired, algorithm confusion, key rotation);
//! - a GitHub-shaped OAuth 2.0 server (GitHub itself cannot be reached from here);
//! - providers that are down, hang, or answer garbage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_runtime::config::{ClientAuth, OAuthProvider};
use auth_runtime::providers::oauth::{Checks, Endpoint, IdTokenError, OAuthClient, OAuthError};
use auth_runtime::{AccountType, providers};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use auth_tests::oauth::github::github_server;
use auth_tests::serve;

const CALLBACK: &str = "http://localhost:3000/api/auth/callback/test";
const CLIENT_ID: &str = "local-client";
const CLIENT_SECRET: &str = "local-secret";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

// ---------------------------------------------------------------------------------------
// The ID token server
// ---------------------------------------------------------------------------------------

/// An Ed25519 key from a fixed seed (PKCS#8 v1 DER: a fixed prefix and the 32-byte seed).
fn ed_key(seed: u8, kid: &str) -> (EncodingKey, Value) {
    let mut der = hex_prefix();
    der.extend_from_slice(&[seed; 32]);
    let key = EncodingKey::from_ed_der(&der);
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::EdDSA).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    (key, serde_json::to_value(jwk).unwrap())
}

fn hex_prefix() -> Vec<u8> {
    vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ]
}

struct TokenServer {
    issuer: String,
    /// The JWKS the server publishes.
    published: Mutex<Vec<Value>>,
    /// The ID token the token endpoint hands out next.
    id_token: Mutex<String>,
    userinfo: Mutex<Value>,
    jwks_hits: AtomicUsize,
}

async fn ts_discovery(State(s): State<Arc<TokenServer>>) -> Response {
    axum::Json(json!({
        "issuer": s.issuer,
        "authorization_endpoint": format!("{}/authorize", s.issuer),
        "token_endpoint": format!("{}/token", s.issuer),
        "userinfo_endpoint": format!("{}/userinfo", s.issuer),
        "jwks_uri": format!("{}/jwks", s.issuer),
        "id_token_signing_alg_values_supported": ["EdDSA"],
    }))
    .into_response()
}

async fn ts_jwks(State(s): State<Arc<TokenServer>>) -> Response {
    s.jwks_hits.fetch_add(1, Ordering::SeqCst);
    axum::Json(json!({ "keys": *s.published.lock().unwrap() })).into_response()
}

async fn ts_token(State(s): State<Arc<TokenServer>>) -> Response {
    axum::Json(json!({
        "access_token": "local-access-token",
        "token_type": "Bearer",
        "expires_in": 3600,
        "id_token": *s.id_token.lock().unwrap(),
    }))
    .into_response()
}

async fn ts_userinfo(State(s): State<Arc<TokenServer>>, headers: HeaderMap) -> Response {
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some("Bearer local-access-token")
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(s.userinfo.lock().unwrap().clone()).into_response()
}

struct Local {
    server: Arc<TokenServer>,
    provider: OAuthProvider,
    client: OAuthClient,
    key_a: (EncodingKey, Value),
    key_b: (EncodingKey, Value),
}

async fn token_server() -> Local {
    let key_a = ed_key(1, "key-a");
    let key_b = ed_key(2, "key-b");
    let server = Arc::new(TokenServer {
        issuer: String::new(),
        published: Mutex::new(vec![key_a.1.clone()]),
        id_token: Mutex::new(String::new()),
        userinfo: Mutex::new(json!({})),
        jwks_hits: AtomicUsize::new(0),
    });
    // The issuer includes the port, known only after binding: bind first, then route.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let server = Arc::new(TokenServer {
        issuer: issuer.clone(),
        ..Arc::into_inner(server).unwrap()
    });
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(ts_discovery))
        .route("/jwks", get(ts_jwks))
        .route("/token", post(ts_token))
        .route("/userinfo", get(ts_userinfo))
        .with_state(server.clone());
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    let provider = providers::oidc(
        "local",
        issuer.as_str().into(),
        CLIENT_ID.into(),
        CLIENT_SECRET.into(),
    );
    Local {
        server,
        provider,
        client: OAuthClient::default(),
        key_a,
        key_b,
    }
}

impl Local {
    fn good_claims(&self, checks: &Checks) -> Value {
        json!({
            "iss": self.server.issuer,
            "aud": CLIENT_ID,
            "sub": "local-user",
            "name": "Local User",
            "email": "local@example.test",
            "iat": now(),
            "exp": now() + 300,
            "nonce": checks.nonce.clone().unwrap(),
        })
    }

    fn mint(&self, claims: &Value, key: &EncodingKey, kid: &str) {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.to_owned());
        *self.server.id_token.lock().unwrap() = jsonwebtoken::encode(&header, claims, key).unwrap();
    }

    /// authorize() (discovery), then a callback whose token response carries the ID token
    /// built by `tamper` from good claims, signed with key A.
    async fn sign_in(
        &self,
        tamper: impl FnOnce(&mut Value),
    ) -> Result<auth_runtime::providers::oauth::SignedIn, OAuthError> {
        let auth = self
            .client
            .authorize(&self.provider, CALLBACK)
            .await
            .unwrap();
        let mut claims = self.good_claims(&auth.checks);
        tamper(&mut claims);
        self.mint(&claims, &self.key_a.0, "key-a");
        self.callback(&auth.checks).await
    }

    async fn callback(
        &self,
        checks: &Checks,
    ) -> Result<auth_runtime::providers::oauth::SignedIn, OAuthError> {
        let query = vec![
            ("code".to_owned(), "any-code".to_owned()),
            ("state".to_owned(), checks.state.clone().unwrap()),
        ];
        self.client
            .callback(&self.provider, CALLBACK, &query, checks)
            .await
    }
}

fn assert_id_token_error(
    result: Result<auth_runtime::providers::oauth::SignedIn, OAuthError>,
    expected: IdTokenError,
) {
    match result {
        Err(OAuthError::IdToken(e)) if e == expected => {}
        other => panic!("expected IdToken({expected:?}), got {other:?}"),
    }
}

#[tokio::test]
async fn local_id_token_control_is_accepted() {
    // The control for every tampering test below: the untampered token passes.
    let local = token_server().await;
    let signed_in = local.sign_in(|_| {}).await.unwrap();
    assert_eq!(signed_in.user.id, "local-user");
    assert_eq!(signed_in.user.email.as_deref(), Some("local@example.test"));
    assert_eq!(signed_in.account.kind, AccountType::Oidc);
    assert_eq!(signed_in.account.token_type.as_deref(), Some("bearer"));
}

#[tokio::test]
async fn attack_id_token_wrong_aud() {
    let local = token_server().await;
    assert_id_token_error(
        local.sign_in(|c| c["aud"] = json!("another-client")).await,
        IdTokenError::Audience,
    );
    // Several audiences with `azp` naming another client.
    let local = token_server().await;
    assert_id_token_error(
        local
            .sign_in(|c| {
                c["aud"] = json!([CLIENT_ID, "another-client"]);
                c["azp"] = json!("another-client");
            })
            .await,
        IdTokenError::Audience,
    );
}

#[tokio::test]
async fn attack_id_token_wrong_iss() {
    let local = token_server().await;
    assert_id_token_error(
        local
            .sign_in(|c| c["iss"] = json!("https://evil.example"))
            .await,
        IdTokenError::Issuer,
    );
}

#[tokio::test]
async fn attack_id_token_wrong_nonce() {
    let local = token_server().await;
    assert_id_token_error(
        local
            .sign_in(|c| c["nonce"] = json!("replayed-nonce"))
            .await,
        IdTokenError::Nonce,
    );
    let local = token_server().await;
    assert_id_token_error(
        local
            .sign_in(|c| {
                c.as_object_mut().unwrap().remove("nonce");
            })
            .await,
        IdTokenError::Nonce,
    );
}

#[tokio::test]
async fn attack_id_token_expired() {
    let local = token_server().await;
    assert_id_token_error(
        local
            .sign_in(|c| {
                c["iat"] = json!(now() - 3600);
                c["exp"] = json!(now() - 60);
            })
            .await,
        IdTokenError::Expired,
    );
}

#[tokio::test]
async fn attack_id_token_bad_signature() {
    let local = token_server().await;
    let auth = local
        .client
        .authorize(&local.provider, CALLBACK)
        .await
        .unwrap();
    // Signed by key B, claiming to be key A.
    local.mint(&local.good_claims(&auth.checks), &local.key_b.0, "key-a");
    assert_id_token_error(local.callback(&auth.checks).await, IdTokenError::Signature);

    // A valid token with one claim changed after signing.
    let local = token_server().await;
    let auth = local
        .client
        .authorize(&local.provider, CALLBACK)
        .await
        .unwrap();
    local.mint(&local.good_claims(&auth.checks), &local.key_a.0, "key-a");
    let token = local.server.id_token.lock().unwrap().clone();
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = json!("admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap()),
        parts[2]
    );
    *local.server.id_token.lock().unwrap() = forged;
    assert_id_token_error(local.callback(&auth.checks).await, IdTokenError::Signature);
}

#[tokio::test]
async fn attack_id_token_algorithm_confusion() {
    // HS256 keyed with the public key bytes: refused before any key is used.
    let local = token_server().await;
    let auth = local
        .client
        .authorize(&local.provider, CALLBACK)
        .await
        .unwrap();
    let x = local.key_a.1["x"].as_str().unwrap().to_owned();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("key-a".to_owned());
    let token = jsonwebtoken::encode(
        &header,
        &local.good_claims(&auth.checks),
        &EncodingKey::from_secret(&URL_SAFE_NO_PAD.decode(x).unwrap()),
    )
    .unwrap();
    *local.server.id_token.lock().unwrap() = token;
    let result = local.callback(&auth.checks).await;
    assert!(
        matches!(result, Err(OAuthError::IdToken(IdTokenError::Algorithm(_)))),
        "{result:?}"
    );

    // `alg: none` (unsigned).
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"key-a"}"#);
    let claims =
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&local.good_claims(&auth.checks)).unwrap());
    *local.server.id_token.lock().unwrap() = format!("{header}.{claims}.");
    let result = local.callback(&auth.checks).await;
    assert!(
        matches!(result, Err(OAuthError::IdToken(IdTokenError::Malformed(_)))),
        "{result:?}"
    );
}

#[tokio::test]
async fn jwks_refetched_once_on_unknown_kid() {
    let local = token_server().await;
    local.sign_in(|_| {}).await.unwrap();
    assert_eq!(local.server.jwks_hits.load(Ordering::SeqCst), 1);
    // Cached: a second sign-in does not fetch the JWKS.
    local.sign_in(|_| {}).await.unwrap();
    assert_eq!(local.server.jwks_hits.load(Ordering::SeqCst), 1);

    // The issuer rotates to key B: the unknown kid triggers exactly one refetch.
    *local.server.published.lock().unwrap() = vec![local.key_b.1.clone()];
    let auth = local
        .client
        .authorize(&local.provider, CALLBACK)
        .await
        .unwrap();
    local.mint(&local.good_claims(&auth.checks), &local.key_b.0, "key-b");
    local.callback(&auth.checks).await.unwrap();
    assert_eq!(local.server.jwks_hits.load(Ordering::SeqCst), 2);

    // A kid the issuer never published: one refetch, then refused.
    let auth = local
        .client
        .authorize(&local.provider, CALLBACK)
        .await
        .unwrap();
    local.mint(
        &local.good_claims(&auth.checks),
        &local.key_b.0,
        "key-unknown",
    );
    assert_id_token_error(
        local.callback(&auth.checks).await,
        IdTokenError::UnknownKey(Some("key-unknown".to_owned())),
    );
    assert_eq!(local.server.jwks_hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn oidc_userinfo_fills_missing_claims() {
    let local = token_server().await;
    *local.server.userinfo.lock().unwrap() = json!({"sub": "local-user", "email": "from-userinfo@example.test", "name": "From Userinfo", "picture": "http://127.0.0.1/p.png"});
    let signed_in = local
        .sign_in(|c| {
            let c = c.as_object_mut().unwrap();
            c.remove("email");
            c.remove("name");
        })
        .await
        .unwrap();
    assert_eq!(
        signed_in.user.email.as_deref(),
        Some("from-userinfo@example.test")
    );
    assert_eq!(signed_in.user.name.as_deref(), Some("From Userinfo"));
    assert_eq!(
        signed_in.user.image.as_deref(),
        Some("http://127.0.0.1/p.png")
    );

    // Userinfo about another subject is refused.
    *local.server.userinfo.lock().unwrap() =
        json!({"sub": "someone-else", "email": "x@example.test"});
    let result = local
        .sign_in(|c| {
            c.as_object_mut().unwrap().remove("email");
        })
        .await;
    assert!(matches!(result, Err(OAuthError::Profile(_))), "{result:?}");
}

// ---------------------------------------------------------------------------------------
// Providers that are down, hang or answer garbage
// ---------------------------------------------------------------------------------------

/// A loopback port nobody listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn oauth_provider(base: &str) -> OAuthProvider {
    let mut p = providers::oauth("plain", CLIENT_ID.into(), CLIENT_SECRET.into());
    p.authorization_url = Some(format!("{base}/authorize").into());
    p.token_url = Some(format!("{base}/token").into());
    p.userinfo_url = Some(format!("{base}/userinfo").into());
    p
}

async fn callback_of(
    client: &OAuthClient,
    provider: &OAuthProvider,
) -> Result<auth_runtime::providers::oauth::SignedIn, OAuthError> {
    let auth = client.authorize(provider, CALLBACK).await?;
    let query = vec![
        ("code".to_owned(), "c".to_owned()),
        ("state".to_owned(), auth.checks.state.clone().unwrap()),
    ];
    client
        .callback(provider, CALLBACK, &query, &auth.checks)
        .await
}

#[tokio::test]
async fn provider_down_connection_refused() {
    let port = closed_port();
    let client = OAuthClient::default();
    let oidc = providers::oidc(
        "down",
        format!("http://127.0.0.1:{port}").into(),
        CLIENT_ID.into(),
        CLIENT_SECRET.into(),
    );
    let err = client.authorize(&oidc, CALLBACK).await.unwrap_err();
    assert!(
        matches!(
            err,
            OAuthError::Unreachable {
                endpoint: Endpoint::Discovery,
                ..
            }
        ),
        "{err:?}"
    );

    let plain = oauth_provider(&format!("http://127.0.0.1:{port}"));
    let err = callback_of(&client, &plain).await.unwrap_err();
    assert!(
        matches!(
            err,
            OAuthError::Unreachable {
                endpoint: Endpoint::Token,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("token endpoint unreachable"),
        "{err}"
    );
}

#[tokio::test]
async fn provider_hanging_times_out() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client =
        OAuthClient::with_timeouts(Duration::from_millis(500), Duration::from_millis(500)).unwrap();
    let started = std::time::Instant::now();
    let err = callback_of(&client, &oauth_provider(&format!("http://{addr}")))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            err,
            OAuthError::Unreachable {
                endpoint: Endpoint::Token,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[derive(Clone, Copy)]
enum Garbage {
    Html200,
    Html502,
    BrokenJson,
    JsonArray,
    Huge,
}

async fn garbage(State(kind): State<Garbage>) -> Response {
    match kind {
        Garbage::Html200 => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Maintenance</body></html>",
        )
            .into_response(),
        Garbage::Html502 => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>Bad Gateway</html>",
        )
            .into_response(),
        Garbage::BrokenJson => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"access_token\": ",
        )
            .into_response(),
        Garbage::JsonArray => axum::Json(json!(["access_token"])).into_response(),
        Garbage::Huge => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            vec![b' '; 2 * 1024 * 1024],
        )
            .into_response(),
    }
}

#[tokio::test]
async fn provider_answers_garbage() {
    let client = OAuthClient::default();
    for (kind, check) in [
        (Garbage::Html200, "InvalidResponse"),
        (Garbage::Html502, "Status"),
        (Garbage::BrokenJson, "InvalidResponse"),
        (Garbage::JsonArray, "InvalidResponse"),
        (Garbage::Huge, "InvalidResponse"),
    ] {
        let router = Router::new().fallback(garbage).with_state(kind);
        let base = format!("http://{}", serve(router).await);

        let oidc = providers::oidc(
            "garbage",
            base.as_str().into(),
            CLIENT_ID.into(),
            CLIENT_SECRET.into(),
        );
        let err = client.authorize(&oidc, CALLBACK).await.unwrap_err();
        let ok = match check {
            "Status" => matches!(
                err,
                OAuthError::Status {
                    endpoint: Endpoint::Discovery,
                    status: 502
                }
            ),
            _ => matches!(
                err,
                OAuthError::InvalidResponse {
                    endpoint: Endpoint::Discovery,
                    ..
                }
            ),
        };
        assert!(ok, "discovery, {check}: {err:?}");

        let err = callback_of(&client, &oauth_provider(&base))
            .await
            .unwrap_err();
        let ok = match check {
            "Status" => matches!(
                err,
                OAuthError::Status {
                    endpoint: Endpoint::Token,
                    status: 502
                }
            ),
            _ => matches!(
                err,
                OAuthError::InvalidResponse {
                    endpoint: Endpoint::Token,
                    ..
                }
            ),
        };
        assert!(ok, "token, {check}: {err:?}");
    }
}

/// A token endpoint refusing with text of its own choosing (a forged log line, half a
/// megabyte of description): the error carries it bounded (200 characters) and escaped.
#[tokio::test]
async fn token_endpoint_error_text_is_bounded_and_escaped() {
    async fn refuse() -> Response {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "error": "invalid_grant\r\n2026-01-01T00:00:00Z ERROR forged line",
                "error_description": "d".repeat(512 * 1024),
            })),
        )
            .into_response()
    }
    let base = format!(
        "http://{}",
        serve(Router::new().route("/token", post(refuse))).await
    );
    let err = callback_of(&OAuthClient::default(), &oauth_provider(&base))
        .await
        .unwrap_err();
    let OAuthError::Token { error, description } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        error,
        "invalid_grant\\r\\n2026-01-01T00:00:00Z ERROR forged line"
    );
    assert_eq!(description.as_deref().map(str::len), Some(200));
    let text = err.to_string();
    assert!(!text.contains(['\r', '\n']), "{text}");
    assert!(text.len() < 500, "{} characters", text.len());
}

// ---------------------------------------------------------------------------------------
// A GitHub-shaped OAuth 2.0 server for the preset
// ---------------------------------------------------------------------------------------

/// Authorize at the GitHub-shaped server; returns the callback query and the checks.
async fn github_authorize(
    client: &OAuthClient,
    provider: &OAuthProvider,
) -> (Vec<(String, String)>, Checks) {
    let auth = client.authorize(provider, CALLBACK).await.unwrap();
    let q: HashMap<_, _> = url::Url::parse(&auth.url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["scope"], "read:user user:email");
    assert!(!q.contains_key("nonce"), "no nonce for plain OAuth 2.0");
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&auth.url)
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(response.headers()[header::LOCATION].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(CALLBACK));
    let query = location.query_pairs().into_owned().collect();
    (query, auth.checks)
}

#[tokio::test]
async fn github_preset_signs_in_with_primary_email() {
    let (gh, provider) = github_server().await;
    let client = OAuthClient::default();
    let (query, checks) = github_authorize(&client, &provider).await;
    let signed_in = client
        .callback(&provider, CALLBACK, &query, &checks)
        .await
        .unwrap();
    assert_eq!(signed_in.user.id, "583231");
    assert_eq!(
        signed_in.user.name.as_deref(),
        Some("octocat"),
        "name falls back to login"
    );
    assert_eq!(
        signed_in.user.email.as_deref(),
        Some("octocat@example.test"),
        "the primary address"
    );
    assert_eq!(
        signed_in.user.image.as_deref(),
        Some("https://avatars.example/u/583231")
    );
    let account = &signed_in.account;
    assert_eq!(account.provider, "github");
    assert_eq!(account.provider_account_id, "583231");
    assert_eq!(account.kind, AccountType::Oauth);
    assert_eq!(account.access_token.as_deref(), Some("gho_test"));
    assert_eq!(account.scope.as_deref(), Some("read:user,user:email"));
    assert_eq!(account.id_token, None);
    assert_eq!(signed_in.profile.raw["login"], "octocat");
    assert_eq!(
        *gh.auth_methods.lock().unwrap(),
        vec!["client_secret_basic"]
    );

    // The same code again: GitHub-style 200 with `error`.
    let err = client
        .callback(&provider, CALLBACK, &query, &checks)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Token { error, .. } if error == "bad_verification_code"),
        "{err:?}"
    );
}

#[tokio::test]
async fn github_client_secret_post_and_wrong_verifier() {
    let (gh, mut provider) = github_server().await;
    provider.client_auth = ClientAuth::ClientSecretPost;
    let client = OAuthClient::default();
    let (query, checks) = github_authorize(&client, &provider).await;
    client
        .callback(&provider, CALLBACK, &query, &checks)
        .await
        .unwrap();
    assert_eq!(*gh.auth_methods.lock().unwrap(), vec!["client_secret_post"]);

    let (query, checks) = github_authorize(&client, &provider).await;
    let wrong = Checks {
        code_verifier: Some("b".repeat(43)),
        ..checks
    };
    let err = client
        .callback(&provider, CALLBACK, &query, &wrong)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Token { error, .. } if error == "bad_verification_code"),
        "{err:?}"
    );
}

#[tokio::test]
async fn github_emails_failure_is_tolerated() {
    let (gh, provider) = github_server().await;
    gh.emails_fail.store(true, Ordering::SeqCst);
    let client = OAuthClient::default();
    let (query, checks) = github_authorize(&client, &provider).await;
    let signed_in = client
        .callback(&provider, CALLBACK, &query, &checks)
        .await
        .unwrap();
    assert_eq!(signed_in.user.id, "583231");
    assert_eq!(signed_in.user.email, None);
}

#[tokio::test]
async fn provider_error_and_missing_code() {
    let (_gh, provider) = github_server().await;
    let client = OAuthClient::default();
    let (query, checks) = github_authorize(&client, &provider).await;
    let state = checks.state.clone().unwrap();
    let denied = vec![
        ("error".to_owned(), "access_denied".to_owned()),
        (
            "error_description".to_owned(),
            "The user has denied your application access.".to_owned(),
        ),
        ("state".to_owned(), state.clone()),
    ];
    let err = client
        .callback(&provider, CALLBACK, &denied, &checks)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Provider { error, .. } if error == "access_denied"),
        "{err:?}"
    );
    let no_code = vec![("state".to_owned(), state)];
    let err = client
        .callback(&provider, CALLBACK, &no_code, &checks)
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::MissingCode), "{err:?}");
    // And the real code is still good.
    client
        .callback(&provider, CALLBACK, &query, &checks)
        .await
        .unwrap();
}

#[tokio::test]
async fn github_form_encoded_token_answer_is_understood() {
    let (gh, provider) = github_server().await;
    gh.form_answers.store(true, Ordering::SeqCst);
    let client = OAuthClient::default();
    let (query, checks) = github_authorize(&client, &provider).await;
    let signed_in = client
        .callback(&provider, CALLBACK, &query, &checks)
        .await
        .unwrap();
    assert_eq!(signed_in.account.access_token.as_deref(), Some("gho_test"));
    assert_eq!(signed_in.account.token_type.as_deref(), Some("bearer"));
    assert_eq!(
        signed_in.user.email.as_deref(),
        Some("octocat@example.test")
    );
}
