//! Benchmark of the hit/miss statistics: log import throughput (plain worker lines and
//! `wrangler tail` JSON, parser alone and into Postgres), the rollup of 10M events, and a stats
//! query over a year of hourly rollups for 100 families. Creates (and drops first) the database
//! `cachescope_stats_bench` on the server of `DATABASE_URL`.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo run --release -p cachescope-core --example stats_bench -- [EVENTS] [LOG_MB]
//! ```
//!
//! With `KEEP_BENCH_DATABASE=1` the database is left for a look at the plans afterwards.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::{BufRead as _, Write as _};
use std::time::Instant;

use cachescope_core::progress::Progress;
use cachescope_core::reports::Catalog;
use cachescope_core::stats::key_families::KeyFamilies;
use cachescope_core::stats::log_import::{import_file, parse_text_line, ImportOptions};
use cachescope_core::stats::queries::{cache_stats, Granularity, StatsQuery};
use cachescope_core::stats::rollup::{rollup, RollupOptions, BUCKETS};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng as _, SeedableRng as _};
use sqlx::postgres::PgPoolOptions;

const KEYS: [&str; 8] = [
    "report:system-health",
    "report:team:enterprise",
    "user:{u}:conversations:list",
    "user:{u}:analytics:dashboard",
    "user:{u}:opportunities:list:all",
    "conversation:{c}:detail",
    "recordings:user:{u}:page:2:limit:20",
    "manager:{u}:analytics:teamPerformance",
];

fn key(rng: &mut rand_chacha::ChaCha8Rng) -> String {
    let template = KEYS[rng.random_range(0..KEYS.len())];
    template
        .replace("{u}", &format!("{:08x}", rng.random_range(0..5000u32)))
        .replace(
            "{c}",
            &format!(
                "3f2b8c1e-9a4d-4e2f-8b7a-{:012x}",
                rng.random_range(0..200_000u64)
            ),
        )
}

