//! The adapter suite against PostgreSQL (a fresh database per test on the cluster
//! `scripts/setup` starts), plus PostgreSQL specifics: only hashes stored, migrations
//! serialised across instances, two adapters sharing one database, and faults (network cut,
//! server restart, closed port) giving `Unavailable` and recovering.
//!
//! Needs `AUTH_TEST_DATABASE_URL` (exported by `scripts/setup.d/40-postgres.sh`): without
//! it every test here fails and says to run `scripts/setup`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_runtime::User;
use auth_runtime::adapter::{
    Adapter, AdapterError, PostgresAdapter, SessionId, VerificationToken, unix_now,
};
use auth_tests::postgres::{FaultProxy, PrivateCluster, TestDatabase, url_addr, with_addr};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

auth_tests::adapter_suite!(auth_tests::postgres::adapter);

/// Pool options for fault tests: fail fast while the server is away.
fn fast_pool() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(1))
}

async fn connect_fast(url: &str) -> Result<PostgresAdapter, AdapterError> {
    let options: PgConnectOptions = url.parse().expect("url");
    PostgresAdapter::connect_with(fast_pool(), options).await
}

/// Retries `op` until it succeeds (bounded): the adapter recovers once the server is back.
async fn eventually<T, F, Fut>(what: &str, mut op: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AdapterError>>,
{
    let start = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), op()).await {
            Ok(Ok(v)) => return v,
            Ok(Err(e)) if e.is_unavailable() && start.elapsed() < Duration::from_secs(30) => {}
            Ok(Err(e)) => panic!("{what}: {e:?}"),
            Err(_) => panic!("{what}: hung"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_table_holds_only_hashes() {
    let db = TestDatabase::create("hashes").await;
    let adapter = PostgresAdapter::connect(&db.url).await.expect("connect");
    // Debug output never shows the connection password.
    let password = db
        .url
        .split_once("//")
        .and_then(|(_, r)| r.split_once('@'))
        .map(|(userinfo, _)| userinfo)
        .and_then(|u| u.split_once(':'))
        .map(|(_, pw)| pw.to_owned())
        .expect("the test URL has a password");
    assert!(!format!("{adapter:?}").contains(&password), "{adapter:?}");
    let user = adapter.create_user(&User::new("u1")).await.expect("user");
    let id = SessionId::generate();
    adapter
        .create_session(&id.key(), &user.id, unix_now() + 60)
        .await
        .expect("session");
    adapter
        .create_verification_token(&VerificationToken {
            identifier: "u1@example.com".into(),
            token: "tok-123".into(),
            expires: unix_now() + 60,
        })
        .await
        .expect("token");
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT id_hash FROM auth_sessions")
        .fetch_all(adapter.pool())
        .await
        .expect("sessions");
    assert_eq!(stored, vec![id.key().as_bytes().to_vec()]);
    let cookie = id.to_cookie_value();
    let text: Vec<String> = sqlx::query_scalar(
        "SELECT row_to_json(s)::text FROM auth_sessions s UNION ALL \
         SELECT row_to_json(v)::text FROM auth_verification_tokens v",
    )
    .fetch_all(adapter.pool())
    .await
    .expect("rows");
    for row in &text {
        assert!(
            !row.contains(&cookie) && !row.contains("tok-123"),
            "secret stored: {row}"
        );
    }
    adapter.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn migrations_are_serialised_across_instances() {
    let db = TestDatabase::create("migrate").await;
    // Several app instances start at once on an empty database.
    let starts: Vec<_> = (0..6)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move {
                PostgresAdapter::connect(&url)
                    .await
                    .map(|a| a.pool().clone())
            })
        })
        .collect();
    let mut pools = Vec::new();
    for s in starts {
        pools.push(s.await.expect("task").expect("concurrent start"));
    }
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, name FROM auth_migrations ORDER BY version")
            .fetch_all(&pools[0])
            .await
            .expect("bookkeeping");
    assert_eq!(
        rows,
        vec![
            (1, "init".to_owned()),
            (2, "session_versions".to_owned()),
            (3, "rate_limits".to_owned()),
            (4, "authenticators".to_owned()),
            (5, "totp".to_owned())
        ]
    );

    // Restarting is a no-op; an edited migration is refused.
    PostgresAdapter::connect(&db.url).await.expect("restart");
    sqlx::query("UPDATE auth_migrations SET checksum = 'edited'")
        .execute(&pools[0])
        .await
        .expect("tamper");
    let err = PostgresAdapter::connect(&db.url)
        .await
        .expect_err("edited migration");
    assert!(matches!(err, AdapterError::Migration(_)), "{err:?}");
    for p in pools {
        p.close().await;
    }
    db.drop_database().await;
}

