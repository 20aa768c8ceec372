//! Runs one job: checks everything before anything runs (options, parameter, archive directory,
//! read-only profile, the typed confirmation of a destructive job's real run by hand, the
//! enabling of a destructive job's schedule), claims the run (a scheduled time is claimed once
//! across consoles), takes the job's lock, does the work with progress and cancellation, and
//! records the outcome in the run history, the audit log (destructive jobs, dry runs included:
//! the intent before the work, the outcome after) and an event.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::postgres::PgPool;

use super::archive::StepHook;
use super::catalog::JobName;
use super::counts::JobCounts;
use super::history::{self, JobLock, JobRunRecord, JobRunStatus, RunOutcome};
use super::job::{Job, JobFailure, JobRun, RunReport};
use super::settings;
use crate::audit::{AuditEntry, AuditOutcome, AuditTrail};
use crate::context::{CoreContext, ProfileHandle};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::progress::Progress;

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// By hand, from the app or the CLI.
    Manual,
    /// A scheduler serving the schedule's fire time.
    Schedule(DateTime<Utc>),
}

/// One run to do.
#[derive(Debug, Clone)]
pub struct JobRunRequest {
    pub job: JobName,
    pub dry_run: bool,
    /// The user of `invalidate-user`.
    pub user_id: Option<String>,
    pub trigger: Trigger,
    /// The moment the job runs for (archive cutoff, precompute as-of); default now.
    pub now: Option<DateTime<Utc>>,
    /// Sweep: go on although a family's share to delete is over `maxDeletePercent` (recorded
    /// in the audit).
    pub override_share_limit: bool,
    /// The job's name typed by the user: a destructive job's real run by hand is refused
    /// without it. Scheduled runs need none (enabling the job's schedule was confirmed).
    pub confirmation: Option<String>,
}

impl JobRunRequest {
    pub fn manual(job: JobName, dry_run: bool) -> Self {
        Self {
            job,
            dry_run,
            user_id: None,
            trigger: Trigger::Manual,
            now: None,
            override_share_limit: false,
            confirmation: None,
        }
    }

    /// The same request with the job's name typed as its confirmation.
    pub fn confirmed(self, confirmation: impl Into<String>) -> Self {
        Self {
            confirmation: Some(confirmation.into()),
            ..self
        }
    }
}

/// Whether a destructive job may run as asked: a real run by hand needs the job's name typed
/// exactly; a scheduled run needs the job enabled on this database (`Ok(false)`: not to run, not
/// an error, since a schedule disabled on another console is not this console's fault).
fn destructive_run_allowed(
    job: JobName,
    request: &JobRunRequest,
    job_settings: &settings::JobSettings,
) -> Result<bool> {
    let Some(deletes) = job.deletes().filter(|_| !request.dry_run) else {
        return Ok(true);
    };
    match request.trigger {
        Trigger::Schedule(_) => Ok(job_settings.enabled),
        Trigger::Manual if request.confirmation.as_deref() == Some(job.as_str()) => Ok(true),
        Trigger::Manual => Err(Error::invalid(
            "confirmation",
            format!(
                "type the job name {:?} exactly to run it for real (it deletes {}); \
                 nothing was done",
                job.as_str(),
                deletes.as_str()
            ),
        )),
    }
}

/// What jobs need a profile's Postgres for, as the "no database" error says it.
pub const JOBS_DATABASE_USE: &str =
    "where jobs keep their schedules and history, and whose data they read";

/// The profile's Postgres (migrated), which jobs keep their schedules and history in.
pub async fn jobs_database(profile: &ProfileHandle) -> Result<PgPool> {
    profile.database(JOBS_DATABASE_USE).await
}

/// Runs a job for a profile. Returns the recorded run, or `None` when a scheduled run was not
/// this console's to do (claimed elsewhere, or the job is paused). Problems found before the run
/// starts are errors and record nothing; failures during the run are recorded as a failed run.
pub async fn run_job(
    ctx: &CoreContext,
    profile: Option<&str>,
    request: &JobRunRequest,
    progress: &Progress,
    hook: Option<&StepHook>,
) -> Result<Option<JobRunRecord>> {
    let profile = ctx.profile(profile)?;
    let job = request.job;
    let pool = jobs_database(&profile).await?;
    let job_settings = settings::load(&pool, job).await?;
    job_settings.options.validate()?;
    match (&request.user_id, job.parameter()) {
        (None, Some(parameter)) => {
            return Err(Error::invalid(
                format!("job {job}"),
                format!("needs {parameter}"),
            ))
        }
        (Some(_), None) => {
            return Err(Error::invalid(format!("job {job}"), "takes no user id"));
        }
        _ => {}
    }
    if request.override_share_limit && !job.has_share_limit() {
        return Err(Error::invalid(
            format!("job {job}"),
            "has no share limit to override (only sweep has one)",
        ));
    }
    job_settings
        .options
        .run(RunStart {
            ctx,
            profile: &profile,
            pool: &pool,
            request,
            job_settings: &job_settings,
            progress,
            hook,
        })
        .await
}

/// What [`run_job`] hands the run of one kind of job, once the request is checked.
pub(super) struct RunStart<'a> {
    ctx: &'a CoreContext,
    profile: &'a ProfileHandle,
    pool: &'a PgPool,
    request: &'a JobRunRequest,
    job_settings: &'a settings::JobSettings,
    progress: &'a Progress,
    hook: Option<&'a StepHook>,
}

