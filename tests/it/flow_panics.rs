//! A user callback that panics ends its request with Auth.js's `Configuration` error
//! (500), not the connection, and the same `Auth` keeps serving the next requests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::config::OkOrDefault;
use auth_runtime::{AuthConfig, Credentials, Provider, providers};
use auth_tests::flow::*;

fn panicking_config() -> AuthConfig<Tok, SUser> {
    // `authorize` panics for user `boom` and behaves for everyone else.
    let provider = Provider::Credentials(providers::credentials(Arc::new(|c: Credentials| {
        boxed(async move {
            if c.get("username") == Some("boom") {
                panic!("authorize exploded");
            }
            authorize(c).ok_or_default()
        })
    })));
    AuthConfig::<Tok, SUser>::__new()
        .__provider(provider)
        .with_secrets(["a-test-secret-that-is-long-enough-000"])
        .with_url("http://app.test")
}

#[tokio::test]
async fn panicking_authorize_is_a_500_configuration_and_the_service_goes_on() {
    let mut b = Browser::new(auth(panicking_config()));
    let res = b.sign_in("boom", None).await;
    assert_eq!(res.status, 500);
    assert_eq!(res.json()["error"], "Configuration");
    assert!(
        b.session_cookie_names().is_empty(),
        "no session after a panic"
    );

    // The same service still signs the next user in.
    let res = b.sign_in("ada", None).await;
    assert_eq!(res.status, 302, "{:?}", res.location());
    assert_eq!(b.session().await["user"]["name"], "ada");
}

/// A `jwt` callback that puts more in the token than the cookie chunks can carry is a
/// sign-in error, never a cookie the next read would refuse (which would sign the user out
/// and could leave cookies too large to clear).
#[tokio::test]
async fn an_oversized_token_is_refused_at_sign_in_not_written() {
    let config = AuthConfig::<Tok, SUser>::__new()
        .__provider(auth_tests::flow::credentials_provider())
        .__jwt(Arc::new(|args: auth_runtime::config::JwtArgs<Tok>| {
            boxed(async move {
                let mut token = args.token;
                // Random-looking, so it does not shrink: 80 000 characters of claim.
                token.blob = Some(
                    (0..80_000u32)
                        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
                        .collect(),
                );
                Some(token)
            })
        }))
        .with_secrets(["a-test-secret-that-is-long-enough-000"])
        .with_url("http://app.test");
    let mut b = Browser::new(auth(config));
    let res = b.sign_in("ada", None).await;
    assert_eq!(res.status, 302);
    assert!(
        res.location().contains("error=Configuration"),
        "{}",
        res.location()
    );
    assert!(
        b.session_cookie_names().is_empty(),
        "no session cookie written"
    );
}
