//! Each job's options, typed per job: one struct per job in the tagged enum [`JobOptions`] (the
//! UI narrows on its `job` tag), every number bounded, every table and column option checked
//! against the live catalog before a run ([`DetailTableOptions::resolve`]). Stored in Postgres as
//! the job's own struct, without the tag (the row's name is the job).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::postgres::PgPool;

use super::catalog::JobName;
use crate::error::{Error, Result};
use crate::identifiers::{self, Column, ColumnType, Table};

/// The options of one job, tagged with the job's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "job", rename_all = "kebab-case")]
pub enum JobOptions {
    Precompute(PrecomputeOptions),
    NightlyAnalytics(PrecomputeOptions),
    Archive(ArchiveOptions),
    DeleteArchived(DeleteArchivedOptions),
    StorageReport(StorageReportOptions),
    PruneSnapshots(PruneSnapshotsOptions),
    Sweep(SweepOptions),
    InvalidateUser(InvalidateUserOptions),
}

/// Days of run history kept, by default.
const HISTORY_DAYS: u32 = 90;

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

/// prune-snapshots: keep the newest versions of versioned snapshot keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct PruneSnapshotsOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
    /// The versioned key template; `{version}` is a number.
    pub snapshot_template: String,
    /// Versions kept (1-100000).
    pub keep_versions: u32,
}

impl Default for PruneSnapshotsOptions {
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
            snapshot_template: "snapshot:paths:v{version}".to_owned(),
            keep_versions: 5,
        }
    }
}

/// sweep: keys of a family with no TTL or whose entity is gone from Postgres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SweepOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
    /// The families swept (1-100 rules).
    pub sweep_rules: Vec<SweepRule>,
    /// The circuit breaker: a run that would delete more than this share (percent, 0-100) of a
    /// family's keys stops before deleting anything, unless the run overrides it.
    pub max_delete_percent: u32,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
            sweep_rules: default_sweep_rules(),
            max_delete_percent: 10,
        }
    }
}

/// One family the sweep looks at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SweepRule {
    /// A key template with one `{...}` id, e.g. `conversation:{id}:detail`, or a prefix ending
    /// in `:` (every key under it).
    pub family: String,
    /// Delete keys of the family that have no expiry.
    #[serde(default)]
    pub without_ttl: bool,
    /// A query returning, of the ids bound as `$1` (text[]), those that still exist; keys whose
    /// id it does not return are deleted. It runs in a read-only transaction with a time limit,
    /// and may return only ids it was given.
    #[serde(default)]
    pub existing_ids_sql: Option<String>,
}

fn default_sweep_rules() -> Vec<SweepRule> {
    let entity = |family: &str, table: &str| SweepRule {
        family: family.to_owned(),
        without_ttl: true,
        existing_ids_sql: Some(format!(
            "SELECT id::text FROM {table} WHERE id::text = ANY($1)"
        )),
    };
    vec![
        entity("conversation:{id}:detail", "sales.conversations"),
        entity("opportunity:{id}:detail", "sales.opportunities"),
        entity("user:{id}:", "sales.users"),
        entity("report:rep:{id}", "sales.users"),
    ]
}

/// invalidate-user: one user's keys (the user is a parameter of each run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct InvalidateUserOptions {
    /// Days of run history kept for this job (1-3650).
    pub history_days: u32,
}

impl Default for InvalidateUserOptions {
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
        }
    }
}

/// Longest text accepted for a sweep rule's query.
const MAX_SQL_CHARS: usize = 20_000;

/// Refuses a number outside `range`, naming the option.
fn in_range<T: PartialOrd + std::fmt::Display>(
    job: JobName,
    option: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
) -> Result<()> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            option_name(job, option),
            format!(
                "{value} is out of range: must be {}-{} {unit}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// How an option is named in errors: `option timeColumn of job archive`.
pub fn option_name(job: JobName, option: &str) -> String {
    format!("option {option} of job {job}")
}

/// Parses `value` as `T`, naming the field at fault (`option retentionDays of job archive`).
fn parse_struct<T: DeserializeOwned>(job: JobName, value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let what = if path == "." {
            format!("options of job {job}")
        } else {
            option_name(job, &path)
        };
        Error::invalid(what, e.into_inner().to_string())
    })
}

