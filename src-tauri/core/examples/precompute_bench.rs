//! Benchmark: precompute of every built-in report over the source data in `DATABASE_URL` (fill it
//! with `cachescope demo db --scale 1000000`), against psql running the same statements with
//! the same parameters. Writes to a fresh local namespace; prints keys, times and the ratio.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/cachescope_bench \
//!   cargo run --release -p cachescope-core --example precompute_bench
//! ```

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::Write as _;
use std::time::Instant;

use cachescope_core::kv::local::LocalStore;
use cachescope_core::progress::Progress;
use cachescope_core::reports::compute::{fan_out, AsOf};
use cachescope_core::reports::{precompute, Catalog};

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("set DATABASE_URL to the benchmark database");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .connect(&url)
        .await
        .unwrap();
    let conversations: i64 = sqlx::query_scalar("SELECT count(*) FROM sales.conversations")
        .fetch_one(&pool)
        .await
        .unwrap();
    let catalog = Catalog::builtin().unwrap();
    let all: Vec<_> = catalog.reports().iter().collect();
    // "As of" the newest upload, so the figures describe the generated data's own week.
    let newest: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT max(created_at) FROM sales.conversations")
            .fetch_one(&pool)
            .await
            .unwrap();
    let as_of = AsOf::at(newest, &catalog);
    println!("{conversations} conversations; as of {}", as_of.iso());

    // The same statements through psql: one PREPARE per report, one EXECUTE per key.
    let dir = tempfile::tempdir().unwrap();
    let script_path = dir.path().join("reports.sql");
    let mut script = std::fs::File::create(&script_path).unwrap();
    writeln!(script, "SET TimeZone = 'UTC';").unwrap();
    let mut statements = 0;
    for (i, def) in all.iter().enumerate() {
        let sets = fan_out(&pool, def, &as_of).await.unwrap();
        if let Some(query) = &def.fan_out {
            writeln!(
                script,
                "PREPARE f{i}(jsonb, timestamptz, text) AS {};",
                query.trim().trim_end_matches(';')
            )
            .unwrap();
            writeln!(script, "EXECUTE f{i}('{{}}', '{}', 'UTC');", as_of.iso()).unwrap();
            statements += 1;
        }
        writeln!(
            script,
            "PREPARE r{i}(jsonb, timestamptz, text) AS {};",
            def.sql.trim().trim_end_matches(';')
        )
        .unwrap();
        for params in sets {
            let json = serde_json::to_string(&params).unwrap().replace('\'', "''");
            writeln!(script, "EXECUTE r{i}('{json}', '{}', 'UTC');", as_of.iso()).unwrap();
            statements += 1;
        }
    }
    drop(script);
    let started = Instant::now();
    let status = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-f"])
        .arg(&script_path)
        .arg(&url)
        .status()
        .unwrap();
    assert!(status.success(), "psql failed");
    let psql = started.elapsed();
    println!(
        "psql, {statements} statements on one connection: {:.2} s",
        psql.as_secs_f64()
    );

    let store = LocalStore::open(&dir.path().join("ns.sqlite"), "bench")
        .await
        .unwrap();
    let started = Instant::now();
    let run = precompute::run(&store, &pool, &all, &as_of, false, &Progress::none()).await;
    let first = started.elapsed();
    assert_eq!(
        run.failed_reports,
        0,
        "{:#?}",
        run.reports
            .iter()
            .filter(|r| r.error.is_some())
            .collect::<Vec<_>>()
    );
    println!(
        "precompute, first run: {} keys written in {:.2} s (ratio to psql {:.2})",
        run.written,
        first.as_secs_f64(),
        first.as_secs_f64() / psql.as_secs_f64()
    );
    for report in &run.reports {
        println!("  {:<20} {:>6} keys", report.name, report.keys.len());
    }
    let started = Instant::now();
    let rerun = precompute::run(&store, &pool, &all, &as_of, false, &Progress::none()).await;
    let second = started.elapsed();
    println!(
        "precompute, rerun on unchanged data: {} written, {} unchanged in {:.2} s (ratio to psql {:.2})",
        rerun.written,
        rerun.skipped,
        second.as_secs_f64(),
        second.as_secs_f64() / psql.as_secs_f64()
    );
}
