//! Precompute: computes the selected reports, compares each key's content hash with the one kept
//! in its KV metadata, and writes only new, changed or soon-expiring keys, in bulk, with their
//! TTLs. One failing report is reported by name and writes nothing; the others complete. Every
//! run, dry runs included, is recorded in `cachescope.precompute_runs`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::PgPool;

use super::compute::{compute, AsOf, ReportInstance};
use super::definitions::ReportDefinition;
use crate::actor::Actor;
use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::kv::{limits, list_all, Entry, Expiry, KvStore, PutOptions};
use crate::progress::Progress;

/// Why a key is (or is not) written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum WriteReason {
    /// Not in KV.
    New,
    /// In KV with another content hash (or none).
    Changed,
    /// Same content, but less than a quarter of its TTL left: rewritten so readers never miss.
    Expiring,
    /// Same content: skipped.
    Unchanged,
}

impl WriteReason {
    pub fn writes(self) -> bool {
        !matches!(self, Self::Unchanged)
    }
}

/// One key of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyPlan {
    pub key: String,
    pub reason: WriteReason,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// One report's part of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportRun {
    pub name: String,
    pub keys: Vec<KeyPlan>,
    #[ts(type = "number")]
    pub written: u64,
    #[ts(type = "number")]
    pub skipped: u64,
    pub error: Option<String>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    Succeeded,
    /// Some reports failed; the others were written.
    Partial,
    Failed,
    Cancelled,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What a precompute run did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PrecomputeRun {
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub profile: String,
    pub dry_run: bool,
    pub as_of: String,
    pub started_at: String,
    pub finished_at: String,
    pub status: RunStatus,
    pub reports: Vec<ReportRun>,
    #[ts(type = "number")]
    pub written: u64,
    #[ts(type = "number")]
    pub skipped: u64,
    pub failed_reports: u32,
    /// Why the whole run failed (e.g. the bulk write was refused), if it did.
    pub error: Option<String>,
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct PrecomputeRequest {
    /// Report names; all reports when empty.
    pub reports: Vec<String>,
    pub dry_run: bool,
    /// The moment to compute for (default: now).
    pub as_of: Option<DateTime<Utc>>,
}

/// Runs precompute for a profile: its Postgres is the source, its namespace the target.
pub async fn precompute(
    ctx: &CoreContext,
    profile: Option<&str>,
    request: &PrecomputeRequest,
    progress: &Progress,
) -> Result<PrecomputeRun> {
    let profile = ctx.profile(profile)?;
    if !request.dry_run {
        profile.refuse_if_read_only("write precomputed reports")?;
    }
    // Precompute records its runs in the console's tables, so the pool is migrated.
    let pool = profile.database(super::REPORTS_DATABASE_USE).await?;
    let catalog = super::catalog(ctx)?;
    let selected = catalog.select(&request.reports)?;
    let store = profile.store().await?;
    let as_of = match request.as_of {
        Some(t) => AsOf::at(t, &catalog),
        None => AsOf::now(&catalog),
    };
    let started_at = Utc::now();
    let mut run = run(
        store.as_ref(),
        &pool,
        &selected,
        &as_of,
        request.dry_run,
        progress,
    )
    .await;
    run.profile = profile.name.clone();
    run.started_at = iso(started_at);
    run.finished_at = iso(Utc::now());
    run.id = Some(record(&pool, &run, started_at, &profile.actor()).await?);
    if run.written > 0 {
        ctx.events().publish(crate::events::Event::KeysChanged {
            profile: profile.name.clone(),
            count: run.written,
        });
    }
    Ok(run)
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The run itself, without the context: computes, compares and (unless dry) writes. Never
/// returns early on a report's failure; a failure of the store or a cancel ends the run with
/// that status and nothing further written.
pub async fn run(
    store: &dyn KvStore,
    pool: &PgPool,
    selected: &[&ReportDefinition],
    as_of: &AsOf,
    dry_run: bool,
    progress: &Progress,
) -> PrecomputeRun {
    let mut run = PrecomputeRun {
        id: None,
        profile: String::new(),
        dry_run,
        as_of: as_of.iso(),
        started_at: String::new(),
        finished_at: String::new(),
        status: RunStatus::Succeeded,
        reports: Vec::new(),
        written: 0,
        skipped: 0,
        failed_reports: 0,
        error: None,
    };
    let total = selected.len() as u64;
    let mut computed: Vec<(&ReportDefinition, Vec<ReportInstance>)> = Vec::new();
    for (i, def) in selected.iter().enumerate() {
        progress.report("compute", i as u64, Some(total));
        if progress.check().is_err() {
            run.status = RunStatus::Cancelled;
            return run;
        }
        match compute(pool, def, as_of, None).await {
            Ok(instances) => computed.push((def, instances)),
            Err(e) => {
                run.failed_reports += 1;
                run.reports.push(ReportRun {
                    name: def.name.clone(),
                    keys: Vec::new(),
                    written: 0,
                    skipped: 0,
                    error: Some(e.to_string()),
                });
            }
        }
    }
    progress.report("compute", total, Some(total));

    let existing = match existing_keys(store, &computed, progress).await {
        Ok(existing) => existing,
        Err(e) => return fail(run, e),
    };
    let now = limits::unix_now();
    let mut entries = Vec::new();
    let mut plans = Vec::new();
    for (def, instances) in &computed {
        let mut report = ReportRun {
            name: def.name.clone(),
            keys: Vec::with_capacity(instances.len()),
            written: 0,
            skipped: 0,
            error: None,
        };
        for instance in instances {
            let reason = decide(existing.get(&instance.key), instance, def.ttl, now);
            if reason.writes() {
                entries.push(entry(def, instance));
                report.written += 1;
            } else {
                report.skipped += 1;
            }
            report.keys.push(KeyPlan {
                key: instance.key.clone(),
                reason,
                bytes: instance.bytes.len() as u64,
            });
        }
        plans.push(report);
    }

    if !dry_run && !entries.is_empty() {
        if progress.check().is_err() {
            run.status = RunStatus::Cancelled;
            run.reports.extend(plans.into_iter().map(|mut r| {
                r.written = 0;
                r
            }));
            return run;
        }
        progress.report("write", 0, Some(entries.len() as u64));
        match store.bulk_put(&entries).await {
            Ok(outcome) => {
                progress.report(
                    "write",
                    outcome.succeeded as u64,
                    Some(entries.len() as u64),
                );
                if !outcome.failed.is_empty() {
                    for report in &mut plans {
                        let failed = report
                            .keys
                            .iter()
                            .filter(|k| outcome.failed.contains(&k.key))
                            .count() as u64;
                        if failed > 0 {
                            report.written -= failed;
                            report.error = Some(format!("{failed} keys were not written by KV"));
                        }
                    }
                }
            }
            Err(e) => {
                run.reports.extend(plans.into_iter().map(|mut r| {
                    r.written = 0;
                    r
                }));
                return fail(run, e);
            }
        }
    }
    for report in plans {
        if report.error.is_some() {
            run.failed_reports += 1;
        }
        run.written += report.written;
        run.skipped += report.skipped;
        run.reports.push(report);
    }
    // Keep the catalog's order (failed reports were pushed first).
    let order: HashMap<&str, usize> = selected
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    run.reports
        .sort_by_key(|r| order.get(r.name.as_str()).copied().unwrap_or(usize::MAX));
    run.status = match run.failed_reports {
        0 => RunStatus::Succeeded,
        n if n as usize == selected.len() => RunStatus::Failed,
        _ => RunStatus::Partial,
    };
    run
}

fn fail(mut run: PrecomputeRun, e: Error) -> PrecomputeRun {
    run.status = if matches!(e, Error::Cancelled) {
        RunStatus::Cancelled
    } else {
        RunStatus::Failed
    };
    run.error = Some(e.to_string());
    run
}

/// What KV holds now for the keys of the computed reports: content hash and expiry, from
/// listings of each template's literal prefix (⌈n/1000⌉ list calls, no reads of values).
async fn existing_keys(
    store: &dyn KvStore,
    computed: &[(&ReportDefinition, Vec<ReportInstance>)],
    progress: &Progress,
) -> Result<HashMap<String, (Option<String>, Option<i64>)>> {
    let covering = super::definitions::listing_prefixes(
        computed
            .iter()
            .filter(|(_, instances)| !instances.is_empty())
            .map(|(def, _)| *def),
    );
    let mut existing = HashMap::new();
    for prefix in covering {
        let keys = list_all(
            store,
            (!prefix.is_empty()).then_some(prefix.as_str()),
            progress,
        )
        .await?;
        for k in keys {
            let hash = k
                .metadata
                .as_ref()
                .and_then(|m| m.get("contentHash"))
                .and_then(|h| h.as_str().map(str::to_owned));
            existing.insert(k.name, (hash, k.expiration));
        }
    }
    Ok(existing)
}

fn decide(
    existing: Option<&(Option<String>, Option<i64>)>,
    instance: &ReportInstance,
    ttl: u64,
    now: i64,
) -> WriteReason {
    match existing {
        None => WriteReason::New,
        Some((hash, _)) if hash.as_deref() != Some(instance.content_hash.as_str()) => {
            WriteReason::Changed
        }
        Some((_, Some(expiration))) if *expiration - now < (ttl / 4) as i64 => {
            WriteReason::Expiring
        }
        Some(_) => WriteReason::Unchanged,
    }
}

fn entry(def: &ReportDefinition, instance: &ReportInstance) -> Entry {
    Entry {
        key: instance.key.clone(),
        value: instance.bytes.clone(),
        options: PutOptions {
            expiry: Expiry::Ttl(def.ttl),
            metadata: Some(
                serde_json::json!({
                    "report": def.name,
                    "contentHash": instance.content_hash,
                    "generatedAt": instance.generated_at,
                    "bytes": instance.bytes.len(),
                })
                .into(),
            ),
        },
    }
}

async fn record(
    pool: &PgPool,
    run: &PrecomputeRun,
    started_at: DateTime<Utc>,
    actor: &Actor,
) -> Result<i64> {
    let reports: Vec<serde_json::Value> = run
        .reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name, "keys": r.keys.len(), "written": r.written,
                "skipped": r.skipped, "error": r.error,
            })
        })
        .collect();
    let as_of = DateTime::parse_from_rfc3339(&run.as_of)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(started_at);
    sqlx::query_scalar(
        "INSERT INTO cachescope.precompute_runs
           (started_at, finished_at, as_of, profile, os_user, host, dry_run, status,
            keys_written, keys_skipped, reports_failed, reports, error)
         VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id",
    )
    .bind(started_at)
    .bind(as_of)
    .bind(&run.profile)
    .bind(&actor.user)
    .bind(&actor.host)
    .bind(run.dry_run)
    .bind(run.status.as_str())
    .bind(run.written as i64)
    .bind(run.skipped as i64)
    .bind(run.failed_reports as i32)
    .bind(sqlx::types::Json(reports))
    .bind(&run.error)
    .fetch_one(pool)
    .await
    .map_err(Error::Db)
}

