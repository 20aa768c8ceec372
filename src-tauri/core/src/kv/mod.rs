//! Key-value stores with Cloudflare Workers KV semantics: the [`KvStore`] trait, its data types,
//! and the two implementations (the Cloudflare REST client and the embedded SQLite namespace).

pub mod cloudflare;
pub mod limits;
pub mod local;
pub mod metadata;
pub mod paging;
pub mod plan;
pub mod read_only;
pub mod shared_budget;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
pub use metadata::Metadata;

/// One key as a listing returns it. The UI gets it as a [`crate::value_view::KeyView`], with the
/// metadata as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub name: String,
    /// Absolute expiry, Unix seconds.
    pub expiration: Option<i64>,
    pub metadata: Option<Metadata>,
}

/// One page of a listing. `cursor` is `None` once the listing is complete.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPage {
    pub keys: Vec<KeyInfo>,
    pub cursor: Option<String>,
}

/// What to list: keys starting with `prefix`, after `cursor`, at most `limit` (capped at 1000).
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub prefix: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// A stored value with what KV keeps beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub bytes: Vec<u8>,
    /// Absolute expiry, Unix seconds.
    pub expiration: Option<i64>,
    pub metadata: Option<Metadata>,
}

/// When a written key expires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Expiry {
    #[default]
    Never,
    /// Seconds from now (KV's `expiration_ttl`, at least 60).
    Ttl(u64),
    /// Absolute Unix seconds (KV's `expiration`, at least 60 s ahead).
    At(i64),
}

/// Options of a write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutOptions {
    pub expiry: Expiry,
    pub metadata: Option<Metadata>,
}

/// One item of a bulk write.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Vec<u8>,
    pub options: PutOptions,
}

/// The outcome of a bulk write or delete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub succeeded: usize,
    /// Keys the server reported as not processed.
    pub failed: Vec<String>,
}

impl BulkOutcome {
    /// Adds another chunk's outcome to this one.
    pub fn absorb(&mut self, other: BulkOutcome) {
        self.succeeded += other.succeeded;
        self.failed.extend(other.failed);
    }
}

/// A namespace of keys with Cloudflare Workers KV semantics: keys ordered by their UTF-8 bytes,
/// cursor paging of at most 1000 keys, expiry honoured on read and list, and Cloudflare's limits
/// checked before anything is written (see [`limits`]).
#[async_trait]
pub trait KvStore: Send + Sync {
    /// A short description of where the keys live, for messages (never contains a secret).
    fn describe(&self) -> String;

    /// One page of keys in byte order.
    async fn list(&self, options: &ListOptions) -> Result<KeyPage>;

    /// The value of `key`, or `None` when it does not exist or has expired.
    async fn get(&self, key: &str) -> Result<Option<Value>>;

    /// Writes one key.
    async fn put(&self, key: &str, value: &[u8], options: &PutOptions) -> Result<()>;

    /// Deletes one key; deleting a missing key succeeds.
    async fn delete(&self, key: &str) -> Result<()>;

    /// Writes many keys; every entry is validated before the first is sent.
    async fn bulk_put(&self, entries: &[Entry]) -> Result<BulkOutcome>;

    /// Deletes many keys.
    async fn bulk_delete(&self, keys: &[String]) -> Result<BulkOutcome>;

    /// Reads many keys, in the order asked. Cloudflare's bulk read returns text, so values are
    /// expected to be UTF-8 (use [`KvStore::get`] for binary values).
    async fn bulk_get(&self, keys: &[String]) -> Result<Vec<Option<Value>>>;
}

/// Lists every key under `prefix`, page by page, reporting progress ("list" phase) and stopping
/// with `Cancelled` between pages when asked. A server whose paging would not end (a cursor
/// that comes back, endless empty pages, more pages than the keys need) ends the listing with
/// `KvPagingLoop` (see [`paging`]).
pub async fn list_all(
    store: &dyn KvStore,
    prefix: Option<&str>,
    progress: &crate::progress::Progress,
) -> Result<Vec<KeyInfo>> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    let listing = match prefix {
        Some(prefix) => format!("keys under {prefix:?} in {}", store.describe()),
        None => format!("keys in {}", store.describe()),
    };
    let mut guard = paging::PagingGuard::new(listing, limits::MAX_LIST_LIMIT, None);
    loop {
        progress.check()?;
        let page = store
            .list(&ListOptions {
                prefix: prefix.map(str::to_owned),
                cursor,
                limit: None,
            })
            .await?;
        guard.page(page.keys.len(), page.cursor.as_deref())?;
        keys.extend(page.keys);
        progress.report("list", keys.len() as u64, None);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(keys),
        }
    }
}
