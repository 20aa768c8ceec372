//! Jobs against real Postgres and the KV simulator: archive and delete move exactly the old rows
//! (never an aggregate), an interruption at every step followed by a rerun loses and duplicates
//! nothing, two schedulers on one database run each scheduled time once, bad input is refused
//! before anything runs, read-only profiles refuse, and the KV cleanups delete exactly their keys.
//! [`faults`] holds the jobs under failing servers (Postgres sessions terminated, KV 429/5xx);
//! [`console_scheduler`] the scheduler the app and the daemon share (policy and lifecycle);
//! [`snapshot_pointer`] prune-snapshots under the snapshot family's `latest` pointer.

use std::collections::HashSet;
use std::io::BufRead as _;
use std::sync::Arc;

use cachescope_core::jobs::archive::Step;
use cachescope_core::jobs::history::{self, JobRunStatus};
use cachescope_core::jobs::scheduler::Scheduler;
use cachescope_core::jobs::{run_job, settings, JobCounts, JobName, JobRunRequest};
use cachescope_core::kv::{Entry, Expiry, KvStore, PutOptions};
use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::progress::Progress;
use cachescope_core::{CoreContext, Error};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::report_precompute::context_on;

mod console_scheduler;
mod destructive_confirmation;
mod faults;
mod hostile_options;
mod snapshot_pointer;
mod time_limits;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

fn profile(name: &str) -> Profile {
    Profile {
        name: name.to_owned(),
        ..Profile::builtin_local()
    }
}

/// A context whose profile `jobs` uses the test database and a local namespace.
async fn setup(pool: &PgPool) -> (CoreContext, tempfile::TempDir) {
    cachescope_core::db::migrate_source(pool).await.unwrap();
    // As the profile handle's database is: the console's tables are there.
    cachescope_core::db::migrate(pool).await.unwrap();
    context_on(pool, profile("jobs"), None).await
}

/// Traffic events over the `days` before [`now`] (see the testkit's `insert_traffic_events`).
async fn insert_events(pool: &PgPool, n: i64, days: i64, salt: i64) {
    cachescope_testkit::traffic::insert_traffic_events(pool, now(), n, days, salt).await;
}

async fn ids_older_than(pool: &PgPool, cutoff: DateTime<Utc>) -> HashSet<i64> {
    sqlx::query_scalar::<_, i64>("SELECT id FROM sales.traffic_events WHERE occurred_at < $1")
        .bind(cutoff)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

async fn aggregates(pool: &PgPool) -> Vec<(DateTime<Utc>, String, i64)> {
    sqlx::query_as("SELECT hour, path, requests FROM sales.path_stats_hourly ORDER BY 1, 2")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Every id in every verified-or-deleted archive file, with duplicates kept.
async fn archived_ids(pool: &PgPool) -> Vec<i64> {
    let files: Vec<String> = sqlx::query_scalar(
        "SELECT file FROM cachescope.archive_metadata WHERE status <> 'writing' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for file in files {
        let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            std::fs::File::open(&file).unwrap(),
        ));
        for line in reader.lines() {
            let row: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            ids.push(row["id"].as_i64().unwrap());
        }
    }
    ids
}

async fn set_options(pool: &PgPool, job: JobName, options: serde_json::Value) {
    settings::set_options(pool, job, options).await.unwrap();
}

async fn run(ctx: &CoreContext, job: JobName, dry_run: bool) -> history::JobRunRecord {
    run_with(ctx, job, dry_run, None).await
}

async fn run_with(
    ctx: &CoreContext,
    job: JobName,
    dry_run: bool,
    hook: Option<&cachescope_core::jobs::archive::StepHook>,
) -> history::JobRunRecord {
    // A real run of a destructive job needs its name typed; the tests type it.
    let request = JobRunRequest {
        now: Some(now()),
        ..JobRunRequest::manual(job, dry_run)
    }
    .confirmed(job.as_str());
    run_job(ctx, Some("jobs"), &request, &Progress::none(), hook)
        .await
        .unwrap()
        .unwrap()
}

