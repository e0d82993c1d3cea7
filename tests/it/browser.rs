//! The quickstart, driven in real headless Chromium (Debian's `chromium`, through
//! `playwright-core` from `tests/js`): protected page -> sign-in -> wrong password ->
//! sign in -> greeting -> reload -> sign out. Screenshots land in `target/screenshots/`.
//! Then Ctrl-C (SIGINT) must stop the server cleanly. The same run drives the `actix`
//! example (the quickstart on actix-web; screenshots in `target/screenshots/actix/`).
//! A declared credentials form (`fields: { .. }`) is driven the same way against a server
//! in process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use auth_tests::examples::build_example;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

fn require_peers() {
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `scripts/setup` (it installs Debian's chromium)"
    );
    auth_tests::node::require("playwright-core");
    assert!(
        Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "node is missing: run `scripts/setup`"
    );
}

/// Kills the server if the test fails half-way.
struct Server {
    child: Child,
    log: std::sync::mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("local addr").port()
}

fn start(exe: &Path, port: u16) -> Server {
    let mut child = Command::new(exe)
        // As a new user runs it: no AUTH_SECRET (a development secret is generated, with a
        // warning), no AUTH_URL (the loopback request's host is used).
        .env("PORT", port.to_string())
        .env_remove("AUTH_SECRET")
        .env_remove("AUTH_URL")
        .env_remove("AUTH_TRUST_HOST")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the example");
    let (tx, rx) = std::sync::mpsc::channel();
    for stream in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let server = Server { child, log: rx };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the example did not listen on port {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn wait_with_deadline(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path)
        .unwrap_or_else(|e| panic!("screenshot {} missing: {e}", path.display()));
    assert!(
        bytes.len() > 1000,
        "screenshot {} is too small",
        path.display()
    );
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
}

#[test]
fn quickstart_in_headless_chromium() {
    quickstart_example_in_headless_chromium("quickstart", "target/screenshots");
}

/// The same browser run against the quickstart on actix-web (`Auth::scope`,
/// `Auth::middleware`, the `Session` extractors).
#[test]
fn actix_quickstart_in_headless_chromium() {
    quickstart_example_in_headless_chromium("actix", "target/screenshots/actix");
}

fn quickstart_example_in_headless_chromium(bin: &str, screenshots: &str) {
    let root = root();
    require_peers();
    let exe = build_example(bin);
    let port = free_port();
    let mut server = start(&exe, port);

    let out_dir = root.join(screenshots);
    for name in [
        "signin.png",
        "signin-dark.png",
        "signin-error.png",
        "greeting.png",
        "signout.png",
    ] {
        let _ = std::fs::remove_file(out_dir.join(name));
    }
    let mut node = Command::new("node")
        .current_dir(auth_tests::node::js_dir())
        .arg("browser-quickstart.mjs")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&out_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    let status = wait_with_deadline(&mut node, Duration::from_secs(120));
    if status.is_none() {
        let _ = node.kill();
    }
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut s) = node.stdout.take() {
        let _ = s.read_to_string(&mut stdout);
    }
    if let Some(mut s) = node.stderr.take() {
        let _ = s.read_to_string(&mut stderr);
    }
    let server_log: Vec<String> = server.log.try_iter().collect();
    assert!(
        status.is_some_and(|s| s.success()),
        "browser run failed ({status:?})\n--- steps ---\n{stdout}\n--- errors ---\n{stderr}\n--- server ---\n{}",
        server_log.join("\n")
    );
    for step in [
        "ok: public page",
        "ok: protected page redirects to sign-in",
        "ok: wrong password shows the error",
        "ok: sign in",
        "ok: reload keeps the session",
        "ok: sign out",
        "ok: signed out",
    ] {
        assert!(
            stdout.contains(step),
            "step `{step}` did not pass:\n{stdout}"
        );
    }
    for name in [
        "signin.png",
        "signin-dark.png",
        "signin-error.png",
        "greeting.png",
        "signout.png",
    ] {
        assert_png(&out_dir.join(name));
    }

    // The start-up banner names the demo user, and no secret reaches the output.
    let banner = server_log.join("\n");
    assert!(
        banner.contains("demo"),
        "the demo user is not printed at start-up:\n{banner}"
    );
    assert!(
        banner.contains("WARNING: AUTH_SECRET is not set"),
        "no warning about the generated development secret:\n{banner}"
    );

    // Ctrl-C: graceful shutdown, exit status 0.
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let exit = wait_with_deadline(&mut server.child, Duration::from_secs(10));
    assert!(
        exit.is_some_and(|s| s.success()),
        "`{bin}` did not stop cleanly on SIGINT: {exit:?}"
    );
}

mod forms {
    use auth_runtime::User;

    auth_runtime::auth! {
        providers: [
            Credentials {
                id: "password",
                fields: {
                    email: { label: "E-mail", type: "email", placeholder: "you@example.com" },
                    password: { type: "password" },
                },
                authorize: |credentials| async move {
                    (credentials.password == "secret")
                        .then(|| User::new(credentials.email.clone()).with_email(credentials.email))
                },
            },
            Credentials {
                id: "otp",
                fields: { code: { label: "Code", type: "number" } },
                authorize: |credentials| async move { let _ = credentials.code; None },
            },
        ],
    }
}

/// A declared credentials form (`fields: { .. }`) in headless Chromium, served in process:
/// its fields on the built-in page, an empty required field not submitted, the sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_form_in_headless_chromium() {
    require_peers();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = forms::config()
        .with_secrets(["browser-forms-secret-0123456789abcdef0123"])
        .with_url(format!("http://127.0.0.1:{port}"));
    let auth = forms::Auth::new(config).unwrap();
    let app: axum::Router = axum::Router::new()
        .route("/", axum::routing::get(|| async { "home" }))
        .merge(auth.routes());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let out_dir = root().join("target/screenshots");
    let _ = std::fs::remove_file(out_dir.join("signin-form.png"));
    let dir = out_dir.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(auth_tests::node::js_dir())
            .arg("browser-forms.mjs")
            .arg(format!("http://127.0.0.1:{port}"))
            .arg(&dir)
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "browser run failed\n--- steps ---\n{stdout}\n--- errors ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in [
        "ok: the declared form",
        "ok: an empty required field is not submitted",
        "ok: sign in with the declared form",
    ] {
        assert!(
            stdout.contains(step),
            "step `{step}` did not pass:\n{stdout}"
        );
    }
    assert_png(&out_dir.join("signin-form.png"));
}
