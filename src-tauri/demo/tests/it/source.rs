//! The demo source data generator against a real Postgres (a fresh database per test): sizes
//! follow the scale, the rows hold together the way precompute expects, the same seed and clock
//! give the same rows, a rerun replaces them, a cancel or foreign data leaves the database as it
//! was.

use cachescope_core::progress::Progress;
use cachescope_core::Error;
use cachescope_demo::source::{generate, SourceScale, SourceSummary};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

/// A Wednesday morning, so "this week" and "this month" both have days behind them; the data
/// itself guarantees the week's deals whatever the clock (see `monday_just_after_midnight`).
fn now() -> DateTime<Utc> {
    "2026-11-25T10:30:00Z".parse().unwrap()
}

/// `SELECT count(*) ...`; `$1`, where the query has it, is [`now`].
async fn count(pool: &PgPool, sql: &str) -> i64 {
    let query = sqlx::query_scalar(sql);
    let query = if sql.contains("$1") {
        query.bind(now())
    } else {
        query
    };
    query
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Counts of each table, in the order of [`TABLES`].
async fn table_counts(pool: &PgPool) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(count(pool, &format!("SELECT count(*) FROM sales.{table}")).await);
    }
    counts
}

const TABLES: [&str; 7] = [
    "users",
    "opportunities",
    "conversations",
    "meddic_analyses",
    "todos",
    "traffic_events",
    "path_stats_hourly",
];

fn summary_counts(s: &SourceSummary) -> Vec<i64> {
    [
        s.users,
        s.opportunities,
        s.conversations,
        s.analyses,
        s.todos,
        s.traffic_events,
        s.path_stats_hourly,
    ]
    .map(|n| n as i64)
    .to_vec()
}

