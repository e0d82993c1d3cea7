//! A temporary SQLite database file per test.

use std::path::PathBuf;
use std::sync::Arc;

use auth_runtime::adapter::{Adapter, SqliteAdapter};

use crate::Cleanup;

/// A temporary database file, deleted (with its WAL files) by [`Cleanup::cleanup`].
pub struct TempDb(pub PathBuf);

impl TempDb {
    /// A new file name in the temporary directory (unique per process, label and time).
    pub fn new(label: &str) -> TempDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        TempDb(
            std::env::temp_dir().join(format!("authrs-{label}-{}-{nanos}.db", std::process::id())),
        )
    }

    /// The `sqlite://` URL, creating the file on first connect.
    pub fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }
}

impl Cleanup for TempDb {
    async fn cleanup(self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// A [`SqliteAdapter`] on a fresh file: the `make` of the SQLite suites.
pub async fn adapter(label: &str) -> (Arc<dyn Adapter>, TempDb) {
    let file = TempDb::new(label);
    let db = SqliteAdapter::connect(&file.url())
        .await
        .expect("open sqlite");
    (Arc::new(db), file)
}
