//! KV benchmarks behind BENCHMARKS.md: the Cloudflare client against the local simulator (list
//! 100k keys vs the simulator's own time per page; bulk write and delete of 100k keys, requests
//! counted) and the local SQLite namespace's list, get and put throughput.
//!
//! `cargo run --release -p cachescope-core --example kv_bench -- [KEYS]` (default 100000).

#![allow(clippy::unwrap_used)] // a benchmark fails loudly

use std::time::{Duration, Instant};

use cachescope_core::kv::cloudflare::{CloudflareConfig, CloudflareStore, RateLimit, RetryPolicy};
use cachescope_core::kv::local::LocalStore;
use cachescope_core::kv::{list_all, Entry, KvStore, PutOptions};
use cachescope_core::progress::Progress;
use secrecy::SecretString;

fn entries(n: usize) -> Vec<Entry> {
    (0..n)
        .map(|i| Entry {
            key: format!("user:{:08x}:analytics:dashboard", i),
            value: format!(
                r#"{{"summary":{{"totalConversations":{i}}},"generatedAt":"2026-11-22T00:00:00Z"}}"#
            )
            .into_bytes(),
            options: PutOptions::default(),
        })
        .collect()
}

fn per_sec(n: usize, d: Duration) -> String {
    format!("{:.0}/s", n as f64 / d.as_secs_f64())
}

/// The simulator's own time per list page: plain HTTP GETs of each page, no client around them.
async fn raw_pages(sim: &cachescope_testkit::Simulator) -> (usize, Duration) {
    let http = reqwest::Client::new();
    let url = format!(
        "{}/accounts/{}/storage/kv/namespaces/{}/keys",
        sim.url, sim.account_id, sim.namespace_id
    );
    let mut cursor = String::new();
    let mut pages = 0;
    let started = Instant::now();
    loop {
        let mut request = http
            .get(&url)
            .bearer_auth(&sim.token)
            .query(&[("limit", "1000")]);
        if !cursor.is_empty() {
            request = request.query(&[("cursor", cursor.as_str())]);
        }
        let body: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
        pages += 1;
        cursor = body["result_info"]["cursor"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if cursor.is_empty() {
            return (pages, started.elapsed());
        }
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CACHESCOPE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(100_000);
    let batch = entries(n);
    let keys: Vec<String> = batch.iter().map(|e| e.key.clone()).collect();

    println!("## Cloudflare client against the simulator ({n} keys)");
    let sim = cachescope_testkit::simulator();
    let mut config = CloudflareConfig::new(
        &sim.url,
        &sim.account_id,
        &sim.namespace_id,
        SecretString::from(sim.token.clone()),
    );
    // The simulator has no API rate limit; pacing at Cloudflare's 1,200 / 5 min is what the
    // one-request-per-key comparison below is about.
    config.rate_limit = RateLimit {
        requests: 1_000_000,
        per: Duration::from_secs(1),
    };
    config.retry = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    config.timeout = Duration::from_secs(300);
    let cf = CloudflareStore::new(config).unwrap();

    let started = Instant::now();
    let before = cf.requests_sent();
    cf.bulk_put(&batch).await.unwrap();
    let took = started.elapsed();
    println!(
        "bulk write:  {:>3} requests, {:>7.1} s ({})",
        cf.requests_sent() - before,
        took.as_secs_f64(),
        per_sec(n, took)
    );

    let (pages, raw) = raw_pages(sim).await;
    let before = cf.requests_sent();
    let started = Instant::now();
    let listed = list_all(&cf, None, &Progress::none()).await.unwrap();
    let client = started.elapsed();
    assert_eq!(listed.len(), n);
    println!(
        "list all:    {:>3} requests, {:>7.2} s through the client vs {:.2} s raw HTTP ({} pages): {:.2} ms vs {:.2} ms per page, ratio {:.2}",
        cf.requests_sent() - before,
        client.as_secs_f64(),
        raw.as_secs_f64(),
        pages,
        client.as_secs_f64() * 1000.0 / pages as f64,
        raw.as_secs_f64() * 1000.0 / pages as f64,
        client.as_secs_f64() / raw.as_secs_f64()
    );

    let before = cf.requests_sent();
    let started = Instant::now();
    cf.bulk_delete(&keys).await.unwrap();
    let took = started.elapsed();
    println!(
        "bulk delete: {:>3} requests, {:>7.1} s ({})",
        cf.requests_sent() - before,
        took.as_secs_f64(),
        per_sec(n, took)
    );
    let one_by_one = n as f64 / 1200.0 * 300.0;
    println!("one request per key instead: {n} requests, at least {:.1} h under Cloudflare's 1,200 requests / 5 min", one_by_one / 3600.0);

    println!("\n## Local SQLite namespace ({n} keys)");
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(&dir.path().join("bench.sqlite"), "default")
        .await
        .unwrap();
    let started = Instant::now();
    local.bulk_put(&batch).await.unwrap();
    let took = started.elapsed();
    println!(
        "bulk put:  {:>7.2} s ({})",
        took.as_secs_f64(),
        per_sec(n, took)
    );
    let started = Instant::now();
    let listed = list_all(&local, None, &Progress::none()).await.unwrap();
    let took = started.elapsed();
    assert_eq!(listed.len(), n);
    println!(
        "list all:  {:>7.2} s ({})",
        took.as_secs_f64(),
        per_sec(n, took)
    );
    let reads = n.min(20_000);
    let started = Instant::now();
    for i in 0..reads {
        let key = &keys[(i * 7919) % n];
        assert!(local.get(key).await.unwrap().is_some());
    }
    let took = started.elapsed();
    println!(
        "get:       {:>7.2} s for {reads} random keys ({})",
        took.as_secs_f64(),
        per_sec(reads, took)
    );
    let writes = n.min(5_000);
    let started = Instant::now();
    for e in batch.iter().take(writes) {
        local.put(&e.key, &e.value, &e.options).await.unwrap();
    }
    let took = started.elapsed();
    println!(
        "put:       {:>7.2} s for {writes} single puts ({})",
        took.as_secs_f64(),
        per_sec(writes, took)
    );
}
