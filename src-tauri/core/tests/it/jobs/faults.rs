//! Jobs when their servers fail under them: Postgres sessions terminated mid-archive and
//! mid-delete (the run fails naming Postgres, loses nothing, leaves no lock held, and the next run
//! finishes with exact counts), and a Cloudflare API (wiremock) answering 429, 500 or leaving keys
//! unprocessed mid-prune (the run fails naming the cause, reports no key it did not delete, and
//! the next run deletes exactly the keys left); and an archive's progress moved on under a
//! delete run (its next batch deletes nothing and the run stops).

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use cachescope_core::jobs::archive::{Step, StepHook};
use cachescope_core::jobs::counts::{DeleteArchivedCounts, KeyCleanupCounts};
use cachescope_core::jobs::history::{self, JobRunStatus};
use cachescope_core::jobs::{JobCounts, JobName};
use cachescope_core::profiles::{Profile, ProfileKind};
use futures::future::BoxFuture;
use serde_json::json;
use sqlx::{Connection, PgPool};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{
    aggregates, archived_ids, count, ids_older_than, insert_events, now, run, run_with,
    set_options, setup,
};
use crate::report_precompute::context_on;

async fn database_name(pool: &PgPool) -> String {
    sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Runs `work` on a connection of its own to database `db`, from a thread of its own (so a step
/// hook inside a job can call it), as another console would; closes the connection after.
fn on_own_connection<T: Send + 'static>(
    db: &str,
    work: impl FnOnce(&mut sqlx::PgConnection) -> BoxFuture<'_, T> + Send + 'static,
) -> T {
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                let done = work(&mut conn).await;
                conn.close().await.unwrap();
                done
            })
    })
    .join()
    .unwrap()
}

/// Terminates every other session of database `db` and waits until each has exited; returns how
/// many it ended. The job's pooled connections and the session holding its lock all go.
fn terminate_sessions(db: &str) -> i64 {
    on_own_connection(db, |conn| {
        Box::pin(async move {
            sqlx::query_scalar(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) \
                 FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid()",
            )
            .fetch_one(conn)
            .await
            .unwrap()
        })
    })
}

/// A hook that terminates the database's sessions once, at `step`, and records how many it ended.
fn terminate_at(step: Step, db: String, ended: Arc<AtomicI64>) -> StepHook {
    Arc::new(move |at| {
        if at == step {
            ended.store(terminate_sessions(&db), Ordering::SeqCst);
        }
        Ok(())
    })
}

/// Runs `sql` beside the job, on a connection of its own to database `db`.
fn execute_beside(db: &str, sql: &'static str) {
    on_own_connection(db, move |conn| {
        Box::pin(async move {
            sqlx::query(sql).execute(conn).await.unwrap();
        })
    });
}