/// Runs `kind` with its `options` (the registry's dispatch from [`run_job`]): prepares the work,
/// claims and locks the run, does it, and records it; `wrap` tags its counts.
pub(super) async fn run_kind<K: Job>(
    kind: &K,
    options: &K::Options,
    wrap: fn(K::Counts) -> JobCounts,
    start: RunStart<'_>,
) -> Result<Option<JobRunRecord>> {
    let RunStart {
        ctx,
        profile,
        pool,
        request,
        job_settings,
        progress,
        hook,
    } = start;
    let job = request.job;
    // Tables and columns are found in the live catalog, and the archive directory checked,
    // before anything is recorded.
    let prepared = kind.prepare(ctx, pool, options).await?;
    if !request.dry_run {
        profile.refuse_if_read_only(format!("run job {job}"))?;
    }
    if !destructive_run_allowed(job, request, job_settings)? {
        return Ok(None);
    }

    let run_id = match request.trigger {
        Trigger::Schedule(at) => {
            match history::claim_scheduled(pool, job, at, &profile.name).await? {
                Some(id) => id,
                None => return Ok(None),
            }
        }
        Trigger::Manual => history::start_manual(pool, job, &profile.name, request.dry_run).await?,
    };
    let lock = if request.dry_run {
        None
    } else {
        match JobLock::try_acquire(pool, job).await? {
            Some(lock) => {
                history::abandon_stale(pool, job, run_id).await?;
                Some(lock)
            }
            None => {
                let outcome = RunOutcome {
                    summary: format!("not run: another run of {job} is in progress"),
                    ..RunOutcome::default()
                };
                history::finish(pool, run_id, JobRunStatus::Skipped, &outcome, None).await?;
                return history::get(pool, run_id).await.map(Some);
            }
        }
    };

    let run = JobRun {
        ctx,
        profile,
        pool,
        now: request.now.unwrap_or_else(Utc::now),
        dry_run: request.dry_run,
        run_id,
        parameter: request.user_id.as_deref(),
        override_share_limit: request.override_share_limit,
        progress,
        hook,
        lease: lock.as_ref().map(JobLock::lease),
    };
    // A destructive run's intent is on record before its work starts; one that cannot be
    // recorded does not start, and the run says why.
    let trail = AuditTrail::Shared(pool.clone());
    let target = kind.audit_target(options, request.user_id.as_deref());
    let mark = if job.is_destructive() {
        let intent = AuditEntry {
            dry_run: request.dry_run,
            ..AuditEntry::new(&profile.name, &format!("job:{job}"), &target)
        }
        .with_detail(json!({
            "run": run_id,
            "trigger": trigger_word(request.trigger),
            "overrideShareLimit": request.override_share_limit,
        }));
        Some(trail.begin(&intent).await)
    } else {
        None
    };
    let (mark, result) = match mark {
        Some(Err(e)) => (
            None,
            Err(JobFailure {
                error: Error::invalid(
                    "audit log",
                    format!("the run's intent was not recorded: {e}"),
                ),
                done: None,
            }),
        ),
        mark => (mark.and_then(Result::ok), kind.run(&run, &prepared).await),
    };
    if let Some(lock) = lock {
        lock.release().await;
    }
    let recorded = |report: RunReport<K::Counts>| RunOutcome {
        counts: Some(wrap(report.counts)),
        summary: report.summary,
        detail: report.detail,
    };
    let (status, outcome, error) = match result {
        Ok(report) => (JobRunStatus::Succeeded, recorded(report), None),
        Err(JobFailure {
            error: Error::Cancelled,
            done,
        }) => (
            JobRunStatus::Cancelled,
            RunOutcome {
                summary: "cancelled; the next run continues where this one stopped".to_owned(),
                ..done.map(|done| recorded(*done)).unwrap_or_default()
            },
            None,
        ),
        Err(JobFailure { error, done }) => {
            // What a failed run did before it failed stays counted (and audited).
            let done = done.map(|done| recorded(*done));
            let summary = match &done {
                Some(done) => format!("failed: {error}; {}", done.summary),
                None => format!("failed: {error}"),
            };
            (
                JobRunStatus::Failed,
                RunOutcome {
                    summary,
                    ..done.unwrap_or_default()
                },
                Some(error.to_string()),
            )
        }
    };
    // The audit outcome first: a run the history shows finished has its outcome audited too. A
    // failure to audit it is reported once the run is recorded finished.
    let audited = match mark {
        None => Ok(()),
        Some(mark) => {
            trail
                .finish(
                    mark,
                    &AuditOutcome::new(
                        match &error {
                            Some(e) => format!("failed: {e}"),
                            None => status.as_str().to_owned(),
                        },
                        outcome.counts.as_ref().map_or(0, JobCounts::affected),
                        json!({
                            "run": run_id,
                            "trigger": trigger_word(request.trigger),
                            "counts": outcome
                                .counts
                                .as_ref()
                                .map(JobCounts::to_stored)
                                .unwrap_or_default(),
                            "summary": outcome.summary,
                            "overrideShareLimit": request.override_share_limit,
                        }),
                    ),
                )
                .await
        }
    };
    history::finish(pool, run_id, status, &outcome, error.as_deref()).await?;
    audited?;
    history::prune(pool, job, i64::from(job_settings.options.history_days())).await?;
    let record = history::get(pool, run_id).await?;
    ctx.events().publish(Event::JobRunFinished {
        profile: profile.name.clone(),
        run: record.finished(),
    });
    Ok(Some(record))
}

fn trigger_word(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Manual => "manual",
        Trigger::Schedule(_) => "schedule",
    }
}
