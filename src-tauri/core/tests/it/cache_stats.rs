//! Hit/miss statistics against real Postgres: events with known outcomes rolled up and compared
//! figure by figure; reruns, overlapping and concurrent rollups, late events, prune and
//! re-import never double count or lose an event; log import of real-looking logs (plain lines,
//! pretty-printed `wrangler tail` JSON, malformed lines), twice and after the file grew.

use std::collections::BTreeMap;
use std::io::Write as _;

use cachescope_core::cache_events::{insert_events, NewEvent, Outcome};
use cachescope_core::progress::Progress;
use cachescope_core::reports::Catalog;
use cachescope_core::stats::key_families::KeyFamilies;
use cachescope_core::stats::log_import::{import_file, ImportOptions};
use cachescope_core::stats::queries::{
    cache_stats, Figures, Granularity, StatsQuery, FAMILY_LINES,
};
use cachescope_core::stats::rollup::{prune, rollup, RollupOptions, Tally, LATENCY_BOUNDS_MS};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng as _, SeedableRng as _};
use sqlx::PgPool;

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn families() -> KeyFamilies {
    KeyFamilies::new(&Catalog::builtin().unwrap())
}

async fn migrated(pool: &PgPool) {
    cachescope_core::db::migrate(pool).await.unwrap();
}

/// Independently computed expectations for one (hour, family).
#[derive(Default, Debug, Clone, PartialEq)]
struct Expected {
    counts: BTreeMap<&'static str, i64>,
    latencies: Vec<f64>,
}

impl Expected {
    fn n(&self, o: &str) -> i64 {
        self.counts.get(o).copied().unwrap_or(0)
    }

    /// Nearest-rank percentile of the raw latencies, reported as the bound of its bucket.
    fn percentile(&self, q: f64) -> Option<f64> {
        let mut sorted = self.latencies.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        let value = sorted[rank - 1];
        Some(
            LATENCY_BOUNDS_MS
                .iter()
                .copied()
                .find(|b| *b >= value)
                .unwrap_or(60000.0),
        )
    }
}

const KEYS: [(&str, &str); 6] = [
    ("report:system-health", "report:system-health"),
    ("report:team:enterprise", "report:team:{dept}"),
    (
        "user:abc123:conversations:list",
        "user:{userId}:conversations:list",
    ),
    (
        "user:9f86d081:conversations:list",
        "user:{userId}:conversations:list",
    ),
    (
        "conversation:3f2b8c1e-9a4d-4e2f-8b7a-1c2d3e4f5a6b:detail",
        "conversation:{id}:detail",
    ),
    // Bytes that text COPY escapes, and characters beyond ASCII, cross the rollup unchanged.
    (
        "legacy:tab\there:caf\u{e9}\\path\nline",
        "legacy:tab\there:caf\u{e9}\\path\nline",
    ),
];

/// 3,000 events over five hours of 2026-11-20 with seeded outcomes and latencies.
fn ground_truth() -> (Vec<NewEvent>, BTreeMap<(i64, String), Expected>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let start = t("2026-11-20T08:00:00Z");
    let mut events = Vec::new();
    let mut expected: BTreeMap<(i64, String), Expected> = BTreeMap::new();
    for _ in 0..3000 {
        let at = start + Duration::milliseconds(rng.random_range(0..5 * 3_600_000));
        let (key, family) = KEYS[rng.random_range(0..KEYS.len())];
        let outcome = Outcome::ALL[rng.random_range(0..7)];
        let latency = match rng.random_range(0..4) {
            0 => None,
            1 => Some(f64::from(rng.random_range(0..10))),
            2 => Some(rng.random_range(0.0..500.0)),
            _ => Some(rng.random_range(1000.0..90_000.0)),
        };
        let e = expected
            .entry((at.timestamp() / 3600, family.to_owned()))
            .or_default();
        *e.counts.entry(outcome.as_str()).or_default() += 1;
        e.latencies.extend(latency);
        events.push(NewEvent {
            at,
            key: key.to_owned(),
            outcome,
            latency_ms: latency,
            source: "test".to_owned(),
        });
    }
    (events, expected)
}

type HourlyRow = (
    DateTime<Utc>,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    f64,
    Vec<i64>,
);

async fn hourly(pool: &PgPool) -> Vec<HourlyRow> {
    sqlx::query_as(
        "SELECT hour, family, hits, misses, stale, errors, sets, deletes, lists, latency_count,
                latency_sum_ms, latency_buckets
         FROM cachescope.cache_stats_hourly ORDER BY hour, family",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn daily(pool: &PgPool) -> Vec<(chrono::NaiveDate, String, i64, i64, i64, Vec<i64>)> {
    sqlx::query_as(
        "SELECT day, family, hits, misses, latency_count, latency_buckets
         FROM cachescope.cache_stats_daily ORDER BY day, family",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn raw_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM cachescope.cache_events_all")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The oldest raw event, as the Stats query reports it and as a full scan finds it.
async fn oldest_raw_event(
    pool: &PgPool,
    f: &KeyFamilies,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let query = StatsQuery {
        since: t("2026-11-01T00:00:00Z"),
        until: t("2026-12-01T00:00:00Z"),
        family: None,
        granularity: None,
    };
    let reported = cache_stats(pool, f, &query).await.unwrap().raw_events_since;
    let scanned = sqlx::query_scalar("SELECT min(at) FROM cachescope.cache_events_all")
        .fetch_one(pool)
        .await
        .unwrap();
    (reported, scanned)
}

/// Rows of a rollup table as tallies, by (time as text, family; "" for the all-families tables).
async fn tally_rows(pool: &PgPool, table: &str) -> BTreeMap<(String, String), Tally> {
    use sqlx::Row as _;
    let (at, family) = match table {
        "cache_stats_hourly" => (
            "to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')",
            "family",
        ),
        "cache_stats_hourly_all" => ("to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')", "''"),
        "cache_stats_daily" => ("day::text", "family"),
        "cache_stats_daily_all" => ("day::text", "''"),
        "cache_stats_monthly" => ("month::text", "family"),
        other => panic!("{other}"),
    };
    let rows = sqlx::query(&format!(
        "SELECT {at}, {family}, hits, misses, stale, errors, sets, deletes, lists, latency_count,
                latency_sum_ms, latency_buckets FROM cachescope.{table}"
    ))
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for row in rows {
        let mut tally = Tally::default();
        for i in 0..7 {
            tally.by_outcome[i] = row.get(2 + i);
        }
        tally.latency_count = row.get(9);
        tally.latency_sum_ms = row.get(10);
        let buckets: Vec<i64> = row.get(11);
        tally.buckets.copy_from_slice(&buckets);
        let previous = out.insert((row.get::<String, _>(0), row.get::<String, _>(1)), tally);
        assert!(previous.is_none(), "{table}: one row per time and family");
    }
    out
}

/// Equal counts, and latency sums equal up to the order of float additions.
fn assert_same_tallies(
    what: &str,
    got: &BTreeMap<(String, String), Tally>,
    want: &BTreeMap<(String, String), Tally>,
) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: the same rows"
    );
    for (k, g) in got {
        let w = &want[k];
        assert!(
            (g.latency_sum_ms - w.latency_sum_ms).abs() <= 1e-9 * w.latency_sum_ms.abs().max(1.0),
            "{what} {k:?}"
        );
        let exact = |t: &Tally| Tally {
            latency_sum_ms: 0.0,
            ..t.clone()
        };
        assert_eq!(exact(g), exact(w), "{what} {k:?}");
    }
}

