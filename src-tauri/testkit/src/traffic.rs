//! Sales traffic for the jobs' tests: raw events in `sales.traffic_events` and their hourly
//! aggregates in `sales.path_stats_hourly`, as the demo source schema holds them.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Inserts `n` traffic events spread over the `days` before `now`, in shuffled time order so ids
/// and times disagree (as with late queue batches), and one aggregate row per hour and path
/// (`salt` shifts the times, for a second batch).
pub async fn insert_traffic_events(
    pool: &PgPool,
    now: DateTime<Utc>,
    n: i64,
    days: i64,
    salt: i64,
) {
    sqlx::query(
        "INSERT INTO sales.traffic_events (occurred_at, path, method, status, latency_ms) \
         SELECT $1 - make_interval(secs => ((i * 7919 + $4) % ($3 * 86400))::double precision), \
                '/api/p' || (i % 7), 'GET', 200, i % 300 \
         FROM generate_series(1, $2) AS i",
    )
    .bind(now)
    .bind(n)
    .bind(days)
    .bind(salt)
    .execute(pool)
    .await
    .expect("insert traffic events");
    sqlx::query(
        "INSERT INTO sales.path_stats_hourly (hour, path, requests, errors, total_latency_ms) \
         SELECT date_trunc('hour', occurred_at), path, count(*), 0, sum(latency_ms) \
         FROM sales.traffic_events GROUP BY 1, 2 \
         ON CONFLICT (hour, path) DO UPDATE SET requests = excluded.requests",
    )
    .execute(pool)
    .await
    .expect("insert hourly traffic aggregates");
}
