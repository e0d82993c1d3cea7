//! A provider-shaped OAuth 2.0 / OIDC server on loopback, parameterised by the provider's
//! paths and answers ([`Shape`]), for the presets whose real servers cannot be reached from
//! here: GitLab's `/api/v4/user`, Discord's `/api/users/@me`, Graph's `/me?fields=..`,
//! X's `/2/users/me`, Entra ID's `/{tenant}/v2.0` issuer, Apple's `form_post`, ...
//!
//! - authorize: checks the client id and the PKCE method, remembers every parameter
//!   ([`Fake::authorizations`]) and the grant, then sends the browser back with `code` and
//!   `state`: a redirect, or for `response_mode=form_post` the form the provider's page
//!   would POST, as JSON (`{"action": .., "fields": {..}}`, [`FormPost`]), or to a browser
//!   (`Accept: text/html`) that page, which POSTs itself;
//! - token: checks the client authentication of the [`Shape`] (a wrong method or secret is
//!   `401 invalid_client`), the single-use code, the PKCE verifier and the redirect URI
//!   (`400 invalid_grant`); answers the token (and for OIDC an ID token signed with a test
//!   Ed25519 key: `iss`, `aud`, `sub`, `nonce`, `iat`, `exp` and the test's claims), or the
//!   error a test set ([`Fake::token_error`]);
//! - userinfo: checks the bearer token and answers the test's profile, or a status
//!   ([`Fake::userinfo_status`]);
//! - OIDC: discovery under the issuer's path (its `issuer` may be a template, as Entra ID's
//!   `{tenantid}`) and the JWKS.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use auth_runtime::config::{ClientAuth, OAuthProvider};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::Digest;

/// The registered client.
pub const CLIENT_ID: &str = "fake-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "fake-secret";
/// The access token the fake hands out.
pub const ACCESS_TOKEN: &str = "fake-access-token";

/// Where a provider's endpoints are and how it answers.
#[derive(Clone, Debug)]
pub struct Shape {
    /// The authorization endpoint's path (`/oauth/authorize`).
    pub authorize: &'static str,
    /// The token endpoint's path.
    pub token: &'static str,
    /// The userinfo endpoint's path, with its query if the provider has one
    /// (`/me?fields=id,name,email,picture`); `None`: no userinfo endpoint (Apple).
    pub userinfo: Option<&'static str>,
    /// How the client must authenticate at the token endpoint.
    pub client_auth: ClientAuth,
    /// OIDC: the issuer's path under the server (`""`, `/realms/main`, `/common/v2.0`).
    pub issuer_path: Option<&'static str>,
    /// OIDC: the issuer the discovery document names, as a path under the server, when it
    /// is not the issuer's own (Entra ID's multi-tenant `/{tenantid}/v2.0`).
    pub discovery_issuer_path: Option<&'static str>,
    /// Members added to every token answer (Twitch's `scope` array).
    pub token_extra: Value,
    /// PKCE is required (most); `false`: a PKCE verifier is refused with `invalid_client`,
    /// as LinkedIn and Slack refuse a confidential client's.
    pub pkce: bool,
    /// The ID token carries the request's `nonce` (all but LinkedIn).
    pub echoes_nonce: bool,
}

impl Shape {
    /// An OAuth 2.0 provider at these paths, `client_secret_basic`.
    pub fn oauth(authorize: &'static str, token: &'static str, userinfo: &'static str) -> Self {
        Shape {
            authorize,
            token,
            userinfo: Some(userinfo),
            client_auth: ClientAuth::ClientSecretBasic,
            issuer_path: None,
            discovery_issuer_path: None,
            token_extra: json!({}),
            pkce: true,
            echoes_nonce: true,
        }
    }

    /// An OIDC provider whose issuer is at `issuer_path` (`/authorize`, `/token`,
    /// `/userinfo` at the server's root), `client_secret_basic`.
    pub fn oidc(issuer_path: &'static str) -> Self {
        Shape {
            issuer_path: Some(issuer_path),
            ..Shape::oauth("/authorize", "/token", "/userinfo")
        }
    }

