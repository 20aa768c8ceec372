//! The console's Postgres migrations apply to a fresh database (one per test, from
//! `#[sqlx::test]`) and are idempotent; a profile's database is checked once per pool (not on
//! every use), on a connection of its own, when a feature first asks the profile handle for it;
//! reading the team's own data never migrates; a role without the rights to create gets one
//! clear message; and a migration lock left held by another session ends in a named error, not
//! a hang.

use cachescope_core::db_limits::DbLimits;
use cachescope_core::jobs::overview::list_jobs;
use cachescope_core::jobs::JobName;
use cachescope_core::profiles::Profile;
use cachescope_core::{CoreContext, Error};
use sqlx::PgPool;

/// A context whose profile `p` uses the test database as `user`, with `limits`.
async fn context_as(
    pool: &PgPool,
    user: &str,
    limits: Option<DbLimits>,
) -> (CoreContext, tempfile::TempDir) {
    let profile = Profile {
        name: "p".to_owned(),
        db_limits: limits,
        ..Profile::builtin_local()
    };
    super::report_precompute::context_on_as(pool, user, profile, None).await
}

#[sqlx::test(migrations = false)]
async fn console_migrations_apply_to_a_fresh_database(pool: PgPool) {
    cachescope_core::db::migrate(&pool).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'cachescope' ORDER BY 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        tables,
        [
            "archive_metadata",
            "audit_log",
            "cache_events",
            "cache_events_all",
            "cache_events_imported",
            "cache_log_imports",
            "cache_rollup_hours",
            "cache_stats_daily",
            "cache_stats_daily_all",
            "cache_stats_hourly",
            "cache_stats_hourly_all",
            "cache_stats_monthly",
            "job_runs",
            "jobs",
            "precompute_runs",
        ]
        .map(str::to_owned)
    );
    // The planner's statistics on the hour of each raw event (the rollup's dirty-hour count).
    let statistics: Vec<String> = sqlx::query_scalar(
        "SELECT stxname::text FROM pg_statistic_ext
         WHERE stxnamespace = 'cachescope'::regnamespace ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        statistics,
        ["cache_events_hour", "cache_events_imported_hour"]
    );
    // The hourly rollups are found by hour (the key) and by family (the hit-rate lines).
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes
         WHERE schemaname = 'cachescope' AND tablename = 'cache_stats_hourly' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        indexes,
        ["cache_stats_hourly_family", "cache_stats_hourly_pkey"]
    );
    // Nothing of the console lands in the public schema beside the migration ledger.
    let public: Vec<String> = sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(public, vec!["_sqlx_migrations".to_owned()]);
    cachescope_core::db::migrate(&pool)
        .await
        .expect("a second run is a no-op");
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        applied as usize,
        cachescope_core::db::CONSOLE_MIGRATOR.iter().count()
    );
}

/// The log lines written while `work` runs, at INFO and above, by this thread's subscriber.
async fn logged<F: std::future::Future<Output = ()>>(work: F) -> String {
    let captured = super::profiles_and_secrets::Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    work.await;
    drop(guard);
    let text = captured.0.lock().unwrap().clone();
    String::from_utf8(text).unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_profile_database_is_migrated_once_per_pool(pool: PgPool) {
    let (ctx, _dir) = context_as(&pool, "postgres", None).await;
    let (other_ctx, _other_dir) = context_as(&pool, "postgres", None).await;
    let log = logged(async {
        for _ in 0..3 {
            list_jobs(&ctx, Some("p")).await.unwrap();
        }
        let handle = ctx.profile(Some("p")).unwrap();
        handle.database("the test").await.unwrap();
        handle.audit_trail().await.unwrap();
        cachescope_core::stats::profile_stats::stats_database(&ctx, Some("p"))
            .await
            .unwrap();
        // Another console's pool on the same database checks once more, and applies nothing.
        list_jobs(&other_ctx, Some("p")).await.unwrap();
        list_jobs(&other_ctx, Some("p")).await.unwrap();
    })
    .await;
    let checks: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("console migrations checked"))
        .collect();
    assert_eq!(checks.len(), 2, "{log}");
    assert!(
        checks[0].contains(&format!(
            "applied={}",
            cachescope_core::db::CONSOLE_MIGRATOR.iter().count()
        )),
        "{log}"
    );
    assert!(checks[1].contains("applied=0"), "{log}");
    // sqlx's INFO notice of `CREATE TABLE IF NOT EXISTS _sqlx_migrations` on a migrated
    // database: gone, since a migrated database is only read.
    assert!(!log.contains("already exists, skipping"), "{log}");
}

/// A login role of its own for this test (roles are server-wide), dropped by [`drop_role`].
async fn create_role(pool: &PgPool) -> String {
    let role = format!("cachescope_reader_{}", std::process::id())
        + &format!("_{:x}", rand::random::<u32>());
    // The name is built from digits and letters above; identifiers cannot be bound.
    sqlx::query(&format!("CREATE ROLE {role} LOGIN"))
        .execute(pool)
        .await
        .unwrap();
    role
}

