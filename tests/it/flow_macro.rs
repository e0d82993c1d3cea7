//! The flow driven by a configuration written with `auth!` (the way users write it):
//! credentials sign-in, `jwt` seeing the user only on sign-in, the `session` callback
//! exposing declared fields, and a sign-out.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};

use auth_runtime::Auth;
use auth_runtime::config::{SessionUserData, TokenData};
use auth_tests::cookies::CookieJar;
use bytes::Bytes;

static JWT_WITH_USER: AtomicUsize = AtomicUsize::new(0);
static JWT_WITHOUT_USER: AtomicUsize = AtomicUsize::new(0);

fn saw_user(present: bool) {
    if present {
        JWT_WITH_USER.fetch_add(1, Ordering::SeqCst);
    } else {
        JWT_WITHOUT_USER.fetch_add(1, Ordering::SeqCst);
    }
}

mod app {
    use auth_runtime::{Credentials, User};

    async fn check(credentials: Credentials) -> Option<User> {
        let ok = credentials.get("username") == Some("ada")
            && credentials.get("password") == Some("lovelace");
        ok.then(|| {
            User::new("1")
                .with_name("Ada")
                .with_email("ada@example.com")
        })
    }

    auth_runtime::auth! {
        token: { id: String, role: Option<String> },
        session_user: { id: String, role: Option<String> },
        providers: [
            Credentials { authorize: |credentials| async move { check(credentials).await } },
        ],
        callbacks: {
            async jwt(token, user) {
                if let Some(user) = user {
                    super::saw_user(true);
                    token.id = user.id.clone();
                    token.role = Some("admin".to_owned());
                } else {
                    super::saw_user(false);
                }
                token
            },
            session(session, token) {
                session.user.id = token.id.clone();
                session.user.role = token.role.clone();
                session
            },
        },
    }
}

struct Client<T, U> {
    auth: Auth<T, U>,
    cookies: CookieJar,
}

impl<T: TokenData, U: SessionUserData> Client<T, U> {
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        form: Option<String>,
    ) -> http::Response<Bytes> {
        let cookie = self.cookies.header();
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("/api/auth{path}"))
            .header("cookie", cookie);
        if form.is_some() {
            b = b.header("content-type", "application/x-www-form-urlencoded");
        }
        let res = self
            .auth
            .handle(b.body(Bytes::from(form.unwrap_or_default())).unwrap())
            .await;
        self.cookies.store(res.headers());
        res
    }

    async fn json(&mut self, path: &str) -> serde_json::Value {
        let res = self.send("GET", path, None).await;
        serde_json::from_slice(res.body()).unwrap()
    }
}

#[tokio::test]
async fn auth_macro_config_through_the_flow() {
    let config = app::config()
        .with_secrets(["macro-flow-secret-0123456789abcdef0123"])
        .with_url("http://localhost:3000");
    let mut c = Client {
        auth: Auth::new(config).unwrap(),
        cookies: CookieJar::new(),
    };
    let csrf = c.json("/csrf").await["csrfToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = c
        .send(
            "POST",
            "/callback/credentials",
            Some(format!("csrfToken={csrf}&username=ada&password=nope")),
        )
        .await;
    assert_eq!(
        wrong.headers()["location"],
        "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials"
    );
    let res = c
        .send(
            "POST",
            "/callback/credentials",
            Some(format!(
                "csrfToken={csrf}&username=ada&password=lovelace&callbackUrl=%2Fme"
            )),
        )
        .await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "http://localhost:3000/me");
    assert_eq!(JWT_WITH_USER.load(Ordering::SeqCst), 1);

    for _ in 0..2 {
        let s = c.json("/session").await;
        assert_eq!(s["user"]["name"], "Ada");
        assert_eq!(s["user"]["id"], "1");
        assert_eq!(s["user"]["role"], "admin");
    }
    assert_eq!(
        JWT_WITH_USER.load(Ordering::SeqCst),
        1,
        "user only on sign-in"
    );
    assert_eq!(JWT_WITHOUT_USER.load(Ordering::SeqCst), 2);

    // The typed read used by the axum extractors.
    let cookie = c.cookies.header();
    let parts = http::Request::builder()
        .header("cookie", cookie)
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let lookup = c.auth.session(&parts).await;
    let session: app::Session = lookup.session.unwrap();
    assert_eq!(session.user.id, "1");
    assert_eq!(lookup.token.unwrap().role.as_deref(), Some("admin"));

    let res = c
        .send("POST", "/signout", Some(format!("csrfToken={csrf}")))
        .await;
    assert_eq!(res.status(), 302);
    assert_eq!(c.json("/session").await, serde_json::Value::Null);
}

// ---- The callback matrix again, with every callback written in `auth!`. ----

mod counted {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use auth_runtime::{Credentials, SignInDecision, Trigger, User};

    pub static SIGN_IN: AtomicUsize = AtomicUsize::new(0);
    pub static JWT: AtomicUsize = AtomicUsize::new(0);
    pub static SESSION: AtomicUsize = AtomicUsize::new(0);
    pub static REDIRECT: AtomicUsize = AtomicUsize::new(0);
    /// (trigger, user present) of every `jwt` call.
    pub static JWT_SEEN: Mutex<Vec<(Option<Trigger>, bool)>> = Mutex::new(Vec::new());