    /// Refusing PKCE (`nonce`: and leaving the nonce out of its ID tokens).
    pub fn without_pkce(self, nonce: bool) -> Self {
        Shape {
            pkce: false,
            echoes_nonce: nonce,
            ..self
        }
    }

    /// With `client_secret_post`.
    pub fn post(self) -> Self {
        Shape {
            client_auth: ClientAuth::ClientSecretPost,
            ..self
        }
    }
}

/// What the authorization request remembered for its code.
#[derive(Clone, Debug)]
struct Grant {
    challenge: Option<String>,
    redirect_uri: String,
    nonce: Option<String>,
}

/// Checks a client secret (the default compares it with [`CLIENT_SECRET`]; Apple's is a
/// JWT the test verifies).
pub type SecretCheck = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// The server's state, which a test reads and steers.
pub struct Fake {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The OIDC issuer (`base` + the issuer's path).
    pub issuer: Option<String>,
    shape: Shape,
    key: (jsonwebtoken::EncodingKey, Value),
    codes: Mutex<HashMap<String, Grant>>,
    counter: AtomicUsize,
    /// The parameters of every authorization request, in order.
    pub authorizations: Mutex<Vec<HashMap<String, String>>>,
    /// How the client authenticated at the token endpoint, and the form it sent.
    pub token_requests: Mutex<Vec<(&'static str, HashMap<String, String>)>>,
    /// The userinfo answer (the provider's profile document).
    pub profile: Mutex<Value>,
    /// The ID token's claims beyond `iss`, `aud`, `nonce`, `iat` and `exp` (a member set
    /// to `null` is left out; `iss` and `aud` here replace the right ones).
    pub claims: Mutex<Value>,
    /// The next token answers are this status and body.
    pub token_error: Mutex<Option<(u16, Value)>>,
    /// The next userinfo answers are this status.
    pub userinfo_status: Mutex<Option<u16>>,
    /// Apple's `user` field, sent with the form of the next `form_post` return.
    pub form_user: Mutex<Option<String>>,
    /// How the client secret is checked.
    pub secret_check: Mutex<SecretCheck>,
}

/// The form a `form_post` provider's page POSTs to the callback.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct FormPost {
    /// The callback URL.
    pub action: String,
    /// The fields (`code`, `state`, Apple's `user`).
    pub fields: HashMap<String, String>,
}

/// An Ed25519 key from a fixed seed (PKCS#8 v1 DER: a fixed prefix and the 32-byte seed),
/// with its public JWK.
pub fn ed25519_key(seed: u8, kid: &str) -> (jsonwebtoken::EncodingKey, Value) {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[seed; 32]);
    let key = jsonwebtoken::EncodingKey::from_ed_der(&der);
    let mut jwk =
        jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::EdDSA).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    (key, serde_json::to_value(jwk).unwrap())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

