//! The figures people look at, read from the rollups: hit rate over time overall and per family,
//! latency percentiles, estimated database queries saved, KV operations per day against the
//! plan's limits, and the most missed families and keys. Reads only; never rolls up itself.

use std::collections::HashMap;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{PgPool, Postgres};

use super::key_families::KeyFamilies;
use super::rollup::{tally_from_row, Tally, BUCKETS, TALLY_COLUMNS};
use crate::cache_events::Outcome;
use crate::db_limits::{Work, WorkLimit};
use crate::error::{Error, Result};
pub use crate::kv::plan::{PlanLimits, FREE_PLAN};

/// Ranges up to this long are shown per hour; longer ones per day.
pub const HOURLY_UP_TO: Duration = Duration::days(7);
/// Most points one series may have (a bit over a year per hour, 27 years per day): a range that
/// needs more is refused before anything is read, instead of building millions of buckets.
pub const MAX_BUCKETS: i64 = 10_000;
/// Most missed keys listed.
pub const TOP_MISSED_KEYS: usize = 10;
/// Families given a hit-rate line (the most read ones), beside the line of all families.
pub const FAMILY_LINES: usize = 5;

/// The targets of docs/domain.md, "Targets".
pub const TARGETS: Targets = Targets {
    hit_rate: 0.9,
    mean_latency_ms: 200.0,
    p95_latency_ms: 500.0,
    daily_reads: 50_000,
    daily_writes: 500,
    db_queries_saved: 0.8,
};

/// What the cache aims for (docs/domain.md, "Targets").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    /// Share of reads served fresh from KV.
    pub hit_rate: f64,
    pub mean_latency_ms: f64,
    pub p95_latency_ms: f64,
    #[ts(type = "number")]
    pub daily_reads: u64,
    #[ts(type = "number")]
    pub daily_writes: u64,
    /// Share of reads that needed no database query.
    pub db_queries_saved: f64,
}

/// Per hour or per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Granularity {
    Hour,
    Day,
}

/// What to show.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Only this key family.
    pub family: Option<String>,
    /// `None`: per hour up to [`HOURLY_UP_TO`], else per day.
    pub granularity: Option<Granularity>,
}

/// The figures of a set of events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    #[ts(type = "number")]
    pub hits: u64,
    #[ts(type = "number")]
    pub misses: u64,
    #[ts(type = "number")]
    pub stale: u64,
    #[ts(type = "number")]
    pub errors: u64,
    #[ts(type = "number")]
    pub sets: u64,
    #[ts(type = "number")]
    pub deletes: u64,
    #[ts(type = "number")]
    pub lists: u64,
    /// hits + misses + stale + errors: every read attempt.
    #[ts(type = "number")]
    pub reads: u64,
    /// hits / reads; `None` without reads.
    pub hit_rate: Option<f64>,
    /// Reads answered from KV without SQL (hits + stale): each is one report query the
    /// fallback would have run.
    #[ts(type = "number")]
    pub db_queries_saved: u64,
    pub latency_mean_ms: Option<f64>,
    /// Percentiles as the upper bound of their latency bucket (see `rollup::LATENCY_BOUNDS_MS`).
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
}

impl From<&Tally> for Figures {
    fn from(t: &Tally) -> Self {
        let n = |o| u64::try_from(t.count(o)).unwrap_or(0);
        let (hits, misses, stale, errors) = (
            n(Outcome::Hit),
            n(Outcome::Miss),
            n(Outcome::Stale),
            n(Outcome::Error),
        );
        let reads = hits + misses + stale + errors;
        Self {
            hits,
            misses,
            stale,
            errors,
            sets: n(Outcome::Set),
            deletes: n(Outcome::Delete),
            lists: n(Outcome::List),
            reads,
            hit_rate: (reads > 0).then(|| hits as f64 / reads as f64),
            db_queries_saved: hits + stale,
            latency_mean_ms: (t.latency_count > 0)
                .then(|| t.latency_sum_ms / t.latency_count as f64),
            latency_p50_ms: t.percentile(0.5),
            latency_p95_ms: t.percentile(0.95),
            latency_p99_ms: t.percentile(0.99),
        }
    }
}

/// One family over the range.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FamilyStats {
    pub family: String,
    pub totals: Figures,
    /// Hit rate per bucket (aligned with [`CacheStats::buckets`]; `None` without reads), for the
    /// [`FAMILY_LINES`] families with the most reads (or the one family asked for, if it has
    /// reads); empty for the others.
    pub hit_rate: Vec<Option<f64>>,
}

