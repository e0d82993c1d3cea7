//! The behavioural suite every database adapter must pass (run against SQLite and
//! PostgreSQL by `it/adapter_sqlite.rs` and `it/adapter_postgres.rs`).
//!
//! Each function takes a fresh, empty database. `adapter_suite!(make)` expands to one
//! `#[tokio::test]` per function, `make` being an async fn returning `(Arc<dyn Adapter>, guard)`
//! (`guard`: [`Cleanup`](crate::Cleanup)), e.g. [`crate::postgres::adapter`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use auth_runtime::adapter::{
    Adapter, AdapterError, AdapterSession, Authenticator, SessionId, SessionKey, VerificationToken,
    unix_now,
};
use auth_runtime::{Account, AccountType, User};

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

async fn session_for(db: &dyn Adapter, user_id: &str, expires: i64) -> (SessionId, AdapterSession) {
    let id = SessionId::generate();
    let session = db
        .create_session(&id.key(), user_id, expires)
        .await
        .expect("create_session");
    (id, session)
}

/// Users: create (generated and given ids), read by id and e-mail, update, delete, conflicts.
pub async fn users(db: Arc<dyn Adapter>) {
    let db = &*db;
    let alice = db
        .create_user(&user("alice@example.com"))
        .await
        .expect("create alice");
    assert_eq!(alice.id.len(), 36, "a generated id is a UUID: {}", alice.id);
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(
        db.get_user(&alice.id).await.expect("get"),
        Some(alice.clone())
    );
    assert_eq!(
        db.get_user_by_email("alice@example.com")
            .await
            .expect("by email"),
        Some(alice.clone())
    );
    assert_eq!(
        db.get_user_by_email("ALICE@example.com")
            .await
            .expect("case"),
        None
    );
    assert_eq!(db.get_user("no-such-id").await.expect("unknown"), None);
    assert_eq!(db.get_user("").await.expect("empty id"), None);

    // A given id is kept (credentials users keep the application's id); fields may be empty.
    let mut bare = User::new("app-user-42");
    bare.email_verified = Some(1_700_000_000);
    let stored = db.create_user(&bare).await.expect("create with id");
    assert_eq!(stored, bare);
    assert_eq!(
        db.get_user("app-user-42").await.expect("get bare"),
        Some(bare.clone())
    );

    // Two users without e-mail coexist; a taken e-mail or id is a conflict.
    db.create_user(&User::default().with_name("no mail 1"))
        .await
        .expect("no mail 1");
    db.create_user(&User::default().with_name("no mail 2"))
        .await
        .expect("no mail 2");
    assert!(matches!(
        db.create_user(&user("alice@example.com")).await,
        Err(AdapterError::Conflict(_))
    ));
    assert!(matches!(
        db.create_user(&bare).await,
        Err(AdapterError::Conflict(_))
    ));

    // Update replaces the profile fields; unicode survives.
    let mut changed = alice.clone();
    changed.name = Some("Ålice Zoë 🦀".to_owned());
    changed.image = None;
    changed.email = Some("alice@new.example".to_owned());
    changed.email_verified = Some(1_800_000_000);
    assert_eq!(
        db.update_user(&changed).await.expect("update"),
        Some(changed.clone())
    );
    assert_eq!(
        db.get_user(&alice.id).await.expect("get updated"),
        Some(changed.clone())
    );
    assert_eq!(
        db.get_user_by_email("alice@example.com")
            .await
            .expect("old mail"),
        None
    );
    assert_eq!(
        db.update_user(&User::new("ghost"))
            .await
            .expect("update unknown"),
        None
    );
    let mut steal = bare.clone();
    steal.email = Some("alice@new.example".to_owned());
    assert!(matches!(
        db.update_user(&steal).await,
        Err(AdapterError::Conflict(_))
    ));

    assert!(db.delete_user(&alice.id).await.expect("delete"));
    assert_eq!(db.get_user(&alice.id).await.expect("get deleted"), None);
    assert!(!db.delete_user(&alice.id).await.expect("delete again"));
}

