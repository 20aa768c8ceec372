//! The storage report (daily 04:00, docs/domain.md "Storage report"): rows and bytes of every
//! table in the chosen schemas, and keys and bytes per key family in the namespace, written to a
//! report key with a TTL so the desktop and any reader of the cache can see it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::PgPool;
use sqlx::Row;

use super::options::StorageReportOptions;
use crate::db_limits::{Work, WorkLimit};
use crate::error::{Error, Result};
use crate::identifiers::quote_ident;
use crate::kv::{list_all, Expiry, KeyInfo, KvStore, PutOptions};
use crate::progress::Progress;
use crate::reports::Catalog;

/// Values read per family to estimate the bytes of keys whose metadata does not give them.
const SAMPLE_PER_FAMILY: usize = 20;

/// One table's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TableStorage {
    pub table: String,
    /// Exact row count.
    #[ts(type = "number")]
    pub rows: u64,
    /// Table, indexes and TOAST, as `pg_total_relation_size` gives them.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// One key family's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FamilyStorage {
    pub family: String,
    #[ts(type = "number")]
    pub keys: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Whether `bytes` extrapolates from a sample (keys whose metadata holds no size).
    pub bytes_estimated: bool,
    #[ts(type = "number")]
    pub without_ttl: u64,
}

/// The report, as written to KV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StorageReport {
    pub generated_at: String,
    pub tables: Vec<TableStorage>,
    pub families: Vec<FamilyStorage>,
    #[ts(type = "number")]
    pub total_table_bytes: u64,
    #[ts(type = "number")]
    pub total_keys: u64,
    #[ts(type = "number")]
    pub total_key_bytes: u64,
}

