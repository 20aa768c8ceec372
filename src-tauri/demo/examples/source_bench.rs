//! Benchmark of the demo source data generator behind BENCHMARKS.md: generates the `sales`
//! schema at a given scale into the database of `DATABASE_URL` and prints rows/s overall and per
//! table. It owns the `sales` schema of that database: point it at a scratch one.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/cachescope_bench \
//!  cargo run --release -p cachescope-demo --example source_bench -- [CONVERSATIONS] [SEED]`
//! (defaults: 1000000 conversations, seed 7, now = the current second).

#![allow(clippy::unwrap_used)] // a benchmark fails loudly

use cachescope_core::progress::Progress;
use cachescope_demo::source::{generate, SourceScale};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let conversations: u64 = args.next().map_or(1_000_000, |a| a.parse().unwrap());
    let seed: u64 = args.next().map_or(7, |a| a.parse().unwrap());
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names the scratch database");
    let pool = cachescope_core::db::connect_lazy(&url, None, &Default::default()).unwrap();
    let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
    let scale = SourceScale::new(conversations, seed, now).unwrap();

    let summary = generate(&pool, &scale, &Progress::none()).await.unwrap();
    let rate = |rows: u64, seconds: f64| rows as f64 / seconds.max(1e-6);
    println!(
        "{conversations} conversations, seed {seed}, now {}",
        now.to_rfc3339()
    );
    println!(
        "{:<20} {:>10} {:>10} {:>12}",
        "step", "rows", "seconds", "rows/s"
    );
    for step in &summary.steps {
        let seconds = step.elapsed.as_secs_f64();
        if step.rows > 0 {
            println!(
                "{:<20} {:>10} {:>10.2} {:>12.0}",
                step.step,
                step.rows,
                seconds,
                rate(step.rows, seconds)
            );
        } else {
            println!("{:<20} {:>10} {:>10.2}", step.step, "", seconds);
        }
    }
    let seconds = summary.elapsed.as_secs_f64();
    println!(
        "{:<20} {:>10} {:>10.2} {:>12.0}",
        "total (end to end)",
        summary.rows(),
        seconds,
        rate(summary.rows(), seconds)
    );
    pool.close().await;
}