/// KV operations of one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DayOperations {
    /// `YYYY-MM-DD`.
    pub day: String,
    #[ts(type = "number")]
    pub reads: u64,
    #[ts(type = "number")]
    pub writes: u64,
    #[ts(type = "number")]
    pub deletes: u64,
    #[ts(type = "number")]
    pub lists: u64,
}

/// A key that missed.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MissedKey {
    pub key: String,
    pub family: String,
    #[ts(type = "number")]
    pub misses: u64,
    #[ts(type = "number")]
    pub reads: u64,
}

/// Everything the Stats screen and `cachescope stats` show.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    #[ts(type = "string")]
    pub since: DateTime<Utc>,
    #[ts(type = "string")]
    pub until: DateTime<Utc>,
    pub granularity: Granularity,
    pub family: Option<String>,
    /// Start of each bucket (RFC 3339), oldest first, every bucket of the range.
    pub buckets: Vec<String>,
    /// Figures per bucket, aligned with `buckets`.
    pub series: Vec<Figures>,
    pub totals: Figures,
    /// Every family with events in the range, most reads first.
    pub families: Vec<FamilyStats>,
    /// The families of `families` that missed in the range, most misses first (ties by name).
    pub most_missed_families: Vec<String>,
    /// Per UTC day of the range with events.
    pub kv_operations: Vec<DayOperations>,
    /// The plan's daily limits: the free plan's here; the profile's own plan
    /// (`[profile.plan]`) when read through [`super::profile_stats::rolled_up_stats`].
    pub limits: PlanLimits,
    pub targets: Targets,
    /// Keys with the most misses, from the raw events still kept (see `raw_events_since`).
    pub top_missed_keys: Vec<MissedKey>,
    /// The oldest raw event kept; misses by key are known only from then on.
    #[ts(type = "string | null")]
    pub raw_events_since: Option<DateTime<Utc>>,
    /// When the rollups were last updated.
    #[ts(type = "string | null")]
    pub last_rollup_at: Option<DateTime<Utc>>,
}

/// One statistics query, in a read-only transaction of its own under the profile's stats limit
/// (`stats_query_secs`); `what` names it in a timeout.
async fn rows(
    pool: &PgPool,
    limit: &WorkLimit,
    what: &str,
    query: sqlx::query::Query<'_, Postgres, PgArguments>,
) -> Result<Vec<PgRow>> {
    let mut tx = limit.begin_read_only(pool).await?;
    let rows = query
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| limit.error(format!("the statistics' {what} query"), e))?;
    tx.rollback().await.map_err(Error::Db)?;
    Ok(rows)
}

/// [`rows`], typed.
async fn rows_as<O>(
    pool: &PgPool,
    limit: &WorkLimit,
    what: &str,
    query: sqlx::query::QueryAs<'_, Postgres, O, PgArguments>,
) -> Result<Vec<O>>
where
    O: Send + Unpin + for<'r> sqlx::FromRow<'r, PgRow>,
{
    let mut tx = limit.begin_read_only(pool).await?;
    let rows = query
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| limit.error(format!("the statistics' {what} query"), e))?;
    tx.rollback().await.map_err(Error::Db)?;
    Ok(rows)
}

