//! Export and import of keys as JSON Lines, one object per key in the shape of Cloudflare's
//! bulk-write items: `{"key", "value", "base64", "expiration", "metadata"}`. Binary values are
//! base64; an import validates every line before it writes anything, and an import into a
//! profile is audited. An export file is private (0600) and appears only once complete.

use std::io::{BufRead, Write};
use std::path::Path;

use base64::Engine as _;
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditEntry, AuditOutcome};
use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::kv::limits::{self, unix_now};
use crate::kv::{list_all, BulkOutcome, Entry, Expiry, KvStore, Metadata, PutOptions};
use crate::private_files;
use crate::progress::Progress;

/// Values fetched at once during an export.
const EXPORT_CONCURRENCY: usize = 8;

/// One line of an export file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRecord {
    pub key: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub base64: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub written: u64,
    /// Lines whose expiry is in the past or less than KV's 60 s minimum ahead.
    pub skipped_expired: u64,
    pub failed: Vec<String>,
}

/// Writes every key under `prefix` (with its value, expiry and metadata) to `out`, one JSON
/// object per line, in key order. Returns the number of keys written.
pub async fn export_prefix(
    store: &dyn KvStore,
    prefix: Option<&str>,
    out: &mut dyn Write,
    progress: &Progress,
) -> Result<u64> {
    let keys = list_all(store, prefix, progress).await?;
    let total = Some(keys.len() as u64);
    let mut written = 0;
    let mut values = futures::stream::iter(keys.into_iter().map(|k| async move {
        let value = store.get(&k.name).await?;
        Ok::<_, Error>((k.name, value))
    }))
    .buffered(EXPORT_CONCURRENCY);
    let io_err = |source| Error::Io {
        path: "export output".into(),
        source,
    };
    while let Some((key, value)) = values.try_next().await? {
        progress.check()?;
        // A key that expired or was deleted between the listing and the read is skipped.
        let Some(value) = value else { continue };
        let record = match String::from_utf8(value.bytes) {
            Ok(text) => ExportRecord {
                key,
                value: text,
                base64: false,
                expiration: value.expiration,
                metadata: value.metadata,
            },
            Err(e) => ExportRecord {
                key,
                value: base64::engine::general_purpose::STANDARD.encode(e.into_bytes()),
                base64: true,
                expiration: value.expiration,
                metadata: value.metadata,
            },
        };
        serde_json::to_writer(&mut *out, &record).map_err(|e| io_err(e.into()))?;
        out.write_all(b"\n").map_err(io_err)?;
        written += 1;
        progress.report("export", written, total);
    }
    out.flush().map_err(io_err)?;
    Ok(written)
}

/// Exports like [`export_prefix`] into the file at `path`: created 0600 (missing folders 0700)
/// under a temporary name and renamed into place only when every key is written, so a failed or
/// cancelled export leaves no partial file (and an earlier file at `path` stays as it was).
pub async fn export_prefix_to_file(
    store: &dyn KvStore,
    prefix: Option<&str>,
    path: &Path,
    progress: &Progress,
) -> Result<u64> {
    let mut pending = private_files::PendingFile::new(path)?;
    let mut out = std::io::BufWriter::new(pending.file());
    let written = export_prefix(store, prefix, &mut out, progress).await?;
    out.into_inner().map_err(|e| Error::Io {
        path: path.to_owned(),
        source: e.into_error(),
    })?;
    pending.commit()?;
    Ok(written)
}

