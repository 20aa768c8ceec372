//! Commands of the Jobs screen: the jobs table, a run by hand (dry run or real, cancellable),
//! enabling a destructive job's schedule, pause, schedule and options, the run history, the audit log and its CSV, and the state of
//! this console's scheduler.

use cachescope_core::audit::{AuditRecord, AuditTrail};
use cachescope_core::jobs::history::{self, JobRunRecord};
use cachescope_core::jobs::overview::{self, JobView};
use cachescope_core::jobs::runner::jobs_database;
use cachescope_core::jobs::scheduler::{Scheduler, SchedulerStatus};
use cachescope_core::jobs::setting_changes;
use cachescope_core::jobs::settings::JobSettings;
use cachescope_core::jobs::{run_job as run, JobName, JobRunRequest};
use cachescope_core::{CoreContext, Error};
use serde::Serialize;
use tauri::State;

use crate::ipc_error::IpcResult;

/// Every job of the profile's database, for the Jobs table.
#[tauri::command]
pub async fn list_jobs(ctx: State<'_, CoreContext>, profile: String) -> IpcResult<Vec<JobView>> {
    Ok(overview::list_jobs(&ctx, Some(&profile)).await?)
}

/// Runs a job by hand (a dry run, or for real), as a cancellable operation. A destructive job's
/// real run needs `confirmation`, the job's name as the user typed it (the core checks it).
#[tauri::command]
// Each argument is one named field of the UI's call (`RunJobArgs`); Tauri passes them flat.
#[allow(clippy::too_many_arguments)]
pub async fn run_job(
    ctx: State<'_, CoreContext>,
    profile: String,
    job: JobName,
    dry_run: bool,
    user_id: Option<String>,
    override_share_limit: bool,
    confirmation: Option<String>,
    operation_id: String,
) -> IpcResult<JobRunRecord> {
    let operation = ctx.start_operation(&operation_id)?;
    let request = JobRunRequest {
        user_id,
        override_share_limit,
        confirmation,
        ..JobRunRequest::manual(job, dry_run)
    };
    let record = run(&ctx, Some(&profile), &request, &operation.progress, None).await?;
    // Only a scheduled run can be someone else's to do; a run by hand always starts.
    Ok(record.ok_or_else(|| Error::invalid(format!("job {job}"), "the run was not started"))?)
}

/// Pauses or resumes a job's schedule (audited).
#[tauri::command]
pub async fn set_job_paused(
    ctx: State<'_, CoreContext>,
    profile: String,
    job: JobName,
    paused: bool,
) -> IpcResult<JobSettings> {
    Ok(setting_changes::set_paused(&ctx, Some(&profile), job, paused).await?)
}

/// Enables (with `confirmation`, the job's name as typed) or disables a destructive job's
/// schedule on the profile's database (audited).
#[tauri::command]
pub async fn set_job_enabled(
    ctx: State<'_, CoreContext>,
    profile: String,
    job: JobName,
    enabled: bool,
    confirmation: Option<String>,
) -> IpcResult<JobSettings> {
    Ok(match enabled {
        true => {
            setting_changes::enable_job(
                &ctx,
                Some(&profile),
                job,
                confirmation.as_deref().unwrap_or_default(),
            )
            .await?
        }
        false => setting_changes::disable_job(&ctx, Some(&profile), job).await?,
    })
}

/// Sets a job's cron schedule (none: by hand only) and IANA time zone (audited).
#[tauri::command]
pub async fn set_job_schedule(
    ctx: State<'_, CoreContext>,
    profile: String,
    job: JobName,
    schedule: Option<String>,
    time_zone: String,
) -> IpcResult<JobSettings> {
    Ok(
        setting_changes::set_schedule(&ctx, Some(&profile), job, schedule.as_deref(), &time_zone)
            .await?,
    )
}

/// Replaces a job's options (checked by the core; missing fields take their defaults; audited).
#[tauri::command]
pub async fn set_job_options(
    ctx: State<'_, CoreContext>,
    profile: String,
    job: JobName,
    options: serde_json::Value,
) -> IpcResult<JobSettings> {
    Ok(setting_changes::set_options(&ctx, Some(&profile), job, options).await?)
}