impl Fake {
    /// Starts a server shaped like `shape` (in the calling test's runtime).
    pub async fn start(shape: Shape) -> Arc<Fake> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let default_check: SecretCheck = Arc::new(|s: &str| s == CLIENT_SECRET);
        let fake = Arc::new(Fake {
            issuer: shape.issuer_path.map(|p| format!("{base}{p}")),
            base,
            key: ed25519_key(7, "fake-key"),
            codes: Mutex::default(),
            counter: AtomicUsize::new(0),
            authorizations: Mutex::default(),
            token_requests: Mutex::default(),
            profile: Mutex::new(json!({})),
            claims: Mutex::new(json!({})),
            token_error: Mutex::default(),
            userinfo_status: Mutex::default(),
            form_user: Mutex::default(),
            secret_check: Mutex::new(default_check),
            shape: shape.clone(),
        });
        let path = |p: &str| p.split('?').next().unwrap_or(p).to_owned();
        let mut router = Router::new()
            .route(&path(shape.authorize), get(authorize))
            .route(&path(shape.token), post(token));
        if let Some(userinfo) = shape.userinfo {
            router = router.route(&path(userinfo), get(userinfo_endpoint));
        }
        if let Some(issuer_path) = shape.issuer_path {
            router = router
                .route(
                    &format!(
                        "{}/.well-known/openid-configuration",
                        issuer_path.trim_end_matches('/')
                    ),
                    get(discovery),
                )
                .route("/jwks", get(jwks));
        }
        let router = router.with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        fake
    }

    /// Points a preset at this server: the issuer (OIDC), else the three endpoint URLs.
    pub fn point(&self, provider: &mut OAuthProvider) {
        match &self.issuer {
            Some(issuer) => provider.issuer = Some(issuer.as_str().into()),
            None => {
                provider.authorization_url =
                    Some(format!("{}{}", self.base, self.shape.authorize).into());
                provider.token_url = Some(format!("{}{}", self.base, self.shape.token).into());
                provider.userinfo_url = self
                    .shape
                    .userinfo
                    .map(|u| format!("{}{u}", self.base).into());
            }
        }
    }

    /// Sets the userinfo answer.
    pub fn set_profile(&self, profile: Value) {
        *self.profile.lock().unwrap() = profile;
    }

    /// Sets the ID token's claims (OIDC).
    pub fn set_claims(&self, claims: Value) {
        *self.claims.lock().unwrap() = claims;
    }

    /// The next token answers are `status` with `body`.
    pub fn fail_token(&self, status: u16, body: Value) {
        *self.token_error.lock().unwrap() = Some((status, body));
    }

    /// The next userinfo answers are `status`.
    pub fn fail_userinfo(&self, status: u16) {
        *self.userinfo_status.lock().unwrap() = Some(status);
    }

    /// The parameters of the last authorization request.
    pub fn last_authorization(&self) -> HashMap<String, String> {
        self.authorizations.lock().unwrap().last().cloned().unwrap()
    }

    fn id_token(&self, nonce: Option<&str>) -> String {
        let issuer = self.issuer.clone().unwrap_or_default();
        let mut claims = json!({
            "iss": issuer,
            "aud": CLIENT_ID,
            "iat": now(),
            "exp": now() + 300,
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        for (k, v) in self.claims.lock().unwrap().as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some("fake-key".to_owned());
        jsonwebtoken::encode(&header, &claims, &self.key.0).unwrap()
    }
}

async fn discovery(State(fake): State<Arc<Fake>>) -> Response {
    let issuer = match fake.shape.discovery_issuer_path {
        Some(p) => format!("{}{p}", fake.base),
        None => fake.issuer.clone().unwrap_or_default(),
    };
    let base = &fake.base;
    let mut doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}{}", fake.shape.authorize),
        "token_endpoint": format!("{base}{}", fake.shape.token),
        "jwks_uri": format!("{base}/jwks"),
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "code_challenge_methods_supported": ["S256"],
    });
    if let Some(u) = fake.shape.userinfo {
        doc["userinfo_endpoint"] = json!(format!("{base}{u}"));
    }
    axum::Json(doc).into_response()
}

async fn jwks(State(fake): State<Arc<Fake>>) -> Response {
    axum::Json(json!({ "keys": [fake.key.1.clone()] })).into_response()
}

