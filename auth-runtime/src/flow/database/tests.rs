//! The steps against every database the build has: SQLite on a temporary file, and
//! PostgreSQL on a fresh database of the test cluster when `AUTH_TEST_DATABASE_URL` names
//! it (`scripts/setup` starts it and exports the variable; `scripts/test` runs these with
//! it). The bodies are the adapter suite's former `sign_in_steps`,
//! `parallel_first_sign_in` and `session_steps`, moved here with the steps.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;

use super::*;
use crate::adapter::SqliteAdapter;
use crate::config::AccountType;
use crate::util::unix_now;

fn user(email: &str) -> User {
    User::default()
        .with_name(format!("Name of {email}"))
        .with_email(email)
        .with_image(format!("https://img.example/{email}.png"))
}

fn account(provider: &str, id: &str) -> Account {
    Account {
        provider: provider.to_owned(),
        provider_account_id: id.to_owned(),
        kind: AccountType::Oidc,
        access_token: Some(format!("at-{id}")),
        refresh_token: Some(format!("rt-{id}")),
        expires_at: Some(1_900_000_000),
        scope: Some("openid email".to_owned()),
        token_type: Some("bearer".to_owned()),
        id_token: Some(format!("idt-{id}")),
    }
}

/// A fresh database and how to throw it away.
struct TestDb {
    adapter: Arc<dyn Adapter>,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    #[cfg(feature = "postgres")]
    Database {
        admin: Box<sqlx::postgres::PgConnectOptions>,
        name: String,
    },
}

impl TestDb {
    async fn cleanup(self) {
        drop(self.adapter);
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            #[cfg(feature = "postgres")]
            Cleanup::Database { admin, name } => {
                use sqlx::Connection as _;
                let mut conn = sqlx::PgConnection::connect_with(&admin)
                    .await
                    .expect("admin");
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .expect("drop test database");
            }
        }
    }
}

fn unique(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("authrs_unit_{label}_{}_{nanos}", std::process::id())
}

/// SQLite, and PostgreSQL when the test cluster is known.
async fn databases(label: &str) -> Vec<TestDb> {
    let path = std::env::temp_dir().join(format!("{}.db", unique(label)));
    let sqlite = SqliteAdapter::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("open sqlite");
    let mut out = Vec::with_capacity(2);
    out.push(TestDb {
        adapter: Arc::new(sqlite),
        cleanup: Cleanup::File(path),
    });
    #[cfg(feature = "postgres")]
    match std::env::var("AUTH_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => out.push(postgres(&url, label).await),
        _ => eprintln!(
            "{label}: PostgreSQL skipped (AUTH_TEST_DATABASE_URL is not set; `scripts/test` sets it)"
        ),
    }
    out
}

