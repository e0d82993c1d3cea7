//! A real SMTP server on loopback, one per test: Python's aiosmtpd (installed by
//! `scripts/setup.d/20-smtp.sh`) running `tests/py/smtp_sink.py`, which writes every message
//! it accepts to a directory as JSON, parsed (subject, text and HTML parts decoded).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

/// The interpreter with aiosmtpd: `AUTH_TEST_PYTHON` (exported by the setup script), else
/// the venv the setup script makes under `target/`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AUTH_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/py-venv/bin/python");
    assert!(
        venv.exists(),
        "no Python with aiosmtpd: run scripts/setup (or `source scripts/setup.d/20-smtp.sh`)"
    );
    venv
}

/// A running SMTP server; stopped (its stdin closed, then killed) when dropped.
pub struct SmtpSink {
    child: Child,
    stdin: Option<ChildStdin>,
    dir: PathBuf,
    port: u16,
}

/// One delivered message.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Delivered {
    /// The envelope's sender (`MAIL FROM`).
    pub mail_from: String,
    /// The envelope's recipients (`RCPT TO`), as the server accepted them.
    pub rcpt_tos: Vec<String>,
    /// The message as received.
    pub data: String,
    /// Decoded headers.
    pub subject: String,
    /// `From:`.
    pub from: String,
    /// `To:`.
    pub to: String,
    /// The text part, decoded.
    pub text: Option<String>,
    /// The HTML part, decoded.
    pub html: Option<String>,
}

impl Delivered {
    /// The sign-in link: the text part's second line (Auth.js's `Sign in to {host}\n{url}`).
    pub fn link(&self) -> String {
        let text = self.text.as_deref().expect("a text part");
        text.lines()
            .nth(1)
            .expect("the link on the second line")
            .trim()
            .to_owned()
    }
}

impl SmtpSink {
    /// Starts a server on a port the system picks.
    pub fn start() -> SmtpSink {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("authrs-smtp-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("py/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(&script)
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP server (python)");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the SMTP server did not print its port: {line:?}"));
        SmtpSink {
            child,
            stdin,
            dir,
            port,
        }
    }

    /// `smtp://127.0.0.1:PORT` (plain text, loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The messages delivered so far, in order.
    pub fn messages(&self) -> Vec<Delivered> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| e == "json")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits until `n` messages have been delivered (the server writes each before it
    /// answers `250`, so after a send returned they are there; the wait only covers a slow
    /// file system) and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Delivered> {
        for _ in 0..200 {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "expected {n} message(s), the SMTP server has {}",
            self.messages().len()
        );
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The query parameter `name` of the link `link` (empty when absent).
pub fn link_param(link: &str, name: &str) -> String {
    url::Url::parse(link)
        .expect("an absolute link")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `link` with its query parameter `name` set to `value`.
pub fn with_link_param(link: &str, name: &str, value: &str) -> String {
    let mut url = url::Url::parse(link).expect("an absolute link");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}
