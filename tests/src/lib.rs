//! Support code shared by the integration tests (`tests/it`, one binary): one copy of each
//! harness, fake server and temporary database the test modules use.
//!
//! | module | what |
//! | --- | --- |
//! | [`cookies`] | the cookie jar every simulated browser keeps |
//! | [`flow`] | a config built with the hidden builder, counting callbacks, a browser driving `Auth::handle` |
//! | [`axum_app`] | a real axum app with the flow mounted, driven with `tower::ServiceExt::oneshot` |
//! | [`actix_app`] | the same configuration under actix-web, driven by its in-process test service |
//! | [`oauth`] | the real oidc-provider process, a redirect follower, a GitHub-shaped server, a provider-shaped fake for the presets |
//! | [`node`] | running the JavaScript peers in `tests/js` |
//! | [`passkey`] | a software passkey authenticator (ES256) answering the flow's WebAuthn options |
//! | [`sqlite`], [`postgres`] | a temporary database per test |
//! | [`smtp`] | a real SMTP server (aiosmtpd) per test, the messages it received |
//! | [`delegate`] | `delegate_adapter!`: a wrapping test adapter's unchanged methods, passed to the inner one |
//! | [`adapter_suite`](mod@adapter_suite), [`db_suite`](mod@db_suite) | the suites run against both databases |
//!
//! A test fails by panicking, so the helpers unwrap freely: a panic here is a failed test
//! with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::net::SocketAddr;

pub mod actix_app;
pub mod adapter_suite;
pub mod axum_app;
pub mod cookies;
pub mod db_suite;
pub mod delegate;
pub mod examples;
pub mod flow;
pub mod node;
pub mod oauth;
pub mod passkey;
pub mod postgres;
pub mod smtp;
pub mod sqlite;

/// Serves `router` on a free loopback port (in the calling test's runtime) and returns the
/// address.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    addr
}

/// A database made for one test (a SQLite file, a PostgreSQL database): the suites'
/// `make` functions return one beside the adapter, and remove it when the test is done.
pub trait Cleanup {
    /// Removes the database.
    fn cleanup(self) -> impl Future<Output = ()>;
}