/// Advisory locks held in this test's database (`pg_locks` spans the server's databases).
async fn advisory_locks(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn archive_progress(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT coalesce(sum(deleted_rows), 0)::bigint, coalesce(sum(deleted_lines), 0)::bigint \
         FROM cachescope.archive_metadata",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = false)]
async fn postgres_sessions_terminated_mid_archive_fail_the_run_and_the_rerun_archives_once(
    pool: PgPool,
) {
    let (ctx, _dir) = setup(&pool).await;
    insert_events(&pool, 3_000, 6, 0).await;
    let cutoff = now() - chrono::Duration::days(3);
    let old = ids_older_than(&pool, cutoff).await;
    set_options(&pool, JobName::Archive, json!({ "readChunk": 200 })).await;
    let db = database_name(&pool).await;

    // The file is written and verified; then every session goes, the lock's included.
    let ended = Arc::new(AtomicI64::new(0));
    let hook = terminate_at(Step::FileVerified, db, ended.clone());
    let failed = run_with(&ctx, JobName::Archive, false, Some(&hook)).await;
    assert!(
        ended.load(Ordering::SeqCst) >= 2,
        "the pool's and the lock's"
    );
    assert_eq!(failed.status, JobRunStatus::Failed, "{failed:?}");
    let error = failed.error.clone().unwrap();
    assert!(
        error.starts_with("Postgres: the connection holding the lock of job archive was lost"),
        "{error}"
    );
    assert_eq!(failed.counts, None, "nothing reported as archived");
    // The archive was not marked verified, so none of its rows may be deleted.
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM cachescope.archive_metadata ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(statuses, ["writing"]);
    assert!(archived_ids(&pool).await.is_empty());
    let dry = run(&ctx, JobName::DeleteArchived, true).await;
    assert_eq!(count(&dry, "rowsDeleted"), 0);
    assert_eq!(advisory_locks(&pool).await, 0, "no lock left held");

    let rerun = run(&ctx, JobName::Archive, false).await;
    assert_eq!(rerun.status, JobRunStatus::Succeeded, "{rerun:?}");
    assert_eq!(count(&rerun, "rowsArchived"), old.len() as u64);
    assert_eq!(rerun.detail["discardedUnfinished"], 1);
    let ids = archived_ids(&pool).await;
    assert_eq!(ids.len(), old.len(), "each row archived exactly once");
    assert_eq!(ids.into_iter().collect::<HashSet<_>>(), old);
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM cachescope.archive_metadata ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(statuses, ["verified"]);
    assert_eq!(
        history::get(&pool, failed.id).await.unwrap().status,
        JobRunStatus::Failed,
        "the failed run stays recorded as failed"
    );
}

/// Archives every row older than the 3-day retention (checking the count) and sets the delete
/// job to batches of 100 with no batch limit; returns the cutoff and the archived ids.
async fn archive_then_batches_of_100(
    ctx: &cachescope_core::CoreContext,
    pool: &PgPool,
) -> (chrono::DateTime<chrono::Utc>, HashSet<i64>) {
    let cutoff = now() - chrono::Duration::days(3);
    let old = ids_older_than(pool, cutoff).await;
    let archived = run(ctx, JobName::Archive, false).await;
    assert_eq!(count(&archived, "rowsArchived"), old.len() as u64);
    set_options(
        pool,
        JobName::DeleteArchived,
        json!({ "batchSize": 100, "maxBatches": 0 }),
    )
    .await;
    (cutoff, old)
}

#[sqlx::test(migrations = false)]
async fn postgres_sessions_terminated_mid_delete_fail_the_run_lose_nothing_and_free_the_lock(
    pool: PgPool,
) {
    let (ctx, _dir) = setup(&pool).await;
    insert_events(&pool, 4_000, 6, 0).await;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM sales.traffic_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    let aggregates_before = aggregates(&pool).await;
    let (cutoff, old) = archive_then_batches_of_100(&ctx, &pool).await;
    let db = database_name(&pool).await;

    // Batch 3 is committed; then every session of the database is terminated.
    let ended = Arc::new(AtomicI64::new(0));
    let hook = terminate_at(Step::BatchDeleted(3), db, ended.clone());
    let failed = run_with(&ctx, JobName::DeleteArchived, false, Some(&hook)).await;
    assert!(
        ended.load(Ordering::SeqCst) >= 2,
        "the pool's and the lock's"
    );
    assert_eq!(failed.status, JobRunStatus::Failed, "{failed:?}");
    let error = failed.error.clone().unwrap();
    assert!(
        error.starts_with(
            "Postgres: the connection holding the lock of job delete-archived was lost"
        ),
        "{error}"
    );
    assert!(
        failed.summary.starts_with("failed: Postgres:")
            && failed.summary.ends_with(
                "; deleted 300 archived rows of sales.traffic_events in 3 batches before that"
            ),
        "{}",
        failed.summary
    );
    assert_eq!(
        failed.counts,
        Some(JobCounts::DeleteArchived(DeleteArchivedCounts {
            rows_deleted: 300,
            batches: 3,
            archives_completed: 0,
            rows_remaining: None,
        })),
        "the 3 committed batches are counted, the rolled-back 4th is not"
    );
    let audit = ctx
        .profile(Some("jobs"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(10)
        .await
        .unwrap();
    let audited = audit
        .iter()
        .find(|r| r.entry.action == "job:delete-archived")
        .unwrap();
    assert_eq!(audited.entry.item_count, 300);
    assert!(audited.entry.outcome.starts_with("failed: Postgres:"));

    // Exactly the 3 committed batches are gone, each row covered by the verified archive, and
    // the archive's progress says exactly that (the 4th batch, begun without the lock, rolled back).
    let left = ids_older_than(&pool, cutoff).await;
    let gone: HashSet<i64> = old.difference(&left).copied().collect();
    assert_eq!(gone.len(), 300);
    let archived: HashSet<i64> = archived_ids(&pool).await.into_iter().collect();
    assert!(
        gone.is_subset(&archived),
        "no row deleted without an archive"
    );
    assert_eq!(archive_progress(&pool).await, (300, 300));
    assert_eq!(advisory_locks(&pool).await, 0, "no lock left held");

    // The next run starts (the lock is free) and deletes exactly the rest.
    let rerun = run(&ctx, JobName::DeleteArchived, false).await;
    assert_eq!(rerun.status, JobRunStatus::Succeeded, "{rerun:?}");
    assert_eq!(count(&rerun, "rowsDeleted"), old.len() as u64 - 300);
    assert_eq!(count(&rerun, "rowsRemaining"), 0);
    assert!(ids_older_than(&pool, cutoff).await.is_empty());
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM sales.traffic_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(after, total - old.len() as i64);
    assert_eq!(
        archive_progress(&pool).await,
        (old.len() as i64, old.len() as i64)
    );
    let status: String = sqlx::query_scalar("SELECT status FROM cachescope.archive_metadata")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "deleted");
    assert_eq!(aggregates(&pool).await, aggregates_before);
    assert_eq!(
        history::get(&pool, failed.id).await.unwrap().status,
        JobRunStatus::Failed
    );
}

#[sqlx::test(migrations = false)]
async fn an_archive_advanced_by_another_run_mid_delete_stops_the_run_before_its_next_batch_deletes(
    pool: PgPool,
) {
    let (ctx, _dir) = setup(&pool).await;
    insert_events(&pool, 3_000, 6, 0).await;
    let (cutoff, old) = archive_then_batches_of_100(&ctx, &pool).await;
    let db = database_name(&pool).await;

    // After batch 2, the archive's progress moves on under the run (as if another run, which
    // must not exist while this one holds the lock, had deleted the next 100 lines).
    let hook: StepHook = Arc::new(move |at| {
        if at == Step::BatchDeleted(2) {
            execute_beside(
                &db,
                "UPDATE cachescope.archive_metadata SET deleted_lines = deleted_lines + 100",
            );
        }
        Ok(())
    });
    let failed = run_with(&ctx, JobName::DeleteArchived, false, Some(&hook)).await;
    assert_eq!(failed.status, JobRunStatus::Failed, "{failed:?}");
    let error = failed.error.clone().unwrap();
    assert!(error.contains("was advanced by another run"), "{error}");
    assert_eq!(
        failed.counts,
        Some(JobCounts::DeleteArchived(DeleteArchivedCounts {
            rows_deleted: 200,
            batches: 2,
            archives_completed: 0,
            rows_remaining: None,
        }))
    );
    // Batch 3 deleted nothing: exactly the rows of the 2 committed batches are gone.
    let left = ids_older_than(&pool, cutoff).await;
    assert_eq!(old.len() - left.len(), 200);
    assert_eq!(archive_progress(&pool).await, (200, 300));

    // The batches' asynchronous commit was set for their transactions only: every connection
    // the job used is back to the server's default.
    let job_pool = ctx
        .profile(Some("jobs"))
        .unwrap()
        .existing_database()
        .await
        .unwrap()
        .unwrap();
    let mut held = Vec::new();
    for _ in 0..job_pool.size() {
        let mut conn = job_pool.acquire().await.unwrap();
        let setting: String = sqlx::query_scalar("SHOW synchronous_commit")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(setting, "on");
        held.push(conn);
    }
    assert!(!held.is_empty());
}

const ACCOUNT: &str = "acct";
const NAMESPACE: &str = "ns1";
const TOKEN: &str = "wiremock-jobs-token-7c1e";
const BASE: &str = "/client/v4/accounts/acct/storage/kv/namespaces/ns1";

fn envelope(result: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true, "errors": [], "messages": [], "result": result,
        "result_info": { "count": 0, "cursor": "" }
    }))
}

