//! The `archive` job: detail rows older than the retention to verified gzip NDJSON files in this
//! machine's archive directory. The work is [`crate::jobs::archive::archive`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use crate::context::CoreContext;
use crate::error::Result;
use crate::jobs::archive::{self, ArchiveTarget, DetailRun};
use crate::jobs::catalog::JobName;
use crate::jobs::job::{to_detail, Deletes, Job, JobFailure, JobRun, RunReport};
use crate::jobs::options::{in_range, DetailTableOptions, HISTORY_DAYS};

/// archive: detail rows older than the retention, to verified gzip NDJSON files (in the archive
/// directory, a setting of the machine, not of the shared database).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ArchiveOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
    /// The detail table, `schema.table`.
    pub table: String,
    /// The rows' time column (a timestamp); rows older than `retention_days` are archived.
    pub time_column: String,
    /// The table's unique integer id column.
    pub id_column: String,
    /// Days detail rows stay hot in the database (1-36500).
    pub retention_days: u32,
    /// Rows read per statement while archiving (1-1000000).
    pub read_chunk: u32,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
            table: "sales.traffic_events".to_owned(),
            time_column: "occurred_at".to_owned(),
            id_column: "id".to_owned(),
            retention_days: 3,
            read_chunk: 20_000,
        }
    }
}

impl ArchiveOptions {
    /// The table and column options, as written.
    pub fn names(&self) -> DetailTableOptions<'_> {
        DetailTableOptions {
            table: &self.table,
            time_column: &self.time_column,
            id_column: &self.id_column,
        }
    }
}

/// What an archive run archived (or, dry, would archive).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "camelCase")]
pub struct ArchiveCounts {
    /// Rows written to the archive file (dry: rows the archive would take).
    #[ts(type = "number")]
    pub rows_archived: u64,
    /// The archive file's size (none in a dry run).
    #[ts(type = "number")]
    pub file_bytes: u64,
}

/// An archive run's work: the table and columns found in the live catalog, and the archive
/// directory checked writable.
pub struct ArchivePlan {
    target: ArchiveTarget,
    directory: PathBuf,
}

/// The `archive` job.
#[derive(Debug, Clone, Copy)]
pub struct Archive;

impl Job for Archive {
    type Options = ArchiveOptions;
    type Counts = ArchiveCounts;
    type Prepared = ArchivePlan;

    const NAME: JobName = JobName::Archive;
    const DESCRIPTION: &'static str =
        "Archive detail rows older than the retention to gzip NDJSON files";
    const DEFAULT_SCHEDULE: Option<&'static str> = Some("0 2 * * *");
    const DELETES: Option<Deletes> = Some(Deletes::Rows);

    fn history_days(options: &ArchiveOptions) -> u32 {
        options.history_days
    }

    fn validate(&self, options: &ArchiveOptions) -> Result<()> {
        let job = Self::NAME;
        in_range(
            job,
            "retentionDays",
            options.retention_days,
            1..=36_500,
            "days",
        )?;
        in_range(job, "readChunk", options.read_chunk, 1..=1_000_000, "rows")?;
        options.names().check_form(job)
    }

    async fn check_live(&self, options: &ArchiveOptions, pool: &PgPool) -> Result<()> {
        options.names().resolve(pool, Self::NAME).await.map(drop)
    }

    async fn prepare(
        &self,
        ctx: &CoreContext,
        pool: &PgPool,
        options: &ArchiveOptions,
    ) -> Result<ArchivePlan> {
        Ok(ArchivePlan {
            target: ArchiveTarget::resolve(pool, options).await?,
            directory: archive::archive_directory(&ctx.dirs().archives)?,
        })
    }

    fn audit_target(&self, options: &ArchiveOptions, _parameter: Option<&str>) -> String {
        options.table.clone()
    }

    fn affected(counts: &ArchiveCounts) -> u64 {
        counts.rows_archived
    }

    async fn run(
        &self,
        run: &JobRun<'_>,
        plan: &ArchivePlan,
    ) -> std::result::Result<RunReport<ArchiveCounts>, JobFailure<ArchiveCounts>> {
        let steps = DetailRun {
            pool: run.pool,
            dry_run: run.dry_run,
            job_run: Some(run.run_id),
            progress: run.progress,
            hook: run.hook,
            lease: run.lease.as_ref(),
        };
        let done = archive::archive(&steps, &plan.target, &plan.directory, run.now).await?;
        Ok(RunReport {
            counts: ArchiveCounts {
                rows_archived: done.rows,
                file_bytes: done.file_bytes,
            },
            summary: match (&done.file, done.rows) {
                (_, 0) => format!(
                    "nothing to archive in {} before {}",
                    done.table, done.cutoff
                ),
                (Some(file), rows) => {
                    format!("archived {rows} rows of {} to {file}", done.table)
                }
                (None, rows) => format!(
                    "would archive {rows} rows of {} ({} to {})",
                    done.table,
                    done.from_time.as_deref().unwrap_or("?"),
                    done.to_time.as_deref().unwrap_or("?")
                ),
            },
            detail: to_detail(&done),
        })
    }
}