/// Sums of `rows` regrouped by `key` (merged one by one).
fn regrouped(
    rows: &BTreeMap<(String, String), Tally>,
    key: impl Fn(&(String, String)) -> (String, String),
) -> BTreeMap<(String, String), Tally> {
    let mut out: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for (k, t) in rows {
        out.entry(key(k)).or_default().merge(t);
    }
    out
}

/// Every pre-summed table holds exactly the sums of the rows below it: the hours of all
/// families, the days per family and of all families, the months per family.
async fn assert_presummed_consistent(pool: &PgPool) {
    let hourly = tally_rows(pool, "cache_stats_hourly").await;
    let daily = tally_rows(pool, "cache_stats_daily").await;
    assert_same_tallies(
        "hourly, all families",
        &tally_rows(pool, "cache_stats_hourly_all").await,
        &regrouped(&hourly, |(h, _)| (h.clone(), String::new())),
    );
    assert_same_tallies(
        "daily",
        &daily,
        &regrouped(&hourly, |(h, f)| (h[..10].to_owned(), f.clone())),
    );
    assert_same_tallies(
        "daily, all families",
        &tally_rows(pool, "cache_stats_daily_all").await,
        &regrouped(&daily, |(d, _)| (d.clone(), String::new())),
    );
    assert_same_tallies(
        "monthly",
        &tally_rows(pool, "cache_stats_monthly").await,
        &regrouped(&daily, |(d, f)| (format!("{}-01", &d[..7]), f.clone())),
    );
}