/// Reads the statistics for `query` from the rollups (and the raw events, for missed keys).
/// Each query runs under the profile's stats limit (`stats_query_secs`); one that runs past it
/// fails the read with [`Error::DbTimeout`].
pub async fn cache_stats(
    pool: &PgPool,
    families: &KeyFamilies,
    query: &StatsQuery,
) -> Result<CacheStats> {
    if query.until <= query.since {
        return Err(Error::invalid(
            "time range",
            format!(
                "until ({}) must be after since ({})",
                query.until, query.since
            ),
        ));
    }
    let granularity = query
        .granularity
        .unwrap_or(if query.until - query.since <= HOURLY_UP_TO {
            Granularity::Hour
        } else {
            Granularity::Day
        });
    check_bucket_count(query.since, query.until, granularity)?;
    // Whole hours / days that overlap the range.
    let first_hour = DateTime::from_timestamp(query.since.timestamp().div_euclid(3600) * 3600, 0)
        .unwrap_or(query.since);
    let first_day = query.since.date_naive();
    let last_day = (query.until - Duration::nanoseconds(1)).date_naive();
    let day_start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let buckets: Vec<DateTime<Utc>> = match granularity {
        Granularity::Hour => {
            let mut v = Vec::new();
            let mut t = first_hour;
            while t < query.until {
                v.push(t);
                t += Duration::hours(1);
            }
            v
        }
        Granularity::Day => first_day
            .iter_days()
            .take_while(|d| *d <= last_day)
            .map(day_start)
            .collect(),
    };
    let index: HashMap<i64, usize> = buckets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.timestamp(), i))
        .collect();

    // Reads at once on separate connections, none of which sums much in Postgres:
    // - the series: one row per bucket, from the rows pre-summed over all families (or the one
    //   family's rows);
    // - each family's totals: summed over the fewest rows that cover the range, whole months
    //   from `cache_stats_monthly`, the days and hours at the ends from the daily and hourly rows;
    //   then, knowing which families have the most reads, their hits and reads per bucket (their
    //   hit-rate lines), without latency buckets;
    // - the KV operations per day, the most missed keys, and the oldest raw event.
    let family_filter = query.family.as_deref();
    let (range_start, range_end) = match granularity {
        Granularity::Hour => (
            first_hour,
            first_hour + Duration::hours(buckets.len() as i64),
        ),
        Granularity::Day => (
            day_start(first_day),
            day_start(last_day) + Duration::days(1),
        ),
    };
    let (table, at, range) = match granularity {
        Granularity::Hour => (
            "cachescope.cache_stats_hourly",
            // Whole seconds, exact as float8; cheaper than extract's numeric.
            "date_part('epoch', hour)::bigint",
            "hour >= $1 AND hour < $2",
        ),
        Granularity::Day => (
            "cachescope.cache_stats_daily",
            "(day - DATE '1970-01-01')::bigint * 86400",
            "day >= $1 AND day <= $2",
        ),
    };
    let series_sql = match family_filter {
        None => format!(
            "SELECT {at}, {TALLY_COLUMNS} FROM {table}_all WHERE {range} AND $3::text IS NULL"
        ),
        Some(_) => {
            format!("SELECT {at}, {TALLY_COLUMNS} FROM {table} WHERE {range} AND family = $3")
        }
    };
    let lines_sql = format!(
        "SELECT family, array_agg({at}), array_agg(hits), array_agg(hits + misses + stale + errors)
         FROM {table} WHERE {range} AND family = ANY($3) GROUP BY family"
    );
    let range_query = |sql| {
        let q = sqlx::query(sql);
        match granularity {
            Granularity::Hour => q.bind(first_hour).bind(query.until),
            Granularity::Day => q.bind(first_day).bind(last_day),
        }
    };
    let cover = Cover::of(range_start, range_end);
    let sums = SUM_COLUMNS.as_str();
    let totals_sql = format!(
        "SELECT family, {sums} FROM (
             SELECT family, {TALLY_COLUMNS} FROM cachescope.cache_stats_hourly
             WHERE (hour >= $1 AND hour < $2) OR (hour >= $3 AND hour < $4)
             UNION ALL
             SELECT family, {TALLY_COLUMNS} FROM cachescope.cache_stats_daily
             WHERE (day >= $5 AND day < $6) OR (day >= $7 AND day < $8)
             UNION ALL
             SELECT family, {TALLY_COLUMNS} FROM cachescope.cache_stats_monthly
             WHERE month >= $9 AND month < $10
         ) r WHERE $11::text IS NULL OR family = $11 GROUP BY family"
    );
    let totals_query = sqlx::query(&totals_sql)
        .bind(cover.hours[0].0)
        .bind(cover.hours[0].1)
        .bind(cover.hours[1].0)
        .bind(cover.hours[1].1)
        .bind(cover.days[0].0)
        .bind(cover.days[0].1)
        .bind(cover.days[1].0)
        .bind(cover.days[1].1)
        .bind(cover.months.0)
        .bind(cover.months.1)
        .bind(family_filter);
    let limit = WorkLimit::of(pool, Work::StatsQuery).await?;
    let limit = &limit;
    let meta = sqlx::query_as::<_, (Option<DateTime<Utc>>, Option<DateTime<Utc>>)>(
        // The oldest raw event, without scanning them all (the raw tables have only BRIN indexes
        // on `at`): it is before the end of the oldest rolled-up, unpruned hour with events, so
        // that hour bounds the scan; the full scan is the fallback when the ledger has no such
        // hour. COALESCE evaluates its second subquery only when the first is null.
        "SELECT COALESCE(
                    (SELECT min(at) FROM cachescope.cache_events_all
                     WHERE at < (SELECT min(hour) + interval '1 hour'
                                 FROM cachescope.cache_rollup_hours
                                 WHERE pruned_at IS NULL AND events > 0)),
                    (SELECT min(at) FROM cachescope.cache_events_all)),
                (SELECT max(rolled_up_at) FROM cachescope.cache_rollup_hours)",
    );
    let kv = async {
        match granularity {
            // Per day already: the series rows are the days with events.
            Granularity::Day => Ok(None),
            Granularity::Hour => kv_operations(pool, limit, first_day, last_day, family_filter)
                .await
                .map(Some),
        }
    };
    let families_with_lines = async {
        let mut families = Vec::new();
        for row in rows(pool, limit, "family totals", totals_query).await? {
            use sqlx::Row as _;
            families.push(FamilyStats {
                family: row.try_get(0).map_err(Error::Db)?,
                totals: Figures::from(&tally_from_sums(&row, 1)?),
                hit_rate: Vec::new(),
            });
        }
        families.sort_by(|a, b| {
            b.totals
                .reads
                .cmp(&a.totals.reads)
                .then_with(|| a.family.cmp(&b.family))
        });
        // Sorted by reads: the first ones with reads (a family of writes alone has no hit rate)
        // get a line, filled in below.
        for drawn in families
            .iter_mut()
            .take_while(|f| f.totals.reads > 0)
            .take(FAMILY_LINES)
        {
            drawn.hit_rate = vec![None; buckets.len()];
        }
        let drawn: Vec<String> = families
            .iter()
            .filter(|f| !f.hit_rate.is_empty())
            .map(|f| f.family.clone())
            .collect();
        let line_rows = rows(
            pool,
            limit,
            "hit-rate lines",
            range_query(&lines_sql).bind(drawn),
        )
        .await?;
        Ok::<_, Error>((families, line_rows))
    };
    let (series_rows, (mut families_out, line_rows), kv, top_missed_keys, meta) = futures::try_join!(
        rows(
            pool,
            limit,
            "series",
            range_query(&series_sql).bind(family_filter)
        ),
        families_with_lines,
        kv,
        top_missed_keys(pool, limit, families, query),
        async {
            rows_as(pool, limit, "oldest event", meta)
                .await?
                .pop()
                .ok_or_else(|| {
                    Error::invalid("statistics", "the oldest-event query returned no row")
                })
        },
    )?;
    let (raw_events_since, last_rollup_at) = meta;

    use sqlx::Row as _;
    let mut series = vec![Tally::default(); buckets.len()];
    let mut days: Vec<(i64, DayOperations)> = Vec::new();
    for row in &series_rows {
        let at: i64 = row.try_get(0).map_err(Error::Db)?;
        let Some(&i) = index.get(&at) else { continue };
        series[i] = tally_from_row(row, 1)?;
        let f = Figures::from(&series[i]);
        days.push((
            at,
            DayOperations {
                day: buckets[i].format("%Y-%m-%d").to_string(),
                reads: f.reads,
                writes: f.sets,
                deletes: f.deletes,
                lists: f.lists,
            },
        ));
    }
    // Summed in bucket order, whatever order the rows came in.
    let mut totals = Tally::default();
    for tally in &series {
        totals.merge(tally);
    }
    let kv_operations = match kv {
        Some(kv) => kv,
        None => {
            days.sort_by_key(|(at, _)| *at);
            days.into_iter().map(|(_, d)| d).collect()
        }
    };
    for row in &line_rows {
        let family: String = row.try_get(0).map_err(Error::Db)?;
        let ats: Vec<i64> = row.try_get(1).map_err(Error::Db)?;
        let hits: Vec<i64> = row.try_get(2).map_err(Error::Db)?;
        let reads: Vec<i64> = row.try_get(3).map_err(Error::Db)?;
        let Some(line) = families_out.iter_mut().find(|f| f.family == family) else {
            continue;
        };
        for ((at, hits), reads) in ats.into_iter().zip(hits).zip(reads) {
            if let Some(&i) = index.get(&at) {
                line.hit_rate[i] = (reads > 0).then(|| hits as f64 / reads as f64);
            }
        }
    }
    let most_missed_families = most_missed(&families_out);

    Ok(CacheStats {
        since: query.since,
        until: query.until,
        granularity,
        family: query.family.clone(),
        buckets: buckets
            .iter()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect(),
        series: series.iter().map(Figures::from).collect(),
        totals: Figures::from(&totals),
        families: families_out,
        most_missed_families,
        kv_operations,
        limits: FREE_PLAN,
        targets: TARGETS,
        top_missed_keys,
        raw_events_since,
        last_rollup_at,
    })
}