/// A count of a run by its recorded name (e.g. `rowsArchived`).
fn count(record: &history::JobRunRecord, name: &str) -> u64 {
    record
        .counts
        .as_ref()
        .map(JobCounts::to_stored)
        .and_then(|counts| counts.get(name).and_then(serde_json::Value::as_u64))
        .unwrap_or_else(|| panic!("no count {name} in {record:?}"))
}

#[sqlx::test(migrations = false)]
async fn archive_then_delete_moves_exactly_the_old_rows_and_never_an_aggregate(pool: PgPool) {
    let (ctx, dir) = setup(&pool).await;
    insert_events(&pool, 6_000, 6, 0).await;
    let cutoff = now() - chrono::Duration::days(3);
    let old = ids_older_than(&pool, cutoff).await;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM sales.traffic_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        old.len() > 2_000 && (old.len() as i64) < total,
        "{} of {total}",
        old.len()
    );
    let aggregates_before = aggregates(&pool).await;
    set_options(&pool, JobName::Archive, json!({ "readChunk": 700 })).await;

    let dry = run(&ctx, JobName::Archive, true).await;
    assert_eq!(dry.status, JobRunStatus::Succeeded, "{dry:?}");
    assert_eq!(count(&dry, "rowsArchived"), old.len() as u64);
    assert!(dry.summary.starts_with("would archive"), "{}", dry.summary);

    let archived = run(&ctx, JobName::Archive, false).await;
    assert_eq!(archived.status, JobRunStatus::Succeeded, "{archived:?}");
    assert_eq!(count(&archived, "rowsArchived"), old.len() as u64);
    let file = archived.detail["file"].as_str().unwrap().to_owned();
    assert!(
        file.starts_with(dir.path().to_str().unwrap()),
        "default directory: {file}"
    );
    let ids = archived_ids(&pool).await;
    assert_eq!(ids.len(), old.len());
    assert_eq!(ids.iter().copied().collect::<HashSet<_>>(), old);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "lines in id order");
    let (rows, checksum): (i64, String) = sqlx::query_as(
        "SELECT row_count, checksum FROM cachescope.archive_metadata WHERE status = 'verified'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let (file_rows, file_checksum) =
        cachescope_core::jobs::archive::verify_file(std::path::Path::new(&file)).unwrap();
    assert_eq!((rows as u64, checksum), (file_rows, file_checksum));

    // Nothing new to archive: a second run writes no file.
    let again = run(&ctx, JobName::Archive, false).await;
    assert_eq!(count(&again, "rowsArchived"), 0);
    assert_eq!(archived_ids(&pool).await.len(), old.len());

    // Delete in batches of 500, at most 3 batches a run.
    set_options(
        &pool,
        JobName::DeleteArchived,
        json!({ "batchSize": 500, "maxBatches": 3 }),
    )
    .await;
    let dry = run(&ctx, JobName::DeleteArchived, true).await;
    assert_eq!(
        (count(&dry, "rowsDeleted"), count(&dry, "batches")),
        (1_500, 3)
    );
    assert_eq!(
        ids_older_than(&pool, cutoff).await.len(),
        old.len(),
        "a dry run deletes nothing"
    );
    let first = run(&ctx, JobName::DeleteArchived, false).await;
    assert_eq!(
        (count(&first, "rowsDeleted"), count(&first, "batches")),
        (1_500, 3)
    );
    assert_eq!(count(&first, "rowsRemaining"), old.len() as u64 - 1_500);
    let mut deleted = 1_500;
    while deleted < old.len() as u64 {
        let next = run(&ctx, JobName::DeleteArchived, false).await;
        assert_eq!(next.status, JobRunStatus::Succeeded, "{next:?}");
        assert!(count(&next, "rowsDeleted") > 0);
        deleted += count(&next, "rowsDeleted");
    }
    assert_eq!(deleted, old.len() as u64, "every archived row deleted once");
    assert!(ids_older_than(&pool, cutoff).await.is_empty());
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sales.traffic_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        left,
        total - old.len() as i64,
        "rows inside the retention are kept"
    );
    assert_eq!(
        aggregates(&pool).await,
        aggregates_before,
        "aggregates are never touched"
    );
    let (status, deleted_rows): (String, i64) =
        sqlx::query_as("SELECT status, deleted_rows FROM cachescope.archive_metadata")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), deleted_rows),
        ("deleted", old.len() as i64)
    );

    // Every destructive run is audited, dry runs included, in the database's shared log.
    let audit = ctx
        .profile(Some("jobs"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(100)
        .await
        .unwrap();
    let archive_audits = audit
        .iter()
        .filter(|r| r.entry.action == "job:archive")
        .count();
    assert_eq!(archive_audits, 3);
    assert!(audit
        .iter()
        .any(|r| r.entry.action == "job:delete-archived" && r.entry.dry_run));
    assert!(audit
        .iter()
        .all(|r| !r.os_user.is_empty() && !r.host.is_empty()));
}

/// A delete batch whose ids are consecutive is deleted as one id range: it must take exactly the
/// archived rows, not a row with an old time that arrived after the archive was written, even
/// when its id falls between a batch's first and last.
#[sqlx::test(migrations = false)]
async fn batches_of_consecutive_ids_delete_exactly_the_archived_rows(pool: PgPool) {
    let (ctx, _dir) = setup(&pool).await;
    let insert = |ids: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(&format!(
                "INSERT INTO sales.traffic_events (id, occurred_at, path, method, status, latency_ms) \
                 OVERRIDING SYSTEM VALUE \
                 SELECT i, $1 - interval '5 days', '/api/p', 'GET', 200, 1 FROM {ids}"
            ))
            .bind(now())
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    // Ids 1..=3000 five days old, but for 1,500.
    insert("generate_series(1, 3000) AS s(i) WHERE i <> 1500").await;
    let archived = run(&ctx, JobName::Archive, false).await;
    assert_eq!(count(&archived, "rowsArchived"), 2_999, "{archived:?}");
    let expected: Vec<i64> = (1..=3000).filter(|&i| i != 1500).collect();
    assert_eq!(archived_ids(&pool).await, expected);
    // 1,500 arrives late, five days old, after the archive was written: in no file.
    insert("(VALUES (1500)) AS v(i)").await;

    // Batches 1..=1000 and 2002..=3000 are consecutive; 1001..=2001 skips 1,500.
    set_options(&pool, JobName::DeleteArchived, json!({ "batchSize": 1000 })).await;
    let deleted = run(&ctx, JobName::DeleteArchived, false).await;
    assert_eq!(
        (count(&deleted, "rowsDeleted"), count(&deleted, "batches")),
        (2_999, 3),
        "{deleted:?}"
    );
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM sales.traffic_events ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, vec![1500]);
}

