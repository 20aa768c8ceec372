//! The `storage-report` job: rows and bytes per table of the measured schemas, keys and bytes per
//! key family, written as a report key. The work is [`crate::jobs::storage_report`].

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::identifiers;
use crate::jobs::catalog::JobName;
use crate::jobs::job::{to_detail, Job, JobFailure, JobRun, RunReport};
use crate::jobs::options::{in_range, option_name, HISTORY_DAYS};
use crate::jobs::storage_report::storage_report;

/// storage-report: rows and bytes per table, keys and bytes per key family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageReportOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
    /// The schemas measured (1-50).
    pub schemas: Vec<String>,
    /// The key the report is written to.
    pub report_key: String,
    /// The report key's TTL in seconds (60 to 10 years).
    #[ts(type = "number")]
    pub report_ttl: u64,
}

impl Default for StorageReportOptions {
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
            schemas: vec!["sales".to_owned(), "cachescope".to_owned()],
            report_key: "report:storage".to_owned(),
            report_ttl: 90_000,
        }
    }
}

/// What a storage report measured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "camelCase")]
pub struct StorageReportCounts {
    /// Tables measured.
    #[ts(type = "number")]
    pub tables: u64,
    /// Their bytes on disk, together.
    #[ts(type = "number")]
    pub table_bytes: u64,
    /// Keys in the namespace.
    #[ts(type = "number")]
    pub keys: u64,
    /// Their bytes, together.
    #[ts(type = "number")]
    pub key_bytes: u64,
}

/// The `storage-report` job.
#[derive(Debug, Clone, Copy)]
pub struct StorageReport;

impl Job for StorageReport {
    type Options = StorageReportOptions;
    type Counts = StorageReportCounts;
    type Prepared = StorageReportOptions;

    const NAME: JobName = JobName::StorageReport;
    const DESCRIPTION: &'static str = "Rows and bytes per table, keys and bytes per key family";
    const DEFAULT_SCHEDULE: Option<&'static str> = Some("0 4 * * *");

    fn history_days(options: &StorageReportOptions) -> u32 {
        options.history_days
    }

    fn validate(&self, options: &StorageReportOptions) -> Result<()> {
        let job = Self::NAME;
        in_range(job, "schemas", options.schemas.len(), 1..=50, "schemas")?;
        for schema in &options.schemas {
            identifiers::check_plain_name(&option_name(job, "schemas"), schema)?;
        }
        crate::kv::limits::check_key(&options.report_key)
            .map_err(|e| Error::invalid(option_name(job, "reportKey"), e.to_string()))?;
        in_range(
            job,
            "reportTtl",
            options.report_ttl,
            60..=315_360_000,
            "seconds",
        )
    }

    async fn check_live(&self, options: &StorageReportOptions, pool: &PgPool) -> Result<()> {
        for schema in &options.schemas {
            identifiers::Schema::resolve(pool, &option_name(Self::NAME, "schemas"), schema).await?;
        }
        Ok(())
    }

    async fn prepare(
        &self,
        _ctx: &CoreContext,
        pool: &PgPool,
        options: &StorageReportOptions,
    ) -> Result<StorageReportOptions> {
        self.check_live(options, pool).await?;
        Ok(options.clone())
    }

    async fn run(
        &self,
        run: &JobRun<'_>,
        options: &StorageReportOptions,
    ) -> std::result::Result<RunReport<StorageReportCounts>, JobFailure<StorageReportCounts>> {
        let dry = run.dry_run;
        let store = run.profile.store().await?;
        let catalog = crate::reports::catalog(run.ctx)?;
        let report = storage_report(
            run.pool,
            store.as_ref(),
            &catalog,
            options,
            run.now,
            dry,
            run.progress,
        )
        .await?;
        Ok(RunReport {
            counts: StorageReportCounts {
                tables: report.tables.len() as u64,
                table_bytes: report.total_table_bytes,
                keys: report.total_keys,
                key_bytes: report.total_key_bytes,
            },
            summary: format!(
                "{} tables ({} bytes), {} keys ({} bytes){}",
                report.tables.len(),
                report.total_table_bytes,
                report.total_keys,
                report.total_key_bytes,
                if dry {
                    String::new()
                } else {
                    format!("; written to {}", options.report_key)
                }
            ),
            detail: to_detail(&report),
        })
    }
}