fn outcome(rng: &mut rand_chacha::ChaCha8Rng) -> &'static str {
    match rng.random_range(0..100) {
        0..88 => "hit",
        88..96 => "miss",
        96..97 => "stale",
        97..98 => "error",
        _ => "set",
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: u64 = args.get(1).map_or(10_000_000, |a| a.parse().unwrap());
    let log_mb: u64 = args.get(2).map_or(500, |a| a.parse().unwrap());
    let admin_url =
        std::env::var("DATABASE_URL").expect("set DATABASE_URL (the server's postgres db)");
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query("DROP DATABASE IF EXISTS cachescope_stats_bench")
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE cachescope_stats_bench")
        .execute(&admin)
        .await
        .unwrap();
    // The same server and options (`?sslmode=...`), the bench's database.
    let (server, options) = admin_url.split_once('?').unwrap_or((&admin_url, ""));
    let url = format!(
        "{}/cachescope_stats_bench{}{options}",
        server.rsplit_once('/').unwrap().0,
        if options.is_empty() { "" } else { "?" }
    );
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await
        .unwrap();
    cachescope_core::db::migrate(&pool).await.unwrap();
    let families = KeyFamilies::new(&Catalog::builtin().unwrap());
    let none = Progress::none();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let dir = tempfile::tempdir().unwrap();

    // 1. Log import: a plain worker log and a wrangler tail JSON file of about LOG_MB each.
    let plain = dir.path().join("worker.log");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&plain).unwrap());
    let mut written = 0u64;
    let mut i = 0u64;
    while written < log_mb * 1_000_000 {
        let at = start + Duration::milliseconds((i * 37) as i64);
        let line = match i % 10 {
            9 => format!(
                "{} GET /api/conversations 200 14ms\n",
                at.format("%Y-%m-%dT%H:%M:%S%.3fZ")
            ),
            8 => format!(
                "{} [Cache Set] {} (TTL: 3600s)\n",
                at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                key(&mut rng)
            ),
            _ => format!(
                "{} [Cache {}] {}\n",
                at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                if rng.random_range(0..10) < 9 {
                    "Hit"
                } else {
                    "Miss"
                },
                key(&mut rng)
            ),
        };
        file.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        i += 1;
    }
    drop(file);
    let tail = dir.path().join("tail.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&tail).unwrap());
    let mut tail_bytes = 0u64;
    let mut j = 0u64;
    while tail_bytes < log_mb * 1_000_000 / 2 {
        let ts = start.timestamp_millis() + (j * 211) as i64;
        let object = serde_json::json!({
            "outcome": "ok",
            "scriptName": "sales-api",
            "diagnosticsChannelEvents": [],
            "exceptions": [],
            "logs": [
                { "message": [format!("[Cache Hit] {}", key(&mut rng))], "level": "log", "timestamp": ts },
                { "message": ["[Cache Miss]", key(&mut rng)], "level": "log", "timestamp": ts + 3 },
            ],
            "eventTimestamp": ts,
            "event": { "request": { "url": "https://api.example.com/x", "method": "GET", "headers": {} } }
        });
        let text = serde_json::to_string_pretty(&object).unwrap() + "\n";
        file.write_all(text.as_bytes()).unwrap();
        tail_bytes += text.len() as u64;
        j += 1;
    }
    drop(file);
    let mb = |path: &std::path::Path| std::fs::metadata(path).unwrap().len() as f64 / 1e6;
    // The parser alone, line by line.
    let started = Instant::now();
    let mut parsed = 0u64;
    for line in std::io::BufReader::new(std::fs::File::open(&plain).unwrap()).lines() {
        if matches!(
            parse_text_line(&line.unwrap()),
            cachescope_core::stats::log_import::ParsedLine::Event(_)
        ) {
            parsed += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "parse only, plain log: {:.0} MB, {parsed} events in {secs:.2} s = {:.0} MB/s",
        mb(&plain),
        mb(&plain) / secs
    );
    let options = ImportOptions::default();
    for path in [&plain, &tail] {
        // As before the Postgres-alone reference: no checkpoint left over from earlier writes.
        sqlx::query("CHECKPOINT").execute(&pool).await.unwrap();
        let started = Instant::now();
        let done = import_file(&pool, path, &options, &none).await.unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "import {}: {:.0} MB, {} lines, {} events in {secs:.2} s = {:.0} MB/s, {:.0} events/s",
            path.file_name().unwrap().to_string_lossy(),
            mb(path),
            done.lines,
            done.events,
            mb(path) / secs,
            done.events as f64 / secs
        );
        if path == &plain {
            server_copy_reference(&pool, mb(path)).await;
        }
        let started = Instant::now();
        let again = import_file(&pool, path, &options, &none).await.unwrap();
        println!(
            "  the same file again: {} events in {:.2} s (prefix hash check)",
            again.events,
            started.elapsed().as_secs_f64()
        );
    }
    sqlx::query("TRUNCATE cachescope.cache_events, cachescope.cache_events_imported")
        .execute(&pool)
        .await
        .unwrap();

    // 2. Rollup of EVENTS events over 14 days.
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    let mut copy = tx
        .copy_in_raw(
            "COPY cachescope.cache_events (at, key, outcome, latency_ms, source) FROM STDIN",
        )
        .await
        .unwrap();
    let span_ms = 14 * 86_400_000i64;
    let mut chunk = String::with_capacity(1 << 21);
    for n in 0..events {
        let at = start + Duration::milliseconds((n as i64 * span_ms) / events as i64);
        let o = outcome(&mut rng);
        let latency = match o {
            "hit" | "stale" => format!("{:.1}", rng.random_range(1.0..40.0)),
            "miss" => format!("{:.1}", rng.random_range(200.0..8000.0)),
            _ => "\\N".to_owned(),
        };
        chunk.push_str(&format!(
            "{}\t{}\t{o}\t{latency}\tbench\n",
            at.format("%Y-%m-%d %H:%M:%S%.3f+00"),
            key(&mut rng)
        ));
        if chunk.len() >= 1 << 21 {
            copy.send(std::mem::take(&mut chunk).into_bytes())
                .await
                .unwrap();
        }
    }
    copy.send(chunk.into_bytes()).await.unwrap();
    copy.finish().await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("VACUUM ANALYZE cachescope.cache_events")
        .execute(&pool)
        .await
        .unwrap();
    // The load's checkpoint would otherwise run during the rollup.
    sqlx::query("CHECKPOINT").execute(&pool).await.unwrap();
    println!(
        "loaded {events} raw events (COPY) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Postgres alone: the server reads the columns the rollup reads and writes them as binary
    // COPY to /dev/null, with no client. The floor for the rollup's read.
    let started = Instant::now();
    sqlx::query(
        "COPY (SELECT at, outcome, latency_ms, key FROM cachescope.cache_events)
         TO '/dev/null' (FORMAT binary)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  reference, Postgres alone: the rollup's columns of {events} events to /dev/null in {secs:.2} s = {:.0} events/s",
        events as f64 / secs
    );
    let started = Instant::now();
    let done = rollup(&pool, &families, &RollupOptions::default(), &none)
        .await
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "rollup: {} events, {} hours, {} days in {secs:.2} s = {:.0} events/s",
        done.events,
        done.hours_recomputed,
        done.days,
        done.events as f64 / secs
    );
    let started = Instant::now();
    let again = rollup(&pool, &families, &RollupOptions::default(), &none)
        .await
        .unwrap();
    println!(
        "  rerun with nothing new: {} hours in {:.2} s (the dirty-hour scan)",
        again.hours_recomputed,
        started.elapsed().as_secs_f64()
    );

    // 3. A year of hourly rollups for 100 families (and the daily rows the rollup keeps, and
    // their sums over all families and per month that it keeps too).
    for table in [
        "cache_stats_hourly",
        "cache_stats_daily",
        "cache_stats_hourly_all",
        "cache_stats_daily_all",
        "cache_stats_monthly",
        "cache_rollup_hours",
        "cache_events",
    ] {
        sqlx::query(&format!("TRUNCATE cachescope.{table}"))
            .execute(&pool)
            .await
            .unwrap();
    }
    let year_start = DateTime::parse_from_rfc3339("2025-11-20T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let started = Instant::now();
    // Sums in the column order of the rollup tables: seven outcomes and the latency count, the
    // latency sum, the buckets.
    type Sums = ([i64; 8], f64, [i64; BUCKETS]);
    let add = |sums: &mut Sums, counts: &[i64; 8], latency_sum: f64, buckets: &[i64; BUCKETS]| {
        for (a, b) in sums.0.iter_mut().zip(counts) {
            *a += b;
        }
        sums.1 += latency_sum;
        for (a, b) in sums.2.iter_mut().zip(buckets) {
            *a += b;
        }
    };
    let sums_row = |sums: &Sums| {
        let buckets: Vec<String> = sums.2.iter().map(i64::to_string).collect();
        let counts: Vec<String> = sums.0.iter().map(i64::to_string).collect();
        format!(
            "{}\t{}\t{{{}}}\n",
            counts.join("\t"),
            sums.1,
            buckets.join(",")
        )
    };
    let mut all_families: Vec<(&str, String, Sums)> = Vec::new();
    let mut monthly: std::collections::BTreeMap<(String, u32), Sums> = Default::default();
    for (table, step, rows) in [
        ("cache_stats_hourly", Duration::hours(1), 365 * 24),
        ("cache_stats_daily", Duration::days(1), 365),
    ] {
        let mut conn = pool.acquire().await.unwrap();
        let mut copy = conn
            .copy_in_raw(&format!("COPY cachescope.{table} FROM STDIN"))
            .await
            .unwrap();
        let mut chunk = String::with_capacity(1 << 21);
        for r in 0..rows {
            let at = year_start + step * r;
            let at = if table == "cache_stats_daily" {
                at.format("%Y-%m-%d").to_string()
            } else {
                at.format("%Y-%m-%d %H:%M:%S+00").to_string()
            };
            let mut over_families: Sums = ([0; 8], 0.0, [0; BUCKETS]);
            for f in 0..100 {
                let scale = if table == "cache_stats_daily" { 24 } else { 1 };
                let hits = rng.random_range(50..500) * scale;
                let misses = rng.random_range(0..50) * scale;
                let mut buckets = [0i64; BUCKETS];
                for b in buckets.iter_mut().take(30) {
                    *b = (hits + misses) / 30;
                }
                let counts = [
                    hits,
                    misses,
                    scale,
                    scale,
                    misses,
                    0,
                    0,
                    (hits + misses) / 30 * 30,
                ];
                let latency_sum = (hits + misses) as f64 * 20.0;
                let texts: Vec<String> = buckets.iter().map(i64::to_string).collect();
                chunk.push_str(&format!(
                    "{at}\tfamily:{f}:{{id}}\t{hits}\t{misses}\t{scale}\t{scale}\t{misses}\t0\t0\t{}\t{latency_sum}\t{{{}}}\n",
                    counts[7],
                    texts.join(",")
                ));
                add(&mut over_families, &counts, latency_sum, &buckets);
                if table == "cache_stats_daily" {
                    let month = format!("{}-01", &at[..7]);
                    let entry = monthly
                        .entry((month, f))
                        .or_insert(([0; 8], 0.0, [0; BUCKETS]));
                    add(entry, &counts, latency_sum, &buckets);
                }
            }
            all_families.push((table, at, over_families));
            if chunk.len() >= 1 << 21 {
                copy.send(std::mem::take(&mut chunk).into_bytes())
                    .await
                    .unwrap();
            }
        }
        copy.send(chunk.into_bytes()).await.unwrap();
        copy.finish().await.unwrap();
    }
    let mut text = std::collections::HashMap::<&str, String>::new();
    for (table, at, sums) in &all_families {
        text.entry(table)
            .or_default()
            .push_str(&format!("{at}\t{}", sums_row(sums)));
    }
    let mut month_text = String::new();
    for ((month, f), sums) in &monthly {
        month_text.push_str(&format!("{month}\tfamily:{f}:{{id}}\t{}", sums_row(sums)));
    }
    for (table, text) in [
        (
            "cache_stats_hourly_all",
            text.remove("cache_stats_hourly").unwrap(),
        ),
        (
            "cache_stats_daily_all",
            text.remove("cache_stats_daily").unwrap(),
        ),
        ("cache_stats_monthly", month_text),
    ] {
        let mut conn = pool.acquire().await.unwrap();
        let mut copy = conn
            .copy_in_raw(&format!("COPY cachescope.{table} FROM STDIN"))
            .await
            .unwrap();
        copy.send(text.into_bytes()).await.unwrap();
        copy.finish().await.unwrap();
    }
    for table in [
        "cache_stats_hourly_all",
        "cache_stats_daily_all",
        "cache_stats_monthly",
    ] {
        sqlx::query(&format!("VACUUM ANALYZE cachescope.{table}"))
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query("VACUUM ANALYZE cachescope.cache_stats_hourly")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("VACUUM ANALYZE cachescope.cache_stats_daily")
        .execute(&pool)
        .await
        .unwrap();
    println!(
        "loaded a year of rollups for 100 families (876,000 hourly + 36,500 daily rows) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let year_end = year_start + Duration::days(365);
    for (what, since, granularity, family) in [
        ("the year, per day, all families", year_start, None, None),
        (
            "the year, per day, one family",
            year_start,
            None,
            Some("family:7:{id}".to_owned()),
        ),
        (
            "the last 7 days, per hour, all families",
            year_end - Duration::days(7),
            None,
            None,
        ),
        (
            "the year, per hour, all families",
            year_start,
            Some(Granularity::Hour),
            None,
        ),
    ] {
        let query = StatsQuery {
            since,
            until: year_end,
            family,
            granularity,
        };
        // One warm-up, then the median of five.
        cache_stats(&pool, &families, &query).await.unwrap();
        let mut times = Vec::new();
        let mut buckets = 0;
        for _ in 0..5 {
            let started = Instant::now();
            let stats = cache_stats(&pool, &families, &query).await.unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            buckets = stats.buckets.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "stats query, {what}: {buckets} buckets, median {:.1} ms (min {:.1}, max {:.1})",
            times[2], times[0], times[4]
        );
    }
    pool.close().await;
    if std::env::var_os("KEEP_BENCH_DATABASE").is_some() {
        println!("kept the database cachescope_stats_bench (KEEP_BENCH_DATABASE)");
        return;
    }
    sqlx::query("DROP DATABASE cachescope_stats_bench")
        .execute(&admin)
        .await
        .unwrap();
}

/// Postgres alone: the rows the import just wrote, read back by the server's own binary COPY
/// from a file into a copy of `cache_events_imported` (what the import could reach if the client
/// cost nothing), then of `cache_events` (with its CHECKs), with no client at all.
async fn server_copy_reference(pool: &sqlx::PgPool, log_mb: f64) {
    let data_dir: String = sqlx::query_scalar("SELECT current_setting('data_directory')")
        .fetch_one(pool)
        .await
        .unwrap();
    let file = format!("{data_dir}/cachescope_bench_events.bin");
    let columns = "at, key, outcome, latency_ms, source";
    sqlx::query(&format!(
        "COPY (SELECT {columns} FROM cachescope.cache_events_imported) TO '{file}' (FORMAT binary)"
    ))
    .execute(pool)
    .await
    .unwrap();
    // Into a copy of the import's table, and of the services' table (with its CHECKs).
    for (like, what) in [
        ("cache_events_imported", "the import's table"),
        ("cache_events", "the services' table, with its CHECKs"),
    ] {
        sqlx::query(&format!(
            "CREATE TABLE bench_events (LIKE cachescope.{like} INCLUDING ALL)"
        ))
        .execute(pool)
        .await
        .unwrap();
        sqlx::query("CHECKPOINT").execute(pool).await.unwrap();
        let started = Instant::now();
        let rows = sqlx::query(&format!(
            "COPY bench_events ({columns}) FROM '{file}' (FORMAT binary)"
        ))
        .execute(pool)
        .await
        .unwrap()
        .rows_affected();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "  reference, Postgres alone: server-side binary COPY of the same {rows} rows into {what} in {secs:.2} s = {:.0} MB/s of log",
            log_mb / secs
        );
        sqlx::query("DROP TABLE bench_events")
            .execute(pool)
            .await
            .unwrap();
    }
    if let Err(e) = std::fs::remove_file(&file) {
        println!("  (could not remove {file}: {e})");
    }
}
