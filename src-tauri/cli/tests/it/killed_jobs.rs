//! `cachescope jobs run archive` and `delete-archived` killed with SIGKILL mid-work (while the
//! archive file is written, once the archive is recorded verified, twice mid-delete), each time
//! rerun: no row is deleted without a verified archive, none is archived twice, the counts are
//! exact, aggregates are untouched, and the killed runs' `running` rows end `abandoned`.

use std::collections::{BTreeMap, HashSet};
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use super::{ok, run, ScratchDatabase};

const NOW: &str = "2026-11-20T12:00:00Z";
/// Long enough for a slow machine; only a readiness limit, never part of what is asserted.
const READY: Duration = Duration::from_secs(120);

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(NOW).unwrap().to_utc()
}

fn cutoff() -> chrono::DateTime<chrono::Utc> {
    now() - chrono::Duration::days(3)
}

/// Starts `cachescope jobs run JOB --confirm JOB` for real, in the background.
fn spawn_job(home: &Path, job: &str) -> Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_cachescope"))
        .env("CACHESCOPE_CONFIG_DIR", home.join("config"))
        .env("CACHESCOPE_DATA_DIR", home.join("data"))
        .env("CACHESCOPE_SECRET_STORE", "file")
        .env_remove("CACHESCOPE_PROFILE")
        .env("NO_COLOR", "1")
        .args(["jobs", "run", job, "--confirm", job, "--now", NOW])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs `cachescope --json jobs run JOB --confirm JOB` to the end and returns the recorded run.
async fn run_to_end(home: &Path, job: &str) -> serde_json::Value {
    let home = home.to_owned();
    let job = job.to_owned();
    tokio::task::spawn_blocking(move || {
        let r = run(
            &home,
            &[
                "--json",
                "jobs",
                "run",
                &job,
                "--confirm",
                &job,
                "--now",
                NOW,
            ],
            "",
        );
        assert_eq!(r.code, 0, "{job}: {}\n{}", r.stderr, r.stdout);
        serde_json::from_str(&r.stdout).unwrap()
    })
    .await
    .unwrap()
}

fn archive_dir(home: &Path) -> PathBuf {
    home.join("data").join("archives")
}

fn files_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Where a killed run stopped, read from the database and the archive directory afterwards.
async fn point_reached(db: &PgPool, home: &Path, job: &str, run_id: i64) -> String {
    let status: String = sqlx::query_scalar("SELECT status FROM cachescope.job_runs WHERE id = $1")
        .bind(run_id)
        .fetch_one(db)
        .await
        .unwrap();
    if status != "running" {
        return format!("after the run had already finished ({status})");
    }
    if job == "delete-archived" {
        let (deleted, total): (i64, i64) = sqlx::query_as(
            "SELECT coalesce(sum(deleted_lines), 0)::bigint, coalesce(sum(row_count), 0)::bigint \
             FROM cachescope.archive_metadata",
        )
        .fetch_one(db)
        .await
        .unwrap();
        return match deleted {
            0 => "before the first batch was deleted".to_owned(),
            d if d < total => format!("mid-delete, after {d} of {total} rows"),
            _ => "after the last batch, before the run was recorded finished".to_owned(),
        };
    }
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT status FROM cachescope.archive_metadata WHERE job_run = $1 ORDER BY id",
    )
    .bind(run_id)
    .fetch_all(db)
    .await
    .unwrap();
    let files = files_in(&archive_dir(home));
    match statuses.first().map(String::as_str) {
        None => "before an archive was claimed".to_owned(),
        Some("writing") if files.iter().any(|f| f.ends_with(".partial")) => {
            "while the archive file was being written".to_owned()
        }
        Some("writing") => "after the archive file was written, before it was verified".to_owned(),
        Some(other) => format!("after the archive was recorded {other}, before the run finished"),
    }
}

/// Waits until `ready` holds, then SIGKILLs the job (unless it ended first), waits for its
/// Postgres sessions to be gone, and returns (its run id, the point it was stopped at).
async fn kill_when<F, Fut>(
    db: &PgPool,
    home: &Path,
    job: &str,
    mut child: Child,
    mut ready: F,
) -> (i64, String)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    let killed = loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "{job} ended by itself but failed: {status}"
            );
            break false;
        }
        if ready().await {
            child.kill().unwrap(); // SIGKILL
            break true;
        }
        assert!(
            started.elapsed() < READY,
            "{job}: the kill point never came"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    child.wait().unwrap();
    // Readiness only: the killed process's sessions close (releasing its lock, rolling back an
    // open transaction) once Postgres notices the dead socket.
    let started = Instant::now();
    loop {
        let sessions: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = 'cachescope'",
        )
        .fetch_one(db)
        .await
        .unwrap();
        if sessions == 0 {
            break;
        }
        assert!(
            started.elapsed() < READY,
            "the killed sessions never closed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let run_id: i64 = sqlx::query_scalar(
        "SELECT max(id) FROM cachescope.job_runs WHERE job = $1 AND NOT dry_run",
    )
    .bind(job)
    .fetch_one(db)
    .await
    .unwrap();
    let mut point = point_reached(db, home, job, run_id).await;
    if !killed {
        point = format!("not killed: {point}");
    }
    eprintln!("{job} run #{run_id}: stopped {point}");
    (run_id, point)
}