async fn drop_role(pool: &PgPool, role: &str) {
    sqlx::query(&format!("DROP OWNED BY {role}"))
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(&format!("DROP ROLE {role}"))
        .execute(pool)
        .await
        .unwrap();
}

async fn advisory_locks(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_role_without_the_rights_gets_one_clear_message_and_works_once_an_owner_migrated(
    pool: PgPool,
) {
    let role = create_role(&pool).await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (ctx, _dir) = context_as(&pool, &role, None).await;
    let handle = ctx.profile(Some("p")).unwrap();

    // Reading the team's own data needs no rights to create, and creates nothing.
    let source = handle.source_database("the test").await.unwrap();
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&source)
        .await
        .unwrap();
    assert_eq!(one, 1);

    for _ in 0..2 {
        let err = list_jobs(&ctx, Some("p")).await.unwrap_err();
        match &err {
            Error::MigrationRights {
                role: named,
                database: db,
                ..
            } => assert_eq!((named, db), (&role, &database)),
            other => panic!("{other}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("run the migrations once as the database's owner")
                && message.contains("or ask a DBA"),
            "{message}"
        );
        assert_eq!(err.code(), cachescope_core::ErrorCode::Database);
    }
    let schemas: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'cachescope'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(schemas, 0, "nothing created");
    assert_eq!(
        advisory_locks(&pool).await,
        0,
        "no migration lock left held by the failed attempt"
    );

    // The owner migrates once and grants what the message names; the role then works.
    cachescope_core::db::migrate(&pool).await.unwrap();
    for grant in [
        format!("GRANT USAGE ON SCHEMA cachescope TO {role}"),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA cachescope TO {role}"
        ),
        format!("GRANT USAGE ON ALL SEQUENCES IN SCHEMA cachescope TO {role}"),
        format!("GRANT SELECT ON _sqlx_migrations TO {role}"),
    ] {
        sqlx::query(&grant).execute(&pool).await.unwrap();
    }
    let jobs = list_jobs(&ctx, Some("p")).await.unwrap();
    assert_eq!(jobs.len(), JobName::ALL.len());
    source.close().await;
    drop(handle);
    drop(ctx);
    drop_role(&pool, &role).await;
}

#[sqlx::test(migrations = false)]
async fn a_migration_lock_left_held_elsewhere_ends_in_a_named_error_not_a_hang(pool: PgPool) {
    // Another console's migration failed on a pooled connection: sqlx left its migration lock
    // held there, and that connection lives on in the pool.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1_broken.sql"), "SELECT 1/0;").unwrap();
    let broken = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    let stuck = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    broken.run(&stuck).await.unwrap_err();
    assert_eq!(advisory_locks(&pool).await, 1, "sqlx's lock left held");

    let (console, _dir) = context_as(
        &pool,
        "postgres",
        Some(DbLimits {
            lock_secs: 1,
            ..DbLimits::default()
        }),
    )
    .await;
    let err = list_jobs(&console, Some("p")).await.unwrap_err();
    assert!(
        matches!(&err, Error::MigrationLocked { waited, .. } if *waited == std::time::Duration::from_secs(1)),
        "{err}"
    );
    assert!(err.to_string().contains("pg_terminate_backend"), "{err}");
    assert_eq!(advisory_locks(&pool).await, 1, "only the other console's");

    // Once that session ends, the same pool migrates.
    stuck.close().await;
    let jobs = list_jobs(&console, Some("p")).await.unwrap();
    assert_eq!(jobs.len(), JobName::ALL.len());
    assert_eq!(advisory_locks(&pool).await, 0);
}

#[sqlx::test(migrations = false)]
async fn a_demo_database_migrated_before_a_comment_was_reworded_still_migrates(pool: PgPool) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    // As a database that applied the first text of the sales schema migration records it.
    let first: Vec<u8> = (0..96)
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(
                &"1f7ae04cf55d3670ce8a6f8acebd919ba7ee6b73de41a136ab51bd9e9a4dd6ad6f0fc046bd6c5f529e2384a5fd3a49d9"[i..i + 2],
                16,
            )
            .unwrap()
        })
        .collect();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 20261122100000")
        .bind(&first)
        .execute(&pool)
        .await
        .unwrap();
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let recorded: Vec<u8> =
        sqlx::query_scalar("SELECT checksum FROM _sqlx_migrations WHERE version = 20261122100000")
            .fetch_one(&pool)
            .await
            .unwrap();
    let shipped = cachescope_core::db::SOURCE_MIGRATOR
        .iter()
        .find(|m| m.version == 20261122100000)
        .unwrap();
    assert_eq!(recorded, shipped.checksum.as_ref());

    // Any other checksum is still refused, as sqlx refuses a changed migration.
    sqlx::query("UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 20261122100000")
        .execute(&pool)
        .await
        .unwrap();
    assert!(cachescope_core::db::migrate_source(&pool).await.is_err());
}
