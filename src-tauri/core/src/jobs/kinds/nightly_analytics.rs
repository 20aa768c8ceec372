//! The `nightly-analytics` job: the precompute of the per-rep reports (the rep report and the
//! page caches' dashboard, conversation list and opportunity list), nightly: one key per rep
//! each, written once a day with a TTL over a day. Its options and counts are precompute's
//! ([`super::precompute`]).

use sqlx::postgres::PgPool;

use super::precompute::{run_precompute, validate, PrecomputeCounts, PrecomputeOptions};
use crate::context::CoreContext;
use crate::error::Result;
use crate::jobs::catalog::JobName;
use crate::jobs::job::{Job, JobFailure, JobRun, RunReport};

/// The `nightly-analytics` job.
#[derive(Debug, Clone, Copy)]
pub struct NightlyAnalytics;

impl Job for NightlyAnalytics {
    type Options = PrecomputeOptions;
    type Counts = PrecomputeCounts;
    type Prepared = PrecomputeOptions;

    const NAME: JobName = JobName::NightlyAnalytics;
    const DESCRIPTION: &'static str =
        "Recompute each rep's report, dashboard, conversation and opportunity lists";
    const DEFAULT_SCHEDULE: Option<&'static str> = Some("0 2 * * *");

    fn defaults(&self) -> PrecomputeOptions {
        PrecomputeOptions {
            reports: [
                "rep",
                "user-dashboard",
                "user-conversations",
                "user-opportunities",
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
