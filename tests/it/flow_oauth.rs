//! OAuth/OIDC sign-in through the flow's endpoints against the real OpenID Provider
//! (oidc-provider on loopback, from the OAuth tests' harness): `POST /signin/oidc` sets the
//! encrypted state/PKCE/nonce cookies and redirects; `GET /callback/oidc` reads and clears
//! them and runs the same sign-in tail as credentials. Failures are `OAuthCallbackError`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::{AuthConfig, Provider, Trigger};
use auth_tests::flow::*;
use auth_tests::oauth::{BASIC, OidcProvider, POST, REDIRECT_URI};

const CHECKS: [&str; 3] = ["authjs.state", "authjs.pkce.code_verifier", "authjs.nonce"];
const CALLBACK_ERROR: &str = "http://localhost:3000/api/auth/signin?error=OAuthCallbackError";

fn config(calls: Arc<Calls>) -> AuthConfig<Tok, SUser> {
    let op = OidcProvider::shared();
    let mut other = op.provider(POST);
    other.id = "other".to_owned();
    counting_config(calls)
        .__provider(Provider::OAuth(op.provider(BASIC)))
        .__provider(Provider::OAuth(other))
}

/// `POST /signin/{id}`: the authorization URL.
async fn start(b: &mut Browser, id: &str) -> Res {
    let csrf = b.csrf().await;
    b.post_form(
        &format!("/signin/{id}"),
        &[("csrfToken", &csrf), ("callbackUrl", "/after")],
    )
    .await
}

/// Lets the provider log the user in; returns our callback path with its query.
async fn at_provider(authorization_url: &str) -> String {
    let mut browser = auth_tests::oauth::Browser::default();
    let back = browser.follow_until(authorization_url, REDIRECT_URI).await;
    format!("/api/auth/callback/oidc?{}", back.query().unwrap_or(""))
}

#[tokio::test]
async fn oidc_sign_in_through_the_flow() {
    let calls = Arc::new(Calls::default());
    let mut b = Browser::new(auth(config(calls.clone())));

    let providers = b.get("/providers").await.json();
    assert_eq!(providers["oidc"]["type"], "oidc");
    assert_eq!(providers["oidc"]["callbackUrl"], REDIRECT_URI);

    let res = start(&mut b, "oidc").await;
    assert_eq!(res.status, 302);
    let issuer = &OidcProvider::shared().issuer;
    let location = res.location().to_owned();
    assert!(
        location.starts_with(&format!("{issuer}/auth?")),
        "{location}"
    );
    assert!(
        location
            .contains("redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fapi%2Fauth%2Fcallback%2Foidc")
    );
    for name in CHECKS {
        let c = res
            .set_cookie(name)
            .unwrap_or_else(|| panic!("no {name} cookie"));
        assert!(c.contains("; Max-Age=900; Path=/; Expires="), "{c}");
        assert!(c.ends_with("; HttpOnly; SameSite=Lax"), "{c}");
        let value = &b.jar[name];
        assert_eq!(
            value.split('.').count(),
            5,
            "{name} is a JWE, not the raw value"
        );
        assert!(!location.contains(value.as_str()));
    }
    assert!(res.set_cookie("authjs.callback-url").is_some());

    let path = at_provider(&location).await;
    let before = calls.counts();
    calls.take_jwt_seen();
    let res = b.get(&path).await;
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://localhost:3000/after");
    for name in CHECKS {
        let c = res.set_cookie(name).unwrap();
        assert!(c.starts_with(&format!("{name}=; Max-Age=0")), "{c}");
    }
    assert!(res.set_cookie("authjs.session-token").is_some());
    let after = calls.counts();
    let d: Vec<usize> = (0..4).map(|i| after[i] - before[i]).collect();
    assert_eq!(
        d,
        [1, 1, 0, 1],
        "sign_in, jwt, session, redirect on an OIDC sign-in"
    );
    assert_eq!(
        calls.take_jwt_seen(),
        vec![(Some(Trigger::SignIn), true, None)]
    );

    let s = b.session().await;
    assert_eq!(s["user"]["id"], "user-1");
    assert_eq!(s["user"]["email"], "user-1@example.test");
    assert_eq!(s["user"]["name"], "Test User user-1");
    assert_eq!(s["user"]["image"], "http://127.0.0.1/avatars/user-1.png");

    // The same callback again: the checks are spent.
    let res = b.get(&path).await;
    assert_eq!(res.location(), CALLBACK_ERROR);
    assert_eq!(
        b.session().await["user"]["id"],
        "user-1",
        "a failed callback keeps the session"
    );
}