#[sqlx::test(migrations = false)]
async fn an_interruption_at_every_step_then_a_rerun_loses_and_duplicates_nothing(pool: PgPool) {
    let (ctx, _dir) = setup(&pool).await;
    set_options(&pool, JobName::Archive, json!({ "readChunk": 300 })).await;
    let cutoff = now() - chrono::Duration::days(3);
    let steps = [
        Step::ArchiveClaimed,
        Step::FileWritten,
        Step::FileSynced,
        Step::FileVerified,
    ];
    for (round, step) in steps.into_iter().enumerate() {
        insert_events(&pool, 1_000, 6, round as i64 * 13).await;
        let hook: cachescope_core::jobs::archive::StepHook = Arc::new(move |at| {
            if at == step {
                Err(Error::invalid("test", format!("interrupted at {at:?}")))
            } else {
                Ok(())
            }
        });
        let interrupted = run_with(&ctx, JobName::Archive, false, Some(&hook)).await;
        assert_eq!(interrupted.status, JobRunStatus::Failed, "{step:?}");
        assert!(interrupted.error.unwrap().contains("interrupted"));
        // Nothing is eligible for deletion after an interrupted archive.
        let delete = run(&ctx, JobName::DeleteArchived, true).await;
        let before_rerun_archived = archived_ids(&pool).await.len() as u64;
        assert!(count(&delete, "rowsDeleted") <= before_rerun_archived);

        let rerun = run(&ctx, JobName::Archive, false).await;
        assert_eq!(rerun.status, JobRunStatus::Succeeded, "{rerun:?}");
        let ids = archived_ids(&pool).await;
        let unique: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "no row archived twice (after {step:?})"
        );
        assert_eq!(
            unique,
            ids_older_than(&pool, cutoff).await,
            "every old row archived"
        );
    }
    let writing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cachescope.archive_metadata WHERE status = 'writing'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(writing, 0, "unfinished archives are discarded by the rerun");

    // Deleting: interrupt after batch 2 of a run, rerun until done; counts stay exact.
    let old = ids_older_than(&pool, cutoff).await;
    set_options(
        &pool,
        JobName::DeleteArchived,
        json!({ "batchSize": 250, "maxBatches": 0 }),
    )
    .await;
    let hook: cachescope_core::jobs::archive::StepHook = Arc::new(|at| match at {
        Step::BatchDeleted(2) => Err(Error::invalid("test", "interrupted after batch 2")),
        _ => Ok(()),
    });
    let interrupted = run_with(&ctx, JobName::DeleteArchived, false, Some(&hook)).await;
    assert_eq!(interrupted.status, JobRunStatus::Failed);
    let recorded = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT sum(deleted_rows)::bigint FROM cachescope.archive_metadata",
        )
        .fetch_one(&pool)
        .await
        .unwrap() as usize
    };
    // Two batches were committed (up to 500 rows: the first archive may end sooner), and the
    // archives' progress says exactly that many.
    let gone = old.len() - ids_older_than(&pool, cutoff).await.len();
    assert!(gone > 250 && gone <= 500, "{gone}");
    assert_eq!(recorded().await, gone);
    let rerun = run(&ctx, JobName::DeleteArchived, false).await;
    assert_eq!(rerun.status, JobRunStatus::Succeeded, "{rerun:?}");
    assert_eq!(count(&rerun, "rowsDeleted") as usize, old.len() - gone);
    assert!(ids_older_than(&pool, cutoff).await.is_empty());
    assert_eq!(recorded().await, old.len());
}