/// Accounts: linking, lookup by account, one account per provider id, unlinking, cascade.
pub async fn accounts(db: Arc<dyn Adapter>) {
    let db = &*db;
    let alice = db
        .create_user(&user("alice@example.com"))
        .await
        .expect("alice");
    let bob = db.create_user(&user("bob@example.com")).await.expect("bob");

    db.link_account(&alice.id, &account("github", "1001"))
        .await
        .expect("link github");
    db.link_account(&alice.id, &account("google", "1001"))
        .await
        .expect("link google, same id");
    db.link_account(&bob.id, &account("github", "2002"))
        .await
        .expect("link bob");

    let by = |p: &'static str, id: &'static str| db.get_user_by_account(p, id);
    assert_eq!(by("github", "1001").await.expect("gh"), Some(alice.clone()));
    assert_eq!(by("google", "1001").await.expect("gg"), Some(alice.clone()));
    assert_eq!(by("github", "2002").await.expect("bob"), Some(bob.clone()));
    assert_eq!(by("github", "3003").await.expect("unknown id"), None);
    assert_eq!(by("gitlab", "1001").await.expect("unknown provider"), None);

    // An account already linked (to anyone) cannot be linked again; unknown users refused.
    assert!(matches!(
        db.link_account(&bob.id, &account("github", "1001")).await,
        Err(AdapterError::Conflict(_))
    ));
    assert_eq!(
        by("github", "1001").await.expect("still alice"),
        Some(alice.clone())
    );
    assert!(matches!(
        db.link_account("no-such-user", &account("gitlab", "9"))
            .await,
        Err(AdapterError::NotFound(_))
    ));
    let mut credentials = account("credentials", "alice");
    credentials.kind = AccountType::Credentials;
    credentials.access_token = None;
    db.link_account(&alice.id, &credentials)
        .await
        .expect("credentials account");

    assert!(db.unlink_account("google", "1001").await.expect("unlink"));
    assert!(
        !db.unlink_account("google", "1001")
            .await
            .expect("unlink again")
    );
    assert_eq!(by("google", "1001").await.expect("unlinked"), None);
    assert_eq!(
        by("github", "1001").await.expect("other kept"),
        Some(alice.clone())
    );

    // Deleting the user deletes their accounts (the id can be linked anew).
    assert!(db.delete_user(&alice.id).await.expect("delete alice"));
    assert_eq!(by("github", "1001").await.expect("cascade"), None);
    db.link_account(&bob.id, &account("github", "1001"))
        .await
        .expect("relink after delete");
    assert_eq!(by("github", "1001").await.expect("now bob"), Some(bob));
}

/// Sessions: create, read with the user, slide, delete; unknown user; duplicate key.
pub async fn sessions(db: Arc<dyn Adapter>) {
    let db = &*db;
    let alice = db
        .create_user(&user("alice@example.com"))
        .await
        .expect("alice");
    let now = unix_now();
    let (id, created) = session_for(db, &alice.id, now + 3600).await;
    assert_eq!(created.key, id.key());
    assert_eq!(created.user_id, alice.id);
    assert_eq!(created.expires, now + 3600);
    assert!((now - 5..=now + 5).contains(&created.created_at));

    // The cookie round trip gives the same key, hence the same session.
    let cookie = id.to_cookie_value();
    let key = SessionId::parse(&cookie).expect("parse cookie").key();
    let (session, u) = db
        .get_session_and_user(&key)
        .await
        .expect("read")
        .expect("session exists");
    assert_eq!(session, created);
    assert_eq!(u, alice);

    let slid = db
        .update_session(&key, now + 7200)
        .await
        .expect("update")
        .expect("live session updated");
    assert_eq!(slid.expires, now + 7200);
    assert_eq!(slid.created_at, created.created_at);
    let (session, _) = db
        .get_session_and_user(&key)
        .await
        .expect("reread")
        .expect("still there");
    assert_eq!(session.expires, now + 7200);

    assert!(db.delete_session(&key).await.expect("sign out"));
    assert_eq!(
        db.get_session_and_user(&key).await.expect("after delete"),
        None
    );
    assert!(!db.delete_session(&key).await.expect("delete again"));
    assert_eq!(
        db.update_session(&key, now + 9999)
            .await
            .expect("update deleted"),
        None
    );

    assert!(matches!(
        db.create_session(&SessionId::generate().key(), "no-such-user", now + 60)
            .await,
        Err(AdapterError::NotFound(_))
    ));
    let (dup, _) = session_for(db, &alice.id, now + 60).await;
    assert!(matches!(
        db.create_session(&dup.key(), &alice.id, now + 60).await,
        Err(AdapterError::Conflict(_))
    ));

    // Deleting the user ends their sessions.
    assert!(db.delete_user(&alice.id).await.expect("delete user"));
    assert_eq!(
        db.get_session_and_user(&dup.key()).await.expect("cascade"),
        None
    );
}