/// The rollup rows that cover `[start, end)` (whole hours) exactly once, fewest first: whole
/// calendar months from the monthly rows, the whole days left at either end from the daily
/// rows, the hours left at either end from the hourly rows. Empty ranges are `(x, x)`.
#[derive(Debug, Clone, PartialEq)]
struct Cover {
    hours: [(DateTime<Utc>, DateTime<Utc>); 2],
    days: [(NaiveDate, NaiveDate); 2],
    months: (NaiveDate, NaiveDate),
}

impl Cover {
    fn of(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        // The whole days inside the range.
        let mut first_day = start.date_naive();
        if midnight(first_day) < start {
            first_day = first_day.succ_opt().unwrap_or(first_day);
        }
        let end_day = end.date_naive();
        if first_day >= end_day {
            return Self {
                hours: [(start, end), (end, end)],
                days: [(end_day, end_day); 2],
                months: (end_day, end_day),
            };
        }
        let hours = [(start, midnight(first_day)), (midnight(end_day), end)];
        // The whole months inside those days.
        let mut first_month = first_day.with_day(1).unwrap_or(first_day);
        if first_month < first_day {
            first_month = first_month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first_month);
        }
        let end_month = end_day.with_day(1).unwrap_or(end_day);
        if first_month >= end_month {
            return Self {
                hours,
                days: [(first_day, end_day), (end_day, end_day)],
                months: (end_day, end_day),
            };
        }
        Self {
            hours,
            days: [(first_day, first_month), (end_month, end_day)],
            months: (first_month, end_month),
        }
    }
}

