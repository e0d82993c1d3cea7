//! Shared by the `oauth_*` tests: the real oidc-provider process and a cookie-keeping
//! redirect follower standing in for the browser.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock, mpsc};
use std::time::Duration;

use auth_runtime::config::{ClientAuth, OAuthProvider};
use auth_runtime::providers;

use crate::cookies::CookieJar;
use crate::node;

pub mod fake;
pub mod github;

/// Where the provider sends the browser back (any registered URI works: the browser
/// stand-in never requests it, it hands the query to the client or to `Auth::handle`).
pub const REDIRECT_URI: &str = "http://localhost:3000/api/auth/callback/oidc";

/// The clients registered at the shared oidc-provider.
pub const BASIC: (&str, &str) = ("basic-client", "basic-secret");
/// Authenticates with `client_secret_post`.
pub const POST: (&str, &str) = ("post-client", "post-secret");
/// Gets ES256-signed ID tokens.
pub const ES256: (&str, &str) = ("es256-client", "es256-secret");
/// Gets EdDSA-signed ID tokens.
pub const EDDSA: (&str, &str) = ("eddsa-client", "eddsa-secret");
/// Not required to use PKCE (every other client is), `client_secret_basic`.
pub const NO_PKCE_BASIC: (&str, &str) = ("nopkce-basic-client", "nopkce-basic-secret");
/// Not required to use PKCE, `client_secret_post`.
pub const NO_PKCE_POST: (&str, &str) = ("nopkce-post-client", "nopkce-post-secret");

/// A running `tests/js/oidc-provider.mjs`. It exits when its stdin closes, i.e. when
/// this process ends, even if the test panicked.
pub struct OidcProvider {
    /// Its issuer URL (`http://127.0.0.1:<port>`).
    pub issuer: String,
    child: Mutex<Child>,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl OidcProvider {
    /// Starts a provider with the six test clients on a free loopback port.
    pub fn start() -> OidcProvider {
        node::require("oidc-provider");
        let client = |(id, secret): (&str, &str), extra: serde_json::Value| {
            let mut c = serde_json::json!({
                "client_id": id,
                "client_secret": secret,
                "redirect_uris": [REDIRECT_URI],
            });
            for (k, v) in extra.as_object().unwrap() {
                c[k] = v.clone();
            }
            c
        };
        let options = serde_json::json!({
            "clients": [
                client(BASIC, serde_json::json!({})),
                client(POST, serde_json::json!({"token_endpoint_auth_method": "client_secret_post"})),
                client(ES256, serde_json::json!({"id_token_signed_response_alg": "ES256"})),
                client(EDDSA, serde_json::json!({"id_token_signed_response_alg": "EdDSA"})),
                client(NO_PKCE_BASIC, serde_json::json!({})),
                client(NO_PKCE_POST, serde_json::json!({"token_endpoint_auth_method": "client_secret_post"})),
            ]
        });
        let mut child = Command::new("node")
            .arg("oidc-provider.mjs")
            .arg("0")
            .arg(options.to_string())
            .current_dir(node::js_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start `node` (run `scripts/setup`)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(issuer) = line.strip_prefix("READY ") {
                    let _ = tx.send(issuer.to_owned());
                }
            }
        });
        let issuer = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(issuer) => issuer,
            Err(_) => {
                let _ = child.kill();
                panic!("oidc-provider did not start within 60 s (run `scripts/setup`)");
            }
        };
        OidcProvider {
            issuer,
            child: Mutex::new(child),
        }
    }

    /// One provider per test process.
    pub fn shared() -> &'static OidcProvider {
        static PROVIDER: OnceLock<OidcProvider> = OnceLock::new();
        PROVIDER.get_or_init(OidcProvider::start)
    }

    /// An `oidc` provider for one of the registered clients.
    pub fn provider(&self, (id, secret): (&str, &str)) -> OAuthProvider {
        let mut p = providers::oidc(
            "oidc",
            self.issuer.as_str().into(),
            id.into(),
            secret.into(),
        );
        if id == POST.0 {
            p.client_auth = ClientAuth::ClientSecretPost;
        }
        p
    }
}

/// A minimal browser: follows redirects one by one, keeps cookies by name.
pub struct Browser {
    http: reqwest::Client,
    cookies: CookieJar,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            cookies: CookieJar::new(),
        }
    }
}

impl Browser {
    /// Follows redirects from `url` until one leads to `stop_prefix`; returns that URL.
    pub async fn follow_until(&mut self, url: &str, stop_prefix: &str) -> url::Url {
        let mut current = url::Url::parse(url).unwrap();
        for _ in 0..20 {
            if current.as_str().starts_with(stop_prefix) {
                return current;
            }
            let response = self
                .http
                .get(current.clone())
                .header(reqwest::header::COOKIE, self.cookies.header())
                .send()
                .await
                .unwrap();
            self.cookies.store(response.headers());
            let status = response.status();
            if !status.is_redirection() {
                let body = response.text().await.unwrap_or_default();
                panic!("expected a redirect from {current}, got {status}: {body}");
            }
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            current = current.join(&location).unwrap();
        }
        panic!("more than 20 redirects");
    }
}

/// The query pairs of a URL.
pub fn query_of(url: &url::Url) -> Vec<(String, String)> {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Replaces (or adds) one query parameter.
pub fn with_param(query: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = query.iter().filter(|(k, _)| k != name).cloned().collect();
    out.push((name.to_owned(), value.to_owned()));
    out
}
