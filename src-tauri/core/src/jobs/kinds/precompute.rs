//! The `precompute` job: the reports its options name (by default the company-wide `report:`
//! ones; every report when the list is empty) computed from Postgres and written to KV, skipping
//! unchanged keys ([`crate::reports::precompute`]). Its options and counts are shared with
//! [`super::nightly_analytics`], which runs the same work nightly for the per-rep reports.

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::jobs::catalog::JobName;
use crate::jobs::job::{Job, JobFailure, JobRun, RunReport};
use crate::jobs::options::{in_range, HISTORY_DAYS};
use crate::reports::precompute::{precompute, PrecomputeRequest, RunStatus};

/// precompute, nightly-analytics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct PrecomputeOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
    /// Report names (empty: every report).
    pub reports: Vec<String>,
}

impl Default for PrecomputeOptions {
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
            reports: Vec::new(),
        }
    }
}

/// What a precompute run wrote (or, dry, would write).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "camelCase")]
pub struct PrecomputeCounts {
    /// Keys written (dry: that would be written).
    #[ts(type = "number")]
    pub keys_written: u64,
    /// Keys left alone because their value had not changed.
    #[ts(type = "number")]
    pub keys_skipped: u64,
    /// Reports computed.
    #[ts(type = "number")]
    pub reports: u64,
}

/// The `precompute` job.
#[derive(Debug, Clone, Copy)]
pub struct Precompute;

impl Job for Precompute {
    type Options = PrecomputeOptions;
    type Counts = PrecomputeCounts;
    type Prepared = PrecomputeOptions;

    const NAME: JobName = JobName::Precompute;
    const DESCRIPTION: &'static str =
        "Compute the company-wide reports from Postgres and write changed keys to KV";
    const DEFAULT_SCHEDULE: Option<&'static str> = Some("*/15 * * * *");

    /// The company-wide reports, a few keys each: every 15 minutes they fit the free plan's
    /// 1,000 writes a day (docs/domain.md, "Quota plan"); the per-rep ones are nightly's.
    fn defaults(&self) -> PrecomputeOptions {
        PrecomputeOptions {
            reports: [
                "system-health",
                "close-cases",
                "attention-needed",
                "todo-stats",
                "team-performance",
                "mtd-uploads",
                "upload-ranking",
            ]
            .map(str::to_owned)
            .to_vec(),
            ..PrecomputeOptions::default()
        }
    }

    fn history_days(options: &PrecomputeOptions) -> u32 {
        options.history_days
    }

    fn validate(&self, options: &PrecomputeOptions) -> Result<()> {
        validate(Self::NAME, options)
    }

    async fn prepare(
        &self,
        _ctx: &CoreContext,
        _pool: &PgPool,
        options: &PrecomputeOptions,
    ) -> Result<PrecomputeOptions> {
        Ok(options.clone())
    }

    async fn run(
        &self,
        run: &JobRun<'_>,
        options: &PrecomputeOptions,
    ) -> std::result::Result<RunReport<PrecomputeCounts>, JobFailure<PrecomputeCounts>> {
        run_precompute(run, options).await
    }
}

/// The checks of precompute's options (shared with nightly-analytics).
pub(super) fn validate(job: JobName, options: &PrecomputeOptions) -> Result<()> {
    in_range(job, "reports", options.reports.len(), 0..=1_000, "names")
}

/// Precomputes the options' reports for the run's profile, as of the run's moment.
pub(super) async fn run_precompute(
    run: &JobRun<'_>,
    options: &PrecomputeOptions,
) -> std::result::Result<RunReport<PrecomputeCounts>, JobFailure<PrecomputeCounts>> {
    let dry = run.dry_run;
    let done = precompute(
        run.ctx,
        Some(&run.profile.name),
        &PrecomputeRequest {
            reports: options.reports.clone(),
            dry_run: dry,
            as_of: Some(run.now),
        },
        run.progress,
    )
    .await?;
    if done.status == RunStatus::Cancelled {
        return Err(Error::Cancelled.into());
    }
    let failed: Vec<String> = done
        .reports
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.name)))
        .collect();
    if let Some(error) = done
        .error
        .clone()
        .or_else(|| (!failed.is_empty()).then(|| failed.join("; ")))
    {
        return Err(Error::invalid("precompute", error).into());
    }
    Ok(RunReport {
        counts: PrecomputeCounts {
            keys_written: done.written,
            keys_skipped: done.skipped,
            reports: done.reports.len() as u64,
        },
        summary: format!(
            "{} {} keys, {} unchanged, {} reports",
            if dry { "would write" } else { "wrote" },
            done.written,
            done.skipped,
            done.reports.len()
        ),
        detail: serde_json::json!({ "precomputeRun": done.id }),
    })
}