/// The family of a key: the report template it renders from, else the key with its id-like
/// segments (numbers, UUIDs, hex, long tokens) replaced by `{id}`.
pub fn family_of(catalog: &Catalog, key: &str) -> String {
    if let Some((def, _)) = catalog.find_by_key(key) {
        return def.key.as_str().to_owned();
    }
    key.split(':')
        .map(|segment| {
            if looks_like_id(segment) {
                return "{id}".to_owned();
            }
            // A short tag and a number, like the `v12` of a versioned key.
            let digits = segment.bytes().rev().take_while(u8::is_ascii_digit).count();
            let tag = &segment[..segment.len() - digits];
            if digits > 0 && tag.len() <= 2 && tag.bytes().all(|b| b.is_ascii_alphabetic()) {
                format!("{tag}{{id}}")
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

fn looks_like_id(segment: &str) -> bool {
    let digits = segment.bytes().filter(u8::is_ascii_digit).count();
    !segment.is_empty()
        && (segment.bytes().all(|b| b.is_ascii_digit())
            || (segment.len() >= 8
                && segment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
                && digits > 0)
            || (segment.len() >= 16
                && digits >= 3
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')))
}

async fn table_sizes(pool: &PgPool, schemas: &[String]) -> Result<Vec<TableStorage>> {
    let limit = WorkLimit::of(pool, Work::StorageCount).await?;
    let rows = sqlx::query(
        "SELECT n.nspname::text AS schema, c.relname::text AS name, \
                pg_total_relation_size(c.oid) AS bytes \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) ORDER BY 1, 2",
    )
    .bind(schemas)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    let mut tables = Vec::new();
    for row in rows {
        let (schema, name): (String, String) = (row.get("schema"), row.get("name"));
        let bytes: i64 = row.get("bytes");
        // Names from the catalog reach SQL only through the one quoting function.
        let quoted = format!("{}.{}", quote_ident(&schema), quote_ident(&name));
        let table = format!("{schema}.{name}");
        // Each count in a read-only transaction of its own, under `storage_count_secs`.
        let mut tx = limit.begin_read_only(pool).await?;
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {quoted}"))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| limit.error(format!("the storage report's row count of {table}"), e))?;
        tx.rollback().await.map_err(Error::Db)?;
        tables.push(TableStorage {
            table,
            rows: count as u64,
            bytes: bytes as u64,
        });
    }
    Ok(tables)
}

async fn family_sizes(
    store: &dyn KvStore,
    catalog: &Catalog,
    progress: &Progress,
) -> Result<Vec<FamilyStorage>> {
    let keys = list_all(store, None, progress).await?;
    let mut families: BTreeMap<String, Vec<KeyInfo>> = BTreeMap::new();
    for key in keys {
        families
            .entry(family_of(catalog, &key.name))
            .or_default()
            .push(key);
    }
    let mut sizes = Vec::new();
    for (family, keys) in families {
        progress.check()?;
        // Each key's metadata is parsed once: its size, or the key joins those to sample.
        let mut bytes: u64 = 0;
        let mut unknown: Vec<String> = Vec::new();
        for k in &keys {
            match k.metadata.as_ref().and_then(|m| m.get("bytes")?.as_u64()) {
                Some(size) => bytes += size,
                None => unknown.push(k.name.clone()),
            }
        }
        if !unknown.is_empty() {
            let sample: Vec<String> = unknown.iter().take(SAMPLE_PER_FAMILY).cloned().collect();
            let values = store.bulk_get(&sample).await?;
            let read: Vec<u64> = values
                .iter()
                .flatten()
                .map(|v| v.bytes.len() as u64)
                .collect();
            if !read.is_empty() {
                let average = read.iter().sum::<u64>() as f64 / read.len() as f64;
                bytes += (average * unknown.len() as f64).round() as u64;
            }
        }
        sizes.push(FamilyStorage {
            without_ttl: keys.iter().filter(|k| k.expiration.is_none()).count() as u64,
            bytes_estimated: unknown.len() > SAMPLE_PER_FAMILY,
            keys: keys.len() as u64,
            bytes,
            family,
        });
    }
    sizes.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.family.cmp(&b.family)));
    Ok(sizes)
}

/// Measures and (unless dry) writes the report to `options.report_key` with its TTL.
pub async fn storage_report(
    pool: &PgPool,
    store: &dyn KvStore,
    catalog: &Catalog,
    options: &StorageReportOptions,
    now: DateTime<Utc>,
    dry_run: bool,
    progress: &Progress,
) -> Result<StorageReport> {
    let tables = table_sizes(pool, &options.schemas).await?;
    let families = family_sizes(store, catalog, progress).await?;
    let report = StorageReport {
        generated_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        total_table_bytes: tables.iter().map(|t| t.bytes).sum(),
        total_keys: families.iter().map(|f| f.keys).sum(),
        total_key_bytes: families.iter().map(|f| f.bytes).sum(),
        tables,
        families,
    };
    if !dry_run {
        let body = serde_json::to_vec(&report)
            .map_err(|e| Error::invalid("storage report", e.to_string()))?;
        store
            .put(
                &options.report_key,
                &body,
                &PutOptions {
                    expiry: Expiry::Ttl(options.report_ttl),
                    metadata: Some(
                        serde_json::json!({
                            "report": "storage",
                            "generatedAt": report.generated_at,
                            "bytes": body.len(),
                        })
                        .into(),
                    ),
                },
            )
            .await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_come_from_templates_then_id_heuristics() {
        let catalog = Catalog::builtin().unwrap();
        assert_eq!(
            family_of(&catalog, "report:team:sales"),
            "report:team:{dept}"
        );
        assert_eq!(
            family_of(
                &catalog,
                "user:1f0c2a9e-5b7d-4c1e-9a3b-2d4e6f8a0b1c:analytics:dashboard"
            ),
            "user:{userId}:analytics:dashboard"
        );
        assert_eq!(
            family_of(&catalog, "conversation:123:detail"),
            "conversation:{id}:detail"
        );
        assert_eq!(
            family_of(&catalog, "snapshot:paths:v12"),
            "snapshot:paths:v{id}"
        );
        assert_eq!(
            family_of(&catalog, "recordings:user:42:page:3:limit:20"),
            "recordings:user:{id}:page:{id}:limit:{id}"
        );
    }
}
