//! Hostile job options against real Postgres: identifiers that would rewrite a statement, names
//! of tables and columns that do not exist or have the wrong type, and unfinished archives whose
//! files point outside the archive directory. Each is refused by name, whether it comes through
//! the options editor (`set_options`) or is written straight into the shared table, and nothing is
//! touched: no row deleted, no archive recorded, no file outside the archive directory removed.

use cachescope_core::jobs::{run_job, settings, JobName, JobRunRequest};
use cachescope_core::progress::Progress;
use cachescope_core::CoreContext;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::{count, insert_events, now, run, setup};

/// What must not change while hostile options are tried.
#[derive(Debug, PartialEq, Eq)]
struct Untouched {
    rows: i64,
    archives: i64,
    runs: i64,
}

async fn untouched(pool: &PgPool) -> Untouched {
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    Untouched {
        rows: one("SELECT count(*) FROM sales.traffic_events").await,
        archives: one("SELECT count(*) FROM cachescope.archive_metadata").await,
        runs: one("SELECT count(*) FROM cachescope.job_runs").await,
    }
}

/// The option tried for `job` is refused by name both through the editor and, written straight
/// into the shared table, by the run; nothing changes.
async fn refused_both_ways(
    ctx: &CoreContext,
    pool: &PgPool,
    job: JobName,
    option: &str,
    value: Value,
) {
    let before = untouched(pool).await;
    let what = format!("option {option} of job {job}");
    let err = settings::set_options(pool, job, json!({ option: value.clone() }))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&what), "editor, {option}={value}: {err}");

    sqlx::query("UPDATE cachescope.jobs SET options = options || $2 WHERE name = $1")
        .bind(job.as_str())
        .bind(json!({ option: value.clone() }))
        .execute(pool)
        .await
        .unwrap();
    for dry_run in [true, false] {
        let request = JobRunRequest {
            now: Some(now()),
            ..JobRunRequest::manual(job, dry_run)
        };
        let err = run_job(ctx, Some("jobs"), &request, &Progress::none(), None)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(&what), "run, {option}={value}: {err}");
    }
    settings::set_options(pool, job, json!({})).await.unwrap();
    assert_eq!(untouched(pool).await, before, "{option}={value}");
}

/// The example: a time column that turns the delete's condition into `OR true` deleted
/// every row of the table, although the verified archive held only the old ones.
#[sqlx::test(migrations = false)]
async fn identifier_options_that_rewrite_sql_are_refused_and_nothing_is_deleted(pool: PgPool) {
    let (ctx, _dir) = setup(&pool).await;
    insert_events(&pool, 2_000, 6, 0).await;
    let archived = run(&ctx, JobName::Archive, false).await;
    assert!(count(&archived, "rowsArchived") > 0);

    let hostile = json!("occurred_at\" IS NOT NULL OR true OR \"occurred_at");
    for job in [JobName::Archive, JobName::DeleteArchived] {
        for option in ["table", "timeColumn", "idColumn"] {
            refused_both_ways(&ctx, &pool, job, option, hostile.clone()).await;
        }
    }
    refused_both_ways(
        &ctx,
        &pool,
        JobName::StorageReport,
        "schemas",
        json!(["sales\"; DROP TABLE sales.users; --"]),
    )
    .await;
}

/// Plain names are checked against the live catalog: the table and column must exist, the time
/// column must be a timestamp and the id column an integer.
#[sqlx::test(migrations = false)]
async fn names_missing_from_the_catalog_or_of_the_wrong_type_are_refused(pool: PgPool) {
    let (ctx, _dir) = setup(&pool).await;
    settings::load_all(&pool).await.unwrap();
    insert_events(&pool, 500, 6, 0).await;
    for job in [JobName::Archive, JobName::DeleteArchived] {
        for (option, value) in [
            ("table", "sales.no_such_table"),
            ("table", "no_such_schema.traffic_events"),
            // A view, not a table.
            ("table", "pg_catalog.pg_tables"),
            ("timeColumn", "no_such_column"),
            ("timeColumn", "path"),
            ("idColumn", "occurred_at"),
            ("idColumn", "user_id"),
        ] {
            refused_both_ways(&ctx, &pool, job, option, json!(value)).await;
        }
    }
    refused_both_ways(
        &ctx,
        &pool,
        JobName::StorageReport,
        "schemas",
        json!(["no_such_schema"]),
    )
    .await;
}

