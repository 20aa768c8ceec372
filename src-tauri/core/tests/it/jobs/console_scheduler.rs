//! This console's scheduler (`jobs::console_scheduler`), the code the app and `cachescope daemon`
//! share, against real Postgres: the policy refuses a read-only profile and a profile without a
//! database, and lists the jobs a writable one would run as its database's settings say; the
//! lifecycle starts, stops (nothing fires afterwards) and restarts when the default profile
//! changes, through the profile events the app follows.

use std::time::Duration;

use cachescope_core::jobs::console_scheduler::{
    scheduling_policy, ConsoleScheduler, SchedulerReport,
};
use cachescope_core::jobs::{setting_changes, settings, JobName};
use cachescope_core::profiles::Profile;
use cachescope_core::{CoreContext, Error, ErrorCode};
use serde_json::json;
use sqlx::PgPool;

use super::{profile, set_options, setup};

const READ_ONLY: &str =
    "profile jobs is read-only; scheduled jobs would write, so none are scheduled";
const NO_DATABASE: &str =
    "profile plain has no Postgres database; jobs are scheduled only for a profile with one";

/// The test database migrated, a context whose profile `jobs` uses it (the default), and a
/// profile `plain` without a database.
async fn console(pool: &PgPool) -> (CoreContext, tempfile::TempDir) {
    let (ctx, dir) = setup(pool).await;
    cachescope_core::db::migrate(pool).await.unwrap();
    ctx.save_profile(profile("plain"), None, None)
        .await
        .unwrap();
    ctx.set_default_profile("jobs").await.unwrap();
    (ctx, dir)
}

/// Saves profile `jobs` again with `change` applied (as the app's profile form does).
async fn edit_jobs_profile(ctx: &CoreContext, change: impl FnOnce(&mut Profile)) {
    let mut jobs = ctx.profile(Some("jobs")).unwrap().into_settings();
    change(&mut jobs);
    ctx.save_profile(jobs, None, None).await.unwrap();
}

