//! The whole OAuth/OIDC sign-in through `Auth::handle` against the real oidc-provider:
//! `POST /signin/oidc` -> the provider's login/consent -> `GET /callback/oidc` -> a signed-in
//! `GET /session`, and the attacks as the flow sees them (the check cookies are the only
//! place the state, PKCE verifier and nonce live).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use auth_runtime::config::{JwtArgs, OAuthProvider};
use auth_runtime::{Account, AuthConfig, Profile, Provider};
use auth_tests::flow::{Browser as App, ORIGIN, SECRET, SUser, Tok, auth, boxed};
use auth_tests::oauth::{BASIC, Browser as ProviderBrowser, OidcProvider, REDIRECT_URI};

const CHECK_COOKIES: [&str; 3] = ["authjs.state", "authjs.pkce.code_verifier", "authjs.nonce"];

type Seen = Arc<Mutex<Vec<(Option<Account>, Option<Profile>)>>>;

/// An app with the `oidc` provider, recording what its `jwt` callback receives.
fn app(provider: OAuthProvider, seen: Seen) -> App {
    let config = AuthConfig::<Tok, SUser>::__new()
        .__provider(Provider::OAuth(provider))
        .__jwt(Arc::new(move |args: JwtArgs<Tok>| {
            let seen = seen.clone();
            boxed(async move {
                if args.account.is_some() {
                    seen.lock()
                        .unwrap()
                        .push((args.account.clone(), args.profile.clone()));
                }
                Some(args.token)
            })
        }))
        .with_secrets([SECRET])
        .with_url(ORIGIN);
    App::new(auth(config))
}

/// `POST /signin/oidc`; returns the authorization URL.
async fn start(app: &mut App) -> String {
    let csrf = app.csrf().await;
    let res = app
        .post_form(
            "/signin/oidc",
            &[
                ("csrfToken", &csrf),
                ("callbackUrl", "http://localhost:3000/dashboard"),
            ],
        )
        .await;
    assert_eq!(res.status, 302, "{:?}", res.body);
    res.location().to_owned()
}

/// The provider's part: login and consent, back to our callback URL.
async fn at_provider(authorization_url: &str) -> url::Url {
    ProviderBrowser::default()
        .follow_until(authorization_url, REDIRECT_URI)
        .await
}

fn callback_path(back: &url::Url) -> String {
    format!("/api/auth/callback/oidc?{}", back.query().unwrap())
}