#[sqlx::test(migrations = false)]
async fn rollup_of_known_events_matches_every_figure(pool: PgPool) {
    migrated(&pool).await;
    let (events, expected) = ground_truth();
    insert_events(&pool, &events).await.unwrap();
    let f = families();
    let done = rollup(&pool, &f, &RollupOptions::default(), &Progress::none())
        .await
        .unwrap();
    assert_eq!(
        (
            done.hours_recomputed,
            done.hours_merged,
            done.events,
            done.days
        ),
        (5, 0, 3000, 1)
    );
    assert_presummed_consistent(&pool).await;

    let rows = hourly(&pool).await;
    assert_eq!(rows.len(), expected.len());
    for row in &rows {
        let e = &expected[&(row.0.timestamp() / 3600, row.1.clone())];
        let counts = [row.2, row.3, row.4, row.5, row.6, row.7, row.8];
        let want: Vec<i64> = Outcome::ALL.iter().map(|o| e.n(o.as_str())).collect();
        assert_eq!(counts.to_vec(), want, "{} {}", row.0, row.1);
        assert_eq!(row.9, e.latencies.len() as i64);
        assert!((row.10 - e.latencies.iter().sum::<f64>()).abs() < 1e-6);
        assert_eq!(row.11.iter().sum::<i64>(), e.latencies.len() as i64);
    }

    // The query: one hour, one family, every figure.
    let hour = t("2026-11-20T10:00:00Z");
    let family = "user:{userId}:conversations:list";
    let stats = cache_stats(
        &pool,
        &f,
        &StatsQuery {
            since: hour,
            until: hour + Duration::hours(1),
            family: Some(family.to_owned()),
            granularity: None,
        },
    )
    .await
    .unwrap();
    let e = &expected[&(hour.timestamp() / 3600, family.to_owned())];
    let fig = &stats.totals;
    assert_eq!(stats.granularity, Granularity::Hour);
    assert_eq!(stats.buckets, vec!["2026-11-20T10:00:00Z".to_owned()]);
    let reads = e.n("hit") + e.n("miss") + e.n("stale") + e.n("error");
    assert_eq!(
        (
            fig.hits,
            fig.misses,
            fig.stale,
            fig.errors,
            fig.sets,
            fig.deletes,
            fig.lists
        ),
        (
            e.n("hit") as u64,
            e.n("miss") as u64,
            e.n("stale") as u64,
            e.n("error") as u64,
            e.n("set") as u64,
            e.n("delete") as u64,
            e.n("list") as u64
        )
    );
    assert_eq!(fig.reads, reads as u64);
    assert_eq!(fig.hit_rate, Some(e.n("hit") as f64 / reads as f64));
    assert_eq!(fig.db_queries_saved, (e.n("hit") + e.n("stale")) as u64);
    assert_eq!(fig.latency_p50_ms, e.percentile(0.5));
    assert_eq!(fig.latency_p95_ms, e.percentile(0.95));
    assert_eq!(fig.latency_p99_ms, e.percentile(0.99));
    let mean = e.latencies.iter().sum::<f64>() / e.latencies.len() as f64;
    assert!((fig.latency_mean_ms.unwrap() - mean).abs() < 1e-9);
    assert_eq!(stats.families.len(), 1);

    // The whole day, per day: the sums of every hour and family, percentiles over all of them.
    let day = cache_stats(
        &pool,
        &f,
        &StatsQuery {
            since: t("2026-11-20T00:00:00Z"),
            until: t("2026-11-21T00:00:00Z"),
            family: None,
            granularity: Some(Granularity::Day),
        },
    )
    .await
    .unwrap();
    let mut all = Expected::default();
    for e in expected.values() {
        for (o, n) in &e.counts {
            *all.counts.entry(o).or_default() += n;
        }
        all.latencies.extend(&e.latencies);
    }
    assert_eq!(day.buckets, vec!["2026-11-20T00:00:00Z".to_owned()]);
    assert_eq!(day.totals.hits, all.n("hit") as u64);
    assert_eq!(day.totals.misses, all.n("miss") as u64);
    assert_eq!(day.series[0], day.totals);
    assert_eq!(day.totals.latency_p95_ms, all.percentile(0.95));
    assert_eq!(day.totals.latency_p50_ms, all.percentile(0.5));
    assert_eq!(day.families.len(), 5);
    let ops = &day.kv_operations;
    assert_eq!(ops.len(), 1);
    assert_eq!(
        (ops[0].reads, ops[0].writes, ops[0].deletes, ops[0].lists),
        (
            (all.n("hit") + all.n("miss") + all.n("stale") + all.n("error")) as u64,
            all.n("set") as u64,
            all.n("delete") as u64,
            all.n("list") as u64
        )
    );
    assert_eq!(day.limits.reads, 100_000);
    assert_eq!(day.targets.hit_rate, 0.9);
    // Missed keys, from the raw events, exactly.
    let mut misses: BTreeMap<&str, u64> = BTreeMap::new();
    for e in events.iter().filter(|e| e.outcome == Outcome::Miss) {
        *misses.entry(e.key.as_str()).or_default() += 1;
    }
    assert_eq!(day.top_missed_keys.len(), KEYS.len());
    for k in &day.top_missed_keys {
        assert_eq!(k.misses, misses[k.key.as_str()], "{}", k.key);
    }
    assert!(day
        .top_missed_keys
        .windows(2)
        .all(|w| w[0].misses >= w[1].misses));

    // Daily rows are the sums of the hourly rows.
    let days = daily(&pool).await;
    assert_eq!(days.len(), 5);
    for (_, family, hits, misses, latency_count, _) in &days {
        let rows: Vec<_> = rows.iter().filter(|r| &r.1 == family).collect();
        assert_eq!(*hits, rows.iter().map(|r| r.2).sum::<i64>());
        assert_eq!(*misses, rows.iter().map(|r| r.3).sum::<i64>());
        assert_eq!(*latency_count, rows.iter().map(|r| r.9).sum::<i64>());
    }

    // The query's sums (done by Postgres) equal the hourly rows merged one by one, per hour and
    // per family: every figure of every bucket, every family's totals and hit-rate line.
    for (granularity, until) in [
        (Granularity::Hour, t("2026-11-20T14:00:00Z")),
        (Granularity::Day, t("2026-11-22T00:00:00Z")),
    ] {
        let stats = cache_stats(
            &pool,
            &f,
            &StatsQuery {
                since: t("2026-11-20T07:00:00Z"),
                until,
                family: None,
                granularity: Some(granularity),
            },
        )
        .await
        .unwrap();
        let bucket_of = |at: DateTime<Utc>| {
            let start = match granularity {
                Granularity::Hour => at,
                Granularity::Day => at.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc(),
            };
            let name = start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            stats.buckets.iter().position(|b| *b == name).unwrap()
        };
        let mut series = vec![Tally::default(); stats.buckets.len()];
        let mut totals = Tally::default();
        let mut by_family: BTreeMap<String, (Tally, Vec<Tally>)> = BTreeMap::new();
        for r in &rows {
            let mut tally = Tally {
                by_outcome: [r.2, r.3, r.4, r.5, r.6, r.7, r.8],
                latency_count: r.9,
                latency_sum_ms: r.10,
                ..Tally::default()
            };
            tally.buckets.copy_from_slice(&r.11);
            let i = bucket_of(r.0);
            series[i].merge(&tally);
            totals.merge(&tally);
            let e = by_family
                .entry(r.1.clone())
                .or_insert_with(|| (Tally::default(), vec![Tally::default(); series.len()]));
            e.0.merge(&tally);
            e.1[i].merge(&tally);
        }
        // Float sums may differ in the last bits with the order of addition.
        let same = |got: &Figures, want: &Figures| {
            let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                (a, b) => a == b,
            };
            assert!(close(got.latency_mean_ms, want.latency_mean_ms));
            let exact = |f: &Figures| Figures {
                latency_mean_ms: None,
                ..f.clone()
            };
            assert_eq!(exact(got), exact(want));
        };
        same(&stats.totals, &Figures::from(&totals));
        assert_eq!(stats.series.len(), series.len());
        for (got, want) in stats.series.iter().zip(&series) {
            same(got, &Figures::from(want));
        }
        assert_eq!(stats.families.len(), by_family.len());
        // The most read families (or the one asked for) have a hit-rate line; the others none.
        for (rank, family) in stats.families.iter().enumerate() {
            let (total, per_bucket) = &by_family[&family.family];
            same(&family.totals, &Figures::from(total));
            let rates: Vec<Option<f64>> = per_bucket
                .iter()
                .map(|t| Figures::from(t).hit_rate)
                .collect();
            if rank < FAMILY_LINES && family.totals.reads > 0 {
                assert_eq!(family.hit_rate, rates);
            } else {
                assert!(family.hit_rate.is_empty(), "{}", family.family);
            }
        }
        assert!(stats
            .families
            .windows(2)
            .all(|w| w[0].totals.reads >= w[1].totals.reads));
        let mut missed: Vec<(i64, &String)> = by_family
            .iter()
            .map(|(family, (total, _))| (total.count(Outcome::Miss), family))
            .filter(|(misses, _)| *misses > 0)
            .collect();
        missed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let missed: Vec<&String> = missed.into_iter().map(|(_, family)| family).collect();
        assert_eq!(
            stats.most_missed_families.iter().collect::<Vec<_>>(),
            missed
        );
    }
}

