//! The jobs Cachescope runs, each with its default schedule (the seeds' cron plan: precompute
//! every 15 minutes; archive 02:00, delete archived rows 03:00, storage report 04:00, snapshot
//! prune Sunday 05:00, nightly per-user analytics 02:00) and its typed, validated options.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A job's name, as used in the CLI (`cachescope jobs run archive`) and in Postgres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum JobName {
    /// Every report into KV, skipping unchanged keys.
    Precompute,
    /// The per-user dashboard and rep reports, nightly.
    NightlyAnalytics,
    /// Detail rows older than the retention to verified gzip NDJSON files.
    Archive,
    /// Rows covered by a verified archive, in bounded batches.
    DeleteArchived,
    /// Rows and bytes per table, keys and bytes per key family, written as a report key.
    StorageReport,
    /// Keep the newest versions of versioned snapshot keys.
    PruneSnapshots,
    /// Keys of a family with no TTL or whose entity is gone from Postgres.
    Sweep,
    /// One user's list and aggregate keys, and everything under `user:{id}:`.
    InvalidateUser,
}

impl JobName {
    pub const ALL: [JobName; 8] = [
        Self::Precompute,
        Self::NightlyAnalytics,
        Self::Archive,
        Self::DeleteArchived,
        Self::StorageReport,
        Self::PruneSnapshots,
        Self::Sweep,
        Self::InvalidateUser,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Precompute => "precompute",
            Self::NightlyAnalytics => "nightly-analytics",
            Self::Archive => "archive",
            Self::DeleteArchived => "delete-archived",
            Self::StorageReport => "storage-report",
            Self::PruneSnapshots => "prune-snapshots",
            Self::Sweep => "sweep",
            Self::InvalidateUser => "invalidate-user",
        }
    }

    /// What the job does, in one line for the Jobs table.
    pub fn description(self) -> &'static str {
        match self {
            Self::Precompute => "Compute every report from Postgres and write changed keys to KV",
            Self::NightlyAnalytics => "Recompute each user's dashboard and rep performance keys",
            Self::Archive => "Archive detail rows older than the retention to gzip NDJSON files",
            Self::DeleteArchived => "Delete detail rows that a verified archive holds, in batches",
            Self::StorageReport => "Rows and bytes per table, keys and bytes per key family",
            Self::PruneSnapshots => "Keep only the newest versions of snapshot keys",
            Self::Sweep => "Delete keys with no TTL or whose entity no longer exists",
            Self::InvalidateUser => "Delete one user's list and aggregate keys",
        }
    }

    /// The seeds' schedule, or `None` for jobs run by hand only.
    pub fn default_schedule(self) -> Option<&'static str> {
        match self {
            Self::Precompute => Some("*/15 * * * *"),
            Self::NightlyAnalytics | Self::Archive => Some("0 2 * * *"),
            Self::DeleteArchived => Some("0 3 * * *"),
            Self::StorageReport => Some("0 4 * * *"),
            Self::PruneSnapshots => Some("0 5 * * SUN"),
            Self::Sweep | Self::InvalidateUser => None,
        }
    }

    /// Whether the job deletes something (rows or keys): its real run asks for confirmation
    /// after a dry run, and is audited.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            Self::Archive
                | Self::DeleteArchived
                | Self::PruneSnapshots
                | Self::Sweep
                | Self::InvalidateUser
        )
    }

    /// Whether a run needs a parameter (the user id of `invalidate-user`) and so cannot be
    /// scheduled.
    pub fn needs_parameter(self) -> bool {
        matches!(self, Self::InvalidateUser)
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobName {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|job| job.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|j| j.as_str()).collect();
                Error::invalid(
                    format!("job {s:?}"),
                    format!("no such job; the jobs are {}", names.join(", ")),
                )
            })
    }
}