#[sqlx::test(migrations = false)]
async fn two_schedulers_on_one_database_run_each_scheduled_time_once(pool: PgPool) {
    let (ctx_a, _a) = setup(&pool).await;
    let (ctx_b, _b) = context_on(&pool, profile("jobs"), None).await;
    set_options(
        &pool,
        JobName::StorageReport,
        json!({ "schemas": ["cachescope"] }),
    )
    .await;

    // Many fires of one scheduled time, from both consoles at once: one run.
    let a = Scheduler::start(&ctx_a, Some("jobs")).await.unwrap();
    let b = Scheduler::start(&ctx_b, Some("jobs")).await.unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 4, 0, 0).unwrap();
    let fires = (0..8).map(|i| {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move { s.fire(JobName::StorageReport, at).await }
    });
    let runs = futures::future::join_all(fires).await;
    assert_eq!(runs.iter().filter(|r| r.is_some()).count(), 1, "{runs:?}");

    // Live: both schedulers fire every 2 seconds for a while.
    settings::set_schedule(&pool, JobName::StorageReport, Some("*/2 * * * * *"), "UTC")
        .await
        .unwrap();
    a.resync().await;
    b.resync().await;
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let per_time: Vec<(DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT scheduled_for, count(*) FROM cachescope.job_runs \
         WHERE job = 'storage-report' AND trigger = 'schedule' AND scheduled_for > $1 GROUP BY 1",
    )
    .bind(at)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(per_time.len() >= 2, "fired: {per_time:?}");
    assert!(per_time.iter().all(|(_, n)| *n == 1), "{per_time:?}");
    let failed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cachescope.job_runs WHERE status NOT IN ('succeeded', 'running')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(failed, 0);

    // Paused: a fire claims nothing.
    settings::set_paused(&pool, JobName::StorageReport, true)
        .await
        .unwrap();
    let c = Scheduler::start(&ctx_a, Some("jobs")).await.unwrap();
    assert!(c
        .fire(JobName::StorageReport, at + chrono::Duration::hours(1))
        .await
        .is_none());
    assert!(c
        .status()
        .await
        .scheduled
        .iter()
        .all(|j| *j != JobName::StorageReport));
    c.shutdown().await.unwrap();
}