    pub fn counts() -> [usize; 4] {
        [&SIGN_IN, &JWT, &SESSION, &REDIRECT].map(|c| c.load(Ordering::SeqCst))
    }

    pub fn bump(c: &AtomicUsize) {
        c.fetch_add(1, Ordering::SeqCst);
    }

    pub fn seen(trigger: Option<Trigger>, user: bool) {
        JWT_SEEN.lock().unwrap().push((trigger, user));
    }

    async fn check(credentials: Credentials) -> Option<User> {
        let name = credentials.get("username")?.to_owned();
        (credentials.get("password") == Some("pw"))
            .then(|| User::new(format!("id-{name}")).with_name(name))
    }

    auth_runtime::auth! {
        token: { role: Option<String>, nickname: Option<String> },
        session_user: { id: Option<String>, role: Option<String> },
        providers: [
            Credentials { authorize: |credentials| async move { check(credentials).await } },
        ],
        callbacks: {
            sign_in(user) {
                bump(&SIGN_IN);
                match user.name.as_deref() {
                    Some("banned") => SignInDecision::Deny,
                    Some("elsewhere") => SignInDecision::Redirect("/blocked".to_owned()),
                    _ => SignInDecision::Allow,
                }
            },
            jwt(token, user, trigger, session) {
                bump(&JWT);
                if let Some(user) = user {
                    seen(trigger, true);
                    token.role = Some(format!("role-of-{}", user.id));
                } else {
                    seen(trigger, false);
                }
                if let Some(session) = session {
                    token.nickname = session["nickname"].as_str().map(str::to_owned);
                }
                token
            },
            session(session, token) {
                bump(&SESSION);
                session.user.id = token.sub.clone();
                session.user.role = token.role.clone();
                session.user.name = token.nickname.clone().or(session.user.name.clone());
                session
            },
            redirect(url, base_url) {
                bump(&REDIRECT);
                if url.starts_with('/') { format!("{base_url}{url}") } else { base_url }
            },
        },
    }
}

#[tokio::test]
async fn callback_matrix_written_with_auth_macro() {
    use auth_runtime::Trigger;
    let config = counted::config()
        .with_secrets(["macro-flow-secret-0123456789abcdef0123"])
        .with_url("http://localhost:3000");
    let mut c = Client {
        auth: Auth::new(config).unwrap(),
        cookies: CookieJar::new(),
    };
    let take = || std::mem::take(&mut *counted::JWT_SEEN.lock().unwrap());
    let csrf = c.json("/csrf").await["csrfToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let sign_in =
        |name: &str| format!("csrfToken={csrf}&username={name}&password=pw&callbackUrl=%2Fhome");

    macro_rules! step {
        ($label:expr, $expected:expr, $body:expr) => {{
            let before = counted::counts();
            let out = $body;
            let after = counted::counts();
            let d: Vec<usize> = (0..4).map(|i| after[i] - before[i]).collect();
            assert_eq!(
                d, $expected,
                "{} ([sign_in, jwt, session, redirect])",
                $label
            );
            out
        }};
    }

    let res = step!(
        "initial sign-in",
        [1, 1, 0, 1],
        c.send("POST", "/callback/credentials", Some(sign_in("ada")))
            .await
    );
    assert_eq!(res.headers()["location"], "http://localhost:3000/home");
    assert_eq!(take(), vec![(Some(Trigger::SignIn), true)]);

    let s = step!("session read", [0, 1, 1, 0], c.json("/session").await);
    assert_eq!(s["user"]["id"], "id-ada");
    assert_eq!(s["user"]["role"], "role-of-id-ada");
    step!("later reads", [0, 2, 2, 0], {
        c.json("/session").await;
        c.json("/session").await
    });
    assert_eq!(take(), vec![(None, false); 3]);

    let body =
        serde_json::json!({ "csrfToken": csrf, "data": { "nickname": "Countess" } }).to_string();
    let res = step!("update", [0, 1, 1, 0], {
        let cookie = c.cookies.header();
        let req = http::Request::builder()
            .method("POST")
            .uri("/api/auth/session")
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .body(Bytes::from(body))
            .unwrap();
        c.auth.handle(req).await
    });
    let s: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
    assert_eq!(s["user"]["name"], "Countess");
    assert_eq!(take(), vec![(Some(Trigger::Update), false)]);

    let res = step!(
        "sign-out",
        [0, 0, 0, 1],
        c.send(
            "POST",
            "/signout",
            Some(format!("csrfToken={csrf}&callbackUrl=%2Fbye"))
        )
        .await
    );
    assert_eq!(res.headers()["location"], "http://localhost:3000/bye");
    step!(
        "read when signed out",
        [0, 0, 0, 0],
        assert_eq!(c.json("/session").await, serde_json::Value::Null)
    );

    let res = step!(
        "denied sign-in",
        [1, 0, 0, 0],
        c.send("POST", "/callback/credentials", Some(sign_in("banned")))
            .await
    );
    assert_eq!(
        res.headers()["location"],
        "http://localhost:3000/api/auth/error?error=AccessDenied"
    );
    let res = step!(
        "redirecting sign_in",
        [1, 0, 0, 1],
        c.send("POST", "/callback/credentials", Some(sign_in("elsewhere")))
            .await
    );
    assert_eq!(res.headers()["location"], "http://localhost:3000/blocked");
    assert_eq!(take(), vec![]);
}
