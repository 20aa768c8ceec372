//! The `invalidate-user` job: one user's list and aggregate keys, and everything under
//! `user:{id}:`; the user is the parameter of each run. The work is
//! [`crate::jobs::kv_cleanup::invalidate_user`].

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use crate::context::CoreContext;
use crate::error::Result;
use crate::jobs::catalog::JobName;
use crate::jobs::job::{Deletes, Job, JobFailure, JobRun, RunReport};
use crate::jobs::kv_cleanup::{self, KeyCleanupCounts};
use crate::jobs::options::HISTORY_DAYS;

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

/// The `invalidate-user` job; its counts are a key cleanup's ([`KeyCleanupCounts`]).
#[derive(Debug, Clone, Copy)]
pub struct InvalidateUser;

impl Job for InvalidateUser {
    type Options = InvalidateUserOptions;
    type Counts = KeyCleanupCounts;
    type Prepared = ();

    const NAME: JobName = JobName::InvalidateUser;
    const DESCRIPTION: &'static str = "Delete one user's list and aggregate keys";
    const DEFAULT_SCHEDULE: Option<&'static str> = None;
    const DELETES: Option<Deletes> = Some(Deletes::Keys);
    const PARAMETER: Option<&'static str> = Some("the user id to invalidate (`--user ID`)");

    fn history_days(options: &InvalidateUserOptions) -> u32 {
        options.history_days
    }

    fn validate(&self, _options: &InvalidateUserOptions) -> Result<()> {
        Ok(())
    }

    async fn prepare(
        &self,
        _ctx: &CoreContext,
        _pool: &PgPool,
        _options: &InvalidateUserOptions,
    ) -> Result<()> {
        Ok(())
    }

    fn audit_target(&self, _options: &InvalidateUserOptions, parameter: Option<&str>) -> String {
        format!("user:{}:", parameter.unwrap_or(""))
    }

    fn affected(counts: &KeyCleanupCounts) -> u64 {
        counts.deleted
    }

    async fn run(
        &self,
        run: &JobRun<'_>,
        _prepared: &(),
    ) -> std::result::Result<RunReport<KeyCleanupCounts>, JobFailure<KeyCleanupCounts>> {
        let store = run.profile.store().await?;
        let user = run.parameter.unwrap_or_default();
        let done =
            kv_cleanup::invalidate_user(store.as_ref(), user, run.dry_run, run.progress).await?;
        kv_cleanup::finish_run(run, Self::NAME, done)
    }
}
