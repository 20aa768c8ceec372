//! The `prune-snapshots` job: keeps the newest versions of versioned snapshot keys and deletes the
//! rest, never the version the family's `latest` pointer names nor a newer one. The family is
//! [`crate::jobs::snapshots::SnapshotFamily`]; the work is
//! [`crate::jobs::kv_cleanup::prune_snapshots`].

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::jobs::catalog::JobName;
use crate::jobs::job::{Deletes, Job, JobFailure, JobRun, RunReport};
use crate::jobs::kv_cleanup::{self, KeyCleanupCounts};
use crate::jobs::options::{in_range, option_name, HISTORY_DAYS};
use crate::jobs::snapshots::{SnapshotFamily, PATH_STATS_TEMPLATE};

/// prune-snapshots: keep the newest versions of versioned snapshot keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct PruneSnapshotsOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
    /// The versioned key template, ending in `{version}` (a number) in its last `:` segment; the
    /// family's pointer key is that segment replaced by `latest`.
    pub snapshot_template: String,
    /// Newest versions kept (1-100000); the version the pointer names and newer ones are kept too.
    pub keep_versions: u32,
}

impl Default for PruneSnapshotsOptions {
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
            snapshot_template: PATH_STATS_TEMPLATE.to_owned(),
            keep_versions: 5,
        }
    }
}

/// The `prune-snapshots` job; its counts are a key cleanup's ([`KeyCleanupCounts`]).
#[derive(Debug, Clone, Copy)]
pub struct PruneSnapshots;

impl Job for PruneSnapshots {
    type Options = PruneSnapshotsOptions;
    type Counts = KeyCleanupCounts;
    type Prepared = PruneSnapshotsOptions;

    const NAME: JobName = JobName::PruneSnapshots;
    const DESCRIPTION: &'static str = "Keep only the newest versions of snapshot keys";
    const DEFAULT_SCHEDULE: Option<&'static str> = Some("0 5 * * SUN");
    const DELETES: Option<Deletes> = Some(Deletes::Keys);

    fn history_days(options: &PruneSnapshotsOptions) -> u32 {
        options.history_days
    }

    fn validate(&self, options: &PruneSnapshotsOptions) -> Result<()> {
        let job = Self::NAME;
        in_range(
            job,
            "keepVersions",
            options.keep_versions,
            1..=100_000,
            "versions",
        )?;
        SnapshotFamily::parse(&options.snapshot_template)
            .map_err(|e| Error::invalid(option_name(job, "snapshotTemplate"), e))?;
        Ok(())
    }

    async fn prepare(
        &self,
        _ctx: &CoreContext,
        _pool: &PgPool,
        options: &PruneSnapshotsOptions,
    ) -> Result<PruneSnapshotsOptions> {
        Ok(options.clone())
    }

    fn audit_target(&self, options: &PruneSnapshotsOptions, _parameter: Option<&str>) -> String {
        options.snapshot_template.clone()
    }

    fn affected(counts: &KeyCleanupCounts) -> u64 {
        counts.deleted
    }

    async fn run(
        &self,
        run: &JobRun<'_>,
        options: &PruneSnapshotsOptions,
    ) -> std::result::Result<RunReport<KeyCleanupCounts>, JobFailure<KeyCleanupCounts>> {
        let store = run.profile.store().await?;
        let done =
            kv_cleanup::prune_snapshots(store.as_ref(), options, run.dry_run, run.progress).await?;
        kv_cleanup::finish_run(run, Self::NAME, done)
    }
}
