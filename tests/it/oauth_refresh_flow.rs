//! Refresh-token rotation from the `jwt` callback of an `auth!` configuration, through
//! `Auth::handle`, against the real oidc-provider (which rotates refresh tokens and
//! refuses a rotated-out one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use auth_runtime::Auth;
use auth_tests::cookies::CookieJar;
use auth_tests::oauth::{BASIC, Browser as ProviderBrowser, OidcProvider, REDIRECT_URI};
use bytes::Bytes;

fn issuer() -> String {
    OidcProvider::shared().issuer.clone()
}

mod app {
    use std::sync::LazyLock;

    use auth_runtime::providers::oauth::OAuthClient;
    use auth_runtime::providers::refresh::{is_expired, refresh_access_token};

    static CLIENT: LazyLock<OAuthClient> = LazyLock::new(OAuthClient::default);

    fn provider() -> auth_runtime::config::OAuthProvider {
        auth_runtime::providers::oidc(
            "oidc",
            super::issuer().into(),
            super::BASIC.0.into(),
            super::BASIC.1.into(),
        )
    }

    auth_runtime::auth! {
        token: {
            access_token: Option<String>,
            refresh_token: Option<String>,
            expires_at: Option<i64>,
            refreshes: u32,
            error: Option<String>,
        },
        session_user: { refreshes: u32, error: Option<String> },
        providers: [
            Oidc {
                id: "oidc",
                issuer: super::issuer(),
                client_id: super::BASIC.0,
                client_secret: super::BASIC.1,
            },
        ],
        callbacks: {
            async jwt(token, account) {
                if let Some(account) = account {
                    token.access_token = account.access_token.clone();
                    token.refresh_token = account.refresh_token.clone();
                    token.expires_at = account.expires_at;
                    return token;
                }
                // The provider's access tokens live an hour: a leeway of two hours makes
                // every session read refresh, so the test sees rotation at work.
                if !is_expired(token.expires_at, 2 * 3600) {
                    return token;
                }
                let Some(refresh_token) = token.refresh_token.clone() else {
                    token.error = Some("RefreshTokenError".to_owned());
                    return token;
                };
                match refresh_access_token(&CLIENT, &provider(), &refresh_token).await {
                    Ok(fresh) => {
                        token.access_token = Some(fresh.access_token);
                        token.refresh_token = Some(fresh.refresh_token);
                        token.expires_at = fresh.expires_at;
                        token.refreshes += 1;
                        token.error = None;
                    }
                    Err(_) => token.error = Some("RefreshTokenError".to_owned()),
                }
                token
            },
            session(session, token) {
                session.user.refreshes = token.refreshes;
                session.user.error = token.error.clone();
                session
            },
        },
    }
}

/// A browser for `Auth::handle`: keeps cookies.
struct App {
    auth: Auth<app::Token, app::SessionUser>,
    jar: CookieJar,
}

impl App {
    async fn send(&mut self, method: &str, path: &str, body: &str) -> http::Response<Bytes> {
        let cookie = self.jar.header();
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from(body.to_owned()))
            .unwrap();
        let response = self.auth.handle(request).await;
        self.jar.store(response.headers());
        response
    }

    async fn session(&mut self) -> serde_json::Value {
        let response = self.send("GET", "/api/auth/session", "").await;
        serde_json::from_slice(response.body()).unwrap()
    }

    async fn sign_in(&mut self) {
        let csrf: serde_json::Value =
            serde_json::from_slice(self.send("GET", "/api/auth/csrf", "").await.body()).unwrap();
        let token = csrf["csrfToken"].as_str().unwrap();
        let response = self
            .send(
                "POST",
                "/api/auth/signin/oidc",
                &format!("csrfToken={token}"),
            )
            .await;
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let back = ProviderBrowser::default()
            .follow_until(&location, REDIRECT_URI)
            .await;
        let response = self
            .send(
                "GET",
                &format!("/api/auth/callback/oidc?{}", back.query().unwrap()),
                "",
            )
            .await;
        assert_eq!(response.status(), 302);
    }
}

fn app() -> App {
    let config = app::config()
        .with_secrets(["refresh-flow-test-secret-0123456789abcdef"])
        .with_url("http://localhost:3000");
    App {
        auth: Auth::new(config).unwrap(),
        jar: CookieJar::new(),
    }
}

#[tokio::test]
async fn jwt_callback_refreshes_and_rotates() {
    let mut app = app();
    app.sign_in().await;
    // Each read refreshes with the refresh token the previous read stored; the provider
    // refuses a rotated-out token, so three successes prove the write-back.
    for expected in 1..=3 {
        let session = app.session().await;
        assert_eq!(
            session["user"]["error"],
            serde_json::Value::Null,
            "{session}"
        );
        assert_eq!(session["user"]["refreshes"], expected, "{session}");
    }
}