/// Property: generated identifiers carrying SQL punctuation, quotes, spaces or upper case, for
/// every option that reaches SQL, are refused by name and touch nothing.
#[sqlx::test(migrations = false)]
async fn generated_hostile_identifiers_are_refused_by_name(pool: PgPool) {
    let (ctx, _dir) = setup(&pool).await;
    settings::load_all(&pool).await.unwrap();
    insert_events(&pool, 500, 6, 0).await;
    let strategy = "[a-z_]{0,8}[\"'; ()=.A-Z\\-\\\\/*][a-zA-Z0-9_\"' ;()=.*-]{0,24}";
    let mut runner = TestRunner::deterministic();
    for round in 0..12 {
        let name = strategy
            .new_tree(&mut runner)
            .unwrap()
            .current()
            .to_string();
        let (job, option) = [
            (JobName::Archive, "table"),
            (JobName::Archive, "timeColumn"),
            (JobName::Archive, "idColumn"),
            (JobName::DeleteArchived, "table"),
            (JobName::DeleteArchived, "timeColumn"),
            (JobName::DeleteArchived, "idColumn"),
        ][round % 6];
        // A table name with its one dot in place of the hostile character is still refused.
        let value = if option == "table" {
            format!("sales.{name}")
        } else {
            name
        };
        refused_both_ways(&ctx, &pool, job, option, json!(value)).await;
        let schema = strategy.new_tree(&mut runner).unwrap().current();
        refused_both_ways(
            &ctx,
            &pool,
            JobName::StorageReport,
            "schemas",
            json!([schema]),
        )
        .await;
    }
}

/// The files of unfinished archives come from the shared table: only archive files inside this
/// machine's archive directory are deleted, never a path elsewhere (absolute, or with `..`).
#[sqlx::test(migrations = false)]
async fn unfinished_archives_never_delete_files_outside_the_archive_directory(pool: PgPool) {
    let (ctx, dir) = setup(&pool).await;
    settings::load_all(&pool).await.unwrap();
    insert_events(&pool, 500, 6, 0).await;
    let archives = ctx.dirs().archives.clone();
    std::fs::create_dir_all(&archives).unwrap();
    let outside = dir.path().join("precious.ndjson.gz");
    std::fs::write(&outside, b"someone's data").unwrap();
    let traversal = archives.join("..").join("also-precious.ndjson.gz");
    std::fs::write(&traversal, b"more data").unwrap();
    let not_an_archive = archives.join("notes.txt");
    std::fs::write(&not_an_archive, b"notes").unwrap();
    let leftover = archives.join("sales.traffic_events-20261117T120000Z-1.ndjson.gz.partial");
    std::fs::write(&leftover, b"half an archive").unwrap();
    for file in [
        outside.to_str().unwrap().to_owned(),
        traversal.to_str().unwrap().to_owned(),
        not_an_archive.to_str().unwrap().to_owned(),
        "/etc/passwd".to_owned(),
        leftover
            .to_str()
            .unwrap()
            .trim_end_matches(".partial")
            .to_owned(),
    ] {
        sqlx::query(
            "INSERT INTO cachescope.archive_metadata (table_name, status, cutoff, file) \
             VALUES ('sales.traffic_events', 'writing', now(), $1)",
        )
        .bind(file)
        .execute(&pool)
        .await
        .unwrap();
    }
    let archived = run(&ctx, JobName::Archive, false).await;
    assert_eq!(archived.detail["discardedUnfinished"], 5, "{archived:?}");
    for kept in [&outside, &traversal, &not_an_archive] {
        assert!(kept.exists(), "{} was deleted", kept.display());
    }
    assert!(std::path::Path::new("/etc/passwd").exists());
    assert!(!leftover.exists(), "the unfinished archive's own file goes");
    let writing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cachescope.archive_metadata WHERE status = 'writing'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(writing, 0, "the unfinished records are discarded");
}
