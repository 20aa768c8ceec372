//! Benchmark: archive + delete of N detail rows (default 1,000,000 `sales.traffic_events` older
//! than the retention) by the archive and delete-archived jobs' core functions, against psql doing
//! `COPY (...) TO PROGRAM 'gzip > file'` and one `DELETE` on the same rows. While the jobs run, a
//! watcher samples `pg_stat_activity` every 20 ms for the longest-running statement of the
//! console's connections. Each job holds its lock and checks it before every commit, as in a
//! run by the runner. Uses (and recreates) the database `cachescope_jobs_bench`.
//!
//! ```sh
//! cargo run --release -p cachescope-core --example jobs_bench -- 1000000
//! ```

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cachescope_core::jobs::archive::{
    archive, delete_archived, ArchiveTarget, DeleteTarget, DetailRun,
};
use cachescope_core::jobs::catalog::JobName;
use cachescope_core::jobs::history::JobLock;
use cachescope_core::jobs::options::{ArchiveOptions, DeleteArchivedOptions};
use cachescope_core::progress::Progress;
use chrono::{TimeZone, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};

const SERVER: &str = "postgres://postgres@127.0.0.1:5432";
const DB: &str = "cachescope_jobs_bench";

async fn fill(pool: &PgPool, rows: i64, now: chrono::DateTime<Utc>) {
    sqlx::query("TRUNCATE sales.traffic_events, cachescope.archive_metadata CASCADE")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO sales.traffic_events (occurred_at, path, method, status, latency_ms, user_id) \
         SELECT $1 - interval '4 days' - make_interval(secs => (i * 37 % 172800)::double precision), \
                '/api/v1/conversations/' || (i % 500), 'GET', CASE WHEN i % 50 = 0 THEN 500 ELSE 200 END, \
                i % 900, NULL FROM generate_series(1, $2) AS i",
    )
    .bind(now)
    .bind(rows)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("VACUUM ANALYZE sales.traffic_events")
        .execute(pool)
        .await
        .unwrap();
    // Both contenders start from the same state: the fill's dirty pages written out, so neither
    // pays for (or races) a checkpoint the fill's WAL would otherwise trigger mid-run.
    sqlx::query("CHECKPOINT").execute(pool).await.unwrap();
}

#[tokio::main]
async fn main() {
    let rows: i64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |n| n.parse().unwrap());
    let admin = PgPoolOptions::new()
        .connect(&format!("{SERVER}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {DB} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {DB}"))
        .execute(&admin)
        .await
        .unwrap();
    let url = format!("{SERVER}/{DB}");
    let pool = cachescope_core::db::connect_lazy(&url, None, &Default::default()).unwrap();
    cachescope_core::db::migrate(&pool).await.unwrap();
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    fill(&pool, rows, now).await;
    let dir = tempfile::tempdir().unwrap();
    let archive_target = ArchiveTarget::resolve(&pool, &ArchiveOptions::default())
        .await
        .unwrap();
    let delete_options = DeleteArchivedOptions {
        max_batches: 0,
        ..DeleteArchivedOptions::default()
    };
    let delete_target = DeleteTarget::resolve(&pool, &delete_options).await.unwrap();

    // The longest statement of the console's connections while the jobs run.
    let watching = Arc::new(AtomicBool::new(true));
    let longest_ms = Arc::new(AtomicI64::new(0));
    let watcher = {
        let (watching, longest_ms) = (watching.clone(), longest_ms.clone());
        let admin = admin.clone();
        tokio::spawn(async move {
            while watching.load(Ordering::Relaxed) {
                let ms: Option<f64> = sqlx::query_scalar(
                    "SELECT max(extract(epoch FROM clock_timestamp() - query_start) * 1000)::float8 \
                     FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cachescope' \
                     AND state = 'active'",
                )
                .bind(DB)
                .fetch_one(&admin)
                .await
                .unwrap();
                longest_ms.fetch_max(ms.unwrap_or(0.0) as i64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    // As in a real run, each job holds its lock and every committed step checks it.
    let started = Instant::now();
    let lock = JobLock::try_acquire(&pool, JobName::Archive)
        .await
        .unwrap()
        .unwrap();
    let progress = Progress::none();
    let lease = lock.lease();
    let steps = DetailRun {
        pool: &pool,
        dry_run: false,
        job_run: None,
        progress: &progress,
        hook: None,
        lease: Some(&lease),
    };
    let archived = archive(&steps, &archive_target, dir.path(), now)
        .await
        .unwrap();
    lock.release().await;
    let archive_s = started.elapsed().as_secs_f64();
    let lock = JobLock::try_acquire(&pool, JobName::DeleteArchived)
        .await
        .unwrap()
        .unwrap();
    let lease = lock.lease();
    let steps = DetailRun {
        lease: Some(&lease),
        ..steps
    };
    let deleted = delete_archived(&steps, &delete_target).await.unwrap();
    lock.release().await;
    let total_s = started.elapsed().as_secs_f64();
    watching.store(false, Ordering::Relaxed);
    watcher.await.unwrap();
    assert_eq!(archived.rows as i64, rows);
    assert_eq!(deleted.rows_deleted as i64, rows);
    println!(
        "jobs: {rows} rows archived in {archive_s:.1} s ({} bytes gzip), deleted in {:.1} s \
         ({} batches); total {total_s:.1} s = {:.0} rows/s; longest statement {} ms",
        archived.file_bytes,
        total_s - archive_s,
        deleted.batches,
        rows as f64 / total_s,
        longest_ms.load(Ordering::Relaxed)
    );

    // The baseline: the same rows through psql.
    fill(&pool, rows, now).await;
    // Written by the server's own user, so not into this process's private temp dir.
    let out = std::path::Path::new("/tmp/cachescope-jobs-bench-psql.ndjson.gz");
    let cutoff = (now - chrono::Duration::days(3)).to_rfc3339();
    let script = format!(
        "COPY (SELECT row_to_json(t)::text FROM sales.traffic_events t WHERE occurred_at < '{cutoff}' \
         ORDER BY id) TO PROGRAM 'gzip > {}';\n\
         DELETE FROM sales.traffic_events WHERE occurred_at < '{cutoff}';\n",
        out.display()
    );
    let started = Instant::now();
    let status = std::process::Command::new("psql")
        .args([&url, "-q", "-v", "ON_ERROR_STOP=1", "-c", &script])
        .status()
        .unwrap();
    assert!(status.success());
    let psql_s = started.elapsed().as_secs_f64();
    println!(
        "psql: COPY TO PROGRAM gzip + DELETE of {rows} rows in {psql_s:.1} s = {:.0} rows/s; \
         ratio jobs/psql {:.2}",
        rows as f64 / psql_s,
        total_s / psql_s
    );
}