/// When each report last completed a real (not dry) run without error: a key that run found
/// unchanged was current then, even though its `generatedAt` is older.
pub async fn last_checked(pool: &PgPool, profile: &str) -> Result<HashMap<String, DateTime<Utc>>> {
    let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT r->>'name', max(p.finished_at)
         FROM cachescope.precompute_runs p, jsonb_array_elements(p.reports) r
         WHERE p.profile = $1 AND NOT p.dry_run AND r->>'error' IS NULL
           AND p.status IN ('succeeded', 'partial')
         GROUP BY 1",
    )
    .bind(profile)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    Ok(rows.into_iter().collect())
}

/// The latest precompute runs of a profile (the default one when `None`), newest first, from
/// its Postgres (migrated first); refused by name when the profile has no database.
pub async fn recent_runs(
    ctx: &CoreContext,
    profile: Option<&str>,
    limit: i64,
) -> Result<Vec<RunSummary>> {
    let profile = ctx.profile(profile)?;
    let pool = profile.database(super::REPORTS_DATABASE_USE).await?;
    runs_of(&pool, &profile.name, limit).await
}

/// The latest runs of `profile` recorded in `pool`, newest first.
async fn runs_of(pool: &PgPool, profile: &str, limit: i64) -> Result<Vec<RunSummary>> {
    sqlx::query_as::<_, RunSummary>(
        "SELECT id, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS started_at,
                extract(epoch FROM finished_at - started_at)::float8 * 1000 AS duration_ms,
                dry_run, status, keys_written, keys_skipped, reports_failed, error
         FROM cachescope.precompute_runs WHERE profile = $1
         ORDER BY started_at DESC LIMIT $2",
    )
    .bind(profile)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)
}

/// A recorded run, as the history lists it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub started_at: String,
    pub duration_ms: f64,
    pub dry_run: bool,
    pub status: String,
    #[ts(type = "number")]
    pub keys_written: i64,
    #[ts(type = "number")]
    pub keys_skipped: i64,
    pub reports_failed: i32,
    pub error: Option<String>,
}