/// Figures equal up to the order of float additions (the latency mean).
fn assert_same_figures(what: &str, got: &Figures, want: &Figures) {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        (a, b) => a == b,
    };
    assert!(
        close(got.latency_mean_ms, want.latency_mean_ms),
        "{what}: {got:?} {want:?}"
    );
    let exact = |f: &Figures| Figures {
        latency_mean_ms: None,
        ..f.clone()
    };
    assert_eq!(exact(got), exact(want), "{what}");
}

/// Two months and more of events: the query's figures over ranges that take whole months from
/// the monthly rows, whole days and ragged hours at the ends, and the series from the rows
/// pre-summed over all families, equal the events merged one by one.
#[sqlx::test(migrations = false)]
async fn ranges_over_months_match_the_events_one_by_one(pool: PgPool) {
    migrated(&pool).await;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let start = t("2026-09-28T00:00:00Z");
    let span_ms = (t("2026-12-03T00:00:00Z") - start).num_milliseconds();
    let mut events = Vec::new();
    // Two families beyond KEYS' five, read rarely: more families than get a hit-rate line.
    let rare = [
        "manager:u42:analytics:teamPerformance",
        "recordings:user:u7:page:2:limit:20",
    ];
    for n in 0..4060 {
        let key = if n < 4000 {
            KEYS[rng.random_range(0..KEYS.len())].0
        } else {
            rare[n % 2]
        };
        let latency = match rng.random_range(0..4) {
            0 => None,
            1 => Some(f64::from(rng.random_range(0..10))),
            2 => Some(rng.random_range(0.0..500.0)),
            _ => Some(rng.random_range(1000.0..90_000.0)),
        };
        events.push(NewEvent {
            at: start + Duration::milliseconds(rng.random_range(0..span_ms)),
            key: key.to_owned(),
            outcome: Outcome::ALL[rng.random_range(0..7)],
            latency_ms: latency,
            source: "test".to_owned(),
        });
    }
    insert_events(&pool, &events).await.unwrap();
    let f = families();
    rollup(&pool, &f, &RollupOptions::default(), &Progress::none())
        .await
        .unwrap();
    assert_presummed_consistent(&pool).await;
    let months: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT month) FROM cachescope.cache_stats_monthly")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(months, 4);

    let family = "user:{userId}:conversations:list";
    for (since, until, family, granularity) in [
        ("2026-09-28T00:00:00Z", "2026-12-03T00:00:00Z", None, None),
        (
            "2026-09-29T05:30:00Z",
            "2026-12-01T13:10:00Z",
            None,
            Some(Granularity::Hour),
        ),
        (
            "2026-09-29T05:30:00Z",
            "2026-12-01T13:10:00Z",
            None,
            Some(Granularity::Day),
        ),
        (
            "2026-09-29T05:30:00Z",
            "2026-12-01T13:10:00Z",
            Some(family),
            Some(Granularity::Hour),
        ),
        (
            "2026-10-01T00:00:00Z",
            "2026-11-01T00:00:00Z",
            Some(family),
            None,
        ),
        ("2026-10-31T22:00:00Z", "2026-11-02T03:00:00Z", None, None),
        ("2026-10-10T03:15:00Z", "2026-10-10T09:00:00Z", None, None),
        ("2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z", None, None),
    ] {
        let what = format!("{since} .. {until} {family:?} {granularity:?}");
        let query = StatsQuery {
            since: t(since),
            until: t(until),
            family: family.map(str::to_owned),
            granularity,
        };
        let stats = cache_stats(&pool, &f, &query).await.unwrap();
        // The buckets: every whole hour or UTC day that overlaps the range.
        let per_day = stats.granularity == Granularity::Day;
        let floor = |at: DateTime<Utc>| {
            if per_day {
                at.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc()
            } else {
                DateTime::from_timestamp(at.timestamp().div_euclid(3600) * 3600, 0).unwrap()
            }
        };
        let step = if per_day {
            Duration::days(1)
        } else {
            Duration::hours(1)
        };
        let mut starts = vec![floor(query.since)];
        while *starts.last().unwrap() + step < query.until {
            starts.push(*starts.last().unwrap() + step);
        }
        let names: Vec<String> = starts
            .iter()
            .map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect();
        assert_eq!(stats.buckets, names, "{what}");
        let end = *starts.last().unwrap() + step;
        let mut series = vec![Tally::default(); starts.len()];
        let mut by_family: BTreeMap<String, (Tally, Vec<Tally>)> = BTreeMap::new();
        let mut days: BTreeMap<String, Tally> = BTreeMap::new();
        for e in &events {
            let fam = f.family(&e.key).into_owned();
            if family.is_some_and(|want| want != fam) {
                continue;
            }
            if e.at.date_naive() >= query.since.date_naive()
                && e.at.date_naive() <= (query.until - Duration::nanoseconds(1)).date_naive()
            {
                days.entry(e.at.format("%Y-%m-%d").to_string())
                    .or_default()
                    .add(e.outcome, e.latency_ms);
            }
            if e.at < starts[0] || e.at >= end {
                continue;
            }
            let i = starts.partition_point(|s| *s <= e.at) - 1;
            series[i].add(e.outcome, e.latency_ms);
            let entry = by_family
                .entry(fam)
                .or_insert_with(|| (Tally::default(), vec![Tally::default(); starts.len()]));
            entry.0.add(e.outcome, e.latency_ms);
            entry.1[i].add(e.outcome, e.latency_ms);
        }
        let mut totals = Tally::default();
        for (i, want) in series.iter().enumerate() {
            assert_same_figures(
                &format!("{what} bucket {i}"),
                &stats.series[i],
                &Figures::from(want),
            );
            totals.merge(want);
        }
        assert_same_figures(&what, &stats.totals, &Figures::from(&totals));
        assert_eq!(
            stats
                .families
                .iter()
                .map(|x| x.family.clone())
                .collect::<std::collections::BTreeSet<_>>(),
            by_family.keys().cloned().collect(),
            "{what}"
        );
        assert!(stats
            .families
            .windows(2)
            .all(|w| w[0].totals.reads >= w[1].totals.reads));
        for (rank, got) in stats.families.iter().enumerate() {
            let (total, per_bucket) = &by_family[&got.family];
            assert_same_figures(
                &format!("{what} {}", got.family),
                &got.totals,
                &Figures::from(total),
            );
            let rates: Vec<Option<f64>> = per_bucket
                .iter()
                .map(|t| Figures::from(t).hit_rate)
                .collect();
            if rank < FAMILY_LINES && got.totals.reads > 0 {
                assert_eq!(got.hit_rate, rates, "{what} {}", got.family);
            } else {
                assert!(got.hit_rate.is_empty(), "{what} {}", got.family);
            }
        }
        // KV operations per UTC day of the range with events (whole days, per hour too).
        let want_days: Vec<(String, u64, u64, u64, u64)> = days
            .iter()
            .map(|(day, t)| {
                let f = Figures::from(t);
                (day.clone(), f.reads, f.sets, f.deletes, f.lists)
            })
            .collect();
        let got_days: Vec<(String, u64, u64, u64, u64)> = stats
            .kv_operations
            .iter()
            .map(|d| (d.day.clone(), d.reads, d.writes, d.deletes, d.lists))
            .collect();
        assert_eq!(got_days, want_days, "{what}");
    }
}