/// Two app servers share one database: a session created through one is live on the
/// other; revoking on either ends it on both.
#[tokio::test]
async fn two_instances_share_sessions() {
    let db = TestDatabase::create("shared").await;
    let one = PostgresAdapter::connect(&db.url).await.expect("one");
    let two = PostgresAdapter::connect(&db.url).await.expect("two");
    let user = one
        .create_user(&User::default().with_email("a@example.com"))
        .await
        .expect("user");
    let id = SessionId::generate();
    one.create_session(&id.key(), &user.id, unix_now() + 60)
        .await
        .expect("sign in on one");
    let (_, seen) = two
        .get_session_and_user(&id.key())
        .await
        .expect("read")
        .expect("live on two");
    assert_eq!(seen, user);
    assert_eq!(
        two.delete_user_sessions(&user.id)
            .await
            .expect("revoke on two"),
        1
    );
    assert_eq!(
        one.get_session_and_user(&id.key()).await.expect("read"),
        None
    );
    one.close().await;
    two.close().await;
    db.drop_database().await;
}

/// The network to the database is cut mid-run: calls fail with `Unavailable` (bounded, no
/// panic, no hang), and the adapter recovers by itself when the network is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn network_cut_is_unavailable_then_recovers() {
    let db = TestDatabase::create("netcut").await;
    let proxy = FaultProxy::start_to(url_addr(&db.url))
        .await
        .expect("proxy");
    let adapter = Arc::new(
        connect_fast(&with_addr(&db.url, proxy.addr()))
            .await
            .expect("connect via proxy"),
    );
    let user = adapter.create_user(&User::new("u1")).await.expect("user");
    let id = SessionId::generate();
    adapter
        .create_session(&id.key(), &user.id, unix_now() + 600)
        .await
        .expect("session");
    assert!(
        adapter
            .get_session_and_user(&id.key())
            .await
            .expect("read")
            .is_some()
    );

    proxy.stop();
    // Reads and writes in parallel while the database is away.
    let mut calls = Vec::new();
    for i in 0..8 {
        let adapter = Arc::clone(&adapter);
        let key = id.key();
        calls.push(tokio::spawn(async move {
            let started = Instant::now();
            let result = if i % 2 == 0 {
                adapter.get_session_and_user(&key).await.map(|_| ())
            } else {
                adapter.create_user(&User::default()).await.map(|_| ())
            };
            (result, started.elapsed())
        }));
    }
    for c in calls {
        let (result, took) = c.await.expect("no panic");
        let err = result.expect_err("database is away");
        assert!(err.is_unavailable(), "expected Unavailable, got {err:?}");
        assert!(took < Duration::from_secs(10), "took {took:?}");
    }

    proxy.start().expect("network back");
    let key = id.key();
    let (session, who) = eventually("read after recovery", || adapter.get_session_and_user(&key))
        .await
        .expect("the session survived");
    assert_eq!((session.user_id, who.id), (user.id.clone(), user.id));
    adapter.close().await;
    drop(proxy);
    db.drop_database().await;
}

