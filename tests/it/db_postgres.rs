//! The database session strategy on PostgreSQL (a fresh database per test on the cluster
//! `scripts/setup` starts): the shared suite; scale-out (two app servers on two loopback
//! ports sharing one database); the database going away mid-run (503, then recovery).
//!
//! Needs `AUTH_TEST_DATABASE_URL` (exported by `scripts/setup.d/40-postgres.sh`): without
//! it every test here fails and says to run `scripts/setup`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_runtime::adapter::{Adapter, PostgresAdapter};
use auth_runtime::{Auth, Session};
use auth_tests::cookies::CookieJar;
use auth_tests::db_suite::{COOKIE, app};
use auth_tests::flow::{SUser, Tok};
use auth_tests::postgres::{FaultProxy, TestDatabase, url_addr, with_addr};
use axum::Router;
use axum::routing::get;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

auth_tests::db_suite!(auth_tests::postgres::adapter);

/// An app server: the auth routes, `/me` reading the session through the axum extractor.
async fn serve(auth: Auth<Tok, SUser>) -> SocketAddr {
    async fn me(session: Session<SUser>) -> String {
        session.user.id.unwrap_or_default()
    }
    let router: Router = Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer());
    auth_tests::serve(router).await
}

/// A browser over real HTTP: keeps cookies across servers (one site behind a balancer).
struct Client {
    http: reqwest::Client,
    jar: CookieJar,
}

struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Client {
    fn new() -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: CookieJar::new(),
        }
    }

    async fn send(
        &mut self,
        server: SocketAddr,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let url = format!("http://{server}{path}");
        let mut req = match form {
            Some(f) => self.http.post(url).form(f),
            None => self.http.get(url),
        };
        let cookie = self.jar.header();
        if !cookie.is_empty() {
            req = req.header("cookie", cookie);
        }
        let res = req.send().await.expect("request");
        self.jar.store(res.headers());
        Answer {
            status: res.status().as_u16(),
            body: res.text().await.unwrap_or_default(),
        }
    }

    async fn csrf(&mut self, server: SocketAddr) -> String {
        let a = self.send(server, "/api/auth/csrf", None).await;
        a.json()["csrfToken"].as_str().unwrap().to_owned()
    }

    async fn sign_in(&mut self, server: SocketAddr, user: &str) -> Answer {
        let csrf = self.csrf(server).await;
        self.send(
            server,
            "/api/auth/callback/credentials",
            Some(&[("csrfToken", &csrf), ("username", user), ("password", "pw")]),
        )
        .await
    }

    async fn sign_out(&mut self, server: SocketAddr) -> Answer {
        let csrf = self.csrf(server).await;
        self.send(server, "/api/auth/signout", Some(&[("csrfToken", &csrf)]))
            .await
    }

    async fn session(&mut self, server: SocketAddr) -> serde_json::Value {
        let a = self.send(server, "/api/auth/session", None).await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.json()
    }
}

