//! Deleting keys: one key, or every key under a prefix. Each has a dry run, a confirmation the
//! core itself checks, progress with cancellation between bulk calls, and an audit record.

use serde::Serialize;

use crate::audit::{AuditEntry, AuditOutcome, INTERRUPTED};
use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::kv::{limits, list_all};
use crate::progress::Progress;

/// Keys shown as a sample of what a prefix delete would remove (and of the keys it could not).
pub const SAMPLE_SIZE: usize = 20;

/// Dry run, or the real thing with its confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteMode {
    /// Count and sample only.
    DryRun,
    /// Delete; `confirmation` must repeat the prefix exactly.
    Execute { confirmation: String },
}

/// What a prefix delete found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PrefixDeletion {
    pub profile: String,
    pub prefix: String,
    pub dry_run: bool,
    /// Keys under the prefix when listed.
    #[ts(type = "number")]
    pub matched: u64,
    /// The first keys, in order.
    pub sample: Vec<String>,
    /// Keys the server said it deleted.
    #[ts(type = "number")]
    pub deleted: u64,
    /// Keys the server reported as not processed (Cloudflare's `unsuccessful_keys`): they are
    /// still there, and deleting the prefix again retries them.
    #[ts(type = "number")]
    pub failed: u64,
    /// The first keys that could not be deleted, at most [`SAMPLE_SIZE`].
    pub failed_sample: Vec<String>,
    pub cancelled: bool,
}

impl PrefixDeletion {
    /// The error a real run stands for when the server left keys undeleted, for callers that
    /// report by exit code (the CLI); `None` when every key sent was deleted.
    pub fn incomplete(&self) -> Option<Error> {
        (!self.dry_run && self.failed > 0).then(|| Error::KvIncomplete {
            action: format!("delete keys under {:?}", self.prefix),
            failed: self.failed,
            total: self.deleted + self.failed,
        })
    }
}

/// Deletes (or, in a dry run, counts) every key under `prefix` in a profile's namespace.
///
/// The read-only check comes first, so a refused delete lists nothing. Keys are deleted in bulk
/// calls of up to 10,000; cancellation takes effect between calls and the report says how many
/// were deleted before it. Keys the server reports as not processed are counted in `failed` (with
/// a sample), not treated as an error: the report says how many were deleted and how many were
/// not, and the audit record keeps both.
pub async fn delete_prefix(
    ctx: &CoreContext,
    profile: Option<&str>,
    prefix: &str,
    mode: DeleteMode,
    progress: &Progress,
) -> Result<PrefixDeletion> {
    let profile = ctx.profile(profile)?;
    if prefix.is_empty() {
        return Err(Error::invalid(
            "prefix",
            "must not be empty (a delete by prefix never empties a whole namespace)",
        ));
    }
    let dry_run = match &mode {
        DeleteMode::DryRun => true,
        DeleteMode::Execute { confirmation } if confirmation == prefix => false,
        DeleteMode::Execute { .. } => {
            return Err(Error::invalid(
                "confirmation",
                format!("type the prefix {prefix:?} exactly to delete its keys"),
            ))
        }
    };
    if !dry_run {
        profile.refuse_if_read_only(format!("delete keys under {prefix:?}"))?;
    }
    let store = profile.store().await?;
    let keys: Vec<String> = list_all(store.as_ref(), Some(prefix), progress)
        .await?
        .into_iter()
        .map(|k| k.name)
        .collect();
    let mut report = PrefixDeletion {
        profile: profile.name.clone(),
        prefix: prefix.to_owned(),
        dry_run,
        matched: keys.len() as u64,
        sample: keys.iter().take(SAMPLE_SIZE).cloned().collect(),
        deleted: 0,
        failed: 0,
        failed_sample: Vec::new(),
        cancelled: false,
    };
    let trail = profile.audit_trail().await?;
    if !dry_run {
        // The intent is on record before the first key goes.
        let mark = trail.begin(&entry(&report, INTERRUPTED.to_owned())).await?;
        let total = Some(keys.len() as u64);
        progress.report("delete", 0, total);
        let mut failure = None;
        for chunk in keys.chunks(limits::MAX_BULK_ITEMS) {
            if progress.check().is_err() {
                report.cancelled = true;
                break;
            }
            match store.bulk_delete(chunk).await {
                Ok(outcome) => {
                    report.deleted += outcome.succeeded as u64;
                    report.failed += outcome.failed.len() as u64;
                    let room = SAMPLE_SIZE.saturating_sub(report.failed_sample.len());
                    report
                        .failed_sample
                        .extend(outcome.failed.into_iter().take(room));
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            // Progress counts keys processed, so the bar completes even when some were not deleted.
            progress.report("delete", report.deleted + report.failed, total);
        }
        let outcome = match (&failure, report.cancelled) {
            (Some(e), _) => format!("failed: {e}"),
            (None, true) => "cancelled".to_owned(),
            (None, false) if report.failed > 0 => {
                format!("partly done: {} keys could not be deleted", report.failed)
            }
            (None, false) => "done".to_owned(),
        };
        let done = entry(&report, outcome);
        trail
            .finish(
                mark,
                &AuditOutcome::new(done.outcome, done.item_count, done.detail),
            )
            .await?;
        if let Some(e) = failure {
            return Err(e);
        }
        if report.deleted > 0 {
            ctx.events().publish(crate::events::Event::KeysChanged {
                profile: report.profile.clone(),
                count: report.deleted,
            });
        }
    } else {
        trail.record(&entry(&report, "dry run".to_owned())).await?;
    }
    Ok(report)
}

fn entry(report: &PrefixDeletion, outcome: String) -> AuditEntry {
    AuditEntry {
        profile: report.profile.clone(),
        action: "delete-prefix".to_owned(),
        target: report.prefix.clone(),
        item_count: if report.dry_run {
            report.matched
        } else {
            report.deleted
        },
        dry_run: report.dry_run,
        outcome,
        detail: serde_json::json!({
            "matched": report.matched,
            "sample": report.sample,
            "deleted": report.deleted,
            "failed": report.failed,
            "failedSample": report.failed_sample,
        }),
    }
}

/// Deletes one key (after the caller confirmed) and records it. Returns whether it existed.
pub async fn delete_key(ctx: &CoreContext, profile: Option<&str>, key: &str) -> Result<bool> {
    let profile = ctx.profile(profile)?;
    let store = profile.store().await?;
    limits::check_key(key)?;
    profile.refuse_if_read_only(format!("delete key {key:?}"))?;
    let existed = store.get(key).await?.is_some();
    let trail = profile.audit_trail().await?;
    let mark = trail
        .begin(
            &AuditEntry::new(&profile.name, "delete-key", key)
                .with_detail(serde_json::json!({ "existed": existed })),
        )
        .await?;
    let deleted = store.delete(key).await;
    let outcome = match &deleted {
        Ok(()) => "done".to_owned(),
        Err(e) => format!("failed: {e}"),
    };
    let count = u64::from(existed && deleted.is_ok());
    trail
        .finish(
            mark,
            &AuditOutcome::new(outcome, count, serde_json::json!({ "existed": existed })),
        )
        .await?;
    deleted?;
    ctx.events().publish(crate::events::Event::KeysChanged {
        profile: profile.name.clone(),
        count: 1,
    });
    Ok(existed)
}
