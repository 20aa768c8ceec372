//! A guard that makes a read-only profile refuse every write in the core, whatever the caller
//! (CLI, desktop app, jobs): reads pass through, writes fail with `ReadOnlyProfile`.

use async_trait::async_trait;

use super::{BulkOutcome, Entry, KeyPage, KvStore, ListOptions, PutOptions, Value};
use crate::error::{Error, Result};

/// Wraps a store so that every write is refused on behalf of `profile`.
pub struct ReadOnlyStore {
    inner: Box<dyn KvStore>,
    profile: String,
}

impl ReadOnlyStore {
    /// Guards `inner` for the named profile.
    pub fn new(inner: Box<dyn KvStore>, profile: &str) -> Self {
        Self {
            inner,
            profile: profile.to_owned(),
        }
    }

    fn refuse<T>(&self, action: String) -> Result<T> {
        Err(Error::ReadOnlyProfile {
            profile: self.profile.clone(),
            action,
        })
    }
}

#[async_trait]
impl KvStore for ReadOnlyStore {
    fn describe(&self) -> String {
        format!("{} (read-only)", self.inner.describe())
    }

    async fn list(&self, options: &ListOptions) -> Result<KeyPage> {
        self.inner.list(options).await
    }

    async fn get(&self, key: &str) -> Result<Option<Value>> {
        self.inner.get(key).await
    }

    async fn put(&self, key: &str, _value: &[u8], _options: &PutOptions) -> Result<()> {
        self.refuse(format!("write key {key:?}"))
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.refuse(format!("delete key {key:?}"))
    }

    async fn bulk_put(&self, entries: &[Entry]) -> Result<BulkOutcome> {
        self.refuse(format!("write {} keys", entries.len()))
    }

    async fn bulk_delete(&self, keys: &[String]) -> Result<BulkOutcome> {
        self.refuse(format!("delete {} keys", keys.len()))
    }

    async fn bulk_get(&self, keys: &[String]) -> Result<Vec<Option<Value>>> {
        self.inner.bulk_get(keys).await
    }
}