/// Two app servers share one PostgreSQL: a sign-in through one is a session on the
/// other; sign-out on one, or revocation through the other's `Auth`, ends it on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scale_out_two_servers_one_database() {
    let database = TestDatabase::create("scaleout").await;
    let connect = || async {
        let db: Arc<dyn Adapter> = Arc::new(PostgresAdapter::connect(&database.url).await.unwrap());
        db
    };
    let (db_a, db_b) = (connect().await, connect().await);
    let auth_a = app(&db_a, Arc::default(), Vec::new());
    let auth_b = app(&db_b, Arc::default(), Vec::new());
    let (a, b) = (serve(auth_a.clone()).await, serve(auth_b.clone()).await);

    let mut c = Client::new();
    assert_eq!(c.send(b, "/me", None).await.status, 401);
    assert_eq!(c.sign_in(a, "gina").await.status, 302);
    assert!(c.jar.contains_key(COOKIE));
    assert_eq!(c.session(b).await["user"]["id"], "id-gina");
    let me = c.send(b, "/me", None).await;
    assert_eq!((me.status, me.body.as_str()), (200, "id-gina"));

    // Sign-out through B ends it on A.
    assert_eq!(c.sign_out(b).await.status, 302);
    assert!(!c.jar.contains_key(COOKIE));
    assert_eq!(c.session(a).await, serde_json::Value::Null);

    // Sign in through B on two devices; revoke everywhere through A's handle.
    let mut phone = Client::new();
    assert_eq!(c.sign_in(b, "gina").await.status, 302);
    assert_eq!(phone.sign_in(a, "gina").await.status, 302);
    assert_eq!(auth_b.user_sessions("id-gina").await.unwrap().len(), 2);
    // A stolen copy of the cookie, kept after revocation.
    let stolen = c.jar.clone();
    assert_eq!(auth_a.sign_out_everywhere("id-gina").await.unwrap(), 2);
    for server in [a, b] {
        assert_eq!(c.session(server).await, serde_json::Value::Null);
        assert_eq!(phone.session(server).await, serde_json::Value::Null);
        let mut replay = Client::new();
        replay.jar = stolen.clone();
        assert_eq!(replay.send(server, "/me", None).await.status, 401);
    }
    database.drop_database().await;
}

/// The database stops mid-run (every connection cut, new ones refused): the session
/// read, the axum extractor, sign-in and sign-out answer 503 with a clear body, nothing
/// panics; when it returns, the same cookie is a session again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_down_is_503_then_recovers() {
    let database = TestDatabase::create("dbdown").await;
    let proxy = FaultProxy::start_to(url_addr(&database.url))
        .await
        .expect("proxy");
    let options: PgConnectOptions = with_addr(&database.url, proxy.addr()).parse().unwrap();
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(1));
    let db: Arc<dyn Adapter> = Arc::new(
        PostgresAdapter::connect_with(pool, options)
            .await
            .unwrap()
            .with_call_timeout(Duration::from_secs(3)),
    );
    let server = serve(app(&db, Arc::default(), Vec::new())).await;
    let mut c = Client::new();
    assert_eq!(c.sign_in(server, "hana").await.status, 302);
    assert_eq!(c.session(server).await["user"]["id"], "id-hana");
    let cookie = c.jar[COOKIE].clone();

    proxy.stop();
    let a = c.send(server, "/api/auth/session", None).await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(a.json()["error"], "ServiceUnavailable");
    assert!(
        a.json()["message"]
            .as_str()
            .unwrap()
            .contains("database is unavailable")
    );
    assert_eq!(
        c.jar.get(COOKIE),
        Some(&cookie),
        "a fault is not a sign-out"
    );
    let me = c.send(server, "/me", None).await;
    assert_eq!(me.status, 503, "{}", me.body);
    assert_eq!(me.json()["error"], "ServiceUnavailable");
    let mut other = Client::new();
    let a = other.sign_in(server, "ivan").await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert!(!other.jar.contains_key(COOKIE));
    let a = c.sign_out(server).await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(c.jar.get(COOKIE), Some(&cookie));

    proxy.start().expect("proxy restart");
    let start = Instant::now();
    loop {
        let a = c.send(server, "/api/auth/session", None).await;
        if a.status == 200 {
            assert_eq!(a.json()["user"]["id"], "id-hana");
            break;
        }
        assert_eq!(a.status, 503, "{}", a.body);
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "service did not resume"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let me = c.send(server, "/me", None).await;
    assert_eq!((me.status, me.body.as_str()), (200, "id-hana"));
    assert_eq!(other.sign_in(server, "ivan").await.status, 302);
    assert_eq!(other.session(server).await["user"]["id"], "id-ivan");
    assert_eq!(c.sign_out(server).await.status, 302);
    assert_eq!(c.session(server).await, serde_json::Value::Null);
    drop(proxy);
    database.drop_database().await;
}