/// The migration that added the pre-summed tables fills them from rollups made before it with
/// what the rollup itself writes.
#[sqlx::test(migrations = false)]
async fn the_presummed_tables_are_backfilled_from_older_rollups(pool: PgPool) {
    migrated(&pool).await;
    let (events, _) = ground_truth();
    insert_events(&pool, &events).await.unwrap();
    let mut later = events.clone();
    for e in &mut later {
        e.at += Duration::days(40);
    }
    insert_events(&pool, &later).await.unwrap();
    rollup(
        &pool,
        &families(),
        &RollupOptions::default(),
        &Progress::none(),
    )
    .await
    .unwrap();
    let tables = [
        "cache_stats_hourly_all",
        "cache_stats_daily_all",
        "cache_stats_monthly",
    ];
    let mut written = Vec::new();
    for table in tables {
        written.push(tally_rows(&pool, table).await);
    }
    assert!(written.iter().all(|rows| !rows.is_empty()));
    let migration = cachescope_core::db::CONSOLE_MIGRATOR
        .iter()
        .find(|m| m.description.contains("presummed"))
        .unwrap();
    sqlx::raw_sql(&format!(
        "DROP TABLE cachescope.{}",
        tables.join(", cachescope.")
    ))
    .execute(&pool)
    .await
    .unwrap();
    sqlx::raw_sql(&migration.sql).execute(&pool).await.unwrap();
    for (table, rows) in tables.iter().zip(&written) {
        assert_same_tallies(table, &tally_rows(&pool, table).await, rows);
    }
}