/// Options of every job, stored as one JSON object per job (unknown fields are refused, missing
/// ones take their defaults). Only the fields of a job's own kind matter to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct JobOptions {
    /// Days of run history kept for this job.
    #[ts(type = "number")]
    pub history_days: i64,
    /// precompute, nightly-analytics: report names (empty: every report).
    pub reports: Vec<String>,
    /// archive, delete-archived: the detail table (schema-qualified).
    pub table: String,
    /// archive: the row's time column; rows older than `retention_days` are archived.
    pub time_column: String,
    /// archive, delete-archived: the table's unique integer id column.
    pub id_column: String,
    /// archive: days detail rows stay hot in the database.
    #[ts(type = "number")]
    pub retention_days: i64,
    /// archive: where archive files go (default: `archives/` in the data directory).
    #[ts(type = "string | null")]
    pub directory: Option<PathBuf>,
    /// archive: rows read per statement while archiving.
    #[ts(type = "number")]
    pub read_chunk: i64,
    /// delete-archived: rows per delete statement.
    #[ts(type = "number")]
    pub batch_size: i64,
    /// delete-archived: most batches one run deletes (0: no limit).
    #[ts(type = "number")]
    pub max_batches: i64,
    /// storage-report: the schemas measured.
    pub schemas: Vec<String>,
    /// storage-report: the key it writes, and its TTL in seconds.
    pub report_key: String,
    #[ts(type = "number")]
    pub report_ttl: u64,
    /// prune-snapshots: the versioned key template; `{version}` is a number.
    pub snapshot_template: String,
    /// prune-snapshots: versions kept.
    #[ts(type = "number")]
    pub keep_versions: i64,
    /// sweep: the families swept.
    pub sweep_rules: Vec<SweepRule>,
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
    /// id it does not return are deleted.
    #[serde(default)]
    pub existing_ids_sql: Option<String>,
}

impl Default for JobOptions {
    fn default() -> Self {
        Self {
            history_days: 90,
            reports: Vec::new(),
            table: "sales.traffic_events".to_owned(),
            time_column: "occurred_at".to_owned(),
            id_column: "id".to_owned(),
            retention_days: 3,
            directory: None,
            read_chunk: 20_000,
            batch_size: 1_000,
            max_batches: 50,
            schemas: vec!["sales".to_owned(), "cachescope".to_owned()],
            report_key: "report:storage".to_owned(),
            report_ttl: 90_000,
            snapshot_template: "snapshot:paths:v{version}".to_owned(),
            keep_versions: 5,
            sweep_rules: default_sweep_rules(),
        }
    }
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

impl JobOptions {
    /// The options of `job` for its default row.
    pub fn defaults_for(job: JobName) -> Self {
        let mut options = Self::default();
        if job == JobName::NightlyAnalytics {
            options.reports = vec!["user-dashboard".to_owned(), "rep".to_owned()];
        }
        options
    }

