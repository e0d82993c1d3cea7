//! `request` in `authorize` and `sign_in`: the client's address from a real axum server
//! (`into_make_service_with_connect_info`), the headers and cookies, and `trust_proxy`
//! (a forged `X-Forwarded-For` is ignored unless a proxy is trusted); `ClientAddr` for
//! callers of `Auth::handle`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use auth_runtime::ClientAddr;
use auth_tests::cookies::CookieJar;
use axum::Router;
use bytes::Bytes;

/// What `authorize` and `sign_in` saw, one line each.
#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn note(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

mod auth {
    use auth_runtime::{RequestInfo, User};

    pub use super::Seen;

    fn describe(request: &RequestInfo) -> String {
        format!(
            "{} {} ip={} agent={} theme={}",
            request.method(),
            request.path(),
            request
                .client_ip()
                .map_or_else(|| "none".to_owned(), |ip| ip.to_string()),
            request.header("user-agent").unwrap_or("-"),
            request.cookie("theme").unwrap_or("-"),
        )
    }

    auth_runtime::auth! {
        state: Seen,
        providers: [
            Credentials {
                authorize: |credentials, request: RequestInfo, state| async move {
                    state.note(format!("authorize {}", describe(&request)));
                    (credentials.get("password") == Some("pw")).then(|| User::new("ada"))
                },
            },
        ],
        callbacks: {
            sign_in(user, request, state) {
                state.note(format!("sign_in {} {}", user.id, describe(&request)));
                true
            },
        },
    }
}

const SECRET: &str = "axum-request-secret-0123456789abcdef0123";

/// Serves the flow on a loopback port with axum's `ConnectInfo`; the config's URL is the
/// server's own.
async fn serve(seen: &Seen, trust_proxy: bool) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = auth::config(seen.clone())
        .with_secrets([SECRET])
        .with_url(format!("http://{addr}"))
        .with_trust_proxy(trust_proxy);
    let auth = auth::Auth::new(config).unwrap();
    let app: Router = Router::new().merge(auth.routes()).layer(auth.layer());
    auth_tests::axum_app::serve_with_peer_addr(listener, app);
    addr
}

/// A credentials sign-in over HTTP, with `extra` headers on the `POST`; the status.
async fn sign_in(addr: SocketAddr, extra: &[(&str, &str)]) -> u16 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://{addr}/api/auth");
    let mut jar = CookieJar::new();
    let res = client.get(format!("{base}/csrf")).send().await.unwrap();
    jar.store(res.headers());
    let csrf: serde_json::Value = res.json().await.unwrap();
    let csrf = csrf["csrfToken"].as_str().unwrap().to_owned();
    let mut post = client
        .post(format!("{base}/callback/credentials"))
        .header("cookie", format!("{}; theme=dark", jar.header()))
        .header("user-agent", "request-test/1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrfToken={csrf}&username=ada&password=pw"));
    for (name, value) in extra {
        post = post.header(*name, *value);
    }
    post.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn authorize_and_sign_in_see_the_peer_headers_and_cookies() {
    let seen = Seen::default();
    let addr = serve(&seen, false).await;
    assert_eq!(sign_in(addr, &[]).await, 302);
    let tail = "POST /api/auth/callback/credentials ip=127.0.0.1 agent=request-test/1 theme=dark";
    assert_eq!(
        seen.take(),
        [format!("authorize {tail}"), format!("sign_in ada {tail}")]
    );
}

#[tokio::test]
async fn a_forged_forwarded_address_is_ignored_without_a_trusted_proxy() {
    let seen = Seen::default();
    let addr = serve(&seen, false).await;
    let forged = [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=198.51.100.4"),
    ];
    assert_eq!(sign_in(addr, &forged).await, 302);
    let seen = seen.take();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for line in &seen {
        assert!(line.contains(" ip=127.0.0.1 "), "{line}");
    }
}

#[tokio::test]
async fn a_trusted_proxy_reports_the_last_hop() {
    let seen = Seen::default();
    let addr = serve(&seen, true).await;
    // The client wrote `203.0.113.9`; the proxy appended the address it saw.
    let through_proxy = [("x-forwarded-for", "203.0.113.9, 192.0.2.77")];
    assert_eq!(sign_in(addr, &through_proxy).await, 302);
    let seen_lines = seen.take();
    assert_eq!(seen_lines.len(), 2, "{seen_lines:?}");
    for line in &seen_lines {
        assert!(line.contains(" ip=192.0.2.77 "), "{line}");
    }
    // `Forwarded` when the proxy writes that one.
    let rfc7239 = [("forwarded", "for=203.0.113.9, for=\"[2001:db8::7]:4711\"")];
    assert_eq!(sign_in(addr, &rfc7239).await, 302);
    assert!(seen.take()[0].contains(" ip=2001:db8::7 "));
    // No header (a request that did not come through the proxy): the peer.
    assert_eq!(sign_in(addr, &[]).await, 302);
    assert!(seen.take()[0].contains(" ip=127.0.0.1 "));
}

/// Outside axum: the caller of `Auth::handle` hands the peer over as `ClientAddr`; without
/// one there is no address.
#[tokio::test]
async fn auth_handle_reads_client_addr() {
    let seen = Seen::default();
    let config = auth::config(seen.clone())
        .with_secrets([SECRET])
        .with_url("http://localhost:3000");
    let auth = auth::Auth::new(config).unwrap();
    let mut jar = CookieJar::new();
    let csrf = auth_tests::flow::csrf_with_jar(&auth, &mut jar).await;
    for peer in [Some("192.0.2.33".parse::<IpAddr>().unwrap()), None] {
        let mut request = http::Request::builder()
            .method("POST")
            .uri("/api/auth/callback/credentials")
            .header("cookie", jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", "203.0.113.9")
            .body(Bytes::from(format!(
                "csrfToken={csrf}&username=ada&password=pw"
            )))
            .unwrap();
        if let Some(ip) = peer {
            request.extensions_mut().insert(ClientAddr::from(ip));
        }
        assert_eq!(auth.handle(request).await.status(), 302);
        let ip = peer.map_or_else(|| "none".to_owned(), |ip| ip.to_string());
        let seen = seen.take();
        assert!(seen[0].contains(&format!(" ip={ip} ")), "{seen:?}");
        assert!(seen[1].contains(&format!(" ip={ip} ")), "{seen:?}");
    }
}

/// `Auth::sign_in` from a handler: `sign_in` sees the handler's own request.
#[tokio::test]
async fn server_side_sign_in_passes_the_handlers_request() {
    let seen = Seen::default();
    let config = auth::config(seen.clone())
        .with_secrets([SECRET])
        .with_url("http://localhost:3000");
    let auth = auth::Auth::new(config).unwrap();
    let (mut parts, ()) = http::Request::builder()
        .method("POST")
        .uri("/signup")
        .header("user-agent", "signup-form/2")
        .header("cookie", "theme=light")
        .body(())
        .unwrap()
        .into_parts();
    parts
        .extensions
        .insert(ClientAddr::from("192.0.2.9".parse::<IpAddr>().unwrap()));
    auth.sign_in(&parts, auth_runtime::User::new("ada"))
        .await
        .unwrap();
    assert_eq!(
        seen.take(),
        ["sign_in ada POST /signup ip=192.0.2.9 agent=signup-form/2 theme=light"]
    );
}