/// md5 over every row of a table (as text, in text order).
async fn fingerprint(pool: &PgPool, table: &str) -> String {
    sqlx::query_scalar(&format!(
        "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM sales.{table} t"
    ))
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The fingerprint of each table, in the order of [`TABLES`].
async fn fingerprints(pool: &PgPool) -> Vec<String> {
    let mut prints = Vec::new();
    for table in TABLES {
        prints.push(fingerprint(pool, table).await);
    }
    prints
}

/// Every constraint and index of the `sales` schema, as the catalog defines them.
async fn schema_shape(pool: &PgPool) -> String {
    sqlx::query_scalar(
        "SELECT string_agg(d, E'\\n' ORDER BY d) FROM ( \
           SELECT format('%s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS d \
           FROM pg_constraint WHERE connamespace = 'sales'::regnamespace \
           UNION ALL \
           SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
           WHERE c.relnamespace = 'sales'::regnamespace) s",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = false)]
async fn keys_and_indexes_dropped_for_the_load_are_put_back_as_they_were(pool: PgPool) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let migrated = schema_shape(&pool).await;
    assert!(migrated.contains("FOREIGN KEY (opportunity_id) REFERENCES sales.opportunities(id)"));
    assert!(migrated.contains("CREATE INDEX conversations_unfinished"));
    generate(
        &pool,
        &SourceScale::new(200, 1, now()).unwrap(),
        &Progress::none(),
    )
    .await
    .unwrap();
    assert_eq!(schema_shape(&pool).await, migrated);
    // They are enforced again.
    let orphan = sqlx::query(
        "INSERT INTO sales.todos (id, user_id, title, due_date, status, created_at) \
         VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'x', \
         current_date, 'pending', now())",
    )
    .execute(&pool)
    .await;
    assert!(orphan.is_err(), "a todo of no user was accepted");
}

#[sqlx::test(migrations = false)]
async fn a_small_scale_has_the_planned_sizes_and_holds_together(pool: PgPool) {
    let scale = SourceScale::new(2000, 7, now()).unwrap();
    let summary = generate(&pool, &scale, &Progress::none()).await.unwrap();

    // Sizes: exact where the scale fixes them, and what the database holds.
    assert_eq!(summary.conversations, 2000);
    assert_eq!(summary.users, scale.users());
    assert_eq!(scale.users(), 20);
    assert_eq!(summary.opportunities, 500);
    assert_eq!(summary.todos, 1000);
    assert_eq!(summary.traffic_events, 2000);
    assert!(
        summary.analyses > 1800 && summary.analyses < 2000,
        "{summary:?}"
    );
    assert!(summary.path_stats_hourly > 100, "{summary:?}");
    assert_eq!(table_counts(&pool).await, summary_counts(&summary));
    assert_eq!(
        summary.rows(),
        summary_counts(&summary).iter().sum::<i64>() as u64
    );

    // Users: 2 admins, the managers, reps under a manager of their own department.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.users WHERE role = 'admin'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.users WHERE role = 'manager'"
        )
        .await,
        scale.managers() as i64
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(DISTINCT department) FROM sales.users WHERE role = 'manager'"
        )
        .await,
        4
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.users r LEFT JOIN sales.users m ON m.id = r.manager_id \
             WHERE r.role = 'rep' AND (m.id IS NULL OR m.role <> 'manager' OR m.department <> r.department) \
            "
        )
        .await,
        0
    );
    // Inactive reps: active accounts with no conversation in the last 10 days.
    let idle = count(
        &pool,
        "SELECT count(*) FROM sales.users u WHERE role = 'rep' AND active AND NOT EXISTS \
         (SELECT 1 FROM sales.conversations c WHERE c.user_id = u.id AND c.created_at > $1 - interval '10 days')",
    )
    .await;
    assert!(idle >= scale.idle_reps() as i64, "{idle} idle reps");

    // Conversations: in the 90 days before now, by the owner of their deal, with case numbers.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.conversations WHERE created_at > $1 \
             OR created_at < $1 - interval '90 days' OR case_number !~ '^CASE-[0-9]{4}-[0-9]{6}$'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.conversations c JOIN sales.opportunities o ON o.id = c.opportunity_id \
             WHERE c.user_id <> o.owner_id"
        )
        .await,
        0
    );
    // Failed ones carry an error code and the stage it belongs to.
    let failed = count(
        &pool,
        "SELECT count(*) FROM sales.conversations WHERE status = 'failed'",
    )
    .await;
    assert!(failed > 20, "{failed} failed");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.conversations WHERE status = 'failed' AND (error_code, processing_stage) NOT IN \
             (('E_AUDIO_CORRUPT', 'audio'), ('E_DOWNLOAD_TIMEOUT', 'download'), ('E_TRANSCRIBE_FAILED', 'transcription'), \
              ('E_ANALYSIS_TIMEOUT', 'analysis'), ('E_DB_WRITE', 'database'))"
        )
        .await,
        0
    );
    assert!(
        count(
            &pool,
            "SELECT count(DISTINCT error_code) FROM sales.conversations"
        )
        .await
            >= 4
    );
    // Stuck in processing for hours, and some waiting.
    let stuck = count(
        &pool,
        "SELECT count(*) FROM sales.conversations WHERE status = 'processing' \
         AND processing_started_at < $1 - interval '2 hours'",
    )
    .await;
    assert!(stuck >= 3, "{stuck} stuck");
    assert!(
        count(
            &pool,
            "SELECT count(*) FROM sales.conversations WHERE status = 'pending'"
        )
        .await
            > 0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.conversations WHERE processing_started_at < created_at \
             OR processed_at < processing_started_at OR (status = 'completed') <> (processed_at IS NOT NULL) \
             OR (status = 'pending') <> (processing_started_at IS NULL) OR processed_at > $1"
        )
        .await,
        0
    );

    // One analysis per completed conversation, of the same deal, status from the score band.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.conversations c LEFT JOIN sales.meddic_analyses a ON a.conversation_id = c.id \
             WHERE (c.status = 'completed') <> (a.id IS NOT NULL)"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.meddic_analyses a JOIN sales.conversations c ON c.id = a.conversation_id \
             WHERE a.opportunity_id <> c.opportunity_id OR a.created_at <> c.processed_at"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.meddic_analyses WHERE status <> CASE WHEN overall_score >= 75 THEN 'Strong' \
             WHEN overall_score >= 50 THEN 'Medium' WHEN overall_score >= 30 THEN 'Weak' ELSE 'At Risk' END \
            "
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(DISTINCT status) FROM sales.meddic_analyses"
        )
        .await,
        4
    );

    // Deals won and lost this week and this month (UTC calendar).
    for status in ["won", "lost"] {
        for period in ["week", "month"] {
            let closed = count(
                &pool,
                &format!(
                    "SELECT count(*) FROM sales.opportunities WHERE status = '{status}' AND closed_at <= $1 \
                     AND closed_at >= date_trunc('{period}', $1 AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
                ),
            )
            .await;
            assert!(closed >= 1, "no {status} deal closed this {period}");
        }
    }
    // ... and most of them over the past year before that.
    let earlier = count(
        &pool,
        "SELECT count(*) FROM sales.opportunities WHERE closed_at < date_trunc('month', $1 AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    )
    .await;
    let closed = count(
        &pool,
        "SELECT count(*) FROM sales.opportunities WHERE status <> 'open'",
    )
    .await;
    assert!(
        earlier * 2 > closed,
        "{earlier} of {closed} closed before this month"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM sales.opportunities WHERE closed_at < created_at OR created_at > $1").await,
        0
    );

    // Todos: some overdue, some due today, done ones with a completion time in the past.
    let overdue = count(
        &pool,
        "SELECT count(*) FROM sales.todos WHERE status = 'pending' AND due_date < ($1 AT TIME ZONE 'UTC')::date",
    )
    .await;
    assert!(overdue > 50, "{overdue} overdue");
    let due_today = count(
        &pool,
        "SELECT count(*) FROM sales.todos WHERE status = 'pending' AND due_date = ($1 AT TIME ZONE 'UTC')::date",
    )
    .await;
    assert!(due_today > 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.todos WHERE completed_at > $1 OR completed_at < created_at OR created_at > $1"
        )
        .await,
        0
    );

    // Traffic: the last 7 days, numbered in time order, and hourly aggregates that add up.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.traffic_events WHERE occurred_at > $1 OR occurred_at < $1 - interval '7 days'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM (SELECT occurred_at < lag(occurred_at) OVER (ORDER BY id) AS back \
             FROM sales.traffic_events) t WHERE back"
        )
        .await,
        0
    );
    let (requests, errors, latency): (i64, i64, i64) = sqlx::query_as(
        "SELECT sum(requests)::bigint, sum(errors)::bigint, sum(total_latency_ms)::bigint FROM sales.path_stats_hourly",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let (events, server_errors, event_latency): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status >= 500), sum(latency_ms)::bigint FROM sales.traffic_events",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (requests, errors, latency),
        (events, server_errors, event_latency)
    );
    assert!(errors > 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sales.path_stats_hourly WHERE hour <> date_trunc('hour', hour, 'UTC')"
        )
        .await,
        0
    );
}

