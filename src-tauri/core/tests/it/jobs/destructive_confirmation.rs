//! Destructive jobs need a person's typed confirmation: their schedules start disabled on a
//! database until someone enables them there (typing the job's name), and a real run by hand
//! without the job's name typed exactly is refused by the core, whoever calls it.

use cachescope_core::jobs::scheduler::Scheduler;
use cachescope_core::jobs::{run_job, setting_changes, settings, JobName, JobRunRequest};
use cachescope_core::progress::Progress;
use cachescope_core::Error;
use chrono::{TimeZone, Utc};
use sqlx::PgPool;

use super::{count, ids_older_than, insert_events, now, setup};

async fn job_runs(pool: &PgPool, job: JobName) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM cachescope.job_runs WHERE job = $1")
        .bind(job.as_str())
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn archives(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM cachescope.archive_metadata")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn is_confirmation_error(err: &Error) -> bool {
    matches!(err, Error::Invalid { what, .. } if what == "confirmation")
}

#[sqlx::test(migrations = false)]
async fn destructive_schedules_start_disabled_and_run_only_once_enabled_by_typed_name(
    pool: PgPool,
) {
    let (ctx, _dir) = setup(&pool).await;

    // A database seen for the first time: every destructive job is disabled, the others not.
    for job in settings::load_all(&pool).await.unwrap() {
        assert_eq!(job.enabled, !job.name.is_destructive(), "{:?}", job.name);
    }
    let scheduler = Scheduler::start(&ctx, Some("jobs")).await.unwrap();
    let scheduled = scheduler.status().await.scheduled;
    for job in [
        JobName::Archive,
        JobName::DeleteArchived,
        JobName::PruneSnapshots,
    ] {
        assert!(!scheduled.contains(&job), "{job} scheduled: {scheduled:?}");
    }
    assert!(scheduled.contains(&JobName::StorageReport), "{scheduled:?}");

    // A fire of a disabled destructive job (a stale registration elsewhere) claims nothing.
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap();
    assert!(scheduler.fire(JobName::Archive, at).await.is_none());
    assert!(scheduler.fire(JobName::DeleteArchived, at).await.is_none());
    assert_eq!(job_runs(&pool, JobName::Archive).await, 0);
    assert_eq!(job_runs(&pool, JobName::DeleteArchived).await, 0);
    assert_eq!(archives(&pool).await, 0);

    // Enabling needs the job's name typed exactly; a near miss changes nothing.
    for typed in ["", "Archive", "archive ", "delete-archived"] {
        let err = setting_changes::enable_job(&ctx, Some("jobs"), JobName::Archive, typed)
            .await
            .unwrap_err();
        assert!(is_confirmation_error(&err), "{typed:?}: {err}");
    }
    assert!(
        !settings::load(&pool, JobName::Archive)
            .await
            .unwrap()
            .enabled
    );
    let err = setting_changes::enable_job(&ctx, Some("jobs"), JobName::Precompute, "precompute")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("needs no enabling"), "{err}");

    let enabled = setting_changes::enable_job(&ctx, Some("jobs"), JobName::Archive, "archive")
        .await
        .unwrap();
    assert!(enabled.enabled);
    scheduler.resync().await;
    assert!(scheduler
        .status()
        .await
        .scheduled
        .contains(&JobName::Archive));
    let run = scheduler
        .fire(JobName::Archive, at)
        .await
        .expect("an enabled job's scheduled run starts without a typed name");
    assert_eq!(
        (run.trigger.as_str(), run.dry_run),
        ("schedule", false),
        "{run:?}"
    );

    // Disabled again: no longer scheduled, and its next fire claims nothing.
    let disabled = setting_changes::disable_job(&ctx, Some("jobs"), JobName::Archive)
        .await
        .unwrap();
    assert!(!disabled.enabled);
    scheduler.resync().await;
    assert!(!scheduler
        .status()
        .await
        .scheduled
        .contains(&JobName::Archive));
    assert!(scheduler
        .fire(JobName::Archive, at + chrono::Duration::days(1))
        .await
        .is_none());
    assert_eq!(job_runs(&pool, JobName::Archive).await, 1);
    scheduler.shutdown().await.unwrap();

    // Enabling and disabling are in the database's shared audit log; the refusals changed
    // nothing, so they are not.
    let audit = ctx
        .profile(Some("jobs"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(50)
        .await
        .unwrap();
    let changes: Vec<(&str, &str, &str)> = audit
        .iter()
        .rev()
        .filter(|r| r.entry.action.starts_with("job-"))
        .map(|r| {
            (
                r.entry.action.as_str(),
                r.entry.target.as_str(),
                r.entry.outcome.as_str(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("job-enable", "archive", "done"),
            ("job-disable", "archive", "done")
        ]
    );
    let scheduled_run = audit
        .iter()
        .find(|r| r.entry.action == "job:archive")
        .unwrap();
    assert_eq!(scheduled_run.entry.detail["trigger"], "schedule");
    assert_eq!(scheduled_run.entry.outcome, "succeeded");
}

#[sqlx::test(migrations = false)]
async fn a_real_destructive_run_without_the_typed_job_name_is_refused_and_does_nothing(
    pool: PgPool,
) {
    let (ctx, _dir) = setup(&pool).await;
    insert_events(&pool, 2_000, 6, 0).await;
    let cutoff = now() - chrono::Duration::days(3);
    let old = ids_older_than(&pool, cutoff).await.len();
    assert!(old > 0);
    let request = JobRunRequest {
        now: Some(now()),
        ..JobRunRequest::manual(JobName::Archive, false)
    };

    for typed in [
        None,
        Some(""),
        Some("ARCHIVE"),
        Some("archive\n"),
        Some("sweep"),
    ] {
        let asked = JobRunRequest {
            confirmation: typed.map(str::to_owned),
            ..request.clone()
        };
        let err = run_job(&ctx, Some("jobs"), &asked, &Progress::none(), None)
            .await
            .unwrap_err();
        assert!(is_confirmation_error(&err), "{typed:?}: {err}");
        assert!(err.to_string().contains("\"archive\""), "{err}");
    }
    assert_eq!(
        job_runs(&pool, JobName::Archive).await,
        0,
        "nothing recorded"
    );
    assert_eq!(archives(&pool).await, 0, "nothing archived");

    // Dry runs need no confirmation; jobs that delete nothing neither.
    let dry = JobRunRequest {
        dry_run: true,
        ..request.clone()
    };
    run_job(&ctx, Some("jobs"), &dry, &Progress::none(), None)
        .await
        .unwrap()
        .unwrap();
    settings::set_options(
        &pool,
        JobName::StorageReport,
        serde_json::json!({ "schemas": ["cachescope"] }),
    )
    .await
    .unwrap();
    run_job(
        &ctx,
        Some("jobs"),
        &JobRunRequest::manual(JobName::StorageReport, false),
        &Progress::none(),
        None,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(archives(&pool).await, 0);

    // The job's name typed exactly: it runs.
    let done = run_job(
        &ctx,
        Some("jobs"),
        &request.clone().confirmed("archive"),
        &Progress::none(),
        None,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(count(&done, "rowsArchived"), old as u64, "{done:?}");
}
