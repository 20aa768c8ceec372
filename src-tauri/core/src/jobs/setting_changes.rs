//! Changes to a job's settings made from a console or the CLI: schedule, pause, options, and
//! enabling or disabling a destructive job's schedule. Each is checked and stored by
//! [`settings`], and audited in the profile's database (its intent first, so a change that
//! cannot be recorded is not made; then how it ended). A change to the schedule, the options or
//! the pause of a job that writes reports is first played by the quota planner
//! ([`super::quota_plan`]) with the settings it would leave: one that would go over the
//! profile's KV plan is refused ([`Error::OverPlan`]) unless overridden ([`PlanCheck`]), and the
//! audit entry records the plan's figures and any override.

use chrono::Utc;
use serde_json::json;

use super::catalog::JobName;
use super::options::JobOptions;
use super::quota_plan;
use super::runner::jobs_database;
use super::settings::{self, JobSettings};
use crate::audit::AuditEntry;
use crate::context::CoreContext;
use crate::error::{Error, Result};

/// Whether a change that would take the report-writing jobs over the profile's KV plan may go
/// ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanCheck {
    /// Refuse it with [`Error::OverPlan`], naming the reports and the figures.
    #[default]
    Enforce,
    /// Make it all the same; the audit entry records the override with the figures.
    Override,
}

/// What a change would set on the job's settings (played before it is made).
type Proposal<'a> = &'a (dyn Fn(&mut JobSettings) -> Result<()> + Sync);

async fn audited(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    action: &str,
    detail: serde_json::Value,
    change: impl AsyncFnOnce(&sqlx::PgPool) -> Result<JobSettings>,
) -> Result<JobSettings> {
    audited_within_plan(ctx, profile, job, action, detail, None, change).await
}

/// [`audited`], first playing the settings `proposed` leaves (a job that writes reports only)
/// against the profile's plan.
async fn audited_within_plan(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    action: &str,
    mut detail: serde_json::Value,
    proposed: Option<(PlanCheck, Proposal<'_>)>,
    change: impl AsyncFnOnce(&sqlx::PgPool) -> Result<JobSettings>,
) -> Result<JobSettings> {
    let profile = ctx.profile(profile)?;
    let pool = jobs_database(&profile).await?;
    if let Some((check, propose)) = proposed.filter(|_| quota_plan::writes_reports(job)) {
        let mut all = settings::load_all(&pool).await?;
        for settings in all.iter_mut().filter(|s| s.name == job) {
            propose(settings)?;
        }
        let plan = quota_plan::plan_for_settings(ctx, &profile, &pool, &all, Utc::now()).await?;
        let mut summary = quota_plan::audit_summary(&plan);
        if plan.over_plan() {
            if check == PlanCheck::Enforce {
                return Err(Error::OverPlan {
                    job: job.to_string(),
                    profile: profile.name.clone(),
                    details: quota_plan::over_plan_details(&plan),
                });
            }
            summary["overridden"] = json!(true);
        }
        detail["quotaPlan"] = summary;
    }
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

/// Pauses or resumes a job's schedule; resuming a job that writes reports is refused when it
/// would go over the profile's KV plan ([`set_paused_with`] can override).
pub async fn set_paused(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    paused: bool,
) -> Result<JobSettings> {
    set_paused_with(ctx, profile, job, paused, PlanCheck::Enforce).await
}

/// [`set_paused`] with an explicit [`PlanCheck`] (pausing is never refused).
pub async fn set_paused_with(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    paused: bool,
    plan: PlanCheck,
) -> Result<JobSettings> {
    let action = if paused { "job-pause" } else { "job-resume" };
    let propose = |s: &mut JobSettings| {
        s.paused = paused;
        Ok(())
    };
    let proposed = (!paused).then_some((plan, &propose as Proposal<'_>));
    audited_within_plan(
        ctx,
        profile,
        job,
        action,
        json!({}),
        proposed,
        async |pool| settings::set_paused(pool, job, paused).await,
    )
    .await
}

/// Sets (or, with `None`, removes) a job's schedule and its time zone; refused for a job that
/// writes reports when the new schedule would go over the profile's KV plan
/// ([`set_schedule_with`] can override).
pub async fn set_schedule(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    schedule: Option<&str>,
    time_zone: &str,
) -> Result<JobSettings> {
    set_schedule_with(ctx, profile, job, schedule, time_zone, PlanCheck::Enforce).await
}

/// [`set_schedule`] with an explicit [`PlanCheck`].
pub async fn set_schedule_with(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    schedule: Option<&str>,
    time_zone: &str,
    plan: PlanCheck,
) -> Result<JobSettings> {
    let detail = json!({ "schedule": schedule, "timeZone": time_zone });
    let propose = |s: &mut JobSettings| {
        s.schedule = schedule.map(str::to_owned);
        s.time_zone = time_zone.to_owned();
        s.parsed_schedule().map(|_| ())
    };
    audited_within_plan(
        ctx,
        profile,
        job,
        "job-schedule",
        detail,
        Some((plan, &propose)),
        async |pool| settings::set_schedule(pool, job, schedule, time_zone).await,
    )
    .await
}

/// Replaces a job's options (checked by [`settings::set_options`]); refused for a job that
/// writes reports when its new report selection would go over the profile's KV plan
/// ([`set_options_with`] can override).
pub async fn set_options(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    options: serde_json::Value,
) -> Result<JobSettings> {
    set_options_with(ctx, profile, job, options, PlanCheck::Enforce).await
}

/// [`set_options`] with an explicit [`PlanCheck`].
pub async fn set_options_with(
    ctx: &CoreContext,
    profile: Option<&str>,
    job: JobName,
    options: serde_json::Value,
    plan: PlanCheck,
) -> Result<JobSettings> {
    let detail = json!({ "options": options });
    let proposed_options = options.clone();
    let propose = |s: &mut JobSettings| {
        s.options = JobOptions::from_json(job, proposed_options.clone())?;
        s.options.validate()
    };
    audited_within_plan(
        ctx,
        profile,
        job,
        "job-options",
        detail,
        Some((plan, &propose)),
        async |pool| settings::set_options(pool, job, options).await,
    )
    .await
}
