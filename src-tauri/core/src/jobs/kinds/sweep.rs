//! The `sweep` job: keys of a family with no TTL or whose entity is gone from Postgres, stopped by
//! a circuit breaker when a family's share to delete is too large. The work is
//! [`crate::jobs::kv_cleanup::sweep`].

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::jobs::catalog::JobName;
use crate::jobs::job::{Deletes, Job, JobFailure, JobRun, RunReport};
use crate::jobs::kv_cleanup::{self, KeyCleanupCounts, ShareLimit, SweepFamily};
use crate::jobs::options::{in_range, HISTORY_DAYS};

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

/// Longest text accepted for a sweep rule's query.
const MAX_SQL_CHARS: usize = 20_000;

/// The `sweep` job; its counts are a key cleanup's ([`KeyCleanupCounts`]).
#[derive(Debug, Clone, Copy)]
pub struct Sweep;

impl Job for Sweep {
    type Options = SweepOptions;
    type Counts = KeyCleanupCounts;
    type Prepared = SweepOptions;

    const NAME: JobName = JobName::Sweep;
    const DESCRIPTION: &'static str = "Delete keys with no TTL or whose entity no longer exists";
    const DEFAULT_SCHEDULE: Option<&'static str> = None;
    const DELETES: Option<Deletes> = Some(Deletes::Keys);
    const HAS_SHARE_LIMIT: bool = true;

    fn history_days(options: &SweepOptions) -> u32 {
        options.history_days
    }

    fn validate(&self, options: &SweepOptions) -> Result<()> {
        let job = Self::NAME;
        in_range(
            job,
            "sweepRules",
            options.sweep_rules.len(),
            1..=100,
            "rules",
        )?;
        in_range(
            job,
            "maxDeletePercent",
            options.max_delete_percent,
            0..=100,
            "%",
        )?;
        for rule in &options.sweep_rules {
            if rule.existing_ids_sql.as_ref().map_or(0, String::len) > MAX_SQL_CHARS {
                return Err(Error::invalid(
                    format!("existingIdsSql of sweep rule {:?}", rule.family),
                    format!("is longer than {MAX_SQL_CHARS} characters"),
                ));
            }
            SweepFamily::parse(rule).map_err(|reason| {
                Error::invalid(format!("sweep rule {:?} of job {job}", rule.family), reason)
            })?;
        }
        Ok(())
    }

    async fn prepare(
        &self,
        _ctx: &CoreContext,
        _pool: &PgPool,
        options: &SweepOptions,
    ) -> Result<SweepOptions> {
        Ok(options.clone())
    }

    fn audit_target(&self, options: &SweepOptions, _parameter: Option<&str>) -> String {
        options
            .sweep_rules
            .iter()
            .map(|r| r.family.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn affected(counts: &KeyCleanupCounts) -> u64 {
        counts.deleted
    }

    async fn run(
        &self,
        run: &JobRun<'_>,
        options: &SweepOptions,
    ) -> std::result::Result<RunReport<KeyCleanupCounts>, JobFailure<KeyCleanupCounts>> {
        let store = run.profile.store().await?;
        let limit = ShareLimit {
            max_percent: options.max_delete_percent,
            overridden: run.override_share_limit,
        };
        let done = kv_cleanup::sweep(
            store.as_ref(),
            Some(run.pool),
            options,
            limit,
            run.dry_run,
            run.progress,
        )
        .await?;
        kv_cleanup::finish_run(run, Self::NAME, done)
    }
}
