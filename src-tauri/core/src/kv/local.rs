//! The embedded local namespace: Cloudflare KV semantics in a SQLite file. It is the default
//! store when no Cloudflare profile exists, the demo store, and the offline mirror.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use base64::Engine as _;
use sqlx::sqlite::SqlitePool;
use sqlx::Row;

use super::limits::{self, absolute_expiry, unix_now};
use super::{
    BulkOutcome, Entry, KeyInfo, KeyPage, KvStore, ListOptions, Metadata, PutOptions, Value,
};
use crate::error::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/local-namespace");

/// Rows per statement batch in bulk writes; SQLite binds at most 32766 parameters.
const ROWS_PER_BATCH: usize = 500;

/// A namespace stored in a local SQLite file; one file can hold many namespaces.
#[derive(Clone)]
pub struct LocalStore {
    pool: SqlitePool,
    path: PathBuf,
    namespace: String,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("path", &self.path)
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl LocalStore {
    /// Opens (creating when missing) the SQLite file at `path` and selects `namespace`.
    pub async fn open(path: &Path, namespace: &str) -> Result<Self> {
        let pool = crate::sqlite_file::open(path, 4, &MIGRATOR).await?;
        Ok(Self {
            pool,
            path: path.to_owned(),
            namespace: namespace.to_owned(),
        })
    }

    /// The same file, another namespace.
    pub fn with_namespace(&self, namespace: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            ..self.clone()
        }
    }

    /// The SQLite file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The namespaces that hold at least one key in this file, by name.
    pub async fn namespaces(&self) -> Result<Vec<String>> {
        // A skip-scan down the primary key: one index seek per namespace, never a table scan
        // (a file can hold 100k keys with their values in one namespace).
        sqlx::query_scalar(
            "WITH RECURSIVE ns(name) AS ( \
                 SELECT MIN(namespace) FROM entries \
                 UNION ALL \
                 SELECT (SELECT MIN(namespace) FROM entries WHERE namespace > ns.name) FROM ns WHERE ns.name IS NOT NULL \
             ) SELECT name FROM ns WHERE name IS NOT NULL",
        )
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    /// Deletes rows whose expiry has passed (they are already invisible); returns how many.
    pub async fn purge_expired(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM entries WHERE namespace = ? AND expiration IS NOT NULL AND expiration <= ?")
            .bind(&self.namespace)
            .bind(unix_now())
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(done.rows_affected())
    }

    fn err(&self, source: sqlx::Error) -> Error {
        Error::Local {
            path: self.path.clone(),
            source,
        }
    }

    async fn write_batch(&self, entries: &[Entry], now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        for batch in entries.chunks(ROWS_PER_BATCH) {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO entries (namespace, key, value, expiration, metadata) ",
            );
            query.push_values(batch, |mut row, e| {
                row.push_bind(&self.namespace)
                    .push_bind(e.key.as_bytes())
                    .push_bind(e.value.as_slice())
                    .push_bind(absolute_expiry(e.options.expiry, now))
                    .push_bind(e.options.metadata.as_ref().map(|m| m.to_string()));
            });
            query.push(
                " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, \
                 expiration = excluded.expiration, metadata = excluded.metadata",
            );
            query
                .build()
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }
}

/// The smallest byte string greater than every string starting with `prefix`, if any.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

fn decode_cursor(cursor: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| Error::invalid("cursor", "not a cursor returned by this namespace"))
}

/// Stored metadata text as the store's metadata (text that is not JSON, which this store never
/// writes, reads as none).
fn parse_metadata(text: Option<String>) -> Option<Metadata> {
    text.and_then(|t| Metadata::parse(&t, "metadata").ok())
        .filter(|m| !m.is_null())
}

#[async_trait]
impl KvStore for LocalStore {
    fn describe(&self) -> String {
        format!(
            "local namespace {:?} in {}",
            self.namespace,
            self.path.display()
        )
    }