/// Text for an HTML attribute value.
fn attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn authorize(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    fake.authorizations.lock().unwrap().push(q.clone());
    let pkce_ok =
        !fake.shape.pkce || q.get("code_challenge_method").map(String::as_str) == Some("S256");
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || !pkce_ok
        || q.get("response_type").map(String::as_str) != Some("code")
    {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let code = format!("fake-code-{}", fake.counter.fetch_add(1, Ordering::SeqCst));
    fake.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            challenge: q.get("code_challenge").cloned(),
            redirect_uri: q["redirect_uri"].clone(),
            nonce: q.get("nonce").cloned(),
        },
    );
    let mut fields = vec![("code".to_owned(), code)];
    if let Some(state) = q.get("state") {
        fields.push(("state".to_owned(), state.clone()));
    }
    if q.get("response_mode").map(String::as_str) == Some("form_post") {
        if let Some(user) = fake.form_user.lock().unwrap().take() {
            fields.push(("user".to_owned(), user));
        }
        // A browser gets the page Apple serves: a form that POSTs itself to the callback.
        let browser = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
        if browser {
            let inputs: String = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                        attr(k),
                        attr(v)
                    )
                })
                .collect();
            return axum::response::Html(format!(
                "<!doctype html><form method=\"post\" action=\"{}\">{inputs}</form>\
                 <script>document.forms[0].submit()</script>",
                attr(&q["redirect_uri"])
            ))
            .into_response();
        }
        let fields: HashMap<_, _> = fields.into_iter().collect();
        return axum::Json(json!({"action": q["redirect_uri"], "fields": fields})).into_response();
    }
    let mut back = url::Url::parse(&q["redirect_uri"]).unwrap();
    back.query_pairs_mut().extend_pairs(fields);
    Redirect::to(back.as_str()).into_response()
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let decoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())?;
    let (id, secret) = decoded.split_once(':')?;
    let dec = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((dec(id), dec(secret)))
}

fn oauth_error(status: u16, error: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        axum::Json(json!({"error": error, "error_description": "refused by the fake"})),
    )
        .into_response()
}

async fn token(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (method, credentials) = match basic_credentials(&headers) {
        Some(c) => ("client_secret_basic", Some(c)),
        None => (
            "client_secret_post",
            form.get("client_id")
                .zip(form.get("client_secret"))
                .map(|(i, s)| (i.clone(), s.clone())),
        ),
    };
    fake.token_requests
        .lock()
        .unwrap()
        .push((method, form.clone()));
    let expected = match fake.shape.client_auth {
        ClientAuth::ClientSecretBasic => "client_secret_basic",
        _ => "client_secret_post",
    };
    let check = fake.secret_check.lock().unwrap().clone();
    match credentials {
        Some((id, secret)) if method == expected && id == CLIENT_ID && check(&secret) => {}
        _ => return oauth_error(401, "invalid_client"),
    }
    let Some(grant) = fake
        .codes
        .lock()
        .unwrap()
        .remove(form.get("code").map(String::as_str).unwrap_or(""))
    else {
        return oauth_error(400, "invalid_grant");
    };
    let verifier = form.get("code_verifier");
    if !fake.shape.pkce && verifier.is_some() {
        return oauth_error(401, "invalid_client");
    }
    let challenge = verifier.map(|v| URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(v.as_bytes())));
    if (fake.shape.pkce && challenge != grant.challenge)
        || form.get("redirect_uri") != Some(&grant.redirect_uri)
        || form.get("grant_type").map(String::as_str) != Some("authorization_code")
    {
        return oauth_error(400, "invalid_grant");
    }
    if let Some((status, body)) = fake.token_error.lock().unwrap().clone() {
        return (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
    }
    let mut body = json!({
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 3600,
    });
    if fake.issuer.is_some() {
        let nonce = grant.nonce.as_deref().filter(|_| fake.shape.echoes_nonce);
        body["id_token"] = json!(fake.id_token(nonce));
    }
    for (k, v) in fake.shape.token_extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    axum::Json(body).into_response()
}

async fn userinfo_endpoint(
    State(fake): State<Arc<Fake>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {ACCESS_TOKEN}"))
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    // The query the shape names (Graph's `fields`) must arrive as configured.
    let wanted = fake
        .shape
        .userinfo
        .and_then(|u| u.split_once('?'))
        .map(|(_, q)| q);
    if let Some(wanted) = wanted {
        let sent: Vec<(String, String)> = q.into_iter().collect();
        let expected: Vec<(String, String)> = url::form_urlencoded::parse(wanted.as_bytes())
            .into_owned()
            .collect();
        if expected.iter().any(|e| !sent.contains(e)) {
            return StatusCode::BAD_REQUEST.into_response();
        }
    }
    if let Some(status) = *fake.userinfo_status.lock().unwrap() {
        return oauth_error(status, "server_error");
    }
    axum::Json(fake.profile.lock().unwrap().clone()).into_response()
}