#[tokio::test]
async fn tampered_or_missing_check_cookies() {
    let mut b = Browser::new(auth(config(Arc::default())));
    let res = start(&mut b, "oidc").await;
    let path = at_provider(res.location()).await;
    // Tampered state cookie.
    let state = b.jar["authjs.state"].clone();
    let mid = state.len() / 2;
    let flipped = if &state[mid..=mid] == "A" { "B" } else { "A" };
    b.jar.insert(
        "authjs.state".into(),
        format!("{}{}{}", &state[..mid], flipped, &state[mid + 1..]),
    );
    let res = b.get(&path).await;
    assert_eq!(res.location(), CALLBACK_ERROR);
    for name in CHECKS {
        assert!(
            res.set_cookie(name).unwrap().contains("Max-Age=0"),
            "{name} cleared"
        );
    }
    assert!(res.set_cookie("authjs.session-token").is_none());
    assert_eq!(b.session().await, serde_json::Value::Null);

    // No check cookies at all (another browser, or after 15 minutes).
    let mut b = Browser::new(auth(config(Arc::default())));
    let res = start(&mut b, "oidc").await;
    let path = at_provider(res.location()).await;
    for name in CHECKS {
        b.jar.remove(name);
    }
    let res = b.get(&path).await;
    assert_eq!(res.location(), CALLBACK_ERROR);
    assert_eq!(b.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn check_cookies_are_bound_to_their_provider() {
    let mut b = Browser::new(auth(config(Arc::default())));
    // Checks made for `other` ...
    let res = start(&mut b, "other").await;
    assert_eq!(res.status, 302);
    // ... are refused by the `oidc` callback, even with a matching state.
    let url = res.location().to_owned();
    let state = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .unwrap()
        .to_owned();
    let res = b.get(&format!("/callback/oidc?code=x&state={state}")).await;
    assert_eq!(res.location(), CALLBACK_ERROR);
    assert_eq!(b.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn provider_error_and_forged_state() {
    let mut b = Browser::new(auth(config(Arc::default())));
    let res = start(&mut b, "oidc").await;
    let url = res.location().to_owned();
    let state = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .unwrap()
        .to_owned();
    let mut jar = b.jar.clone();
    let res = b
        .get(&format!(
            "/callback/oidc?error=access_denied&state={state}&iss={}",
            oauth_iss()
        ))
        .await;
    assert_eq!(res.location(), CALLBACK_ERROR);
    assert_eq!(b.session().await, serde_json::Value::Null);
    // A code with another state.
    std::mem::swap(&mut b.jar, &mut jar);
    let path = at_provider(&url).await;
    let forged = path.replace(&format!("state={state}"), "state=forged");
    assert_ne!(forged, path);
    let res = b.get(&forged).await;
    assert_eq!(res.location(), CALLBACK_ERROR);
    assert_eq!(b.session().await, serde_json::Value::Null);
}

fn oauth_iss() -> String {
    form(&[("", &OidcProvider::shared().issuer)])
        .trim_start_matches('=')
        .to_owned()
}

#[tokio::test]
async fn return_redirect_and_csrf() {
    let mut b = Browser::new(auth(config(Arc::default())));
    let csrf = b.csrf().await;
    let res = b
        .send_with(
            "POST",
            "/signin/oidc",
            Some("application/x-www-form-urlencoded"),
            form(&[("csrfToken", &csrf)]).into_bytes(),
            &[("x-auth-return-redirect", "1")],
        )
        .await;
    assert_eq!(res.status, 200);
    let url = res.json()["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&OidcProvider::shared().issuer), "{url}");
    assert!(b.jar.contains_key("authjs.state"));
    // No CSRF: no redirect to the provider, no check cookies.
    let mut b = Browser::new(auth(config(Arc::default())));
    let res = b.post_form("/signin/oidc", &[]).await;
    assert_eq!(
        res.location(),
        "http://localhost:3000/api/auth/signin?error=MissingCSRF"
    );
    assert!(!b.jar.contains_key("authjs.state"));
}

/// `response_mode=form_post`: the callback's parameters in a POST body are checked like a
/// query's: a repeated `state` or `code` is refused (a form's last-value-wins reading would
/// let a forged first value through), and the spent check cookies are cleared. The same
/// parameters sent once sign in.
#[tokio::test]
async fn form_post_callback_refuses_repeated_parameters() {
    for repeated in ["state=forged", "code=forged", ""] {
        let mut b = Browser::new(auth(config(Arc::default())));
        let res = start(&mut b, "oidc").await;
        let path = at_provider(res.location()).await;
        let (callback, query) = path.split_once('?').unwrap();
        let body = if repeated.is_empty() {
            query.to_owned()
        } else {
            format!("{repeated}&{query}")
        };
        let res = b
            .send_with(
                "POST",
                callback,
                Some("application/x-www-form-urlencoded"),
                body.into_bytes(),
                &[],
            )
            .await;
        if repeated.is_empty() {
            assert_eq!(res.status, 302);
            assert_eq!(res.location(), "http://localhost:3000/after");
            assert_eq!(b.session().await["user"]["id"], "user-1");
            continue;
        }
        assert_eq!(res.location(), CALLBACK_ERROR, "{repeated}");
        assert!(
            res.set_cookie("authjs.session-token").is_none(),
            "{repeated}"
        );
        for name in CHECKS {
            assert!(
                res.set_cookie(name).unwrap().contains("Max-Age=0"),
                "{repeated}: {name} cleared"
            );
        }
        assert_eq!(b.session().await, serde_json::Value::Null, "{repeated}");
    }
}

/// The check cookies are spent once the callback reads them: they are cleared whatever
/// the sign-in tail answers, here `AccessDenied` (the `sign_in` callback refuses) and
/// `Configuration` (a token too large for the cookie). (The database's 503 is in
/// `db_sqlite::oauth_callback_503_clears_the_check_cookies`.)
#[tokio::test]
async fn check_cookies_are_cleared_on_access_denied_and_configuration() {
    use auth_runtime::config::{JwtArgs, SignInArgs, SignInDecision};

    let op = OidcProvider::shared();
    let denied = AuthConfig::<Tok, SUser>::__new()
        .__provider(Provider::OAuth(op.provider(BASIC)))
        .__sign_in(Arc::new(|_: SignInArgs| {
            boxed(async { SignInDecision::Deny })
        }))
        .with_secrets([SECRET])
        .with_url(ORIGIN);
    let too_large = AuthConfig::<Tok, SUser>::__new()
        .__provider(Provider::OAuth(op.provider(BASIC)))
        .__jwt(Arc::new(|args: JwtArgs<Tok>| {
            let mut token = args.token;
            token.blob = Some(
                (0..80_000u32)
                    .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
                    .collect(),
            );
            boxed(async move { Some(token) })
        }))
        .with_secrets([SECRET])
        .with_url(ORIGIN);
    for (config, error) in [(denied, "AccessDenied"), (too_large, "Configuration")] {
        let mut b = Browser::new(auth(config));
        let res = start(&mut b, "oidc").await;
        let path = at_provider(res.location()).await;
        let res = b.get(&path).await;
        assert_eq!(
            res.location(),
            format!("http://localhost:3000/api/auth/error?error={error}")
        );
        for name in CHECKS {
            assert!(
                res.set_cookie(name)
                    .is_some_and(|c| c.contains("Max-Age=0")),
                "{error}: {name} cleared"
            );
        }
        assert!(res.set_cookie("authjs.session-token").is_none(), "{error}");
        assert!(
            CHECKS.iter().all(|name| !b.jar.contains_key(*name)),
            "{error}"
        );
    }
}

/// A callback that panics during an OAuth sign-in is answered `500 Configuration`, and
/// the check cookies the callback request carried are cleared all the same.
#[tokio::test]
async fn check_cookies_are_cleared_when_a_callback_panics() {
    use auth_runtime::config::JwtArgs;

    let config = AuthConfig::<Tok, SUser>::__new()
        .__provider(Provider::OAuth(OidcProvider::shared().provider(BASIC)))
        .__jwt(Arc::new(|args: JwtArgs<Tok>| {
            assert!(
                args.user.is_none(),
                "a bug in the application's jwt callback"
            );
            boxed(async move { Some(args.token) })
        }))
        .with_secrets([SECRET])
        .with_url(ORIGIN);
    let mut b = Browser::new(auth(config));
    let res = start(&mut b, "oidc").await;
    let path = at_provider(res.location()).await;
    let res = b.get(&path).await;
    assert_eq!(res.status, 500);
    assert_eq!(res.json()["error"], "Configuration");
    for name in CHECKS {
        assert!(
            res.set_cookie(name)
                .is_some_and(|c| c.contains("Max-Age=0")),
            "{name} cleared"
        );
    }
    assert!(res.set_cookie("authjs.session-token").is_none());
}