async fn ids(db: &PgPool, sql: &str) -> HashSet<i64> {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(cutoff())
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

async fn aggregates(db: &PgPool) -> Vec<(chrono::DateTime<chrono::Utc>, String, i64)> {
    sqlx::query_as("SELECT hour, path, requests FROM sales.path_stats_hourly ORDER BY 1, 2")
        .fetch_all(db)
        .await
        .unwrap()
}

/// What the test knew before any job ran.
struct Start {
    old: HashSet<i64>,
    kept: HashSet<i64>,
    aggregates: Vec<(chrono::DateTime<chrono::Utc>, String, i64)>,
}

/// The invariants that hold wherever a run was stopped; returns how many old rows are gone.
async fn check_invariants(db: &PgPool, start: &Start, when: &str) -> usize {
    // Every id of every trusted (verified or deleted) archive file, duplicates kept; each file
    // still matches its record.
    let files: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT file, row_count, checksum FROM cachescope.archive_metadata \
         WHERE status <> 'writing' ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut archived = Vec::new();
    for (file, rows, checksum) in &files {
        let verified = cachescope_core::jobs::archive::verify_file(Path::new(file)).unwrap();
        assert_eq!(verified, (*rows as u64, checksum.clone()), "{when}: {file}");
        let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            std::fs::File::open(file).unwrap(),
        ));
        for line in reader.lines() {
            let row: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            archived.push(row["id"].as_i64().unwrap());
        }
    }
    let unique: HashSet<i64> = archived.iter().copied().collect();
    assert_eq!(unique.len(), archived.len(), "{when}: a row archived twice");
    assert!(
        unique.is_subset(&start.old),
        "{when}: a recent row archived"
    );

    let present = ids(
        db,
        "SELECT id FROM sales.traffic_events WHERE occurred_at < $1",
    )
    .await;
    let gone: HashSet<i64> = start.old.difference(&present).copied().collect();
    assert!(
        gone.is_subset(&unique),
        "{when}: {} rows deleted without a verified archive",
        gone.difference(&unique).count()
    );
    let kept = ids(
        db,
        "SELECT id FROM sales.traffic_events WHERE occurred_at >= $1",
    )
    .await;
    assert_eq!(kept, start.kept, "{when}: recent rows are never touched");
    assert_eq!(
        aggregates(db).await,
        start.aggregates,
        "{when}: aggregates are never touched"
    );
    // Each committed batch recorded its progress with it: the records say exactly what is gone.
    let (deleted_rows, deleted_lines): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(deleted_rows), 0)::bigint, coalesce(sum(deleted_lines), 0)::bigint \
         FROM cachescope.archive_metadata",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(
        (deleted_rows as usize, deleted_lines as usize),
        (gone.len(), gone.len()),
        "{when}"
    );
    gone.len()
}