/// The newest runs of one job (or of all), newest first.
#[tauri::command]
pub async fn job_history(
    ctx: State<'_, CoreContext>,
    profile: String,
    job: Option<JobName>,
    limit: i64,
) -> IpcResult<Vec<JobRunRecord>> {
    let pool = jobs_database(&ctx, &profile).await?;
    Ok(history::recent(&pool, job, limit).await?)
}

/// One entry of the local audit log, as the UI receives it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub os_user: String,
    pub host: String,
    pub profile: String,
    pub action: String,
    pub target: String,
    #[ts(type = "number")]
    pub item_count: u64,
    pub dry_run: bool,
    pub outcome: String,
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
}

impl From<AuditRecord> for AuditRow {
    fn from(record: AuditRecord) -> Self {
        let entry = record.entry;
        Self {
            id: record.id,
            at: record.at,
            os_user: record.os_user,
            host: record.host,
            profile: entry.profile,
            action: entry.action,
            target: entry.target,
            item_count: entry.item_count,
            dry_run: entry.dry_run,
            outcome: entry.outcome,
            detail: entry.detail,
        }
    }
}

/// The audit log of `profile`: its database's shared log when it names one, else this
/// machine's (also when `profile` is none).
async fn audit_trail(
    ctx: &CoreContext,
    profile: Option<String>,
) -> cachescope_core::Result<AuditTrail> {
    match profile {
        Some(profile) => ctx.audit_trail(&profile).await,
        None => Ok(AuditTrail::Local(ctx.audit().clone())),
    }
}

/// The newest entries of the audit log, newest first.
#[tauri::command]
pub async fn audit_log(
    ctx: State<'_, CoreContext>,
    profile: Option<String>,
    limit: u32,
) -> IpcResult<Vec<AuditRow>> {
    let records = audit_trail(&ctx, profile).await?.recent(limit).await?;
    Ok(records.into_iter().map(AuditRow::from).collect())
}

/// The newest entries of the audit log as CSV text (the UI saves it as a file).
#[tauri::command]
pub async fn export_audit_csv(
    ctx: State<'_, CoreContext>,
    profile: Option<String>,
    limit: u32,
) -> IpcResult<String> {
    let records = audit_trail(&ctx, profile).await?.recent(limit).await?;
    Ok(cachescope_core::audit::to_csv(&records)?)
}

/// This console's scheduler: started at launch for the default profile when it can be.
pub enum SchedulerSlot {
    /// Being started (the profile's database is being reached).
    Starting {
        profile: String,
    },
    Running(Scheduler),
    /// Not running, and why.
    Off {
        profile: Option<String>,
        reason: String,
    },
}

/// The managed scheduler state.
pub struct SchedulerState(pub tokio::sync::Mutex<SchedulerSlot>);

/// Whether this console schedules jobs, for which profile, and why not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerReport {
    /// `starting`, `running` or `off`.
    pub state: String,
    pub profile: Option<String>,
    /// Why the scheduler is off.
    pub reason: Option<String>,
    /// The running scheduler's jobs and last problem.
    pub status: Option<SchedulerStatus>,
}

/// The state of this console's scheduler.
#[tauri::command]
pub async fn scheduler_status(state: State<'_, SchedulerState>) -> IpcResult<SchedulerReport> {
    let slot = state.0.lock().await;
    Ok(match &*slot {
        SchedulerSlot::Starting { profile } => SchedulerReport {
            state: "starting".to_owned(),
            profile: Some(profile.clone()),
            reason: None,
            status: None,
        },
        SchedulerSlot::Running(scheduler) => {
            let status = scheduler.status().await;
            SchedulerReport {
                state: "running".to_owned(),
                profile: Some(status.profile.clone()),
                reason: None,
                status: Some(status),
            }
        }
        SchedulerSlot::Off { profile, reason } => SchedulerReport {
            state: "off".to_owned(),
            profile: profile.clone(),
            reason: Some(reason.clone()),
            status: None,
        },
    })
}

