//! `cargo run -p examples --bin app`, as a user runs it: the binary starts with no setup
//! (in-memory SQLite) and on PostgreSQL (`DATABASE_URL`), serves sign-in and `/admin` over
//! real HTTP, keeps a visitor's newline out of its log lines, and stops cleanly on Ctrl-C.
//! Its behaviour in detail is tested by the example's own tests (`cargo test -p examples
//! --bin app`), written with the test kit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use auth_tests::cookies::CookieJar;
use auth_tests::examples::build_example;
use auth_tests::postgres::TestDatabase;

/// The running app; killed if the test fails half-way.
struct Server {
    child: Child,
    port: u16,
    lines: Receiver<String>,
    log: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(exe: &Path, env: &[(&str, &str)]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut command = Command::new(exe);
        for name in [
            "AUTH_SECRET",
            "AUTH_URL",
            "DATABASE_URL",
            "ADMIN_PASSWORD",
            "RUST_LOG",
        ] {
            command.env_remove(name);
        }
        let mut child = command
            .envs(env.iter().copied())
            .env("PORT", port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the app");
        let (tx, lines) = std::sync::mpsc::channel();
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the app did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Server {
            child,
            port,
            lines,
            log: Vec::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every output line so far.
    fn log(&mut self) -> &[String] {
        self.log.extend(self.lines.try_iter());
        &self.log
    }

    /// Waits until a line contains `text`, returning it.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.log().iter().find(|l| l.contains(text)) {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no line with `{text}`:\n{}",
                self.log.join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ctrl-C (SIGINT): a graceful shutdown and exit status 0.
    fn interrupt(mut self) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-INT", &pid]).status();
        assert!(killed.is_ok_and(|s| s.success()));
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                break Some(status);
            }
            if Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(
            status.is_some_and(|s| s.success()),
            "the app did not stop cleanly on SIGINT: {status:?}"
        );
        self.wait_for("shutting down");
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in through the flow over HTTP (CSRF, then the credentials callback) and returns
/// the redirect's location; the jar keeps the cookies.
async fn sign_in(server: &Server, jar: &mut CookieJar, name: &str, password: &str) -> String {
    let http = client();
    let response = http.get(server.url("/api/auth/csrf")).send().await.unwrap();
    jar.store(response.headers());
    let csrf: serde_json::Value = response.json().await.unwrap();
    let form = [
        ("csrfToken", csrf["csrfToken"].as_str().unwrap()),
        ("username", name),
        ("password", password),
    ];
    let response = http
        .post(server.url("/api/auth/callback/credentials"))
        .header("cookie", jar.header())
        .form(&form)
        .send()
        .await
        .unwrap();
    jar.store(response.headers());
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn get(server: &Server, jar: &CookieJar, path: &str) -> reqwest::StatusCode {
    let request = client()
        .get(server.url(path))
        .header("cookie", jar.header());
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn app_runs_with_no_setup_and_stops_on_ctrl_c() {
    let exe = build_example("app");
    let mut server = Server::start(&exe, &[]);
    // The generated admin password is printed once, with the development-secret warning.
    let banner = server.wait_for("admin account: sign in as `admin` with password `");
    let password = banner.split('`').nth(3).unwrap().to_owned();
    server.wait_for("AUTH_SECRET is not set");
    server.wait_for("database=\"SQLite\"");

    let mut jar = CookieJar::new();
    assert_eq!(get(&server, &jar, "/").await, 200);
    assert_eq!(get(&server, &jar, "/admin").await, 401);

    // A name crafted to forge a log line is logged escaped, inside its own line.
    let location = sign_in(&server, &mut jar, "eve\nINFO app: forged", "x").await;
    assert!(
        location.contains("/login?error=CredentialsSignin&code=credentials"),
        "{location}"
    );
    let line = server.wait_for("sign-in refused");
    assert!(line.contains(r#"user="eve\nINFO app: forged""#), "{line}");
    assert!(
        !server
            .log()
            .iter()
            .any(|l| l.starts_with("INFO app: forged"))
    );

    let location = sign_in(&server, &mut jar, "admin", &password).await;
    assert!(!location.contains("error"), "{location}");
    assert_eq!(get(&server, &jar, "/admin").await, 200);
    server.wait_for("signed in");

    server.interrupt();
}

#[tokio::test]
async fn app_keeps_its_users_in_postgresql() {
    let exe = build_example("app");
    let database = TestDatabase::create("example_app").await;
    let env = [
        ("DATABASE_URL", database.url.as_str()),
        ("ADMIN_PASSWORD", "an admin password"),
    ];
    let mut server = Server::start(&exe, &env);
    server.wait_for("database=\"PostgreSQL\"");
    server.wait_for("password `an admin password`");
    let mut jar = CookieJar::new();
    sign_in(&server, &mut jar, "admin", "an admin password").await;
    assert_eq!(get(&server, &jar, "/admin").await, 200);
    server.interrupt();

    // The account outlives the process: the second start finds it.
    let mut server = Server::start(&exe, &env);
    server.wait_for("`admin` exists already");
    let mut jar = CookieJar::new();
    sign_in(&server, &mut jar, "admin", "an admin password").await;
    assert_eq!(get(&server, &jar, "/admin").await, 200);
    server.interrupt();
    database.drop_database().await;
}