/// Columns summed over rollup rows: the seven outcomes, the latency count and sum, then each
/// latency bucket. The buckets are summed as float8, which is several times cheaper than
/// Postgres' numeric sum of bigint and exact for any count below 2^53.
static SUM_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut columns = String::from(
        "sum(hits)::bigint, sum(misses)::bigint, sum(stale)::bigint, sum(errors)::bigint,
         sum(sets)::bigint, sum(deletes)::bigint, sum(lists)::bigint,
         sum(latency_count)::bigint, sum(latency_sum_ms)",
    );
    for i in 1..=BUCKETS {
        columns.push_str(&format!(", sum(latency_buckets[{i}]::float8)"));
    }
    columns
});

/// Reads a tally from the [`SUM_COLUMNS`] of a row, from column `first` on.
fn tally_from_sums(row: &sqlx::postgres::PgRow, first: usize) -> Result<Tally> {
    use sqlx::Row as _;
    let mut tally = Tally::default();
    for i in 0..7 {
        let n: Option<i64> = row.try_get(first + i).map_err(Error::Db)?;
        tally.by_outcome[i] = n.unwrap_or(0);
    }
    let n: Option<i64> = row.try_get(first + 7).map_err(Error::Db)?;
    tally.latency_count = n.unwrap_or(0);
    let sum: Option<f64> = row.try_get(first + 8).map_err(Error::Db)?;
    tally.latency_sum_ms = sum.unwrap_or(0.0);
    for (i, slot) in tally.buckets.iter_mut().enumerate() {
        // NULL: every array of the group was shorter.
        let n: Option<f64> = row.try_get(first + 9 + i).map_err(Error::Db)?;
        *slot = n.unwrap_or(0.0) as i64;
    }
    Ok(tally)
}

async fn kv_operations(
    pool: &PgPool,
    limit: &WorkLimit,
    first_day: NaiveDate,
    last_day: NaiveDate,
    family: Option<&str>,
) -> Result<Vec<DayOperations>> {
    // One row per day either way: summed over all families already, or the one family's.
    let (table, filter) = match family {
        None => ("cache_stats_daily_all", "$3::text IS NULL"),
        Some(_) => ("cache_stats_daily", "family = $3"),
    };
    let sql = format!(
        "SELECT day, hits + misses + stale + errors, sets, deletes, lists
         FROM cachescope.{table}
         WHERE day >= $1 AND day <= $2 AND {filter} ORDER BY day"
    );
    let rows: Vec<(NaiveDate, i64, i64, i64, i64)> = rows_as(
        pool,
        limit,
        "KV operations",
        sqlx::query_as(&sql)
            .bind(first_day)
            .bind(last_day)
            .bind(family),
    )
    .await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|(day, reads, writes, deletes, lists)| DayOperations {
            day: day.format("%Y-%m-%d").to_string(),
            reads: n(reads),
            writes: n(writes),
            deletes: n(deletes),
            lists: n(lists),
        })
        .collect())
}