#[sqlx::test(migrations = false)]
async fn reruns_overlaps_and_concurrent_rollups_never_double_count(pool: PgPool) {
    migrated(&pool).await;
    let (events, _) = ground_truth();
    insert_events(&pool, &events[..2000]).await.unwrap();
    let f = families();
    let none = Progress::none();
    rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    let first = hourly(&pool).await;
    // Nothing changed: nothing to do, same rows.
    let again = rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    assert_eq!((again.hours_recomputed, again.events), (0, 0));
    assert_eq!(hourly(&pool).await, first);
    assert_presummed_consistent(&pool).await;
    let presummed = [
        tally_rows(&pool, "cache_stats_hourly_all").await,
        tally_rows(&pool, "cache_stats_daily_all").await,
        tally_rows(&pool, "cache_stats_monthly").await,
    ];
    // Forced over an overlapping range: recomputed, identical (the pre-summed rows too, to the
    // last bit of their float sums).
    let forced = RollupOptions {
        since: Some(t("2026-11-20T09:00:00Z")),
        until: Some(t("2026-11-20T11:00:00Z")),
    };
    let redone = rollup(&pool, &f, &forced, &none).await.unwrap();
    assert_eq!(redone.hours_recomputed, 2);
    assert_eq!(hourly(&pool).await, first);
    for (table, before) in [
        "cache_stats_hourly_all",
        "cache_stats_daily_all",
        "cache_stats_monthly",
    ]
    .iter()
    .zip(&presummed)
    {
        let after = tally_rows(&pool, table).await;
        for (k, v) in &after {
            assert_eq!(Some(v), before.get(k), "{table} {k:?}");
        }
        assert_eq!(after.len(), before.len(), "{table}");
    }

    // The rest arrives; two rollups run at once, and a third overlapping one.
    insert_events(&pool, &events[2000..]).await.unwrap();
    let everything = RollupOptions::default();
    let (a, b, c) = tokio::join!(
        rollup(&pool, &f, &everything, &none),
        rollup(&pool, &f, &everything, &none),
        rollup(&pool, &f, &forced, &none),
    );
    a.unwrap();
    b.unwrap();
    c.unwrap();
    let totals: (i64, i64) = sqlx::query_as(
        "SELECT sum(hits + misses + stale + errors + sets + deletes + lists)::bigint,
                sum(latency_count)::bigint FROM cachescope.cache_stats_hourly",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let with_latency = events.iter().filter(|e| e.latency_ms.is_some()).count() as i64;
    assert_eq!(totals, (3000, with_latency));
    let ledger: i64 =
        sqlx::query_scalar("SELECT sum(events)::bigint FROM cachescope.cache_rollup_hours")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(ledger, 3000);
    assert_presummed_consistent(&pool).await;
}

#[sqlx::test(migrations = false)]
async fn prune_then_late_events_count_once_and_nothing_is_lost(pool: PgPool) {
    migrated(&pool).await;
    let (events, _) = ground_truth();
    insert_events(&pool, &events).await.unwrap();
    let f = families();
    let none = Progress::none();
    let now = t("2026-11-30T00:00:00Z");
    // Raw events from a log import too (their own table): pruned and merged like the others.
    let dir = tempfile::tempdir().unwrap();
    let import = |name: &str, line: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{line}\n")).unwrap();
        let pool = pool.clone();
        async move {
            let options = ImportOptions {
                source: "api-worker".to_owned(),
                fallback_at: None,
            };
            let done = import_file(&pool, &path, &options, &Progress::none())
                .await
                .unwrap();
            assert_eq!(done.events, 1);
        }
    };
    import(
        "before.log",
        "2026-11-20T09:15:00Z [Cache Hit] report:system-health",
    )
    .await;

    // Not rolled up yet: prune keeps everything.
    let kept = prune(&pool, Duration::days(7), now, &none).await.unwrap();
    assert_eq!(
        (
            kept.hours_pruned,
            kept.events_deleted,
            kept.hours_not_rolled_up
        ),
        (0, 0, 5)
    );
    assert_eq!(raw_count(&pool).await, 3001);

    rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    let before = hourly(&pool).await;
    // One event is imported for 12:00 after the rollup: that hour is kept, the others pruned.
    import(
        "noon.log",
        "2026-11-20T12:30:00Z [Cache Hit] report:system-health",
    )
    .await;
    let late = |at: &str, key: &str, outcome| NewEvent {
        at: t(at),
        key: key.to_owned(),
        outcome,
        latency_ms: Some(7.0),
        source: "late".to_owned(),
    };
    let first = prune(&pool, Duration::days(7), now, &none).await.unwrap();
    assert_eq!((first.hours_pruned, first.hours_not_rolled_up), (4, 1));
    let noon: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cachescope.cache_events_all WHERE at >= '2026-11-20T12:00:00Z'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(raw_count(&pool).await, noon);
    assert_eq!(first.events_deleted as i64, 3002 - noon);
    // The oldest kept event, found from the ledger's oldest unpruned hour.
    let (reported, scanned) = oldest_raw_event(&pool, &f).await;
    assert!(scanned.is_some());
    assert_eq!(reported, scanned);
    rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    let second = prune(&pool, Duration::days(7), now, &none).await.unwrap();
    assert_eq!(
        (
            second.hours_pruned,
            second.events_deleted as i64,
            second.hours_not_rolled_up
        ),
        (1, noon, 0)
    );
    assert_eq!(raw_count(&pool).await, 0);
    let after_prune = hourly(&pool).await;
    assert_eq!(after_prune.len(), before.len());
    let total = |rows: &[HourlyRow]| {
        rows.iter()
            .map(|r| r.2 + r.3 + r.4 + r.5 + r.6 + r.7 + r.8)
            .sum::<i64>()
    };
    assert_eq!(total(&after_prune), 3002);

    // Rollups after the prune, forced or not, neither recount nor lose the pruned hours.
    let forced = RollupOptions {
        since: Some(t("2026-11-20T00:00:00Z")),
        until: Some(t("2026-11-21T00:00:00Z")),
    };
    rollup(&pool, &f, &forced, &none).await.unwrap();
    rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    assert_eq!(hourly(&pool).await, after_prune);
    assert_presummed_consistent(&pool).await;

    // Late events for a pruned hour (and a new family in it) are added once and deleted.
    insert_events(
        &pool,
        &[
            late(
                "2026-11-20T09:10:00Z",
                "report:system-health",
                Outcome::Miss,
            ),
            late(
                "2026-11-20T09:20:00Z",
                "intent:user:77:summary",
                Outcome::Hit,
            ),
        ],
    )
    .await
    .unwrap();
    import(
        "late.log",
        "2026-11-20T09:40:00Z [Cache Miss] report:system-health",
    )
    .await;
    // Every hour is pruned: the late events are found by the fallback scan.
    assert_eq!(
        oldest_raw_event(&pool, &f).await,
        (
            Some(t("2026-11-20T09:10:00Z")),
            Some(t("2026-11-20T09:10:00Z"))
        )
    );
    let merged = rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    assert_eq!(
        (merged.hours_merged, merged.hours_recomputed, merged.events),
        (1, 0, 3)
    );
    assert_eq!(raw_count(&pool).await, 0);
    rollup(&pool, &f, &forced, &none).await.unwrap();
    let rows = hourly(&pool).await;
    assert_eq!(total(&rows), 3005);
    assert!(rows
        .iter()
        .any(|r| r.1 == "intent:user:{n}:summary" && r.2 == 1));
    let days = daily(&pool).await;
    assert_eq!(
        days.iter().map(|d| d.2 + d.3).sum::<i64>(),
        rows.iter().map(|r| r.2 + r.3).sum::<i64>()
    );
    // The merged late events reached the sums over all families and the month as well.
    assert_presummed_consistent(&pool).await;
}

