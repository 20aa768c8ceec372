//! The offline mirror: copies every report key of a profile's namespace into the local
//! namespace `mirror:{profile}` with the time of the sync, so reports can be read without a
//! network. Keys the source no longer has are dropped from the mirror; copies never expire
//! (their source expiry is kept in the metadata, for display).

use chrono::Utc;
use serde::Serialize;
use serde_json::{json, Value};

use super::definitions::listing_prefixes;
use crate::context::CoreContext;
use crate::error::Result;
use crate::kv::{limits, list_all, Entry, KeyInfo, KvStore, Metadata, PutOptions};
use crate::progress::Progress;

/// Metadata field holding when a mirror copy was made.
pub const SYNCED_AT: &str = "syncedAt";
const SOURCE_EXPIRATION: &str = "sourceExpiration";

/// A mirror copy's metadata: its own fields, then the source's metadata as its exact text.
#[derive(Serialize)]
struct MirrorCopyMetadata<'a> {
    #[serde(flatten)]
    fields: serde_json::Map<String, Value>,
    #[serde(rename = "sourceMetadata", skip_serializing_if = "Option::is_none")]
    source: Option<&'a Metadata>,
}

/// What a mirror copy remembers of its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorMetadata {
    pub synced_at: String,
    pub source_expiration: Option<i64>,
}

impl MirrorMetadata {
    /// Reads the mirror fields from a key's metadata (`None` if it is not a mirror copy).
    pub fn read(metadata: Option<&Metadata>) -> Option<Self> {
        let m = metadata?.to_value();
        Some(Self {
            synced_at: m.get(SYNCED_AT)?.as_str()?.to_owned(),
            source_expiration: m.get(SOURCE_EXPIRATION).and_then(Value::as_i64),
        })
    }
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncOutcome {
    pub profile: String,
    pub synced_at: String,
    #[ts(type = "number")]
    pub keys: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Mirror copies removed because the source no longer has them.
    #[ts(type = "number")]
    pub removed: u64,
}

/// Copies the profile's report keys into its offline mirror.
pub async fn sync(
    ctx: &CoreContext,
    profile: Option<&str>,
    progress: &Progress,
) -> Result<SyncOutcome> {
    let profile = ctx.profile(profile)?;
    let catalog = super::catalog(ctx)?;
    let store = profile.store().await?;
    let mirror = ctx.offline_mirror(&profile.name).await?;
    let prefixes = listing_prefixes(catalog.reports().iter());
    let mut source_keys: Vec<KeyInfo> = Vec::new();
    for prefix in &prefixes {
        let keys = list_all(
            store.as_ref(),
            (!prefix.is_empty()).then_some(prefix.as_str()),
            progress,
        )
        .await?;
        source_keys.extend(
            keys.into_iter()
                .filter(|k| catalog.find_by_key(&k.name).is_some()),
        );
    }
    let synced_at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let total = source_keys.len() as u64;
    let mut outcome = SyncOutcome {
        profile: profile.name.clone(),
        synced_at: synced_at.clone(),
        keys: 0,
        bytes: 0,
        removed: 0,
    };
    for chunk in source_keys.chunks(limits::MAX_BULK_GET_KEYS) {
        progress.check()?;
        let names: Vec<String> = chunk.iter().map(|k| k.name.clone()).collect();
        let values = store.bulk_get(&names).await?;
        let mut entries = Vec::with_capacity(chunk.len());
        for (info, value) in chunk.iter().zip(values) {
            // Expired or deleted between the listing and the read.
            let Some(value) = value else { continue };
            outcome.bytes += value.bytes.len() as u64;
            let mut fields = serde_json::Map::new();
            fields.insert(SYNCED_AT.into(), json!(synced_at));
            fields.insert(SOURCE_EXPIRATION.into(), json!(info.expiration));
            let mut source = None;
            if let Some(m) = &info.metadata {
                // Kept as the source wrote it, minus what the mirror adds itself.
                let parsed = m.to_value();
                for field in ["generatedAt", "contentHash"] {
                    if let Some(value) = parsed.get(field) {
                        fields.insert(field.into(), value.clone());
                    }
                }
                let own = serde_json::to_vec(&fields).map_or(0, |v| v.len());
                if own + m.as_str().len() < limits::MAX_METADATA_BYTES - 32 {
                    source = Some(m);
                }
            }
            let metadata = Metadata::to_json(&MirrorCopyMetadata { fields, source })?;
            entries.push(Entry {
                key: info.name.clone(),
                value: value.bytes,
                options: PutOptions {
                    expiry: crate::kv::Expiry::Never,
                    metadata: Some(metadata),
                },
            });
        }
        mirror.bulk_put(&entries).await?;
        outcome.keys += entries.len() as u64;
        progress.report("sync", outcome.keys, Some(total));
    }
    // Drop copies of keys the source no longer has (invalidated, expired).
    let current: std::collections::HashSet<&str> =
        source_keys.iter().map(|k| k.name.as_str()).collect();
    let mut gone = Vec::new();
    for prefix in &prefixes {
        for k in list_all(
            &mirror,
            (!prefix.is_empty()).then_some(prefix.as_str()),
            &Progress::none(),
        )
        .await?
        {
            if !current.contains(k.name.as_str()) && catalog.find_by_key(&k.name).is_some() {
                gone.push(k.name);
            }
        }
    }
    if !gone.is_empty() {
        outcome.removed = mirror.bulk_delete(&gone).await?.succeeded as u64;
    }
    Ok(outcome)
}
