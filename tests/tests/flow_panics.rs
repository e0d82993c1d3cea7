//! A user callback that panics ends its request with Auth.js's `Configuration` error
//! (500), not the connection, and the same `Auth` keeps serving the next requests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod flow_support;

use std::sync::Arc;

use auth_runtime::{AuthConfig, Credentials, Provider, providers};
use flow_support::*;

fn panicking_config() -> AuthConfig<Tok, SUser> {
    // `authorize` panics for user `boom` and behaves for everyone else.
    let provider = Provider::Credentials(providers::credentials(Arc::new(|c: Credentials| {
        boxed(async move {
            if c.get("username") == Some("boom") {
                panic!("authorize exploded");
            }
            authorize(c)
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