#[sqlx::test(migrations = false)]
async fn bad_input_is_refused_by_name_before_anything_runs(pool: PgPool) {
    let (ctx, _dir) = setup(&pool).await;
    let refused = |e: Error, words: &[&str]| {
        let text = e.to_string();
        for word in words {
            assert!(text.contains(word), "{text:?} lacks {word:?}");
        }
    };
    refused(
        settings::set_schedule(&pool, JobName::Archive, Some("61 * * * *"), "UTC")
            .await
            .unwrap_err(),
        &["schedule of job archive"],
    );
    refused(
        settings::set_schedule(&pool, JobName::Archive, Some("0 2 * * *"), "Mars/Olympus")
            .await
            .unwrap_err(),
        &["time zone of job archive", "Mars/Olympus"],
    );
    refused(
        settings::set_schedule(&pool, JobName::InvalidateUser, Some("0 2 * * *"), "UTC")
            .await
            .unwrap_err(),
        &["by hand only"],
    );
    refused(
        settings::set_options(&pool, JobName::Archive, json!({ "retentionDays": 0 }))
            .await
            .unwrap_err(),
        &["retentionDays"],
    );
    refused(
        settings::set_options(&pool, JobName::DeleteArchived, json!({ "batchSize": 0 }))
            .await
            .unwrap_err(),
        &["batchSize"],
    );

    settings::load_all(&pool).await.unwrap();
    // The archive directory is this machine's setting: a `directory` stored in the shared
    // table (as another console, or someone with write access to it, might) is refused by name
    // before anything runs.
    sqlx::query("UPDATE cachescope.jobs SET options = options || $1 WHERE name = 'archive'")
        .bind(json!({ "directory": "/etc" }))
        .execute(&pool)
        .await
        .unwrap();
    let request = JobRunRequest::manual(JobName::Archive, false);
    refused(
        run_job(&ctx, Some("jobs"), &request, &Progress::none(), None)
            .await
            .unwrap_err(),
        &["stored options of job archive", "directory"],
    );
    settings::set_options(&pool, JobName::Archive, json!({}))
        .await
        .unwrap();
    // An archive directory that cannot be made is named before the run starts.
    let archives = ctx.dirs().archives.clone();
    std::fs::create_dir_all(archives.parent().unwrap()).unwrap();
    std::fs::write(&archives, b"a file where the folder should be").unwrap();
    refused(
        run_job(&ctx, Some("jobs"), &request, &Progress::none(), None)
            .await
            .unwrap_err(),
        &[archives.to_str().unwrap()],
    );
    std::fs::remove_file(&archives).unwrap();
    refused(
        run_job(
            &ctx,
            Some("jobs"),
            &JobRunRequest::manual(JobName::InvalidateUser, true),
            &Progress::none(),
            None,
        )
        .await
        .unwrap_err(),
        &["--user"],
    );
    let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM cachescope.job_runs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(runs, 0, "nothing ran, nothing was recorded");

    // A read-only profile refuses real runs in the core; its dry runs work.
    let (ro, _ro_dir) = context_on(
        &pool,
        Profile {
            read_only: true,
            ..profile("jobs")
        },
        None,
    )
    .await;
    let err = run_job(
        &ro,
        Some("jobs"),
        &JobRunRequest::manual(JobName::PruneSnapshots, false),
        &Progress::none(),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::ReadOnlyProfile { .. }), "{err}");
    let dry = run_job(
        &ro,
        Some("jobs"),
        &JobRunRequest::manual(JobName::PruneSnapshots, true),
        &Progress::none(),
        None,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(dry.status, JobRunStatus::Succeeded);

    // An unreachable database is named.
    let (dead, _dead_dir) = super::key_operations::context().await;
    dead.save_profile(
        Profile {
            postgres_url: Some("postgres://postgres@127.0.0.1:1/nowhere".to_owned()),
            ..profile("jobs")
        },
        None,
        None,
    )
    .await
    .unwrap();
    let err = run_job(
        &dead,
        Some("jobs"),
        &JobRunRequest::manual(JobName::Archive, true),
        &Progress::none(),
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("Postgres"), "{err}");
}

