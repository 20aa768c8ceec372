//! The [`Job`] trait every job implements (its name, description, typed options with defaults and
//! validation, default schedule, what it deletes, its parameter, and its run returning typed
//! counts), and what a run is given ([`JobRun`]) and gives back ([`RunReport`], [`JobFailure`]).
//! Each job is one file under [`super::kinds`]; [`super::registry`] lists them.

use std::fmt::Debug;
use std::future::Future;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::postgres::PgPool;

use super::archive::StepHook;
use super::catalog::JobName;
use super::history::JobLease;
use crate::context::{CoreContext, ProfileHandle};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// What a destructive job deletes (named in the confirmation a real run by hand asks for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletes {
    /// Rows of a Postgres table.
    Rows,
    /// KV keys.
    Keys,
}

impl Deletes {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rows => "rows",
            Self::Keys => "keys",
        }
    }
}

/// One job: a unit type under [`super::kinds`], listed once in [`super::registry`].
pub trait Job: Send + Sync + 'static {
    /// The job's options as stored per job in Postgres: every field has a default, unknown
    /// fields are refused.
    type Options: Serialize + DeserializeOwned + Default + Clone + PartialEq + Debug + Send + Sync;
    /// What one run counts, recorded in the run history (camelCase names).
    type Counts: Serialize + DeserializeOwned + Clone + PartialEq + Debug + Send + Sync;
    /// The run's work found and checked before anything is recorded (e.g. tables and columns
    /// resolved in the live catalog).
    type Prepared: Send + Sync;

    /// The job's name (checked against its registry line when the registry is compiled).
    const NAME: JobName;
    /// What the job does, in one line for the Jobs table.
    const DESCRIPTION: &'static str;
    /// The default schedule (docs/domain.md, "Schedules"), or `None` for jobs run by hand only.
    const DEFAULT_SCHEDULE: Option<&'static str>;
    /// What the job deletes, if anything: a destructive job's real run asks for confirmation
    /// after a dry run, its schedule must be enabled, and its runs are audited.
    const DELETES: Option<Deletes> = None;
    /// The parameter each run needs, described for the error that asks for it (e.g. the user id
    /// of `invalidate-user`); a job with a parameter cannot be scheduled.
    const PARAMETER: Option<&'static str> = None;
    /// Whether a run may override a share limit (the sweep's circuit breaker).
    const HAS_SHARE_LIMIT: bool = false;

    /// The job's default options.
    fn defaults(&self) -> Self::Options {
        Self::Options::default()
    }

    /// Days of run history kept.
    fn history_days(options: &Self::Options) -> u32;

    /// Refuses values no run could use, naming the option at fault (history days are checked
    /// for every job by [`super::options::JobOptions::validate`]). Identifiers are checked for
    /// their form here, and found in the database by [`check_live`](Self::check_live).
    fn validate(&self, options: &Self::Options) -> Result<()>;

    /// Checks what the options name in the database against its live catalog.
    fn check_live(
        &self,
        _options: &Self::Options,
        _pool: &PgPool,
    ) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }

    /// Prepares a run: everything checked that can be before the run is recorded.
    fn prepare(
        &self,
        ctx: &CoreContext,
        pool: &PgPool,
        options: &Self::Options,
    ) -> impl Future<Output = Result<Self::Prepared>> + Send;

    /// What the audit log names as the target of a run.
    fn audit_target(&self, _options: &Self::Options, _parameter: Option<&str>) -> String {
        String::new()
    }

    /// The number the audit log records as affected (rows or keys deleted or archived).
    fn affected(_counts: &Self::Counts) -> u64 {
        0
    }

    /// Does the work: reports progress, stops when cancelled (through `run.progress`), and
    /// returns its counts, or fails with what it did before the failure.
    fn run(
        &self,
        run: &JobRun<'_>,
        prepared: &Self::Prepared,
    ) -> impl Future<Output = std::result::Result<RunReport<Self::Counts>, JobFailure<Self::Counts>>>
           + Send;
}

/// What a run is given besides its prepared work.
pub struct JobRun<'a> {
    pub ctx: &'a CoreContext,
    pub profile: &'a ProfileHandle,
    /// The profile's Postgres, where the run is recorded.
    pub pool: &'a PgPool,
    /// The moment the job runs for (archive cutoff, precompute as-of).
    pub now: DateTime<Utc>,
    pub dry_run: bool,
    /// The run's id in the run history.
    pub run_id: i64,
    /// The run's parameter (the user of `invalidate-user`).
    pub parameter: Option<&'a str>,
    /// Sweep: go on although a family's share to delete is over its limit.
    pub override_share_limit: bool,
    /// Progress reports and cancellation.
    pub progress: &'a Progress,
    /// Where a test may interrupt the archive or delete work.
    pub hook: Option<&'a StepHook>,
    /// The job's lock (none in a dry run), checked before each committed step.
    pub lease: Option<JobLease>,
}

/// What a finished run reports: its counts, a one-line summary and the detail as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport<C> {
    pub counts: C,
    pub summary: String,
    pub detail: serde_json::Value,
}

/// Why a run failed, with what it had done before when that is known.
#[derive(Debug)]
pub struct JobFailure<C> {
    pub error: Error,
    /// What it did before it failed (boxed: a failure is the rare, larger case).
    pub done: Option<Box<RunReport<C>>>,
}

impl<C> From<Error> for JobFailure<C> {
    fn from(error: Error) -> Self {
        Self { error, done: None }
    }
}

/// A serialisable value as a run's detail.
pub(crate) fn to_detail(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