#[tokio::test]
async fn killed_archive_and_delete_runs_then_reruns_lose_and_duplicate_nothing() {
    let scratch = ScratchDatabase::create("cachescope_cli_kill_").await;
    let db = PgPool::connect(&scratch.url).await.unwrap();
    cachescope_core::db::migrate_source(&db).await.unwrap();
    cachescope_core::db::migrate(&db).await.unwrap();
    cachescope_testkit::traffic::insert_traffic_events(&db, now(), 60_000, 6, 0).await;
    let start = Start {
        old: ids(
            &db,
            "SELECT id FROM sales.traffic_events WHERE occurred_at < $1",
        )
        .await,
        kept: ids(
            &db,
            "SELECT id FROM sales.traffic_events WHERE occurred_at >= $1",
        )
        .await,
        aggregates: aggregates(&db).await,
    };
    assert_eq!(start.old.len() + start.kept.len(), 60_000);
    assert!(start.old.len() > 20_000, "{}", start.old.len());

    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let url = scratch.url.clone();
    tokio::task::spawn_blocking({
        let h = h.clone();
        move || {
            ok(
                &h,
                &[
                    "profile",
                    "add",
                    "pg",
                    "--kind",
                    "local",
                    "--postgres-url",
                    &url,
                    "--default",
                ],
            );
            // Small reads and batches, so that each run lasts long enough to be killed mid-work.
            ok(
                &h,
                &[
                    "jobs",
                    "options",
                    "archive",
                    "--set",
                    r#"{"readChunk": 20}"#,
                ],
            );
            ok(
                &h,
                &[
                    "jobs",
                    "options",
                    "delete-archived",
                    "--set",
                    r#"{"batchSize": 100, "maxBatches": 0}"#,
                ],
            );
        }
    })
    .await
    .unwrap();
    let mut points = BTreeMap::new();

    // 1. Archive, killed while its file is being written.
    let dir = archive_dir(&h);
    let pg = &db;
    let child = spawn_job(&h, "archive");
    let (run_id, point) = kill_when(pg, &h, "archive", child, || {
        let dir = dir.clone();
        async move { files_in(&dir).iter().any(|f| f.ends_with(".partial")) }
    })
    .await;
    points.insert(run_id, point);
    assert_eq!(check_invariants(&db, &start, "archive killed").await, 0);

    // 2. Archive again, killed as soon as its archive is recorded verified.
    let child = spawn_job(&h, "archive");
    let (run_id, point) = kill_when(pg, &h, "archive", child, move || async move {
        let verified: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM cachescope.archive_metadata WHERE status = 'verified'",
        )
        .fetch_one(pg)
        .await
        .unwrap();
        verified > 0
    })
    .await;
    points.insert(run_id, point);
    assert_eq!(
        check_invariants(&db, &start, "archive killed again").await,
        0
    );

    // 3. Archive to the end: every old row is archived exactly once, no unfinished archive or
    // stray file is left, and whatever the killed runs left is cleaned up.
    let done = run_to_end(&h, "archive").await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let verified: Vec<(String, i64)> =
        sqlx::query_as("SELECT file, row_count FROM cachescope.archive_metadata ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        verified.len(),
        1,
        "one archive holds the rows: {verified:?}"
    );
    assert_eq!(verified[0].1 as usize, start.old.len());
    let file_name = Path::new(&verified[0].0)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        files_in(&dir),
        [file_name],
        "no partial or unverified file is left"
    );
    let archived_by_rerun = done["counts"]["rowsArchived"].as_u64().unwrap() as usize;
    assert!(
        archived_by_rerun == 0 || archived_by_rerun == start.old.len(),
        "{archived_by_rerun}"
    );
    assert_eq!(check_invariants(&db, &start, "archived").await, 0);

    // 4. Delete, killed mid-delete twice (once early, once past half).
    let half = start.old.len() as i64 / 2;
    for (label, threshold) in [("early", 1), ("past half", half)] {
        let child = spawn_job(&h, "delete-archived");
        let (run_id, point) = kill_when(pg, &h, "delete-archived", child, move || async move {
            let deleted: i64 = sqlx::query_scalar(
                "SELECT coalesce(sum(deleted_lines), 0)::bigint FROM cachescope.archive_metadata",
            )
            .fetch_one(pg)
            .await
            .unwrap();
            deleted >= threshold
        })
        .await;
        points.insert(run_id, point);
        check_invariants(&db, &start, &format!("delete killed {label}")).await;
    }

    // 5. Delete to the end: exactly the rows still there are deleted, none twice.
    let gone_before = check_invariants(&db, &start, "before the last delete").await;
    let done = run_to_end(&h, "delete-archived").await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        done["counts"]["rowsDeleted"].as_u64().unwrap() as usize,
        start.old.len() - gone_before
    );
    assert_eq!(done["counts"]["rowsRemaining"], 0);
    assert_eq!(
        check_invariants(&db, &start, "deleted").await,
        start.old.len()
    );
    let status: Vec<String> =
        sqlx::query_scalar("SELECT status FROM cachescope.archive_metadata ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(status, ["deleted"]);

    // Every run killed while `running` was marked abandoned by the next run; none is left
    // running, and the reruns were not blocked (they succeeded above).
    let runs: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, status, error FROM cachescope.job_runs WHERE NOT dry_run ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    // The audit log (the database's shared one) holds each run's intent, written before its
    // work: a run killed mid-work is left `interrupted`; a run the history shows finished has
    // its outcome audited.
    let audit: BTreeMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
        "SELECT (detail->>'run')::bigint, outcome FROM cachescope.audit_log \
         WHERE action LIKE 'job:%' AND NOT dry_run",
    )
    .fetch_all(&db)
    .await
    .unwrap()
    .into_iter()
    .collect();
    for (id, status, error) in &runs {
        match points.get(id) {
            Some(point) if !point.starts_with("not killed") && !point.contains("already") => {
                assert_eq!(status, "abandoned", "run #{id} ({point})");
                assert_eq!(
                    error.as_deref(),
                    Some("the console running it stopped before the run finished")
                );
                // Killed mid-work, the outcome cannot have been audited; killed once the work
                // was done, it may have been (it is audited before the history says finished).
                let mid_work = point.contains("being written") || point.contains("mid-delete");
                let audited = audit.get(id).map(String::as_str);
                if mid_work {
                    assert_eq!(audited, Some("interrupted"), "run #{id} ({point})");
                } else {
                    assert!(
                        matches!(audited, Some("interrupted" | "succeeded")),
                        "run #{id} ({point}): {audited:?}"
                    );
                }
            }
            _ => {
                assert_eq!(status, "succeeded", "run #{id}");
                assert_eq!(
                    audit.get(id).map(String::as_str),
                    Some("succeeded"),
                    "run #{id}"
                );
            }
        }
    }
    eprintln!("kill points: {points:?}");
    let listing = tokio::task::spawn_blocking(move || ok(&h, &["jobs", "history"]))
        .await
        .unwrap();
    assert_eq!(
        listing
            .lines()
            .filter(|l| l.contains(" abandoned "))
            .count(),
        points
            .values()
            .filter(|p| !p.starts_with("not killed") && !p.contains("already"))
            .count(),
        "{listing}"
    );
    db.close().await;
    scratch.drop().await;
}