    async fn list(&self, options: &ListOptions) -> Result<KeyPage> {
        limits::check_list(options.limit, options.prefix.as_deref())?;
        let limit = options.limit.unwrap_or(limits::MAX_LIST_LIMIT) as i64;
        let prefix = options.prefix.as_deref().unwrap_or("").as_bytes();
        let after = options
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(decode_cursor)
            .transpose()?;
        // One row more than asked tells whether another page exists, so the last page has no cursor.
        let rows = sqlx::query(
            "SELECT key, expiration, metadata FROM entries \
             WHERE namespace = ? AND key >= ? AND (? IS NULL OR key < ?) AND (? IS NULL OR key > ?) \
               AND (expiration IS NULL OR expiration > ?) \
             ORDER BY key LIMIT ?",
        )
        .bind(&self.namespace)
        .bind(prefix)
        .bind(prefix_end(prefix))
        .bind(prefix_end(prefix))
        .bind(after.as_deref())
        .bind(after.as_deref())
        .bind(unix_now())
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let more = rows.len() as i64 > limit;
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows.into_iter().take(limit as usize) {
            let key: Vec<u8> = row.get(0);
            keys.push(KeyInfo {
                name: String::from_utf8_lossy(&key).into_owned(),
                expiration: row.get(1),
                metadata: parse_metadata(row.get(2)),
            });
        }
        let cursor = more
            .then(|| {
                keys.last().map(|k| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.name.as_bytes())
                })
            })
            .flatten();
        Ok(KeyPage { keys, cursor })
    }

    async fn get(&self, key: &str) -> Result<Option<Value>> {
        limits::check_key(key)?;
        let row = sqlx::query(
            "SELECT value, expiration, metadata FROM entries \
             WHERE namespace = ? AND key = ? AND (expiration IS NULL OR expiration > ?)",
        )
        .bind(&self.namespace)
        .bind(key.as_bytes())
        .bind(unix_now())
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(row.map(|row| Value {
            bytes: row.get(0),
            expiration: row.get(1),
            metadata: parse_metadata(row.get(2)),
        }))
    }

    async fn put(&self, key: &str, value: &[u8], options: &PutOptions) -> Result<()> {
        let entry = Entry {
            key: key.to_owned(),
            value: value.to_vec(),
            options: options.clone(),
        };
        self.bulk_put(std::slice::from_ref(&entry)).await.map(drop)
    }

    async fn delete(&self, key: &str) -> Result<()> {
        limits::check_key(key)?;
        sqlx::query("DELETE FROM entries WHERE namespace = ? AND key = ?")
            .bind(&self.namespace)
            .bind(key.as_bytes())
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn bulk_put(&self, entries: &[Entry]) -> Result<BulkOutcome> {
        let now = unix_now();
        limits::check_entries(entries, now)?;
        self.write_batch(entries, now).await?;
        Ok(BulkOutcome {
            succeeded: entries.len(),
            failed: Vec::new(),
        })
    }

    async fn bulk_delete(&self, keys: &[String]) -> Result<BulkOutcome> {
        keys.iter().try_for_each(|k| limits::check_key(k))?;
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        for batch in keys.chunks(ROWS_PER_BATCH) {
            let mut query = sqlx::QueryBuilder::new("DELETE FROM entries WHERE namespace = ");
            query.push_bind(&self.namespace).push(" AND key IN (");
            let mut list = query.separated(", ");
            for key in batch {
                list.push_bind(key.as_bytes());
            }
            query.push(")");
            query
                .build()
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        // Like Cloudflare, deleting a key that does not exist counts as a success.
        Ok(BulkOutcome {
            succeeded: keys.len(),
            failed: Vec::new(),
        })
    }

    async fn bulk_get(&self, keys: &[String]) -> Result<Vec<Option<Value>>> {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.get(key).await?);
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_end_carries_past_ff() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
        assert_eq!(prefix_end(b""), None);
    }
}