#[sqlx::test(migrations = false)]
async fn an_hour_whose_events_vanished_is_emptied(pool: PgPool) {
    migrated(&pool).await;
    let f = families();
    let none = Progress::none();
    let event = NewEvent {
        at: t("2026-11-20T08:00:00Z"),
        key: "report:close-cases".to_owned(),
        outcome: Outcome::Hit,
        latency_ms: None,
        source: "demo".to_owned(),
    };
    insert_events(&pool, &[event]).await.unwrap();
    rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    assert_eq!(hourly(&pool).await.len(), 1);
    assert_presummed_consistent(&pool).await;
    assert_eq!(tally_rows(&pool, "cache_stats_monthly").await.len(), 1);
    sqlx::query("DELETE FROM cachescope.cache_events")
        .execute(&pool)
        .await
        .unwrap();
    rollup(&pool, &f, &RollupOptions::default(), &none)
        .await
        .unwrap();
    assert!(hourly(&pool).await.is_empty());
    assert!(daily(&pool).await.is_empty());
    for table in [
        "cache_stats_hourly_all",
        "cache_stats_daily_all",
        "cache_stats_monthly",
    ] {
        assert!(tally_rows(&pool, table).await.is_empty(), "{table}");
    }
}

const PLAIN_LOG: &str = "\
2026-11-20T08:00:01.000Z [Cache Hit] report:system-health
2026-11-20T08:00:02.000Z [Cache Miss] user:abc123:conversations:list
2026-11-20T08:00:02.900Z [Cache Set] user:abc123:conversations:list (TTL: 3600s)
2026-11-20T08:05:00Z GET /api/conversations 200 14ms
2026-11-20T08:10:00Z [Cache Delete] user:abc123:analytics:dashboard
2026-11-20T08:10:01Z [Cache Hits] report:close-cases
2026-11-20T08:10:02Z [Cache Error] Failed to read \"report:todo-stats\": KV GET timed out
[Cache Hit]
2026-11-20 09:00:00 [Scheduled] Using cached SystemHealthData
2026-11-20T09:15:00Z [Scheduled] KV cache miss, falling back to SQL
[Cache Hit] report:team:enterprise
";

