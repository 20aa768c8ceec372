//! Changes to a job's settings made from a console or the CLI: schedule, pause, options, and
//! enabling or disabling a destructive job's schedule. Each is checked and stored by
//! [`settings`], and audited in the profile's database (its intent first, so a change that
//! cannot be recorded is not made; then how it ended).

use serde_json::json;

use super::catalog::JobName;
use super::runner::jobs_database;
use super::settings::{self, JobSettings};
use crate::audit::AuditEntry;
use crate::context::CoreContext;
use crate::error::Result;

async fn audited(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    action: &str,
    detail: serde_json::Value,
    change: impl AsyncFnOnce(&sqlx::PgPool) -> Result<JobSettings>,
) -> Result<JobSettings> {
    let profile = ctx.profile(profile)?;
    let pool = jobs_database(&profile).await?;
    let trail = profile.audit_trail().await?;
    let entry = AuditEntry::new(&profile.name, action, job.as_str()).with_detail(detail);
    trail.around(&entry, change(&pool)).await
}

/// Enables a destructive job's schedule on the profile's database; `confirmation` must be the
/// job's name, typed exactly.
pub async fn enable_job(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    confirmation: &str,
) -> Result<JobSettings> {
    // Refused before anything is recorded: a wrong confirmation changes nothing.
    if !job.is_destructive() || confirmation != job.as_str() {
        let pool = jobs_database(&ctx.profile(profile)?).await?;
        return settings::set_enabled(&pool, job, true, Some(confirmation)).await;
    }
    audited(ctx, profile, job, "job-enable", json!({}), async |pool| {
        settings::set_enabled(pool, job, true, Some(confirmation)).await
    })
    .await
}

/// Disables a destructive job's schedule on the profile's database (no confirmation needed:
/// it makes things safer).
pub async fn disable_job(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
) -> Result<JobSettings> {
    audited(ctx, profile, job, "job-disable", json!({}), async |pool| {
        settings::set_enabled(pool, job, false, None).await
    })
    .await
}

/// Enables (with `confirmation`, the job's name as typed; none counts as nothing typed) or
/// disables a job's schedule on the profile's database: [`enable_job`] or [`disable_job`].
pub async fn set_enabled(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    enabled: bool,
    confirmation: Option<&str>,
) -> Result<JobSettings> {
    match enabled {
        true => enable_job(ctx, profile, job, confirmation.unwrap_or_default()).await,
        false => disable_job(ctx, profile, job).await,
    }
}

/// Pauses or resumes a job's schedule.
pub async fn set_paused(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    paused: bool,
) -> Result<JobSettings> {
    let action = if paused { "job-pause" } else { "job-resume" };
    audited(ctx, profile, job, action, json!({}), async |pool| {
        settings::set_paused(pool, job, paused).await
    })
    .await
}

/// Sets (or, with `None`, removes) a job's schedule and its time zone.
pub async fn set_schedule(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    schedule: Option<&str>,
    time_zone: &str,
) -> Result<JobSettings> {
    let detail = json!({ "schedule": schedule, "timeZone": time_zone });
    audited(ctx, profile, job, "job-schedule", detail, async |pool| {
        settings::set_schedule(pool, job, schedule, time_zone).await
    })
    .await
}

/// Replaces a job's options (checked by [`settings::set_options`]).
pub async fn set_options(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    options: serde_json::Value,
) -> Result<JobSettings> {
    let detail = json!({ "options": options });
    audited(ctx, profile, job, "job-options", detail, async |pool| {
        settings::set_options(pool, job, options).await
    })
    .await
}