/// Expiry: an expired session reads as none and is deleted on read; it is not revived by
/// an update; the sweep deletes exactly the expired ones.
pub async fn expiry(db: Arc<dyn Adapter>) {
    let db = &*db;
    let alice = db
        .create_user(&user("alice@example.com"))
        .await
        .expect("alice");
    let now = unix_now();

    let (old, _) = session_for(db, &alice.id, now - 10).await;
    assert_eq!(
        db.update_session(&old.key(), now + 3600)
            .await
            .expect("no revive"),
        None
    );
    assert_eq!(
        db.get_session_and_user(&old.key())
            .await
            .expect("expired read"),
        None
    );
    // It was deleted by the read, not merely hidden.
    assert!(
        !db.delete_session(&old.key())
            .await
            .expect("already deleted")
    );

    let mut expired = Vec::new();
    for i in 0..3 {
        expired.push(session_for(db, &alice.id, now - 100 - i).await.0);
    }
    let (live1, _) = session_for(db, &alice.id, now + 3600).await;
    let (live2, _) = session_for(db, &alice.id, now + 7200).await;
    // Expired sessions are not listed.
    assert_eq!(
        db.list_user_sessions(&alice.id).await.expect("list").len(),
        2
    );
    assert_eq!(db.delete_expired_sessions().await.expect("sweep"), 3);
    assert_eq!(db.delete_expired_sessions().await.expect("sweep again"), 0);
    for id in &expired {
        assert!(!db.delete_session(&id.key()).await.expect("swept"));
    }
    for id in [&live1, &live2] {
        assert!(
            db.get_session_and_user(&id.key())
                .await
                .expect("live")
                .is_some()
        );
    }
}

/// Garbage and unknown session ids are "no session", never an error.
pub async fn unknown_ids(db: Arc<dyn Adapter>) {
    let db = &*db;
    let alice = db
        .create_user(&user("alice@example.com"))
        .await
        .expect("alice");
    let (real, _) = session_for(db, &alice.id, unix_now() + 3600).await;

    for key in [
        SessionId::generate().key(),
        SessionKey::from_bytes([0; 32]),
        SessionKey::from_bytes([0xff; 32]),
        // The cookie text is not a key: only the hash of the id finds the session.
        SessionKey::from_slice(&real.to_cookie_value().as_bytes()[..32]).expect("32 bytes"),
    ] {
        assert_eq!(db.get_session_and_user(&key).await.expect("unknown"), None);
        assert_eq!(
            db.update_session(&key, unix_now() + 60)
                .await
                .expect("unknown"),
            None
        );
        assert!(!db.delete_session(&key).await.expect("unknown"));
    }
    for garbage in [
        "",
        "null",
        "' OR 1=1 --",
        &"A".repeat(44),
        &real.to_cookie_value()[1..],
    ] {
        assert!(SessionId::parse(garbage).is_none(), "{garbage:?}");
    }
    assert!(
        db.list_user_sessions("no-such-user")
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        db.delete_user_sessions("no-such-user")
            .await
            .expect("revoke"),
        0
    );
    assert!(
        db.get_session_and_user(&real.key())
            .await
            .expect("real")
            .is_some()
    );
}

/// Verification tokens are single use and bound to their identifier.
pub async fn verification_tokens(db: Arc<dyn Adapter>) {
    let db = &*db;
    let now = unix_now();
    let token = VerificationToken {
        identifier: "alice@example.com".to_owned(),
        token: "secret-token-1".to_owned(),
        expires: now + 600,
    };
    db.create_verification_token(&token).await.expect("create");
    assert!(matches!(
        db.create_verification_token(&token).await,
        Err(AdapterError::Conflict(_))
    ));
    let other = VerificationToken {
        identifier: "bob@example.com".to_owned(),
        ..token.clone()
    };
    db.create_verification_token(&other)
        .await
        .expect("same token, other identifier");

    assert_eq!(
        db.use_verification_token("alice@example.com", "wrong")
            .await
            .expect("wrong"),
        None
    );
    assert_eq!(
        db.use_verification_token("carol@example.com", "secret-token-1")
            .await
            .expect("other id"),
        None
    );
    assert_eq!(
        db.use_verification_token("alice@example.com", "secret-token-1")
            .await
            .expect("use"),
        Some(token.clone())
    );
    assert_eq!(
        db.use_verification_token("alice@example.com", "secret-token-1")
            .await
            .expect("reuse"),
        None,
        "a verification token is single use"
    );
    assert_eq!(
        db.use_verification_token("bob@example.com", "secret-token-1")
            .await
            .expect("bob"),
        Some(other)
    );

    // An expired token is returned (the caller refuses it) and consumed; the sweep removes
    // expired tokens nobody used.
    let stale = VerificationToken {
        identifier: "alice@example.com".to_owned(),
        token: "stale".to_owned(),
        expires: now - 1,
    };
    db.create_verification_token(&stale).await.expect("stale");
    let used = db
        .use_verification_token("alice@example.com", "stale")
        .await
        .expect("use stale")
        .expect("returned");
    assert!(used.expires < unix_now());
    let forgotten = VerificationToken {
        token: "forgotten".to_owned(),
        ..stale
    };
    db.create_verification_token(&forgotten)
        .await
        .expect("forgotten");
    db.delete_expired_sessions().await.expect("sweep");
    assert_eq!(
        db.use_verification_token("alice@example.com", "forgotten")
            .await
            .expect("swept"),
        None
    );
}