impl JobOptions {
    /// The job these options belong to.
    pub fn job(&self) -> JobName {
        match self {
            Self::Precompute(_) => JobName::Precompute,
            Self::NightlyAnalytics(_) => JobName::NightlyAnalytics,
            Self::Archive(_) => JobName::Archive,
            Self::DeleteArchived(_) => JobName::DeleteArchived,
            Self::StorageReport(_) => JobName::StorageReport,
            Self::PruneSnapshots(_) => JobName::PruneSnapshots,
            Self::Sweep(_) => JobName::Sweep,
            Self::InvalidateUser(_) => JobName::InvalidateUser,
        }
    }

    /// The defaults of `job`.
    pub fn defaults_for(job: JobName) -> Self {
        match job {
            JobName::Precompute => Self::Precompute(PrecomputeOptions::default()),
            JobName::NightlyAnalytics => Self::NightlyAnalytics(PrecomputeOptions {
                reports: vec!["user-dashboard".to_owned(), "rep".to_owned()],
                ..PrecomputeOptions::default()
            }),
            JobName::Archive => Self::Archive(ArchiveOptions::default()),
            JobName::DeleteArchived => Self::DeleteArchived(DeleteArchivedOptions::default()),
            JobName::StorageReport => Self::StorageReport(StorageReportOptions::default()),
            JobName::PruneSnapshots => Self::PruneSnapshots(PruneSnapshotsOptions::default()),
            JobName::Sweep => Self::Sweep(SweepOptions::default()),
            JobName::InvalidateUser => Self::InvalidateUser(InvalidateUserOptions::default()),
        }
    }

    /// Reads `job`'s options from JSON: its own fields (missing ones take their defaults,
    /// unknown ones are refused), with or without the `job` tag (which must then name `job`).
    /// Numbers out of their type's range are refused by name; bounds are checked by
    /// [`validate`](Self::validate).
    pub fn from_json(job: JobName, value: Value) -> Result<Self> {
        let mut value = value;
        if let Value::Object(fields) = &mut value {
            if let Some(tag) = fields.remove("job") {
                if tag.as_str() != Some(job.as_str()) {
                    return Err(Error::invalid(
                        option_name(job, "job"),
                        format!("{tag} does not name this job"),
                    ));
                }
            }
        }
        Ok(match job {
            JobName::Precompute => Self::Precompute(parse_struct(job, value)?),
            JobName::NightlyAnalytics => Self::NightlyAnalytics(parse_struct(job, value)?),
            JobName::Archive => Self::Archive(parse_struct(job, value)?),
            JobName::DeleteArchived => Self::DeleteArchived(parse_struct(job, value)?),
            JobName::StorageReport => Self::StorageReport(parse_struct(job, value)?),
            JobName::PruneSnapshots => Self::PruneSnapshots(parse_struct(job, value)?),
            JobName::Sweep => Self::Sweep(parse_struct(job, value)?),
            JobName::InvalidateUser => Self::InvalidateUser(parse_struct(job, value)?),
        })
    }

    /// The stored form: the job's own fields, without the tag.
    pub fn to_stored(&self) -> Result<Value> {
        let mut value = serde_json::to_value(self)
            .map_err(|e| Error::invalid(format!("options of job {}", self.job()), e.to_string()))?;
        if let Value::Object(fields) = &mut value {
            fields.remove("job");
        }
        Ok(value)
    }

    /// Days of run history kept.
    pub fn history_days(&self) -> u32 {
        match self {
            Self::Precompute(o) | Self::NightlyAnalytics(o) => o.history_days,
            Self::Archive(o) => o.history_days,
            Self::DeleteArchived(o) => o.history_days,
            Self::StorageReport(o) => o.history_days,
            Self::PruneSnapshots(o) => o.history_days,
            Self::Sweep(o) => o.history_days,
            Self::InvalidateUser(o) => o.history_days,
        }
    }