#[cfg(feature = "postgres")]
async fn postgres(admin_url: &str, label: &str) -> TestDb {
    use sqlx::Connection as _;
    let admin: sqlx::postgres::PgConnectOptions = admin_url.parse().expect("admin URL");
    let name = unique(label);
    let mut conn = sqlx::PgConnection::connect_with(&admin)
        .await
        .expect("admin");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let options = admin.clone().database(&name);
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(10);
    let adapter = crate::adapter::PostgresAdapter::connect_with(pool, options)
        .await
        .expect("connect to test database");
    TestDb {
        adapter: Arc::new(adapter),
        cleanup: Cleanup::Database {
            admin: Box::new(admin),
            name,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_steps_on_every_database() {
    for db in databases("sign_in_steps").await {
        sign_in_steps(db.adapter.clone()).await;
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_first_sign_in_on_every_database() {
    for db in databases("parallel_first_sign_in").await {
        parallel_first_sign_in(db.adapter.clone()).await;
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cached_session_reads_on_every_database() {
    for db in databases("cached_reads").await {
        cached_session_reads(db.adapter.clone()).await;
        db.cleanup().await;
    }
}

/// `read_session` with a session row cache: a row read is answered from memory for the
/// interval (a row deleted behind its back meanwhile still reads, then not), an
/// extension due is still written to the database, and `end_session` forgets at once.
async fn cached_session_reads(db: Arc<dyn Adapter>) {
    use std::time::Duration;
    const MAX_AGE: u64 = 3600;
    const UPDATE_AGE: u64 = 60;
    let db = &*db;
    let rows = SessionRows::new(Duration::from_secs(5), 10);
    let at = |secs: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    let bob = db.create_user(&user("bob@example.com")).await.expect("bob");
    let now = unix_now();
    let (id, _) = start_session(db, &bob.id, MAX_AGE, now)
        .await
        .expect("start");
    let cookie = id.clone();
    let read = |secs: i64, clock: u64| {
        read_session(
            db,
            Some(&cookie),
            MAX_AGE,
            UPDATE_AGE,
            secs,
            Some((&rows, at(clock))),
        )
    };
    let first = read(now, 100).await.expect("read").expect("live");
    assert!(!first.extended);
    // Deleted behind the cache's back: still read from memory within the interval.
    assert!(
        db.delete_session(
            &crate::adapter::SessionId::parse(&id)
                .expect("a session id")
                .key()
        )
        .await
        .expect("delete")
    );
    let cached = read(now, 104)
        .await
        .expect("cached")
        .expect("from the cache");
    assert_eq!(cached.session, first.session);
    assert_eq!(read(now, 105).await.expect("stale"), None);

    // An extension due on a cached row is written to the database.
    let (id, _) = start_session(db, &bob.id, MAX_AGE, now)
        .await
        .expect("again");
    let cookie = id.clone();
    let read = |secs: i64, clock: u64| {
        read_session(
            db,
            Some(&cookie),
            MAX_AGE,
            UPDATE_AGE,
            secs,
            Some((&rows, at(clock))),
        )
    };
    read(now, 200).await.expect("read").expect("live");
    let later = now + 120;
    let slid = read(later, 201).await.expect("slide").expect("live");
    assert!(slid.extended);
    assert_eq!(slid.session.expires, later + MAX_AGE as i64);
    let stored = db
        .get_session_and_user(
            &crate::adapter::SessionId::parse(&id)
                .expect("a session id")
                .key(),
        )
        .await
        .expect("row")
        .expect("live");
    assert_eq!(stored.0.expires, later + MAX_AGE as i64);
    // A session expired by the clock reads as signed out even from the cache.
    let expired = read(later + MAX_AGE as i64, 202).await.expect("expired");
    assert_eq!(expired, None);

    // Sign-out forgets at once.
    let (id, _) = start_session(db, &bob.id, MAX_AGE, now)
        .await
        .expect("third");
    let cookie = id.clone();
    read_session(
        db,
        Some(&cookie),
        MAX_AGE,
        UPDATE_AGE,
        now,
        Some((&rows, at(300))),
    )
    .await
    .expect("read")
    .expect("live");
    assert!(
        end_session(db, Some(&cookie), Some(&rows))
            .await
            .expect("end")
    );
    let after = read_session(
        db,
        Some(&cookie),
        MAX_AGE,
        UPDATE_AGE,
        now,
        Some((&rows, at(300))),
    );
    assert_eq!(after.await.expect("after"), None);
}

#[tokio::test]
async fn session_steps_on_every_database() {
    for db in databases("session_steps").await {
        session_steps(db.adapter.clone()).await;
        db.cleanup().await;
    }
}

/// Sign-in steps: OAuth finds, creates (user and account atomically) or refuses to link by
/// e-mail unless allowed; credentials find, create or refresh the application's user.
async fn sign_in_steps(db: Arc<dyn Adapter>) {
    let db = &*db;
    let profile = user("alice@example.com");
    let first = oauth_sign_in(db, &profile, &account("github", "1"), false)
        .await
        .expect("first");
    assert!(first.created && first.linked);
    assert_eq!(
        (first.user.name.clone(), first.user.email.clone()),
        (profile.name.clone(), profile.email.clone())
    );
    let again = oauth_sign_in(db, &profile, &account("github", "1"), false)
        .await
        .expect("again");
    assert_eq!(
        (again.user.id.as_str(), again.created, again.linked),
        (first.user.id.as_str(), false, false)
    );

    // Same e-mail from another provider: refused unless the provider allows linking.
    let err = oauth_sign_in(db, &profile, &account("google", "g-1"), false)
        .await
        .expect_err("not linked");
    assert!(matches!(err, SignInError::AccountNotLinked), "{err:?}");
    assert_eq!(
        db.get_user_by_account("google", "g-1")
            .await
            .expect("lookup"),
        None
    );
    let linked = oauth_sign_in(db, &profile, &account("google", "g-1"), true)
        .await
        .expect("link");
    assert_eq!(
        (linked.user.id.as_str(), linked.created, linked.linked),
        (first.user.id.as_str(), false, true)
    );

    // A profile without e-mail always gets its own user.
    let anon = oauth_sign_in(
        db,
        &User::default().with_name("anon"),
        &account("github", "2"),
        false,
    )
    .await
    .expect("no email");
    assert!(anon.created && anon.user.id != first.user.id);

    // create_user_with_account stores nothing when the account is taken.
    let err = db
        .create_user_with_account(&user("mallory@example.com"), &account("github", "1"))
        .await
        .expect_err("account taken");
    assert!(matches!(err, AdapterError::Conflict(_)), "{err:?}");
    assert_eq!(
        db.get_user_by_email("mallory@example.com")
            .await
            .expect("lookup"),
        None
    );

    // Credentials: the application's user is created once, then found and refreshed.
    let app_user = User::new("app-7")
        .with_name("Seven")
        .with_email("seven@example.com");
    let c1 = credentials_sign_in(db, &app_user).await.expect("create");
    assert!(c1.created && !c1.linked);
    assert_eq!(c1.user, app_user);
    let c2 = credentials_sign_in(db, &app_user).await.expect("find");
    assert!(!c2.created);
    let renamed = app_user.clone().with_name("Seven II");
    let c3 = credentials_sign_in(db, &renamed).await.expect("refresh");
    assert_eq!((c3.created, c3.user.clone()), (false, renamed.clone()));
    assert_eq!(db.get_user("app-7").await.expect("stored"), Some(renamed));
    let by_mail = credentials_sign_in(db, &User::default().with_email("seven@example.com"))
        .await
        .expect("by email");
    assert_eq!(by_mail.user.id, "app-7");
    let err = credentials_sign_in(db, &User::default().with_name("nobody"))
        .await
        .expect_err("no id");
    assert!(matches!(err, SignInError::MissingUserId), "{err:?}");
}

/// Many parallel first sign-ins of one person (same account, same e-mail) end with one user,
/// created once, and every request signed in as that user.
async fn parallel_first_sign_in(db: Arc<dyn Adapter>) {
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            oauth_sign_in(
                &*db,
                &user("race@example.com"),
                &account("github", "race"),
                false,
            )
            .await
        }));
    }
    let mut ids = HashSet::new();
    let mut created = 0;
    for t in tasks {
        let signed = t
            .await
            .expect("task")
            .expect("every parallel sign-in succeeds");
        ids.insert(signed.user.id);
        created += usize::from(signed.created);
    }
    assert_eq!(ids.len(), 1, "one user");
    assert_eq!(created, 1, "created once");
    let id = ids.into_iter().next().expect("id");
    assert_eq!(
        db.get_user_by_email("race@example.com")
            .await
            .expect("by email")
            .map(|u| u.id),
        Some(id)
    );
}

/// Session steps: start, read (sliding expiry only past `update_age`), end; garbage and
/// missing cookies read as signed out.
async fn session_steps(db: Arc<dyn Adapter>) {
    const MAX_AGE: u64 = 30 * 24 * 3600;
    const UPDATE_AGE: u64 = 24 * 3600;
    let db = &*db;
    let alice = db
        .create_user(&user("alice@example.com"))
        .await
        .expect("alice");
    let (id, started) = start_session(db, &alice.id, MAX_AGE, unix_now())
        .await
        .expect("start");
    let now = unix_now();
    assert!((now + MAX_AGE as i64 - 5..=now + MAX_AGE as i64).contains(&started.expires));
    let cookie = id;

    let live = read_session(db, Some(&cookie), MAX_AGE, UPDATE_AGE, unix_now(), None)
        .await
        .expect("read")
        .expect("live");
    assert_eq!(
        (live.session.clone(), live.user.clone(), live.extended),
        (started.clone(), alice.clone(), false)
    );

    for garbage in [None, Some(""), Some("garbage"), Some(&cookie[1..])] {
        assert_eq!(
            read_session(db, garbage, MAX_AGE, UPDATE_AGE, unix_now(), None)
                .await
                .expect("garbage"),
            None
        );
        assert!(!end_session(db, garbage, None).await.expect("end garbage"));
    }

    // Issued longer than update_age ago: the read slides the expiry to now + max_age.
    let old = SessionId::generate();
    let old_expires = unix_now() + MAX_AGE as i64 - UPDATE_AGE as i64 - 60;
    db.create_session(&old.key(), &alice.id, old_expires)
        .await
        .expect("old");
    let slid = read_session(
        db,
        Some(&old.to_cookie_value()),
        MAX_AGE,
        UPDATE_AGE,
        unix_now(),
        None,
    )
    .await
    .expect("read old")
    .expect("live");
    assert!(slid.extended);
    assert!(
        slid.session.expires >= unix_now() + MAX_AGE as i64 - 5,
        "{slid:?}"
    );
    let again = read_session(
        db,
        Some(&old.to_cookie_value()),
        MAX_AGE,
        UPDATE_AGE,
        unix_now(),
        None,
    )
    .await
    .expect("reread")
    .expect("live");
    assert_eq!(
        (again.extended, again.session.expires),
        (false, slid.session.expires)
    );

    // Expired: signed out.
    let dead = SessionId::generate();
    db.create_session(&dead.key(), &alice.id, unix_now() - 1)
        .await
        .expect("dead");
    assert_eq!(
        read_session(
            db,
            Some(&dead.to_cookie_value()),
            MAX_AGE,
            UPDATE_AGE,
            unix_now(),
            None
        )
        .await
        .expect("dead"),
        None
    );

    assert!(
        end_session(db, Some(&cookie), None)
            .await
            .expect("sign out")
    );
    assert_eq!(
        read_session(db, Some(&cookie), MAX_AGE, UPDATE_AGE, unix_now(), None)
            .await
            .expect("after"),
        None
    );
    assert!(!end_session(db, Some(&cookie), None).await.expect("again"));
}