async fn top_missed_keys(
    pool: &PgPool,
    limit: &WorkLimit,
    families: &KeyFamilies,
    query: &StatsQuery,
) -> Result<Vec<MissedKey>> {
    // Families are computed here, not in SQL: with a family filter, look further down the list.
    let keys: i64 = if query.family.is_some() {
        5000
    } else {
        TOP_MISSED_KEYS as i64
    };
    let rows: Vec<(String, i64, i64)> = rows_as(
        pool,
        limit,
        "most missed keys",
        sqlx::query_as(
            "SELECT key, count(*) FILTER (WHERE outcome = 'miss'),
                    count(*) FILTER (WHERE outcome IN ('hit', 'miss', 'stale', 'error'))
             FROM cachescope.cache_events_all WHERE at >= $1 AND at < $2
             GROUP BY key HAVING count(*) FILTER (WHERE outcome = 'miss') > 0
             ORDER BY 2 DESC, 1 LIMIT $3",
        )
        .bind(query.since)
        .bind(query.until)
        .bind(keys),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(key, misses, reads)| MissedKey {
            family: families.family(&key).into_owned(),
            key,
            misses: u64::try_from(misses).unwrap_or(0),
            reads: u64::try_from(reads).unwrap_or(0),
        })
        .filter(|k| query.family.as_deref().is_none_or(|f| k.family == f))
        .take(TOP_MISSED_KEYS)
        .collect())
}

/// The families that missed, most misses first (ties by name).
fn most_missed(families: &[FamilyStats]) -> Vec<String> {
    let mut missed: Vec<&FamilyStats> = families.iter().filter(|f| f.totals.misses > 0).collect();
    missed.sort_by(|a, b| {
        b.totals
            .misses
            .cmp(&a.totals.misses)
            .then_with(|| a.family.cmp(&b.family))
    });
    missed.into_iter().map(|f| f.family.clone()).collect()
}

/// The `n` most missed families' figures (see [`CacheStats::most_missed_families`]).
pub fn top_missed_families(stats: &CacheStats, n: usize) -> Vec<&FamilyStats> {
    stats
        .most_missed_families
        .iter()
        .take(n)
        .filter_map(|name| stats.families.iter().find(|f| &f.family == name))
        .collect()
}

/// How many buckets `since..until` (`since` before `until`) covers per `granularity`, refused
/// with a clear error past [`MAX_BUCKETS`].
pub fn check_bucket_count(
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    granularity: Granularity,
) -> Result<i64> {
    let span = until - since;
    // Whole hours or days touched: one more than the span when it does not start on a boundary.
    let (count, unit, hint) = match granularity {
        Granularity::Hour => (
            span.num_hours() + 2,
            "hourly",
            "narrow --since/--until or use --per day",
        ),
        Granularity::Day => (span.num_days() + 2, "daily", "narrow --since/--until"),
    };
    if count > MAX_BUCKETS {
        return Err(Error::invalid(
            "time range",
            format!(
                "{since} to {until} is about {count} {unit} points, more than {MAX_BUCKETS}: {hint}"
            ),
        ));
    }
    Ok(count)
}