#[sqlx::test(migrations = false)]
async fn the_same_seed_and_clock_give_the_same_rows_and_a_rerun_replaces_them(pool: PgPool) {
    let scale = SourceScale::new(500, 11, now()).unwrap();
    let first = generate(&pool, &scale, &Progress::none()).await.unwrap();
    let prints = fingerprints(&pool).await;

    let second = generate(&pool, &scale, &Progress::none()).await.unwrap();
    assert_eq!(summary_counts(&first), summary_counts(&second));
    assert_eq!(
        table_counts(&pool).await,
        summary_counts(&second),
        "replaced, not appended"
    );
    let again = fingerprints(&pool).await;
    assert_eq!(prints, again);

    let other = SourceScale::new(500, 12, now()).unwrap();
    generate(&pool, &other, &Progress::none()).await.unwrap();
    assert_ne!(fingerprint(&pool, "conversations").await, prints[2]);
}

#[sqlx::test(migrations = false)]
async fn a_cancel_leaves_the_previous_data(pool: PgPool) {
    let first = generate(
        &pool,
        &SourceScale::new(300, 1, now()).unwrap(),
        &Progress::none(),
    )
    .await
    .unwrap();
    let before = fingerprints(&pool).await;
    let shape = schema_shape(&pool).await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let progress = Progress::new(cancel, move |update| {
        if update.phase == "conversations" {
            trigger.cancel();
        }
    });
    let result = generate(&pool, &SourceScale::new(400, 2, now()).unwrap(), &progress).await;
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert_eq!(table_counts(&pool).await, summary_counts(&first));
    assert_eq!(fingerprints(&pool).await, before);
    assert_eq!(
        schema_shape(&pool).await,
        shape,
        "keys and indexes rolled back too"
    );
}

#[sqlx::test(migrations = false)]
async fn rows_it_did_not_write_are_refused(pool: PgPool) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO sales.users (id, name, email, role, created_at) \
         VALUES ('00000000-0000-4000-8000-000000000001', 'Real Person', 'real@company.example', 'rep', now())",
    )
    .execute(&pool)
    .await
    .unwrap();
    let result = generate(
        &pool,
        &SourceScale::new(100, 1, now()).unwrap(),
        &Progress::none(),
    )
    .await;
    match result {
        Err(e @ Error::Invalid { .. }) => assert!(e.to_string().contains("schema `sales`"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM sales.users").await, 1);
}

#[sqlx::test(migrations = false)]
async fn monday_just_after_midnight_still_has_this_weeks_deals(pool: PgPool) {
    let monday: DateTime<Utc> = "2026-11-30T00:05:00Z".parse().unwrap();
    generate(
        &pool,
        &SourceScale::new(100, 3, monday).unwrap(),
        &Progress::none(),
    )
    .await
    .unwrap();
    for status in ["won", "lost"] {
        let closed: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sales.opportunities WHERE status = $2 AND closed_at BETWEEN $1 - interval '5 minutes' AND $1",
        )
        .bind(monday)
        .bind(status)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(closed >= 1, "no {status} deal this week");
    }
}

#[test]
fn a_scale_below_the_minimum_is_named() {
    let e = SourceScale::new(99, 1, now()).unwrap_err();
    assert!(e.to_string().starts_with("invalid scale"), "{e}");
}
