//! The console's Postgres migrations apply to a fresh database (one per test, from
//! `#[sqlx::test]`) and are idempotent.

use sqlx::PgPool;

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