fn failure(status: u16, code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "success": false, "errors": [{ "code": code, "message": message }], "messages": [],
        "result": null
    }))
}

/// Serves a listing of `versions` of `snapshot:path-stats:v{n}`, the pointer
/// `snapshot:path-stats:latest` naming v12 (the newest, so it keeps nothing more), and answers
/// every bulk delete with `delete`, replacing what was mounted before.
async fn serve(server: &MockServer, versions: &[u32], delete: ResponseTemplate) {
    server.reset().await;
    let keys: Vec<serde_json::Value> = versions
        .iter()
        .map(
            |v| json!({ "name": format!("snapshot:path-stats:v{v}"), "expiration": 1_900_000_000 }),
        )
        .collect();
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(envelope(json!(keys)))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}{POINTER_VALUE}")))
        .respond_with(ResponseTemplate::new(200).set_body_string("12"))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}{POINTER_METADATA}")))
        .respond_with(envelope(json!(null)))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/bulk/delete")))
        .respond_with(delete)
        .mount(server)
        .await;
}

/// The requests the server received, as (method, path and query, JSON body of a bulk delete),
/// after the run's read of the pointer (its value and metadata), which must come first.
async fn requests(server: &MockServer) -> Vec<(String, String, Option<serde_json::Value>)> {
    let mut seen = received(server).await;
    let mut first: Vec<String> = seen.drain(..2).map(|(_, target, _)| target).collect();
    first.sort();
    assert_eq!(
        first,
        [POINTER_METADATA, POINTER_VALUE],
        "the pointer is read before anything else"
    );
    seen
}