/// Decides whether the default profile can be scheduled here: it needs a Postgres database and
/// must accept writes. Returns the profile and, when it cannot, why.
pub fn scheduler_plan(ctx: &CoreContext) -> (Option<String>, Option<String>) {
    let profile = match ctx.profile(None) {
        Ok(profile) => profile,
        Err(e) => return (None, Some(format!("no default profile ({e})"))),
    };
    let name = profile.name.clone();
    let reason = if profile.postgres_url.is_none() {
        Some(format!(
            "profile {name} has no Postgres database; jobs are scheduled only for a profile with one"
        ))
    } else if profile.is_read_only() {
        Some(format!(
            "profile {name} is read-only; scheduled jobs would write, so none are scheduled"
        ))
    } else {
        None
    };
    (Some(name), reason)
}

/// Starts the scheduler of the default profile in the background and records how it went.
pub fn start_scheduler(app: &tauri::AppHandle, ctx: CoreContext) {
    use tauri::Manager as _;
    let (profile, reason) = scheduler_plan(&ctx);
    let initial = match (&profile, reason) {
        (Some(profile), None) => SchedulerSlot::Starting {
            profile: profile.clone(),
        },
        (profile, Some(reason)) => SchedulerSlot::Off {
            profile: profile.clone(),
            reason,
        },
        (None, None) => SchedulerSlot::Off {
            profile: None,
            reason: "no default profile".to_owned(),
        },
    };
    let starting = matches!(initial, SchedulerSlot::Starting { .. });
    if let SchedulerSlot::Off { reason, .. } = &initial {
        tracing::info!("job scheduler not started: {reason}");
    }
    app.manage(SchedulerState(tokio::sync::Mutex::new(initial)));
    if !starting {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<SchedulerState>();
        let started = Scheduler::start(&ctx, profile.as_deref()).await;
        let mut slot = state.0.lock().await;
        *slot = match started {
            Ok(scheduler) => {
                tracing::info!(profile = ?profile, "job scheduler started");
                SchedulerSlot::Running(scheduler)
            }
            Err(e) => {
                tracing::warn!(error = %e, "job scheduler not started");
                SchedulerSlot::Off {
                    profile,
                    reason: e.to_string(),
                }
            }
        };
    });
}

/// The desktop notification's title and body for a finished run, when it deserves one: a
/// scheduled run that failed (the user may not be looking at the app).
pub fn failure_notice(profile: &str, run: &JobRunRecord) -> Option<(String, String)> {
    use cachescope_core::jobs::history::JobRunStatus;
    if run.trigger != "schedule" || run.status != JobRunStatus::Failed {
        return None;
    }
    let reason = run.error.clone().unwrap_or_else(|| run.summary.clone());
    Some((
        format!("Scheduled job {} failed", run.job),
        format!("Profile {profile}, run #{}: {reason}", run.id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cachescope_core::jobs::history::JobRunStatus;

    fn record(trigger: &str, status: JobRunStatus) -> JobRunRecord {
        JobRunRecord {
            id: 7,
            job: JobName::Archive,
            scheduled_for: None,
            trigger: trigger.to_owned(),
            profile: "dev".to_owned(),
            os_user: "me".to_owned(),
            host: "box".to_owned(),
            dry_run: false,
            started_at: "2026-01-01T02:00:00+00:00".to_owned(),
            finished_at: None,
            duration_ms: None,
            status,
            counts: serde_json::json!({}),
            summary: "failed: disk full".to_owned(),
            detail: serde_json::Value::Null,
            error: Some("disk full".to_owned()),
        }
    }

    #[test]
    fn only_failed_scheduled_runs_are_notified() {
        let (title, body) =
            failure_notice("dev", &record("schedule", JobRunStatus::Failed)).unwrap();
        assert_eq!(title, "Scheduled job archive failed");
        assert_eq!(body, "Profile dev, run #7: disk full");
        assert!(failure_notice("dev", &record("manual", JobRunStatus::Failed)).is_none());
        assert!(failure_notice("dev", &record("schedule", JobRunStatus::Succeeded)).is_none());
    }
}