const TAIL_JSON: &str = r#"{
  "outcome": "ok",
  "scriptName": "sales-api",
  "diagnosticsChannelEvents": [],
  "exceptions": [],
  "logs": [
    {
      "message": [
        "[Cache Hit] user:9f86d081:analytics:dashboard"
      ],
      "level": "log",
      "timestamp": 1763632800000
    },
    {
      "message": [
        "[Cache Miss]",
        "conversation:3f2b8c1e-9a4d-4e2f-8b7a-1c2d3e4f5a6b:detail"
      ],
      "level": "log",
      "timestamp": 1763632801000
    }
  ],
  "eventTimestamp": 1763632799000,
  "event": {
    "request": {
      "url": "https://api.example.com/dashboard",
      "method": "GET"
    }
  }
}
{"outcome":"ok","logs":[{"message":["[Cache Hit] report:close-cases"],"level":"log"}],"eventTimestamp":1763636400000}
{"outcome":"ok","logs":[{"message":["[Cache Hit] report:close-cases"]
"#;

#[sqlx::test(migrations = false)]
async fn log_import_counts_exactly_and_never_twice(pool: PgPool) {
    migrated(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("worker.log");
    std::fs::write(&plain, PLAIN_LOG).unwrap();
    let options = ImportOptions {
        source: "api-worker".to_owned(),
        fallback_at: Some(t("2026-11-20T12:00:00Z")),
    };
    let none = Progress::none();
    let first = import_file(&pool, &plain, &options, &none).await.unwrap();
    assert_eq!(first.lines, 11);
    assert_eq!(first.events, 8);
    // hit, miss, stale, error, set, delete, list
    assert_eq!(first.by_outcome, [3, 2, 0, 1, 1, 1, 0]);
    assert_eq!(first.undated, 1);
    assert_eq!(first.malformed, 2);
    assert_eq!(
        first
            .malformed_samples
            .iter()
            .map(|m| m.line)
            .collect::<Vec<_>>(),
        vec![6, 8]
    );
    assert!(first.malformed_samples[0].reason.contains("unknown marker"));
    assert_eq!((first.skipped_bytes, first.held_back_bytes), (0, 0));
    let stored: Vec<(DateTime<Utc>, String, String, String)> = sqlx::query_as(
        "SELECT at, key, outcome, source FROM cachescope.cache_events_imported ORDER BY at, key",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(stored.len(), 8);
    assert_eq!(
        stored[0],
        (
            t("2026-11-20T08:00:01Z"),
            "report:system-health".to_owned(),
            "hit".to_owned(),
            "api-worker".to_owned()
        )
    );
    assert!(stored.contains(&(
        t("2026-11-20T12:00:00Z"),
        "report:team:enterprise".to_owned(),
        "hit".to_owned(),
        "api-worker".to_owned()
    )));
    assert!(stored.contains(&(
        t("2026-11-20T08:10:02Z"),
        "report:todo-stats".to_owned(),
        "error".to_owned(),
        "api-worker".to_owned()
    )));

    // The same file again: nothing new.
    let again = import_file(&pool, &plain, &options, &none).await.unwrap();
    assert_eq!(
        (again.events, again.skipped_bytes, again.imported_bytes),
        (0, PLAIN_LOG.len() as u64, 0)
    );
    assert_eq!(raw_count(&pool).await, 8);

    // The file grows (and its last line is still being written): only the new lines count.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&plain)
        .unwrap();
    file.write_all(
        b"2026-11-20T10:00:00Z [Cache Miss] report:rep:42\n2026-11-20T10:00:01Z [Cache Hi",
    )
    .unwrap();
    drop(file);
    let grown = import_file(&pool, &plain, &options, &none).await.unwrap();
    assert_eq!((grown.events, grown.lines, grown.malformed), (1, 1, 0));
    assert_eq!(grown.skipped_bytes, PLAIN_LOG.len() as u64);
    assert_eq!(
        grown.held_back_bytes,
        "2026-11-20T10:00:01Z [Cache Hi".len() as u64
    );
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&plain)
        .unwrap();
    file.write_all(b"t] report:rep:42\n").unwrap();
    drop(file);
    let finished = import_file(&pool, &plain, &options, &none).await.unwrap();
    assert_eq!((finished.events, finished.by_outcome[0]), (1, 1));
    assert_eq!(raw_count(&pool).await, 10);
    assert_eq!(
        import_file(&pool, &plain, &options, &none)
            .await
            .unwrap()
            .events,
        0
    );

    // Another file that starts with the same line is another file: all of it counts.
    let other = dir.path().join("other.log");
    std::fs::write(
        &other,
        "2026-11-20T08:00:01.000Z [Cache Hit] report:system-health\n[Cache Miss] report:x\n",
    )
    .unwrap();
    assert_eq!(
        import_file(&pool, &other, &options, &none)
            .await
            .unwrap()
            .events,
        2
    );
    assert_eq!(raw_count(&pool).await, 12);

    // wrangler tail JSON, pretty-printed and one per line; an unclosed object at the end.
    let tail = dir.path().join("tail.json");
    std::fs::write(&tail, TAIL_JSON).unwrap();
    let json = import_file(&pool, &tail, &options, &none).await.unwrap();
    assert_eq!(json.events, 3);
    assert_eq!(json.by_outcome[..2], [2, 1]);
    assert_eq!(json.undated, 0);
    // The object still being written is left for the next import, not counted as malformed.
    assert_eq!(json.malformed, 0);
    let unfinished = r#"{"outcome":"ok","logs":[{"message":["[Cache Hit] report:close-cases"]"#;
    assert_eq!(json.held_back_bytes, unfinished.len() as u64 + 1);
    let dashboard: DateTime<Utc> = sqlx::query_scalar(
        "SELECT at FROM cachescope.cache_events_imported
         WHERE key = 'user:9f86d081:analytics:dashboard'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        dashboard,
        DateTime::from_timestamp_millis(1763632800000).unwrap()
    );
    assert_eq!(
        import_file(&pool, &tail, &options, &none)
            .await
            .unwrap()
            .events,
        0
    );
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&tail)
        .unwrap();
    file.write_all(b",\"level\":\"log\"}],\"eventTimestamp\":1763636400000}\n")
        .unwrap();
    drop(file);
    let completed = import_file(&pool, &tail, &options, &none).await.unwrap();
    assert_eq!(
        (
            completed.events,
            completed.malformed,
            completed.held_back_bytes
        ),
        (1, 0, 0)
    );

    // Import, roll up, prune, import again: the ledger, not the raw events, remembers.
    rollup(&pool, &families(), &RollupOptions::default(), &none)
        .await
        .unwrap();
    prune(&pool, Duration::days(1), t("2026-12-01T00:00:00Z"), &none)
        .await
        .unwrap();
    assert_eq!(raw_count(&pool).await, 0);
    assert_eq!(
        import_file(&pool, &plain, &options, &none)
            .await
            .unwrap()
            .events,
        0
    );
    let counted: i64 = sqlx::query_scalar(
        "SELECT sum(hits + misses + stale + errors + sets + deletes + lists)::bigint FROM cachescope.cache_stats_hourly",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(counted, 16);
    assert_presummed_consistent(&pool).await;
}

#[sqlx::test(migrations = false)]
async fn the_consoles_own_reads_are_counted(pool: PgPool) {
    migrated(&pool).await;
    let reads = cachescope_core::cache_events::console_reads::ConsoleReads::start();
    for (key, outcome) in [
        ("report:system-health", Outcome::Hit),
        ("user:1:conversations:list", Outcome::Miss),
    ] {
        reads.record(
            "demo",
            pool.clone(),
            key,
            outcome,
            std::time::Duration::from_millis(3),
        );
    }
    reads.flush().await;
    let rows: Vec<(String, String, String, f64)> = sqlx::query_as(
        "SELECT key, outcome, source, latency_ms FROM cachescope.cache_events ORDER BY key",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "report:system-health".into(),
                "hit".into(),
                "console".into(),
                3.0
            ),
            (
                "user:1:conversations:list".into(),
                "miss".into(),
                "console".into(),
                3.0
            ),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn a_stats_query_past_its_time_limit_fails_by_name_and_the_next_read_is_whole(pool: PgPool) {
    migrated(&pool).await;
    let f = families();
    let hour = t("2026-11-20T10:00:00Z");
    let events: Vec<NewEvent> = (0..30)
        .map(|i| NewEvent {
            at: hour + Duration::seconds(i),
            key: "report:system-health".to_owned(),
            outcome: if i % 3 == 0 {
                Outcome::Miss
            } else {
                Outcome::Hit
            },
            latency_ms: Some(2.0),
            source: "test".to_owned(),
        })
        .collect();
    insert_events(&pool, &events).await.unwrap();
    rollup(&pool, &f, &RollupOptions::default(), &Progress::none())
        .await
        .unwrap();
    let limited = crate::report_precompute::limited_pool(
        &pool,
        cachescope_core::db_limits::DbLimits {
            stats_query_secs: 1,
            lock_secs: 600,
            ..Default::default()
        },
    );
    let query = StatsQuery {
        since: hour,
        until: hour + Duration::hours(1),
        family: None,
        granularity: None,
    };

    // Another session holds the hourly rollups locked (a long migration, a VACUUM FULL, ...).
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut holder = <sqlx::PgConnection as sqlx::Connection>::connect(&format!(
        "postgres://postgres@127.0.0.1:5432/{db}"
    ))
    .await
    .unwrap();
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("LOCK TABLE cachescope.cache_stats_hourly IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    let err = cache_stats(&limited, &f, &query).await.unwrap_err();
    assert!(
        matches!(
            &err,
            cachescope_core::Error::DbTimeout {
                setting: "stats_query_secs",
                lock: false,
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("Postgres: the statistics' ")
            && message.contains("query ran past its time limit of 1 s"),
        "{message}"
    );
    <sqlx::PgConnection as sqlx::Connection>::close(holder)
        .await
        .unwrap();

    let stats = cache_stats(&limited, &f, &query).await.unwrap();
    assert_eq!((stats.totals.hits, stats.totals.misses), (20, 10));
}
