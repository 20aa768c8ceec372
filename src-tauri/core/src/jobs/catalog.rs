//! The jobs Cachescope runs, each with its default schedule (docs/domain.md, "Schedules":
//! precompute every 15 minutes; archive 02:00, delete archived rows 03:00, storage report 04:00,
//! snapshot prune Sunday 05:00, nightly per-user analytics 02:00); their options are in
//! [`super::options`].

use std::fmt;
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

    /// The default schedule (docs/domain.md, "Schedules"), or `None` for jobs run by hand only.
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
}
