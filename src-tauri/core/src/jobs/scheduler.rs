//! The scheduler the desktop app and `cachescope daemon` start for one profile: a
//! tokio-cron-scheduler job per scheduled, unpaused and enabled job (a destructive job runs on
//! its schedule only once someone enabled it on the database), in its own time zone, re-read from
//! Postgres every [`RESYNC_INTERVAL`] so a schedule changed or paused on another console takes
//! effect here too. Each fire claims its scheduled time in Postgres, so however many consoles run
//! a scheduler for the same database, each scheduled time runs once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use tokio_cron_scheduler::{Job, JobScheduler};
use uuid::Uuid;

use super::catalog::JobName;
use super::history::{self, JobRunStatus, RunOutcome};
use super::runner::{jobs_database, run_job, JobRunRequest, Trigger, JOBS_DATABASE_USE};
use super::settings;
use crate::context::CoreContext;
use crate::error::{Error, Result};

/// How often schedules are re-read from Postgres.
pub const RESYNC_INTERVAL: Duration = Duration::from_secs(30);

/// What the scheduler is doing, for the Jobs screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerStatus {
    pub profile: String,
    /// Jobs with a live schedule in this scheduler.
    pub scheduled: Vec<JobName>,
    /// The last problem reading schedules (e.g. Postgres unreachable); cleared on success.
    pub last_error: Option<String>,
}

struct Shared {
    ctx: CoreContext,
    profile: String,
    cron: JobScheduler,
    /// Job -> (tokio-cron-scheduler id, "schedule|time zone" it was registered with).
    registered: tokio::sync::Mutex<HashMap<JobName, (Uuid, String)>>,
    last_error: Mutex<Option<String>>,
}

/// A running scheduler; [`Scheduler::shutdown`] stops it.
#[derive(Clone)]
pub struct Scheduler {
    shared: Arc<Shared>,
}

/// The "schedule|time zone" a job is registered with, or `None` when it has no live schedule
/// (none set, paused, not enabled on the database, or a job that needs a parameter).
pub fn live_schedule(job_settings: &settings::JobSettings) -> Option<String> {
    let off = job_settings.paused || !job_settings.enabled || job_settings.name.needs_parameter();
    match (&job_settings.schedule, off) {
        (Some(schedule), false) => Some(format!("{schedule}|{}", job_settings.time_zone)),
        _ => None,
    }
}

fn scheduler_error(e: tokio_cron_scheduler::JobSchedulerError) -> Error {
    Error::invalid("job scheduler", e.to_string())
}

impl Scheduler {
    /// Starts scheduling `profile`'s jobs. Fails only when the profile has no Postgres; an
    /// unreachable database is retried at every resync and shown in [`Scheduler::status`].
    pub async fn start(ctx: &CoreContext, profile: Option<&str>) -> Result<Self> {
        let profile = ctx.profile(profile)?;
        // Only that it names one: an unreachable database is retried at every resync.
        profile.source_database(JOBS_DATABASE_USE).await?;
        let profile = profile.into_settings().name;
        let cron = JobScheduler::new().await.map_err(scheduler_error)?;
        let shared = Arc::new(Shared {
            ctx: ctx.clone(),
            profile,
            cron: cron.clone(),
            registered: tokio::sync::Mutex::new(HashMap::new()),
            last_error: Mutex::new(None),
        });
        let scheduler = Self { shared };
        scheduler.resync().await;
        let weak = Arc::downgrade(&scheduler.shared);
        cron.add(
            Job::new_repeated_async(RESYNC_INTERVAL, move |_, _| {
                let weak = weak.clone();
                Box::pin(async move {
                    if let Some(shared) = weak.upgrade() {
                        Scheduler { shared }.resync().await;
                    }
                })
            })
            .map_err(scheduler_error)?,
        )
        .await
        .map_err(scheduler_error)?;
        cron.start().await.map_err(scheduler_error)?;
        Ok(scheduler)
    }

