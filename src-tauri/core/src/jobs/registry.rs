//! The registry of jobs: one line per job, naming its [`JobName`] variant, its name, its kind
//! (the unit type under [`super::kinds`] implementing [`Job`]) and that kind's options and counts
//! types. The `registry!` macro turns the list into [`JobName`], [`JobOptions`] and [`JobCounts`]
//! and every per-job `match` over them, so adding a job is its own file and one line here.

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use super::history::JobRunRecord;
use super::job::{Deletes, Job};
use super::kinds::archive::{Archive, ArchiveCounts, ArchiveOptions};
use super::kinds::delete_archived::{DeleteArchived, DeleteArchivedCounts, DeleteArchivedOptions};
use super::kinds::invalidate_user::{InvalidateUser, InvalidateUserOptions};
use super::kinds::nightly_analytics::NightlyAnalytics;
use super::kinds::precompute::{Precompute, PrecomputeCounts, PrecomputeOptions};
use super::kinds::prune_snapshots::{PruneSnapshots, PruneSnapshotsOptions};
use super::kinds::storage_report::{StorageReport, StorageReportCounts, StorageReportOptions};
use super::kinds::sweep::{Sweep, SweepOptions};
use super::kv_cleanup::KeyCleanupCounts;
use super::options::parse_struct;
use super::runner::{self, RunStart};
use crate::error::Result;

macro_rules! registry {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:tt => $kind:ident { options: $options:ident, counts: $counts:ident }
    ),* $(,)?) => {
        /// A job's name, as used in the CLI (`cachescope jobs run archive`) and in Postgres.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
        pub enum JobName {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )*
        }

        /// The options of one job, tagged with the job's name (the UI narrows on `job`).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
        #[serde(tag = "job")]
        pub enum JobOptions {
            $( #[serde(rename = $name)] $variant($options), )*
        }

        /// What one run of a job counted, tagged with the job's name (the UI narrows on `job`).
        /// Stored in the run history as the job's own counts, without the tag.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
        #[serde(tag = "job")]
        pub enum JobCounts {
            $( #[serde(rename = $name)] $variant($counts), )*
        }

        /// How many jobs there are.
        const JOB_COUNT: usize = [$($name),*].len();

        // Each kind names the job of its own registry line.
        $(
            const _: () = assert!(
                matches!(<$kind as Job>::NAME, JobName::$variant),
                concat!("the kind on the registry line of ", $name, " names another job")
            );
        )*

        impl JobName {
            pub const ALL: [JobName; JOB_COUNT] = [$(Self::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// What the job does, in one line for the Jobs table.
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => <$kind as Job>::DESCRIPTION,)* }
            }

            /// The default schedule (docs/domain.md, "Schedules"), or `None` for jobs run by hand
            /// only.
            pub fn default_schedule(self) -> Option<&'static str> {
                match self { $(Self::$variant => <$kind as Job>::DEFAULT_SCHEDULE,)* }
            }

            /// What the job deletes (rows or keys), if anything.
            pub fn deletes(self) -> Option<Deletes> {
                match self { $(Self::$variant => <$kind as Job>::DELETES,)* }
            }

            /// The parameter each run needs, described, if any.
            pub fn parameter(self) -> Option<&'static str> {
                match self { $(Self::$variant => <$kind as Job>::PARAMETER,)* }
            }

            /// Whether a run may override a share limit.
            pub fn has_share_limit(self) -> bool {
                match self { $(Self::$variant => <$kind as Job>::HAS_SHARE_LIMIT,)* }
            }
        }

        impl JobOptions {
            /// The job these options belong to.
            pub fn job(&self) -> JobName {
                match self { $(Self::$variant(_) => JobName::$variant,)* }
            }

            /// The defaults of `job`.
            pub fn defaults_for(job: JobName) -> Self {
                match job { $(JobName::$variant => Self::$variant($kind.defaults()),)* }
            }

            /// `job`'s own fields, parsed as its options struct, naming the field at fault.
            pub(super) fn parse_for(job: JobName, value: serde_json::Value) -> Result<Self> {
                Ok(match job {
                    $(JobName::$variant => Self::$variant(parse_struct(job, "options", value)?),)*
                })
            }

            /// Days of run history kept.
            pub fn history_days(&self) -> u32 {
                match self { $(Self::$variant(o) => <$kind as Job>::history_days(o),)* }
            }

            /// The job's own checks of its options.
            pub(super) fn validate_for_job(&self) -> Result<()> {
                match self { $(Self::$variant(o) => $kind.validate(o),)* }
            }

            /// Checks what the options name in the database against its live catalog (tables,
            /// columns and their types, schemas), naming the option at fault.
            pub async fn check_live(&self, pool: &PgPool) -> Result<()> {
                match self { $(Self::$variant(o) => $kind.check_live(o, pool).await,)* }
            }

            /// Runs the job these options belong to (see [`runner::run_job`]).
            pub(super) async fn run(&self, start: RunStart<'_>) -> Result<Option<JobRunRecord>> {
                match self {
                    $(Self::$variant(o) => {
                        runner::run_kind(&$kind, o, JobCounts::$variant, start).await
                    })*
                }
            }
        }

        impl JobCounts {
            /// The job these counts belong to.
            pub fn job(&self) -> JobName {
                match self { $(Self::$variant(_) => JobName::$variant,)* }
            }

            /// `job`'s counts from their stored form (its own fields, without the tag).
            pub(super) fn parse_for(job: JobName, value: serde_json::Value) -> Result<Self> {
                Ok(match job {
                    $(JobName::$variant => Self::$variant(parse_struct(job, "counts", value)?),)*
                })
            }

            /// The number the audit log records as affected (rows or keys deleted or archived).
            pub fn affected(&self) -> u64 {
                match self { $(Self::$variant(c) => <$kind as Job>::affected(c),)* }
            }
        }
    };
}

