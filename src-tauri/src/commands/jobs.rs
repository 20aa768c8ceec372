//! Commands of the Jobs screen: the jobs table, a run by hand (dry run or real, cancellable),
//! enabling a destructive job's schedule, pause, schedule and options, the run history, and the
//! state of this console's scheduler (the audit log is in `audit.rs`).

use cachescope_core::jobs::console_scheduler::{ConsoleScheduler, SchedulerReport};
use cachescope_core::jobs::history::JobRunRecord;
use cachescope_core::jobs::overview::{self, JobView};
use cachescope_core::jobs::quota_plan::{self, QuotaPlan};
use cachescope_core::jobs::setting_changes;
use cachescope_core::jobs::settings::JobSettings;
use cachescope_core::jobs::{run_job as run, JobName, JobRunRequest};
use cachescope_core::{CoreContext, Error};
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
    let typed = confirmation.as_deref();
    Ok(setting_changes::set_enabled(&ctx, Some(&profile), job, enabled, typed).await?)
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
    Ok(overview::job_history(&ctx, Some(&profile), job, limit).await?)
}

/// The report-writing jobs' daily KV writes and lists against the profile's plan.
#[tauri::command]
pub async fn quota_plan(ctx: State<'_, CoreContext>, profile: String) -> IpcResult<QuotaPlan> {
    Ok(quota_plan::quota_plan(&ctx, Some(&profile)).await?)
}

/// The state of this console's scheduler.
#[tauri::command]
pub async fn scheduler_status(
    scheduler: State<'_, ConsoleScheduler>,
) -> IpcResult<SchedulerReport> {
    Ok(scheduler.report().await)
}
