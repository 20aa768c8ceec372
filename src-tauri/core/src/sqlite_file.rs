//! Opening one of Cachescope's SQLite files (the local namespace, the local state): create the
//! folder (0700) and the file (0600) when missing, WAL journal, a busy timeout, then apply its
//! migrations.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::{Error, Result};

/// A pool of at most `max_connections` on the file at `path`, migrated by `migrator`.
pub async fn open(path: &Path, max_connections: u32, migrator: &Migrator) -> Result<SqlitePool> {
    let pool = connect(path, max_connections).await?;
    migrator.run(&pool).await.map_err(|e| Error::Local {
        path: path.to_owned(),
        source: e.into(),
    })?;
    Ok(pool)
}

/// A pool of at most `max_connections` on the file at `path`, without migrations (for a file
/// whose single table is created idempotently by its owner).
pub async fn connect(path: &Path, max_connections: u32) -> Result<SqlitePool> {
    // The file (cached reports, the audit log) is created 0600 in a 0700 folder before SQLite
    // opens it; SQLite gives its -wal and -shm files the mode of the database file.
    crate::private_files::ensure_file(path)?;
    for companion in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(companion);
        crate::private_files::narrow(Path::new(&name));
    }
    let local_err = |source| Error::Local {
        path: path.to_owned(),
        source,
    };
    let options = SqliteConnectOptions::from_str("sqlite://")
        .map_err(local_err)?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await
        .map_err(local_err)?;
    Ok(pool)
}