async fn received(server: &MockServer) -> Vec<(String, String, Option<serde_json::Value>)> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let target = match r.url.query() {
                Some(q) => format!("{}?{q}", r.url.path()),
                None => r.url.path().to_owned(),
            };
            let body = (r.method.as_str() == "POST").then(|| r.body_json().unwrap());
            (
                r.method.to_string(),
                target.trim_start_matches(BASE).to_owned(),
                body,
            )
        })
        .collect()
}

fn bulk_deletes(seen: &[(String, String, Option<serde_json::Value>)]) -> Vec<serde_json::Value> {
    seen.iter()
        .filter(|(_, target, _)| target == "/bulk/delete")
        .map(|(_, _, body)| body.clone().unwrap())
        .collect()
}

const LIST: &str = "/keys?limit=1000&prefix=snapshot%3Apath-stats%3Av";
const POINTER_VALUE: &str = "/values/snapshot%3Apath-stats%3Alatest";
const POINTER_METADATA: &str = "/metadata/snapshot%3Apath-stats%3Alatest";

#[sqlx::test(migrations = false)]
async fn kv_429_and_5xx_mid_prune_fail_the_run_and_the_next_run_deletes_exactly_the_rest(
    pool: PgPool,
) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let server = MockServer::start().await;
    let profile = Profile {
        name: "jobs".to_owned(),
        kind: ProfileKind::Cloudflare,
        account_id: Some(ACCOUNT.to_owned()),
        namespace_id: Some(NAMESPACE.to_owned()),
        base_url: Some(format!("{}/client/v4", server.uri())),
        ..Profile::builtin_local()
    };
    let (ctx, _dir) = context_on(&pool, profile, Some(TOKEN)).await;
    let all: Vec<u32> = (1..=12).collect();
    let older: Vec<String> = (1..=7)
        .rev()
        .map(|v| format!("snapshot:path-stats:v{v}"))
        .collect();

    // 1. Rate limited on every attempt (Retry-After: 0, so the retries do not wait).
    serve(
        &server,
        &all,
        failure(
            429,
            971,
            "Please wait and consider throttling your request speed",
        )
        .insert_header("retry-after", "0"),
    )
    .await;
    let limited = run(&ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(limited.status, JobRunStatus::Failed, "{limited:?}");
    let error = limited.error.clone().unwrap();
    assert!(
        error.starts_with("Cloudflare rate limit: still throttled after 5 attempts"),
        "{error}"
    );
    assert_eq!(limited.counts, None, "no key reported as deleted");
    let seen = requests(&server).await;
    assert_eq!(seen[0], ("GET".to_owned(), LIST.to_owned(), None));
    assert_eq!(seen.len(), 6, "one listing, 5 attempts of one bulk delete");
    assert_eq!(bulk_deletes(&seen), vec![json!(older); 5]);

    // 2. The server keeps failing: 500 on every attempt.
    serve(&server, &all, failure(500, 10001, "internal error")).await;
    let unavailable = run(&ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(unavailable.status, JobRunStatus::Failed, "{unavailable:?}");
    let error = unavailable.error.clone().unwrap();
    assert_eq!(
        error,
        format!(
            "Cloudflare KV unavailable at {}{BASE}/bulk/delete: HTTP 500 Internal Server Error \
             after 5 attempts",
            server.uri()
        )
    );
    assert_eq!(unavailable.counts, None);
    assert_eq!(
        bulk_deletes(&requests(&server).await),
        vec![json!(older); 5]
    );

    // 3. The bulk delete goes through but the server leaves v3 unprocessed: the run fails and
    // says so; it counts the 6 keys deleted and not v3.
    serve(
        &server,
        &all,
        envelope(
            json!({ "successful_key_count": 6, "unsuccessful_keys": ["snapshot:path-stats:v3"] }),
        ),
    )
    .await;
    let incomplete = run(&ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(incomplete.status, JobRunStatus::Failed, "{incomplete:?}");
    assert_eq!(
        incomplete.error.as_deref(),
        Some(
            "job prune-snapshots: 1 of 7 keys were not processed by the server; run it again to \
             retry them"
        )
    );
    assert_eq!(
        incomplete.counts,
        Some(JobCounts::PruneSnapshots(KeyCleanupCounts {
            matched: 12,
            to_delete: 7,
            deleted: 6,
            failed: Some(1),
            kept_by_pointer: Some(0),
        })),
        "what it did delete is counted, v3 is not"
    );
    assert!(
        incomplete.summary.ends_with("; deleted 6 of 12 keys"),
        "{}",
        incomplete.summary
    );
    assert_eq!(bulk_deletes(&requests(&server).await), vec![json!(older)]);

    // 4. The server is healthy again and lists what is left: the run deletes exactly v3.
    serve(
        &server,
        &[3, 8, 9, 10, 11, 12],
        envelope(json!({ "successful_key_count": 1, "unsuccessful_keys": [] })),
    )
    .await;
    let done = run(&ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(done.status, JobRunStatus::Succeeded, "{done:?}");
    assert_eq!(
        (
            count(&done, "matched"),
            count(&done, "toDelete"),
            count(&done, "deleted")
        ),
        (6, 1, 1)
    );
    let seen = requests(&server).await;
    assert_eq!(
        seen,
        [
            ("GET".to_owned(), LIST.to_owned(), None),
            (
                "POST".to_owned(),
                "/bulk/delete".to_owned(),
                Some(json!(["snapshot:path-stats:v3"]))
            ),
        ]
    );

    // Each run is in the history and the audit log with what it really did.
    let runs = history::recent(&pool, Some(JobName::PruneSnapshots), 10)
        .await
        .unwrap();
    let statuses: Vec<JobRunStatus> = runs.iter().rev().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            JobRunStatus::Failed,
            JobRunStatus::Failed,
            JobRunStatus::Failed,
            JobRunStatus::Succeeded
        ]
    );
    let audit = ctx
        .profile(Some("jobs"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(10)
        .await
        .unwrap();
    let audited: Vec<(u64, bool)> = audit
        .iter()
        .rev()
        .filter(|r| r.entry.action == "job:prune-snapshots")
        .map(|r| (r.entry.item_count, r.entry.outcome.starts_with("failed")))
        .collect();
    assert_eq!(
        audited,
        [(0, true), (0, true), (6, true), (1, false)],
        "each run audits the keys it deleted, failed runs included"
    );
}