/// The network black-holes (no reset, no answer): every call still ends, within the call
/// timeout, with `Unavailable`; service resumes when the network does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn network_black_hole_times_out_as_unavailable() {
    let db = TestDatabase::create("blackhole").await;
    let proxy = FaultProxy::start_to(url_addr(&db.url))
        .await
        .expect("proxy");
    // Without the pre-acquire ping, an idle connection is handed out at once and the
    // query itself waits on the silent network: only the call timeout ends it.
    let options: PgConnectOptions = with_addr(&db.url, proxy.addr()).parse().expect("url");
    let adapter = Arc::new(
        PostgresAdapter::connect_with(fast_pool().test_before_acquire(false), options)
            .await
            .expect("connect via proxy")
            .with_call_timeout(Duration::from_secs(2)),
    );
    let user = adapter.create_user(&User::new("u1")).await.expect("user");
    let id = SessionId::generate();
    adapter
        .create_session(&id.key(), &user.id, unix_now() + 600)
        .await
        .expect("session");

    proxy.freeze();
    let mut calls = Vec::new();
    for _ in 0..4 {
        let adapter = Arc::clone(&adapter);
        let key = id.key();
        calls.push(tokio::spawn(async move {
            let started = Instant::now();
            let call = adapter.get_session_and_user(&key);
            let result = tokio::time::timeout(Duration::from_secs(20), call)
                .await
                .expect("the call hung: no call timeout");
            (result, started.elapsed())
        }));
    }
    for c in calls {
        let (result, took) = c.await.expect("no panic");
        let err = result.expect_err("no answer");
        assert!(err.is_unavailable(), "{err:?}");
        assert!(
            took < Duration::from_secs(5),
            "bounded by the call timeout, took {took:?}"
        );
    }

    proxy.thaw();
    let key = id.key();
    let (_, who) = eventually("read after thaw", || adapter.get_session_and_user(&key))
        .await
        .expect("the session survived");
    assert_eq!(who, user);
    adapter.close().await;
    drop(proxy);
    db.drop_database().await;
}

/// The PostgreSQL server itself stops (fast shutdown: open sessions are terminated with
/// SQLSTATE 57P01) and starts again: `Unavailable` meanwhile, then service resumes with
/// the data intact. Runs on a private cluster so the shared one stays up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restart_is_unavailable_then_recovers() {
    let cluster = tokio::task::spawn_blocking(PrivateCluster::start)
        .await
        .expect("cluster");
    let adapter = connect_fast(&cluster.url()).await.expect("connect");
    let user = adapter.create_user(&User::new("u1")).await.expect("user");
    let id = SessionId::generate();
    adapter
        .create_session(&id.key(), &user.id, unix_now() + 600)
        .await
        .expect("session");

    // Hold a connection inside a transaction while the server goes down.
    let mut held = adapter.pool().begin().await.expect("begin");
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.halt();
        cluster
    })
    .await
    .expect("halt");
    let err = sqlx::query("SELECT 1")
        .execute(&mut *held)
        .await
        .expect_err("terminated");
    drop(held);
    let _ = err;

    for _ in 0..3 {
        let err = adapter
            .get_session_and_user(&id.key())
            .await
            .expect_err("server down");
        assert!(err.is_unavailable(), "expected Unavailable, got {err:?}");
    }
    let err = adapter
        .delete_expired_sessions()
        .await
        .expect_err("server down");
    assert!(err.is_unavailable(), "{err:?}");

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.resume();
        cluster
    })
    .await
    .expect("resume");
    let key = id.key();
    let (_, who) = eventually("read after restart", || adapter.get_session_and_user(&key))
        .await
        .expect("the session survived the restart");
    assert_eq!(who, user);
    adapter.close().await;
    drop(cluster);
}

#[tokio::test]
async fn unreachable_server_and_bad_urls_are_typed_errors() {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let started = Instant::now();
    let err = connect_fast(&format!("postgres://postgres:pw@127.0.0.1:{port}/postgres"))
        .await
        .expect_err("closed port");
    assert!(err.is_unavailable(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));

    for bad in [
        "postgres://user:hunter2-secret@127.0.0.1:notaport/db",
        "mysql://user:hunter2-secret@127.0.0.1/db",
    ] {
        let err = PostgresAdapter::connect(bad).await.expect_err("bad url");
        assert!(matches!(err, AdapterError::Config(_)), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter2"), "password leaked: {shown}");
    }
    // Wrong password: refused, not retried forever, password not echoed.
    let wrong = with_password(&auth_tests::postgres::admin_url(), "hunter2-wrong");
    let err = connect_fast(&wrong).await.expect_err("wrong password");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "password leaked: {shown}");
}

fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("//").expect("scheme");
    let (userinfo, host) = rest.split_once('@').expect("userinfo");
    let user = userinfo.split(':').next().unwrap_or(userinfo);
    format!("{scheme}//{user}:{password}@{host}")
}