#[tokio::test]
async fn oidc_full_flow_to_a_signed_in_session() {
    let op = OidcProvider::shared();
    let seen = Seen::default();
    let mut app = app(op.provider(BASIC), seen.clone());
    assert_eq!(app.session().await, serde_json::Value::Null);

    let authorization_url = start(&mut app).await;
    assert!(authorization_url.starts_with(&format!("{}/auth?", op.issuer)));
    for name in CHECK_COOKIES {
        assert!(app.jar.contains_key(name), "{name} cookie set by /signin");
        // Sealed: the cookie does not carry the value in clear.
        let value = &app.jar[name];
        assert!(!authorization_url.contains(value.as_str()));
    }

    let back = at_provider(&authorization_url).await;
    let res = app.get(&callback_path(&back)).await;
    assert_eq!(res.status, 302, "{:?}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.location(), "http://localhost:3000/dashboard");
    for name in CHECK_COOKIES {
        assert!(
            !app.jar.contains_key(name),
            "{name} cleared by the callback"
        );
    }

    let session = app.session().await;
    assert_eq!(session["user"]["email"], "user-1@example.test");
    assert_eq!(session["user"]["name"], "Test User user-1");
    assert_eq!(
        session["user"]["image"],
        "http://127.0.0.1/avatars/user-1.png"
    );
    assert!(session["expires"].is_string());

    // The `jwt` callback got the typed account and profile, once, on sign-in.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (account, profile) = &seen[0];
    let account = account.as_ref().unwrap();
    assert_eq!(account.provider, "oidc");
    assert_eq!(account.provider_account_id, "user-1");
    assert!(account.access_token.is_some() && account.id_token.is_some());
    assert!(account.refresh_token.is_some() && account.expires_at.is_some());
    assert_eq!(profile.as_ref().unwrap().id, "user-1");
}

async fn assert_refused(app: &mut App, path: &str) {
    let res = app.get(path).await;
    assert_eq!(res.status, 302);
    assert!(
        res.location().contains("error=OAuthCallbackError"),
        "{}",
        res.location()
    );
    assert_eq!(app.session().await, serde_json::Value::Null, "no session");
    for name in CHECK_COOKIES {
        assert!(
            !app.jar.contains_key(name),
            "{name} cleared after a failed callback"
        );
    }
}

#[tokio::test]
async fn flow_wrong_state_is_refused() {
    let op = OidcProvider::shared();
    let mut app = app(op.provider(BASIC), Seen::default());
    let back = at_provider(&start(&mut app).await).await;
    let mut forged = back.clone();
    let pairs: Vec<(String, String)> = back
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "forged".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    assert_refused(&mut app, &callback_path(&forged)).await;
}

#[tokio::test]
async fn flow_replayed_callback_is_refused() {
    let op = OidcProvider::shared();
    let mut app = app(op.provider(BASIC), Seen::default());
    let back = at_provider(&start(&mut app).await).await;
    let res = app.get(&callback_path(&back)).await;
    assert_eq!(res.location(), "http://localhost:3000/dashboard");

    // The same browser again: its check cookies are gone.
    let mut again = app;
    again.jar.retain(|k, _| !k.contains("session-token"));
    assert_refused(&mut again, &callback_path(&back)).await;

    // Another browser (an attacker replaying a leaked callback URL): no check cookies.
    let mut other = self::app(op.provider(BASIC), Seen::default());
    assert_refused(&mut other, &callback_path(&back)).await;
}

#[tokio::test]
async fn flow_callback_into_another_browser_is_refused() {
    // Login CSRF: the attacker's own callback URL, opened in the victim's browser, which
    // has check cookies from its own sign-in attempt.
    let op = OidcProvider::shared();
    let mut attacker = app(op.provider(BASIC), Seen::default());
    let attackers_back = at_provider(&start(&mut attacker).await).await;
    let mut victim = app(op.provider(BASIC), Seen::default());
    start(&mut victim).await;
    assert_refused(&mut victim, &callback_path(&attackers_back)).await;
}

#[tokio::test]
async fn flow_missing_pkce_cookie_is_refused() {
    let op = OidcProvider::shared();
    let mut app = app(op.provider(BASIC), Seen::default());
    let back = at_provider(&start(&mut app).await).await;
    app.jar.remove("authjs.pkce.code_verifier");
    assert_refused(&mut app, &callback_path(&back)).await;
}

#[tokio::test]
async fn flow_provider_down_gives_an_error_page_not_a_hang() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let provider = auth_runtime::providers::oidc(
        "oidc",
        format!("http://127.0.0.1:{port}").into(),
        BASIC.0.into(),
        BASIC.1.into(),
    );
    let mut app = app(provider, Seen::default());
    let csrf = app.csrf().await;
    let res = app.post_form("/signin/oidc", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 302);
    // Auth.js's `OAuthSignin`, on the sign-in page (not a 500 `Configuration` page).
    assert!(
        res.location().contains("/signin?error=OAuthSignin"),
        "{}",
        res.location()
    );
    assert_eq!(app.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn github_preset_full_flow_to_a_session() {
    // The GitHub preset pointed at the loopback GitHub-shaped server.
    let (gh, provider) = auth_tests::oauth::github::github_server().await;
    let mut app = app(provider, Seen::default());
    let csrf = app.csrf().await;
    let res = app
        .post_form("/signin/github", &[("csrfToken", &csrf)])
        .await;
    assert_eq!(res.status, 302);
    let authorization_url = res.location().to_owned();
    assert!(app.jar.contains_key("authjs.state"));
    assert!(app.jar.contains_key("authjs.pkce.code_verifier"));
    assert!(
        !app.jar.contains_key("authjs.nonce"),
        "no nonce for OAuth 2.0"
    );

    let back = ProviderBrowser::default()
        .follow_until(
            &authorization_url,
            "http://localhost:3000/api/auth/callback/github",
        )
        .await;
    let res = app
        .get(&format!(
            "/api/auth/callback/github?{}",
            back.query().unwrap()
        ))
        .await;
    assert_eq!(res.status, 302, "{:?}", String::from_utf8_lossy(&res.body));
    let session = app.session().await;
    assert_eq!(session["user"]["name"], "octocat");
    assert_eq!(session["user"]["email"], "octocat@example.test");
    assert_eq!(session["user"]["image"], "https://avatars.example/u/583231");
    assert_eq!(
        *gh.auth_methods.lock().unwrap(),
        vec!["client_secret_basic"]
    );
}