    /// Refuses values no run could use, naming the option at fault, before anything runs.
    pub fn validate(&self, job: JobName) -> Result<()> {
        let bad = |option: &str, reason: &str| -> Result<()> {
            Err(Error::invalid(
                format!("option {option} of job {job}"),
                reason.to_owned(),
            ))
        };
        if self.history_days <= 0 {
            return bad("historyDays", "must be at least 1 day");
        }
        match job {
            JobName::Archive => {
                if self.retention_days <= 0 {
                    return bad("retentionDays", "must be at least 1 day");
                }
                if self.read_chunk <= 0 {
                    return bad("readChunk", "must be at least 1 row");
                }
                check_identifier(job, "table", &self.table, true)?;
                check_identifier(job, "timeColumn", &self.time_column, false)?;
                check_identifier(job, "idColumn", &self.id_column, false)?;
            }
            JobName::DeleteArchived => {
                if self.batch_size <= 0 {
                    return bad("batchSize", "must be at least 1 row");
                }
                if self.batch_size > 100_000 {
                    return bad(
                        "batchSize",
                        "must be at most 100000 rows, so no delete holds locks for long",
                    );
                }
                if self.max_batches < 0 {
                    return bad("maxBatches", "must be 0 (no limit) or more");
                }
                check_identifier(job, "table", &self.table, true)?;
                check_identifier(job, "idColumn", &self.id_column, false)?;
            }
            JobName::PruneSnapshots => {
                if self.keep_versions <= 0 {
                    return bad("keepVersions", "must keep at least 1 version");
                }
                let template =
                    crate::reports::definitions::KeyTemplate::parse(&self.snapshot_template)
                        .map_err(|e| {
                            Error::invalid(format!("option snapshotTemplate of job {job}"), e)
                        })?;
                if template.params() != ["version"] {
                    return bad(
                        "snapshotTemplate",
                        "must hold exactly one placeholder, {version}",
                    );
                }
            }
            JobName::StorageReport => {
                if self.schemas.is_empty() {
                    return bad("schemas", "must name at least one schema");
                }
                for schema in &self.schemas {
                    check_identifier(job, "schemas", schema, false)?;
                }
                crate::kv::limits::check_key(&self.report_key)?;
                if self.report_ttl < 60 {
                    return bad(
                        "reportTtl",
                        "must be at least 60 seconds (Cloudflare's minimum)",
                    );
                }
            }
            JobName::Sweep => {
                if self.sweep_rules.is_empty() {
                    return bad("sweepRules", "must hold at least one rule");
                }
                for rule in &self.sweep_rules {
                    kv_cleanup::SweepFamily::parse(rule).map_err(|reason| {
                        Error::invalid(format!("sweep rule {:?} of job {job}", rule.family), reason)
                    })?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

use super::kv_cleanup;

/// A table or column name: letters, digits and `_`, optionally `schema.table`.
fn check_identifier(job: JobName, option: &str, value: &str, qualified: bool) -> Result<()> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 63
            && p.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let parts: Vec<&str> = value.split('.').collect();
    let ok = match parts.as_slice() {
        [one] => part_ok(one),
        [schema, table] if qualified => part_ok(schema) && part_ok(table),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            format!("option {option} of job {job}"),
            format!(
                "{value:?} is not a plain lower-case SQL name{}",
                if qualified { " (schema.table)" } else { "" }
            ),
        ))
    }
}

/// Quotes a checked identifier (`sales.traffic_events` -> `"sales"."traffic_events"`).
pub(crate) fn quote_identifier(name: &str) -> String {
    name.split('.')
        .map(|part| format!("\"{part}\""))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_jobs() {
        for job in JobName::ALL {
            assert_eq!(job.as_str().parse::<JobName>().unwrap(), job);
        }
        let err = "archiv".parse::<JobName>().unwrap_err().to_string();
        assert!(
            err.contains("archiv") && err.contains("delete-archived"),
            "{err}"
        );
    }

    #[test]
    fn bad_options_are_refused_by_name() {
        let options = JobOptions {
            retention_days: 0,
            ..JobOptions::default()
        };
        let err = options.validate(JobName::Archive).unwrap_err().to_string();
        assert!(
            err.contains("retentionDays") && err.contains("archive"),
            "{err}"
        );

        let options = JobOptions {
            batch_size: 0,
            ..JobOptions::default()
        };
        let err = options
            .validate(JobName::DeleteArchived)
            .unwrap_err()
            .to_string();
        assert!(err.contains("batchSize"), "{err}");

        let options = JobOptions {
            table: "sales.traffic_events; drop table x".to_owned(),
            ..JobOptions::default()
        };
        let err = options.validate(JobName::Archive).unwrap_err().to_string();
        assert!(err.contains("option table"), "{err}");

        let options = JobOptions {
            snapshot_template: "snapshot:{name}".to_owned(),
            ..JobOptions::default()
        };
        assert!(options.validate(JobName::PruneSnapshots).is_err());

        for job in JobName::ALL {
            JobOptions::defaults_for(job).validate(job).unwrap();
        }
    }

    #[test]
    fn unknown_option_fields_are_refused() {
        let err = serde_json::from_str::<JobOptions>(r#"{"retentionDay": 3}"#).unwrap_err();
        assert!(err.to_string().contains("retentionDay"), "{err}");
    }

    #[test]
    fn identifiers_are_quoted_part_by_part() {
        assert_eq!(
            quote_identifier("sales.traffic_events"),
            "\"sales\".\"traffic_events\""
        );
    }
}
