//! The database session strategy through `Auth::handle` on SQLite (a temporary file):
//! the shared suite, plus a closed database answering 503.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod db_common;
mod flow_support;
mod oauth_support;

use std::path::PathBuf;
use std::sync::Arc;

use auth_runtime::adapter::{Adapter, SqliteAdapter};
use db_common::{COOKIE, app};
use flow_support::Browser;

/// A temporary database file, deleted (with its WAL files) by `cleanup`.
struct TempDb(PathBuf);

impl TempDb {
    fn new(label: &str) -> TempDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        TempDb(std::env::temp_dir().join(format!(
            "authrs-dbflow-{label}-{}-{nanos}.db",
            std::process::id()
        )))
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }

    async fn cleanup(self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

async fn make(label: &str) -> (Arc<dyn Adapter>, TempDb) {
    let file = TempDb::new(label);
    let db = SqliteAdapter::connect(&file.url())
        .await
        .expect("open sqlite");
    (Arc::new(db), file)
}

db_suite!(make);

/// A closed database: the session read, the sign-in and the sign-out answer 503 with a
/// JSON body; the cookie is kept (not a sign-out).
#[tokio::test]
async fn closed_database_is_503() {
    let file = TempDb::new("closed");
    let sqlite = Arc::new(SqliteAdapter::connect(&file.url()).await.unwrap());
    let db: Arc<dyn Adapter> = sqlite.clone();
    let mut b = Browser::new(app(&db, Arc::default(), Vec::new()));
    assert_eq!(b.sign_in("erin", None).await.status, 302);
    assert_eq!(b.session().await["user"]["name"], "erin");
    sqlite.close().await;

    let res = b.get("/session").await;
    assert_eq!(res.status, 503);
    assert_eq!(res.json()["error"], "ServiceUnavailable");
    assert!(res.set_cookie(COOKIE).is_none(), "not signed out");
    assert!(res.header("retry-after").is_some());

    let csrf = b.csrf().await;
    let res = b.post_form("/signout", &[("csrfToken", &csrf)]).await;
    assert_eq!(res.status, 503);
    assert!(
        b.jar.contains_key(COOKIE),
        "cookie kept until the row is deleted"
    );

    let mut other = Browser::new(b.auth.clone());
    let res = other.sign_in("frank", None).await;
    assert_eq!(res.status, 503);
    assert!(other.jar.get(COOKIE).is_none());
    file.cleanup().await;
}
