//! On the wire: malformed HTTP against a real server on loopback, then a burst of 200
//! concurrent bad requests after which a valid sign-in still works.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

// ---------------------------------------------------------------------------------------
// On the wire: malformed HTTP, then a burst
// ---------------------------------------------------------------------------------------

/// Sends raw bytes to `addr`; the status line's code (0 when the connection closes first).
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        stream.read_to_end(&mut out),
    )
    .await;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Requests no HTTP parser should accept are refused by the server (hyper) before the flow;
/// a header smuggled with a bare LF is one more header, never a response header.
#[tokio::test]
async fn malformed_http_is_refused_on_the_wire() {
    let addr = auth_tests::serve(router(plain_config())).await;
    for (what, request, want) in [
        ("CRLF in the request target", &b"GET /api/auth/session\r\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\n\r\n"[..], 400),
        ("obs-fold header", b"GET /api/auth/session HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n", 400),
        ("a space before the colon", b"GET /api/auth/session HTTP/1.1\r\nHost : x\r\nConnection: close\r\n\r\n", 400),
        ("NUL in a header value", b"GET /api/auth/session HTTP/1.1\r\nHost: x\0y\r\nConnection: close\r\n\r\n", 400),
        ("two Content-Length values", b"POST /api/auth/signout HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde", 400),
        // RFC 9112 6.3: chunked wins over Content-Length and the connection closes: one
        // empty body, refused by CSRF, nothing smuggled.
        ("Content-Length and chunked", b"POST /api/auth/signout HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", 302),
    ] {
        let (status, text) = raw(addr, request).await;
        assert_eq!(status, want, "{what}: {text}");
        assert!(!text.to_ascii_lowercase().contains("x-injected"), "{what}: {text}");
        assert!(!text.contains("authjs.session-token=ey"), "{what}: {text}");
    }
    // A bare LF inside a header: at most another header of the request, and the answer
    // carries no header of the attacker's.
    let (status, text) = raw(
        addr,
        b"GET /api/auth/session HTTP/1.1\r\nHost: x\r\nX-A: a\nX-Injected: 1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(status == 200 || status == 400, "{text}");
    assert!(!text.to_ascii_lowercase().contains("x-injected"), "{text}");
}

/// 200 concurrent bad requests against a real server on loopback (forged tokens, missing
/// CSRF, an unknown provider, an oversized body, a spoofed host), each refused as in the
/// table; then a real browser-like sign-in still works and reads its session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_200_bad_requests_leaves_sign_in_working() {
    let addr = auth_tests::serve(router(plain_config())).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let forged = fresh(OTHER_SECRET, TokenFormat::AuthJs);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = client.clone();
        let base = base.clone();
        let forged = forged.clone();
        tasks.push(tokio::spawn(async move {
            let (request, want) = match i % 5 {
                0 => (
                    client
                        .get(format!("{base}/api/auth/session"))
                        .header("cookie", format!("{SESSION}={forged}")),
                    200,
                ),
                1 => (
                    client
                        .post(format!("{base}/api/auth/signout"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body("csrfToken=forged"),
                    302,
                ),
                2 => (
                    client.get(format!("{base}/api/auth/callback/nope?code=x&state=y")),
                    404,
                ),
                3 => (
                    client
                        .post(format!("{base}/api/auth/callback/credentials"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(vec![b'a'; 70 * 1024]),
                    413,
                ),
                _ => (
                    client
                        .get(format!("{base}/me"))
                        .header("host", "evil.example")
                        .header("cookie", format!("{SESSION}={forged}")),
                    401,
                ),
            };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let sets_session = response.headers().get_all("set-cookie").iter().any(|c| {
                c.to_str()
                    .unwrap_or_default()
                    .starts_with(&format!("{SESSION}=ey"))
            });
            (i, status, want, sets_session)
        }));
    }
    for task in tasks {
        let (i, status, want, sets_session) = task.await.unwrap();
        assert_eq!(status, want, "request {i}");
        assert!(!sets_session, "request {i} set a session cookie");
    }

    // A real sign-in through the same server.
    let mut jar = CookieJar::default();
    let response = client
        .get(format!("{base}/api/auth/csrf"))
        .send()
        .await
        .unwrap();
    jar.store(response.headers());
    let token: Value = response.json().await.unwrap();
    let response = client
        .post(format!("{base}/api/auth/callback/credentials"))
        .header("cookie", jar.header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrfToken", token["csrfToken"].as_str().unwrap()),
            ("username", "ada"),
            ("password", "pw"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    jar.store(response.headers());
    assert!(jar.contains_key(SESSION));
    let response = client
        .get(format!("{base}/me"))
        .header("cookie", jar.header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ada");
}