/// Listing and revoking a user's sessions ("sign out everywhere") touches nobody else's.
pub async fn list_and_revoke(db: Arc<dyn Adapter>) {
    let db = &*db;
    let alice = db
        .create_user(&user("alice@example.com"))
        .await
        .expect("alice");
    let bob = db.create_user(&user("bob@example.com")).await.expect("bob");
    let now = unix_now();
    let mut alice_ids = Vec::new();
    for i in 0..3 {
        alice_ids.push(session_for(db, &alice.id, now + 3600 + i).await.0);
    }
    let (bob_id, _) = session_for(db, &bob.id, now + 3600).await;

    let listed = db.list_user_sessions(&alice.id).await.expect("list");
    let listed_keys: HashSet<String> = listed.iter().map(|s| s.key.to_hex()).collect();
    let expected: HashSet<String> = alice_ids.iter().map(|id| id.key().to_hex()).collect();
    assert_eq!(listed_keys, expected);
    assert!(listed.iter().all(|s| s.user_id == alice.id));
    assert!(
        listed
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at)
    );

    // Revoke one by the listed handle (its hex form round-trips, as through a form).
    let handle = SessionKey::from_hex(&listed[0].key.to_hex()).expect("hex");
    assert!(db.delete_session(&handle).await.expect("revoke one"));
    assert_eq!(
        db.list_user_sessions(&alice.id).await.expect("list").len(),
        2
    );

    assert_eq!(
        db.delete_user_sessions(&alice.id)
            .await
            .expect("everywhere"),
        2
    );
    assert!(
        db.list_user_sessions(&alice.id)
            .await
            .expect("list")
            .is_empty()
    );
    for id in &alice_ids {
        assert_eq!(
            db.get_session_and_user(&id.key()).await.expect("revoked"),
            None
        );
    }
    let (s, u) = db
        .get_session_and_user(&bob_id.key())
        .await
        .expect("bob")
        .expect("bob untouched");
    assert_eq!((s.user_id.as_str(), u), (bob.id.as_str(), bob.clone()));
    assert_eq!(
        db.list_user_sessions(&bob.id)
            .await
            .expect("bob list")
            .len(),
        1
    );
}

/// Many parallel sign-ins and reads: every session is found, belongs to its own user, and
/// none is lost or duplicated.
pub async fn concurrency(db: Arc<dyn Adapter>) {
    const USERS: usize = 40;
    const SESSIONS_PER_USER: usize = 4;
    let mut tasks = Vec::new();
    for u in 0..USERS {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            let created = db
                .create_user(&user(&format!("user{u}@example.com")))
                .await
                .expect("create user");
            let mut mine = Vec::new();
            for _ in 0..SESSIONS_PER_USER {
                let id = SessionId::generate();
                db.create_session(&id.key(), &created.id, unix_now() + 3600)
                    .await
                    .expect("create session");
                // Read back at once, interleaved with the other tasks' writes.
                let (s, who) = db
                    .get_session_and_user(&id.key())
                    .await
                    .expect("read")
                    .expect("just created");
                assert_eq!(
                    (s.user_id.as_str(), who.id.as_str()),
                    (created.id.as_str(), created.id.as_str())
                );
                mine.push(id);
            }
            (created, mine)
        }));
    }
    let mut owner: HashMap<String, String> = HashMap::new();
    let mut users = Vec::new();
    for t in tasks {
        let (u, ids) = t.await.expect("task");
        for id in ids {
            assert!(
                owner.insert(id.key().to_hex(), u.id.clone()).is_none(),
                "duplicate id"
            );
        }
        users.push(u);
    }
    assert_eq!(owner.len(), USERS * SESSIONS_PER_USER);

    // Parallel reads of every session, several times each.
    let keys: Vec<String> = owner.keys().cloned().collect();
    let mut reads = Vec::new();
    for round in 0..3 {
        for chunk in keys.chunks(8) {
            let db = Arc::clone(&db);
            let chunk: Vec<String> = chunk.to_vec();
            reads.push(tokio::spawn(async move {
                let mut seen = Vec::new();
                for hex in chunk {
                    let key = SessionKey::from_hex(&hex).expect("hex");
                    let (s, u) = db
                        .get_session_and_user(&key)
                        .await
                        .expect("read")
                        .expect("session lost");
                    assert_eq!(s.user_id, u.id);
                    seen.push((hex, u.id, round));
                }
                seen
            }));
        }
    }
    let mut count = 0;
    for r in reads {
        for (hex, user_id, _) in r.await.expect("read task") {
            assert_eq!(owner.get(&hex), Some(&user_id), "cross-wired session");
            count += 1;
        }
    }
    assert_eq!(count, 3 * USERS * SESSIONS_PER_USER);
    for u in &users {
        assert_eq!(
            db.list_user_sessions(&u.id).await.expect("list").len(),
            SESSIONS_PER_USER
        );
    }
}

