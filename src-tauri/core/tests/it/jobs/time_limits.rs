//! Jobs under the profile's Postgres time limits (`db_limits`): a delete batch that waits for a
//! row lock held by another session, and an archive that waits for a table lock, fail with the
//! named timeout (the lock limit, or the batch's statement limit, whichever ends the wait first)
//! and write nothing: every row is still there, the archive's progress has not moved, no archive
//! is recorded; once the lock is gone the next run finishes with exact counts.

use cachescope_core::db_limits::DbLimits;
use cachescope_core::jobs::history::JobRunStatus;
use cachescope_core::jobs::{run_job, JobName, JobRunRequest};
use cachescope_core::profiles::Profile;
use cachescope_core::progress::Progress;
use cachescope_core::CoreContext;
use serde_json::json;
use sqlx::{Connection, PgConnection, PgPool};

use super::{count, ids_older_than, insert_events, now, run, set_options};
use crate::report_precompute::context_on;

/// A context whose profile `jobs` uses the test database with `limits`.
async fn setup_with(pool: &PgPool, limits: DbLimits) -> (CoreContext, tempfile::TempDir) {
    cachescope_core::db::migrate_source(pool).await.unwrap();
    context_on(pool, jobs_profile(limits), None).await
}

fn jobs_profile(limits: DbLimits) -> Profile {
    Profile {
        name: "jobs".to_owned(),
        db_limits: Some(limits),
        ..Profile::builtin_local()
    }
}

/// A session of its own on the test database, as another console or a DBA would hold.
async fn other_session(pool: &PgPool) -> PgConnection {
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    PgConnection::connect(&format!("postgres://postgres@127.0.0.1:5432/{db}"))
        .await
        .unwrap()
}

/// Runs `job` for real (its name typed) and returns the run's record, failed or not.
async fn try_run(ctx: &CoreContext, job: JobName) -> cachescope_core::jobs::history::JobRunRecord {
    let request = JobRunRequest {
        now: Some(now()),
        ..JobRunRequest::manual(job, false)
    }
    .confirmed(job.as_str());
    run_job(ctx, Some("jobs"), &request, &Progress::none(), None)
        .await
        .unwrap()
        .unwrap()
}

async fn rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sales.traffic_events")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn delete_progress(pool: &PgPool) -> (i64, i64, Vec<String>) {
    let (rows, lines): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(deleted_rows), 0)::bigint, coalesce(sum(deleted_lines), 0)::bigint \
         FROM cachescope.archive_metadata",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let statuses = sqlx::query_scalar("SELECT status FROM cachescope.archive_metadata ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    (rows, lines, statuses)
}

#[sqlx::test(migrations = false)]
async fn a_delete_batch_blocked_by_a_row_lock_fails_by_name_and_deletes_nothing(pool: PgPool) {
    let limits = DbLimits {
        lock_secs: 1,
        ..DbLimits::default()
    };
    let (ctx, _dir) = setup_with(&pool, limits).await;
    insert_events(&pool, 2_000, 6, 0).await;
    let old = ids_older_than(&pool, now() - chrono::Duration::days(3)).await;
    let archived = run(&ctx, JobName::Archive, false).await;
    assert_eq!(count(&archived, "rowsArchived"), old.len() as u64);
    set_options(
        &pool,
        JobName::DeleteArchived,
        json!({ "batchSize": 100, "maxBatches": 0 }),
    )
    .await;
    let total = rows(&pool).await;

    // Another session holds one archived row (of the first batch) locked, and keeps it.
    let first = *old.iter().min().unwrap();
    let mut holder = other_session(&pool).await;
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("SELECT 1 FROM sales.traffic_events WHERE id = $1 FOR UPDATE")
        .bind(first)
        .execute(&mut holder)
        .await
        .unwrap();

    let failed = try_run(&ctx, JobName::DeleteArchived).await;
    assert_eq!(failed.status, JobRunStatus::Failed, "{failed:?}");
    let error = failed.error.clone().unwrap();
    assert!(
        error.starts_with(
            "Postgres: delete batch 1 (archive 1) of sales.traffic_events waited 1 s for a lock \
             held by another session"
        ) && error.contains("lock_secs"),
        "{error}"
    );
    assert_eq!(rows(&pool).await, total, "no row deleted");
    assert_eq!(
        delete_progress(&pool).await,
        (0, 0, vec!["verified".to_owned()]),
        "the archive's progress did not move"
    );

    // The batch's own statement limit ends the same wait when it is the shorter one.
    let limits = DbLimits {
        delete_batch_secs: 1,
        lock_secs: 600,
        ..DbLimits::default()
    };
    let profile = Profile {
        db_limits: Some(limits),
        ..ctx.profile(Some("jobs")).unwrap().into_settings()
    };
    ctx.save_profile(profile, None, None).await.unwrap();
    let failed = try_run(&ctx, JobName::DeleteArchived).await;
    let error = failed.error.clone().unwrap();
    assert!(
        error.starts_with(
            "Postgres: delete batch 1 (archive 1) of sales.traffic_events ran past its time \
             limit of 1 s"
        ) && error.contains("delete_batch_secs"),
        "{error}"
    );
    assert_eq!(rows(&pool).await, total, "no row deleted");
    assert_eq!(delete_progress(&pool).await.0, 0);

    // The lock goes; the next run deletes exactly the archived rows.
    holder.close().await.unwrap();
    let deleted = run(&ctx, JobName::DeleteArchived, false).await;
    assert_eq!(deleted.status, JobRunStatus::Succeeded, "{deleted:?}");
    assert_eq!(count(&deleted, "rowsDeleted"), old.len() as u64);
    assert_eq!(rows(&pool).await, total - old.len() as i64);
    assert!(ids_older_than(&pool, now() - chrono::Duration::days(3))
        .await
        .is_empty());
}

#[sqlx::test(migrations = false)]
async fn an_archive_blocked_by_a_table_lock_fails_by_name_and_records_nothing(pool: PgPool) {
    let limits = DbLimits {
        lock_secs: 1,
        ..DbLimits::default()
    };
    let (ctx, _dir) = setup_with(&pool, limits).await;
    insert_events(&pool, 1_000, 6, 0).await;
    let old = ids_older_than(&pool, now() - chrono::Duration::days(3)).await;
    let total = rows(&pool).await;
    // Resolves the job's options (and migrates) before the table is locked.
    let dry = run(&ctx, JobName::Archive, true).await;
    assert_eq!(count(&dry, "rowsArchived"), old.len() as u64);

    let mut holder = other_session(&pool).await;
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("LOCK TABLE sales.traffic_events IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    let failed = try_run(&ctx, JobName::Archive).await;
    assert_eq!(failed.status, JobRunStatus::Failed, "{failed:?}");
    let error = failed.error.clone().unwrap();
    assert!(
        error.contains("sales.traffic_events waited 1 s for a lock held by another session")
            && error.contains("lock_secs"),
        "{error}"
    );
    holder.close().await.unwrap();

    assert_eq!(rows(&pool).await, total);
    let archives: i64 = sqlx::query_scalar("SELECT count(*) FROM cachescope.archive_metadata")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(archives, 0, "no archive recorded");
    let files = std::fs::read_dir(&ctx.dirs().archives)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(files, 0, "no archive file left");

    let rerun = run(&ctx, JobName::Archive, false).await;
    assert_eq!(count(&rerun, "rowsArchived"), old.len() as u64);
}