    /// Refuses values no run could use, naming the option at fault, before anything runs. Table
    /// and column names are checked here for their form; [`DetailTableOptions::resolve`] finds
    /// them in the live catalog.
    pub fn validate(&self) -> Result<()> {
        let job = self.job();
        in_range(job, "historyDays", self.history_days(), 1..=3650, "days")?;
        match self {
            Self::Precompute(o) | Self::NightlyAnalytics(o) => {
                in_range(job, "reports", o.reports.len(), 0..=1_000, "names")?;
            }
            Self::Archive(o) => {
                in_range(job, "retentionDays", o.retention_days, 1..=36_500, "days")?;
                in_range(job, "readChunk", o.read_chunk, 1..=1_000_000, "rows")?;
                o.names().check_form(job)?;
            }
            Self::DeleteArchived(o) => {
                in_range(job, "batchSize", o.batch_size, 1..=100_000, "rows")?;
                in_range(job, "maxBatches", o.max_batches, 0..=1_000_000, "batches")?;
                o.names().check_form(job)?;
            }
            Self::StorageReport(o) => {
                in_range(job, "schemas", o.schemas.len(), 1..=50, "schemas")?;
                for schema in &o.schemas {
                    identifiers::check_plain_name(&option_name(job, "schemas"), schema)?;
                }
                crate::kv::limits::check_key(&o.report_key)
                    .map_err(|e| Error::invalid(option_name(job, "reportKey"), e.to_string()))?;
                in_range(job, "reportTtl", o.report_ttl, 60..=315_360_000, "seconds")?;
            }
            Self::PruneSnapshots(o) => {
                in_range(
                    job,
                    "keepVersions",
                    o.keep_versions,
                    1..=100_000,
                    "versions",
                )?;
                let template =
                    crate::reports::definitions::KeyTemplate::parse(&o.snapshot_template)
                        .map_err(|e| Error::invalid(option_name(job, "snapshotTemplate"), e))?;
                if template.params() != ["version"] {
                    return Err(Error::invalid(
                        option_name(job, "snapshotTemplate"),
                        "must hold exactly one placeholder, {version}",
                    ));
                }
            }
            Self::Sweep(o) => {
                in_range(job, "sweepRules", o.sweep_rules.len(), 1..=100, "rules")?;
                in_range(job, "maxDeletePercent", o.max_delete_percent, 0..=100, "%")?;
                for rule in &o.sweep_rules {
                    if rule.existing_ids_sql.as_ref().map_or(0, String::len) > MAX_SQL_CHARS {
                        return Err(Error::invalid(
                            format!("existingIdsSql of sweep rule {:?}", rule.family),
                            format!("is longer than {MAX_SQL_CHARS} characters"),
                        ));
                    }
                    super::kv_cleanup::SweepFamily::parse(rule).map_err(|reason| {
                        Error::invalid(format!("sweep rule {:?} of job {job}", rule.family), reason)
                    })?;
                }
            }
            Self::InvalidateUser(_) => {}
        }
        Ok(())
    }

