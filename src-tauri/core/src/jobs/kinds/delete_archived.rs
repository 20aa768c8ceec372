//! The `delete-archived` job: rows covered by a verified archive, deleted in bounded batches. The
//! work is [`crate::jobs::archive::delete_archived_into`].

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use super::archive::ArchiveOptions;
use crate::context::CoreContext;
use crate::error::Result;
use crate::jobs::archive::{self, DeleteOutcome, DeleteTarget, DetailRun};
use crate::jobs::catalog::JobName;
use crate::jobs::job::{to_detail, Deletes, Job, JobFailure, JobRun, RunReport};
use crate::jobs::options::{in_range, DetailTableOptions, HISTORY_DAYS};

/// delete-archived: rows covered by a verified archive, in bounded batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteArchivedOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
    /// The detail table, `schema.table`.
    pub table: String,
    /// The rows' time column (a timestamp): only rows older than their archive's cutoff go.
    pub time_column: String,
    /// The table's unique integer id column.
    pub id_column: String,
    /// Rows per delete statement (1-100000).
    pub batch_size: u32,
    /// Most batches one run deletes (0: no limit; at most 1000000).
    pub max_batches: u32,
}

impl Default for DeleteArchivedOptions {
    fn default() -> Self {
        let archive = ArchiveOptions::default();
        Self {
            history_days: HISTORY_DAYS,
            table: archive.table,
            time_column: archive.time_column,
            id_column: archive.id_column,
            batch_size: 1_000,
            max_batches: 50,
        }
    }
}

impl DeleteArchivedOptions {
    /// The table and column options, as written.
    pub fn names(&self) -> DetailTableOptions<'_> {
        DetailTableOptions {
            table: &self.table,
            time_column: &self.time_column,
            id_column: &self.id_column,
        }
    }
}

/// What a delete-archived run deleted (or, dry, would delete).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "camelCase")]
pub struct DeleteArchivedCounts {
    /// Rows deleted (dry: rows the batches would delete).
    #[ts(type = "number")]
    pub rows_deleted: u64,
    /// Delete batches committed (dry: that would be).
    #[ts(type = "number")]
    pub batches: u64,
    /// Archives whose rows are now all deleted.
    #[ts(type = "number")]
    pub archives_completed: u64,
    /// Archived rows left for later runs; known only when the run finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub rows_remaining: Option<u64>,
}

impl DeleteArchivedCounts {
    /// The counts of `done`; the rows remaining only when the run `finished`.
    fn of(done: &DeleteOutcome, finished: bool) -> Self {
        Self {
            rows_deleted: done.rows_deleted,
            batches: done.batches,
            archives_completed: done.archives_completed,
            rows_remaining: finished.then_some(done.rows_remaining),
        }
    }
}

/// The `delete-archived` job.
#[derive(Debug, Clone, Copy)]
pub struct DeleteArchived;

impl Job for DeleteArchived {
    type Options = DeleteArchivedOptions;
    type Counts = DeleteArchivedCounts;
    type Prepared = DeleteTarget;

    const NAME: JobName = JobName::DeleteArchived;
    const DESCRIPTION: &'static str =
        "Delete detail rows that a verified archive holds, in batches";
    const DEFAULT_SCHEDULE: Option<&'static str> = Some("0 3 * * *");
    const DELETES: Option<Deletes> = Some(Deletes::Rows);

    fn history_days(options: &DeleteArchivedOptions) -> u32 {
        options.history_days
    }

    fn validate(&self, options: &DeleteArchivedOptions) -> Result<()> {
        let job = Self::NAME;
        in_range(job, "batchSize", options.batch_size, 1..=100_000, "rows")?;
        in_range(
            job,
            "maxBatches",
            options.max_batches,
            0..=1_000_000,
            "batches",
        )?;
        options.names().check_form(job)
    }

    async fn check_live(&self, options: &DeleteArchivedOptions, pool: &PgPool) -> Result<()> {
        options.names().resolve(pool, Self::NAME).await.map(drop)
    }

    async fn prepare(
        &self,
        _ctx: &CoreContext,
        pool: &PgPool,
        options: &DeleteArchivedOptions,
    ) -> Result<DeleteTarget> {
        DeleteTarget::resolve(pool, options).await
    }

    fn audit_target(&self, options: &DeleteArchivedOptions, _parameter: Option<&str>) -> String {
        options.table.clone()
    }

    fn affected(counts: &DeleteArchivedCounts) -> u64 {
        counts.rows_deleted
    }

    async fn run(
        &self,
        run: &JobRun<'_>,
        target: &DeleteTarget,
    ) -> std::result::Result<RunReport<DeleteArchivedCounts>, JobFailure<DeleteArchivedCounts>>
    {
        let dry = run.dry_run;
        let steps = DetailRun {
            pool: run.pool,
            dry_run: dry,
            job_run: Some(run.run_id),
            progress: run.progress,
            hook: run.hook,
            lease: run.lease.as_ref(),
        };
        let mut done = DeleteOutcome::default();
        if let Err(error) = archive::delete_archived_into(&steps, target, &mut done).await {
            // The batches committed before the failure stay counted.
            let before = (done.batches > 0 && !dry).then(|| {
                Box::new(RunReport {
                    counts: DeleteArchivedCounts::of(&done, false),
                    summary: format!(
                        "deleted {} archived rows of {} in {} batches before that",
                        done.rows_deleted, done.table, done.batches
                    ),
                    detail: to_detail(&done),
                })
            });
            return Err(JobFailure {
                error,
                done: before,
            });
        }
        Ok(RunReport {
            counts: DeleteArchivedCounts::of(&done, true),
            summary: format!(
                "{} {} archived rows of {} in {} batches; {} left for later runs",
                if dry { "would delete" } else { "deleted" },
                done.rows_deleted,
                done.table,
                done.batches,
                done.rows_remaining
            ),
            detail: to_detail(&done),
        })
    }
}
