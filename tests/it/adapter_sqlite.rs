//! The adapter suite against SQLite on a temporary file, plus SQLite specifics: the file
//! holds only hashes, migrations are idempotent and safe in parallel, a closed pool is
//! `Unavailable`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use auth_runtime::User;
use auth_runtime::adapter::{Adapter, AdapterError, SessionId, SqliteAdapter, unix_now};
use auth_tests::Cleanup as _;
use auth_tests::sqlite::TempDb;
use sha2::{Digest as _, Sha256};

auth_tests::adapter_suite!(auth_tests::sqlite::adapter);

#[tokio::test]
async fn the_file_holds_only_hashes() {
    let file = TempDb::new("hashes");
    let db = SqliteAdapter::connect(&file.url()).await.expect("open");
    let user = db
        .create_user(&User::default().with_email("a@example.com"))
        .await
        .expect("user");
    let id = SessionId::generate();
    db.create_session(&id.key(), &user.id, unix_now() + 60)
        .await
        .expect("session");
    db.create_verification_token(&auth_runtime::adapter::VerificationToken {
        identifier: "a@example.com".into(),
        token: "tok-123".into(),
        expires: unix_now() + 60,
    })
    .await
    .expect("token");
    db.close().await;

    let stored: Vec<u8> = std::fs::read(&file.0).expect("read file");
    let wal: Vec<u8> = std::fs::read(format!("{}-wal", file.0.display())).unwrap_or_default();
    let cookie = id.to_cookie_value();
    let hash: [u8; 32] = Sha256::digest(b"tok-123").into();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for bytes in [&stored, &wal] {
        assert!(!contains(bytes, cookie.as_bytes()), "cookie value stored");
        assert!(
            !contains(bytes, b"tok-123"),
            "verification token stored in clear"
        );
    }
    assert!(
        contains(&stored, id.key().as_bytes()) || contains(&wal, id.key().as_bytes()),
        "the session key (SHA-256) is what is stored"
    );
    assert!(contains(&stored, &hash) || contains(&wal, &hash));
    file.cleanup().await;
}

#[tokio::test]
async fn accounts_round_trip() {
    let file = TempDb::new("accounts");
    let db = SqliteAdapter::connect(&file.url()).await.expect("open");
    let user = db.create_user(&User::new("u1")).await.expect("user");
    let full = auth_runtime::Account {
        provider: "corp".into(),
        provider_account_id: "sub-1".into(),
        kind: auth_runtime::AccountType::Oidc,
        access_token: Some("at".into()),
        refresh_token: Some("rt".into()),
        expires_at: Some(1_900_000_000),
        scope: Some("openid".into()),
        token_type: Some("bearer".into()),
        id_token: Some("idt".into()),
    };
    let bare = auth_runtime::Account {
        provider: "credentials".into(),
        provider_account_id: "u1".into(),
        kind: auth_runtime::AccountType::Credentials,
        ..Default::default()
    };
    db.link_account(&user.id, &full).await.expect("full");
    db.link_account(&user.id, &bare).await.expect("bare");
    assert_eq!(
        db.user_accounts("u1").await.expect("read"),
        vec![full, bare]
    );
    file.cleanup().await;
}

#[tokio::test]
async fn migrations_are_idempotent_and_safe_in_parallel() {
    let file = TempDb::new("migrate");
    let url = file.url();
    let opens: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { SqliteAdapter::connect(&url).await.map(|_| ()) })
        })
        .collect();
    for o in opens {
        o.await.expect("task").expect("parallel open migrates once");
    }
    let db = SqliteAdapter::connect(&url).await.expect("reopen");
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, name FROM auth_migrations ORDER BY version")
            .fetch_all(db.pool())
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
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(db.pool())
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");

    // An applied migration whose text changed is refused, not silently skipped.
    sqlx::query("UPDATE auth_migrations SET checksum = 'edited'")
        .execute(db.pool())
        .await
        .expect("tamper");
    db.close().await;
    let err = SqliteAdapter::connect(&url)
        .await
        .expect_err("edited migration");
    assert!(matches!(err, AdapterError::Migration(_)), "{err:?}");
    file.cleanup().await;
}

#[tokio::test]
async fn closed_pool_and_bad_urls_are_typed_errors() {
    let file = TempDb::new("closed");
    let db = SqliteAdapter::connect(&file.url()).await.expect("open");
    let user = db.create_user(&User::new("u")).await.expect("user");
    db.close().await;
    let err = db.get_user(&user.id).await.expect_err("closed");
    assert!(err.is_unavailable(), "{err:?}");
    file.cleanup().await;

    let err = SqliteAdapter::connect("mysql://nope")
        .await
        .expect_err("not sqlite");
    assert!(matches!(err, AdapterError::Config(_)), "{err:?}");
    // A missing directory without create mode cannot open: an error, not a panic.
    let err = SqliteAdapter::connect("sqlite:///nonexistent-dir/x/y.db")
        .await
        .expect_err("missing dir");
    assert!(matches!(err, AdapterError::Config(_)), "{err:?}");
}

#[tokio::test]
async fn the_sweeper_deletes_expired_sessions_periodically() {
    let file = TempDb::new("sweeper");
    let db = Arc::new(SqliteAdapter::connect(&file.url()).await.expect("open"));
    let user = db.create_user(&User::new("u")).await.expect("user");
    let old = SessionId::generate();
    let live = SessionId::generate();
    db.create_session(&old.key(), &user.id, unix_now() - 1)
        .await
        .expect("old");
    db.create_session(&live.key(), &user.id, unix_now() + 600)
        .await
        .expect("live");
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM auth_sessions")
            .fetch_one(db.pool())
            .await
            .expect("count")
    };
    assert_eq!(count().await, 2);
    let sweeper = auth_runtime::adapter::spawn_sweeper(
        Arc::clone(&db) as Arc<dyn Adapter>,
        std::time::Duration::from_millis(50),
    );
    let mut swept = false;
    for _ in 0..100 {
        if count().await == 1 {
            swept = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    sweeper.abort();
    assert!(swept, "the sweeper did not delete the expired session");
    assert!(
        db.get_session_and_user(&live.key())
            .await
            .expect("live")
            .is_some()
    );
    file.cleanup().await;
}