    /// The profile, the jobs scheduled and the last problem.
    pub async fn status(&self) -> SchedulerStatus {
        let mut scheduled: Vec<JobName> = self
            .shared
            .registered
            .lock()
            .await
            .keys()
            .copied()
            .collect();
        scheduled.sort_by_key(|job| JobName::ALL.iter().position(|j| j == job));
        SchedulerStatus {
            profile: self.shared.profile.clone(),
            scheduled,
            last_error: self.shared.last_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    /// Re-reads every job's settings and (re)registers what changed.
    pub async fn resync(&self) {
        let outcome = self.try_resync().await;
        if let Err(e) = &outcome {
            tracing::warn!(profile = %self.shared.profile, "job schedules not refreshed: {e}");
        }
        if let Ok(mut last) = self.shared.last_error.lock() {
            *last = outcome.err().map(|e| e.to_string());
        }
    }

    async fn try_resync(&self) -> Result<()> {
        let pool = jobs_database(&self.shared.ctx.profile(Some(&self.shared.profile))?).await?;
        let all = settings::load_all(&pool).await?;
        let mut registered = self.shared.registered.lock().await;
        for job_settings in all {
            let job = job_settings.name;
            let wanted = live_schedule(&job_settings);
            let current = registered.get(&job).map(|(_, key)| key.clone());
            if current == wanted {
                continue;
            }
            if let Some((id, _)) = registered.remove(&job) {
                self.shared
                    .cron
                    .remove(&id)
                    .await
                    .map_err(scheduler_error)?;
            }
            let Some(wanted) = wanted else { continue };
            let Some((schedule, tz)) = job_settings.parsed_schedule()? else {
                continue;
            };
            let weak: Weak<Shared> = Arc::downgrade(&self.shared);
            let cron_job = Job::new_async_tz(schedule.with_seconds(), tz, move |_, _| {
                let weak = weak.clone();
                let schedule = schedule.clone();
                Box::pin(async move {
                    let Some(shared) = weak.upgrade() else { return };
                    // The fire time served: the latest scheduled time at or before now.
                    let at = schedule
                        .latest_at_or_before(Utc::now(), tz)
                        .unwrap_or_else(Utc::now);
                    Scheduler { shared }.fire(job, at).await;
                })
            })
            .map_err(|e| Error::invalid(format!("schedule of job {job}"), e.to_string()))?;
            let id = self
                .shared
                .cron
                .add(cron_job)
                .await
                .map_err(scheduler_error)?;
            registered.insert(job, (id, wanted));
        }
        Ok(())
    }

    /// Serves one fire time of `job`: runs it if this console claims it. A scheduled run that
    /// cannot start (bad options, read-only profile, ...) is recorded as failed, once.
    pub async fn fire(
        &self,
        job: JobName,
        at: chrono::DateTime<Utc>,
    ) -> Option<history::JobRunRecord> {
        let ctx = &self.shared.ctx;
        let profile = self.shared.profile.as_str();
        let operation = ctx.start_operation(&format!("job:{job}"));
        let progress = operation
            .as_ref()
            .map(|op| op.progress.clone())
            .unwrap_or_default();
        let request = JobRunRequest {
            trigger: Trigger::Schedule(at),
            ..JobRunRequest::manual(job, false)
        };
        match run_job(ctx, Some(profile), &request, &progress, None).await {
            Ok(record) => record,
            Err(e) => {
                tracing::warn!(%job, "scheduled run did not start: {e}");
                self.record_refusal(job, at, &e).await
            }
        }
    }

    async fn record_refusal(
        &self,
        job: JobName,
        at: chrono::DateTime<Utc>,
        error: &Error,
    ) -> Option<history::JobRunRecord> {
        let profile = self.shared.ctx.profile(Some(&self.shared.profile)).ok()?;
        let pool = jobs_database(&profile).await.ok()?;
        let id = history::claim_scheduled(&pool, job, at, &self.shared.profile)
            .await
            .ok()??;
        let outcome = RunOutcome {
            summary: format!("did not start: {error}"),
            ..RunOutcome::default()
        };
        history::finish(
            &pool,
            id,
            JobRunStatus::Failed,
            &outcome,
            Some(&error.to_string()),
        )
        .await
        .ok()?;
        let record = history::get(&pool, id).await.ok()?;
        self.shared
            .ctx
            .events()
            .publish(crate::events::Event::JobRunFinished {
                profile: self.shared.profile.clone(),
                run: record.finished(),
            });
        Some(record)
    }

    /// Stops scheduling; runs in progress finish (or are cancelled through their operation).
    pub async fn shutdown(&self) -> Result<()> {
        let mut cron = self.shared.cron.clone();
        cron.shutdown().await.map_err(scheduler_error)
    }
}