registry! {
    /// Every report into KV, skipping unchanged keys.
    Precompute = "precompute" => Precompute {
        options: PrecomputeOptions, counts: PrecomputeCounts
    },
    /// The per-user dashboard and rep reports, nightly.
    NightlyAnalytics = "nightly-analytics" => NightlyAnalytics {
        options: PrecomputeOptions, counts: PrecomputeCounts
    },
    /// Detail rows older than the retention to verified gzip NDJSON files.
    Archive = "archive" => Archive { options: ArchiveOptions, counts: ArchiveCounts },
    /// Rows covered by a verified archive, in bounded batches.
    DeleteArchived = "delete-archived" => DeleteArchived {
        options: DeleteArchivedOptions, counts: DeleteArchivedCounts
    },
    /// Rows and bytes per table, keys and bytes per key family, written as a report key.
    StorageReport = "storage-report" => StorageReport {
        options: StorageReportOptions, counts: StorageReportCounts
    },
    /// Keep the newest versions of versioned snapshot keys.
    PruneSnapshots = "prune-snapshots" => PruneSnapshots {
        options: PruneSnapshotsOptions, counts: KeyCleanupCounts
    },
    /// Keys of a family with no TTL or whose entity is gone from Postgres.
    Sweep = "sweep" => Sweep { options: SweepOptions, counts: KeyCleanupCounts },
    /// One user's list and aggregate keys, and everything under `user:{id}:`.
    InvalidateUser = "invalidate-user" => InvalidateUser {
        options: InvalidateUserOptions, counts: KeyCleanupCounts
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_registry_lists_every_job_once_with_valid_defaults_of_its_own() {
        let names: HashSet<&str> = JobName::ALL.iter().map(|job| job.as_str()).collect();
        assert_eq!(names.len(), JobName::ALL.len(), "a name is listed twice");
        let jobs: HashSet<JobName> = JobName::ALL.into_iter().collect();
        assert_eq!(jobs.len(), JobName::ALL.len(), "a job is listed twice");
        for job in JobName::ALL {
            // The serde name (Postgres, IPC) is the registry's name.
            assert_eq!(
                serde_json::to_value(job).unwrap(),
                serde_json::json!(job.as_str())
            );
            let defaults = JobOptions::defaults_for(job);
            assert_eq!(
                defaults.job(),
                job,
                "defaults of {job} belong to another job"
            );
            defaults
                .validate()
                .unwrap_or_else(|e| panic!("defaults of {job}: {e}"));
            assert!(!job.description().is_empty(), "{job} has no description");
            // A job with a parameter has nothing to schedule it with.
            if job.parameter().is_some() {
                assert_eq!(job.default_schedule(), None, "{job}");
            }
            // Counts parse as the job's own, tagged with the job.
            let counts = JobCounts::parse_for(job, serde_json::json!({})).unwrap();
            assert_eq!(counts.job(), job);
        }
    }
}