async fn scheduled_runs(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM cachescope.job_runs \
         WHERE job = 'storage-report' AND trigger = 'schedule'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Waits (at most 15 s) until the scheduler's report satisfies `done`, and returns it.
async fn report_when(
    scheduler: &ConsoleScheduler,
    what: &str,
    done: impl Fn(&SchedulerReport) -> bool,
) -> SchedulerReport {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let report = scheduler.report().await;
        if done(&report) {
            return report;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never {what}: {report:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn is_refusal(err: &Error, read_only: bool) -> bool {
    matches!(err, Error::SchedulingRefused { read_only: r, .. } if *r == read_only)
}

#[sqlx::test(migrations = false)]
async fn the_policy_refuses_read_only_and_databaseless_profiles_and_lists_a_writable_ones_jobs(
    pool: PgPool,
) {
    let (ctx, _dir) = console(&pool).await;

    // Writable with a database: allowed, with the jobs a fresh database schedules (the
    // destructive ones wait until someone enables them there).
    let plan = scheduling_policy(&ctx, None).await.unwrap();
    assert_eq!(plan.profile, "jobs");
    assert_eq!(
        plan.jobs,
        [
            JobName::Precompute,
            JobName::NightlyAnalytics,
            JobName::StorageReport
        ]
    );

    // The list follows the database's settings: a paused job and a job without a schedule
    // leave it, an enabled destructive job joins it.
    settings::set_paused(&pool, JobName::NightlyAnalytics, true)
        .await
        .unwrap();
    settings::set_schedule(&pool, JobName::StorageReport, None, "UTC")
        .await
        .unwrap();
    setting_changes::enable_job(&ctx, Some("jobs"), JobName::Archive, "archive")
        .await
        .unwrap();
    let plan = scheduling_policy(&ctx, Some("jobs")).await.unwrap();
    assert_eq!(plan.jobs, [JobName::Precompute, JobName::Archive]);

    // No database: refused, as an invalid choice of profile.
    let err = scheduling_policy(&ctx, Some("plain")).await.unwrap_err();
    assert!(is_refusal(&err, false), "{err:?}");
    assert_eq!(err.code(), ErrorCode::Invalid);
    assert_eq!(err.to_string(), NO_DATABASE);

    // Read-only, marked so or as a production profile not unlocked: refused as read-only.
    edit_jobs_profile(&ctx, |p| p.read_only = true).await;
    let err = scheduling_policy(&ctx, None).await.unwrap_err();
    assert!(is_refusal(&err, true), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ReadOnlyProfile);
    assert_eq!(err.to_string(), READ_ONLY);
    edit_jobs_profile(&ctx, |p| {
        p.read_only = false;
        p.production = true;
    })
    .await;
    let err = scheduling_policy(&ctx, None).await.unwrap_err();
    assert_eq!(err.to_string(), READ_ONLY);
    edit_jobs_profile(&ctx, |p| p.unlocked = true).await;
    assert_eq!(
        scheduling_policy(&ctx, None).await.unwrap().jobs,
        [JobName::Precompute, JobName::Archive]
    );

    // A profile that does not exist is its usual error.
    let err = scheduling_policy(&ctx, Some("nope")).await.unwrap_err();
    assert!(matches!(err, Error::ProfileNotFound(_)), "{err:?}");
}

#[sqlx::test(migrations = false)]
async fn the_console_scheduler_starts_stops_and_restarts_when_the_default_profile_changes(
    pool: PgPool,
) {
    let (ctx, _dir) = console(&pool).await;
    set_options(
        &pool,
        JobName::StorageReport,
        json!({ "schemas": ["cachescope"] }),
    )
    .await;
    let scheduler = ConsoleScheduler::new(&ctx);
    assert_eq!(scheduler.report().await.state, "off");

    // Start on the default profile: running, with the policy's jobs.
    let plan = scheduling_policy(&ctx, None).await.unwrap();
    let report = scheduler.follow_default_profile().await;
    assert_eq!(report.state, "running", "{report:?}");
    assert_eq!(report.profile.as_deref(), Some("jobs"));
    assert_eq!(report.status.unwrap().scheduled, plan.jobs);

    // Started again with a schedule every second (a start re-reads the schedules): it fires.
    settings::set_schedule(&pool, JobName::StorageReport, Some("* * * * * *"), "UTC")
        .await
        .unwrap();
    let status = scheduler.start(None).await.unwrap();
    assert!(
        status.scheduled.contains(&JobName::StorageReport),
        "{status:?}"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while scheduled_runs(&pool).await < 2 {
        assert!(tokio::time::Instant::now() < deadline, "never fired twice");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Stopped: off, and nothing fires any more (a run under way when it stopped may finish).
    scheduler.stop().await.unwrap();
    let report = scheduler.report().await;
    assert_eq!(report.state, "off");
    assert_eq!(report.reason.as_deref(), Some("stopped"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after_stop = scheduled_runs(&pool).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(scheduled_runs(&pool).await, after_stop);
    settings::set_schedule(&pool, JobName::StorageReport, Some("0 4 * * *"), "UTC")
        .await
        .unwrap();

    // A start the policy refuses (what `cachescope daemon` does on a read-only profile): off,
    // with the same reason as the error.
    edit_jobs_profile(&ctx, |p| p.read_only = true).await;
    let err = scheduler.start(Some("jobs")).await.unwrap_err();
    assert!(is_refusal(&err, true), "{err:?}");
    assert_eq!(err.to_string(), READ_ONLY);
    let report = scheduler.report().await;
    assert_eq!(
        (report.state.as_str(), report.reason.as_deref()),
        ("off", Some(READ_ONLY))
    );
    edit_jobs_profile(&ctx, |p| p.read_only = false).await;

    // Following the profile events, as the app does: each change of the default profile stops
    // or restarts the scheduler.
    let follower = tokio::spawn(scheduler.clone().follow_default_profile_changes());
    report_when(&scheduler, "running for jobs", |r| {
        r.state == "running" && r.profile.as_deref() == Some("jobs")
    })
    .await;
    edit_jobs_profile(&ctx, |p| p.read_only = true).await;
    report_when(&scheduler, "off as read-only", |r| {
        r.state == "off" && r.reason.as_deref() == Some(READ_ONLY)
    })
    .await;
    edit_jobs_profile(&ctx, |p| p.read_only = false).await;
    report_when(&scheduler, "running again", |r| r.state == "running").await;
    ctx.set_default_profile("plain").await.unwrap();
    let report = report_when(&scheduler, "off without a database", |r| r.state == "off").await;
    assert_eq!(report.profile.as_deref(), Some("plain"));
    assert_eq!(report.reason.as_deref(), Some(NO_DATABASE));
    ctx.set_default_profile("jobs").await.unwrap();
    let report = report_when(&scheduler, "running for jobs again", |r| {
        r.state == "running" && r.profile.as_deref() == Some("jobs")
    })
    .await;
    assert_eq!(report.status.unwrap().scheduled, plan.jobs);

    follower.abort();
    scheduler.stop().await.unwrap();
}
