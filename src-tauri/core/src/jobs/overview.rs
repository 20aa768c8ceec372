//! The Jobs table: each job with its schedule in plain words, next run, last run and any run in
//! progress, read from the shared settings and history.

use chrono::Utc;
use serde::Serialize;

use super::catalog::JobName;
use super::history::{self, JobRunRecord};
use super::options::JobOptions;
use super::runner::jobs_database;
use super::settings;
use crate::context::CoreContext;
use crate::error::Result;

/// One row of the Jobs table.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub name: JobName,
    pub description: String,
    /// Deletes rows or keys: a real run asks for confirmation after a dry run.
    pub destructive: bool,
    /// Needs a user id for each run (so runs by hand only).
    pub needs_parameter: bool,
    pub schedule: Option<String>,
    /// The schedule in plain words, with its time zone.
    pub schedule_description: Option<String>,
    pub time_zone: String,
    pub paused: bool,
    /// Whether the schedule may run on this database (a destructive job starts disabled until
    /// someone enables it with a typed confirmation; other jobs are always enabled).
    pub enabled: bool,
    /// The next scheduled time (none when paused, disabled or unscheduled).
    pub next_run: Option<String>,
    /// The newest real run.
    pub last_run: Option<JobRunRecord>,
    /// A run in progress on any console.
    pub running: Option<JobRunRecord>,
    pub options: JobOptions,
    pub updated_by: String,
}

/// Every job of the profile's database.
pub async fn list_jobs(ctx: &CoreContext, profile: Option<&str>) -> Result<Vec<JobView>> {
    let profile = ctx.profile(profile)?;
    let pool = jobs_database(&profile).await?;
    let all = settings::load_all(&pool).await?;
    let mut last = history::last_runs(&pool).await?;
    let running = history::running(&pool).await?;
    let now = Utc::now();
    let mut views = Vec::new();
    for job in all {
        let parsed = job.parsed_schedule()?;
        views.push(JobView {
            name: job.name,
            description: job.name.description().to_owned(),
            destructive: job.name.is_destructive(),
            needs_parameter: job.name.needs_parameter(),
            schedule_description: parsed
                .as_ref()
                .map(|(s, tz)| format!("{} ({tz})", s.describe().trim_end_matches('.'))),
            next_run: parsed
                .as_ref()
                .filter(|_| !job.paused && job.enabled)
                .and_then(|(s, tz)| s.next_after(now, *tz))
                .map(|t| t.to_rfc3339()),
            last_run: last.remove(&job.name),
            running: running.iter().find(|r| r.job == job.name).cloned(),
            schedule: job.schedule,
            time_zone: job.time_zone,
            paused: job.paused,
            enabled: job.enabled,
            options: job.options,
            updated_by: job.updated_by,
        });
    }
    Ok(views)
}

/// The newest `limit` runs of `job` (of every job when `None`) of the profile's database, newest
/// first.
pub async fn job_history(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: Option<JobName>,
    limit: i64,
) -> Result<Vec<JobRunRecord>> {
    let pool = jobs_database(&ctx.profile(profile)?).await?;
    history::recent(&pool, job, limit).await
}

/// The settings of `job` (its schedule and options) of the profile's database.
pub async fn job_settings(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
) -> Result<settings::JobSettings> {
    let pool = jobs_database(&ctx.profile(profile)?).await?;
    settings::load(&pool, job).await
}