/// Parses `24h`, `7d`, `90m`, `2w` (before now) or an RFC 3339 instant.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let bad = || {
        Error::invalid(
            format!("time {text:?}"),
            "give an RFC 3339 instant (2026-11-20T00:00:00Z) or an age such as 90m, 24h, 7d, 2w",
        )
    };
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    if !text.is_char_boundary(split) {
        return Err(bad());
    }
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let age = match unit {
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        "w" => Duration::try_weeks(n),
        _ => None,
    }
    .filter(|_| n >= 0)
    .ok_or_else(bad)?;
    now.checked_sub_signed(age).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_of_millions_of_buckets_is_refused_before_any_query() {
        let t = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let now = t("2026-12-05T10:00:00Z");
        let since = t("0001-01-01T00:00:00Z");
        let err = check_bucket_count(since, now, Granularity::Hour).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("time range"), "{text}");
        assert!(text.contains("17758908 hourly"), "{text}");
        assert!(text.contains("--per day"), "{text}");
        let err = check_bucket_count(since, now, Granularity::Day).unwrap_err();
        assert!(err.to_string().contains("daily"), "{err}");
        // A year per hour and 27 years per day still fit.
        assert!(check_bucket_count(now - Duration::days(365), now, Granularity::Hour).is_ok());
        assert!(check_bucket_count(now - Duration::days(365 * 27), now, Granularity::Day).is_ok());
        assert_eq!(
            check_bucket_count(
                t("2026-11-20T00:00:00Z"),
                t("2026-11-21T00:00:00Z"),
                Granularity::Hour
            )
            .unwrap(),
            26
        );
    }

    #[test]
    fn covers_take_whole_months_then_days_then_hours() {
        let t = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let d = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        // Ragged hours at both ends, days around two whole months.
        let c = Cover::of(t("2026-09-29T05:00:00Z"), t("2026-12-01T14:00:00Z"));
        assert_eq!(
            c,
            Cover {
                hours: [
                    (t("2026-09-29T05:00:00Z"), t("2026-09-30T00:00:00Z")),
                    (t("2026-12-01T00:00:00Z"), t("2026-12-01T14:00:00Z"))
                ],
                days: [
                    (d("2026-09-30"), d("2026-10-01")),
                    (d("2026-12-01"), d("2026-12-01"))
                ],
                months: (d("2026-10-01"), d("2026-12-01")),
            }
        );
        // Whole days, no whole month.
        let c = Cover::of(t("2026-10-31T00:00:00Z"), t("2026-11-03T00:00:00Z"));
        assert_eq!(c.hours[0].0, c.hours[0].1);
        assert_eq!(c.hours[1].0, c.hours[1].1);
        assert_eq!(c.days[0], (d("2026-10-31"), d("2026-11-03")));
        assert_eq!(c.months.0, c.months.1);
        // Within one day: hours only.
        let c = Cover::of(t("2026-10-10T03:00:00Z"), t("2026-10-10T09:00:00Z"));
        assert_eq!(
            c.hours,
            [
                (t("2026-10-10T03:00:00Z"), t("2026-10-10T09:00:00Z")),
                (t("2026-10-10T09:00:00Z"), t("2026-10-10T09:00:00Z"))
            ]
        );
        assert_eq!(c.days[0].0, c.days[0].1);
        assert_eq!(c.months.0, c.months.1);
        // Exactly a month.
        let c = Cover::of(t("2026-02-01T00:00:00Z"), t("2026-03-01T00:00:00Z"));
        assert_eq!(c.months, (d("2026-02-01"), d("2026-03-01")));
        assert_eq!(c.days[0].0, c.days[0].1);
        assert_eq!(c.days[1].0, c.days[1].1);
    }

    #[test]
    fn ages_and_instants() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_since("24h", now).unwrap(), now - Duration::hours(24));
        assert_eq!(parse_since("7d", now).unwrap(), now - Duration::days(7));
        assert_eq!(
            parse_since("90m", now).unwrap(),
            now - Duration::minutes(90)
        );
        assert_eq!(
            parse_since("2026-11-01T00:00:00Z", now)
                .unwrap()
                .to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        for bad in ["", "d", "7y", "-1d", "99999999999999d", "é"] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn most_missed_families_leave_out_families_without_misses_and_break_ties_by_name() {
        let family = |name: &str, hits: i64, misses: i64| {
            let mut tally = Tally::default();
            (0..hits).for_each(|_| tally.add(Outcome::Hit, None));
            (0..misses).for_each(|_| tally.add(Outcome::Miss, None));
            FamilyStats {
                family: name.to_owned(),
                totals: Figures::from(&tally),
                hit_rate: Vec::new(),
            }
        };
        let families = [
            family("report:system-health", 50, 0),
            family("user:{id}:conversations:list", 9, 2),
            family("user:{id}:analytics:dashboard", 1, 3),
            family("conversation:{id}:detail", 0, 2),
        ];
        assert_eq!(
            most_missed(&families),
            [
                "user:{id}:analytics:dashboard",
                "conversation:{id}:detail",
                "user:{id}:conversations:list"
            ]
        );
    }
}