    /// Checks what the options name in the database against its live catalog (tables, columns
    /// and their types, schemas), naming the option at fault.
    pub async fn check_live(&self, pool: &PgPool) -> Result<()> {
        let job = self.job();
        match self {
            Self::Archive(o) => o.names().resolve(pool, job).await.map(drop),
            Self::DeleteArchived(o) => o.names().resolve(pool, job).await.map(drop),
            Self::StorageReport(o) => {
                for schema in &o.schemas {
                    identifiers::Schema::resolve(pool, &option_name(job, "schemas"), schema)
                        .await?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The table and column options of archive and delete-archived, as written.
pub struct DetailTableOptions<'a> {
    pub table: &'a str,
    pub time_column: &'a str,
    pub id_column: &'a str,
}

/// A detail table and its time and id columns, found in the live catalog.
#[derive(Debug, Clone)]
pub struct DetailTable {
    pub table: Table,
    pub time: Column,
    pub id: Column,
}

impl DetailTableOptions<'_> {
    fn check_form(&self, job: JobName) -> Result<()> {
        identifiers::check_qualified_name(&option_name(job, "table"), self.table)?;
        identifiers::check_plain_name(&option_name(job, "timeColumn"), self.time_column)?;
        identifiers::check_plain_name(&option_name(job, "idColumn"), self.id_column)
    }

    /// Finds the table and its columns: the time column must be a timestamp, the id column an
    /// integer.
    pub async fn resolve(&self, pool: &PgPool, job: JobName) -> Result<DetailTable> {
        let table = Table::resolve(pool, &option_name(job, "table"), self.table).await?;
        let time = table
            .column(
                pool,
                &option_name(job, "timeColumn"),
                self.time_column,
                ColumnType::Timestamp,
            )
            .await?;
        let id = table
            .column(
                pool,
                &option_name(job, "idColumn"),
                self.id_column,
                ColumnType::Integer,
            )
            .await?;
        Ok(DetailTable { table, time, id })
    }
}

impl ArchiveOptions {
    pub fn names(&self) -> DetailTableOptions<'_> {
        DetailTableOptions {
            table: &self.table,
            time_column: &self.time_column,
            id_column: &self.id_column,
        }
    }
}

impl DeleteArchivedOptions {
    pub fn names(&self) -> DetailTableOptions<'_> {
        DetailTableOptions {
            table: &self.table,
            time_column: &self.time_column,
            id_column: &self.id_column,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn defaults_are_valid_and_round_trip_through_the_stored_form() {
        for job in JobName::ALL {
            let options = JobOptions::defaults_for(job);
            assert_eq!(options.job(), job);
            options.validate().unwrap();
            let stored = options.to_stored().unwrap();
            assert!(stored.get("job").is_none(), "{stored}");
            assert_eq!(JobOptions::from_json(job, stored).unwrap(), options);
        }
    }

    #[test]
    fn fields_of_another_job_and_a_wrong_tag_are_refused() {
        let err = JobOptions::from_json(JobName::Precompute, json!({"table": "sales.x"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("table") && err.contains("precompute"), "{err}");
        let err = JobOptions::from_json(JobName::Archive, json!({"job": "sweep"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("option job of job archive"), "{err}");
        let tagged = JobOptions::from_json(JobName::Archive, json!({"job": "archive"})).unwrap();
        assert_eq!(tagged, JobOptions::defaults_for(JobName::Archive));
    }

    #[test]
    fn numbers_out_of_range_are_refused_by_name() {
        for (job, field, value) in [
            (JobName::Archive, "retentionDays", json!(1e30)),
            (JobName::Archive, "retentionDays", json!(-1)),
            (JobName::Archive, "retentionDays", json!(36_501)),
            (JobName::Archive, "retentionDays", json!(u64::MAX)),
            (JobName::DeleteArchived, "batchSize", json!(0)),
            (JobName::DeleteArchived, "batchSize", json!(100_001)),
            (JobName::StorageReport, "reportTtl", json!(59)),
            (JobName::Sweep, "maxDeletePercent", json!(101)),
            (JobName::Precompute, "historyDays", json!(0)),
            (JobName::PruneSnapshots, "keepVersions", json!("5")),
        ] {
            let err = JobOptions::from_json(job, json!({ field: value }))
                .and_then(|o| o.validate())
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("option {field} of job {job}")),
                "{field}={value}: {err}"
            );
        }
    }

    #[test]
    fn hostile_identifiers_are_refused_by_name_before_the_database() {
        let hostile = "occurred_at\" IS NOT NULL OR true OR \"occurred_at";
        for (job, field) in [
            (JobName::Archive, "table"),
            (JobName::Archive, "timeColumn"),
            (JobName::Archive, "idColumn"),
            (JobName::DeleteArchived, "table"),
            (JobName::DeleteArchived, "timeColumn"),
            (JobName::DeleteArchived, "idColumn"),
        ] {
            let err = JobOptions::from_json(job, json!({ field: hostile }))
                .unwrap()
                .validate()
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("option {field} of job {job}")),
                "{err}"
            );
        }
        let err = JobOptions::from_json(JobName::StorageReport, json!({"schemas": ["a;b"]}))
            .unwrap()
            .validate()
            .unwrap_err()
            .to_string();
        assert!(err.contains("option schemas"), "{err}");
    }

    fn any_number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            Just(json!(1e30)),
            Just(json!(-1e30)),
            Just(Value::Null),
            Just(json!("1")),
        ]
    }

    proptest! {
        /// No number in any numeric option of any job panics parsing or checking: it is used,
        /// or refused by name.
        #[test]
        fn no_number_panics(value in any_number(), pick in 0usize..11) {
            let (job, field) = [
                (JobName::Precompute, "historyDays"),
                (JobName::Archive, "retentionDays"),
                (JobName::Archive, "readChunk"),
                (JobName::DeleteArchived, "batchSize"),
                (JobName::DeleteArchived, "maxBatches"),
                (JobName::StorageReport, "reportTtl"),
                (JobName::PruneSnapshots, "keepVersions"),
                (JobName::Sweep, "maxDeletePercent"),
                (JobName::Sweep, "historyDays"),
                (JobName::InvalidateUser, "historyDays"),
                (JobName::NightlyAnalytics, "historyDays"),
            ][pick];
            match JobOptions::from_json(job, json!({ field: value })).and_then(|o| {
                o.validate()?;
                Ok(o)
            }) {
                Ok(o) => {
                    if let JobOptions::Archive(a) = &o {
                        super::super::archive::archive_cutoff(chrono::Utc::now(), a.retention_days)
                            .unwrap();
                    }
                }
                Err(e) => {
                    let text = e.to_string();
                    prop_assert!(text.contains(field) || text.contains("options of job"), "{}", text);
                }
            }
        }
    }
}