/// Passkeys: create (a repeated credential id conflicts), read by credential id, list per
/// user (oldest first), the counter moved only forward (and `0` to `0`), delete by owner only,
/// and the rows gone with their user.
pub async fn authenticators(db: Arc<dyn Adapter>) {
    let alice = db
        .create_user(&user("alice@pk.example"))
        .await
        .expect("alice");
    let bob = db.create_user(&user("bob@pk.example")).await.expect("bob");
    let make = |id: &str, user_id: &str, counter: i64, at: i64| {
        Authenticator::new(
            id.to_owned(),
            user_id.to_owned(),
            vec![0xa5, 1, 2, 3, 0, 0xff],
            counter,
            vec!["internal".to_owned(), "hybrid".to_owned()],
            format!("key {id}"),
            at,
        )
    };
    let first = make("cred-1", &alice.id, 5, 100);
    db.create_authenticator(&first).await.expect("create");
    db.create_authenticator(&make("cred-2", &alice.id, 0, 200))
        .await
        .expect("create 2");
    db.create_authenticator(&make("cred-3", &bob.id, 0, 50))
        .await
        .expect("create 3");
    assert!(matches!(
        db.create_authenticator(&make("cred-1", &bob.id, 0, 1))
            .await,
        Err(AdapterError::Conflict(_))
    ));
    assert_eq!(
        db.get_authenticator("cred-1").await.expect("get"),
        Some(first.clone())
    );
    assert_eq!(db.get_authenticator("nope").await.expect("get"), None);
    let listed: Vec<String> = db
        .list_authenticators(&alice.id)
        .await
        .expect("list")
        .into_iter()
        .map(|a| a.credential_id)
        .collect();
    assert_eq!(listed, ["cred-1", "cred-2"]);
    // Only forward.
    assert!(
        !db.update_authenticator_counter("cred-1", 5)
            .await
            .expect("same")
    );
    assert!(
        !db.update_authenticator_counter("cred-1", 4)
            .await
            .expect("back")
    );
    assert!(
        db.update_authenticator_counter("cred-1", 6)
            .await
            .expect("forward")
    );
    assert_eq!(
        db.get_authenticator("cred-1")
            .await
            .expect("get")
            .map(|a| a.counter),
        Some(6)
    );
    // A counter-less authenticator stays at 0.
    assert!(
        db.update_authenticator_counter("cred-2", 0)
            .await
            .expect("zero")
    );
    assert!(
        !db.update_authenticator_counter("nope", 1)
            .await
            .expect("unknown")
    );
    // Only its owner removes it.
    assert!(
        !db.delete_authenticator(&bob.id, "cred-1")
            .await
            .expect("not bob's")
    );
    assert!(
        db.delete_authenticator(&alice.id, "cred-1")
            .await
            .expect("delete")
    );
    assert!(
        !db.delete_authenticator(&alice.id, "cred-1")
            .await
            .expect("again")
    );
    // Gone with their user.
    assert!(db.delete_user(&alice.id).await.expect("delete user"));
    assert_eq!(db.get_authenticator("cred-2").await.expect("get"), None);
    assert_eq!(db.list_authenticators(&bob.id).await.expect("bob").len(), 1);
}

/// Expands to one `#[tokio::test]` per suite function; `$make` is an async fn returning
/// `(Arc<dyn Adapter>, guard)` where `guard: Cleanup` is cleaned up after the test.
#[macro_export]
macro_rules! adapter_suite {
    ($make:path) => {
        $crate::adapter_suite!(@tests $make; users, accounts, sessions, expiry, unknown_ids,
            verification_tokens, list_and_revoke, concurrency, authenticators);
    };
    (@tests $make:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let (db, guard) = $make(stringify!($name)).await;
                $crate::adapter_suite::$name(db).await;
                $crate::Cleanup::cleanup(guard).await;
            }
        )*
    };
}