/// Parses and validates every line of an export file; nothing is written here.
/// Errors name the line at fault. Returns the entries to write and how many had expired.
pub fn parse_jsonl(input: &mut dyn BufRead, source: &str) -> Result<(Vec<Entry>, u64)> {
    let now = unix_now();
    let mut entries = Vec::new();
    let mut expired = 0;
    for (index, line) in input.lines().enumerate() {
        let at = || format!("{source} line {}", index + 1);
        let line = line.map_err(|e| Error::invalid(at(), e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: ExportRecord =
            serde_json::from_str(&line).map_err(|e| Error::invalid(at(), e.to_string()))?;
        let value = if record.base64 {
            base64::engine::general_purpose::STANDARD
                .decode(record.value.as_bytes())
                .map_err(|e| Error::invalid(at(), format!("value is not valid base64 ({e})")))?
        } else {
            record.value.into_bytes()
        };
        let expiry = match record.expiration {
            Some(at) if at < now + limits::MIN_TTL_SECONDS as i64 => {
                expired += 1;
                continue;
            }
            Some(at) => Expiry::At(at),
            None => Expiry::Never,
        };
        let options = PutOptions {
            expiry,
            metadata: record.metadata,
        };
        limits::check_put(&record.key, value.len(), &options, now)
            .map_err(|e| Error::invalid(at(), e.to_string()))?;
        entries.push(Entry {
            key: record.key,
            value,
            options,
        });
    }
    Ok((entries, expired))
}

/// Imports an export file: every line is validated first, then keys are written in bulk calls
/// of up to 10,000, with progress and cancellation between calls.
pub async fn import_jsonl(
    store: &dyn KvStore,
    input: &mut dyn BufRead,
    source: &str,
    progress: &Progress,
) -> Result<ImportReport> {
    let (entries, skipped_expired) = parse_jsonl(input, source)?;
    let mut outcome = BulkOutcome::default();
    write_entries(store, &entries, progress, &mut outcome).await?;
    Ok(ImportReport {
        written: outcome.succeeded as u64,
        skipped_expired,
        failed: outcome.failed,
    })
}

/// Writes `entries` in bulk calls, adding each call's outcome to `outcome` as it goes (so what was
/// written before a failure or a cancel stays counted).
async fn write_entries(
    store: &dyn KvStore,
    entries: &[Entry],
    progress: &Progress,
    outcome: &mut BulkOutcome,
) -> Result<()> {
    let total = Some(entries.len() as u64);
    progress.report("import", 0, total);
    for chunk in entries.chunks(limits::MAX_BULK_ITEMS) {
        progress.check()?;
        outcome.absorb(store.bulk_put(chunk).await?);
        progress.report("import", outcome.succeeded as u64, total);
    }
    Ok(())
}

/// Imports an export file into a profile's namespace, as [`import_jsonl`] does, and audits it:
/// the file is validated whole first, a read-only profile is refused, then the intent is
/// recorded before the first write and the outcome (keys written, keys refused) after the last.
pub async fn import_into_profile(
    ctx: &CoreContext,
    profile: Option<&str>,
    input: &mut dyn BufRead,
    source: &str,
    progress: &Progress,
) -> Result<ImportReport> {
    let profile = ctx.profile(profile)?;
    let (entries, skipped_expired) = parse_jsonl(input, source)?;
    profile.refuse_if_read_only(format!("import {source}"))?;
    let store = profile.store().await?;
    let trail = profile.audit_trail().await?;
    let intent = serde_json::json!({ "keys": entries.len(), "skippedExpired": skipped_expired });
    let mark = trail
        .begin(&AuditEntry::new(&profile.name, "import", source).with_detail(intent))
        .await?;
    let mut outcome = BulkOutcome::default();
    let written = write_entries(store.as_ref(), &entries, progress, &mut outcome).await;
    let result = match (&written, outcome.failed.len()) {
        (Err(Error::Cancelled), _) => "cancelled".to_owned(),
        (Err(e), _) => format!("failed: {e}"),
        (Ok(()), 0) => "done".to_owned(),
        (Ok(()), n) => format!("partly done: {n} keys refused by the server"),
    };
    let refused_sample: Vec<&String> = outcome.failed.iter().take(20).collect();
    trail
        .finish(
            mark,
            &AuditOutcome::new(
                result,
                outcome.succeeded as u64,
                serde_json::json!({
                    "keys": entries.len(),
                    "skippedExpired": skipped_expired,
                    "written": outcome.succeeded,
                    "refused": outcome.failed.len(),
                    "refusedSample": refused_sample,
                }),
            ),
        )
        .await?;
    written?;
    Ok(ImportReport {
        written: outcome.succeeded as u64,
        skipped_expired,
        failed: outcome.failed,
    })
}