async fn put(store: &dyn KvStore, key: &str, ttl: Option<u64>) {
    store
        .bulk_put(&[Entry {
            key: key.to_owned(),
            value: br#"{"v":1}"#.to_vec(),
            options: PutOptions {
                expiry: ttl.map_or(Expiry::Never, Expiry::Ttl),
                metadata: None,
            },
        }])
        .await
        .unwrap();
}

async fn keys(store: &dyn KvStore) -> Vec<String> {
    cachescope_core::kv::list_all(store, None, &Progress::none())
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect()
}

#[sqlx::test(migrations = false)]
async fn kv_cleanups_delete_exactly_their_keys_on_the_simulator(pool: PgPool) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let sim = cachescope_testkit::start(&[]);
    let cloudflare = Profile {
        name: "jobs".to_owned(),
        kind: ProfileKind::Cloudflare,
        account_id: Some(sim.account_id.clone()),
        namespace_id: Some(sim.namespace_id.clone()),
        base_url: Some(sim.url.clone()),
        ..Profile::builtin_local()
    };
    let (ctx, _dir) = context_on(&pool, cloudflare, Some(&sim.token)).await;
    let store = ctx.profile(Some("jobs")).unwrap().store().await.unwrap();
    // The demo's family, the job's default: twelve versions, the pointer naming the newest.
    for version in 1..=12 {
        put(
            store.as_ref(),
            &format!("snapshot:path-stats:v{version}"),
            Some(3600),
        )
        .await;
    }
    store
        .put("snapshot:path-stats:latest", b"12", &PutOptions::default())
        .await
        .unwrap();

    let dry = run(&ctx, JobName::PruneSnapshots, true).await;
    assert_eq!(
        (
            count(&dry, "matched"),
            count(&dry, "toDelete"),
            count(&dry, "deleted")
        ),
        (12, 7, 0)
    );
    assert_eq!(count(&dry, "keptByPointer"), 0, "v12 is among the newest 5");
    let sample: Vec<&str> = dry.detail["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        sample,
        [
            "snapshot:path-stats:v7",
            "snapshot:path-stats:v6",
            "snapshot:path-stats:v5",
            "snapshot:path-stats:v4",
            "snapshot:path-stats:v3",
            "snapshot:path-stats:v2",
            "snapshot:path-stats:v1"
        ]
    );
    assert_eq!(
        keys(store.as_ref()).await.len(),
        13,
        "a dry run deletes nothing"
    );
    let pruned = run(&ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(count(&pruned, "deleted"), 7);
    let mut left = keys(store.as_ref()).await;
    left.sort();
    assert_eq!(
        left,
        [
            "snapshot:path-stats:latest",
            "snapshot:path-stats:v10",
            "snapshot:path-stats:v11",
            "snapshot:path-stats:v12",
            "snapshot:path-stats:v8",
            "snapshot:path-stats:v9"
        ]
    );

    // Invalidate one user: their keys go, another user's stay.
    for user in ["u1", "u2"] {
        for key in cachescope_core::jobs::kv_cleanup::user_keys(user) {
            put(store.as_ref(), &key, Some(600)).await;
        }
        put(
            store.as_ref(),
            &format!("user:{user}:custom:thing"),
            Some(600),
        )
        .await;
    }
    let request = JobRunRequest {
        user_id: Some("u1".to_owned()),
        ..JobRunRequest::manual(JobName::InvalidateUser, false)
    }
    .confirmed("invalidate-user");
    let invalidated = run_job(&ctx, Some("jobs"), &request, &Progress::none(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(count(&invalidated, "deleted"), 5, "{invalidated:?}");
    let left = keys(store.as_ref()).await;
    assert!(!left.iter().any(|k| k.starts_with("user:u1:")));
    assert_eq!(left.iter().filter(|k| k.starts_with("user:u2:")).count(), 5);

    // Sweep: conversation details of conversations that are gone, and keys without a TTL.
    let user = uuid_like(1);
    sqlx::query("INSERT INTO sales.users (id, name, email, role, department, created_at) VALUES ($1::uuid, 'A', 'a@x', 'rep', 'default', now())")
        .bind(&user)
        .execute(&pool)
        .await
        .unwrap();
    put(
        store.as_ref(),
        &format!("user:{user}:conversations:list"),
        Some(600),
    )
    .await;
    put(
        store.as_ref(),
        &format!("user:{user}:analytics:dashboard"),
        None,
    )
    .await;
    put(
        store.as_ref(),
        &format!("user:{}:conversations:list", uuid_like(2)),
        Some(600),
    )
    .await;
    set_options(
        &pool,
        JobName::Sweep,
        json!({ "sweepRules": [
            { "family": "user:{id}:", "withoutTtl": true,
              "existingIdsSql": "SELECT id::text FROM sales.users WHERE id::text = ANY($1)" }
        ]}),
    )
    .await;
    let dry = run(&ctx, JobName::Sweep, true).await;
    // u2's 5 keys and the second user's list have no user row; one key of the first has no TTL.
    assert_eq!(count(&dry, "toDelete"), 7, "{dry:?}");
    assert_eq!(
        dry.detail["reasons"],
        json!({ "entity gone": 6, "no TTL": 1 })
    );
    // The dry run shows the family's share against the circuit breaker (default 10%).
    assert_eq!(dry.detail["families"][0]["toDelete"], 7, "{dry:?}");
    assert_eq!(dry.detail["families"][0]["matched"], 8);
    assert_eq!(dry.detail["families"][0]["overLimit"], true);
    // 7 of 8 keys is over the limit: the real run stops before deleting anything...
    let before = keys(store.as_ref()).await;
    let stopped = run(&ctx, JobName::Sweep, false).await;
    assert_eq!(stopped.status, JobRunStatus::Failed, "{stopped:?}");
    let error = stopped.error.clone().unwrap_or_default();
    assert!(
        error.contains("maxDeletePercent") && error.contains("7 of 8 keys of user:{id}:"),
        "{error}"
    );
    assert_eq!(keys(store.as_ref()).await, before, "nothing was deleted");
    // ...and goes on only with the explicit override, which the audit records.
    let request = JobRunRequest {
        now: Some(now()),
        override_share_limit: true,
        ..JobRunRequest::manual(JobName::Sweep, false)
    }
    .confirmed("sweep");
    let swept = run_job(&ctx, Some("jobs"), &request, &Progress::none(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(count(&swept, "deleted"), 7);
    let audit = ctx
        .profile(Some("jobs"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(10)
        .await
        .unwrap();
    let entry = audit
        .iter()
        .find(|a| a.entry.action == "job:sweep" && !a.entry.dry_run && a.entry.item_count == 7)
        .unwrap_or_else(|| panic!("{audit:?}"));
    assert_eq!(entry.entry.detail["overrideShareLimit"], true, "{entry:?}");
    let left: Vec<String> = keys(store.as_ref())
        .await
        .into_iter()
        .filter(|k| k.starts_with("user:"))
        .collect();
    assert_eq!(left, [format!("user:{user}:conversations:list")]);

    // The storage report is written as a key with its TTL.
    let report = run(&ctx, JobName::StorageReport, false).await;
    assert_eq!(report.status, JobRunStatus::Succeeded, "{report:?}");
    let stored = store.get("report:storage").await.unwrap().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&stored.bytes).unwrap();
    assert!(stored.expiration.is_some());
    assert!(body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["table"] == "sales.traffic_events"));
    let snapshot_family = body["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "snapshot:path-stats:v{id}")
        .unwrap_or_else(|| panic!("{body:#}"))
        .clone();
    assert_eq!(snapshot_family["keys"], 5);
}

fn uuid_like(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}
